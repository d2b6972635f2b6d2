"""The first steps of an assembly: select the documents, check each page's identity, and settle
a release that cannot go on (rejected or held). Each is safe to run again after a crash."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

import redaction
from gateway.pdfpool import PdfPoolError
from gateway.releases import transitions
from gateway.releases.assembly import repository as repo
from gateway.releases.assembly.deps import AssemblyDeps
from gateway.releases.assembly.findings import (
    NO_DOCUMENTS,
    PATIENT_MISSING,
    hold_finding,
    merged,
)
from gateway.releases.assembly.identity import check_document
from gateway.releases.assembly.plan import PatientIdentity, identity_tokens
from gateway.releases.assembly.selection import RecordRef, select_records
from gateway.releases.models import Patient
from gateway.releases.states import State

log = structlog.get_logger(__name__)
ACTOR = "system:assembly"
RUN_STATE = {"rejected": "rejected", "on_hold": "held"}


def identity_of(patient: Patient) -> PatientIdentity:
    pairs = tuple(
        (str(i.get("kind", "")), str(i.get("value", "")))
        for i in patient.identifiers
        if isinstance(i, dict)
    )
    return PatientIdentity(
        patient.mrn, patient.family_name, patient.given_name, patient.birth_date, pairs
    )


async def select_documents(deps: AssemblyDeps, release_id: str, version: int) -> dict[str, Any]:
    """``{"status": "ok", "chosen": [...], "excluded": [...]}``, or a status that stops here:
    ``done`` (committed before), ``stale`` (the release moved on), ``hold`` (with a code)."""
    rid = uuid.UUID(release_id)
    now = deps.clock.now()
    async with deps.sessions() as sessions, sessions() as session, session.begin():
        release = await repo.release(session, rid)
        if release is None:
            return {"status": "stale"}
        if await repo.packet(session, rid, version) is not None:
            return {"status": "done"}
        if release.state != State.ASSEMBLING or release.packet_version != version:
            return {"status": "stale"}
        await repo.ensure_run(session, rid, version, now=now)
        if release.patient_id is None:
            return {"status": "hold", "code": PATIENT_MISSING}
        records = await repo.records_of(session, release.patient_id)
        refs = [
            RecordRef(str(r.id), r.document_type, r.service_date, r.page_count) for r in records
        ]
        selection = select_records(refs, scope=release.scope, exclusions=release.exclusions)
        await repo.set_progress(
            session, rid, version, now=now, step="select", pages_total=selection.pages_total
        )
    if not selection.chosen:
        return {"status": "hold", "code": NO_DOCUMENTS}
    chosen = [
        {"id": c.id, "page_count": c.page_count, "drop_pages": list(c.drop_pages)}
        for c in selection.chosen
    ]
    return {"status": "ok", "chosen": chosen, "excluded": list(selection.excluded)}


async def check_identity(
    deps: AssemblyDeps, release_id: str, version: int, chosen: list[dict[str, Any]]
) -> dict[str, Any]:
    """Every page of the chosen records through ``find_tokens`` in the pool (QA-01)."""
    rid = uuid.UUID(release_id)
    async with deps.sessions() as sessions:
        async with sessions() as session:
            release = await repo.release(session, rid)
            patient_id = release.patient_id if release else None
            patient = await repo.patient(session, patient_id) if patient_id else None
            if release is None or patient is None:
                return {"outcome": "on_hold", "code": PATIENT_MISSING, "findings": []}
            own = identity_tokens(identity_of(patient))
            foreign = await repo.other_mrns(session, patient.id)
            records = await repo.records_by_id(session, [uuid.UUID(c["id"]) for c in chosen])
        issues = []
        done = 0
        for item in chosen:
            record = records[uuid.UUID(item["id"])]
            try:
                pdf = await deps.blobs.get(record.blob_key)
                hits = await deps.pool.run(
                    redaction.find_tokens, pdf, [*own, *foreign], memory_cap="assemble"
                )
            except (redaction.RedactionError, PdfPoolError) as exc:
                finding = hold_finding(exc.code, subject=item["id"])
                return {"outcome": "on_hold", "code": exc.code, "findings": [finding]}
            issues += check_document(
                item["id"],
                record.page_count,
                hits,
                own=own,
                foreign=foreign,
                excluded_pages=item["drop_pages"],
            )
            done += record.page_count
            await _progress(sessions, deps, rid, version, step="identity", pages_done=done)
    foreign_pages = [i for i in issues if i.code == "FOREIGN_PAGE"]
    outcome = "rejected" if foreign_pages else ("on_hold" if issues else "ok")
    code = (foreign_pages or issues)[0].code if issues else None
    return {"outcome": outcome, "code": code, "findings": [i.finding() for i in issues]}


async def _progress(
    sessions: Any, deps: AssemblyDeps, rid: uuid.UUID, version: int, **values: object
) -> None:
    session: AsyncSession
    async with sessions() as session, session.begin():
        await repo.set_progress(session, rid, version, now=deps.clock.now(), **values)


async def settle(
    deps: AssemblyDeps,
    release_id: str,
    version: int,
    *,
    target: str,
    code: str,
    findings: list[dict[str, Any]],
) -> str:
    """Stop the assembly: findings on the release, the run finished, and the release moved to
    ``rejected`` or ``on_hold`` (once: a second run finds it moved and does nothing)."""
    rid = uuid.UUID(release_id)
    now = deps.clock.now()
    async with deps.sessions() as sessions, sessions() as session, session.begin():
        release = await repo.release(session, rid)
        if release is None or release.state != State.ASSEMBLING:
            return "stale"
        if release.packet_version != version:
            return "stale"
        run = await repo.ensure_run(session, rid, version, now=now)
        run.state = RUN_STATE[target]
        run.step = "stopped"
        run.error_code = code
        run.finished_at = run.updated_at = now
        release.findings = merged(release.findings, findings or [hold_finding(code)])
        await session.flush()
        step = transitions.Move(
            target=State(target),
            actor=ACTOR,
            reason_code=code,
            details={"version": version, "findings": len(findings)},
        )
        await transitions.move(session, release, step, clock=deps.clock)
    log.info("assembly.stopped", release_id=release_id, version=version, outcome=target, code=code)
    return target
