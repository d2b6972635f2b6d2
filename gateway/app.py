"""The Litestar application factory: the composition root of the HTTP service."""

from __future__ import annotations

from pathlib import Path

import anyio
from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar, Request, Response, Router, get
from litestar.datastructures import State
from litestar.static_files import create_static_files_router
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.auth import AuthPlugin
from gateway.blobs import build_blob_store
from gateway.db import build_engine
from gateway.errors import exception_handlers, problem_response
from gateway.http import EdgeMiddleware
from gateway.logs import configure_logging
from gateway.models import Base
from gateway.openapi import STATIC, openapi_config
from gateway.settings import Settings
from gateway.site_rules import load_site_rules
from gateway.vendors_api import VendorController, reason_codes
from kernel.clock import Clock, SystemClock

VERSION = "0.1.0"
STATIC_DIR = Path(__file__).resolve().parent / "static"
READY_TIMEOUT_S = 5.0
MULTIPART_PART_LIMIT = 10


@get("/health", sync_to_thread=False, opt={"rule": "public"}, include_in_schema=False)
def health() -> dict[str, str]:
    """Liveness of this process; touches no dependency."""
    return {"status": "ok"}


@get("/ready", opt={"rule": "public"}, include_in_schema=False)
async def ready(state: State) -> Response[dict[str, object]]:
    """Readiness: the database answers within the deadline."""
    engine: AsyncEngine = state.db_engine
    try:
        with anyio.fail_after(READY_TIMEOUT_S):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready; the type is logged by code
        return problem_response(503, "NOT_READY")
    return Response({"status": "ready", "checks": {"database": "ok"}})


def _sqlalchemy(engine: AsyncEngine) -> SQLAlchemyPlugin:
    config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        session_dependency_key="db_session",
        before_send_handler="autocommit",
        metadata=Base.metadata,
        create_all=False,
    )
    return SQLAlchemyPlugin(config=config)


def _static_router() -> Router:
    return create_static_files_router(
        path=STATIC, directories=[STATIC_DIR], opt={"rule": "public"}, include_in_schema=False
    )


def create_app(settings: Settings, *, clock: Clock | None = None) -> Litestar:
    """Build the app from settings; every engine and client is created here and nowhere else."""
    configure_logging(settings)
    site_rules = load_site_rules(settings.site_rules_file)  # an invalid file stops start-up
    engine = build_engine(settings)
    app = Litestar(
        route_handlers=[health, ready, _static_router(), VendorController, reason_codes],
        plugins=[_sqlalchemy(engine), AuthPlugin(settings, clock=clock)],
        exception_handlers=exception_handlers(),
        openapi_config=openapi_config(VERSION),
        request_max_body_size=settings.max_upload_mb * 1024 * 1024,
        multipart_form_part_limit=MULTIPART_PART_LIMIT,
        logging_config=None,
        debug=False,
    )
    app.state.settings = settings
    app.state.db_engine = engine
    app.state.clock = clock or SystemClock()
    app.state.site_rules = site_rules
    app.state.blob_store = build_blob_store(settings, clock=clock)
    app.asgi_handler = EdgeMiddleware(app.asgi_handler)
    return app


__all__ = ["Request", "create_app"]
