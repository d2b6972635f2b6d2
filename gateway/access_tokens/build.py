"""Build the token service from settings (composition root and CLI only)."""

from __future__ import annotations

from pathlib import Path

from gateway.access_tokens.keyfile import KeyFile
from gateway.access_tokens.keyring import Keyring
from gateway.access_tokens.service import AccessTokens, KeySource, StaticKeys
from gateway.settings import Settings
from kernel.clock import Clock


def key_file_path(settings: Settings) -> Path:
    return settings.security.token_keys_file or settings.data_dir / "keys" / "access_tokens.json"


def build_key_source(settings: Settings, *, clock: Clock) -> KeySource:
    """The keyring from ``ROI_SECURITY__TOKEN_KEYRING`` if set, else the key file (created on
    first start)."""
    if settings.security.token_keyring is not None:
        return StaticKeys(Keyring.from_json(settings.security.token_keyring.get_secret_value()))
    return KeyFile.open(key_file_path(settings), now=clock.now())


def build_access_tokens(settings: Settings, *, clock: Clock) -> AccessTokens:
    return AccessTokens(build_key_source(settings, clock=clock), clock=clock)
