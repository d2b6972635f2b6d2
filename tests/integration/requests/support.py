"""Callers with integration tokens (one per role; a requester in an organisation of its own)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from gateway import ledger
from gateway.auth.rules import Role
from gateway.releases.models import Release
from gateway.settings import Settings
from kernel.clock import FixedClock
from tests.builders.requests import multipart
from tests.fixtures.auth import TestUser, make_token, make_user, session_maker

Client = AsyncTestClient[Litestar]
REQUESTS = "/api/v1/requests"
WORK_ORDERS = "/api/v1/work-orders"


@dataclass
class Caller:
    client: Client
    token: str | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def submit(
        self, body: dict[str, Any] | str, key: str | None = None, **upload: Any
    ) -> httpx.Response:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        return await self.client.post(REQUESTS, headers=headers, **multipart(body, **upload))

    async def work_order(self, body: dict[str, Any], key: str | None = None) -> httpx.Response:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        return await self.client.post(WORK_ORDERS, json=body, headers=headers)

    async def get(self, url: str, **params: Any) -> httpx.Response:
        return await self.client.get(url, headers=self.headers, params=params or None)

    async def post(self, url: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(url, json=body, headers=self.headers)


async def admin_user(app: Litestar, clock: FixedClock) -> TestUser:
    return await make_user(app, clock, role=Role.ADMIN)


async def caller(app: Litestar, clock: FixedClock, client: Client, role: Role) -> Caller:
    """A caller of ``role``; each requester is in a new organisation of its own."""
    admin = await admin_user(app, clock)
    return Caller(client, await make_token(app, clock, admin, role))


async def release_count(app: Litestar) -> int:
    async with session_maker(app)() as session:
        return int(await session.scalar(select(func.count()).select_from(Release)) or 0)


async def ledger_verifies(app: Litestar) -> ledger.Verification:
    async with session_maker(app)() as session, session.begin():
        return await ledger.verify(session)


def codes(findings: list[dict[str, Any]]) -> list[str]:
    return [f["code"] for f in findings]


def evidence_files(settings: Settings) -> list[Path]:
    """The evidence blobs on disk (the local blob store of the test settings)."""
    root = settings.data_dir / "blobs" / "evidence"
    return (
        [p for p in root.rglob("*") if p.is_file() and p.suffix != ".json"] if root.exists() else []
    )
