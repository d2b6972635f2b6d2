"""Taking a release off hold: ``on_hold -> checking -> rejected / on_hold / assembling``.

DESIGN.md: a held release goes back to ``checking`` when the missing piece arrived. Staff resume
it (:meth:`HoldService.resume`) once they have the piece: the patient matched by hand (a
``PATIENT_NOT_MATCHED`` hold), pages without an identifier reviewed and left out (a
``PAGE_UNIDENTIFIED`` hold from assembly), a record uploaded, a BAA renewed, the reason of a
staff hold cleared. The check step then runs again over what the request stored, exactly as at
intake (``gateway/releases/checking.py``); findings that still stand hold or reject it again.

When the check sends the release to assembly and it had been assembled before, the next packet
version is built (DBOS would otherwise find the finished ``assemble:<id>:<v>`` workflow and do
nothing); earlier versions stay. Pages a reviewer left out are kept on the release as
exclusions marked ``by: reviewer``, which a later check keeps. The caller commits, then starts
the assembly (``gateway.releases.assembly.start_assembly``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Finding, Recipient, RecipientKind, Severity, SiteRules, VendorFunction
from gateway.auth.principal import Principal
from gateway.releases.approval_errors import ReleaseNotFound
from gateway.releases.basis import ScopeIn, load_basis, to_instrument
from gateway.releases.checking import CheckInput, check_release, finding_json
from gateway.releases.errors import ReleaseChanged
from gateway.releases.models import Patient, Release, SourceRecord
from gateway.releases.request_errors import PatientNotFound
from gateway.releases.states import State, TransitionRefused
from gateway.releases.work_orders import vendor_recipient
from kernel.clock import Clock, today
from kernel.errors import DomainError

REVIEWER = "reviewer"
PAGES_LEFT_OUT = Finding(
    "PAGES_LEFT_OUT_BY_REVIEWER",
    "QA-01",
    Severity.WARN,
    "A reviewer left out source pages that carry no identifier of the patient.",
    "[I] right-patient check before disclosure; 45 CFR 164.402 (breach presumption)",
)
MAX_PAGES = 500


class PageExclusionInvalid(DomainError):
    """A page to leave out is not a page of one of the patient's source records."""

    code = "PAGE_EXCLUSION_INVALID"


class PatientAlreadyMatched(DomainError):
    """The release already has its patient: a hand match cannot replace it."""

    code = "PATIENT_ALREADY_MATCHED"


@dataclass(frozen=True, slots=True)
class PageRef:
    source_record_id: uuid.UUID
    page: int  # 0-based, as the identity check's findings name it


@dataclass(frozen=True, slots=True)
class Resume:
    """What a staff member brings to take a release off hold."""

    row_version: int
    patient_id: uuid.UUID | None = None
    leave_out: tuple[PageRef, ...] = ()


class HoldService:
    def __init__(self, session: AsyncSession, *, clock: Clock, site_rules: SiteRules) -> None:
        self.session, self.clock, self.site_rules = session, clock, site_rules

    async def resume(self, release_id: uuid.UUID, principal: Principal, ask: Resume) -> Release:
        """Run the check again on a held release (the caller commits)."""
        release = await self.session.get(Release, release_id, populate_existing=True)
        if release is None:
            raise ReleaseNotFound("no such release")
        if ask.row_version != release.row_version:
            raise ReleaseChanged("the release changed since it was read", release=str(release.id))
        if release.state != State.ON_HOLD.value:
            raise TransitionRefused("only a release on hold can be resumed", state=release.state)
        patient = await self._patient(release, ask.patient_id)
        if ask.leave_out:
            await self._leave_out(release, patient, ask.leave_out, principal.actor)
        check = await stored_check(self.session, release, patient, on=today(self.clock))
        had_packet = release.packet_version > 0
        release = await check_release(
            self.session,
            release,
            check,
            site_rules=self.site_rules,
            actor=principal.actor,
            clock=self.clock,
        )
        if had_packet and release.state == State.ASSEMBLING.value:
            await self._next_version(release)
        return release

    async def _patient(self, release: Release, patient_id: uuid.UUID | None) -> Patient | None:
        if patient_id is None:
            if release.patient_id is None:
                return None
            return await self.session.get(Patient, release.patient_id)
        if release.patient_id is not None and release.patient_id != patient_id:
            raise PatientAlreadyMatched("the release already has its patient")
        patient = await self.session.get(Patient, patient_id)
        if patient is None:
            raise PatientNotFound("no such patient")
        release.patient_id = patient.id
        await self.session.flush()
        return patient

    async def _leave_out(
        self, release: Release, patient: Patient | None, pages: Sequence[PageRef], actor: str
    ) -> None:
        if patient is None or len(pages) > MAX_PAGES:
            raise PageExclusionInvalid("pages can be left out only of the patient's records")
        by_record: dict[uuid.UUID, set[int]] = {}
        for ref in pages:
            by_record.setdefault(ref.source_record_id, set()).add(ref.page)
        entries = [e for e in release.exclusions if e.get("by") == REVIEWER]
        kept = {str(e["document_id"]): set(e.get("pages", ())) for e in entries}
        for record_id, numbers in by_record.items():
            record = await self.session.get(SourceRecord, record_id)
            if record is None or record.patient_id != patient.id:
                raise PageExclusionInvalid("pages can be left out only of the patient's records")
            if any(not 0 <= n < record.page_count for n in numbers):
                raise PageExclusionInvalid("no such page in that record")
            kept[str(record_id)] = kept.get(str(record_id), set()) | numbers
        others = [e for e in release.exclusions if e.get("by") != REVIEWER]
        release.exclusions = [*others, *(reviewer_exclusion(k, v, actor) for k, v in kept.items())]
        await self.session.flush()

    async def _next_version(self, release: Release) -> None:
        """The next packet version, in the transaction that moved the release to assembling."""
        await self.session.execute(
            update(Release)
            .where(Release.id == release.id, Release.state == State.ASSEMBLING.value)
            .values(packet_version=Release.packet_version + 1)
            .execution_options(synchronize_session=False)
        )
        await self.session.refresh(release)


def reviewer_exclusion(record_id: str, pages: set[int], actor: str) -> dict[str, Any]:
    """An exclusion entry in the shape intake writes, marked as a reviewer's."""
    return {
        "document_id": record_id,
        "pages": sorted(pages),
        "reasons": [finding_json(PAGES_LEFT_OUT)],
        "by": REVIEWER,
        "actor": actor,
    }


async def stored_check(
    session: AsyncSession,
    release: Release,
    patient: Patient | None,
    *,
    on: date,
    received_on: date | None = None,
) -> CheckInput:
    """The check step's input rebuilt from what intake stored on the release; the basis counts
    as received with the request unless ``received_on`` says otherwise (a corrected basis)."""
    received = received_on or release.created_at.date()
    basis = to_instrument(load_basis(dict(release.basis)), received_on=received)
    stored = release.scope
    scope = msgspec.convert(
        {k: stored[k] for k in ("document_types", "start", "end") if stored.get(k) is not None},
        type=ScopeIn,
    ).to_domain()
    if release.vendor_id is not None:
        function = VendorFunction(release.recipient["kind"])
        recipient, baa = await vendor_recipient(session, release.vendor_id, function, on)
        return CheckInput(basis, recipient, scope, patient, baa)
    to = release.recipient
    recipient = Recipient(
        RecipientKind(to["kind"]), to["name"], email=to.get("email"), address=to.get("address")
    )
    return CheckInput(basis, recipient, scope, patient)
