"""Sign-in, sign-out, password and MFA changes, and resolving who a request comes from.

Every refusal during sign-in is the same :class:`LoginFailed`, whether the account is unknown,
disabled, the password wrong or the TOTP code wrong or replayed (R16, R17). A password or MFA
change, and an account disable, end every session and revoke the user's integration tokens
(R20); each sign-in and privilege change issues a new session id (R18).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.auth import tokens, totp
from gateway.auth.errors import LoginFailed, SessionRequired
from gateway.auth.models import User
from gateway.auth.passwords import Passwords, check_policy
from gateway.auth.principal import Principal, Via
from gateway.auth.repository import AuthRepository
from gateway.auth.rules import Role
from gateway.auth.sessions import IssuedSession, SessionPolicy, Sessions
from gateway.auth.throttle import LoginThrottler, ThrottleKey, account_key, address_key
from kernel.clock import Clock

log = structlog.get_logger()
TOKEN_TOUCH_EVERY = timedelta(seconds=60)  # last-used writes are coalesced


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """What the access layer needs, built once in the composition root."""

    session_maker: async_sessionmaker[AsyncSession]
    passwords: Passwords
    throttler: LoginThrottler
    session_policy: SessionPolicy
    clock: Clock


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    session: IssuedSession
    principal: Principal


def session_principal(user: User, issued: IssuedSession) -> Principal:
    return Principal(
        via=Via.SESSION,
        user_id=user.id,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        session_id=issued.session_id,
        must_change_password=user.must_change_password,
        mfa_enrolled=user.totp_enrolled,
    )


def invited(user: User) -> bool:
    """An account still holding its one-time password and no confirmed TOTP code: it may sign
    in without a code, to a session that can only change the password and enrol TOTP."""
    return user.must_change_password and not user.totp_enrolled


async def claim_code(repository: AuthRepository, user: User, code: str, now: datetime) -> bool:
    """Whether ``code`` is the user's TOTP code now (one step of drift), claiming its step so it
    is never accepted again."""
    step = totp.matching_step(user.totp_secret, code, at=now, after=user.totp_last_step)
    if step is None:
        return False
    return await repository.claim_totp_step(user.id, step)


def normalise_email(email: str) -> str:
    return email.strip().lower()


class AuthService:
    def __init__(self, session: AsyncSession, config: AuthConfig) -> None:
        self.session = session
        self.repository = AuthRepository(session)
        self.config = config
        self.sessions = Sessions(self.repository, config.session_policy, config.clock)

    async def login(
        self, *, email: str, password: str, code: str | None, address: str, presented: str | None
    ) -> SignedIn:
        """Password and TOTP code in one step; a new session id whatever cookie came along.
        ``code=None`` signs in only an :func:`invited` account (the web's first sign-in).

        Short sequential transactions (throttle check, user lookup, session issue, throttle
        update), never nested: SQLite allows one writer, and argon2 runs outside any of them.
        """
        email = normalise_email(email)
        keys = (account_key(email), address_key(address))
        await self.config.throttler.check(*keys)
        user = await self._user_by_email(email)
        hashed = user.password_hash if user else None
        password_ok = await self.config.passwords.check(hashed, password)
        signed = None
        if user is not None and password_ok and not user.disabled:
            signed = await self._open_session(user, code, presented)
        if signed is None:
            await self._failed(keys, user)
        assert signed is not None  # noqa: S101 - _failed raised otherwise
        await self.config.throttler.reset(keys[0])
        return signed

    async def _user_by_email(self, email: str) -> User | None:
        async with self.config.session_maker() as session:
            return await AuthRepository(session).user_by_email(email)

    async def _open_session(
        self, user: User, code: str | None, presented: str | None
    ) -> SignedIn | None:
        """Claim the code's time step and issue a new session, in one transaction."""
        clock = self.config.clock
        async with self.config.session_maker() as session, session.begin():
            repository = AuthRepository(session)
            if code is None:
                if not invited(user):
                    return None
            elif await claim_code(repository, user, code, clock.now()):
                user.totp_enrolled = True  # claim_code recorded it in the table
            else:
                return None
            sessions = Sessions(repository, self.config.session_policy, clock)
            if presented:
                await sessions.revoke(tokens.digest(presented))
            issued = await sessions.issue(user.id)
        log.info("auth.signed_in", user_id=str(user.id))
        return SignedIn(user=user, session=issued, principal=session_principal(user, issued))

    async def _failed(self, keys: tuple[ThrottleKey, ...], user: User | None) -> None:
        """Count the failure in its own transaction (after dropping ours: one SQLite writer)."""
        await self.session.rollback()
        await self.config.throttler.record_failure(*keys)
        log.info("auth.sign_in_failed", user_id=str(user.id) if user else None)
        raise LoginFailed

    async def logout(self, principal: Principal) -> None:
        if principal.session_id is not None:
            await self.sessions.revoke(principal.session_id)
        log.info("auth.signed_out", user_id=str(principal.user_id))

    async def change_password(
        self, principal: Principal, *, current_password: str, new_password: str
    ) -> SignedIn:
        await self._reauthenticate(principal, current_password)
        check_policy(new_password, current=current_password)
        password_hash = await self.config.passwords.make(new_password)  # before our transaction
        user = await self._user(principal)
        user.password_hash = password_hash
        user.must_change_password = False
        user.updated_at = self.config.clock.now()
        log.info("auth.password_changed", user_id=str(user.id))
        issued = await self._restart(user.id)
        return SignedIn(user=user, session=issued, principal=session_principal(user, issued))

    async def rotate_totp(
        self, principal: Principal, *, password: str, code: str
    ) -> tuple[str, IssuedSession]:
        """A new TOTP secret (its provisioning URI returned once); the old code must still be
        presented. Ends every session and token of the user, then starts a fresh session."""
        await self._reauthenticate(principal, password)
        user = await self._user(principal)
        if not await claim_code(self.repository, user, code, self.config.clock.now()):
            await self._failed((account_key(user.email),), user)
        user.totp_secret = totp.new_secret()
        user.totp_enrolled = False
        user.totp_last_step = None
        user.updated_at = self.config.clock.now()
        log.info("auth.mfa_changed", user_id=str(user.id))
        return totp.provisioning_uri(user.totp_secret, user.email), await self._restart(user.id)

    async def enrolment_uri(self, principal: Principal) -> str | None:
        """The provisioning URI of a user who has not confirmed a TOTP code yet; ``None`` once
        enrolled (the secret is never shown again). Changes nothing."""
        if principal.via is not Via.SESSION:
            raise SessionRequired  # an integration token never sees a second-factor secret
        user = await self._user(principal)
        return None if user.totp_enrolled else totp.provisioning_uri(user.totp_secret, user.email)

    async def confirm_totp(self, principal: Principal, *, code: str) -> SignedIn:
        """The first code from the authenticator: TOTP is enrolled, and (an MFA change) every
        session of the user ends and a new one starts. Throttled like a sign-in."""
        known = await self._known_user(principal)  # before this request's transaction starts
        key = account_key(known.email if known else "")
        await self.config.throttler.check(key)
        user = await self._user(principal)
        if user.totp_enrolled or not await claim_code(
            self.repository, user, code, self.config.clock.now()
        ):
            await self._failed((key,), known)  # ``user`` expires at the rollback
        user.totp_enrolled = True
        user.updated_at = self.config.clock.now()
        log.info("auth.mfa_enrolled", user_id=str(user.id))
        issued = await self._restart(user.id)
        return SignedIn(user=user, session=issued, principal=session_principal(user, issued))

    async def _reauthenticate(self, principal: Principal, password: str) -> None:
        """The current password again, throttled like a sign-in. The throttle, the lookup and
        argon2 run before this request's transaction starts (one SQLite writer at a time)."""
        known = await self._known_user(principal)
        key = account_key(known.email if known else "")
        await self.config.throttler.check(key)
        if known is None or not await self.config.passwords.check(known.password_hash, password):
            await self._failed((key,), known)

    async def _known_user(self, principal: Principal) -> User | None:
        """The principal's user, read in a short transaction of its own."""
        if principal.via is not Via.SESSION:
            raise SessionRequired  # an integration token is not a person
        async with self.config.session_maker() as session:
            return await AuthRepository(session).user(principal.user_id)

    async def _user(self, principal: Principal) -> User:
        """The principal's user, in this request's transaction (users are never deleted)."""
        user = await self.repository.user(principal.user_id)
        if user is None:
            raise SessionRequired
        return user

    async def _restart(self, user_id: uuid.UUID) -> IssuedSession:
        """Privilege or credential change: end everything the user had, issue a new session."""
        await terminate_access(self.repository, user_id, self.config.clock)
        return await self.sessions.issue(user_id)

    async def resolve_session(self, secret: str) -> Principal | None:
        row = await self.sessions.resolve(secret)
        if row is None:
            return None
        user = await self.repository.user(row.user_id)
        if user is None or user.disabled:
            return None
        return Principal(
            via=Via.SESSION,
            user_id=user.id,
            role=Role(user.role),
            organisation_id=user.organisation_id,
            session_id=row.id,
            must_change_password=user.must_change_password,
            mfa_enrolled=user.totp_enrolled,
        )

    async def resolve_token(self, value: str) -> Principal | None:
        if not tokens.looks_like_integration_token(value):
            return None
        row = await self.repository.token_by_hash(tokens.digest(value))
        if row is None or row.revoked_at is not None:
            return None
        now = self.config.clock.now()
        if row.last_used_at is None or now - row.last_used_at >= TOKEN_TOUCH_EVERY:
            await self.repository.mark_token_used(row.id, now)
        return Principal(
            via=Via.TOKEN,
            user_id=row.created_by,
            role=Role(row.role),
            organisation_id=row.organisation_id,
            token_id=row.id,
        )


async def terminate_access(repository: AuthRepository, user_id: uuid.UUID, clock: Clock) -> None:
    """R20: every session of the user ends and every integration token it created is revoked."""
    now = clock.now()
    sessions = await repository.revoke_sessions_of(user_id, now)
    revoked = await repository.revoke_tokens_of(user_id, now)
    log.info("auth.access_terminated", user_id=str(user_id), sessions=sessions, tokens=revoked)
