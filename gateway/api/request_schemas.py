"""Wire schemas of the requests API: explicit allowlists (R26). No client sets a state, findings,
a due date, an organisation or who opened a release. What a requester sees of a release is
narrower than what staff see: the requester's view of the state, no actors, no document ids."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from contracts import Recipient, RecipientKind, VendorFunction
from gateway.auth import Principal
from gateway.releases.basis import BasisIn, Line, ScopeIn, TpoIn
from gateway.releases.extensions import ReleaseExtension
from gateway.releases.models import Release, ReleaseTransition
from gateway.releases.states import REQUESTER_VIEW, STAFF_TAB, State
from gateway.releases.submissions import PatientClaim
from gateway.releases.views import RequestView, waiting_on

Purpose = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
RecipientKindIn = Literal[
    "patient",
    "personal_representative",
    "attorney",
    "insurer",
    "patient_designee",
    "provider",
    "court",
    "agency",
]
FunctionIn = Literal["copy", "transcription", "scanning", "storage", "mailing", "redaction"]


class PatientIn(msgspec.Struct, forbid_unknown_fields=True):
    """An MRN, or family name, given name and birth date, or both."""

    mrn: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None
    family_name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    given_name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    birth_date: date | None = None

    def to_domain(self) -> PatientClaim:
        return PatientClaim(self.mrn, self.family_name, self.given_name, self.birth_date)


class RecipientIn(msgspec.Struct, forbid_unknown_fields=True):
    """Who receives the records (vendors come through work orders, not here)."""

    kind: RecipientKindIn
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    email: Annotated[str, msgspec.Meta(max_length=320)] | None = None
    address: Line | None = None

    def to_domain(self) -> Recipient:
        return Recipient(RecipientKind(self.kind), self.name, self.email, self.address)


class RequestIn(msgspec.Struct, forbid_unknown_fields=True):
    """The ``request`` part of a submission (JSON); the signed document is the ``evidence``
    part."""

    patient: PatientIn
    recipient: RecipientIn
    basis: BasisIn
    purpose: Purpose
    scope: ScopeIn = msgspec.field(default_factory=ScopeIn)


class WorkOrderIn(msgspec.Struct, forbid_unknown_fields=True):
    vendor_id: uuid.UUID
    function: FunctionIn
    patient_id: uuid.UUID
    purpose: Purpose
    scope: ScopeIn = msgspec.field(default_factory=ScopeIn)
    basis: TpoIn | None = None

    @property
    def vendor_function(self) -> VendorFunction:
        return VendorFunction(self.function)


class ExtensionIn(msgspec.Struct, forbid_unknown_fields=True):
    reasons: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class FindingOut(msgspec.Struct):
    code: str
    rule_id: str
    severity: str
    message: str
    citation: str
    subject: str | None = None


class ExclusionOut(msgspec.Struct):
    reasons: list[FindingOut]
    document_id: str | None = None


class NoticeOut(msgspec.Struct):
    id: str
    rule_id: str
    title: str
    first_pages: bool


class StepOut(msgspec.Struct):
    state: str
    at: datetime
    reason_code: str | None = None
    actor: str | None = None


class ExtensionOut(msgspec.Struct):
    letter_on: date
    previous_due_on: date
    due_on: date
    reasons: str | None = None


class RecipientOut(msgspec.Struct):
    kind: str
    name: str


class RequestSummaryOut(msgspec.Struct):
    id: uuid.UUID
    reference: str
    kind: str
    state: str
    basis_type: str
    due_on: date
    created_at: datetime
    tab: str | None = None

    @classmethod
    def of(cls, release: Release, principal: Principal) -> RequestSummaryOut:
        state, tab = _state(release, principal)
        return cls(
            release.id,
            release.reference,
            release.kind,
            state,
            release.basis_type,
            release.due_on,
            release.created_at,
            tab,
        )


def _state(release: Release, principal: Principal) -> tuple[str, str | None]:
    state = State(release.state)
    if principal.is_staff:
        return state.value, STAFF_TAB[state]
    return REQUESTER_VIEW[state], None


def _findings(rows: list[dict[str, Any]]) -> list[FindingOut]:
    return [FindingOut(**row) for row in rows]


def _timeline(rows: tuple[ReleaseTransition, ...], staff: bool) -> list[StepOut]:
    if staff:
        return [StepOut(t.to_state, t.at, t.reason_code, t.actor_id) for t in rows]
    steps: list[StepOut] = []
    for t in rows:
        seen = REQUESTER_VIEW[State(t.to_state)]
        if not steps or steps[-1].state != seen:
            steps.append(StepOut(seen, t.at, t.reason_code))
    return steps


def _extension(row: ReleaseExtension | None, staff: bool) -> ExtensionOut | None:
    if row is None:
        return None
    reasons = row.reasons if staff else None
    return ExtensionOut(row.letter_on, row.previous_due_on, row.new_due_on, reasons)


class RequestOut(msgspec.Struct):
    id: uuid.UUID
    reference: str
    kind: str
    state: str
    basis_type: str
    recipient: RecipientOut
    purpose: str
    due_on: date
    extended: bool
    patient_matched: bool
    findings: list[FindingOut]
    exclusions: list[ExclusionOut]
    notices: list[NoticeOut]
    sensitive: bool
    timeline: list[StepOut]
    created_at: datetime
    updated_at: datetime
    extension: ExtensionOut | None = None
    waiting_on: str | None = None
    tab: str | None = None
    accounting: dict[str, Any] | None = None

    @classmethod
    def of(cls, view: RequestView, principal: Principal) -> RequestOut:
        r, staff = view.release, principal.is_staff
        state, tab = _state(r, principal)
        exclusions = [
            ExclusionOut(_findings(e["reasons"]), e["document_id"] if staff else None)
            for e in r.exclusions
        ]
        return cls(
            id=r.id,
            reference=r.reference,
            kind=r.kind,
            state=state,
            basis_type=r.basis_type,
            recipient=RecipientOut(r.recipient["kind"], r.recipient["name"]),
            purpose=r.purpose,
            due_on=r.due_on,
            extended=r.extensions > 0,
            patient_matched=r.patient_id is not None,
            findings=_findings(r.findings),
            exclusions=exclusions,
            notices=[NoticeOut(**n) for n in r.notices],
            sensitive=r.sensitive,
            timeline=_timeline(view.timeline, staff),
            created_at=r.created_at,
            updated_at=r.updated_at,
            extension=_extension(view.extension, staff),
            waiting_on=waiting_on(r),
            tab=tab,
            accounting=r.accounting if staff else None,
        )


def render(view: RequestView, principal: Principal) -> dict[str, Any]:
    """The response body as JSON-ready builtins (also what an idempotent replay returns)."""
    body: dict[str, Any] = msgspec.to_builtins(RequestOut.of(view, principal))
    return body
