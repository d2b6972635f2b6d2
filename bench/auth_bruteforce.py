"""Attack 4 (brute force) against the sign-in endpoint, in process, on a throwaway SQLite database:
N password guesses (default 10 000) at one account with the right TOTP code at hand.

Pass: 0 successes, 429s engaged, the legitimate user signs in once the lock has passed.

    .venv/bin/python bench/auth_bruteforce.py [--guesses 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from litestar.testing import AsyncTestClient

from gateway.app import create_app
from gateway.auth import create_user, totp
from gateway.auth.guards import AUTH_STATE
from gateway.migrations import runner
from gateway.settings import Settings
from kernel.clock import FixedClock

LOGIN = "/api/v1/auth/login"


async def attack(data_dir: Path, guesses: int) -> None:
    settings = Settings(data_dir=data_dir)
    clock = FixedClock(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app, base_url="https://testserver.local") as client:
        async with app.state[AUTH_STATE].session_maker() as session, session.begin():
            new = await create_user(session, email="victim@example.test", role="admin")
        secret, email = new.user.totp_secret, new.user.email
        code = totp.current_code(secret, clock.now())
        statuses: Counter[int] = Counter()
        started = time.perf_counter()
        for guess in range(guesses):
            body = {"email": email, "password": f"guess-{guess:06d}", "code": code}
            statuses[(await client.post(LOGIN, json=body)).status_code] += 1
        elapsed = time.perf_counter() - started
        clock.advance(timedelta(minutes=16))
        code = totp.current_code(secret, clock.now())
        body = {"email": email, "password": new.one_time_password, "code": code}
        legit = (await client.post(LOGIN, json=body)).status_code
    await app.state.db_engine.dispose()
    counts = {int(status): n for status, n in statuses.items()}
    print(f"guesses={guesses} statuses={counts} successes={statuses[200]}")
    print(f"elapsed_s={elapsed:.1f} per_guess_ms={elapsed / guesses * 1000:.2f}")
    print(f"legitimate_sign_in_after_lock={legit}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--guesses", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runner.upgrade(Settings(data_dir=Path(tmp)))
        asyncio.run(attack(Path(tmp), args.guesses))


if __name__ == "__main__":
    main()
