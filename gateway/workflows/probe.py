"""``roi.probe``: a one-step workflow that proves a process executes queued work.

Harmless by design: it echoes a marker and touches nothing else. Operators and tests enqueue it
(by name, from any process sharing the system database) to check that a worker is alive.
"""

from __future__ import annotations

from dbos import DBOS

PROBE_WORKFLOW = "roi.probe"


@DBOS.step(name="roi.probe.echo")
def _echo(marker: str) -> str:
    return marker


@DBOS.workflow(name=PROBE_WORKFLOW)
def probe(marker: str) -> str:
    """Return ``marker`` after one durable step."""
    return _echo(marker)
