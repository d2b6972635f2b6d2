"""One bit flipped anywhere in a real token, and random junk: always refused, never a crash
(attack 1: "1-bit mutations, 0 accepted, 0 5xx")."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.access_tokens import AccessTokens, Claims, Purpose, RejectReason, TokenRejected
from tests.unit.gateway.access_tokens.conftest import refused
from tests.unit.gateway.access_tokens.forge import AUDIENCE, SUBJECT, Rig, b64, unb64

# Under load one example can take longer than hypothesis's default 200 ms deadline.
examples = settings(max_examples=150, deadline=None)


def _issued(rig: Rig) -> str:
    return rig.tokens.issue(
        Purpose.DOWNLOAD_LINK, subject=SUBJECT, audience=AUDIENCE, extra_claims={"uses": 1}
    ).token


def _flip_char(token: str, index: int, bit: int) -> str:
    return token[:index] + chr(ord(token[index]) ^ (1 << bit)) + token[index + 1 :]


def _flip_decoded(token: str, segment: int, index: int, bit: int) -> str:
    parts = token.split(".")
    data = bytearray(unb64(parts[segment]))
    data[index] ^= 1 << bit
    parts[segment] = b64(bytes(data))
    return ".".join(parts)


def test_every_single_bit_flip_of_the_token_text_is_refused(rig: Rig) -> None:
    token = _issued(rig)
    assert rig.verify(token).subject == SUBJECT
    reasons = set()
    for index in range(len(token)):
        for bit in range(8):
            reasons.add(refused(rig, _flip_char(token, index, bit)).reason)
    assert RejectReason.SIGNATURE in reasons
    assert RejectReason.MALFORMED in reasons


@pytest.mark.parametrize(("segment", "name"), [(0, "header"), (1, "payload"), (2, "signature")])
def test_every_single_bit_flip_of_a_decoded_segment_is_refused(
    rig: Rig, segment: int, name: str
) -> None:
    token = _issued(rig)
    length = len(unb64(token.split(".")[segment]))
    for index in range(length):
        for bit in range(8):
            flipped = _flip_decoded(token, segment, index, bit)
            assert flipped != token, name
            refused(rig, flipped)


@examples
@given(text=st.text(max_size=400))
def test_random_text_is_refused_without_a_crash(text: str) -> None:
    refused(Rig.build(), text)


@examples
@given(data=st.data())
def test_random_edits_of_a_real_token_are_refused_without_a_crash(data: st.DataObject) -> None:
    rig = Rig.build()
    token = _issued(rig)
    start = data.draw(st.integers(0, len(token) - 1))
    end = data.draw(st.integers(start, min(len(token), start + 8)))
    insert = data.draw(st.text(alphabet="AZaz09-_.=+/ \x00é", max_size=6))
    edited = token[:start] + insert + token[end:]
    if edited == token:
        return
    refused(rig, edited)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@examples
@given(name=st.sampled_from(["iss", "sub", "aud", "jti", "iat", "nbf", "exp"]), value=json_values)
def test_a_correctly_signed_token_with_any_claim_value_is_checked_not_crashed(
    name: str, value: Any
) -> None:
    """Signed with the real key, so only the claim checks stand between it and acceptance."""
    rig = Rig.build()
    payload = rig.payload()
    payload[name] = value
    token = rig.forge(payload=payload)
    outcome: Claims | TokenRejected
    try:
        outcome = rig.verify(token)
    except TokenRejected as error:
        outcome = error
    if isinstance(outcome, TokenRejected):
        assert outcome.reason is not RejectReason.UNEXPECTED
        return
    assert type(value) in {str, int}  # never a bool, float, list, object or null
    if name in {"iss", "aud"}:
        assert value == rig.payload()[name]


@examples
@given(extra=st.dictionaries(st.text(max_size=6), json_values, max_size=4))
def test_a_correctly_signed_header_with_extra_members_is_refused(extra: dict[str, Any]) -> None:
    rig = Rig.build()
    header = {**extra, **rig.header()}
    token = rig.forge(header=header)
    if set(header) == {"alg", "typ", "kid"}:
        assert rig.verify(token).subject == SUBJECT
    else:
        # A member JSON cannot carry (NaN, Infinity) makes the header malformed instead.
        allowed = {RejectReason.HEADER_FIELD, RejectReason.MALFORMED, RejectReason.OVERSIZE}
        assert refused(rig, token).reason in allowed


def test_a_verifier_bug_is_a_refusal_not_a_crash(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail closed: an unexpected exception inside becomes the same plain refusal."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(AccessTokens, "_verify", broken)
    with pytest.raises(TokenRejected) as caught:
        rig.verify(_issued(rig))
    assert caught.value.reason is RejectReason.UNEXPECTED
    assert str(caught.value) == "access token rejected"
    assert caught.value.__cause__ is None
