"""The queue list (filters, sorting, keyset pagination), the patient search by POST, and the
detail a reviewer sees."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.rules import Role
from gateway.releases.models import Release
from tests.builders.approval import (
    NOW,
    TODAY,
    create_organisation,
    create_patient,
    create_release,
)
from tests.integration.queue.conftest import QUEUE, Person, World

pytestmark = [pytest.mark.db, pytest.mark.timeout(180)]


@pytest.fixture
async def reviewer(world: World) -> Person:
    return await world.person(Role.SPECIALIST)


async def seed(world: World, **fields: Any) -> Release:
    fields.setdefault("opened_by", uuid.UUID("00000000-0000-4000-8000-0000000000bb"))

    async def build(session: AsyncSession) -> Release:
        return await create_release(session, **fields)

    return await world.run(build)


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()["items"]]


class TestFilters:
    async def test_each_filter_narrows_the_list(self, world: World, reviewer: Person) -> None:
        attorneys = await world.run(create_organisation)

        async def payer_org(session: AsyncSession) -> Any:
            return await create_organisation(session, "payer")

        payers = await world.run(payer_org)
        colleague = await world.person()
        a = await seed(world, organisation_id=attorneys.id, due_on=TODAY + timedelta(days=2))
        b = await seed(world, organisation_id=payers.id, sensitive=True)
        c = await seed(world, state="on_hold", assignee_id=colleague.user.id)
        d = await seed(world, state="approved", organisation_id=attorneys.id)
        e = await seed(world, state="received", due_on=TODAY + timedelta(days=30))
        cases: list[tuple[dict[str, Any], set[Release]]] = [
            ({}, {a, b, c, d, e}),
            ({"state": "in_review"}, {a, b}),
            ({"state": ["on_hold", "approved"]}, {c, d}),
            ({"tab": "ready"}, {d}),
            ({"tab": "new"}, {e}),
            ({"requester_type": "attorney"}, {a, d}),
            ({"requester_type": "payer"}, {b}),
            ({"requester_type": "individual"}, {c, e}),
            ({"sensitive": "true"}, {b}),
            ({"sensitive": "false"}, {a, c, d, e}),
            ({"assignee_id": str(colleague.user.id)}, {c}),
            ({"unassigned": "true"}, {a, b, d, e}),
            ({"due_before": (TODAY + timedelta(days=2)).isoformat()}, {a}),
            ({"due_after": (TODAY + timedelta(days=11)).isoformat()}, {e}),
        ]
        for params, expected in cases:
            got = set(ids(await reviewer.get(QUEUE, **params)))
            assert got == {str(r.id) for r in expected}, params

    async def test_a_work_order_is_of_requester_type_vendor(
        self, world: World, reviewer: Person
    ) -> None:
        admin = await world.person(Role.ADMIN)
        vendor = await admin.post(
            "/api/v1/vendors", {"name": "Scan Co (synthetic)", "kind": "copy"}
        )
        order = await seed(world, vendor_id=uuid.UUID(vendor.json()["id"]), basis_type="none")
        await seed(world)
        rows = (await reviewer.get(QUEUE, requester_type="vendor")).json()["items"]
        assert [(r["id"], r["requester_type"]) for r in rows] == [(str(order.id), "vendor")]

    async def test_unknown_filter_values_are_refused(self, reviewer: Person) -> None:
        for params in (
            {"state": "lost"},
            {"requester_type": "anyone"},
            {"sort": "name"},
            {"limit": "0"},
            {"limit": "201"},
            {"due_before": "yesterday"},
        ):
            response = await reviewer.get(QUEUE, **params)
            assert response.status_code == 400, params


class TestRows:
    async def test_a_row_shows_days_left_overdue_and_open_findings(
        self, world: World, reviewer: Person
    ) -> None:
        findings = [{"code": "AUTH_FALSE_INFO"}, {"code": "X", "resolved": True}]
        late = await seed(world, due_on=TODAY - timedelta(days=3), findings=findings)
        row = (await reviewer.get(QUEUE)).json()["items"][0]
        assert row == {
            "id": str(late.id),
            "reference": late.reference,
            "state": "in_review",
            "tab": "in_review",
            "due_on": (TODAY - timedelta(days=3)).isoformat(),
            "days_left": -3,
            "overdue": True,
            "requester_type": "individual",
            "sensitive": False,
            "assignee_id": None,
            "open_findings": 1,
        }


class TestSortingAndPaging:
    async def _seed_many(self, world: World) -> list[Release]:
        dues = [5, 1, 3, 3, 3, 8, 1, 2, 9]
        return [
            await seed(
                world,
                due_on=TODAY + timedelta(days=d),
                created_at=NOW + timedelta(minutes=i),
            )
            for i, d in enumerate(dues)
        ]

    async def _walk(self, reviewer: Person, sort: str, limit: int) -> list[str]:
        seen: list[str] = []
        cursor: str | None = None
        for _ in range(20):
            params: dict[str, Any] = {"sort": sort, "limit": limit}
            if cursor:
                params["cursor"] = cursor
            response = await reviewer.get(QUEUE, **params)
            seen += ids(response)
            cursor = response.json()["next_cursor"]
            if cursor is None:
                return seen
        raise AssertionError("the cursor never ended")

    async def test_pages_by_due_date_both_ways_without_drops_or_repeats(
        self, world: World, reviewer: Person
    ) -> None:
        releases = await self._seed_many(world)
        key = sorted(releases, key=lambda r: (r.due_on, r.id.hex))
        for limit in (1, 2, 4, 50):
            assert await self._walk(reviewer, "due_on", limit) == [str(r.id) for r in key]
        backwards = await self._walk(reviewer, "-due_on", 2)
        assert backwards == [str(r.id) for r in reversed(key)]

    async def test_pages_by_creation_time(self, world: World, reviewer: Person) -> None:
        releases = await self._seed_many(world)
        assert await self._walk(reviewer, "created_at", 3) == [str(r.id) for r in releases]
        assert await self._walk(reviewer, "-created_at", 4) == [
            str(r.id) for r in reversed(releases)
        ]

    async def test_pages_by_creation_time_through_ties_both_ways(
        self, world: World, reviewer: Person
    ) -> None:
        """Equal creation times: the page boundary falls inside the tie (the row-value cursor
        compares the id too), so nothing is dropped or repeated either way."""
        minutes = [0, 1, 1, 1, 1, 2, 2, 3]
        releases = [await seed(world, created_at=NOW + timedelta(minutes=m)) for m in minutes]
        key = sorted(releases, key=lambda r: (r.created_at, r.id.hex))
        for limit in (1, 2, 3):
            assert await self._walk(reviewer, "created_at", limit) == [str(r.id) for r in key]
            assert await self._walk(reviewer, "-created_at", limit) == [
                str(r.id) for r in reversed(key)
            ]

    async def test_a_cursor_not_made_by_the_server_or_for_another_sort_is_refused(
        self, world: World, reviewer: Person
    ) -> None:
        await self._seed_many(world)
        cursor = (await reviewer.get(QUEUE, limit=2)).json()["next_cursor"]
        assert cursor
        other_sort = await reviewer.get(QUEUE, sort="created_at", cursor=cursor)
        assert (other_sort.status_code, other_sort.json()["code"]) == (400, "CURSOR_INVALID")
        garbage = await reviewer.get(QUEUE, cursor="not-a-cursor")
        assert (garbage.status_code, garbage.json()["code"]) == (400, "CURSOR_INVALID")


class TestSearch:
    async def test_a_patient_is_found_by_mrn_or_by_name_and_birth_date_in_the_body(
        self, world: World, reviewer: Person
    ) -> None:
        async def patient(session: AsyncSession) -> Any:
            return await create_patient(
                session, mrn="SYN-424242", family_name="Testperson", birth_date=date(1980, 5, 6)
            )

        found = await world.run(patient)
        mine = await seed(world, patient=found)
        await seed(world)  # another patient's release
        by_mrn = await reviewer.post(f"{QUEUE}/search", {"mrn": "SYN-424242"})
        assert ids(by_mrn) == [str(mine.id)]
        by_name = await reviewer.post(
            f"{QUEUE}/search", {"family_name": "testperson", "birth_date": "1980-05-06"}
        )
        assert ids(by_name) == [str(mine.id)]
        wrong_dob = await reviewer.post(
            f"{QUEUE}/search", {"family_name": "Testperson", "birth_date": "1980-05-07"}
        )
        assert ids(wrong_dob) == []

    async def test_a_search_needs_an_mrn_or_a_name_with_a_birth_date(
        self, reviewer: Person
    ) -> None:
        name_only = await reviewer.post(f"{QUEUE}/search", {"family_name": "Testperson"})
        assert (name_only.status_code, name_only.json()["code"]) == (422, "SEARCH_INVALID")
        unknown = await reviewer.post(f"{QUEUE}/search", {"ssn": "000-00-0000"})
        assert unknown.status_code == 400
        assert "000-00-0000" not in unknown.text


class TestDetail:
    async def test_the_detail_shows_findings_exclusions_packets_report_and_provenance(
        self, world: World, reviewer: Person
    ) -> None:
        findings = [{"code": "AUTH_FALSE_INFO", "severity": "hold"}]
        release = await seed(world, findings=findings, sensitive=True)
        response = await reviewer.get(f"{QUEUE}/{release.id}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["row"]["id"] == str(release.id)
        assert body["findings"] == findings
        assert body["exclusions"][0]["reasons"][0]["code"] == "PN_EXCLUDED"
        latest = body["latest_packet"]
        assert latest["packet"]["version"] == 1
        assert latest["packet"]["verified"] is True
        assert latest["report"]["boxes"] == 4
        assert latest["provenance"][1:] == ["generated", "generated"]
        assert [p["version"] for p in body["packets"]] == [1]
        assert body["row_version"] == release.row_version
        assert body["may_approve"] == {"allowed": True, "refusals": [], "needed": 2, "given": 0}

    async def test_an_unknown_release_is_404(self, reviewer: Person) -> None:
        response = await reviewer.get(f"{QUEUE}/{uuid.uuid4()}")
        assert (response.status_code, response.json()["code"]) == (404, "RELEASE_NOT_FOUND")

    async def test_the_reason_code_lists_are_published(self, reviewer: Person) -> None:
        body = (await reviewer.get(f"{QUEUE}/reasons")).json()
        assert "DENY_AUTH_INVALID" in {r["code"] for r in body["deny"]}
        assert "HOLD_LEGAL_REVIEW" in {r["code"] for r in body["hold"]}
        assert "APPROVER_IS_PREPARER" in {r["code"] for r in body["refusal"]}
