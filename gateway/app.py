"""The Litestar application factory: the composition root of the HTTP service."""

from __future__ import annotations

import gc
from pathlib import Path

from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar, Request, Response, Router, get
from litestar.datastructures import State
from litestar.static_files import create_static_files_router
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.api.accounting import AccountingController
from gateway.api.assembly import AssemblyController
from gateway.api.holds import AnswerController, HoldController
from gateway.api.links import LinkController
from gateway.api.patients import PatientController, RecordController
from gateway.api.queue import QueueController
from gateway.api.requests import RequestController
from gateway.auth import AuthPlugin
from gateway.errors import exception_handlers, problem_response
from gateway.http import EdgeMiddleware
from gateway.logs import configure_logging
from gateway.models import Base
from gateway.openapi import STATIC, openapi_config
from gateway.services import Services, build_services
from gateway.settings import Settings
from gateway.site_rules import load_site_rules
from gateway.vendors_api import VendorController, reason_codes
from gateway.web import ROUTE_HANDLERS as WEB_PAGES
from gateway.web import template_config, with_html_pages
from kernel.clock import Clock

VERSION = "0.1.0"
STATIC_DIR = Path(__file__).resolve().parent / "static"
MULTIPART_PART_LIMIT = 32  # the BAA upload page posts one part per clause and function ticked


@get("/health", sync_to_thread=False, opt={"rule": "public"}, include_in_schema=False)
def health() -> dict[str, str]:
    """Liveness of this process; touches no dependency."""
    return {"status": "ok"}


@get("/ready", opt={"rule": "public"}, include_in_schema=False)
async def ready(state: State) -> Response[dict[str, object]]:
    """Readiness: the database, the blob store, the workflow runtime and the PDF workers."""
    services: Services = state.services
    checks = await services.readiness()
    if any(value != "ok" for value in checks.values()):
        return problem_response(503, "NOT_READY", {"checks": checks})
    return Response({"status": "ready", "checks": checks})


def settle_heap() -> None:
    """Move every object alive after start-up out of the garbage collector's sight
    (``gc.freeze``). The server's start-up heap (the app, SQLAlchemy's mappers, the templates,
    the drivers) is a few hundred thousand objects that live as long as the process; each full
    collection walked them all, 60-90 ms with every thread stopped, a few times a minute under
    load, and those pauses were the download benchmark's p99 on PostgreSQL (bench/README.md).
    ``roi serve`` runs it as the last start-up hook; in-process test apps do not (a frozen object
    is never freed, and a test session builds many apps)."""
    gc.collect()
    gc.freeze()


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
    services = build_services(settings, clock=clock)
    engine = services.engine
    app = Litestar(
        route_handlers=[
            health,
            ready,
            _static_router(),
            VendorController,
            reason_codes,
            PatientController,
            RecordController,
            RequestController,
            AssemblyController,
            *WEB_PAGES,
            QueueController,
            HoldController,
            AnswerController,
            AccountingController,
            LinkController,
        ],
        plugins=[_sqlalchemy(engine), AuthPlugin(settings, clock=services.clock)],
        dependencies=services.dependencies(),
        on_startup=[services.start],
        on_shutdown=[services.stop],
        exception_handlers=with_html_pages(exception_handlers()),
        template_config=template_config(),
        openapi_config=openapi_config(VERSION),
        request_max_body_size=settings.max_upload_mb * 1024 * 1024,
        multipart_form_part_limit=MULTIPART_PART_LIMIT,
        logging_config=None,
        debug=False,
    )
    app.state.settings = settings
    app.state.db_engine = engine
    app.state.services = services
    app.state.site_rules = site_rules
    app.asgi_handler = EdgeMiddleware(app.asgi_handler)
    return app


__all__ = ["Request", "create_app", "settle_heap"]
