"""Passwords, TOTP codes, integration tokens, session ids and CSRF tokens."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from gateway.auth import tokens, totp
from gateway.auth.errors import WeakPassword
from gateway.auth.passwords import Passwords, check_policy, one_time_password

AT = datetime(2026, 11, 27, 10, 0, 5, tzinfo=UTC)
PASSWORDS = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def test_a_password_verifies_against_its_argon2id_hash_only() -> None:
    hashed = PASSWORDS.hash("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert PASSWORDS.verify(hashed, "correct horse battery")
    assert not PASSWORDS.verify(hashed, "correct horse batterY")


def test_a_missing_account_never_verifies_whatever_the_password() -> None:
    assert not PASSWORDS.verify(None, "")
    assert not PASSWORDS.verify(None, "anything at all")


def test_an_overlong_password_is_refused_before_hashing() -> None:
    hashed = PASSWORDS.hash("x" * 128)
    assert not PASSWORDS.verify(hashed, "x" * 129)


def test_the_password_policy_wants_12_to_128_characters_and_a_change() -> None:
    check_policy("twelve chars", current="old password")
    for bad in ("short", "x" * 129):
        with pytest.raises(WeakPassword):
            check_policy(bad, current="old password")
    with pytest.raises(WeakPassword):
        check_policy("same password here", current="same password here")


def test_one_time_passwords_are_random_and_long() -> None:
    assert len({one_time_password() for _ in range(50)}) == 50
    assert len(one_time_password()) >= 20


def test_a_totp_code_matches_its_step_and_one_step_of_drift() -> None:
    secret = totp.new_secret()
    now_step = int(AT.timestamp()) // 30
    code = totp.current_code(secret, AT)
    assert totp.matching_step(secret, code, at=AT, after=None) == now_step
    earlier = totp.current_code(secret, AT - timedelta(seconds=30))
    assert totp.matching_step(secret, earlier, at=AT, after=None) == now_step - 1
    much_earlier = totp.current_code(secret, AT - timedelta(seconds=90))
    assert totp.matching_step(secret, much_earlier, at=AT, after=None) is None


def test_a_totp_code_of_a_step_already_used_is_refused() -> None:
    secret = totp.new_secret()
    code = totp.current_code(secret, AT)
    step = totp.matching_step(secret, code, at=AT, after=None)
    assert step is not None
    assert totp.matching_step(secret, code, at=AT, after=step) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", " 123456"])
def test_malformed_totp_codes_match_nothing(code: str) -> None:
    assert totp.matching_step(totp.new_secret(), code, at=AT, after=None) is None


def test_the_provisioning_uri_names_the_issuer_and_carries_the_secret() -> None:
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, "a@example.test")
    assert uri.startswith("otpauth://totp/ROI%20Gateway:")
    assert f"secret={secret}" in uri


def test_integration_tokens_are_roi_prefixed_256_bit_and_digested_with_sha256() -> None:
    token = tokens.new_integration_token()
    assert token.startswith("roi_")
    assert len(token) == 4 + 43
    assert tokens.digest(token) == hashlib.sha256(token.encode()).hexdigest()
    assert tokens.looks_like_integration_token(token)
    assert not tokens.looks_like_integration_token("roi_" + "x" * 200)
    assert not tokens.looks_like_integration_token("Bearer " + token)


def test_the_csrf_token_is_bound_to_its_session() -> None:
    one, two = tokens.new_session_secret(), tokens.new_session_secret()
    assert tokens.csrf_matches(one, tokens.csrf_token(one))
    assert not tokens.csrf_matches(two, tokens.csrf_token(one))
    assert not tokens.csrf_matches(one, None)
    assert not tokens.csrf_matches(one, "")
