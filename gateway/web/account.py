"""First sign-in and account pages: choose a new password, enrol the TOTP authenticator.

Both are open to a session that still has to do them (rule ``auth.self``); each success is a
credential change, so the service ends every session of the user and issues a new one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from litestar import Response, get, post
from litestar.response import Template

from gateway.auth.errors import LoginFailed, Throttled, WeakPassword
from gateway.auth.passwords import MAX_LENGTH, MIN_LENGTH
from gateway.auth.principal import CurrentPrincipal
from gateway.web.forms import AnyRequest, policy_of, session_csrf, text_field
from gateway.web.pages import Auth, next_page, see_other, throttled_message
from gateway.web.qr import qr_svg_data_uri

WRONG_CURRENT = "The current password is not right."
DIFFERENT = "The two new passwords are not the same."
WEAK = f"Choose a password of {MIN_LENGTH} to {MAX_LENGTH} characters, not the current one."
WRONG_CODE = "That code was not accepted. Enter the code your app shows now."


def password_form(
    request: AnyRequest, first: bool, *, error: str | None = None, status: int = 200
) -> Template:
    context: dict[str, object] = {"title": "Choose a password", "first": first}
    context["min_length"] = MIN_LENGTH
    context |= {"error": error, "csrf_token": session_csrf(request), "max_length": MAX_LENGTH}
    return Template(template_name="password.html", context=context, status_code=status)


@get("/account/password", opt={"rule": "auth.self"})
async def password_page(request: AnyRequest, principal: CurrentPrincipal) -> Template:
    return password_form(request, principal.must_change_password)


@post("/account/password", opt={"rule": "auth.self"}, status_code=303)
async def change_password(
    request: AnyRequest, principal: CurrentPrincipal, auth: Auth
) -> Response[Any]:
    current = await text_field(request, "current_password", MAX_LENGTH)
    new = await text_field(request, "new_password", MAX_LENGTH)
    first = principal.must_change_password
    if new != await text_field(request, "confirm_password", MAX_LENGTH):
        return password_form(request, first, error=DIFFERENT, status=422)
    try:
        signed = await auth.change_password(principal, current_password=current, new_password=new)
    except LoginFailed:
        return password_form(request, first, error=WRONG_CURRENT, status=401)
    except WeakPassword:
        return password_form(request, first, error=WEAK, status=422)
    except Throttled as exc:
        return password_form(request, first, error=throttled_message(exc), status=429)
    cookie = policy_of(request).cookie(signed.session.secret)
    return see_other(next_page(signed.principal), cookie)


def secret_of(uri: str) -> str:
    """The base32 secret of an otpauth URI, in groups of four for typing by hand."""
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_form(
    request: AnyRequest, uri: str, *, error: str | None = None, status: int = 200
) -> Template:
    context: dict[str, object] = {"title": "Set up your authenticator", "qr": qr_svg_data_uri(uri)}
    context |= {"secret": secret_of(uri), "error": error, "csrf_token": session_csrf(request)}
    return Template(template_name="totp.html", context=context, status_code=status)


@get("/account/totp", opt={"rule": "auth.self"})
async def totp_page(request: AnyRequest, principal: CurrentPrincipal, auth: Auth) -> Response[Any]:
    """The QR code of a not yet enrolled secret; once enrolled it is never shown again."""
    if principal.must_change_password:
        return see_other("/account/password")
    uri = await auth.enrolment_uri(principal)
    return see_other("/") if uri is None else totp_form(request, uri)


@post("/account/totp", opt={"rule": "auth.self"}, status_code=303)
async def confirm_totp(
    request: AnyRequest, principal: CurrentPrincipal, auth: Auth
) -> Response[Any]:
    if principal.must_change_password:
        return see_other("/account/password")
    code = "".join((await text_field(request, "code", 16)).split())
    try:
        signed = await auth.confirm_totp(principal, code=code)
    except (LoginFailed, Throttled) as exc:
        uri = await auth.enrolment_uri(principal)
        if uri is None:
            return see_other("/")
        if isinstance(exc, Throttled):
            return totp_form(request, uri, error=throttled_message(exc), status=429)
        return totp_form(request, uri, error=WRONG_CODE, status=401)
    return see_other("/", policy_of(request).cookie(signed.session.secret))
