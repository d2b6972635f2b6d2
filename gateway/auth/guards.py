"""Deny by default: one app-level guard that resolves the principal and checks the route's rule,
and a startup check that every route names a known rule.

Order of checks on each request: the route's rule (unknown: refused); cross-site unsafe requests
(refused); anonymous rules (only on the anchored public allowlist); the principal (session
cookie or ``Authorization: Bearer roi_...``; none: 401); CSRF for cookie-authenticated unsafe
requests (403); the pending password change, then the pending TOTP enrolment (403); the role's
capability (403).
"""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Litestar
from litestar.connection import ASGIConnection, Request
from litestar.handlers.base import BaseRouteHandler

from gateway.auth import tokens
from gateway.auth.errors import (
    AuthRequired,
    CsrfFailed,
    Forbidden,
    MfaEnrolmentRequired,
    PasswordChangeRequired,
    RouteWithoutRule,
)
from gateway.auth.principal import Principal, Via
from gateway.auth.rules import Capability, capability, is_public_path
from gateway.auth.service import AuthConfig, AuthService

log = structlog.get_logger()

AUTH_STATE = "roi_auth"
PRINCIPAL_STATE = "roi_principal"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
AUTO_OPTIONS_RULE = "authenticated"  # Litestar's automatic OPTIONS handler: no anonymous probing


def rule_of(handler: BaseRouteHandler) -> str | None:
    rule = handler.opt.get("rule")
    if rule is None and _is_auto_options(handler):
        return AUTO_OPTIONS_RULE
    return rule if isinstance(rule, str) else None


def _is_auto_options(handler: BaseRouteHandler) -> bool:
    methods: set[str] = set(getattr(handler, "http_methods", ()))
    return methods == {"OPTIONS"} and handler.handler_name == "options_handler"


async def access_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: Any) -> None:
    cap = _capability(handler)
    unsafe = connection.scope.get("method", "GET") not in SAFE_METHODS
    if unsafe and connection.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfFailed
    if cap.anonymous:
        if not is_public_path(connection.scope["path"]):
            raise Forbidden
        return
    principal = await resolve_principal(connection)
    if principal is None:
        raise AuthRequired
    connection.state[PRINCIPAL_STATE] = principal
    if unsafe and principal.via is Via.SESSION:
        await _check_csrf(connection)
    if not cap.before_password_change:
        if principal.must_change_password:
            raise PasswordChangeRequired
        if not principal.mfa_enrolled:
            raise MfaEnrolmentRequired
    if principal.role not in cap.roles:
        raise Forbidden


def _capability(handler: BaseRouteHandler) -> Capability:
    rule = rule_of(handler)
    cap = capability(rule) if rule else None
    if cap is None:
        log.error("auth.route_without_rule", handler=handler.handler_name)
        raise Forbidden
    return cap


def auth_config(connection: ASGIConnection[Any, Any, Any, Any]) -> AuthConfig:
    config = connection.app.state[AUTH_STATE]
    assert isinstance(config, AuthConfig)  # noqa: S101 - set by AuthPlugin at start
    return config


async def resolve_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """A bearer integration token if one is sent, else the session cookie; never both."""
    config = auth_config(connection)
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    cookie = connection.cookies.get(config.session_policy.cookie_name)
    if not scheme and not cookie:
        return None
    async with config.session_maker() as session, session.begin():
        service = AuthService(session, config)
        if scheme:
            bearer = scheme.lower() == "bearer"
            return await service.resolve_token(value.strip()) if bearer else None
        return await service.resolve_session(cookie or "")


async def _check_csrf(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    config = auth_config(connection)
    secret = connection.cookies.get(config.session_policy.cookie_name, "")
    presented = connection.headers.get(CSRF_HEADER)
    content_type = connection.headers.get("content-type", "")
    is_form = content_type.startswith(FORM_TYPES) and isinstance(connection, Request)
    if presented is None and is_form:
        field = (await connection.form()).get(CSRF_FIELD)  # type: ignore[attr-defined]
        presented = field if isinstance(field, str) else None
    if not tokens.csrf_matches(secret, presented):
        log.info("auth.csrf_refused")
        raise CsrfFailed


def check_routes(app: Litestar) -> None:
    """Startup check: every route names a known rule, and anonymous rules sit only on the
    anchored public allowlist. Raises :class:`RouteWithoutRule` naming the path."""
    for route in app.routes:
        handlers = getattr(route, "route_handlers", None) or [getattr(route, "route_handler")]  # noqa: B009
        for handler in handlers:
            rule = rule_of(handler)
            cap = capability(rule) if rule else None
            if cap is None:
                raise RouteWithoutRule(f"route {route.path} names no known rule")
            if cap.anonymous and not is_public_path(route.path):
                raise RouteWithoutRule(f"public route {route.path} is not on the allowlist")
