"""The authorization matrix over every route of the app (R24-R27, SECURITY attacks on object
ids): each route is called by outsiders (anonymous, a forged/expired session, a bearer token
that is not ours, requesters and their integration tokens of ANOTHER organisation) with the ids
of one organisation's real objects in its path. Result: 0 unexpected 2xx and no 5xx.

Routes come from ``app.routes``: a new route is covered automatically, and a path parameter this
table does not know fails the test with its name, asking to be taught.

Bodies here are ``{}``: enough for the role guards, which refuse before a body is read, but a
route the outsider's role does hold may refuse the empty body (400) before it looks the object
up. Those routes are the requester's own on another organisation's release; each has a test that
sends the owner's valid body and expects 404 with nothing changed:
``tests/integration/requests/test_answer.py::test_refusals_store_and_change_nothing`` (API
answer), ``tests/integration/portal/test_portal_pages.py::
test_another_organisations_request_is_not_found`` (portal answer and pages), and
``tests/integration/links/test_link_actions.py::
test_requester_downloads_its_own_organisations_release_only`` (the requester download) and
``tests/integration/portal/test_portal_download.py`` (the portal download)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar

from gateway.auth.guards import rule_of
from gateway.auth.rules import Role, capability, holds
from tests.builders.approval import create_release
from tests.fixtures.auth import auth_app, clock, http, make_user, sign_in
from tests.integration.links.test_delivery_flow import _approved_release, _mailed_tokens
from tests.integration.queue.conftest import Person, World, world

__all__ = ["auth_app", "clock", "http", "world"]
pytestmark = [pytest.mark.db, pytest.mark.timeout(300)]
SESSION_COOKIE = "__Host-roi_session"
PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
# Routes whose authority is not the caller: the signed link token (rule link.holder) or nothing.
TOKEN_AUTHORITY = {"link.holder"}


def routes(app: Litestar) -> list[tuple[str, str, str]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            rule = rule_of(handler)
            assert rule is not None, route.path
            for method in sorted(set(handler.http_methods) - {"HEAD", "OPTIONS"}):
                found.append((method, route.path, rule))
    return found


def fill(path: str, objects: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in objects:
            pytest.fail(f"route {path}: teach this test the path parameter {name!r}")
        return objects[name]

    return PARAM.sub(one, path)


async def _seed(world: World) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Organisation A's objects, and the outsiders' credentials."""
    preparer = await world.person(Role.SPECIALIST)
    approver = await world.person(Role.SPECIALIST)
    requester_a = await make_user(world.app, world.clock, role=Role.ATTORNEY)
    release = await _approved_release(world, preparer.user.id)
    approved = await approver.act(release, "approve")
    assert approved.status_code == 200, approved.text
    (link_token,) = _mailed_tokens(world.app.state.services.settings.data_dir / "outbox")
    links = await approver.get(f"/api/v1/queue/{release.id}/links")
    assert links.status_code == 200, links.text
    items = links.json()
    link_id = (items["items"] if isinstance(items, dict) else items)[0]["id"]
    other = await world.run(
        lambda s: create_release(
            s, opened_by=preparer.user.id, organisation_id=requester_a.organisation_id
        )
    )
    objects = {
        "release_id": str(other.id),
        "patient_id": str(other.patient_id),
        "link_id": str(link_id),
        "user_id": str(requester_a.id),
        "version": "1",
        "token": link_token,
        # not yet seeded as real objects of organisation A (staff-only routes: the role
        # check refuses outsiders before any lookup): a fresh id
        "record_id": str(uuid.uuid4()),
        "box_id": str(uuid.uuid4()),
        "vendor_id": str(uuid.uuid4()),
        "baa_id": str(uuid.uuid4()),
        "token_id": str(uuid.uuid4()),
        "file_path": "web/site.css",
        "path": "swagger",
    }
    outsiders: dict[str, dict[str, str]] = {
        "anonymous": {},
        "forged session": {"Cookie": "__Host-roi_session=" + "A" * 43},
        "unknown bearer": {"Authorization": "Bearer roi_" + "0" * 40},
    }
    for role in (Role.ATTORNEY, Role.PAYER):
        person: Person = await world.person(role)  # a token of a new organisation of its kind
        outsiders[f"{role.value} token of another org"] = person.headers
        outsiders[f"{role.value} session of another org"] = await _session(world, role, True)
    outsiders["attorney session before first sign-in is done"] = await _session(
        world, Role.ATTORNEY, False
    )
    # the ids are real: staff (who hold the rules) see these very objects
    for url in (
        f"/api/v1/queue/{objects['release_id']}",
        f"/api/v1/patients/{objects['patient_id']}/accounting",
    ):
        seen = await approver.get(url)
        assert seen.status_code == 200, (url, seen.status_code)
    return objects, outsiders


async def _session(world: World, role: Role, ready: bool) -> dict[str, str]:
    """Cookie and CSRF headers of a fresh session of a new user (its own organisation)."""
    user = await make_user(world.app, world.clock, role=role, ready=ready)
    response = await sign_in(world.client, user, world.clock)
    assert response.status_code == 200, response.text
    cookie = world.client.cookies.get(SESSION_COOKIE)
    assert cookie, response.headers
    world.client.cookies.clear()  # the other callers must not inherit it
    csrf = response.json().get("csrf_token", "")
    return {"Cookie": f"{SESSION_COOKIE}={cookie}", "X-CSRF-Token": csrf}


async def _calls(
    world: World,
    objects: dict[str, str],
    outsiders: dict[str, dict[str, str]],
    *,
    strict: bool = False,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int]:
    unexpected, crashed, calls = [], [], 0
    for method, template, rule in routes(world.app):
        cap = capability(rule)
        assert cap is not None, (template, rule)
        if cap.anonymous or rule in TOKEN_AUTHORITY:
            continue
        path = fill(template, objects)
        body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
        for who, headers in outsiders.items():
            response = await world.client.request(method, path, headers=headers, json=body)
            calls += 1
            if response.status_code >= 500:
                crashed.append((who, method, template, response.status_code))
            if response.is_success and strict:
                unexpected.append((who, method, template, response.status_code))
            elif response.is_success:
                role = who.split(" ")[0]
                mine = role in {"attorney", "payer"} and holds(Role(role), rule)
                if mine and not PARAM.search(template) and "before" not in who:
                    # no object id: an answer about the caller's own organisation or self
                    assert objects["release_id"] not in response.text, (who, template)
                    continue
                if "before" in who and rule in {"auth.self", "authenticated"}:
                    continue  # finishing the first sign-in: password and TOTP set-up, sign-out
                unexpected.append((who, method, template, response.status_code))
    return unexpected, crashed, calls


async def test_R24_R26_no_outsider_gets_a_2xx_on_another_orgs_objects(world: World) -> None:
    objects, outsiders = await _seed(world)
    unexpected, crashed, calls = await _calls(world, objects, outsiders)
    assert calls > 300
    assert not crashed, crashed
    assert not unexpected, unexpected

    # the same sessions once expired (the clock moves past every session and token lifetime)
    world.clock.set(world.clock.now() + timedelta(days=400))
    expired = {who: h for who, h in outsiders.items() if "Cookie" in h}
    unexpected, crashed, calls = await _calls(world, objects, expired, strict=True)
    assert calls > 100
    assert not crashed, crashed
    assert not unexpected, unexpected
