"""The Litestar application factory: the composition root of the HTTP service."""

from __future__ import annotations

from litestar import Litestar, get

from gateway.settings import Settings


@get("/health", sync_to_thread=False, opt={"rule": "public"})
def health() -> dict[str, str]:
    """Liveness of this process; touches no dependency."""
    return {"status": "ok"}


def create_app(settings: Settings) -> Litestar:
    """Build the app from settings; every engine and client is created here and nowhere else."""
    app = Litestar(route_handlers=[health], debug=False)
    app.state.settings = settings
    return app
