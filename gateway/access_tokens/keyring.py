"""The keyring: per-purpose HMAC keys with rotation. Pure values; ``keyfile.py`` stores them.

Each purpose has exactly one active key (it signs) and any number of retired ones. A retired key
still verifies until ``RETIRED_KEY_GRACE`` (the longest token lifetime plus leeway) after its
retirement, then it is refused, and dropped at the next rotation.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from gateway.access_tokens.errors import KeyringInvalid
from gateway.access_tokens.policy import KEY_BYTES, RETIRED_KEY_GRACE, Purpose

FORMAT = "roi-access-token-keys"
VERSION = 1
KID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    purpose: Purpose
    secret: bytes = field(repr=False)
    created_at: datetime
    retired_at: datetime | None = None

    @classmethod
    def generate(cls, purpose: Purpose, now: datetime) -> SigningKey:
        return cls(
            kid=secrets.token_hex(8),
            purpose=purpose,
            secret=secrets.token_bytes(KEY_BYTES),
            created_at=now,
        )

    def verifies_at(self, now: datetime) -> bool:
        """Active, or retired no longer ago than the grace period."""
        return self.retired_at is None or now <= self.retired_at + RETIRED_KEY_GRACE


@dataclass(frozen=True, slots=True)
class Keyring:
    keys: tuple[SigningKey, ...]

    def __post_init__(self) -> None:
        kids = [key.kid for key in self.keys]
        if len(set(kids)) != len(kids):
            raise KeyringInvalid(problem="duplicate kid")
        for key in self.keys:
            if len(key.secret) != KEY_BYTES:
                raise KeyringInvalid(problem="key is not 256 bits")
            if not KID.fullmatch(key.kid):
                raise KeyringInvalid(problem="malformed kid")
        for purpose in Purpose:
            if sum(1 for k in self.keys if k.purpose is purpose and k.retired_at is None) > 1:
                raise KeyringInvalid(problem="more than one active key for a purpose")

    @classmethod
    def generate(cls, now: datetime) -> Keyring:
        """A new keyring: one fresh key per purpose."""
        return cls(()).completed(now)

    def active(self, purpose: Purpose) -> SigningKey:
        for key in self.keys:
            if key.purpose is purpose and key.retired_at is None:
                return key
        raise KeyringInvalid(problem="no active key for a purpose")

    def find(self, purpose: Purpose, kid: str) -> SigningKey | None:
        for key in self.keys:
            if key.kid == kid and key.purpose is purpose:
                return key
        return None

    def completed(self, now: datetime) -> Keyring:
        """This keyring with a new active key for every purpose that lacks one."""
        have = {key.purpose for key in self.keys if key.retired_at is None}
        missing = [SigningKey.generate(p, now) for p in Purpose if p not in have]
        return self if not missing else Keyring((*self.keys, *missing))

    def rotated(self, now: datetime, purposes: Iterable[Purpose] = tuple(Purpose)) -> Keyring:
        """Retire the active key of each purpose at ``now`` and add a new one; drop keys whose
        grace ended."""
        chosen = set(purposes)
        kept = [
            replace(key, retired_at=now)
            if key.purpose in chosen and key.retired_at is None
            else key
            for key in self.keys
            if key.verifies_at(now)
        ]
        fresh = [SigningKey.generate(purpose, now) for purpose in Purpose if purpose in chosen]
        return Keyring((*kept, *fresh)).completed(now)

    def to_json(self) -> bytes:
        document = {"format": FORMAT, "version": VERSION, "keys": [_dump(k) for k in self.keys]}
        return json.dumps(document, indent=2, sort_keys=True).encode() + b"\n"

    @classmethod
    def from_json(cls, data: bytes | str) -> Keyring:
        try:
            document = json.loads(data)
            version = (document.get("format"), document.get("version"))
            keys = tuple(_load(entry) for entry in document["keys"])
        except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
            raise KeyringInvalid(problem="unreadable keyring") from None
        if version != (FORMAT, VERSION):
            raise KeyringInvalid(problem="not a version 1 keyring")
        return cls(keys)


def _dump(key: SigningKey) -> dict[str, Any]:
    return {
        "kid": key.kid,
        "purpose": key.purpose.value,
        "secret": base64.urlsafe_b64encode(key.secret).decode().rstrip("="),
        "created_at": key.created_at.isoformat(),
        "retired_at": key.retired_at.isoformat() if key.retired_at else None,
    }


def _load(entry: dict[str, Any]) -> SigningKey:
    secret = str(entry["secret"])
    retired = entry.get("retired_at")
    return SigningKey(
        kid=str(entry["kid"]),
        purpose=Purpose(entry["purpose"]),
        secret=base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4)),
        created_at=_utc(entry["created_at"]),
        retired_at=_utc(retired) if retired is not None else None,
    )


def _utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise KeyringInvalid(problem="naive timestamp")
    return parsed.astimezone(UTC)
