from __future__ import annotations

from tests.fixtures.auth import auth_app, client, clock

__all__ = ["auth_app", "client", "clock"]
