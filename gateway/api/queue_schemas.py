"""Wire schemas of the approval queue: explicit allowlists (R26). Unknown fields are refused, so
no client can set a state, an approver or findings; actions carry the ``row_version`` the
reviewer saw (optimistic concurrency)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

import msgspec

from gateway.releases.approval import ApprovalOutcome
from gateway.releases.approval_bulk import BulkItem, BulkResult
from gateway.releases.approval_read import ReleaseDetail
from gateway.releases.models import Packet, Release
from gateway.releases.queue import PatientSearch, QueuePage, QueueRow
from gateway.releases.states import STAFF_TAB, State

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
Note = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
RowVersion = Annotated[int, msgspec.Meta(ge=1)]
Text100 = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class QueueRowOut(msgspec.Struct):
    id: uuid.UUID
    reference: str
    state: str
    tab: str
    due_on: date
    days_left: int
    overdue: bool
    requester_type: str
    sensitive: bool
    assignee_id: uuid.UUID | None
    open_findings: int

    @classmethod
    def of(cls, row: QueueRow) -> QueueRowOut:
        return cls(
            row.id,
            row.reference,
            row.state.value,
            row.tab,
            row.due_on,
            row.days_left,
            row.overdue,
            row.requester_type,
            row.sensitive,
            row.assignee_id,
            row.open_findings,
        )


class QueuePageOut(msgspec.Struct):
    items: list[QueueRowOut]
    next_cursor: str | None

    @classmethod
    def of(cls, page: QueuePage) -> QueuePageOut:
        return cls([QueueRowOut.of(r) for r in page.rows], page.next_cursor)


class SearchIn(msgspec.Struct, forbid_unknown_fields=True):
    """A patient search: an MRN, or a family name and a date of birth."""

    mrn: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None
    family_name: Text100 | None = None
    given_name: Text100 | None = None
    birth_date: date | None = None

    def to_domain(self) -> PatientSearch:
        return PatientSearch(self.mrn, self.family_name, self.given_name, self.birth_date)


class PacketOut(msgspec.Struct):
    id: uuid.UUID
    version: int
    verified: bool
    page_count: int
    sha256: str
    bates_first: str | None
    bates_last: str | None
    engine_version: str
    created_at: datetime

    @classmethod
    def of(cls, p: Packet) -> PacketOut:
        return cls(
            p.id,
            p.version,
            p.verified,
            p.page_count,
            p.sha256,
            p.bates_first,
            p.bates_last,
            p.engine_version,
            p.created_at,
        )


class LatestPacketOut(msgspec.Struct):
    packet: PacketOut
    report: dict[str, Any]
    provenance: list[Any]


class TransitionOut(msgspec.Struct):
    from_state: str | None
    to_state: str
    reason_code: str | None
    actor_id: str
    at: datetime


class ApprovalOut(msgspec.Struct):
    approver_id: uuid.UUID
    packet_version: int
    at: datetime


class HoldOut(msgspec.Struct):
    reason_code: str
    follow_up_on: date
    held_by: str
    at: datetime


class MayApproveOut(msgspec.Struct):
    allowed: bool
    refusals: list[str]
    needed: int
    given: int


class DetailOut(msgspec.Struct):
    row: QueueRowOut
    kind: str
    basis_type: str
    organisation_id: uuid.UUID | None
    vendor_id: uuid.UUID | None
    row_version: int
    packet_version: int
    findings: list[dict[str, Any]]
    exclusions: list[dict[str, Any]]
    latest_packet: LatestPacketOut | None
    packets: list[PacketOut]
    transitions: list[TransitionOut]
    approvals: list[ApprovalOut]
    holds: list[HoldOut]
    may_approve: MayApproveOut

    @classmethod
    def of(cls, d: ReleaseDetail) -> DetailOut:
        r, latest = d.release, d.latest_packet
        current = [a for a in d.approvals if a.packet_version == r.packet_version]
        return cls(
            row=QueueRowOut.of(d.row),
            kind=r.kind,
            basis_type=r.basis_type,
            organisation_id=r.organisation_id,
            vendor_id=r.vendor_id,
            row_version=r.row_version,
            packet_version=r.packet_version,
            findings=list(r.findings),
            exclusions=list(r.exclusions),
            latest_packet=(
                LatestPacketOut(PacketOut.of(latest), dict(latest.report), list(latest.provenance))
                if latest
                else None
            ),
            packets=[PacketOut.of(p) for p in d.packets],
            transitions=[
                TransitionOut(t.from_state, t.to_state, t.reason_code, t.actor_id, t.at)
                for t in d.transitions
            ],
            approvals=[ApprovalOut(a.approver_id, a.packet_version, a.at) for a in d.approvals],
            holds=[HoldOut(h.reason_code, h.follow_up_on, h.held_by, h.at) for h in d.holds],
            may_approve=MayApproveOut(
                not d.refusals, list(d.refusals), d.approvals_needed, len(current)
            ),
        )


class ApproveIn(msgspec.Struct, forbid_unknown_fields=True):
    row_version: RowVersion


class DenyIn(msgspec.Struct, forbid_unknown_fields=True):
    row_version: RowVersion
    reason_code: Code
    note: Note | None = None


class HoldIn(msgspec.Struct, forbid_unknown_fields=True):
    row_version: RowVersion
    reason_code: Code
    follow_up_on: date
    note: Note | None = None


class ReassignIn(msgspec.Struct, forbid_unknown_fields=True):
    row_version: RowVersion
    assignee_id: uuid.UUID | None


class ApproveOut(msgspec.Struct):
    id: uuid.UUID
    outcome: str
    state: str
    row_version: int
    approvals: int
    needed: int

    @classmethod
    def of(cls, o: ApprovalOutcome) -> ApproveOut:
        r = o.release
        return cls(r.id, o.outcome, r.state, r.row_version, o.approvals, o.needed)


class ReleaseStateOut(msgspec.Struct):
    id: uuid.UUID
    state: str
    tab: str
    row_version: int
    assignee_id: uuid.UUID | None

    @classmethod
    def of(cls, r: Release) -> ReleaseStateOut:
        return cls(r.id, r.state, STAFF_TAB[State(r.state)], r.row_version, r.assignee_id)


class BulkItemIn(msgspec.Struct, forbid_unknown_fields=True):
    release_id: uuid.UUID
    row_version: RowVersion


class BulkIn(msgspec.Struct, forbid_unknown_fields=True):
    items: Annotated[list[BulkItemIn], msgspec.Meta(min_length=1, max_length=100)]

    def to_domain(self) -> list[BulkItem]:
        return [BulkItem(i.release_id, i.row_version) for i in self.items]


class BulkResultOut(msgspec.Struct):
    release_id: uuid.UUID
    result: str
    code: str | None
    state: str | None


class BulkOut(msgspec.Struct):
    results: list[BulkResultOut]
    approved: int
    refused: int

    @classmethod
    def of(cls, results: list[BulkResult]) -> BulkOut:
        rows = [BulkResultOut(r.release_id, r.result, r.code, r.state) for r in results]
        approved = sum(1 for r in results if r.result == "approved")
        return cls(rows, approved, len(results) - approved)
