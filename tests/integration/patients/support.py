"""Fixtures and helpers for the patients and records API: an app with one PDF worker per lane and
a 2 MiB upload limit, signed-in clients, and counters of what is stored (rows, blobs, ledger)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from gateway.auth.rules import Role
from gateway.ledger.models import LedgerEntry
from gateway.releases.models import Patient, SourceRecord
from gateway.settings import PdfAssembleLaneSettings, PdfLaneSettings, PdfSettings, Settings
from kernel.clock import FixedClock
from tests.fixtures.auth import BASE_URL, build_app, make_user, session_maker, signed_in

Client = AsyncTestClient[Litestar]
PDFS = Path(__file__).resolve().parents[2] / "fixtures" / "pdfs"
PATIENTS = "/api/v1/patients"
UPLOAD_LIMIT_MB = 2
# reportlab_ttf.pdf (tests/fixtures/pdfs/manifest.json): its MRN and date of birth.
FIXTURE_MRN = "00482917"


def fixture_pdf(name: str = "reportlab_ttf.pdf") -> bytes:
    return (PDFS / name).read_bytes()


def patient_json(mrn: str = FIXTURE_MRN, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "mrn": mrn,
        "family_name": "Okonkwo-Halvorsen",
        "given_name": "Amara",
        "birth_date": "1961-03-14",
        "identifiers": [
            {"kind": "ssn", "value": "412-55-0193"},
            {"kind": "phone", "value": "(617) 555-0142"},
        ],
    }
    return {**body, **overrides}


class Api:
    """A signed-in client: unsafe calls carry the session's CSRF token."""

    def __init__(self, client: Client, csrf: str) -> None:
        self.client, self.csrf = client, csrf

    async def post(self, url: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(url, json=body, headers={"X-CSRF-Token": self.csrf})

    async def patient(self, mrn: str = FIXTURE_MRN, **overrides: Any) -> str:
        response = await self.post(PATIENTS, patient_json(mrn, **overrides))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def upload(
        self,
        patient_id: str,
        data: bytes,
        *,
        content_type: str = "application/pdf",
        filename: str = "record.pdf",
        document_type: str = "clinical_note",
        service_date: str = "2026-02-09",
        labels: str = "",
    ) -> httpx.Response:
        return await self.client.post(
            f"{PATIENTS}/{patient_id}/records",
            files={"file": (filename, data, content_type)},
            data={"document_type": document_type, "service_date": service_date, "labels": labels},
            headers={"X-CSRF-Token": self.csrf},
        )


@dataclass(frozen=True)
class Stored:
    patients: int
    records: int
    ledger: int
    blobs: int


async def stored(app: Litestar) -> Stored:
    """What the app has stored: rows, ledger entries and blob files (sidecars not counted)."""
    async with session_maker(app)() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(table))
            for table in (Patient, SourceRecord, LedgerEntry)
        ]
    root = app.state.settings.data_dir / "blobs"
    blobs = [p for p in root.rglob("*") if p.is_file() and p.suffix != ".json"]
    blobs = [p for p in blobs if not p.name.startswith(".")]
    return Stored(*(int(c or 0) for c in counts), len(blobs))


@pytest.fixture
def records_settings(fresh_settings: Settings) -> Settings:
    pdf = PdfSettings(
        check=PdfLaneSettings(workers=1),
        assemble=PdfAssembleLaneSettings(workers=1),
        eager_start=False,
    )
    return fresh_settings.model_copy(update={"pdf": pdf, "max_upload_mb": UPLOAD_LIMIT_MB})


@pytest.fixture
async def records_app(records_settings: Settings, clock: FixedClock) -> AsyncIterator[Litestar]:
    app = build_app(records_settings, clock)
    yield app
    await app.state.db_engine.dispose()


async def client_as(app: Litestar, clock: FixedClock, role: Role) -> AsyncIterator[Api]:
    async with AsyncTestClient(app, base_url=BASE_URL) as client:  # starts the app first
        user = await make_user(app, clock, role=role)
        yield Api(client, await signed_in(client, user, clock))


@pytest.fixture
async def staff(records_app: Litestar, clock: FixedClock) -> AsyncIterator[Api]:
    """A specialist (the everyday staff role of records work), signed in."""
    async for api in client_as(records_app, clock, Role.SPECIALIST):
        yield api
