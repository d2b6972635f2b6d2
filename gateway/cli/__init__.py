"""The ``roi`` command line."""

from __future__ import annotations

import click

from gateway.cli.redact import redact
from gateway.cli.server import serve, worker


@click.group()
def main() -> None:
    """ROI Gateway: release-of-information and vendor-compliance gateway."""


main.add_command(serve)
main.add_command(worker)
main.add_command(redact)
