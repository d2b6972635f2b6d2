"""The engine's check of an upload may take seconds: no database transaction of the upload is
open meanwhile, so another writer is not blocked (SQLite opens every transaction with
``BEGIN IMMEDIATE``: a read left open would hold the write lock for the whole check)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import text

from tests.fixtures.auth import session_maker
from tests.integration.patients.support import Api, fixture_pdf, stored

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]


async def test_another_writer_gets_the_database_while_an_upload_is_checked(
    staff: Api, records_app: Litestar
) -> None:
    patient_id = await staff.patient()
    pool = records_app.state.services.pdf_pool
    real_run = pool.run
    seen: list[tuple[str, float]] = []

    async def run_after_a_write(*args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            async with session_maker(records_app)() as session, session.begin():
                await session.execute(text("SELECT 1"))
            seen.append(("ok", time.monotonic() - started))
        except Exception as exc:  # noqa: BLE001 - the test reports what the writer met
            seen.append((type(exc).__name__, time.monotonic() - started))
        return await real_run(*args, **kwargs)

    pool.run = run_after_a_write
    response = await staff.upload(patient_id, fixture_pdf())
    assert response.status_code == 201, response.text
    [(outcome, waited)] = seen
    assert outcome == "ok"
    assert waited < 2.0
    assert (await stored(records_app)).records == 1
