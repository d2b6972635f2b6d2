"""Wire schemas of the patients and source-records API: explicit allowlists (R26). Unknown fields
are refused, so no client can set ids, blob keys, digests, page counts or check results."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from gateway.releases.models import Patient, SourceRecord
from gateway.releases.patients import Identifier, NewPatient, PatientQuery

Mrn = Annotated[
    str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-]*$")
]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
IdentifierKind = Literal["ssn", "phone", "email", "address", "mrn_other", "insurance_id", "other"]
IdentifierValue = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class IdentifierIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: IdentifierKind
    value: IdentifierValue


class PatientIn(msgspec.Struct, forbid_unknown_fields=True):
    mrn: Mrn
    family_name: Name
    given_name: Name
    birth_date: date
    identifiers: Annotated[list[IdentifierIn], msgspec.Meta(max_length=50)] = []

    def to_domain(self) -> NewPatient:
        identifiers = tuple(Identifier(i.kind, i.value) for i in self.identifiers)
        return NewPatient(self.mrn, self.family_name, self.given_name, self.birth_date, identifiers)


class PatientSearchIn(msgspec.Struct, forbid_unknown_fields=True):
    """An MRN, or a family name with a date of birth (a given name narrows further)."""

    mrn: Mrn | None = None
    family_name: Name | None = None
    given_name: Name | None = None
    birth_date: date | None = None

    def to_domain(self) -> PatientQuery:
        return PatientQuery(self.mrn, self.family_name, self.given_name, self.birth_date)


class IdentifierOut(msgspec.Struct):
    kind: str
    value: str


class PatientOut(msgspec.Struct):
    id: uuid.UUID
    mrn: str
    family_name: str
    given_name: str
    birth_date: date
    identifiers: list[IdentifierOut]
    created_at: datetime
    created_by: uuid.UUID

    @classmethod
    def of(cls, patient: Patient) -> PatientOut:
        identifiers = [IdentifierOut(str(i["kind"]), str(i["value"])) for i in patient.identifiers]
        return cls(
            patient.id,
            patient.mrn,
            patient.family_name,
            patient.given_name,
            patient.birth_date,
            identifiers,
            patient.created_at,
            patient.created_by,
        )


class RecordCheckOut(msgspec.Struct):
    """The engine's check at upload: 0-based page numbers, never text."""

    engine_version: str
    page_count: int
    mrn_pages: list[int]
    pages_without_mrn: list[int]
    textless_pages: list[int]

    @classmethod
    def of(cls, check: dict[str, Any]) -> RecordCheckOut:
        return msgspec.convert(check, type=cls)


class RecordOut(msgspec.Struct):
    id: uuid.UUID
    patient_id: uuid.UUID
    document_type: str
    service_date: date
    labels: list[str]
    sha256: str
    size: int
    page_count: int
    check: RecordCheckOut
    created_at: datetime
    created_by: uuid.UUID

    @classmethod
    def of(cls, record: SourceRecord) -> RecordOut:
        return cls(
            id=record.id,
            patient_id=record.patient_id,
            document_type=record.document_type,
            service_date=record.service_date,
            labels=list(record.labels),
            sha256=record.sha256,
            size=record.size,
            page_count=record.page_count,
            check=RecordCheckOut.of(record.check),
            created_at=record.created_at,
            created_by=record.created_by,
        )
