"""User administration (``users.manage``: admins): the list, inviting a user, disabling one.

Inviting calls ``create_user`` as ``roi users add`` does: the one-time password is shown once on
the answer page (never stored in clear, never logged) and the first sign-in forces the password
change and the TOTP enrolment. Disabling calls ``disable_user`` as the API does (sessions end,
tokens are revoked).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.accounts import create_user, disable_user
from gateway.auth.errors import AuthError
from gateway.auth.guards import auth_config
from gateway.auth.models import Organisation, User
from gateway.auth.principal import CurrentPrincipal, Principal
from gateway.auth.rules import Role
from gateway.web.admin.common import admin_page, refusal
from gateway.web.forms import AnyRequest, text_field

Db = NamedDependency[AsyncSession]
TITLE = "Users"
MESSAGES = {
    "EMAIL_TAKEN": "A user with that e-mail address exists already.",
    "INVALID_ACCOUNT": "Check the e-mail address, the role, and the organisation: requesters "
    "(attorney, payer) need one, staff have none; an administrator cannot disable themself.",
    "NOT_FOUND": "There is no such user.",
}
STATUS = {"EMAIL_TAKEN": 409, "NOT_FOUND": 404}
ROLES = tuple(role.value for role in Role)


@dataclass(frozen=True, slots=True)
class UserRow:
    id: uuid.UUID
    email: str
    role: str
    organisation: str | None
    status: str
    is_self: bool


def status_of(user: User) -> str:
    if user.disabled:
        return "Disabled"
    if user.must_change_password or not user.totp_enrolled:
        return "Invited (first sign-in pending)"
    return "Active"


async def user_rows(session: AsyncSession, principal: Principal) -> list[UserRow]:
    found = await session.execute(
        select(User, Organisation.name)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .order_by(User.email)
    )
    return [
        UserRow(u.id, u.email, u.role, org, status_of(u), u.id == principal.user_id)
        for u, org in found.all()
    ]


async def users_page_of(
    request: AnyRequest,
    principal: Principal,
    session: AsyncSession,
    *,
    status: int = 200,
    error: str | None = None,
    invited: dict[str, str] | None = None,
    notice: str | None = None,
) -> Template:
    return admin_page(
        request,
        principal,
        "users.html",
        TITLE,
        status=status,
        error=error,
        notice=notice,
        rows=await user_rows(session, principal),
        roles=ROLES,
        invited=invited,
    )


def refused(exc: AuthError) -> tuple[str, int]:
    return refusal(exc.code, MESSAGES.get(exc.code, "Refused.")), STATUS.get(exc.code, 422)


@get("/admin/users", opt={"rule": "users.manage"})
async def users_page(request: AnyRequest, principal: CurrentPrincipal, db_session: Db) -> Template:
    return await users_page_of(request, principal, db_session)


@post("/admin/users", opt={"rule": "users.manage"}, status_code=200)
async def invite_user(request: AnyRequest, principal: CurrentPrincipal, db_session: Db) -> Template:
    email = (await text_field(request, "email", 320)).strip()
    role = await text_field(request, "role", 16)
    organisation = (await text_field(request, "organisation", 200)).strip() or None
    config = auth_config(request)
    try:
        new = await create_user(
            db_session,
            email=email,
            role=role,
            organisation=organisation,
            passwords=config.passwords,
            clock=config.clock,
        )
    except AuthError as exc:
        message, status = refused(exc)
        return await users_page_of(request, principal, db_session, status=status, error=message)
    invited = {"email": new.user.email, "password": new.one_time_password}
    return await users_page_of(request, principal, db_session, invited=invited)


@post("/admin/users/{user_id:uuid}/disable", opt={"rule": "users.manage"}, status_code=200)
async def disable(
    request: AnyRequest, principal: CurrentPrincipal, db_session: Db, user_id: FromPath[uuid.UUID]
) -> Template:
    try:
        await disable_user(db_session, principal, user_id, auth_config(request).clock)
    except AuthError as exc:
        message, status = refused(exc)
        return await users_page_of(request, principal, db_session, status=status, error=message)
    notice = "The user is disabled: their sessions ended and their tokens are revoked."
    return await users_page_of(request, principal, db_session, notice=notice)
