"""R17: the lock schedule of the sign-in throttle."""

from __future__ import annotations

from datetime import timedelta

from gateway.auth.throttle import ACCOUNT, ADDRESS, ThrottlePolicy, account_key, address_key

POLICY = ThrottlePolicy()


def test_no_lock_below_ten_failures_per_account() -> None:
    assert POLICY.lock_for(ACCOUNT, 9) is None
    assert POLICY.lock_for(ACCOUNT, 10) == timedelta(seconds=30)


def test_the_lock_doubles_with_each_further_failure_up_to_fifteen_minutes() -> None:
    locks = [POLICY.lock_for(ACCOUNT, n) for n in range(10, 20)]
    assert locks[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(lock for lock in locks if lock) == timedelta(minutes=15)
    assert POLICY.lock_for(ACCOUNT, 10_000) == timedelta(minutes=15)


def test_an_address_gets_more_room_than_an_account() -> None:
    assert POLICY.lock_for(ADDRESS, 49) is None
    assert POLICY.lock_for(ADDRESS, 50) == timedelta(seconds=30)


def test_throttle_keys_hold_no_e_mail_address_or_ip() -> None:
    account, address = account_key("a@example.test"), address_key("192.0.2.7")
    assert "example" not in account.key
    assert "192" not in address.key
    assert account.key != address_key("a@example.test").key
