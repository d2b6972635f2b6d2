"""The read-only ledger views: one release's trail with its chain marks, and whole-chain
verification, before and after a row is edited directly in the database (SECURITY.md attack 8)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.settings import Settings
from tests.builders.ledger import ACTOR
from tests.integration.accounting import seed
from tests.integration.ledger.tamper import tamper

pytestmark = pytest.mark.db
Client = AsyncTestClient[Any]
VERIFY = "/api/v1/ledger/verify"


async def a_release_among_others(app: Litestar) -> tuple[uuid.UUID, list[int]]:
    """A release with three entries, interleaved with another release's entries; its seqs."""
    patient = await seed.patient(app)
    release = await seed.release(app, patient.id)
    other = uuid.uuid4()
    seqs = await seed.write(
        app,
        seed.event_of(release.id, "release.received"),
        seed.event_of(other, "release.received"),
        seed.event_of(release.id, "release.approved", actor_id="user-approver"),
        seed.event_of(other, "release.approved"),
        seed.disclosure_of(patient.id, date(2026, 11, 2), release_id=release.id),
    )
    return release.id, [seqs[0], seqs[2], seqs[4]]


async def test_a_release_trail_lists_its_entries_in_order_all_verified(
    http: Client, auth_app: Litestar, staff: dict[str, str]
) -> None:
    release_id, seqs = await a_release_among_others(auth_app)
    response = await http.get(f"/api/v1/releases/{release_id}/ledger", headers=staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["release_id"] == str(release_id)
    assert [
        (e["seq"], e["event_type"], e["actor_id"], e["discloses"], e["chain_verified"])
        for e in body["entries"]
    ] == [
        (seqs[0], "release.received", ACTOR, False, True),
        (seqs[1], "release.approved", "user-approver", False, True),
        (seqs[2], "download.completed", ACTOR, True, True),
    ]
    assert body["entries"][0]["occurred_at"].startswith("2026-11-02T14:30:00.123456")
    assert body["chain"] == {"ok": True, "entries": seqs[2], "first_break": None}
    assert "recipient_name" not in str(body)


async def test_the_trail_marks_entries_from_the_first_break_on(
    http: Client, auth_app: Litestar, staff: dict[str, str], fresh_settings: Settings
) -> None:
    release_id, seqs = await a_release_among_others(auth_app)
    edited = seqs[1] + 1  # the other release's approval, between this release's entries
    sql = "UPDATE ledger_entries SET actor_id = %s WHERE seq = %s"
    tamper(fresh_settings, (sql, ("user-forger", edited)))
    body = (await http.get(f"/api/v1/releases/{release_id}/ledger", headers=staff)).json()
    assert [e["chain_verified"] for e in body["entries"]] == [True, True, False]
    assert body["chain"]["ok"] is False
    assert body["chain"]["first_break"]["seq"] == edited


async def test_an_unknown_release_is_404(
    http: Client, auth_app: Litestar, staff: dict[str, str]
) -> None:
    missing = uuid.uuid4()
    await seed.write(auth_app, seed.event_of(missing, "release.received"))  # ledger only
    response = await http.get(f"/api/v1/releases/{missing}/ledger", headers=staff)
    assert response.status_code == 404
    assert response.json()["code"] == "RELEASE_NOT_FOUND"


async def test_verify_counts_an_intact_chain(
    http: Client, auth_app: Litestar, staff: dict[str, str]
) -> None:
    _, seqs = await a_release_among_others(auth_app)
    response = await http.get(VERIFY, headers=staff)
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "entries": seqs[2], "first_break": None}


@pytest.mark.parametrize(
    "edit", [("recipient_name", "Someone Else"), ("event_type", "release.denied")]
)
async def test_R39_verify_reports_the_first_break_after_a_direct_edit(
    http: Client,
    auth_app: Litestar,
    staff: dict[str, str],
    fresh_settings: Settings,
    edit: tuple[str, str],
) -> None:
    column, value = edit
    _, seqs = await a_release_among_others(auth_app)
    target = seqs[2] if column == "recipient_name" else seqs[1]
    sql = f"UPDATE ledger_entries SET {column} = %s WHERE seq = %s"  # noqa: S608 - test constants
    tamper(fresh_settings, (sql, (value, target)))
    response = await http.get(VERIFY, headers=staff)
    assert response.status_code == 200
    assert response.json() == {
        "ok": False,
        "entries": target - 1,
        "first_break": {
            "seq": target,
            "reason": "HASH_MISMATCH",
            "message": "entry hash does not match its content",
        },
    }


async def test_verify_reports_a_truncated_tail_against_the_head(
    http: Client, auth_app: Litestar, staff: dict[str, str], fresh_settings: Settings
) -> None:
    _, seqs = await a_release_among_others(auth_app)
    tamper(fresh_settings, ("DELETE FROM ledger_entries WHERE seq = %s", (seqs[2],)))
    first_break = (await http.get(VERIFY, headers=staff)).json()["first_break"]
    assert (first_break["seq"], first_break["reason"]) == (seqs[2], "TAIL_MISSING")
