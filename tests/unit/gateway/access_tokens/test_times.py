"""R3 on a frozen clock: default 24 h, at most 7 days (at issue and as `exp - iat`), 30 s leeway
on `exp`, `nbf` and `iat`, and nothing beyond it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.access_tokens import (
    DEFAULT_LIFETIME,
    LEEWAY,
    MAX_LIFETIME,
    InvalidTokenRequest,
    Purpose,
    RejectReason,
)
from tests.unit.gateway.access_tokens.conftest import refused
from tests.unit.gateway.access_tokens.forge import AUDIENCE, SUBJECT, Rig

SECOND = timedelta(seconds=1)


def _issue(rig: Rig, lifetime: timedelta = DEFAULT_LIFETIME) -> str:
    return rig.tokens.issue(
        Purpose.DOWNLOAD_LINK, subject=SUBJECT, audience=AUDIENCE, lifetime=lifetime
    ).token


def test_R3_the_default_lifetime_is_24_hours_and_leeway_30_seconds(rig: Rig) -> None:
    assert timedelta(hours=24) == DEFAULT_LIFETIME
    assert timedelta(seconds=30) == LEEWAY
    claims = rig.verify(_issue(rig))
    assert claims.expires_at - claims.issued_at == timedelta(hours=24)
    assert claims.not_before == claims.issued_at == rig.clock.now()


class TestExpiry:
    def test_R3_valid_until_the_leeway_after_exp(self, rig: Rig) -> None:
        token = _issue(rig, timedelta(hours=1))
        rig.clock.advance(timedelta(hours=1) + LEEWAY - SECOND)
        assert rig.verify(token).subject == SUBJECT

    def test_R3_refused_once_the_leeway_after_exp_has_passed(self, rig: Rig) -> None:
        token = _issue(rig, timedelta(hours=1))
        rig.clock.advance(timedelta(hours=1) + LEEWAY)
        assert refused(rig, token).reason is RejectReason.EXPIRED

    def test_R3_a_seven_day_token_lives_seven_days(self, rig: Rig) -> None:
        token = _issue(rig, MAX_LIFETIME)
        rig.clock.advance(MAX_LIFETIME)
        assert rig.verify(token).subject == SUBJECT
        rig.clock.advance(LEEWAY)
        assert refused(rig, token).reason is RejectReason.EXPIRED


class TestNotYetValid:
    def test_R3_nbf_in_the_future_within_the_leeway_is_accepted(self, rig: Rig) -> None:
        now = int(rig.clock.now().timestamp())
        token = rig.forge(payload=rig.payload(iat=now, nbf=now + 30, exp=now + 3600))
        assert rig.verify(token).subject == SUBJECT

    def test_R3_nbf_past_the_leeway_is_refused(self, rig: Rig) -> None:
        now = int(rig.clock.now().timestamp())
        token = rig.forge(payload=rig.payload(iat=now, nbf=now + 31, exp=now + 3600))
        assert refused(rig, token).reason is RejectReason.NOT_YET_VALID
        rig.clock.advance(SECOND)
        assert rig.verify(token).subject == SUBJECT

    def test_R3_iat_past_the_leeway_is_refused(self, rig: Rig) -> None:
        now = int(rig.clock.now().timestamp())
        token = rig.forge(payload=rig.payload(iat=now + 31, nbf=now + 31, exp=now + 3600))
        assert refused(rig, token).reason is RejectReason.ISSUED_IN_FUTURE

    def test_nbf_before_iat_is_refused(self, rig: Rig) -> None:
        now = int(rig.clock.now().timestamp())
        token = rig.forge(payload=rig.payload(iat=now, nbf=now - 1, exp=now + 3600))
        error = refused(rig, token)
        assert (error.reason, error.detail) == (RejectReason.INVALID_CLAIM, "nbf")

    @pytest.mark.parametrize("exp_offset", [0, -1])
    def test_exp_not_after_nbf_is_refused(self, rig: Rig, exp_offset: int) -> None:
        now = int(rig.clock.now().timestamp())
        token = rig.forge(payload=rig.payload(iat=now, nbf=now, exp=now + exp_offset))
        assert refused(rig, token).reason is RejectReason.INVALID_CLAIM


class TestMaximumLifetime:
    def test_R3_exp_minus_iat_past_seven_days_is_refused_even_if_signed(self, rig: Rig) -> None:
        now = int(rig.clock.now().timestamp())
        seven_days = int(MAX_LIFETIME.total_seconds())
        at_max = rig.forge(payload=rig.payload(iat=now, nbf=now, exp=now + seven_days))
        assert rig.verify(at_max).subject == SUBJECT
        past = rig.forge(payload=rig.payload(iat=now, nbf=now, exp=now + seven_days + 1))
        assert refused(rig, past).reason is RejectReason.LIFETIME

    def test_R3_a_backdated_iat_cannot_stretch_the_lifetime(self, rig: Rig) -> None:
        now = int(rig.clock.now().timestamp())
        token = rig.forge(payload=rig.payload(iat=now - 86_400, nbf=now, exp=now + 7 * 86_400))
        assert refused(rig, token).reason is RejectReason.LIFETIME

    @pytest.mark.parametrize(
        "lifetime",
        [
            MAX_LIFETIME + SECOND,
            timedelta(days=30),
            timedelta(0),
            timedelta(milliseconds=900),
            -SECOND,
        ],
    )
    def test_R3_issue_refuses_a_lifetime_outside_one_second_to_seven_days(
        self, rig: Rig, lifetime: timedelta
    ) -> None:
        with pytest.raises(InvalidTokenRequest):
            _issue(rig, lifetime)

    def test_R3_issue_accepts_exactly_seven_days(self, rig: Rig) -> None:
        claims = rig.verify(_issue(rig, MAX_LIFETIME))
        assert claims.expires_at - claims.issued_at == MAX_LIFETIME
