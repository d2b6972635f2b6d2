"""The re-check seam on the database: the stored authorization dates and the vendor's BAA, and
the move it makes when one fails (approved or in review -> on hold, or denied)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import ledger
from gateway.releases.approval import ApprovalService
from gateway.releases.recheck import recheck
from kernel.clock import FixedClock
from tests.builders.approval import TODAY, authorization, create_release
from tests.builders.vendors import create_baa, create_vendor, vendor_service

pytestmark = pytest.mark.db
STAFF = uuid.uuid4()


def clock_on(days: int) -> FixedClock:
    return FixedClock(datetime(2026, 11, 27, 12, 0, tzinfo=UTC) + timedelta(days=days))


async def test_an_approved_work_order_whose_baa_ended_goes_on_hold(
    db_session: AsyncSession,
) -> None:
    service = vendor_service(db_session)
    vendor = await create_vendor(service)
    await create_baa(service, vendor, ends_on=TODAY + timedelta(days=30))
    release = await create_release(
        db_session, opened_by=STAFF, vendor_id=vendor.id, basis_type="none", state="approved"
    )
    assert await recheck(db_session, release, TODAY) == []
    assert await ApprovalService(db_session, clock=clock_on(0)).enforce_recheck(release, "t") == ()
    assert release.state == "approved"
    later = ApprovalService(db_session, clock=clock_on(31))
    assert await later.enforce_recheck(release, "system:delivery") == ("BAA_EXPIRED",)
    assert release.state == "on_hold"
    assert (await ledger.verify(db_session)).ok


async def test_an_approved_release_whose_authorization_was_revoked_is_denied(
    db_session: AsyncSession,
) -> None:
    basis = authorization(revoked_on=(TODAY + timedelta(days=2)).isoformat())
    release = await create_release(db_session, opened_by=STAFF, basis=basis, state="approved")
    assert await ApprovalService(db_session, clock=clock_on(1)).enforce_recheck(release, "t") == ()
    codes = await ApprovalService(db_session, clock=clock_on(2)).enforce_recheck(release, "t")
    assert (codes, release.state) == (("AUTH_REVOKED",), "denied")


async def test_a_stored_basis_that_no_longer_loads_fails_closed(db_session: AsyncSession) -> None:
    broken = {"type": "authorization", "expiration_date": "someday"}
    release = await create_release(db_session, opened_by=STAFF, basis=broken)
    assert [f.code for f in await recheck(db_session, release, TODAY)] == ["LEGAL_BASIS_MISSING"]
    empty = await create_release(db_session, opened_by=STAFF, basis={})
    assert [f.code for f in await recheck(db_session, empty, TODAY)] == ["LEGAL_BASIS_MISSING"]
