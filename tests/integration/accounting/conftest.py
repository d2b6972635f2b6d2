from __future__ import annotations

import pytest
from litestar import Litestar

from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.fixtures.auth import auth_app, clock, http, make_token, make_user

__all__ = ["auth_app", "clock", "http", "staff"]


@pytest.fixture
async def staff(auth_app: Litestar, clock: FixedClock) -> dict[str, str]:
    """Headers of a specialist's integration token (made by an admin)."""
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    return {"Authorization": f"Bearer {await make_token(auth_app, clock, admin, Role.SPECIALIST)}"}
