"""Every refusal of a link over HTTP is the same plain 403 LINK_REFUSED, and changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.releases.delivery import DeliveryLink
from gateway.releases.models import Release
from tests.builders.approval import TODAY
from tests.builders.vendors import create_baa, create_vendor, vendor_service
from tests.fixtures.auth import auth_app, clock, http
from tests.integration.links.conftest import (
    PDF,
    csrf_form,
    ledger_count,
    link_of,
    refused,
    released,
)
from tests.integration.queue.conftest import World, world
from vendors import BaaView
from vendors.models import Vendor

__all__ = ["auth_app", "clock", "http", "world"]


async def _refused_both_ways(
    world: World, url: str, form: dict[str, str], release_id: object
) -> None:
    entries = await ledger_count(world, release_id)  # type: ignore[arg-type]
    refused(await world.client.get(url))
    refused(await world.client.post(url, data=form))
    assert await ledger_count(world, release_id) == entries  # type: ignore[arg-type]


async def test_get_three_times_changes_nothing_then_post_downloads(world: World) -> None:
    release, url = await released(world)
    entries = await ledger_count(world, release.id)
    for _ in range(3):
        page = await world.client.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert release.reference in page.text
    assert (await link_of(world, release.id)).uses == 0
    assert await ledger_count(world, release.id) == entries
    got = await world.client.post(url, data=await csrf_form(world.client, url))
    assert got.status_code == 200, got.text
    assert got.content == PDF
    headers = got.headers
    assert headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-disposition"] == (
        f'attachment; filename="release-{release.reference}-v1.pdf"'
    )
    assert "default-src 'none'" in headers["content-security-policy"]
    assert (await link_of(world, release.id)).uses == 1
    assert await ledger_count(world, release.id, "download.started") == 1
    assert await ledger_count(world, release.id, "download.completed") == 1


async def test_expired_link_is_refused(world: World) -> None:
    release, url = await released(world)
    form = await csrf_form(world.client, url)
    world.clock.advance(timedelta(hours=25))
    await _refused_both_ways(world, url, form, release.id)


async def test_revoked_link_is_refused(world: World) -> None:
    release, url = await released(world)
    form = await csrf_form(world.client, url)
    staff = await world.person()
    link = await link_of(world, release.id)
    revoked = await staff.post(f"/api/v1/links/{link.id}/revoke", {"reason_code": "SECURITY"})
    assert revoked.status_code == 200, revoked.text
    await _refused_both_ways(world, url, form, release.id)


async def test_link_over_its_use_limit_is_refused(world: World) -> None:
    release, url = await released(world)
    form = await csrf_form(world.client, url)
    link = await link_of(world, release.id)
    for _ in range(link.max_uses):
        assert (await world.client.post(url, data=form)).status_code == 200
    await _refused_both_ways(world, url, form, release.id)
    assert (await link_of(world, release.id)).uses == link.max_uses


async def test_link_of_a_release_no_longer_released_is_refused(world: World) -> None:
    release, url = await released(world)
    form = await csrf_form(world.client, url)

    async def withdraw(session: AsyncSession) -> None:
        await session.execute(
            update(Release).where(Release.id == release.id).values(state="revoked")
        )

    await world.run(withdraw)
    await _refused_both_ways(world, url, form, release.id)
    assert (await link_of(world, release.id)).uses == 0


async def test_authorization_expired_at_delivery_time_is_refused(world: World) -> None:
    release, url = await released(world)
    form = await csrf_form(world.client, url)
    basis = dict(release.basis or {})
    basis["expiration_date"] = (date(2026, 11, 27) - timedelta(days=1)).isoformat()

    async def lapse(session: AsyncSession) -> None:
        await session.execute(update(Release).where(Release.id == release.id).values(basis=basis))

    await world.run(lapse)
    entries = await ledger_count(world, release.id)
    refused(await world.client.post(url, data=form))
    assert await ledger_count(world, release.id) == entries
    assert (await link_of(world, release.id)).uses == 0


async def test_authorization_revoked_at_delivery_time_is_refused(world: World) -> None:
    release, url = await released(world)
    form = await csrf_form(world.client, url)
    basis = dict(release.basis or {})
    basis["revoked_on"] = "2026-11-26"

    async def revoke(session: AsyncSession) -> None:
        await session.execute(update(Release).where(Release.id == release.id).values(basis=basis))

    await world.run(revoke)
    entries = await ledger_count(world, release.id)
    refused(await world.client.post(url, data=form))
    assert await ledger_count(world, release.id) == entries
    assert (await link_of(world, release.id)).uses == 0


async def test_locked_link_is_refused(world: World) -> None:
    release, url = await released(world)

    async def lock(session: AsyncSession) -> None:
        await session.execute(
            update(DeliveryLink)
            .where(DeliveryLink.release_id == release.id)
            .values(locked_at=world.clock.now())
        )

    await world.run(lock)
    refused(await world.client.get(url))


async def test_vendor_link_refused_once_the_baa_has_ended(world: World) -> None:
    async def vendor_with_baa(session: AsyncSession) -> tuple[Vendor, BaaView]:
        service = vendor_service(session, world.clock)
        vendor = await create_vendor(service)
        baa = await create_baa(service, vendor, ends_on=TODAY + timedelta(days=30))
        vendor.contacts = [{"name": "Copy desk", "email": "desk@synthetic-copy.example"}]
        await session.flush()
        return vendor, baa

    vendor, baa = await world.run(vendor_with_baa)
    release, url = await released(
        world, vendor_id=vendor.id, basis_type="none", recipient_email=None
    )
    form = await csrf_form(world.client, url)
    got = await world.client.post(url, data=form)  # while the BAA is in force
    assert got.status_code == 200, got.text
    assert got.content == PDF

    async def end_baa(session: AsyncSession) -> None:
        service = vendor_service(session, world.clock)
        await service.terminate_baa(
            baa.row.id, terminated_on=TODAY, reason="synthetic termination", by=vendor.created_by
        )

    await world.run(end_baa)
    entries = await ledger_count(world, release.id)
    refused(await world.client.post(url, data=form))
    assert await ledger_count(world, release.id) == entries
    assert (await link_of(world, release.id)).uses == 1


async def test_a_browser_gets_one_html_refusal_for_a_forged_and_a_revoked_link(
    world: World,
) -> None:
    release, url = await released(world)
    html = {"Accept": "text/html"}
    forged = await world.client.get("/l/not-a-token", headers=html)
    staff = await world.person()
    link = await link_of(world, release.id)
    await staff.post(f"/api/v1/links/{link.id}/revoke", {"reason_code": "SECURITY"})
    revoked = await world.client.get(url, headers=html)
    assert forged.status_code == revoked.status_code == 403
    assert forged.headers["content-type"].startswith("text/html")
    assert forged.content == revoked.content
    assert release.reference not in revoked.text
