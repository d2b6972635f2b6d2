"""The fixed rules of our tokens, in one place (SECURITY.md R1-R7; docs/decisions/0003)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class Purpose(StrEnum):
    """What a token is for. Each purpose has its own keys and its own ``typ`` header, so a token
    made for one purpose is never accepted for another."""

    DOWNLOAD_LINK = "download_link"
    LINK_CODE = "link_code"


ALGORITHM = "HS256"  # the one algorithm we sign and accept (R1)
KEY_BYTES = 32  # 256-bit HMAC keys from the CSPRNG (R7; RFC 7518 §3.2)
MAX_TOKEN_BYTES = 2048  # longer strings are refused before any parsing (R4)
DEFAULT_LIFETIME = timedelta(hours=24)  # R3
MAX_LIFETIME = timedelta(days=7)  # R3: enforced at issue and at verification (exp - iat)
LEEWAY = timedelta(seconds=30)  # R3: clock skew allowed on exp, nbf and iat
# A retired key still verifies the tokens it signed while they can live (R6).
RETIRED_KEY_GRACE = MAX_LIFETIME + LEEWAY
DEFAULT_ISSUER = "roi-gateway"

ALLOWED_HEADER = frozenset(
    {"alg", "typ", "kid"}
)  # anything else (crit, jku, x5u, jwk, ...): refused
REQUIRED_CLAIMS = ("iss", "sub", "aud", "iat", "nbf", "exp", "jti")  # R2


def token_type(purpose: Purpose) -> str:
    """The ``typ`` header of a purpose's tokens (explicit typing, RFC 8725 §3.11)."""
    return f"roi-{purpose.value}+jwt"
