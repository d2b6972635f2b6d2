"""The verified-token memory of ``AccessTokens``: a token verified once is not checked in full
again (its signature is not recomputed), but every check that can change since, the time, the
key's presence, retirement and secret, still refuses it; and nothing but a valid token's exact
text, purpose and audience is remembered."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from gateway.access_tokens import (
    LEEWAY,
    RETIRED_KEY_GRACE,
    AccessTokens,
    Keyring,
    KeySource,
    Purpose,
    RejectReason,
    TokenRejected,
    signing,
)
from gateway.access_tokens.service import VERIFIED_CACHE_SIZE
from tests.unit.gateway.access_tokens.conftest import refused
from tests.unit.gateway.access_tokens.forge import AUDIENCE, SUBJECT, Rig


class SwitchableKeys:
    """A key source whose keyring the test replaces (a rotated or edited key file)."""

    def __init__(self, keyring: Keyring) -> None:
        self.current = keyring

    def keyring(self) -> Keyring:
        return self.current


@pytest.fixture
def signatures(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every signature check, in order."""
    checked: list[str] = []
    real = signing.signature_valid

    def counting(token: str, *, secret: bytes) -> bool:
        checked.append(token)
        return real(token, secret=secret)

    monkeypatch.setattr(signing, "signature_valid", counting)
    return checked


def _rig_with(keys: KeySource, rig: Rig) -> Rig:
    return replace(rig, tokens=AccessTokens(keys, clock=rig.clock))


def _issue(rig: Rig, lifetime: timedelta = timedelta(hours=1)) -> str:
    return rig.tokens.issue(
        Purpose.DOWNLOAD_LINK, subject=SUBJECT, audience=AUDIENCE, lifetime=lifetime
    ).token


def test_a_token_verified_again_is_not_checked_in_full(rig: Rig, signatures: list[str]) -> None:
    token = _issue(rig)
    first = rig.verify(token)
    assert rig.verify(token) == first
    assert rig.verify(token) == first
    assert len(signatures) == 1


def test_a_remembered_token_is_refused_once_expired(rig: Rig, signatures: list[str]) -> None:
    token = _issue(rig)
    rig.verify(token)
    rig.clock.advance(timedelta(hours=1) + LEEWAY)
    assert refused(rig, token).reason is RejectReason.EXPIRED
    assert refused(rig, token).reason is RejectReason.EXPIRED
    assert len(signatures) == 2  # forgotten on expiry: the second refusal checked in full


def test_another_audience_or_purpose_is_not_served_from_memory(rig: Rig) -> None:
    token = _issue(rig)
    rig.verify(token)
    assert refused(rig, token, audience="someone-else").reason is RejectReason.AUDIENCE
    with pytest.raises(TokenRejected) as caught:
        rig.tokens.verify(Purpose.LINK_CODE, token, audience=AUDIENCE)
    assert caught.value.reason is RejectReason.TYPE


def test_a_changed_text_is_checked_in_full(rig: Rig, signatures: list[str]) -> None:
    token = _issue(rig)
    rig.verify(token)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert refused(rig, flipped).reason is RejectReason.SIGNATURE
    assert len(signatures) == 2
    assert rig.verify(token).subject == SUBJECT  # the valid one is still remembered
    assert len(signatures) == 2


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"kid": "other-kid-0001"}, RejectReason.UNKNOWN_KEY),  # the key left the keyring
        ({"secret": bytes(32)}, RejectReason.SIGNATURE),  # another secret under the same kid
    ],
    ids=["removed", "replaced-under-same-kid"],
)
def test_a_key_removed_or_replaced_refuses_its_remembered_tokens(
    rig: Rig, change: dict[str, object], reason: RejectReason
) -> None:
    keys = SwitchableKeys(rig.keyring)
    rig = _rig_with(keys, rig)
    token = _issue(rig)
    rig.verify(token)
    active = rig.keyring.active(Purpose.DOWNLOAD_LINK)
    others = tuple(key for key in rig.keyring.keys if key is not active)
    keys.current = Keyring((*others, replace(active, **change)))  # type: ignore[arg-type]
    assert refused(rig, token).reason is reason


def test_a_key_retired_past_its_grace_refuses_its_remembered_tokens(rig: Rig) -> None:
    keys = SwitchableKeys(rig.keyring)
    rig = _rig_with(keys, rig)
    token = _issue(rig, timedelta(days=7))
    rig.verify(token)
    keys.current = rig.keyring.rotated(rig.clock.now())
    rig.clock.advance(timedelta(hours=1))
    assert rig.verify(token).subject == SUBJECT  # retired, within its grace
    rig.clock.advance(RETIRED_KEY_GRACE)
    assert refused(rig, token).reason is RejectReason.KEY_RETIRED


def test_the_memory_is_bounded(rig: Rig, signatures: list[str]) -> None:
    tokens = [_issue(rig) for _ in range(VERIFIED_CACHE_SIZE + 1)]
    for token in tokens:
        rig.verify(token)
    assert len(signatures) == VERIFIED_CACHE_SIZE + 1
    rig.verify(tokens[-1])  # the newest is remembered
    assert len(signatures) == VERIFIED_CACHE_SIZE + 1
    rig.verify(tokens[0])  # the oldest was dropped: checked in full again
    assert len(signatures) == VERIFIED_CACHE_SIZE + 2
