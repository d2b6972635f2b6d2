"""The accounting of disclosures for a patient (45 CFR 164.528), and the ledger trail of a release.

Both are queries over the disclosure ledger (``gateway/ledger/``); this module adds what the
ledger does not know: which patients and releases exist, and which window an accounting may cover.

The window (AOD-03): at most six years, ending no later than today; by default the six years
before today. Longer, reversed or future windows are refused with a reason code, never silently
cut. The accounting lists the patient's non-exempt disclosures (AOD-01); disclosures exempt under
164.528(a)(1) (authorization, treatment/payment/operations, to the individual: AOD-02) are left
out by default, as the rule leaves them out of what the individual receives, and listed flagged
``accounting_exempt`` when staff ask for them (``include_exempt``) to review everything that left.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway import ledger
from gateway.releases.models import Patient, Release
from kernel.clock import Clock, today
from kernel.errors import DomainError


class AccountingError(DomainError):
    code = "ACCOUNTING_ERROR"


class UnknownPatient(AccountingError):
    code = "PATIENT_NOT_FOUND"


class UnknownRelease(AccountingError):
    code = "RELEASE_NOT_FOUND"


class AccountingWindowInvalid(AccountingError):
    """The requested window cannot be accounted for; the subclass says why (AOD-03)."""

    code = "ACCOUNTING_WINDOW_INVALID"


class AccountingWindowReversed(AccountingWindowInvalid):
    code = "ACCOUNTING_WINDOW_REVERSED"


class AccountingWindowTooLong(AccountingWindowInvalid):
    code = "ACCOUNTING_WINDOW_TOO_LONG"


class AccountingWindowInFuture(AccountingWindowInvalid):
    code = "ACCOUNTING_WINDOW_IN_FUTURE"


@dataclass(frozen=True, slots=True)
class Window:
    """The days an accounting covers, both inclusive."""

    since: date
    until: date


def accounting_period(on: date, since: date | None, until: date | None) -> Window:
    """The window for an accounting requested ``on`` a day (AOD-03): ``until`` defaults to that
    day and may not pass it; ``since`` defaults to six years before ``until`` and may not be
    earlier; ``since`` may not follow ``until``."""
    end = on if until is None else until
    if end > on:
        raise AccountingWindowInFuture("the window ends after today")
    try:
        floor, _ = ledger.accounting_window(end)
    except ValueError:  # six years before a day in years 1 to 6 is before the calendar's start
        floor = date.min
    start = floor if since is None else since
    if start > end:
        raise AccountingWindowReversed("the window starts after it ends")
    if start < floor:
        raise AccountingWindowTooLong("the window is longer than six years", years=6)
    return Window(start, end)


@dataclass(frozen=True, slots=True)
class PatientHeading:
    """Who the accounting is about: printed inside the document only, never in a name or log."""

    patient_id: uuid.UUID
    mrn: str
    family_name: str
    given_name: str
    birth_date: date


@dataclass(frozen=True, slots=True)
class Accounting:
    patient: PatientHeading
    window: Window
    include_exempt: bool
    generated_at: datetime
    lines: tuple[ledger.AccountingLine, ...]


async def account_for_patient(
    session: AsyncSession,
    patient_id: uuid.UUID,
    *,
    since: date | None,
    until: date | None,
    include_exempt: bool,
    clock: Clock,
) -> Accounting:
    """The accounting of disclosures of one patient over a window (AOD-01..03)."""
    window = accounting_period(today(clock), since, until)
    patient = await session.get(Patient, patient_id)
    if patient is None:
        raise UnknownPatient("no such patient")
    lines = await ledger.accounting_for_patient(
        session, patient_id, window.since, window.until, include_exempt=include_exempt
    )
    heading = PatientHeading(
        patient.id, patient.mrn, patient.family_name, patient.given_name, patient.birth_date
    )
    return Accounting(heading, window, include_exempt, clock.now(), tuple(lines))


async def ledger_of_release(
    sessions: async_sessionmaker[AsyncSession], release_id: uuid.UUID
) -> ledger.Trail:
    """The ledger entries of one release, each marked with whether the chain verifies up to it.

    Uses short sessions of its own (verification reads in pages, and SQLite's ``BEGIN
    IMMEDIATE`` would make a long request transaction block them)."""
    async with sessions() as session:
        found = await session.scalar(select(Release.id).where(Release.id == release_id))
    if found is None:
        raise UnknownRelease("no such release")
    return await ledger.release_trail(sessions, release_id)
