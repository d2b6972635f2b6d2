"""The check step of a release: ``received``/``on_hold`` -> ``checking`` -> ``rejected``,
``on_hold`` or ``assembling``.

Runs ``contracts.decide_release`` over the patient's source records in the requested scope (as
``DocumentRef``s), stores findings, exclusions, notices, the sensitive flag and the accounting
class on the release, and moves it by the worst finding. Intake findings that ``contracts`` cannot
know (no patient matched, no records in scope) are added here. The ids of the documents selected
go into ``releases.scope["selected"]`` for assembly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import (
    Baa,
    Basis,
    Demographics,
    DocumentRef,
    Finding,
    Outcome,
    Recipient,
    ReleaseDecision,
    Scope,
    Severity,
    SiteRules,
    decide_release,
)
from contracts.decision import decide
from gateway.releases.models import Patient, Release, SourceRecord
from gateway.releases.states import State
from gateway.releases.transitions import Move, move
from kernel.clock import Clock, today

# Intake's own findings, in the shape of the reason table (rule QA-01: the right patient).
PATIENT_NOT_MATCHED = Finding(
    "PATIENT_NOT_MATCHED",
    "QA-01",
    Severity.HOLD,
    "The patient could not be identified from the identifiers given. The hospital will "
    "contact you; you may also submit a corrected request.",
    "[I] right-patient check before disclosure; 45 CFR 164.402 (breach presumption)",
)
NO_RECORDS_IN_SCOPE = Finding(
    "NO_RECORDS_IN_SCOPE",
    "QA-01",
    Severity.HOLD,
    "No records of the patient fall within the requested scope yet. The hospital will review "
    "the request.",
    "[I] a person confirms an empty release before it is answered",
)
TARGET: dict[Outcome, State] = {
    Outcome.REJECTED: State.REJECTED,
    Outcome.ON_HOLD: State.ON_HOLD,
    Outcome.ALLOWED: State.ASSEMBLING,
}


@dataclass(frozen=True, slots=True)
class CheckInput:
    """Everything the check needs besides the release row: the instrument (``None`` for a
    work order under its BAA alone), the recipient, the vendor's BAA, the matched patient."""

    basis: Basis | None
    recipient: Recipient
    scope: Scope
    patient: Patient | None
    baa: Baa | None = None


def finding_json(found: Finding) -> dict[str, Any]:
    return {
        "code": found.code,
        "rule_id": found.rule_id,
        "severity": found.severity.value,
        "message": found.message,
        "citation": found.citation,
        "subject": found.subject,
    }


def document_ref(record: SourceRecord) -> DocumentRef:
    labels = frozenset(record.labels)
    return DocumentRef(
        id=str(record.id),
        document_type=record.document_type,
        service_date=record.service_date,
        labels=labels,
        source_program_part2="part2" in labels,
        minor_self_consented="minor_consented" in labels,
    )


async def documents_in_scope(
    session: AsyncSession, patient: Patient | None, scope: Scope
) -> list[DocumentRef]:
    """The patient's source records that the request asks for (types and service dates)."""
    if patient is None:
        return []
    query = select(SourceRecord).where(SourceRecord.patient_id == patient.id)
    rows = await session.scalars(query.order_by(SourceRecord.service_date, SourceRecord.id))
    return [
        document_ref(r)
        for r in rows
        if scope.covers_type(r.document_type) and r.service_date in scope.dates
    ]


def _intake_findings(check: CheckInput, decision: ReleaseDecision) -> list[Finding]:
    if check.patient is None:
        return [PATIENT_NOT_MATCHED]
    return [] if decision.included else [NO_RECORDS_IN_SCOPE]


def _record(release: Release, decision: ReleaseDecision, findings: list[Finding]) -> None:
    release.findings = [finding_json(f) for f in findings]
    # pages a reviewer left out (``gateway/releases/resume.py``) outlive a new decision
    reviewers = [e for e in release.exclusions or () if e.get("by") == "reviewer"]
    release.exclusions = [
        *(
            {"document_id": d.document_id, "reasons": [finding_json(f) for f in d.reasons]}
            for d in decision.excluded
        ),
        *reviewers,
    ]
    release.notices = [
        {
            "id": n.id,
            "rule_id": n.rule_id,
            "title": n.title,
            "text": n.text,
            "first_pages": n.first_pages,
        }
        for n in decision.notices
    ]
    release.sensitive = decision.sensitive
    accounting = decision.accounting
    release.accounting = {
        "category": accounting.category.value,
        "accounting_exempt": accounting.accounting_exempt,
        "rule_id": accounting.rule_id,
        "reviewer_note_required": decision.reviewer_note_required,
    }
    release.scope = {**release.scope, "selected": list(decision.included)}


async def check_release(
    session: AsyncSession,
    release: Release,
    check: CheckInput,
    *,
    site_rules: SiteRules,
    actor: str,
    clock: Clock,
) -> Release:
    """Decide ``release`` (in ``received`` or ``on_hold``) and move it to where its findings
    send it; every move is a transition row and a ledger entry in the caller's transaction."""
    release = await move(session, release, Move(State.CHECKING, actor), clock=clock)
    mpi = None
    if check.patient is not None:
        name = f"{check.patient.given_name} {check.patient.family_name}"
        mpi = Demographics(name, check.patient.birth_date)
    documents = await documents_in_scope(session, check.patient, check.scope)
    decision = decide_release(
        check.basis,
        check.recipient,
        documents,
        on=today(clock),
        site_rules=site_rules,
        baa=check.baa,
        mpi=mpi,
    )
    findings = [*decision.findings, *_intake_findings(check, decision)]
    _record(release, decision, findings)
    await session.flush()
    outcome = decide(findings).outcome
    wanted = {Outcome.REJECTED: Severity.BLOCK, Outcome.ON_HOLD: Severity.HOLD}.get(outcome)
    stopping = next((f.code for f in findings if f.severity is wanted), None)
    details: dict[str, Any] = {
        "findings": len(findings),
        "excluded": len(decision.excluded),
        "selected": len(decision.included),
    }
    step = Move(TARGET[outcome], actor, reason_code=stopping, details=details)
    return await move(session, release, step, clock=clock)
