"""Errors of the access-token module.

Every refusal of a presented token is one :class:`TokenRejected` with one fixed message: a caller
(and through it an HTTP client) cannot tell an expired token from a forged one. Why it was refused
is in the typed ``reason`` attribute (and ``detail``, a name from our own vocabulary: a claim or
header we require), for tests and metrics only; neither is ever part of the message or ``data``.
"""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus

from gateway.errors import register
from kernel.errors import DomainError

REJECTED_MESSAGE = "access token rejected"


class AccessTokenError(DomainError):
    """Base of every access-token error."""

    code = "ACCESS_TOKEN_ERROR"


class RejectReason(StrEnum):
    """Why a presented token was refused (internal: tests and metrics, never a response)."""

    NOT_A_STRING = "not_a_string"
    OVERSIZE = "oversize"
    MALFORMED = "malformed"
    HEADER_FIELD = "header_field"  # a header member outside {alg, typ, kid}, or one missing
    ALGORITHM = "algorithm"
    TYPE = "type"
    UNKNOWN_KEY = "unknown_key"
    KEY_RETIRED = "key_retired"
    SIGNATURE = "signature"
    MISSING_CLAIM = "missing_claim"
    INVALID_CLAIM = "invalid_claim"
    ISSUER = "issuer"
    AUDIENCE = "audience"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    ISSUED_IN_FUTURE = "issued_in_future"
    LIFETIME = "lifetime"
    UNEXPECTED = "unexpected"  # a bug in the verifier: refused (fail closed) and logged


class TokenRejected(AccessTokenError):
    """A presented token is not acceptable. The message is the same for every reason."""

    code = "TOKEN_REJECTED"

    def __init__(self, reason: RejectReason, detail: str | None = None) -> None:
        super().__init__(REJECTED_MESSAGE)
        self.reason = reason
        self.detail = detail

    def __repr__(self) -> str:
        return f"TokenRejected(reason={self.reason.value!r}, detail={self.detail!r})"


class InvalidTokenRequest(AccessTokenError):
    """The caller asked to issue a token we would not issue (lifetime past the maximum, a
    reserved claim name, an oversize result). A programming error, not a client's."""

    code = "TOKEN_REQUEST_INVALID"


class KeyringInvalid(AccessTokenError):
    """The keyring (file or setting) is unreadable, unsafe or inconsistent. ``data['problem']``
    is a fixed phrase; key material is never part of it."""

    code = "TOKEN_KEYRING_INVALID"


# A rejected token: the link layer answers with one plain refusal whatever the reason.
register(TokenRejected, HTTPStatus.FORBIDDEN)
register(InvalidTokenRequest, HTTPStatus.INTERNAL_SERVER_ERROR)
register(KeyringInvalid, HTTPStatus.SERVICE_UNAVAILABLE)
