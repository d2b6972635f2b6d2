"""Posted forms: bounded text fields, and the CSRF tokens the forms carry.

Signed-in forms carry the session's synchronizer token (``gateway.auth.tokens.csrf_token`` of the
session cookie) in the ``csrf_token`` field; the app-level guard checks it. The sign-in form has
no session yet: it carries the same kind of token derived from a random pre-session cookie, set
by ``GET /sign-in`` and checked by the sign-in handler (login CSRF).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.exceptions import ValidationException

from gateway.auth import tokens
from gateway.auth.guards import CSRF_FIELD, auth_config
from gateway.auth.sessions import SessionPolicy

SIGNIN_COOKIE_SECURE = "__Host-roi_signin"
SIGNIN_COOKIE_PLAIN = "roi_signin"
SIGNIN_COOKIE_AGE = 3600

AnyRequest = Request[Any, Any, Any]


def policy_of(request: AnyRequest) -> SessionPolicy:
    return auth_config(request).session_policy


async def text_field(request: AnyRequest, name: str, max_length: int) -> str:
    """A posted text field, or ``""``; longer than ``max_length`` is a 400 (echoes nothing)."""
    value = (await request.form()).get(name)
    if not isinstance(value, str):
        return ""
    if len(value) > max_length:
        raise ValidationException("field too long")
    return value


def session_csrf(request: AnyRequest) -> str:
    """The CSRF token of the request's session, for the forms of a signed-in page."""
    return tokens.csrf_token(request.cookies.get(policy_of(request).cookie_name, ""))


def _signin_cookie_name(policy: SessionPolicy) -> str:
    return SIGNIN_COOKIE_SECURE if policy.secure else SIGNIN_COOKIE_PLAIN


def signin_cookie(policy: SessionPolicy, nonce: str, *, max_age: int = SIGNIN_COOKIE_AGE) -> Cookie:
    return Cookie(
        key=_signin_cookie_name(policy),
        value=nonce,
        max_age=max_age,
        path="/",
        secure=policy.secure,
        httponly=True,
        samesite="strict",
    )


def expired_signin_cookie(policy: SessionPolicy) -> Cookie:
    return signin_cookie(policy, "", max_age=0)


async def signin_csrf_ok(request: AnyRequest) -> bool:
    nonce = request.cookies.get(_signin_cookie_name(policy_of(request)), "")
    presented = await text_field(request, CSRF_FIELD, 128)
    return bool(nonce) and tokens.csrf_matches(nonce, presented)
