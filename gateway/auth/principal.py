"""Who is asking: a signed-in user (session cookie) or an integration token (bearer)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from litestar.di import NamedDependency

from gateway.auth.errors import NotFound
from gateway.auth.rules import STAFF_ROLES, Role


class Via(StrEnum):
    SESSION = "session"
    TOKEN = "token"  # noqa: S105 - a name, not a secret


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller. ``user_id`` is the accountable human: for a token, the admin
    who created it, so an audit actor is never null (R22)."""

    via: Via
    user_id: uuid.UUID
    role: Role
    organisation_id: uuid.UUID | None
    token_id: uuid.UUID | None = None
    session_id: str | None = None  # the SHA-256 of the cookie value, never the value itself
    must_change_password: bool = False
    mfa_enrolled: bool = True  # a session of a user who has not confirmed a TOTP code yet: False

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def actor(self) -> str:
        """A stable audit actor id: ``user:<id>`` or ``token:<id>``."""
        if self.token_id is not None:
            return f"token:{self.token_id}"
        return f"user:{self.user_id}"


def ensure_same_organisation(principal: Principal, organisation_id: uuid.UUID | None) -> None:
    """Object-level check: staff see every organisation; a requester sees only its own.

    Raises :class:`NotFound` (404), never 403, so ids of other organisations cannot be probed.
    """
    if principal.role in STAFF_ROLES:
        return
    if organisation_id is None or principal.organisation_id != organisation_id:
        raise NotFound


# The handler parameter type for the caller: ``principal: CurrentPrincipal``.
CurrentPrincipal = NamedDependency[Principal]
