"""The durable assembly workflow (DBOS), one per release and packet version.

Workflow id ``assemble:<release id>:<version>`` (deterministic: enqueueing again finds the same
workflow). Steps: select documents -> identity check -> build (redact, stamp, verify in the PDF
pool; store the blob) -> commit (packet row, run finished, ``in_review``, ledger) or settle
(``rejected`` / ``on_hold`` with a code). DBOS records each finished step; after a crash the
step in flight runs again, so each one is idempotent (see ``check_steps`` and ``build_steps``).
The step sequence is part of the application version (ADR 0001): change it, bump the version.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS

from gateway.releases.assembly import deps
from gateway.releases.assembly.build_steps import build_packet, commit_packet
from gateway.releases.assembly.check_steps import check_identity, select_documents, settle
from gateway.releases.assembly.findings import hold_finding

WORKFLOW_NAME = "roi.assemble_packet"
RETRY = {"retries_allowed": True, "max_attempts": 3, "interval_seconds": 1.0}


@DBOS.step(name="roi.assemble_packet.select", **RETRY)  # type: ignore[arg-type]
async def _select(release_id: str, version: int) -> dict[str, Any]:
    return await select_documents(deps.current(), release_id, version)


@DBOS.step(name="roi.assemble_packet.identity", **RETRY)  # type: ignore[arg-type]
async def _identity(release_id: str, version: int, chosen: list[dict[str, Any]]) -> dict[str, Any]:
    return await check_identity(deps.current(), release_id, version, chosen)


@DBOS.step(name="roi.assemble_packet.build", **RETRY)  # type: ignore[arg-type]
async def _build(release_id: str, version: int, chosen: list[dict[str, Any]]) -> dict[str, Any]:
    return await build_packet(deps.current(), release_id, version, chosen)


@DBOS.step(name="roi.assemble_packet.commit", **RETRY)  # type: ignore[arg-type]
async def _commit(
    release_id: str, version: int, built: dict[str, Any], excluded: list[dict[str, Any]]
) -> str:
    return await commit_packet(deps.current(), release_id, version, built, excluded)


@DBOS.step(name="roi.assemble_packet.settle", **RETRY)  # type: ignore[arg-type]
async def _settle(
    release_id: str, version: int, target: str, code: str, findings: list[dict[str, Any]]
) -> str:
    return await settle(
        deps.current(), release_id, version, target=target, code=code, findings=findings
    )


@DBOS.workflow(name=WORKFLOW_NAME)
async def assemble_packet_workflow(release_id: str, version: int) -> str:
    """Assemble packet ``version`` of a release; returns the outcome (``in_review``,
    ``rejected``, ``on_hold``, ``done`` when committed before, ``stale`` when moved on)."""
    selected = await _select(release_id, version)
    if selected["status"] == "hold":
        code = selected["code"]
        return await _settle(release_id, version, "on_hold", code, [hold_finding(code)])
    if selected["status"] != "ok":
        return str(selected["status"])
    chosen = selected["chosen"]
    identity = await _identity(release_id, version, chosen)
    if identity["outcome"] != "ok":
        return await _settle(
            release_id, version, identity["outcome"], identity["code"], identity["findings"]
        )
    built = await _build(release_id, version, chosen)
    if built["status"] == "refused":
        code = built["code"]
        return await _settle(release_id, version, "on_hold", code, [hold_finding(code)])
    if built["status"] != "ok":
        return str(built["status"])
    return await _commit(release_id, version, built, selected["excluded"])
