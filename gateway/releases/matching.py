"""Find the patient a request names: by MRN, by name and date of birth, or both.

The answer is one patient or none: no match, an ambiguous match (two patients with the same name
and birth date) and an MRN whose name or birth date disagrees all give ``None``, so a requester
learns nothing about any other patient. Intake then holds the request for a person
(``PATIENT_NOT_MATCHED``).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.releases.models import Patient
from gateway.releases.request_errors import PatientIdentifiersMissing
from gateway.releases.submissions import PatientClaim


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _agrees(patient: Patient, claim: PatientClaim) -> bool:
    """Every demographic the claim gives must agree with the patient."""
    checks = [
        claim.family_name is None or _same(claim.family_name, patient.family_name),
        claim.given_name is None or _same(claim.given_name, patient.given_name),
        claim.birth_date is None or claim.birth_date == patient.birth_date,
    ]
    return all(checks)


async def match_patient(session: AsyncSession, claim: PatientClaim) -> Patient | None:
    if not (claim.mrn or claim.has_demographics):
        raise PatientIdentifiersMissing("an MRN, or a name and a date of birth, is needed")
    if claim.mrn:
        patient = await session.scalar(select(Patient).where(Patient.mrn == claim.mrn.strip()))
        return patient if patient is not None and _agrees(patient, claim) else None
    family, _given = claim.family_name or "", claim.given_name or ""
    query = (
        select(Patient)
        .where(
            Patient.birth_date == claim.birth_date,
            func.lower(Patient.family_name) == " ".join(family.split()).lower(),
        )
        .limit(20)
    )
    found = [p for p in await session.scalars(query) if _agrees(p, claim)]
    return found[0] if len(found) == 1 else None
