"""``roi db``: migrations."""

from __future__ import annotations

import click

from gateway.settings import load_settings


@click.group()
def db() -> None:
    """Database migrations."""


@db.command()
def upgrade() -> None:
    """Migrate the database to the newest revision."""
    from gateway.migrations import runner

    runner.upgrade(load_settings())
    click.echo("database is at the newest revision")


@db.command()
@click.option("-m", "--message", required=True, help="Short description, used in the file name.")
def revision(message: str) -> None:
    """Generate a migration from the models (read it before committing)."""
    from gateway.migrations import runner

    runner.revision(load_settings(), message)
