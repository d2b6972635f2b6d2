"""SECURITY attack 9 and R42 on record upload: S3 (moto behind a switchable loopback proxy)
goes dark. The upload answers 503 BLOB_STORE_UNAVAILABLE within the end-to-end budget and
leaves nothing half-written (no record row without its blob, no ledger entry, the ledger
verifies); when S3 comes back the same upload succeeds without a restart."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import ledger
from gateway.settings import (
    PdfAssembleLaneSettings,
    PdfLaneSettings,
    PdfSettings,
    S3Settings,
    Settings,
)
from tests.fixtures.auth import clock, session_maker
from tests.fixtures.faults import FaultServer, Switch, fault_server
from tests.integration.patients.support import (
    UPLOAD_LIMIT_MB,
    Api,
    fixture_pdf,
    records_app,
    staff,
    stored,
)

__all__ = ["clock", "fault_server", "records_app", "staff"]
pytestmark = [pytest.mark.db, pytest.mark.timeout(180)]
END_TO_END_BUDGET_S = 15.0


@pytest.fixture
def switch(s3_settings: S3Settings) -> Switch:
    return Switch(str(s3_settings.endpoint_url))


@pytest.fixture
def records_settings(
    fresh_settings: Settings, s3_settings: S3Settings, fault_server: object, switch: Switch
) -> Settings:
    proxy: FaultServer = fault_server(switch.behaviour)  # type: ignore[operator]
    s3 = s3_settings.model_copy(
        update={"endpoint_url": proxy.url, "connect_timeout_s": 1.0, "read_timeout_s": 2.0}
    )
    pdf = PdfSettings(
        check=PdfLaneSettings(workers=1),
        assemble=PdfAssembleLaneSettings(workers=1),
        eager_start=False,
    )
    return fresh_settings.model_copy(
        update={"pdf": pdf, "max_upload_mb": UPLOAD_LIMIT_MB, "blob_backend": "s3", "s3": s3}
    )


async def test_attack9_an_upload_to_a_dark_s3_is_a_503_and_leaves_nothing(
    staff: Api, switch: Switch
) -> None:
    patient_id = await staff.patient()
    app = staff.client.app
    before = await stored(app)  # type: ignore[arg-type]

    switch.down = True
    started = time.monotonic()
    failed = await staff.upload(patient_id, fixture_pdf())
    took = time.monotonic() - started
    assert took < END_TO_END_BUDGET_S, took
    assert failed.status_code == 503, failed.text[:300]
    assert failed.json()["code"] == "BLOB_STORE_UNAVAILABLE"
    after = await stored(app)  # type: ignore[arg-type]
    assert (after.records, after.ledger) == (before.records, before.ledger)

    switch.down = False
    again = await staff.upload(patient_id, fixture_pdf())
    assert again.status_code == 201, again.text[:300]
    assert (await stored(app)).records == before.records + 1  # type: ignore[arg-type]
    async with session_maker(app)() as session:  # type: ignore[arg-type]
        assert isinstance(session, AsyncSession)
        assert (await ledger.verify(session)).ok
