"""Intake: requests from requesters (or entered by staff) and vendor work orders.

A submission stores its evidence blob FIRST (server key), then, in the request's transaction:
the idempotency record (if a key came), the release in ``received`` (a transition row and a
``release.received`` ledger entry), and the check step (``gateway/releases/checking.py``) that
moves it to ``rejected``, ``on_hold`` or ``assembling``. The service flushes, never commits.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import InvalidInstrument, Recipient, SiteRules
from gateway import ledger
from gateway.auth import Principal
from gateway.releases import idempotency
from gateway.releases.basis import NEEDS_EVIDENCE, basis_type, dump_basis, to_instrument
from gateway.releases.checking import CheckInput, check_release
from gateway.releases.evidence import StoredEvidence, store_evidence
from gateway.releases.extensions import extend
from gateway.releases.matching import match_patient
from gateway.releases.models import Patient, Release, ReleaseTransition
from gateway.releases.request_errors import BasisInvalid, PatientNotFound, StateFilterInvalid
from gateway.releases.states import State
from gateway.releases.submissions import Idempotency, NewRequest, NewWorkOrder
from gateway.releases.views import (
    RequestView,
    list_releases,
    request_view,
    states_for_filter,
    visible_release,
)
from gateway.releases.work_orders import vendor_recipient
from gateway.settings import RequestsSettings
from kernel.blobs import BlobStore
from kernel.clock import Clock, today

Render = Callable[[RequestView], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Submitted:
    """What the API answers: the rendered release (or the replayed first response)."""

    status_code: int
    body: dict[str, Any]
    replayed: bool


def new_reference() -> str:
    """A short, non-PHI release reference: ``R-`` and 8 characters of random base32."""
    return "R-" + base64.b32encode(secrets.token_bytes(5)).decode("ascii")


def scope_json(scope: Any) -> dict[str, Any]:
    dates = scope.dates
    return {
        "document_types": sorted(scope.document_types),
        "start": dates.start.isoformat() if dates.start else None,
        "end": dates.end.isoformat() if dates.end else None,
    }


def recipient_json(recipient: Recipient) -> dict[str, Any]:
    return {
        "kind": recipient.kind.value,
        "name": recipient.name,
        "email": recipient.email,
        "address": recipient.address,
    }


class IntakeService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        blobs: BlobStore,
        clock: Clock,
        settings: RequestsSettings,
        site_rules: SiteRules,
    ) -> None:
        self.session = session
        self.blobs = blobs
        self.clock = clock
        self.settings = settings
        self.site_rules = site_rules

    # submissions

    async def submit_request(
        self, principal: Principal, new: NewRequest, idem: Idempotency | None, render: Render
    ) -> Submitted:
        try:
            instrument = to_instrument(new.basis, received_on=today(self.clock))
        except InvalidInstrument as exc:
            raise BasisInvalid("the basis holds impossible values") from exc
        required = basis_type(new.basis) in NEEDS_EVIDENCE
        limit = self.settings.evidence_max_mb * 1024 * 1024
        evidence = await store_evidence(self.blobs, new.evidence, required=required, limit=limit)

        async def create() -> Release:
            patient = await match_patient(self.session, new.patient)
            release = await self._received(
                principal, new, patient=patient, evidence=evidence, org=_org(principal)
            )
            check = CheckInput(instrument, new.recipient, new.scope, patient)
            return await self._check(release, check, principal)

        return await self._submit(principal, idem, render, create, evidence)

    async def open_work_order(
        self, principal: Principal, new: NewWorkOrder, idem: Idempotency | None, render: Render
    ) -> Submitted:
        try:
            instrument = to_instrument(new.basis, received_on=today(self.clock))
        except InvalidInstrument as exc:
            raise BasisInvalid("the basis holds impossible values") from exc

        async def create() -> Release:
            patient = await self.session.get(Patient, new.patient_id)
            if patient is None:
                raise PatientNotFound("no such patient")
            recipient, baa = await vendor_recipient(
                self.session, new.vendor_id, new.function, today(self.clock)
            )
            release = await self._received(
                principal, new, patient=patient, recipient=recipient, vendor_id=new.vendor_id
            )
            check = CheckInput(instrument, recipient, new.scope, patient, baa)
            return await self._check(release, check, principal)

        return await self._submit(principal, idem, render, create, None)

    # reads and the extension

    async def get(self, principal: Principal, release_id: uuid.UUID) -> RequestView:
        release = await visible_release(self.session, principal, release_id)
        return await request_view(self.session, release)

    async def list(
        self,
        principal: Principal,
        *,
        state: str | None,
        kind: str | None,
        limit: int,
        offset: int,
    ) -> list[Release]:
        states = states_for_filter(principal, state)
        if states is not None and not states:
            raise StateFilterInvalid("unknown state filter")
        return await list_releases(
            self.session, principal, states=states, kind=kind, limit=limit, offset=offset
        )

    async def extend(
        self, principal: Principal, release_id: uuid.UUID, reasons: str
    ) -> RequestView:
        release = await visible_release(self.session, principal, release_id, lock=True)
        days = self.settings.extension_days
        await extend(
            self.session,
            release,
            reasons=reasons,
            days=days,
            actor=principal.actor,
            clock=self.clock,
        )
        return await request_view(self.session, release)

    # internals

    async def _submit(
        self,
        principal: Principal,
        idem: Idempotency | None,
        render: Render,
        create: Callable[[], Awaitable[Release]],
        evidence: StoredEvidence | None,
    ) -> Submitted:
        try:
            record = None
            if idem is not None:
                hours = self.settings.idempotency_hours
                got = await idempotency.reserve(
                    self.session, principal.actor, idem, hours=hours, clock=self.clock
                )
                if isinstance(got, idempotency.Replay):
                    await _discard(self.blobs, evidence)
                    return Submitted(got.status_code, got.body, replayed=True)
                record = got
            body = render(await request_view(self.session, await create()))
            if record is not None:
                await idempotency.complete(self.session, record, 201, body)
        except BaseException:
            await _discard(self.blobs, evidence)
            raise
        return Submitted(201, body, replayed=False)

    async def _received(
        self,
        principal: Principal,
        new: NewRequest | NewWorkOrder,
        *,
        patient: Patient | None,
        evidence: StoredEvidence | None = None,
        org: uuid.UUID | None = None,
        recipient: Recipient | None = None,
        vendor_id: uuid.UUID | None = None,
    ) -> Release:
        now, kind = self.clock.now(), "request" if vendor_id is None else "work_order"
        btype = basis_type(new.basis)
        claim = new.patient.as_json() if isinstance(new, NewRequest) else {}
        to = recipient if recipient is not None else new.recipient  # type: ignore[union-attr]
        release = Release(
            id=uuid.uuid4(),
            reference=new_reference(),
            kind=kind,
            state=State.RECEIVED.value,
            organisation_id=org,
            vendor_id=vendor_id,
            patient_id=patient.id if patient else None,
            patient_claim=claim,
            recipient=recipient_json(to),
            basis_type=btype,
            basis=dump_basis(new.basis),
            evidence_key=evidence.key if evidence else None,
            evidence_sha256=evidence.sha256 if evidence else None,
            evidence_size=evidence.size if evidence else None,
            scope=scope_json(new.scope),
            purpose=new.purpose,
            due_on=now.date() + timedelta(days=self.settings.due_days[btype]),  # type: ignore[index]  # btype is one of BASIS_TYPES
            extensions=0,
            opened_by=principal.user_id,
            packet_version=0,
            row_version=1,
            created_at=now,
            updated_at=now,
        )
        self.session.add(release)
        await self.session.flush()
        await self._log_received(release, principal.actor)
        return release

    async def _log_received(self, release: Release, actor: str) -> None:
        now = self.clock.now()
        self.session.add(
            ReleaseTransition(
                release_id=release.id, from_state=None, to_state="received", actor_id=actor, at=now
            )
        )
        await ledger.append(
            self.session,
            ledger.NewEntry(
                idempotency_key=f"release:{release.id}:received",
                actor_id=actor,
                event_type="release.received",
                release_id=release.id,
                patient_id=release.patient_id,
                details={"kind": release.kind, "basis_type": release.basis_type},
            ),
            clock=self.clock,
        )
        await self.session.flush()

    async def _check(self, release: Release, check: CheckInput, principal: Principal) -> Release:
        return await check_release(
            self.session,
            release,
            check,
            site_rules=self.site_rules,
            actor=principal.actor,
            clock=self.clock,
        )


def _org(principal: Principal) -> uuid.UUID | None:
    """A requester's request belongs to its organisation; one staff enter belongs to none."""
    return None if principal.is_staff else principal.organisation_id


async def _discard(blobs: BlobStore, evidence: StoredEvidence | None) -> None:
    """Remove an evidence blob that no committed row will point at."""
    if evidence is not None:
        await blobs.delete(evidence.key)
