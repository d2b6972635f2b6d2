"""Server-side web sessions (R18, R19): our own cookie handling, not Litestar's session
middleware (which keeps an id planted before login).

The cookie carries a 256-bit random secret; the table keeps only its SHA-256. A session is valid
until it is revoked, idle past ``idle`` or older than ``absolute``, whichever comes first. Every
sign-in and every privilege change issues a new secret; a presented cookie is never adopted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from litestar.datastructures import Cookie

from gateway.auth import tokens
from gateway.auth.models import UserSession
from gateway.auth.repository import AuthRepository
from gateway.settings import SecuritySettings
from kernel.clock import Clock

SECURE_COOKIE = "__Host-roi_session"  # __Host-: Secure, Path=/, no Domain (R19)
PLAIN_COOKIE = "roi_session"  # only when secure_cookies is off (plain-http development)
TOUCH_EVERY = timedelta(seconds=30)  # last-seen writes are coalesced; idle expiry errs early


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta
    secure: bool

    @classmethod
    def from_settings(cls, security: SecuritySettings) -> SessionPolicy:
        return cls(
            idle=timedelta(minutes=security.session_idle_minutes),
            absolute=timedelta(hours=security.session_absolute_hours),
            secure=security.secure_cookies,
        )

    @property
    def cookie_name(self) -> str:
        return SECURE_COOKIE if self.secure else PLAIN_COOKIE

    def cookie(self, secret: str) -> Cookie:
        return Cookie(
            key=self.cookie_name,
            value=secret,
            max_age=int(self.absolute.total_seconds()),
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )

    def expired_cookie(self) -> Cookie:
        return Cookie(
            key=self.cookie_name,
            value="",
            max_age=0,
            expires=0,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """A new session: ``secret`` goes into the cookie, once; ``session_id`` is its digest."""

    secret: str
    session_id: str
    expires_at: datetime

    @property
    def csrf_token(self) -> str:
        return tokens.csrf_token(self.secret)


class Sessions:
    def __init__(self, repository: AuthRepository, policy: SessionPolicy, clock: Clock) -> None:
        self._repository = repository
        self._policy = policy
        self._clock = clock

    async def issue(self, user_id: uuid.UUID) -> IssuedSession:
        now = self._clock.now()
        secret = tokens.new_session_secret()
        row = UserSession(
            id=tokens.digest(secret),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + self._policy.absolute,
        )
        await self._repository.add(row)
        return IssuedSession(secret=secret, session_id=row.id, expires_at=row.expires_at)

    async def resolve(self, secret: str) -> UserSession | None:
        """The live session this cookie value names, touched; ``None`` if unknown or over."""
        if not secret or len(secret) > tokens.MAX_TOKEN_LENGTH:
            return None
        row = await self._repository.session_row(tokens.digest(secret))
        now = self._clock.now()
        if row is None or not self._alive(row, now):
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            await self._repository.touch_session(row.id, now)
        return row

    def _alive(self, row: UserSession, now: datetime) -> bool:
        return (
            row.revoked_at is None
            and now < row.expires_at
            and now - row.last_seen_at < self._policy.idle
        )

    async def revoke(self, session_id: str) -> None:
        await self._repository.revoke_session(session_id, self._clock.now())

    async def revoke_all(self, user_id: uuid.UUID, *, keep: str | None = None) -> int:
        return await self._repository.revoke_sessions_of(user_id, self._clock.now(), keep=keep)
