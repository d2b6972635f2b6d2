"""Sign-in, sign-out and the home page.

The sign-in handler calls the same ``AuthService.login`` as ``POST /api/v1/auth/login``: one
generic refusal, the same throttling, a new session id whatever cookie came along (R18).
"""

from __future__ import annotations

from typing import Any, Literal

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from gateway.auth import tokens
from gateway.auth.endpoints import client_address
from gateway.auth.errors import CsrfFailed, LoginFailed, Throttled
from gateway.auth.guards import resolve_principal
from gateway.auth.principal import CurrentPrincipal, Principal, Via
from gateway.auth.service import AuthService
from gateway.web.forms import (
    AnyRequest,
    expired_signin_cookie,
    policy_of,
    signin_cookie,
    signin_csrf_ok,
    text_field,
)
from gateway.web.navigation import page_context

Auth = NamedDependency[AuthService]
SEE_OTHER: Literal[303] = 303
LOGIN_REFUSED = "The e-mail address, password or code is not right."
THROTTLED = "Too many attempts. Wait {seconds} seconds, then try again."


def next_page(principal: Principal) -> str:
    """Where a session goes next: the password change, then the TOTP enrolment, then home."""
    if principal.must_change_password:
        return "/account/password"
    if not principal.mfa_enrolled:
        return "/account/totp"
    return "/"


def throttled_message(exc: Throttled) -> str:
    return THROTTLED.format(seconds=exc.data.get("retry_after_s", 1))


def see_other(path: str, *cookies: Any) -> Redirect:
    return Redirect(path, status_code=SEE_OTHER, cookies=list(cookies))


def sign_in_form(
    request: AnyRequest, *, email: str = "", error: str | None = None, status: int = 200
) -> Template:
    """The form with a fresh pre-session CSRF token (and its cookie)."""
    nonce = tokens.new_session_secret()
    context = {"title": "Sign in", "csrf_token": tokens.csrf_token(nonce)}
    return Template(
        template_name="sign_in.html",
        context={**context, "email": email, "error": error},
        status_code=status,
        cookies=[signin_cookie(policy_of(request), nonce)],
    )


@get("/sign-in", opt={"rule": "public"})
async def sign_in_page(request: AnyRequest) -> Response[Any]:
    principal = await resolve_principal(request)
    if principal is not None and principal.via is Via.SESSION:
        return see_other(next_page(principal))
    return sign_in_form(request)


@post("/sign-in", opt={"rule": "public"}, status_code=SEE_OTHER)
async def sign_in(request: AnyRequest, auth: Auth) -> Response[Any]:
    if not await signin_csrf_ok(request):
        raise CsrfFailed
    email = await text_field(request, "email", 320)
    password = await text_field(request, "password", 128)
    code = "".join((await text_field(request, "code", 16)).split())
    policy = policy_of(request)
    try:
        signed = await auth.login(
            email=email,
            password=password,
            code=code or None,
            address=client_address(request),
            presented=request.cookies.get(policy.cookie_name),
        )
    except LoginFailed:
        return sign_in_form(request, email=email, error=LOGIN_REFUSED, status=401)
    except Throttled as exc:
        return sign_in_form(request, email=email, error=throttled_message(exc), status=429)
    session_cookie = policy.cookie(signed.session.secret)
    return see_other(next_page(signed.principal), session_cookie, expired_signin_cookie(policy))


@post("/sign-out", opt={"rule": "auth.self"}, status_code=SEE_OTHER)
async def sign_out(principal: CurrentPrincipal, auth: Auth) -> Response[Any]:
    await auth.logout(principal)
    return see_other("/sign-in", auth.config.session_policy.expired_cookie())


@get("/", opt={"rule": "authenticated"})
async def home(request: AnyRequest, principal: CurrentPrincipal) -> Template:
    """What this role can reach today: only links that work."""
    return Template(template_name="home.html", context=page_context(request, principal, "Home"))
