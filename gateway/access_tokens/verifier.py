"""Parsing and checking a presented token, step by step; every failure is a ``TokenRejected``.

Order: size (before anything is parsed), shape (three canonical base64url segments), header
(exactly ``alg``, ``typ``, ``kid``; HS256; this purpose's ``typ``), then the caller looks up the
key and checks the signature, then the claims (all seven present, typed, and valid now).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gateway.access_tokens.claims import Claims, ClaimValue
from gateway.access_tokens.errors import RejectReason, TokenRejected
from gateway.access_tokens.keyring import KID
from gateway.access_tokens.policy import (
    ALGORITHM,
    ALLOWED_HEADER,
    LEEWAY,
    MAX_LIFETIME,
    MAX_TOKEN_BYTES,
    REQUIRED_CLAIMS,
    Purpose,
    token_type,
)

SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
MAX_TEXT_CLAIM = 256
MAX_TIMESTAMP = 253_402_300_799  # 9999-12-31T23:59:59Z
TIME_CLAIMS = ("iat", "nbf", "exp")


def reject(reason: RejectReason, detail: str | None = None) -> TokenRejected:
    return TokenRejected(reason, detail)


def split(token: object) -> tuple[str, str, str]:
    """Size first, then shape: three non-empty base64url segments, nothing else."""
    if not isinstance(token, str):
        raise reject(RejectReason.NOT_A_STRING)
    if len(token) > MAX_TOKEN_BYTES:  # characters >= bytes only for ASCII; checked next
        raise reject(RejectReason.OVERSIZE)
    if not token.isascii():
        raise reject(RejectReason.MALFORMED)
    parts = token.split(".")
    if len(parts) != 3 or not all(SEGMENT.fullmatch(part) for part in parts):  # noqa: PLR2004
        raise reject(RejectReason.MALFORMED)
    return parts[0], parts[1], parts[2]


def decode_segment(segment: str) -> bytes:
    """base64url without padding, canonical only: unused trailing bits must be zero, or one
    token would have several spellings (and a flipped bit could go unnoticed)."""
    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise reject(RejectReason.MALFORMED) from None
    if base64.urlsafe_b64encode(data).decode().rstrip("=") != segment:
        raise reject(RejectReason.MALFORMED)
    return data


def json_object(data: bytes) -> dict[str, Any]:
    """A JSON object, strictly: UTF-8, no duplicate names, no NaN or Infinity."""
    try:
        value = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constants,
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise reject(RejectReason.MALFORMED) from None
    if not isinstance(value, dict):
        raise reject(RejectReason.MALFORMED)
    return value


def check_header(header: Mapping[str, Any], purpose: Purpose) -> str:
    """The header's ``kid`` once ``{alg, typ, kid}`` are exactly the members and right."""
    for name in ("alg", "typ", "kid"):
        if name not in header:
            raise reject(RejectReason.HEADER_FIELD, name)
    if set(header) != ALLOWED_HEADER:  # crit, jku, x5u, jwk, x5c, zip, b64, ...
        raise reject(RejectReason.HEADER_FIELD, "unexpected")
    if header["alg"] != ALGORITHM:
        raise reject(RejectReason.ALGORITHM)
    if header["typ"] != token_type(purpose):
        raise reject(RejectReason.TYPE)
    kid = header["kid"]
    if not isinstance(kid, str) or not KID.fullmatch(kid):
        raise reject(RejectReason.UNKNOWN_KEY)
    return kid


def check_claims(
    payload: Mapping[str, Any],
    *,
    purpose: Purpose,
    kid: str,
    issuer: str,
    audience: str,
    now: datetime,
) -> Claims:
    for name in REQUIRED_CLAIMS:
        if name not in payload:
            raise reject(RejectReason.MISSING_CLAIM, name)
    texts = {name: _text(payload, name) for name in ("iss", "sub", "aud", "jti")}
    iat, nbf, exp = (_timestamp(payload, name) for name in TIME_CLAIMS)
    if texts["iss"] != issuer:
        raise reject(RejectReason.ISSUER)
    if texts["aud"] != audience:
        raise reject(RejectReason.AUDIENCE)
    _check_times(iat, nbf, exp, now.timestamp())
    return Claims(
        purpose=purpose,
        kid=kid,
        issuer=texts["iss"],
        subject=texts["sub"],
        audience=texts["aud"],
        token_id=texts["jti"],
        issued_at=datetime.fromtimestamp(iat, UTC),
        not_before=datetime.fromtimestamp(nbf, UTC),
        expires_at=datetime.fromtimestamp(exp, UTC),
        extra=_extra(payload),
    )


def check_still_valid(claims: Claims, now: datetime) -> None:
    """The time checks of :func:`check_claims` again, for claims verified earlier."""
    _check_times(
        int(claims.issued_at.timestamp()),
        int(claims.not_before.timestamp()),
        int(claims.expires_at.timestamp()),
        now.timestamp(),
    )


def _check_times(iat: int, nbf: int, exp: int, now: float) -> None:
    leeway = LEEWAY.total_seconds()
    if not iat <= nbf < exp:
        raise reject(RejectReason.INVALID_CLAIM, "nbf")
    if exp - iat > MAX_LIFETIME.total_seconds():
        raise reject(RejectReason.LIFETIME)
    if iat > now + leeway:
        raise reject(RejectReason.ISSUED_IN_FUTURE)
    if nbf > now + leeway:
        raise reject(RejectReason.NOT_YET_VALID)
    if now >= exp + leeway:
        raise reject(RejectReason.EXPIRED)


def _text(payload: Mapping[str, Any], name: str) -> str:
    value = payload[name]
    if not isinstance(value, str) or not 0 < len(value) <= MAX_TEXT_CLAIM:
        raise reject(RejectReason.INVALID_CLAIM, name)
    return value


def _timestamp(payload: Mapping[str, Any], name: str) -> int:
    value = payload[name]
    if type(value) is not int or not 0 < value <= MAX_TIMESTAMP:  # not bool, not float
        raise reject(RejectReason.INVALID_CLAIM, name)
    return value


def _extra(payload: Mapping[str, Any]) -> dict[str, ClaimValue]:
    extra = {k: v for k, v in payload.items() if k not in REQUIRED_CLAIMS}
    for value in extra.values():
        if not isinstance(value, str | int):  # bool is an int; floats, lists, objects are not
            raise reject(RejectReason.INVALID_CLAIM, "extra")
    return extra


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate member")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(name)
