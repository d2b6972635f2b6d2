from __future__ import annotations

from tests.fixtures.auth import auth_app, clock, http

__all__ = ["auth_app", "clock", "http"]
