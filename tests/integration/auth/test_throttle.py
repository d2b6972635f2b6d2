"""R17 and attack 4 (brute force), time-boxed: 200 guesses here; the 10 000-guess run belongs
in a benchmark script. Per account and per client address, exponential backoff, generic
errors, and the legitimate user signs in once the window has passed (frozen clock)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.fixtures.auth import LOGIN, make_user, next_code, sign_in

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]
GUESSES = 200


async def test_R17_two_hundred_password_guesses_get_no_success_and_engage_429(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    victim = await make_user(auth_app, clock, role=Role.ADMIN)
    code = next_code(victim, clock)  # even with the right TOTP code at hand
    statuses: Counter[int] = Counter()
    for guess in range(GUESSES):
        body = {"email": victim.email, "password": f"guess-{guess:05d}", "code": code}
        statuses[(await http.post(LOGIN, json=body)).status_code] += 1
    assert statuses[200] == 0
    assert statuses[401] == 10  # the account limit; every later guess is refused unchecked
    assert statuses[429] == GUESSES - 10
    locked = await sign_in(http, victim, clock, code=code)
    assert locked.status_code == 429  # even the right password, while the lock lasts
    assert locked.json()["code"] == "THROTTLED"
    assert 0 < int(locked.headers["retry-after"]) <= 30
    clock.advance(timedelta(minutes=1))
    assert (await sign_in(http, victim, clock)).status_code == 200


async def test_R17_the_lock_grows_exponentially_with_further_failures(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    victim = await make_user(auth_app, clock)
    wrong = {"email": victim.email, "password": "wrong password", "code": "000000"}
    waits = []
    for _ in range(3):
        response = await http.post(LOGIN, json=wrong)
        while response.status_code != 429:
            response = await http.post(LOGIN, json=wrong)
        waits.append(response.json()["data"]["retry_after_s"])
        clock.advance(timedelta(seconds=waits[-1] + 1))
    assert waits[1] > waits[0]
    assert waits[2] > waits[1]


async def test_R17_guesses_spread_over_many_accounts_lock_the_client_address(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    statuses: Counter[int] = Counter()
    for guess in range(60):
        body = {"email": f"user{guess}@example.test", "password": "Winter2026!", "code": "123456"}
        statuses[(await http.post(LOGIN, json=body)).status_code] += 1
    assert statuses[200] == 0
    assert statuses[429] == 10  # after 50 failures from one address
    assert (await sign_in(http, user, clock)).status_code == 429
    clock.advance(timedelta(minutes=1))
    assert (await sign_in(http, user, clock)).status_code == 200


async def test_R17_refusals_never_say_whether_the_account_exists(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    answers = set()
    for email in (user.email, "nobody@example.test"):
        for _ in range(11):
            response = await http.post(
                LOGIN, json={"email": email, "password": "wrong password", "code": "123456"}
            )
            answers.add((response.status_code, response.text))
    assert len(answers) == 2  # one generic 401 body, one generic 429 body; both alike per account
