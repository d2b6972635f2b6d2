"""``roi demo``: synthetic demo data. Credentials are printed once to standard output."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import click

from gateway.settings import load_settings

if TYPE_CHECKING:
    from gateway.demo.loader import DemoCredential


@click.command()
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def demo(if_empty: bool) -> None:
    """Load synthetic demo users (admin, specialist, attorney), a vendor with a BAA, and two
    patients with record PDFs (checked in the PDF worker pool)."""
    credentials = asyncio.run(_load(if_empty=if_empty))
    if credentials is None:
        click.echo("demo data already loaded; nothing to do")
        return
    click.echo("Synthetic demo accounts. Shown once: keep them; each must change its password")
    click.echo("at first sign-in. Add the TOTP URI to an authenticator app.")
    for credential in credentials:
        click.echo(f"- {credential.role}: {credential.email}")
        click.echo(f"    one-time password: {credential.one_time_password}")
        click.echo(f"    TOTP provisioning URI: {credential.totp_uri}")


async def _load(*, if_empty: bool) -> list[DemoCredential] | None:
    from gateway.blobs import build_blob_store
    from gateway.db import build_engine, build_session_maker
    from gateway.demo.loader import database_is_empty, load_demo
    from gateway.pdfpool import build_pdf_pool
    from kernel.clock import SystemClock
    from kernel.errors import DomainError
    from redaction import apply_process_limits

    settings = load_settings()
    engine = build_engine(settings)
    clock = SystemClock()
    blobs = build_blob_store(settings, clock=clock)
    pool = build_pdf_pool(settings, apply_process_limits)  # started at the first upload
    try:
        async with build_session_maker(engine)() as session, session.begin():
            if if_empty and not await database_is_empty(session):
                return None
            return await load_demo(
                session,
                blobs=blobs,
                clock=clock,
                pdf_pool=pool,
                max_upload_bytes=settings.max_upload_mb * 1024 * 1024,
            )
    except DomainError as exc:
        raise click.ClickException(f"demo data not loaded: {exc.code}") from None
    finally:
        await pool.close()
        await engine.dispose()
