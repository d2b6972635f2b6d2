"""The registry service on the real database: upload, findings, status, amend, terminate,
retention, may_receive (BA-01 codes), the compliance view and the expiring list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import BaaClause, BaaStatus, VendorFunction
from kernel.clock import FixedClock
from tests.builders.vendors import (
    ADMIN,
    NOW,
    TODAY,
    baa_terms,
    create_baa,
    create_vendor,
    pdf_document,
    vendor_service,
)
from vendors import (
    BaaDocumentRejected,
    BaaRetained,
    BaaSuperseded,
    BaaTerminated,
    BaaTermsInvalid,
    VendorNameTaken,
    may_receive,
)
from vendors.models import BaaVersion

pytestmark = pytest.mark.db


async def test_a_vendor_name_is_registered_once(db_session: AsyncSession) -> None:
    service = vendor_service(db_session)
    await create_vendor(service, name="Twice Copy (synthetic)")
    with pytest.raises(VendorNameTaken):
        await create_vendor(service, name="Twice Copy (synthetic)")


async def test_upload_stores_the_document_before_the_row_with_its_digest(
    db_session: AsyncSession,
) -> None:
    service = vendor_service(db_session)
    vendor = await create_vendor(service)
    view = await create_baa(service, vendor)
    stored = await service.blobs.stat(view.row.document_key)
    assert stored.sha256 == view.row.document_sha256
    assert view.row.document_key.startswith("baas/")
    assert view.status is BaaStatus.ACTIVE
    assert view.row.findings == []
    assert view.row.created_by == ADMIN


async def test_BA_02_a_baa_missing_a_clause_is_incomplete_with_a_stored_finding_naming_it(
    db_session: AsyncSession,
) -> None:
    service = vendor_service(db_session)
    vendor = await create_vendor(service)
    view = await create_baa(service, vendor, missing=frozenset({BaaClause.HHS_ACCESS}))
    assert view.status is BaaStatus.INCOMPLETE
    codes = [(f["code"], f["rule_id"]) for f in view.row.findings]
    assert codes == [("BAA_INCOMPLETE:hhs_access", "BA-02")]
    decision = await may_receive(db_session, vendor.id, VendorFunction.COPY, TODAY)
    assert not decision.allowed
    assert "BAA_INCOMPLETE:hhs_access" in decision.codes


async def test_a_baa_ending_before_it_starts_is_refused(db_session: AsyncSession) -> None:
    with pytest.raises(BaaTermsInvalid):
        baa_terms(effective_on=TODAY, ends_on=TODAY - timedelta(days=1))


async def test_a_bad_document_stores_nothing(db_session: AsyncSession) -> None:
    service = vendor_service(db_session)
    vendor = await create_vendor(service)
    with pytest.raises(BaaDocumentRejected):
        await service.upload_baa(vendor.id, baa_terms(), pdf_document(b"GIF89a"), by=ADMIN)
    assert await db_session.scalar(select(func.count()).select_from(BaaVersion)) == 0
    assert service.blobs._entries == {}  # type: ignore[attr-defined]


class TestMayReceiveBA01:
    async def test_BA_01_a_vendor_without_a_baa_gets_BAA_MISSING(
        self, db_session: AsyncSession
    ) -> None:
        vendor = await create_vendor(vendor_service(db_session))
        decision = await may_receive(db_session, vendor.id, VendorFunction.COPY, TODAY)
        assert (decision.allowed, decision.codes) == (False, ("BAA_MISSING",))

    async def test_BA_01_an_active_baa_covering_the_function_allows(
        self, db_session: AsyncSession
    ) -> None:
        service = vendor_service(db_session)
        vendor = await create_vendor(service)
        await create_baa(service, vendor)
        decision = await may_receive(db_session, vendor.id, VendorFunction.COPY, TODAY)
        assert decision.allowed
        assert decision.findings == ()

    async def test_BA_01_before_the_effective_date_gives_BAA_NOT_YET_EFFECTIVE(
        self, db_session: AsyncSession
    ) -> None:
        service = vendor_service(db_session)
        vendor = await create_vendor(service)
        await create_baa(service, vendor, effective_on=TODAY + timedelta(days=1))
        decision = await may_receive(db_session, vendor.id, VendorFunction.COPY, TODAY)
        assert decision.codes == ("BAA_NOT_YET_EFFECTIVE",)

    async def test_BA_01_after_the_end_date_gives_BAA_EXPIRED(
        self, db_session: AsyncSession
    ) -> None:
        service = vendor_service(db_session)
        vendor = await create_vendor(service)
        view = await create_baa(service, vendor, ends_on=TODAY + timedelta(days=10))
        on_end = await may_receive(
            db_session, vendor.id, VendorFunction.COPY, TODAY + timedelta(days=10)
        )
        after = await may_receive(
            db_session, vendor.id, VendorFunction.COPY, TODAY + timedelta(days=11)
        )
        assert on_end.allowed
        assert after.codes == ("BAA_EXPIRED",)
        assert view.status is BaaStatus.EXPIRING

    async def test_BA_01_a_terminated_baa_blocks_from_its_termination_date(
        self, db_session: AsyncSession
    ) -> None:
        service = vendor_service(db_session)
        vendor = await create_vendor(service)
        view = await create_baa(service, vendor)
        ended = await service.terminate_baa(
            view.id, terminated_on=TODAY, reason="vendor breach (synthetic)", by=ADMIN
        )
        assert ended.status is BaaStatus.TERMINATED
        day_before = await may_receive(
            db_session, vendor.id, VendorFunction.COPY, TODAY - timedelta(days=1)
        )
        today = await may_receive(db_session, vendor.id, VendorFunction.COPY, TODAY)
        assert day_before.allowed
        assert today.codes == ("BAA_TERMINATED",)

    async def test_BA_01_a_function_the_baa_does_not_cover_gives_BAA_FUNCTION_NOT_COVERED(
        self, db_session: AsyncSession
    ) -> None:
        service = vendor_service(db_session)
        vendor = await create_vendor(service)
        await create_baa(service, vendor)
        decision = await may_receive(db_session, vendor.id, VendorFunction.SCANNING, TODAY)
        assert decision.codes == ("BAA_FUNCTION_NOT_COVERED",)
        assert decision.findings[0].subject == "scanning"

    async def test_BA_01_a_current_agreement_allows_beside_an_expired_one(
        self, db_session: AsyncSession
    ) -> None:
        service = vendor_service(db_session)
        vendor = await create_vendor(service)
        await create_baa(
            service,
            vendor,
            effective_on=TODAY - timedelta(days=800),
            ends_on=TODAY - timedelta(days=400),
        )
        await create_baa(service, vendor)
        assert (await may_receive(db_session, vendor.id, VendorFunction.COPY, TODAY)).allowed


class TestAmendAndTerminate:
    async def test_an_amendment_is_a_new_version_and_the_old_one_is_kept(
        self, db_session: AsyncSession
    ) -> None:
        service = vendor_service(db_session)
        vendor = await create_vendor(service)
        first = await create_baa(service, vendor, missing=frozenset({BaaClause.TERMINATION}))
        amended = await service.amend_baa(first.id, baa_terms(), pdf_document(), by=ADMIN)
        assert (amended.row.version, amended.row.agreement_id) == (2, first.row.agreement_id)
        assert amended.status is BaaStatus.ACTIVE
        assert [v.id for v in amended.history] == [first.id, amended.id]
        old = await service.get_baa(first.id)
        assert old.row.clauses == first.row.clauses
        assert old.status is BaaStatus.INCOMPLETE
        assert not old.is_current
        assert (await may_receive(db_session, vendor.id, VendorFunction.COPY, TODAY)).allowed

    async def test_only_the_newest_version_can_be_amended(self, db_session: AsyncSession) -> None:
        service = vendor_service(db_session)
        vendor = await create_vendor(service)
        first = await create_baa(service, vendor)
        await service.amend_baa(first.id, baa_terms(), pdf_document(), by=ADMIN)
        with pytest.raises(BaaSuperseded):
            await service.amend_baa(first.id, baa_terms(), pdf_document(), by=ADMIN)

    async def test_a_terminated_agreement_cannot_be_amended_or_terminated_again(
        self, db_session: AsyncSession
    ) -> None:
        service = vendor_service(db_session)
        vendor = await create_vendor(service)
        view = await create_baa(service, vendor)
        await service.terminate_baa(view.id, terminated_on=TODAY, reason="ended", by=ADMIN)
        with pytest.raises(BaaTerminated):
            await service.amend_baa(view.id, baa_terms(), pdf_document(), by=ADMIN)
        with pytest.raises(BaaTerminated):
            await service.terminate_baa(view.id, terminated_on=TODAY, reason="again", by=ADMIN)
        kept = await service.get_baa(view.id)
        assert kept.termination is not None
        assert kept.termination.reason == "ended"


async def test_RET_01_deleting_a_baa_is_refused_and_names_the_retention_date(
    db_session: AsyncSession,
) -> None:
    service = vendor_service(db_session)
    vendor = await create_vendor(service)
    view = await create_baa(service, vendor, ends_on=TODAY + timedelta(days=100))
    with pytest.raises(BaaRetained) as caught:
        await service.delete_baa(view.id)
    assert (
        caught.value.data["retain_until"]
        == (TODAY + timedelta(days=100)).replace(year=2033).isoformat()
    )
    assert caught.value.data["codes"] == ["RETENTION_NOT_ELAPSED"]
    assert await service.get_baa(view.id)


async def test_the_compliance_view_says_for_every_vendor_whether_and_why_not(
    db_session: AsyncSession,
) -> None:
    service = vendor_service(db_session)
    good = await create_vendor(service, name="A Good Copy (synthetic)")
    await create_baa(service, good)
    bare = await create_vendor(
        service, name="B Bare Scan (synthetic)", kind=VendorFunction.SCANNING
    )
    rows = {row.vendor.name: row for row in await service.compliance()}
    assert rows[good.name].decision.allowed
    assert rows[good.name].baa is not None
    assert rows[bare.name].decision.codes == ("BAA_MISSING",)
    assert rows[bare.name].baa is None


async def test_expiring_lists_only_complete_untermined_baas_ending_in_the_window(
    db_session: AsyncSession,
) -> None:
    service = vendor_service(db_session, FixedClock(NOW))
    soon = await create_vendor(service, name="Soon Copy (synthetic)")
    await create_baa(service, soon, ends_on=TODAY + timedelta(days=20))
    later = await create_vendor(service, name="Later Copy (synthetic)")
    await create_baa(service, later, ends_on=TODAY + timedelta(days=90))
    partial = await create_vendor(service, name="Partial Copy (synthetic)")
    await create_baa(
        service,
        partial,
        ends_on=TODAY + timedelta(days=5),
        missing=frozenset({BaaClause.REPORTING}),
    )
    ended = await create_vendor(service, name="Ended Copy (synthetic)")
    view = await create_baa(service, ended, ends_on=TODAY + timedelta(days=5))
    await service.terminate_baa(view.id, terminated_on=TODAY, reason="ended", by=ADMIN)
    found = await service.expiring(TODAY, 30)
    assert [(e.vendor_name, e.ends_on) for e in found] == [
        ("Soon Copy (synthetic)", TODAY + timedelta(days=20))
    ]


async def test_RET_01_the_database_refuses_to_change_or_delete_a_baa_version(
    db_session: AsyncSession,
) -> None:
    service = vendor_service(db_session)
    vendor = await create_vendor(service)
    view = await create_baa(service, vendor)
    for statement in (
        update(BaaVersion).where(BaaVersion.id == view.id).values(ends_on=None),
        delete(BaaVersion).where(BaaVersion.id == view.id),
    ):
        with pytest.raises(DBAPIError, match="RET-01"):
            async with db_session.begin_nested():
                await db_session.execute(statement)
