"""A requester answers a hold that waits on them (``waiting_on == "requester"``): corrected
patient identifiers (``PATIENT_NOT_MATCHED``) and/or a corrected legal basis with its signed
document (a subpoena's notice assurance, a valid QPO, an attestation, an authorization instead of
a directive). The release goes ``on_hold -> checking`` and the check step runs again, as at
intake; findings that still stand hold or reject it again.

The new evidence blob is stored first (server key); if anything after fails, it is deleted. The
earlier document stays stored, and the ``release.answered`` ledger entry names its key, so the
trail keeps what was received when. The caller commits, then starts the assembly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import InvalidInstrument, SiteRules
from gateway import ledger
from gateway.auth import Principal
from gateway.releases.basis import NEEDS_EVIDENCE, BasisIn, basis_type, dump_basis, to_instrument
from gateway.releases.checking import check_release
from gateway.releases.evidence import StoredEvidence, store_evidence
from gateway.releases.matching import match_patient
from gateway.releases.models import Patient, Release
from gateway.releases.request_errors import BasisInvalid
from gateway.releases.resume import stored_check
from gateway.releases.submissions import Evidence, PatientClaim
from gateway.releases.views import visible_release, waiting_on
from kernel.blobs import BlobStore
from kernel.clock import Clock, today
from kernel.errors import DomainError


class AnswerNotExpected(DomainError):
    """The release is not held for something the requester sends."""

    code = "ANSWER_NOT_EXPECTED"


class AnswerEmpty(DomainError):
    """An answer must bring corrected identifiers or a corrected basis."""

    code = "ANSWER_EMPTY"


@dataclass(frozen=True, slots=True)
class Answer:
    patient: PatientClaim | None = None
    basis: BasisIn | None = None
    evidence: Evidence | None = None


class AnswerService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        blobs: BlobStore,
        clock: Clock,
        site_rules: SiteRules,
        evidence_limit: int,
    ) -> None:
        self.session, self.blobs, self.clock = session, blobs, clock
        self.site_rules, self.evidence_limit = site_rules, evidence_limit

    async def answer(self, principal: Principal, release_id: uuid.UUID, ans: Answer) -> Release:
        """Apply the answer and run the check again (the caller commits)."""
        if ans.patient is None and ans.basis is None:
            raise AnswerEmpty("send corrected patient identifiers or a corrected basis")
        release = await visible_release(self.session, principal, release_id, lock=True)
        if waiting_on(release) != "requester":
            raise AnswerNotExpected("the request is not waiting on the requester")
        if ans.basis is not None:
            try:
                to_instrument(ans.basis, received_on=today(self.clock))
            except InvalidInstrument as exc:
                raise BasisInvalid("the basis holds impossible values") from exc
        evidence = None
        if ans.basis is not None:
            required = basis_type(ans.basis) in NEEDS_EVIDENCE
            evidence = await store_evidence(
                self.blobs, ans.evidence, required=required, limit=self.evidence_limit
            )
        try:
            return await self._apply(release, principal, ans, evidence)
        except BaseException:
            if evidence is not None:
                await self.blobs.delete(evidence.key)
            raise

    async def _apply(
        self,
        release: Release,
        principal: Principal,
        ans: Answer,
        evidence: StoredEvidence | None,
    ) -> Release:
        previous_evidence = release.evidence_key
        patient: Patient | None = None
        if ans.patient is not None:
            patient = await match_patient(self.session, ans.patient)
            release.patient_claim = ans.patient.as_json()
            release.patient_id = patient.id if patient else None
        elif release.patient_id is not None:
            patient = await self.session.get(Patient, release.patient_id)
        if ans.basis is not None:
            release.basis_type = basis_type(ans.basis)
            release.basis = dump_basis(ans.basis)
            if evidence is not None:
                release.evidence_key = evidence.key
                release.evidence_sha256 = evidence.sha256
                release.evidence_size = evidence.size
        await self.session.flush()
        await ledger.append(
            self.session,
            ledger.NewEntry(
                idempotency_key=f"release:{release.id}:{release.row_version}:answered",
                actor_id=principal.actor,
                event_type="release.answered",
                release_id=release.id,
                patient_id=release.patient_id,
                details={
                    "identifiers": ans.patient is not None,
                    "basis_type": release.basis_type if ans.basis is not None else None,
                    "previous_evidence_key": previous_evidence if evidence else None,
                },
            ),
            clock=self.clock,
        )
        day = today(self.clock)
        received = day if ans.basis is not None else None
        check = await stored_check(self.session, release, patient, on=day, received_on=received)
        return await check_release(
            self.session,
            release,
            check,
            site_rules=self.site_rules,
            actor=principal.actor,
            clock=self.clock,
        )
