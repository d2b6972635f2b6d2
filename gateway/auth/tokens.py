"""Opaque secrets: integration tokens (``roi_`` + 256 random bits) and session ids, both stored
only as SHA-256 digests, and the CSRF token derived from a session id."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "roi_"  # noqa: S105 - a public prefix, not a secret
TOKEN_BYTES = 32  # 256 bits
MAX_TOKEN_LENGTH = 128  # anything longer is refused before hashing


def new_integration_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def new_session_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret (no salt or stretching needed at 256 bits)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_integration_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX) and 0 < len(value) <= MAX_TOKEN_LENGTH


def csrf_token(session_secret: str) -> str:
    """Synchronizer token bound to the session: an HMAC keyed by the session secret, which only
    the holder of the (HttpOnly) cookie knows; a new session id gives a new CSRF token."""
    return hmac.new(session_secret.encode(), b"roi-csrf-v1", hashlib.sha256).hexdigest()


def csrf_matches(session_secret: str, presented: str | None) -> bool:
    if not presented:
        return False
    return hmac.compare_digest(csrf_token(session_secret), presented)
