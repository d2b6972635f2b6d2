"""``roi users``: accounts. Secrets are printed once to standard output, never logged."""

from __future__ import annotations

import asyncio

import click

from gateway.settings import load_settings


@click.group()
def users() -> None:
    """User accounts."""


@users.command("add")
@click.option("--email", required=True, help="Sign-in e-mail address.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "specialist", "attorney", "payer"]),
    help="Staff (admin, specialist) or requester (attorney, payer).",
)
@click.option("--organisation", default=None, help="Requester organisation (created if new).")
def add(email: str, role: str, organisation: str | None) -> None:
    """Create a user; prints its one-time password and TOTP provisioning URI once."""
    from gateway.auth.errors import AuthError

    try:
        user_id, password, uri = asyncio.run(_add(email, role, organisation))
    except AuthError as exc:
        raise click.ClickException(f"not created: {exc.code}") from None
    click.echo(f"user {user_id} created ({role}); shown once, keep them safe:")
    click.echo(f"  one-time password: {password}  (to be changed at first sign-in)")
    click.echo(f"  TOTP provisioning URI: {uri}")


async def _add(email: str, role: str, organisation: str | None) -> tuple[str, str, str]:
    from gateway.auth import create_user
    from gateway.db import build_engine, build_session_maker

    engine = build_engine(load_settings())
    try:
        async with build_session_maker(engine)() as session, session.begin():
            new = await create_user(session, email=email, role=role, organisation=organisation)
            return str(new.user.id), new.one_time_password, new.totp_uri
    finally:
        await engine.dispose()
