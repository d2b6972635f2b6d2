"""What a verified token says, and what an issued token is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from gateway.access_tokens.policy import Purpose

ClaimValue = str | int | bool


@dataclass(frozen=True, slots=True)
class Claims:
    """The checked claims of a token. ``extra`` holds the caller's own claims, as issued."""

    purpose: Purpose
    kid: str
    issuer: str
    subject: str
    audience: str
    token_id: str  # the ``jti``
    issued_at: datetime
    not_before: datetime
    expires_at: datetime
    extra: Mapping[str, ClaimValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str = field(repr=False)  # a bearer secret: never logged, never in a repr
    claims: Claims
