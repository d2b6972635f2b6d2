"""The link's POSTs and the staff/requester API: CSRF, rate limits, revoke (one link, a whole
release), the requester's download, the ledger entries and the disclosure, the delivery sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.rules import Role
from gateway.ledger.models import LedgerEntry
from gateway.releases.delivery import DeliveryLink, sweep_delivery
from gateway.releases.models import Release
from gateway.services import Services
from tests.fixtures.auth import auth_app, clock, http
from tests.integration.links.conftest import (
    PDF,
    approved_release,
    csrf_form,
    ledger_count,
    link_of,
    mailed_tokens,
    refused,
    released,
    requester,
)
from tests.integration.queue.conftest import World, world

__all__ = ["auth_app", "clock", "http", "world"]


@pytest.mark.parametrize("suffix", ["", "/code", "/verify"])
@pytest.mark.parametrize("csrf", [None, "wrong"])
async def test_each_post_without_the_right_csrf_token_is_403(
    world: World, suffix: str, csrf: str | None
) -> None:
    release, url = await released(world)
    await csrf_form(world.client, url)  # the cookie is set; the form field is missing or wrong
    data = {} if csrf is None else {"csrf_token": csrf, "code": "123456"}
    response = await world.client.post(url + suffix, data=data)
    assert response.status_code == 403
    assert response.json()["code"] != "LINK_REFUSED"  # the CSRF refusal, not the link's
    link = await link_of(world, release.id)
    assert (link.uses, link.code_sent_count, link.code_attempts) == (0, 0, 0)
    assert await ledger_count(world, release.id, "download.started") == 0


async def test_the_first_completed_download_carries_the_disclosure(world: World) -> None:
    release, url = await released(world)
    form = await csrf_form(world.client, url)
    for _ in range(2):
        assert (await world.client.post(url, data=form)).content == PDF

    async def completed(session: AsyncSession) -> list[LedgerEntry]:
        query = (
            select(LedgerEntry)
            .where(
                LedgerEntry.release_id == release.id,
                LedgerEntry.event_type == "download.completed",
            )
            .order_by(LedgerEntry.seq)
        )
        return list(await session.scalars(query))

    first, second = await world.run(completed)
    assert first.disclosed_on == world.clock.now().date()
    assert first.recipient_name == "Synthetic Law LLP"
    assert first.recipient_address == "1 Synthetic Plaza, Springfield"
    assert first.description is not None
    assert release.reference in first.description
    assert first.purpose == "litigation"
    assert first.accounting_exempt is True  # an authorization
    assert second.disclosed_on is None
    assert second.recipient_name is None
    assert await ledger_count(world, release.id, "download.started") == 2


async def test_download_rate_limit_gives_429_with_retry_after(world: World) -> None:
    services: Services = world.app.state.services
    per_link = services.settings.delivery.downloads_per_minute
    release, url = await released(world)
    form = await csrf_form(world.client, url)

    async def many_uses(session: AsyncSession) -> None:
        await session.execute(
            update(DeliveryLink)
            .where(DeliveryLink.release_id == release.id)
            .values(max_uses=per_link + 10)
        )

    await world.run(many_uses)
    for _ in range(per_link):
        assert (await world.client.post(url, data=form)).status_code == 200
    limited = await world.client.post(url, data=form)
    assert limited.status_code == 429, limited.text
    assert limited.json()["code"] == "RATE_LIMITED"
    assert int(limited.headers["retry-after"]) >= 1
    assert (await link_of(world, release.id)).uses == per_link
    world.clock.advance(timedelta(seconds=61))
    assert (await world.client.post(url, data=form)).status_code == 200


async def test_staff_list_and_revoke_one_link_requesters_may_not(world: World) -> None:
    release, url = await released(world)
    staff = await world.person()
    attorney = await world.person(Role.ATTORNEY)
    listed = await staff.get(f"/api/v1/queue/{release.id}/links")
    assert listed.status_code == 200, listed.text
    (row,) = listed.json()
    assert (row["live"], row["mailed"], row["uses"]) == (True, True, 0)
    assert "token" not in row
    assert (await attorney.get(f"/api/v1/queue/{release.id}/links")).status_code == 403
    body = {"reason_code": "WRONG_RECIPIENT"}
    assert (await attorney.post(f"/api/v1/links/{row['id']}/revoke", body)).status_code == 403
    assert (await world.release(release.id)).state == "released"
    bad = await staff.post(f"/api/v1/links/{row['id']}/revoke", {"reason_code": "BECAUSE"})
    assert bad.status_code == 422
    assert (await world.release(release.id)).state == "released"
    done = await staff.post(f"/api/v1/links/{row['id']}/revoke", body)
    assert done.status_code == 200, done.text
    assert done.json()["live"] is False
    assert (await world.release(release.id)).state == "revoked"
    refused(await world.client.get(url))


async def test_staff_revoke_a_whole_release(world: World) -> None:
    release, url = await released(world)
    staff = await world.person()
    attorney = await world.person(Role.ATTORNEY)
    body = {"reason_code": "REQUESTER_WITHDREW"}
    assert (await attorney.post(f"/api/v1/queue/{release.id}/revoke", body)).status_code == 403
    done = await staff.post(f"/api/v1/queue/{release.id}/revoke", body)
    assert done.status_code == 200, done.text
    assert [row["revoke_reason"] for row in done.json()] == ["REQUESTER_WITHDREW"]
    assert (await world.release(release.id)).state == "revoked"
    refused(await world.client.get(url))


async def test_requester_downloads_its_own_organisations_release_only(world: World) -> None:
    mine = await requester(world)
    theirs = await requester(world)
    release, _ = await released(world, organisation_id=mine.user.organisation_id)
    url = f"/api/v1/requests/{release.id}/download"
    other = await world.client.post(url, headers=theirs.headers)
    assert other.status_code == 404, other.text
    assert (await link_of(world, release.id)).uses == 0
    got = await world.client.post(url, headers=mine.headers)
    assert got.status_code == 200, got.text
    assert got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment;")
    assert (await link_of(world, release.id)).uses == 1
    assert await ledger_count(world, release.id, "download.completed") == 1


async def test_sweep_issues_mails_and_expires(world: World) -> None:
    services: Services = world.app.state.services
    preparer = await world.person()
    waiting = await approved_release(world, preparer.user.id)  # approved; the hook never ran
    counts = await sweep_delivery(services.delivery)
    assert counts["issued"] >= 1
    assert (await world.release(waiting.id)).state == "released"
    link = await link_of(world, waiting.id)
    assert link.notified_at is not None
    assert len(mailed_tokens(world)) == 1

    async def unmail(session: AsyncSession) -> None:  # a crash between issue and mail
        await session.execute(
            update(DeliveryLink).where(DeliveryLink.id == link.id).values(notified_at=None)
        )

    await world.run(unmail)
    counts = await sweep_delivery(services.delivery)
    assert counts["mailed"] == 1
    assert len(mailed_tokens(world)) == 2
    assert (await sweep_delivery(services.delivery))["mailed"] == 0  # mailed once

    world.clock.advance(timedelta(hours=25))
    counts = await sweep_delivery(services.delivery)
    assert counts["expired"] == 1
    assert (await world.release(waiting.id)).state == "expired"
    assert (await link_of(world, waiting.id)).expired_at is not None

    async def state(session: AsyncSession) -> str:
        return str(await session.scalar(select(Release.state).where(Release.id == waiting.id)))

    assert await world.run(state) == "expired"


async def test_revoking_an_unknown_release_is_404_and_one_without_links_changes_nothing(
    world: World,
) -> None:
    staff = await world.person()
    preparer = await world.person()
    waiting = await approved_release(world, preparer.user.id)  # approved, no link yet
    body = {"reason_code": "SECURITY"}
    unknown = await staff.post("/api/v1/queue/00000000-0000-4000-8000-000000000000/revoke", body)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "RELEASE_NOT_FOUND")
    none = await staff.post(f"/api/v1/queue/{waiting.id}/revoke", body)
    assert (none.status_code, none.json()) == (200, [])
    assert (await world.release(waiting.id)).state == "approved"
    no_link = await staff.post(f"/api/v1/links/{waiting.id}/revoke", body)
    assert (no_link.status_code, no_link.json()["code"]) == (404, "LINK_NOT_FOUND")


async def test_listing_links_of_an_unknown_release_is_404(world: World) -> None:
    staff = await world.person()
    preparer = await world.person()
    waiting = await approved_release(world, preparer.user.id)
    assert (await staff.get(f"/api/v1/queue/{waiting.id}/links")).json() == []
    unknown = await staff.get("/api/v1/queue/00000000-0000-4000-8000-000000000000/links")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "RELEASE_NOT_FOUND")
