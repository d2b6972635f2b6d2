"""The accounting of disclosures for a patient (45 CFR 164.528) as a query over the ledger:
non-exempt disclosures of that patient, in the six-year window, with the AOD-01 fields."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ledger import accounting_for_patient, accounting_window, append
from tests.builders.ledger import clock, disclosed, new_entry

pytestmark = [pytest.mark.db, pytest.mark.anyio]

REQUESTED_ON = date(2026, 11, 27)


async def test_AOD_01_the_accounting_lists_each_disclosure_with_its_required_fields(
    db_session: AsyncSession,
) -> None:
    patient = uuid4()
    entry = disclosed(patient, disclosed_on=date(2026, 3, 4))
    row = await append(db_session, entry, clock=clock())
    lines = await accounting_for_patient(db_session, patient, None, REQUESTED_ON)
    assert len(lines) == 1
    line = lines[0]
    assert entry.disclosure is not None
    assert (line.seq, line.release_id, line.disclosed_on) == (
        row.seq,
        row.release_id,
        date(2026, 3, 4),
    )
    assert line.recipient_name == entry.disclosure.recipient_name
    assert line.recipient_address == entry.disclosure.recipient_address
    assert line.description == entry.disclosure.description
    assert line.purpose == entry.disclosure.purpose


async def test_AOD_01_an_unknown_address_is_shown_as_unknown(db_session: AsyncSession) -> None:
    patient = uuid4()
    entry = disclosed(patient, recipient_address=None, address_unknown=True)
    await append(db_session, entry, clock=clock())
    [line] = await accounting_for_patient(db_session, patient, None, REQUESTED_ON)
    assert (line.recipient_address, line.address_unknown) == (None, True)


async def test_AOD_02_exempt_disclosures_and_other_events_are_left_out(
    db_session: AsyncSession,
) -> None:
    patient = uuid4()
    await append(db_session, disclosed(patient, accounting_exempt=True), clock=clock())
    await append(db_session, new_entry(patient_id=patient), clock=clock())
    await append(db_session, disclosed(uuid4()), clock=clock())
    kept = await append(db_session, disclosed(patient), clock=clock())
    lines = await accounting_for_patient(db_session, patient, None, REQUESTED_ON)
    assert [line.seq for line in lines] == [kept.seq]


async def test_the_window_is_at_most_six_years_and_ordered_by_date(
    db_session: AsyncSession,
) -> None:
    patient = uuid4()
    days = [date(2020, 11, 26), date(2020, 11, 27), date(2024, 1, 5), date(2022, 6, 1)]
    for day in days:
        await append(db_session, disclosed(patient, disclosed_on=day), clock=clock())
    lines = await accounting_for_patient(db_session, patient, date(2010, 1, 1), REQUESTED_ON)
    assert [line.disclosed_on for line in lines] == [
        date(2020, 11, 27),
        date(2022, 6, 1),
        date(2024, 1, 5),
    ]
    shorter = await accounting_for_patient(db_session, patient, date(2023, 1, 1), REQUESTED_ON)
    assert [line.disclosed_on for line in shorter] == [date(2024, 1, 5)]


def test_six_years_before_29_february_is_28_february() -> None:
    assert accounting_window(date(2028, 2, 29)) == (date(2022, 2, 28), date(2028, 2, 29))


async def test_AOD_02_asked_for_exempt_disclosures_are_listed_and_flagged(
    db_session: AsyncSession,
) -> None:
    patient = uuid4()
    exempt = await append(db_session, disclosed(patient, accounting_exempt=True), clock=clock())
    kept = await append(db_session, disclosed(patient), clock=clock())
    await append(db_session, new_entry(patient_id=patient), clock=clock())
    lines = await accounting_for_patient(
        db_session, patient, None, REQUESTED_ON, include_exempt=True
    )
    assert [(line.seq, line.accounting_exempt) for line in lines] == [
        (exempt.seq, True),
        (kept.seq, False),
    ]
