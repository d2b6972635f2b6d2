"""What python-jose 3.5.0 alone accepts (SECURITY.md's measured facts), next to our refusal of
the same token. If an upgrade changes python-jose's side, these show it; ours must not change.

The only test module that imports jose: it witnesses the library, not our code."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt

from gateway.access_tokens import RejectReason
from kernel.clock import FixedClock
from tests.unit.gateway.access_tokens.conftest import refused
from tests.unit.gateway.access_tokens.forge import AUDIENCE, Rig


@pytest.fixture
def rig() -> Rig:
    """On the real time: python-jose checks `exp` against the system clock (so it cannot be
    tested on a frozen one, one more reason the claims are checked by us)."""
    return Rig.build(clock=FixedClock(datetime.now(UTC)))


def _jose_accepts(token: str, key: Any, **kwargs: Any) -> bool:
    jwt.decode(token, key, **kwargs)  # raises if refused
    return True


@pytest.mark.parametrize("claim", ["exp", "aud"])
def test_python_jose_accepts_a_missing_claim_we_refuse(rig: Rig, claim: str) -> None:
    token = rig.forge(payload=rig.payload(**{claim: None}))
    assert _jose_accepts(token, rig.secret, algorithms=["HS256"], audience=AUDIENCE)
    assert refused(rig, token).reason is RejectReason.MISSING_CLAIM


def test_python_jose_ignores_kid_and_crit_we_refuse_them(rig: Rig) -> None:
    unknown_kid = rig.forge(header=rig.header(kid="not-in-our-keyring"))
    assert _jose_accepts(unknown_kid, rig.secret, algorithms=["HS256"], audience=AUDIENCE)
    assert refused(rig, unknown_kid).reason is RejectReason.UNKNOWN_KEY
    crit = rig.forge(header=rig.header(crit=["urn:unknown"]))
    assert _jose_accepts(crit, rig.secret, algorithms=["HS256"], audience=AUDIENCE)
    assert refused(rig, crit).reason is RejectReason.HEADER_FIELD


def test_python_jose_has_no_size_limit_we_do(rig: Rig) -> None:
    big = rig.forge(payload=rig.payload(pad="x" * 50_000))
    assert _jose_accepts(big, rig.secret, algorithms=["HS256"], audience=AUDIENCE)
    assert refused(rig, big).reason is RejectReason.OVERSIZE


def test_python_jose_with_algorithms_none_accepts_hs256_keyed_by_a_der_public_key(
    rig: Rig,
) -> None:
    """CVE-2024-33663's shape: the verifier holds an RSA public key (as DER) and lets the token
    pick the algorithm; the attacker signs HS256 with the public key's bytes."""
    public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = rig.forge(key=der)
    assert _jose_accepts(token, der, algorithms=None, audience=AUDIENCE)
    assert refused(rig, token).reason is RejectReason.SIGNATURE
