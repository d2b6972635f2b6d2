"""Administration of accounts: organisations, users (``roi users add``, the demo loader),
disabling users, and integration tokens."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import tokens, totp
from gateway.auth.errors import EmailTaken, InvalidAccount, NotFound
from gateway.auth.models import IntegrationToken, Organisation, User
from gateway.auth.passwords import Passwords, one_time_password
from gateway.auth.principal import Principal
from gateway.auth.repository import AuthRepository
from gateway.auth.rules import REQUESTER_ROLES, Role, kind_of
from gateway.auth.service import normalise_email, terminate_access
from kernel.clock import Clock, SystemClock

log = structlog.get_logger()
MAX_EMAIL = 320


@dataclass(frozen=True, slots=True)
class NewUser:
    """A created user with its one-time password and TOTP provisioning URI: show both once."""

    user: User
    one_time_password: str
    totp_uri: str


@dataclass(frozen=True, slots=True)
class NewToken:
    """A created integration token; ``token`` exists only here, never in the database."""

    row: IntegrationToken
    token: str


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidAccount("unknown role") from None


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    role: str,
    organisation: str | None = None,
    passwords: Passwords | None = None,
    clock: Clock | None = None,
) -> NewUser:
    """Create a staff user, or a requester of ``organisation`` (created if new, its kind taken
    from the role). The caller prints the one-time password and the URI once."""
    clock = clock or SystemClock()
    repository = AuthRepository(session)
    parsed = parse_role(role)
    email = _valid_email(email)
    # argon2 first, in a worker thread: off the event loop, and before this function's first
    # statement (on SQLite that statement starts the write transaction)
    secret, password = totp.new_secret(), one_time_password()
    password_hash = await (passwords or Passwords()).make(password)
    if await repository.user_by_email(email) is not None:
        raise EmailTaken
    org = await _organisation_for(repository, parsed, organisation, clock)
    now = clock.now()
    user = User(
        email=email,
        kind=kind_of(parsed).value,
        role=parsed.value,
        organisation_id=org.id if org else None,
        password_hash=password_hash,
        must_change_password=True,
        totp_secret=secret,
        totp_enrolled=False,
        disabled=False,
        created_at=now,
        updated_at=now,
    )
    await repository.add(user)
    log.info("auth.user_created", user_id=str(user.id), role=parsed.value)
    return NewUser(user, password, totp.provisioning_uri(secret, email))


def _valid_email(email: str) -> str:
    email = normalise_email(email)
    local, at, domain = email.partition("@")
    if not (at and local and "." in domain and len(email) <= MAX_EMAIL) or " " in email:
        raise InvalidAccount("not an e-mail address")
    return email


async def _organisation_for(
    repository: AuthRepository, role: Role, name: str | None, clock: Clock
) -> Organisation | None:
    if role not in REQUESTER_ROLES:
        if name:
            raise InvalidAccount("staff belong to no requester organisation")
        return None
    if not name:
        raise InvalidAccount("a requester needs an organisation")
    org = await repository.organisation_by_name(name)
    if org is None:
        org = Organisation(name=name, kind=role.value, created_at=clock.now())
        await repository.add(org)
    elif org.kind != role.value:
        raise InvalidAccount("organisation kind does not match the role")
    return org


async def disable_user(
    session: AsyncSession, actor: Principal, user_id: uuid.UUID, clock: Clock
) -> None:
    """Disable an account: its sessions end and its integration tokens are revoked (R20)."""
    if user_id == actor.user_id:
        raise InvalidAccount("an administrator cannot disable their own account")
    repository = AuthRepository(session)
    user = await repository.user(user_id)
    if user is None:
        raise NotFound
    user.disabled = True
    user.updated_at = clock.now()
    await terminate_access(repository, user.id, clock)
    log.info("auth.user_disabled", user_id=str(user.id), actor_id=str(actor.user_id))


async def create_token(
    session: AsyncSession,
    actor: Principal,
    *,
    name: str,
    role: str,
    organisation_id: uuid.UUID | None,
    clock: Clock,
) -> NewToken:
    """A new integration token with one role; a requester role is scoped to one organisation."""
    repository = AuthRepository(session)
    parsed = parse_role(role)
    await _check_token_scope(repository, parsed, organisation_id)
    token = tokens.new_integration_token()
    row = IntegrationToken(
        name=name,
        token_hash=tokens.digest(token),
        role=parsed.value,
        organisation_id=organisation_id,
        created_by=actor.user_id,
        created_at=clock.now(),
    )
    await repository.add(row)
    log.info("auth.token_created", token_id=str(row.id), actor_id=str(actor.user_id))
    return NewToken(row, token)


async def _check_token_scope(
    repository: AuthRepository, role: Role, organisation_id: uuid.UUID | None
) -> None:
    if role not in REQUESTER_ROLES:
        if organisation_id is not None:
            raise InvalidAccount("a staff token has no organisation")
        return
    org = await repository.organisation(organisation_id) if organisation_id else None
    if org is None or org.kind != role.value:
        raise InvalidAccount("a requester token needs an organisation of its kind")


async def list_tokens(session: AsyncSession) -> Sequence[IntegrationToken]:
    return await AuthRepository(session).tokens()


async def revoke_token(
    session: AsyncSession, actor: Principal, token_id: uuid.UUID, clock: Clock
) -> None:
    repository = AuthRepository(session)
    if await repository.token(token_id) is None:
        raise NotFound
    await repository.revoke_token(token_id, clock.now())
    log.info("auth.token_revoked", token_id=str(token_id), actor_id=str(actor.user_id))
