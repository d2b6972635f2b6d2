"""JSON endpoints of sign-in and access administration (``/api/v1/auth``, ``/api/v1/tokens``,
``/api/v1/users``). Each handler makes one service call; the HTML pages come later."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from gateway.auth import accounts, tokens
from gateway.auth.models import IntegrationToken
from gateway.auth.principal import CurrentPrincipal
from gateway.auth.schemas import (
    LoginIn,
    PasswordChangeIn,
    SessionOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    TotpRotatedOut,
    TotpRotateIn,
)
from gateway.auth.service import AuthService
from gateway.auth.sessions import IssuedSession, SessionPolicy

Auth = NamedDependency[AuthService]
NO_STORE = {"Cache-Control": "no-store"}


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _session_out(
    principal: CurrentPrincipal, issued: IssuedSession | None, secret: str
) -> SessionOut:
    return SessionOut(
        user_id=principal.user_id,
        role=principal.role.value,
        organisation_id=principal.organisation_id,
        must_change_password=principal.must_change_password,
        csrf_token=issued.csrf_token if issued else (tokens.csrf_token(secret) if secret else None),
        expires_at=issued.expires_at if issued else None,
    )


def _with_cookie(content: Any, cookie: Cookie, status: int = 200) -> Response[Any]:
    return Response(content, status_code=status, cookies=[cookie], headers=NO_STORE)


@post("/api/v1/auth/login", opt={"rule": "public"}, status_code=200)
async def login(
    data: JSONBody[LoginIn], request: Request[Any, Any, Any], auth: Auth
) -> Response[Any]:
    """Password and TOTP code together; answers a new session cookie and its CSRF token."""
    policy = auth.config.session_policy
    signed = await auth.login(
        email=data.email,
        password=data.password,
        code=data.code,
        address=client_address(request),
        presented=request.cookies.get(policy.cookie_name),
    )
    body = _session_out(signed.principal, signed.session, "")
    return _with_cookie(body, policy.cookie(signed.session.secret))


@get("/api/v1/auth/session", opt={"rule": "auth.self"})
async def current_session(
    request: Request[Any, Any, Any], principal: CurrentPrincipal
) -> Response[Any]:
    """Who the caller is; for a cookie session, also its CSRF token."""
    policy: SessionPolicy = request.app.state["roi_auth"].session_policy
    secret = request.cookies.get(policy.cookie_name, "") if principal.session_id else ""
    return Response(_session_out(principal, None, secret), headers=NO_STORE)


@post("/api/v1/auth/logout", opt={"rule": "auth.self"}, status_code=204)
async def logout(principal: CurrentPrincipal, auth: Auth) -> Response[None]:
    await auth.logout(principal)
    return Response(None, status_code=204, cookies=[auth.config.session_policy.expired_cookie()])


@post("/api/v1/auth/password", opt={"rule": "auth.self"}, status_code=200)
async def change_password(
    data: JSONBody[PasswordChangeIn], principal: CurrentPrincipal, auth: Auth
) -> Response[Any]:
    """Replace the password; every session and token of the user ends, a new session starts."""
    signed = await auth.change_password(
        principal, current_password=data.current_password, new_password=data.new_password
    )
    body = _session_out(signed.principal, signed.session, "")
    return _with_cookie(body, auth.config.session_policy.cookie(signed.session.secret))


@post("/api/v1/auth/totp", opt={"rule": "authenticated"}, status_code=200)
async def rotate_totp(
    data: JSONBody[TotpRotateIn], principal: CurrentPrincipal, auth: Auth
) -> Response[Any]:
    """A new TOTP secret; its provisioning URI is in this response only."""
    uri, issued = await auth.rotate_totp(principal, password=data.password, code=data.code)
    body = TotpRotatedOut(provisioning_uri=uri, csrf_token=issued.csrf_token)
    return _with_cookie(body, auth.config.session_policy.cookie(issued.secret))


@post("/api/v1/users/{user_id:uuid}/disable", opt={"rule": "users.manage"}, status_code=204)
async def disable_user(
    user_id: FromPath[uuid.UUID], principal: CurrentPrincipal, auth: Auth
) -> None:
    """Disable an account: its sessions end and its integration tokens are revoked."""
    await accounts.disable_user(auth.session, principal, user_id, auth.config.clock)


@post("/api/v1/tokens", opt={"rule": "users.manage"}, status_code=201)
async def create_token(
    data: JSONBody[TokenIn], principal: CurrentPrincipal, auth: Auth
) -> Response[Any]:
    """Create an integration token; the token is in this response only."""
    new = await accounts.create_token(
        auth.session,
        principal,
        name=data.name,
        role=data.role,
        organisation_id=data.organisation_id,
        clock=auth.config.clock,
    )
    row = new.row
    body = TokenCreatedOut(
        id=row.id,
        name=row.name,
        role=row.role,
        organisation_id=row.organisation_id,
        created_at=row.created_at,
        token=new.token,
    )
    return Response(body, status_code=201, headers=NO_STORE)


def _token_out(row: IntegrationToken) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        role=row.role,
        organisation_id=row.organisation_id,
        created_by=row.created_by,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


@get("/api/v1/tokens", opt={"rule": "users.manage"})
async def list_tokens(auth: Auth) -> list[TokenOut]:
    return [_token_out(row) for row in await accounts.list_tokens(auth.session)]


@delete("/api/v1/tokens/{token_id:uuid}", opt={"rule": "users.manage"}, status_code=204)
async def revoke_token(
    token_id: FromPath[uuid.UUID], principal: CurrentPrincipal, auth: Auth
) -> None:
    await accounts.revoke_token(auth.session, principal, token_id, auth.config.clock)


ROUTE_HANDLERS = [
    login,
    current_session,
    logout,
    change_password,
    rotate_totp,
    disable_user,
    create_token,
    list_tokens,
    revoke_token,
]
