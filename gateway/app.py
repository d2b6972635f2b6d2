"""The Litestar application factory: the composition root of the HTTP service."""

from __future__ import annotations

from litestar import Litestar, get

from gateway.auth import AuthPlugin
from gateway.errors import exception_handlers
from gateway.settings import Settings
from kernel.clock import Clock


@get("/health", sync_to_thread=False, opt={"rule": "public"})
def health() -> dict[str, str]:
    """Liveness of this process; touches no dependency."""
    return {"status": "ok"}


def create_app(settings: Settings, *, clock: Clock | None = None) -> Litestar:
    """Build the app from settings; every engine and client is created here and nowhere else."""
    app = Litestar(
        route_handlers=[health],
        plugins=[AuthPlugin(settings, clock=clock)],
        exception_handlers=exception_handlers(),
        debug=False,
    )
    app.state.settings = settings
    return app
