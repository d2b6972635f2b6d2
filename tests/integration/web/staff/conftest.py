"""The staff pages through the test client: staff sign in with a session (password + TOTP);
releases are seeded with ``tests.builders.approval`` as the queue API tests do."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.rules import Role
from gateway.releases.models import Release
from kernel.clock import FixedClock
from tests.builders.approval import create_release
from tests.fixtures.auth import TestUser, auth_app, clock, http, make_user, session_maker, signed_in
from tests.integration.web.pages import Client

__all__ = ["auth_app", "clock", "http"]
T = TypeVar("T")


@dataclass
class Staff:
    app: Litestar
    clock: FixedClock
    client: Client

    async def user(self, role: Role = Role.SPECIALIST) -> TestUser:
        return await make_user(self.app, self.clock, role=role)

    async def sign_in(self, user: TestUser) -> str:
        """A browser session for ``user``; returns its CSRF token."""
        self.client.cookies.clear()
        return await signed_in(self.client, user, self.clock)

    async def run(self, work: Callable[[AsyncSession], Coroutine[Any, Any, T]]) -> T:
        async with session_maker(self.app)() as session, session.begin():
            return await work(session)

    async def release(self, **fields: Any) -> Release:
        async def build(session: AsyncSession) -> Release:
            return await create_release(session, **fields)

        return await self.run(build)

    async def reload(self, release: Release) -> Release:
        async def read(session: AsyncSession) -> Release:
            found = await session.get(Release, release.id)
            assert found is not None
            return found

        return await self.run(read)


@pytest.fixture
def staff(auth_app: Litestar, clock: FixedClock, http: Client) -> Staff:
    return Staff(auth_app, clock, http)
