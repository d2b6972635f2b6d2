"""``issue``: what it puts in a token, and what it refuses to put there."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.access_tokens import InvalidTokenRequest, Purpose
from tests.unit.gateway.access_tokens.forge import AUDIENCE, SUBJECT, Rig, unb64


def test_issue_returns_the_claims_verify_will_return(rig: Rig) -> None:
    issued = rig.tokens.issue(
        Purpose.DOWNLOAD_LINK,
        subject=SUBJECT,
        audience=AUDIENCE,
        lifetime=timedelta(hours=2),
        token_id="link-42",
        extra_claims={"packet": "pv-9", "uses": 3, "bound": True},
    )
    claims = rig.verify(issued.token)
    assert claims == issued.claims
    assert claims.token_id == "link-42"
    assert dict(claims.extra) == {"packet": "pv-9", "uses": 3, "bound": True}
    assert claims.expires_at == rig.clock.now() + timedelta(hours=2)


def test_the_header_is_exactly_alg_typ_and_kid(rig: Rig) -> None:
    issued = rig.tokens.issue(Purpose.LINK_CODE, subject=SUBJECT, audience=AUDIENCE)
    header = unb64(issued.token.split(".")[0])
    kid = rig.keyring.active(Purpose.LINK_CODE).kid
    assert header == f'{{"alg":"HS256","kid":"{kid}","typ":"roi-link_code+jwt"}}'.encode()


def test_token_ids_default_to_128_random_bits(rig: Rig) -> None:
    ids = {
        rig.tokens.issue(Purpose.DOWNLOAD_LINK, subject=SUBJECT, audience=AUDIENCE).claims.token_id
        for _ in range(100)
    }
    assert len(ids) == 100
    assert all(len(unb64(token_id)) == 16 for token_id in ids)


def test_the_token_is_not_in_the_repr(rig: Rig) -> None:
    issued = rig.tokens.issue(Purpose.DOWNLOAD_LINK, subject=SUBJECT, audience=AUDIENCE)
    assert issued.token not in repr(issued)
    assert issued.token.split(".")[2] not in repr(issued)


@pytest.mark.parametrize(
    "extra",
    [
        {"exp": 1},
        {"aud": "x"},
        {"jti": "x"},
        {"kid": "x"},
        {"Upper": 1},
        {"": 1},
        {"x" * 40: 1},
        {"price": 1.5},
        {"list": [1]},
        {"long": "x" * 300},
    ],
)
def test_issue_refuses_a_reserved_or_odd_extra_claim(rig: Rig, extra: dict[str, object]) -> None:
    with pytest.raises(InvalidTokenRequest):
        rig.tokens.issue(
            Purpose.DOWNLOAD_LINK,
            subject=SUBJECT,
            audience=AUDIENCE,
            extra_claims=extra,  # type: ignore[arg-type]
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Jane Doe"),  # ids only: claims are readable by anyone with the token
        ("subject", ""),
        ("audience", "jane@example.test/x"),
        ("audience", "x" * 257),
        ("token_id", "a b"),
    ],
)
def test_issue_refuses_a_subject_audience_or_token_id_that_is_not_an_id(
    rig: Rig, field: str, value: str
) -> None:
    arguments = {"subject": SUBJECT, "audience": AUDIENCE, field: value}
    with pytest.raises(InvalidTokenRequest):
        rig.tokens.issue(Purpose.DOWNLOAD_LINK, **arguments)  # type: ignore[arg-type]


def test_issue_refuses_a_token_the_verifier_would_refuse_as_oversize(rig: Rig) -> None:
    many = {f"c{i}": "x" * 250 for i in range(8)}
    with pytest.raises(InvalidTokenRequest):
        rig.tokens.issue(
            Purpose.DOWNLOAD_LINK, subject=SUBJECT, audience=AUDIENCE, extra_claims=many
        )
