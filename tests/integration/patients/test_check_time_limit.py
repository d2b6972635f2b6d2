"""A file whose check runs past the lane's time limit is refused (``PDF_TOO_COMPLEX``), nothing is
stored, and the killed worker is replaced. The limit here is 1 ms and the file a 400-page one whose
check takes about 250 ms: a reply that arrives within the limit would need the waiting thread to
sleep through all of it (a CI run saw a 1-page file's 4 ms check answer before its waiter woke)."""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from litestar import Litestar
from reportlab.pdfgen import canvas

from gateway.auth.rules import Role
from gateway.settings import PdfAssembleLaneSettings, PdfLaneSettings, PdfSettings, Settings
from kernel.clock import FixedClock
from tests.fixtures.auth import build_app
from tests.integration.patients.support import Api, client_as, stored

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]


@pytest.fixture
async def hasty_app(records_settings: Settings, clock: FixedClock) -> AsyncIterator[Litestar]:
    pdf = PdfSettings(
        check=PdfLaneSettings(workers=1, time_limit_s=0.001),
        assemble=PdfAssembleLaneSettings(workers=1),
        eager_start=False,
    )
    app = build_app(records_settings.model_copy(update={"pdf": pdf}), clock)
    yield app
    await app.state.db_engine.dispose()


async def test_a_check_past_its_time_limit_is_refused_and_its_worker_replaced(
    hasty_app: Litestar, clock: FixedClock
) -> None:
    async for staff in client_as(hasty_app, clock, Role.SPECIALIST):
        await _check(staff, hasty_app)


async def _check(staff: Api, app: Litestar) -> None:
    patient_id = await staff.patient()
    pool = app.state.services.pdf_pool
    await pool.start()
    killed = set(pool.worker_pids("check"))
    before = await stored(app)
    response = await staff.upload(patient_id, _long_pdf())
    assert (response.status_code, response.json()["code"]) == (422, "PDF_TOO_COMPLEX")
    assert await stored(app) == before
    replaced = await _replacement(pool, killed)
    assert replaced
    assert not replaced & killed
    again = await staff.upload(patient_id, _long_pdf())
    assert again.json()["code"] == "PDF_TOO_COMPLEX"  # the new worker answered (and was killed)
    assert await stored(app) == before


def _long_pdf(pages: int = 400) -> bytes:
    """A synthetic text PDF long enough that checking it takes far longer than the limit."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for page in range(pages):
        for line in range(40):
            pdf.drawString(40, 800 - line * 18, f"Synthetic note, page {page}, line {line}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


async def _replacement(pool: Any, killed: set[int]) -> set[int]:
    """The lane's workers once a replacement is up (spawning is slow on a loaded machine)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = set(pool.worker_pids("check"))
        if pids and not pids & killed:
            return pids
        await anyio.sleep(0.2)
    return set()
