"""Password hashing (argon2id through argon2-cffi), one-time passwords and the policy."""

from __future__ import annotations

import secrets

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gateway.auth.errors import WeakPassword

MIN_LENGTH = 12
MAX_LENGTH = 128  # bounds the hashing work an attacker can ask for


class Passwords:
    """Hash and verify passwords. The hasher's cost is a parameter so tests can run cheaper
    (still argon2id); production uses argon2-cffi's RFC 9106 low-memory profile."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    async def make(self, password: str) -> str:
        """:meth:`hash` in a worker thread: argon2 is deliberately slow."""
        return await anyio.to_thread.run_sync(self.hash, password)

    async def check(self, password_hash: str | None, password: str) -> bool:
        """:meth:`verify` in a worker thread."""
        return await anyio.to_thread.run_sync(self.verify, password_hash, password)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Constant work whether or not the account exists: a missing hash verifies a dummy."""
        if len(password) > MAX_LENGTH:
            return False
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False


def one_time_password() -> str:
    """A random first password (about 120 bits), shown once, to be replaced at first sign-in."""
    return secrets.token_urlsafe(15)


def check_policy(new_password: str, *, current: str) -> None:
    """Length bounds and "not the password it replaces" (NIST 800-63B: no composition rules)."""
    if not MIN_LENGTH <= len(new_password) <= MAX_LENGTH:
        raise WeakPassword("password length out of bounds", min_length=MIN_LENGTH)
    if secrets.compare_digest(new_password.encode(), current.encode()):
        raise WeakPassword("new password equals the current one", min_length=MIN_LENGTH)
