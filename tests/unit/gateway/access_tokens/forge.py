"""Hand-made tokens for the forgery tests: any header, any payload, any signing key or none.

Written with the standard library (hmac, base64, json) so a forgery never goes through the code
under test, nor through python-jose's own refusal to use a PEM key as an HMAC secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.access_tokens import AccessTokens, Keyring, Purpose, StaticKeys
from gateway.access_tokens.policy import token_type
from kernel.clock import FixedClock

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AUDIENCE = "recipient-7f3a"
SUBJECT = "link-0001"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def compact(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


def hs256(key: bytes) -> Callable[[bytes], bytes]:
    return lambda signing_input: hmac.new(key, signing_input, hashlib.sha256).digest()


def encode(
    header: Mapping[str, Any],
    payload: Mapping[str, Any],
    signer: Callable[[bytes], bytes] | None,
) -> str:
    signing_input = f"{b64(compact(header))}.{b64(compact(payload))}"
    signature = signer(signing_input.encode()) if signer else b""
    return f"{signing_input}.{b64(signature)}"


@dataclass
class Rig:
    """A token service on a frozen clock, its keyring, and a well-formed header and payload that
    the tests then spoil one thing at a time."""

    clock: FixedClock
    keyring: Keyring
    tokens: AccessTokens
    purpose: Purpose = Purpose.DOWNLOAD_LINK

    @classmethod
    def build(cls, keyring: Keyring | None = None, clock: FixedClock | None = None) -> Rig:
        clock = clock or FixedClock(T0)
        keyring = keyring or Keyring.generate(clock.now())
        return cls(clock, keyring, AccessTokens(StaticKeys(keyring), clock=clock))

    @property
    def secret(self) -> bytes:
        return self.keyring.active(self.purpose).secret

    def header(self, **changes: Any) -> dict[str, Any]:
        header = {
            "alg": "HS256",
            "typ": token_type(self.purpose),
            "kid": self.keyring.active(self.purpose).kid,
        }
        return _changed(header, changes)

    def payload(self, **changes: Any) -> dict[str, Any]:
        iat = int(self.clock.now().timestamp())
        payload = {
            "iss": "roi-gateway",
            "sub": SUBJECT,
            "aud": AUDIENCE,
            "jti": "jti-0001",
            "iat": iat,
            "nbf": iat,
            "exp": iat + 3600,
        }
        return _changed(payload, changes)

    def forge(
        self,
        header: Mapping[str, Any] | None = None,
        payload: Mapping[str, Any] | None = None,
        key: bytes | None = None,
    ) -> str:
        """Signed with ``key`` (default: the purpose's real active key)."""
        signer = hs256(key if key is not None else self.secret)
        return encode(header or self.header(), payload or self.payload(), signer)

    def verify(self, token: object, audience: str = AUDIENCE) -> Any:
        return self.tokens.verify(self.purpose, token, audience=audience)


def _changed(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``None`` as a value removes the member."""
    result = dict(base)
    for name, value in changes.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result
