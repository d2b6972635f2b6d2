"""Issue and verify access tokens: the API the rest of the gateway uses.

    tokens = AccessTokens(key_source, clock=clock)
    issued = tokens.issue(Purpose.DOWNLOAD_LINK, subject=link_id, audience=recipient_id)
    claims = tokens.verify(Purpose.DOWNLOAD_LINK, presented, audience=recipient_id)

Claims are signed, not encrypted: anyone holding a token can read them. Put only opaque ids in
``subject``, ``audience`` and extra claims: never a name, an address or anything else of a patient.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Protocol

import structlog

from gateway.access_tokens import signing, verifier
from gateway.access_tokens.claims import Claims, ClaimValue, IssuedToken
from gateway.access_tokens.errors import InvalidTokenRequest, RejectReason, TokenRejected
from gateway.access_tokens.keyring import Keyring
from gateway.access_tokens.policy import (
    DEFAULT_ISSUER,
    DEFAULT_LIFETIME,
    MAX_LIFETIME,
    MAX_TOKEN_BYTES,
    REQUIRED_CLAIMS,
    Purpose,
    token_type,
)
from kernel.clock import Clock

log = structlog.get_logger()
EXTRA_CLAIM_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
ID_TEXT = re.compile(r"[A-Za-z0-9._:@-]{1,256}")
RESERVED_CLAIMS = frozenset({*REQUIRED_CLAIMS, "typ", "alg", "kid", "cnf", "nonce", "scope"})


class KeySource(Protocol):
    """Where the keyring comes from: a file that may be rotated underneath, or a fixed value."""

    def keyring(self) -> Keyring: ...


class StaticKeys:
    """A keyring that never changes while the process runs (from a setting, or for tests)."""

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring

    def keyring(self) -> Keyring:
        return self._keyring


class AccessTokens:
    def __init__(self, keys: KeySource, *, clock: Clock, issuer: str = DEFAULT_ISSUER) -> None:
        signing.assert_cryptography_backend()
        keyring = keys.keyring()
        for purpose in Purpose:
            keyring.active(purpose)  # every purpose can sign from the start (R7)
        self._keys = keys
        self._clock = clock
        self._issuer = issuer

    def issue(
        self,
        purpose: Purpose,
        *,
        subject: str,
        audience: str,
        lifetime: timedelta = DEFAULT_LIFETIME,
        token_id: str | None = None,
        extra_claims: Mapping[str, ClaimValue] | None = None,
    ) -> IssuedToken:
        """A token for ``purpose``, signed with its active key, valid from now for ``lifetime``
        (whole seconds, at most 7 days). ``token_id`` (the ``jti``) defaults to 128 random bits.
        """
        purpose = Purpose(purpose)
        seconds = int(lifetime.total_seconds())
        if not 1 <= seconds <= MAX_LIFETIME.total_seconds():
            raise InvalidTokenRequest(problem="lifetime outside 1 s .. 7 days")
        jti = token_id if token_id is not None else secrets.token_urlsafe(16)
        for name, value in (("subject", subject), ("audience", audience), ("token_id", jti)):
            if not ID_TEXT.fullmatch(value):
                raise InvalidTokenRequest(problem=f"{name} is not an id")
        now = self._clock.now()
        iat = int(now.timestamp())
        payload = {
            **_checked_extra(extra_claims or {}),
            "iss": self._issuer,
            "sub": subject,
            "aud": audience,
            "jti": jti,
            "iat": iat,
            "nbf": iat,
            "exp": iat + seconds,
        }
        key = self._keys.keyring().active(purpose)
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        token = signing.sign(body, secret=key.secret, kid=key.kid, typ=token_type(purpose))
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidTokenRequest(problem="token longer than the verifier accepts")
        claims = verifier.check_claims(
            payload, purpose=purpose, kid=key.kid, issuer=self._issuer, audience=audience, now=now
        )
        return IssuedToken(token=token, claims=claims)

    def verify(self, purpose: Purpose, token: object, *, audience: str) -> Claims:
        """The claims of ``token`` if it is a valid ``purpose`` token for ``audience`` now;
        otherwise ``TokenRejected``, whose message is the same whatever the reason."""
        purpose = Purpose(purpose)  # a caller's typo is a ValueError, not a refused token
        try:
            return self._verify(purpose, token, audience)
        except TokenRejected:
            raise
        except Exception as exc:  # noqa: BLE001 - fail closed; a verifier bug must not be a 500
            # No traceback: it could quote the token.
            log.error("access_token.verifier_failed", error_type=type(exc).__name__)  # noqa: TRY400
            raise TokenRejected(RejectReason.UNEXPECTED) from None

    def _verify(self, purpose: Purpose, token: object, audience: str) -> Claims:
        header_b64, payload_b64, signature_b64 = verifier.split(token)
        header = verifier.json_object(verifier.decode_segment(header_b64))
        kid = verifier.check_header(header, purpose)
        verifier.decode_segment(signature_b64)  # canonical encoding: no second spelling
        now = self._clock.now()
        key = self._keys.keyring().find(purpose, kid)
        if key is None:
            raise TokenRejected(RejectReason.UNKNOWN_KEY)
        if not key.verifies_at(now):
            raise TokenRejected(RejectReason.KEY_RETIRED)
        if not signing.signature_valid(
            f"{header_b64}.{payload_b64}.{signature_b64}", secret=key.secret
        ):
            raise TokenRejected(RejectReason.SIGNATURE)
        payload = verifier.json_object(verifier.decode_segment(payload_b64))
        return verifier.check_claims(
            payload, purpose=purpose, kid=kid, issuer=self._issuer, audience=audience, now=now
        )


def _checked_extra(extra: Mapping[str, ClaimValue]) -> dict[str, ClaimValue]:
    for name, value in extra.items():
        if name in RESERVED_CLAIMS or not EXTRA_CLAIM_NAME.fullmatch(name):
            raise InvalidTokenRequest(problem="extra claim name reserved or malformed")
        if not isinstance(value, str | int) or (isinstance(value, str) and len(value) > 256):  # noqa: PLR2004
            raise InvalidTokenRequest(problem="extra claim value not a short string or int")
    return dict(extra)
