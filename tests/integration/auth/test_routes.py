"""Deny by default (R24, R25): every route of the app names a rule; without credentials each
non-public route answers 401; each role gets 403 exactly where the roles table says no.
The public allowlist is anchored: look-alike paths are not let through."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware
from litestar.testing import AsyncTestClient, TestClient

from gateway.auth import AuthPlugin
from gateway.auth.errors import RouteWithoutRule
from gateway.auth.guards import check_routes, rule_of
from gateway.auth.rules import ALL_ROLES, Role, capability, holds
from gateway.errors import exception_handlers
from gateway.settings import Settings
from kernel.clock import FixedClock
from tests.fixtures.auth import BASE_URL, START, make_token, make_user

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]
PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


def _concrete(path: str) -> str:
    """A request path for a route template: a random id for every parameter."""
    return PARAM.sub(lambda m: "1" if m.group(2) == "int" else str(uuid.uuid4()), path)


def every_route(app: Litestar) -> Iterator[tuple[str, str, str]]:
    """(method, request path, rule) for every handler and method the app serves."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            rule = rule_of(handler)
            assert rule is not None, route.path
            for method in sorted(handler.http_methods):
                yield method, _concrete(route.path), rule


async def test_R24_every_non_public_route_answers_401_without_credentials(
    http: Client, auth_app: Litestar
) -> None:
    checked = 0
    for method, path, rule in every_route(auth_app):
        cap = capability(rule)
        assert cap is not None, (method, path, rule)
        response = await http.request(method, path)
        if cap.anonymous:
            assert response.status_code != 401, (method, path)
        else:
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["code"] == "AUTH_REQUIRED"
            checked += 1
    assert checked >= 9  # the access endpoints at least; later issues add more


async def test_R25_each_role_is_refused_exactly_where_the_roles_table_says_no(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    tokens = {role: await make_token(auth_app, clock, admin, role) for role in ALL_ROLES}
    refusals = 0
    for method, path, rule in every_route(auth_app):
        for role, token in tokens.items():
            headers = {"Authorization": f"Bearer {token}"}
            response = await http.request(method, path, headers=headers)
            guard_refused = response.status_code == 403 and response.json()["code"] == "FORBIDDEN"
            assert response.status_code != 401, (role, method, path)
            assert guard_refused is not holds(role, rule) or capability(rule).anonymous, (  # type: ignore[union-attr]
                role,
                method,
                path,
                response.status_code,
            )
            refusals += guard_refused
    assert refusals > 0


def _app(settings: Settings, *handlers: Any) -> Litestar:
    return Litestar(
        route_handlers=list(handlers),
        plugins=[AuthPlugin(settings, clock=FixedClock(START))],
        exception_handlers=exception_handlers(),
        openapi_config=None,
    )


@get("/api/v1/health-export", opt={"rule": "public"}, sync_to_thread=False)
def public_lookalike() -> dict[str, str]:
    return {"export": "everything"}


@get("/api/v1/health-export", opt={"rule": "settings.view"}, sync_to_thread=False)
def guarded_lookalike() -> dict[str, str]:
    return {"export": "everything"}


@get("/api/v1/health-export", sync_to_thread=False)
def ruleless() -> dict[str, str]:
    return {"export": "everything"}


def test_R24_a_public_rule_off_the_anchored_allowlist_fails_the_start(tmp_path: Path) -> None:
    with pytest.raises(RouteWithoutRule):
        check_routes(_app(Settings(data_dir=tmp_path), public_lookalike))


def test_R24_a_route_without_a_rule_fails_the_start(tmp_path: Path) -> None:
    app = _app(Settings(data_dir=tmp_path), ruleless)
    with pytest.raises(RouteWithoutRule):
        check_routes(app)
    with pytest.raises(ExceptionGroup) as caught, TestClient(app, base_url=BASE_URL):
        pass
    assert caught.group_contains(RouteWithoutRule)


def test_R24_a_health_lookalike_path_is_not_let_through(tmp_path: Path) -> None:
    with TestClient(_app(Settings(data_dir=tmp_path), guarded_lookalike), base_url=BASE_URL) as c:
        response = c.get("/api/v1/health-export")
    assert response.status_code == 401


class _DenyAll(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        raise NotAuthorizedException


def test_litestar_auth_exclude_is_unanchored_which_is_why_it_is_not_used(tmp_path: Path) -> None:
    """The reason for our own allowlist: ``exclude=["/health"]`` also excludes
    ``/api/v1/health-export`` (a regex search, not a match of the whole path)."""
    middleware = DefineMiddleware(_DenyAll, exclude=["/health"])
    app = Litestar(route_handlers=[ruleless], middleware=[middleware], openapi_config=None)
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/api/v1/health-export").status_code == 200
