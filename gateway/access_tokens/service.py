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
import threading
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime, timedelta
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
# Valid tokens remembered per process (see AccessTokens._verify); about 1 MB at this size.
VERIFIED_CACHE_SIZE = 4096
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
        self._verified = _Verified(VERIFIED_CACHE_SIZE)

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
        """The checks in full, or, for a token this object verified before, the checks that
        depend on time: a download link's page and its Download button present the same token,
        and a vendor downloads with it again. Only valid tokens are remembered, keyed by their
        exact text, the purpose and the audience; a remembered token still fails once it has
        expired, or its key is gone, retired past its grace or replaced."""
        now = self._clock.now()
        text = token if isinstance(token, str) else None
        cached = self._verified.get(purpose, text, audience) if text is not None else None
        if text is not None and cached is not None:
            claims, secret = cached
            key = self._keys.keyring().find(purpose, claims.kid)
            if key is not None and key.secret == secret and key.verifies_at(now):
                try:
                    verifier.check_still_valid(claims, now)
                except TokenRejected:
                    self._verified.forget(purpose, text, audience)
                    raise
                return claims
            self._verified.forget(purpose, text, audience)
        claims, secret = self._verify_in_full(purpose, token, audience, now)
        if text is not None:
            self._verified.put(purpose, text, audience, (claims, secret))
        return claims

    def _verify_in_full(
        self, purpose: Purpose, token: object, audience: str, now: datetime
    ) -> tuple[Claims, bytes]:
        header_b64, payload_b64, signature_b64 = verifier.split(token)
        header = verifier.json_object(verifier.decode_segment(header_b64))
        kid = verifier.check_header(header, purpose)
        verifier.decode_segment(signature_b64)  # canonical encoding: no second spelling
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
        claims = verifier.check_claims(
            payload, purpose=purpose, kid=kid, issuer=self._issuer, audience=audience, now=now
        )
        return claims, key.secret


class _Verified:
    """The tokens verified lately, least recently used first out (bounded)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[Purpose, str, str], tuple[Claims, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, purpose: Purpose, token: str, audience: str) -> tuple[Claims, bytes] | None:
        with self._lock:
            found = self._entries.get((purpose, token, audience))
            if found is not None:
                self._entries.move_to_end((purpose, token, audience))
            return found

    def put(self, purpose: Purpose, token: str, audience: str, value: tuple[Claims, bytes]) -> None:
        with self._lock:
            self._entries[(purpose, token, audience)] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def forget(self, purpose: Purpose, token: str, audience: str) -> None:
        with self._lock:
            self._entries.pop((purpose, token, audience), None)


def _checked_extra(extra: Mapping[str, ClaimValue]) -> dict[str, ClaimValue]:
    for name, value in extra.items():
        if name in RESERVED_CLAIMS or not EXTRA_CLAIM_NAME.fullmatch(name):
            raise InvalidTokenRequest(problem="extra claim name reserved or malformed")
        if not isinstance(value, str | int) or (isinstance(value, str) and len(value) > 256):  # noqa: PLR2004
            raise InvalidTokenRequest(problem="extra claim value not a short string or int")
    return dict(extra)
