"""Access tokens: signed, expiring, purpose-bound JWTs (HS256) for delivery links and link codes.

The only package that uses python-jose (in ``signing.py``; an import-linter contract holds it).
See docs/decisions/0003-access-tokens.md. Every refusal is one ``TokenRejected`` with one message.
"""

from __future__ import annotations

from gateway.access_tokens import keyfile
from gateway.access_tokens.build import build_access_tokens, build_key_source, key_file_path
from gateway.access_tokens.claims import Claims, ClaimValue, IssuedToken
from gateway.access_tokens.errors import (
    REJECTED_MESSAGE,
    AccessTokenError,
    InvalidTokenRequest,
    KeyringInvalid,
    RejectReason,
    TokenRejected,
)
from gateway.access_tokens.keyfile import KeyFile
from gateway.access_tokens.keyring import Keyring, SigningKey
from gateway.access_tokens.policy import (
    DEFAULT_LIFETIME,
    LEEWAY,
    MAX_LIFETIME,
    MAX_TOKEN_BYTES,
    RETIRED_KEY_GRACE,
    Purpose,
)
from gateway.access_tokens.service import AccessTokens, KeySource, StaticKeys

__all__ = [
    "DEFAULT_LIFETIME",
    "LEEWAY",
    "MAX_LIFETIME",
    "MAX_TOKEN_BYTES",
    "REJECTED_MESSAGE",
    "RETIRED_KEY_GRACE",
    "AccessTokenError",
    "AccessTokens",
    "ClaimValue",
    "Claims",
    "InvalidTokenRequest",
    "IssuedToken",
    "KeyFile",
    "KeySource",
    "Keyring",
    "KeyringInvalid",
    "Purpose",
    "RejectReason",
    "SigningKey",
    "StaticKeys",
    "TokenRejected",
    "build_access_tokens",
    "build_key_source",
    "key_file_path",
    "keyfile",
]
