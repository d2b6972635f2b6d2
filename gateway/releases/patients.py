"""Patients: register, read, search (by MRN, or by name and date of birth), list their records.

Registration writes the row and a ``patient.registered`` ledger entry in the caller's
transaction (ids and counts only). Search takes its criteria as values, never from a URL.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from gateway import ledger
from gateway.releases.models import Patient, SourceRecord
from gateway.releases.patient_errors import MrnTaken, PatientNotFound, SearchTooBroad
from kernel.clock import Clock

IDENTIFIER_KINDS = ("ssn", "phone", "email", "address", "mrn_other", "insurance_id", "other")
SEARCH_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class NewPatient:
    mrn: str
    family_name: str
    given_name: str
    birth_date: date
    identifiers: tuple[Identifier, ...] = ()


@dataclass(frozen=True, slots=True)
class PatientQuery:
    """Either ``mrn``, or ``family_name`` and ``birth_date`` (``given_name`` narrows further).
    Names compare without regard to case or surrounding spaces."""

    mrn: str | None = None
    family_name: str | None = None
    given_name: str | None = None
    birth_date: date | None = None


class PatientService:
    def __init__(self, session: AsyncSession, *, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def register(self, new: NewPatient, *, by: uuid.UUID, actor: str) -> Patient:
        mrn = new.mrn.strip()
        if await self._by_mrn(mrn) is not None:
            raise MrnTaken("a patient with that MRN exists")
        patient = Patient(
            id=uuid.uuid4(),
            mrn=mrn,
            family_name=new.family_name.strip(),
            given_name=new.given_name.strip(),
            birth_date=new.birth_date,
            identifiers=[{"kind": i.kind, "value": i.value} for i in new.identifiers],
            created_at=self.clock.now(),
            created_by=by,
        )
        self.session.add(patient)
        try:
            await self.session.flush()
        except IntegrityError as exc:  # a concurrent registration of the same MRN won
            raise MrnTaken("a patient with that MRN exists") from exc
        await self._ledger(patient, actor)
        return patient

    async def get(self, patient_id: uuid.UUID) -> Patient:
        patient = await self.session.get(Patient, patient_id)
        if patient is None:
            raise PatientNotFound("no such patient", patient_id=str(patient_id))
        return patient

    async def search(self, query: PatientQuery) -> Sequence[Patient]:
        """Matching patients (at most ``SEARCH_LIMIT``), by family and given name."""
        by_name = query.family_name is not None and query.birth_date is not None
        if query.mrn is None and not by_name:
            raise SearchTooBroad("an MRN, or a family name and a date of birth, is required")
        statement = select(Patient)
        if query.mrn is not None:
            statement = statement.where(Patient.mrn == query.mrn.strip())
        if query.family_name is not None:
            statement = statement.where(_folded(Patient.family_name, query.family_name))
        if query.given_name is not None:
            statement = statement.where(_folded(Patient.given_name, query.given_name))
        if query.birth_date is not None:
            statement = statement.where(Patient.birth_date == query.birth_date)
        statement = statement.order_by(Patient.family_name, Patient.given_name, Patient.id)
        return (await self.session.scalars(statement.limit(SEARCH_LIMIT))).all()

    async def records(self, patient_id: uuid.UUID) -> Sequence[SourceRecord]:
        """The patient's source records, newest service date first."""
        await self.get(patient_id)
        statement = (
            select(SourceRecord)
            .where(SourceRecord.patient_id == patient_id)
            .order_by(SourceRecord.service_date.desc(), SourceRecord.created_at.desc())
        )
        return (await self.session.scalars(statement)).all()

    async def _by_mrn(self, mrn: str) -> Patient | None:
        found: Patient | None = await self.session.scalar(select(Patient).where(Patient.mrn == mrn))
        return found

    async def _ledger(self, patient: Patient, actor: str) -> None:
        entry = ledger.NewEntry(
            idempotency_key=f"patient:{patient.id}:registered",
            actor_id=actor,
            event_type="patient.registered",
            patient_id=patient.id,
            details={"identifier_count": len(patient.identifiers)},
        )
        await ledger.append(self.session, entry, clock=self.clock)


def _folded(column: InstrumentedAttribute[str], value: str) -> ColumnElement[bool]:
    return func.lower(column) == value.strip().lower()
