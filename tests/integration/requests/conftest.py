from __future__ import annotations

import pytest
from litestar import Litestar

from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.fixtures.auth import auth_app, clock, http
from tests.integration.requests.support import Caller, Client, caller

__all__ = ["attorney", "auth_app", "clock", "http", "specialist"]


@pytest.fixture
async def attorney(auth_app: Litestar, clock: FixedClock, http: Client) -> Caller:
    """An attorney's integration token, in an organisation of its own."""
    return await caller(auth_app, clock, http, Role.ATTORNEY)


@pytest.fixture
async def specialist(auth_app: Litestar, clock: FixedClock, http: Client) -> Caller:
    return await caller(auth_app, clock, http, Role.SPECIALIST)
