"""``roi serve`` and ``roi worker``."""

from __future__ import annotations

import click

from gateway.settings import load_settings


@click.command()
@click.option("--host", default=None, help="Bind address (default from settings: 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default from settings: 8000).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the gateway over HTTP."""
    import uvicorn

    from gateway.app import create_app, settle_heap

    settings = load_settings()
    app = create_app(settings)
    app.on_startup.append(settle_heap)  # last: after the services have started
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        access_log=False,
        log_config=None,
        server_header=False,
    )


@click.command()
def worker() -> None:
    """Run a process that only executes queued workflows (stop with SIGTERM or Ctrl-C)."""
    from gateway.workflows.worker import run_worker

    run_worker(load_settings())
