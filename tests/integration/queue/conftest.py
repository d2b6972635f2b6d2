"""The approval queue over HTTP: staff as (user, bearer token) pairs; rows seeded directly."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import ledger
from gateway.auth.rules import Role
from gateway.ledger.models import LedgerEntry
from gateway.releases.models import Release
from kernel.clock import FixedClock
from tests.fixtures.auth import (
    TestUser,
    auth_app,
    clock,
    http,
    make_token,
    make_user,
    session_maker,
)

__all__ = ["auth_app", "clock", "http"]
QUEUE = "/api/v1/queue"
T = TypeVar("T")


@dataclass
class Person:
    """A staff member (or requester) acting through an integration token they created."""

    user: TestUser
    token: str
    client: AsyncTestClient[Litestar]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def get(self, url: str, **params: Any) -> httpx.Response:
        return await self.client.get(url, params=params, headers=self.headers)

    async def post(self, url: str, body: Any) -> httpx.Response:
        return await self.client.post(url, json=body, headers=self.headers)

    async def act(self, release: Release, action: str, **body: Any) -> httpx.Response:
        body.setdefault("row_version", release.row_version)
        return await self.post(f"{QUEUE}/{release.id}/{action}", body)


class World:
    """The app, its clock, and a way to seed and read rows in committed transactions."""

    def __init__(self, app: Litestar, clock: FixedClock, client: AsyncTestClient[Litestar]) -> None:
        self.app, self.clock, self.client = app, clock, client

    async def person(self, role: Role = Role.SPECIALIST) -> Person:
        user = await make_user(self.app, self.clock, role=role)
        if role in {Role.ADMIN, Role.SPECIALIST}:
            token = await make_token(self.app, self.clock, user, role)
        else:
            admin = await make_user(self.app, self.clock, role=Role.ADMIN)
            token = await make_token(self.app, self.clock, admin, role)
        return Person(user, token, self.client)

    async def run(self, work: Callable[[AsyncSession], Coroutine[Any, Any, T]]) -> T:
        async with session_maker(self.app)() as session, session.begin():
            return await work(session)

    async def release(self, release_id: Any) -> Release:
        async def read(session: AsyncSession) -> Release:
            found = await session.get(Release, release_id)
            assert found is not None
            return found

        return await self.run(read)

    async def events(self, release_id: Any) -> list[str]:
        async def read(session: AsyncSession) -> list[str]:
            query = (
                select(LedgerEntry.event_type)
                .where(LedgerEntry.release_id == release_id)
                .order_by(LedgerEntry.seq)
            )
            return list((await session.scalars(query)).all())

        return await self.run(read)

    async def ledger_ok(self) -> bool:
        async def check(session: AsyncSession) -> bool:
            return (await ledger.verify(session)).ok

        return await self.run(check)


@pytest.fixture
def world(auth_app: Litestar, clock: FixedClock, http: AsyncTestClient[Litestar]) -> World:
    return World(auth_app, clock, http)
