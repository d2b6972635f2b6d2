"""TOTP second factor (RFC 6238 through pyotp): 30-second steps, one step of clock drift either
way, and each accepted step remembered so a code cannot be replayed."""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

ISSUER = "ROI Gateway"
DRIFT_STEPS = 1  # pyotp's valid_window=1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str) -> str:
    """The otpauth:// URI for an authenticator app. Shown once; never logged."""
    uri: str = pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)
    return uri


def current_code(secret: str, at: datetime) -> str:
    """The code an authenticator shows at ``at`` (tests and the demo loader use this)."""
    code: str = pyotp.TOTP(secret).at(at)
    return code


def matching_step(secret: str, code: str, *, at: datetime, after: int | None) -> int | None:
    """The time step ``code`` belongs to, within the drift window and newer than ``after``
    (the last step accepted for this user); ``None`` if it matches no usable step."""
    if not (code.isascii() and code.isdigit() and len(code) == pyotp.TOTP(secret).digits):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(totp.timecode(at))
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        candidate: str = totp.generate_otp(step)
        if hmac.compare_digest(candidate, code) and (after is None or step > after):
            return step
    return None
