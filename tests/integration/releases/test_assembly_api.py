"""API v1 of packet review over HTTP: staff see progress, packet versions and content, edit
boxes and re-assemble; requesters and anonymous callers get no 2xx on any of these routes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.rules import ALL_ROLES, STAFF_ROLES, Role
from gateway.releases.models import AssemblyRun, Packet, Release, SourceRecord
from kernel.clock import FixedClock
from tests.builders import releases as b
from tests.fixtures.auth import auth_app, clock, http, make_token, make_user, session_maker

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]
__all__ = ["auth_app", "clock", "http"]  # fixtures
PDF = b"%PDF-1.7 synthetic packet bytes for the preview route\n%%EOF\n"


async def _seed(app: Litestar) -> tuple[Release, SourceRecord]:
    blobs = app.state.services.blobs
    person = b.demo_patient()
    async with session_maker(app)() as session, session.begin():
        patient = await b.create_patient(session, person)
        record = await b.create_record(session, blobs, patient, b.record_pdf(person))
        release = await b.create_release(session, patient, state="in_review", packet_version=1)
        await _packet(session, release, blobs)
    return release, record


async def _packet(session: AsyncSession, release: Release, blobs: Any) -> None:
    stored = await blobs.put(PDF, content_type="application/pdf", prefix="packets")
    now = b.NOW
    session.add(
        Packet(
            release_id=release.id,
            version=1,
            blob_key=stored.key,
            sha256=stored.sha256,
            size=stored.size,
            page_count=3,
            bates_first="R-000001",
            bates_last="R-000003",
            provenance=["generated"],
            report={"totals": {"ssn": 2}},
            engine_version="test",
            verified=True,
            created_at=now,
        )
    )
    session.add(
        AssemblyRun(
            release_id=release.id,
            version=1,
            workflow_id=f"assemble:{release.id}:1",
            state="succeeded",
            step="done",
            pages_done=2,
            pages_total=2,
            started_at=now,
            updated_at=now,
            finished_at=now,
        )
    )


def _box(record: SourceRecord, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "source_record_id": str(record.id),
        "page": 0,
        "x0": 60.0,
        "y0": 630.0,
        "x1": 560.0,
        "y1": 652.0,
    }
    return body | overrides


def _routes(
    release: Release, record: SourceRecord, box_id: uuid.UUID
) -> list[tuple[str, str, Any]]:
    base = f"/api/v1/releases/{release.id}"
    return [
        ("GET", f"{base}/progress", None),
        ("GET", f"{base}/packets", None),
        ("GET", f"{base}/packets/1/content", None),
        ("GET", f"{base}/boxes", None),
        ("POST", f"{base}/boxes", _box(record)),
        ("DELETE", f"{base}/boxes/{box_id}", None),
        ("POST", f"{base}/reassemble", None),
    ]


async def _tokens(app: Litestar, clock: FixedClock) -> dict[Role, str]:
    admin = await make_user(app, clock, role=Role.ADMIN)
    return {role: await make_token(app, clock, admin, role) for role in ALL_ROLES}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_R25_no_requester_or_anonymous_caller_gets_a_2xx_on_review_routes(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    release, record = await _seed(auth_app)
    tokens = await _tokens(auth_app, clock)
    staff = tokens[Role.SPECIALIST]
    created = await http.post(
        f"/api/v1/releases/{release.id}/boxes", json=_box(record), headers=_bearer(staff)
    )
    assert created.status_code == 201
    box_id = uuid.UUID(created.json()["id"])
    unexpected = []
    callers: dict[str, dict[str, str]] = {"anonymous": {}}
    callers |= {r.value: _bearer(t) for r, t in tokens.items() if r not in STAFF_ROLES}
    for caller, headers in callers.items():
        for method, path, body in _routes(release, record, box_id):
            response = await http.request(method, path, json=body, headers=headers)
            if response.status_code < 300 or response.status_code not in {401, 403}:
                unexpected.append((caller, method, path, response.status_code))
    assert unexpected == []
    for role in STAFF_ROLES:  # and staff do get through, on the read routes
        for method, path, _ in _routes(release, record, box_id)[:4]:
            response = await http.request(method, path, headers=_bearer(tokens[role]))
            assert response.status_code == 200, (role, path, response.status_code)


async def test_staff_see_progress_packets_and_the_preview(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    release, _ = await _seed(auth_app)
    headers = _bearer((await _tokens(auth_app, clock))[Role.SPECIALIST])
    base = f"/api/v1/releases/{release.id}"
    progress = (await http.get(f"{base}/progress", headers=headers)).json()
    assert progress["run_state"] == "succeeded"
    assert (progress["pages_done"], progress["pages_total"], progress["version"]) == (2, 2, 1)
    [packet] = (await http.get(f"{base}/packets", headers=headers)).json()
    assert (packet["version"], packet["bates_first"], packet["totals"]) == (
        1,
        "R-000001",
        {"ssn": 2},
    )
    content = await http.get(f"{base}/packets/1/content", headers=headers)
    assert content.content == PDF
    assert content.headers["content-type"] == "application/pdf"
    assert content.headers["cache-control"] == "no-store"
    missing = await http.get(f"{base}/packets/2/content", headers=headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "PACKET_NOT_FOUND")
    unknown = await http.get(f"/api/v1/releases/{uuid.uuid4()}/progress", headers=headers)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "RELEASE_NOT_FOUND")


async def test_boxes_are_checked_added_removed_and_reassembly_asks_for_version_2(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    release, record = await _seed(auth_app)
    tokens = await _tokens(auth_app, clock)
    headers = _bearer(tokens[Role.SPECIALIST])
    base = f"/api/v1/releases/{release.id}"
    for bad in (
        _box(record, page=2),
        _box(record, x1=10.0),
        _box(record, source_record_id=str(uuid.uuid4())),
    ):
        refused = await http.post(f"{base}/boxes", json=bad, headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (422, "BOX_INVALID"), bad
    sneaky = await http.post(
        f"{base}/boxes", json=_box(record, created_by=str(uuid.uuid4())), headers=headers
    )
    assert sneaky.status_code == 400
    kept = (await http.post(f"{base}/boxes", json=_box(record), headers=headers)).json()
    dropped = (await http.post(f"{base}/boxes", json=_box(record, page=1), headers=headers)).json()
    assert (await http.delete(f"{base}/boxes/{dropped['id']}", headers=headers)).status_code == 204
    again = await http.delete(f"{base}/boxes/{dropped['id']}", headers=headers)
    assert again.status_code == 404
    assert [x["id"] for x in (await http.get(f"{base}/boxes", headers=headers)).json()] == [
        kept["id"]
    ]

    response = await http.post(f"{base}/reassemble", headers=headers)
    assert response.status_code == 202
    assert response.json() == {"version": 2, "release_state": "assembling", "workflow_id": None}
    second = await http.post(f"{base}/reassemble", headers=headers)
    assert (second.status_code, second.json()["code"]) == (409, "REVIEW_NOT_OPEN")
    late_box = await http.post(f"{base}/boxes", json=_box(record), headers=headers)
    assert late_box.status_code == 409
    async with session_maker(auth_app)() as session:
        row = await session.get(Release, release.id)
        assert row is not None
        assert (row.state, row.packet_version) == ("assembling", 2)
        assert row.plan_edited_by is not None
