"""The last steps of an assembly: redact, stamp and verify in the PDF pool, store the packet
blob, and commit the packet version with the move to ``in_review`` in one transaction.

The blob is written before the row that points at it. A build that runs twice (a crash after
the write, before DBOS recorded the step) writes a second blob; the commit keeps the first
packet row it finds and deletes any blob that no row points at.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog

import redaction
from gateway import ledger
from gateway.pdfpool import PdfPoolError
from gateway.releases import transitions
from gateway.releases.assembly import repository as repo
from gateway.releases.assembly.check_steps import ACTOR, identity_of
from gateway.releases.assembly.deps import AssemblyDeps
from gateway.releases.assembly.plan import Audience, DocumentPlanInput, plan_for, policy_for
from gateway.releases.assembly.spec import packet_spec, part_label
from gateway.releases.models import Packet, Release
from gateway.releases.states import State

log = structlog.get_logger(__name__)
PACKET_PREFIX = "packets"


def is_de_identified(release: Release) -> bool:
    flags = (release.scope.get("de_identified_safe_harbor"), release.basis.get("de_identified"))
    return any(flag is True for flag in flags) or release.purpose == "de_identified_safe_harbor"


def audience_of(release: Release) -> Audience:
    kind = str(release.recipient.get("kind") or "")
    return Audience(kind, release.basis_type, de_identified=is_de_identified(release))


async def build_packet(
    deps: AssemblyDeps,
    release_id: str,
    version: int,
    chosen: list[dict[str, Any]],
) -> dict[str, Any]:
    """Assemble in the pool and store the blob. ``{"status": "ok", ...packet fields}``,
    ``{"status": "done"}`` (committed before) or ``{"status": "refused", "code": ...}``."""
    rid = uuid.UUID(release_id)
    async with deps.sessions() as sessions:
        async with sessions() as session:
            if await repo.packet(session, rid, version) is not None:
                return {"status": "done"}
            release = await repo.release(session, rid)
            if release is None or release.patient_id is None:
                return {"status": "stale"}
            patient = await repo.patient(session, release.patient_id)
            records = await repo.records_by_id(session, [uuid.UUID(c["id"]) for c in chosen])
            boxes = await repo.live_boxes(session, rid)
        if patient is None:
            return {"status": "stale"}
        audience = audience_of(release)
        policy = policy_for(identity_of(patient), audience)
        parts = []
        for item in chosen:
            record = records[uuid.UUID(item["id"])]
            doc_boxes = tuple(
                redaction.Box(b.page, b.x0, b.y0, b.x1, b.y1)
                for b in boxes
                if b.source_record_id == record.id and b.page < record.page_count
            )
            plan = plan_for(policy, DocumentPlanInput(doc_boxes, tuple(item["drop_pages"])))
            label = part_label(
                record.document_type, record.service_date, de_identified=audience.de_identified
            )
            parts.append(redaction.Part(await deps.blobs.get(record.blob_key), plan, label))
        spec = packet_spec(
            reference=release.reference,
            recipient_name=str(release.recipient.get("name") or "Recipient"),
            basis_type=release.basis_type,
            on=deps.clock.now().date(),
            notices=[n for n in release.notices if isinstance(n, dict)],
            de_identified=audience.de_identified,
        )
        async with sessions() as session, session.begin():
            await repo.set_progress(session, rid, version, now=deps.clock.now(), step="redact")
        try:
            packet = await deps.pool.run(redaction.assemble, parts, spec, memory_cap="assemble")
        except (redaction.RedactionError, PdfPoolError) as exc:
            log.warning("assembly.refused", release_id=release_id, version=version, code=exc.code)
            return {"status": "refused", "code": exc.code}
        async with sessions() as session, session.begin():
            await repo.set_progress(session, rid, version, now=deps.clock.now(), step="store")
    stored = await deps.blobs.put(packet.pdf, content_type="application/pdf", prefix=PACKET_PREFIX)
    provenance: list[Any] = [
        p if p == "generated" else {"source_record_id": chosen[p[0]]["id"], "page": p[1]}
        for p in packet.provenance
    ]
    report = packet.report.to_dict()
    report["policy"] = list(policy.reasons)
    return {
        "status": "ok",
        "blob_key": stored.key,
        "sha256": stored.sha256,
        "size": stored.size,
        "page_count": len(packet.provenance),
        "bates_first": packet.bates_first,
        "bates_last": packet.bates_last,
        "provenance": provenance,
        "report": report,
        "verified": packet.report.verified,
        "engine_version": packet.report.engine_version,
    }


async def commit_packet(
    deps: AssemblyDeps,
    release_id: str,
    version: int,
    built: dict[str, Any],
    excluded: list[dict[str, Any]],
) -> str:
    """In ONE transaction: the packet row, the run finished, ``assembling -> in_review``, and
    ``packet.assembled`` in the ledger. A second run finds the row and writes nothing."""
    rid = uuid.UUID(release_id)
    now = deps.clock.now()
    orphan: str | None = None
    outcome = "in_review"
    async with deps.sessions() as sessions, sessions() as session, session.begin():
        existing = await repo.packet(session, rid, version)
        release = await repo.release(session, rid)
        if existing is not None or release is None or release.state != State.ASSEMBLING:
            orphan = (
                None if existing and existing.blob_key == built["blob_key"] else built["blob_key"]
            )
            outcome = "done" if existing is not None else "stale"
        else:
            report = {**built["report"], "excluded": excluded}
            session.add(_packet_row(rid, version, built, report, now))
            run = await repo.ensure_run(session, rid, version, now=now)
            run.state, run.step, run.error_code = "succeeded", "done", None
            run.pages_done = run.pages_total
            run.finished_at = run.updated_at = now
            await session.flush()  # the unique (release_id, version) guards here, before the move
            details = {"version": version, "pages": built["page_count"]}
            await transitions.move(
                session,
                release,
                transitions.Move(State.IN_REVIEW, ACTOR, details=details),
                clock=deps.clock,
            )
            await ledger.append(
                session, _assembled_entry(release, version, built), clock=deps.clock
            )
    if orphan is not None:
        await deps.blobs.delete(orphan)
    log.info("assembly.finished", release_id=release_id, version=version, outcome=outcome)
    return outcome


def _packet_row(
    rid: uuid.UUID, version: int, built: dict[str, Any], report: dict[str, Any], now: Any
) -> Packet:
    return Packet(
        release_id=rid,
        version=version,
        blob_key=built["blob_key"],
        sha256=built["sha256"],
        size=built["size"],
        page_count=built["page_count"],
        bates_first=built["bates_first"],
        bates_last=built["bates_last"],
        provenance=built["provenance"],
        report=report,
        engine_version=built["engine_version"],
        verified=built["verified"],
        created_at=now,
    )


def _assembled_entry(release: Release, version: int, built: dict[str, Any]) -> ledger.NewEntry:
    return ledger.NewEntry(
        idempotency_key=f"packet:{release.id}:{version}:assembled",
        actor_id=ACTOR,
        event_type="packet.assembled",
        release_id=release.id,
        patient_id=release.patient_id,
        details={
            "version": version,
            "pages": built["page_count"],
            "sha256": built["sha256"],
            "bates_first": built["bates_first"],
            "bates_last": built["bates_last"],
            "verified": built["verified"],
        },
    )
