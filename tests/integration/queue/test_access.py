"""Who may use the queue (R24, R25): staff only. Every role and an anonymous caller against every
route of the queue, with real ids and valid bodies: 0 unexpected 2xx. And no route of the API
puts PHI in a URL: path parameters are ids, query parameters are PHI-free filters, and the patient
search is a POST body."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.guards import rule_of
from gateway.auth.rules import ALL_ROLES, Role, holds
from gateway.releases.models import Release
from tests.builders.approval import TODAY, create_release
from tests.integration.queue.conftest import QUEUE, World

pytestmark = [pytest.mark.db, pytest.mark.timeout(240)]
PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
PHI_WORDS = ("mrn", "name", "birth", "dob", "ssn", "phone", "email", "address")
QUEUE_QUERY = {
    "state",
    "tab",
    "requester_type",
    "sensitive",
    "assignee_id",
    "unassigned",
    "due_before",
    "due_after",
    "sort",
    "limit",
    "cursor",
}


def queue_routes(app: Litestar) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if not route.path.startswith(QUEUE):
            continue
        for handler in getattr(route, "route_handlers", []):
            methods = set(handler.http_methods) - {"HEAD"}
            if methods == {"OPTIONS"}:
                continue  # Litestar's automatic OPTIONS handler
            # revoking a release's links has a rule of its own, held by the same staff roles
            assert rule_of(handler) in {"releases.review", "links.revoke"}, route.path
            found += [(method, route.path) for method in methods]
    return sorted(found)


def body_for(path: str, release: Release, assignee: uuid.UUID) -> dict[str, Any] | None:
    version = release.row_version
    bodies: dict[str, dict[str, Any]] = {
        "approve": {"row_version": version},
        "deny": {"row_version": version, "reason_code": "DENY_DUPLICATE"},
        "hold": {
            "row_version": version,
            "reason_code": "HOLD_PAYMENT",
            "follow_up_on": (TODAY + timedelta(days=5)).isoformat(),
        },
        "reassign": {"row_version": version, "assignee_id": str(assignee)},
        "bulk-approve": {"items": [{"release_id": str(release.id), "row_version": version}]},
        "search": {"mrn": "SYN-00000001"},
        "resume": {"row_version": version},
        "revoke": {"reason_code": "SENT_IN_ERROR"},
    }
    return bodies.get(path.rsplit("/", 1)[-1])


async def test_R25_every_role_and_anonymous_against_every_queue_route(world: World) -> None:
    routes = queue_routes(world.app)
    assert len(routes) == 12, routes
    owner = await world.person(Role.SPECIALIST)
    callers = {role: await world.person(role) for role in ALL_ROLES}

    unexpected: list[tuple[str, str, str, int]] = []
    staff_ok = 0
    for method, template in routes:
        # only a held release can be resumed; every other action starts from in_review
        state = "on_hold" if template.endswith("/resume") else "in_review"

        async def seed(session: AsyncSession, state: str = state) -> Release:
            org_id = callers[Role.ATTORNEY].user.organisation_id
            return await create_release(
                session, opened_by=owner.user.id, organisation_id=org_id, state=state
            )

        for who in [None, *ALL_ROLES]:
            release = await world.run(seed)  # a fresh one: a staff call may move it
            path = PARAM.sub(str(release.id), template)
            body = body_for(path, release, owner.user.id) if method == "POST" else None
            headers = callers[who].headers if who else {}
            response = await world.client.request(method, path, json=body, headers=headers)
            allowed = who is not None and holds(who, "releases.review")
            if response.is_success and not allowed:
                unexpected.append((str(who), method, template, response.status_code))
            if who is None:
                assert response.status_code == 401, (method, template)
            elif not allowed:
                assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN")
            else:
                assert response.is_success, (who, method, template, response.text)
                staff_ok += 1
    assert unexpected == []
    assert staff_ok == len(routes) * 2


async def test_a_requester_cannot_reach_even_its_own_organisations_release(
    world: World,
) -> None:
    attorney = await world.person(Role.ATTORNEY)
    staff = await world.person()

    async def seed(session: AsyncSession) -> Release:
        return await create_release(
            session, opened_by=staff.user.id, organisation_id=attorney.user.organisation_id
        )

    release = await world.run(seed)
    assert (await attorney.get(f"{QUEUE}/{release.id}")).status_code == 403
    assert (await attorney.act(release, "approve")).status_code == 403
    assert (await world.release(release.id)).state == "in_review"


def test_no_route_of_the_api_puts_phi_in_its_url(auth_app: Litestar) -> None:
    for route in auth_app.routes:
        for name, kind in PARAM.findall(route.path):
            assert kind in {"uuid", "int", "path", "str"}, route.path
            assert not any(word in name.lower() for word in PHI_WORDS), route.path
        for handler in getattr(route, "route_handlers", []):
            if not route.path.startswith("/api/") or set(handler.http_methods) == {"OPTIONS"}:
                continue
            query = _query_names(handler, {n for n, _ in PARAM.findall(route.path)})
            assert not any(w in q.lower() for q in query for w in PHI_WORDS), (route.path, query)
            if route.path == QUEUE:
                assert query == QUEUE_QUERY
    search = [r for r in auth_app.routes if r.path == f"{QUEUE}/search"]
    methods = {m for r in search for h in r.route_handlers for m in h.http_methods}
    assert methods == {"POST", "OPTIONS"}  # never GET: the search terms are PHI


def _query_names(handler: Any, path_names: set[str]) -> set[str]:
    """The query parameter names a handler reads (not its body, dependencies or path)."""
    skip = {"self", "data", "request", "state", "scope", *handler.resolve_dependencies()}
    names: set[str] = set()
    for field in handler.parsed_fn_signature.parameters.values():
        if field.name in skip or field.name in path_names:
            continue
        kwarg = field.kwarg_definition
        names.add(getattr(kwarg, "name", None) or field.name)
    return names
