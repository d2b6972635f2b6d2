"""Schemathesis against the live OpenAPI document, as an admin integration token, with a capped
number of examples: the server never answers 5xx (issue 2's quality gate)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update

from gateway.auth import Principal, Via, create_token, create_user
from gateway.auth.models import User
from gateway.db import build_engine, build_session_maker
from gateway.settings import Settings
from kernel.clock import SystemClock
from tests.fixtures.app import start_gateway

pytestmark = [pytest.mark.db, pytest.mark.slow]
MAX_EXAMPLES = "15"
MIN_OPERATIONS = 10


async def _admin_token(settings: Settings) -> str:
    engine = build_engine(settings)
    clock = SystemClock()
    try:
        async with build_session_maker(engine)() as session, session.begin():
            new = await create_user(
                session, email="fuzz-admin@example.test", role="admin", clock=clock
            )
            await session.execute(
                update(User).where(User.id == new.user.id).values(must_change_password=False)
            )
            actor = Principal(Via.SESSION, new.user.id, new.user.role, None)  # type: ignore[arg-type]
            token = await create_token(
                session, actor, name="schemathesis", role="admin", organisation_id=None, clock=clock
            )
        return token.token
    finally:
        await engine.dispose()


def test_no_server_errors_under_schemathesis(fresh_settings: Settings, tmp_path: Path) -> None:
    token = asyncio.run(_admin_token(fresh_settings))
    gateway = start_gateway(fresh_settings, tmp_path / "gateway.log")
    try:
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "st"), "run",
                f"{gateway.url}/schema/openapi.json",
                "--header", f"Authorization: Bearer {token}",
                "--checks", "not_a_server_error",
                "--max-examples", MAX_EXAMPLES,
                "--seed", "20261127",
                "--request-timeout", "20",
            ],
            capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
    finally:
        gateway.process.terminate()
        gateway.process.wait(timeout=20)
    assert result.returncode == 0, result.stdout[-4000:]
    selected = re.search(r"Operations:\s+(\d+) selected", result.stdout)
    fuzzed = re.search(r"Fuzzing.*?(\d+) passed", result.stdout, flags=re.S)
    assert selected is not None, result.stdout[-3000:]
    assert fuzzed is not None, result.stdout[-3000:]
    assert int(selected.group(1)) >= MIN_OPERATIONS  # the run really exercised the API
    assert int(fuzzed.group(1)) == int(selected.group(1))
    assert token not in gateway.text()
