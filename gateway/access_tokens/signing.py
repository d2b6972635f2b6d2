"""The one module of the code base that imports python-jose (an import-linter contract holds it).

It only signs and checks signatures, always with HS256 and a ``Key`` object built from our own
256-bit secret: python-jose never chooses the algorithm, never parses a key from the token and
never sees a token we have not already parsed and checked ourselves (``verifier.py``). Claims are
checked by us, against our clock: python-jose 3.5.0's claim checks read the system clock and
accept tokens without ``exp`` or ``aud``.
"""

from __future__ import annotations

from jose import jwk, jws
from jose.backends.cryptography_backend import CryptographyHMACKey
from jose.exceptions import JOSEError

from gateway.access_tokens.policy import ALGORITHM


def assert_cryptography_backend() -> None:
    """python-jose falls back to a pure-Python HMAC when ``cryptography`` is missing: refuse to
    run on it (SECURITY.md R37)."""
    if jwk.get_key(ALGORITHM) is not CryptographyHMACKey:
        msg = "python-jose is not using the cryptography backend"
        raise RuntimeError(msg)


def sign(payload: bytes, *, secret: bytes, kid: str, typ: str) -> str:
    """A compact JWS over ``payload`` with the header ``{alg: HS256, kid, typ}``."""
    key = jwk.construct(secret, ALGORITHM)
    return jws.sign(payload, key, headers={"kid": kid, "typ": typ}, algorithm=ALGORITHM)


def signature_valid(token: str, *, secret: bytes) -> bool:
    """Whether ``token``'s HS256 signature is ``secret``'s (constant-time compare inside)."""
    key = jwk.construct(secret, ALGORITHM)
    try:
        jws.verify(token, key, algorithms=[ALGORITHM])
    except JOSEError:
        return False
    return True
