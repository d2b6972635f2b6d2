"""The ``roi`` command line."""

from __future__ import annotations

import click

from gateway.cli.db import db
from gateway.cli.demo import demo
from gateway.cli.keys import keys
from gateway.cli.ledger import ledger
from gateway.cli.redact import redact
from gateway.cli.server import serve, worker
from gateway.cli.users import users


@click.group()
def main() -> None:
    """ROI Gateway: release-of-information and vendor-compliance gateway."""
    from gateway.logs import configure_logging
    from gateway.settings import load_settings

    configure_logging(load_settings())  # log lines go to stderr; stdout is for the user


main.add_command(db)
main.add_command(demo)
main.add_command(keys)
main.add_command(ledger)
main.add_command(serve)
main.add_command(worker)
main.add_command(redact)
main.add_command(users)
