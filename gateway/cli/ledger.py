"""``roi ledger``: check the disclosure ledger's hash chain."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

import click

from gateway.settings import Settings, load_settings

if TYPE_CHECKING:
    from gateway.ledger import Anchor, Verification

CHECKPOINT = re.compile(r"^(\d+):([0-9a-f]{64})$")
EXIT_BROKEN = 1


@click.group()
def ledger() -> None:
    """The disclosure ledger."""


def _checkpoints(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> list[Anchor]:
    from gateway.ledger import Anchor

    anchors = []
    for value in values:
        match = CHECKPOINT.fullmatch(value)
        if match is None:
            raise click.BadParameter("expected SEQ:SHA256HEX (64 lower-case hex digits)")
        anchors.append(Anchor(int(match[1]), match[2], "checkpoint"))
    return anchors


@ledger.command()
@click.option(
    "--checkpoint",
    "anchors",
    multiple=True,
    callback=_checkpoints,
    help="SEQ:HASH recorded outside the database (repeatable): the entry at SEQ must match.",
)
def verify(anchors: list[Anchor]) -> None:
    """Walk the whole chain: print the count (exit 0) or the first broken entry (exit 1).

    The chain head row catches a truncated or re-hashed tail; a forger who also rewrote the head
    is caught only by a checkpoint kept outside the database (--checkpoint; signed exports later).
    """
    result = asyncio.run(_verify(load_settings(), anchors))
    if result.broken is not None:
        click.echo(f"first broken entry: {result.broken.describe()}", err=True)
        raise SystemExit(EXIT_BROKEN)
    click.echo(f"ledger verified: {result.entries} entries")
    click.echo(f"head: seq={result.entries} sha256={result.last_hash}")


async def _verify(settings: Settings, anchors: list[Anchor]) -> Verification:
    from gateway.db import build_engine, build_session_maker
    from gateway.ledger import verify_paged

    engine = build_engine(settings)
    try:
        return await verify_paged(build_session_maker(engine), anchors)
    finally:
        await engine.dispose()
