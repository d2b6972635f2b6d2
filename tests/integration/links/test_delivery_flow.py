"""The delivery path in one pass over HTTP (in-process): approval by a second staff member ->
the link is issued and mailed after the commit -> GETs change nothing -> POSTs download the packet
up to the use limit -> revocation refuses the link -> the ledger verifies."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.rules import Role
from gateway.ledger.models import LedgerEntry
from gateway.releases.delivery import DeliveryLink
from gateway.releases.models import Release
from gateway.services import Services
from tests.builders.approval import create_release, packet_row
from tests.fixtures.auth import auth_app, clock, http
from tests.integration.queue.conftest import World, world

__all__ = ["auth_app", "clock", "http", "world"]
PDF = b"%PDF-1.4\n% synthetic packet for the delivery tests\n" + b"0" * 4096 + b"\n%%EOF\n"
LINK = re.compile(r"/l/([A-Za-z0-9._-]+)")


async def _approved_release(world: World, preparer_id: object) -> Release:
    services: Services = world.app.state.services
    stored = await services.blobs.put(PDF, content_type="application/pdf", prefix="packets")

    async def seed(session: AsyncSession) -> Release:
        release = await create_release(
            session,
            opened_by=preparer_id,  # type: ignore[arg-type]
            recipient_email="records@synthetic-law.example",
            packet=None,
        )
        release.packet_version = 1
        packet = packet_row(release)
        packet.blob_key, packet.sha256, packet.size = stored.key, stored.sha256, stored.size
        session.add(packet)
        await session.flush()
        return release

    return await world.run(seed)


def _mailed_tokens(outbox: Path) -> list[str]:
    found = []
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        assert isinstance(body, EmailMessage)
        found += LINK.findall(body.get_content())
    return found


async def _count(world: World, model: object, **where: object) -> int:
    async def read(session: AsyncSession) -> int:
        query = select(func.count()).select_from(model)  # type: ignore[arg-type]
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)

    return await world.run(read)


async def test_approve_mail_get_post_limit_revoke_and_the_ledger_verifies(world: World) -> None:
    preparer = await world.person(Role.SPECIALIST)
    approver = await world.person(Role.SPECIALIST)
    release = await _approved_release(world, preparer.user.id)
    approved = await approver.act(release, "approve")
    assert approved.status_code == 200, approved.text
    assert (await world.release(release.id)).state == "released"

    services: Services = world.app.state.services
    tokens = _mailed_tokens(services.settings.data_dir / "outbox")
    assert len(tokens) == 1
    url = f"/l/{tokens[0]}"

    entries = await _count(world, LedgerEntry)
    for _ in range(3):  # a mail scanner opens the link: nothing changes
        page = await world.client.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert release.reference in page.text
    assert await _count(world, LedgerEntry) == entries
    link = await world.run(lambda s: s.scalar(select(DeliveryLink)))
    assert link is not None
    assert link.uses == 0

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    form = {"csrf_token": csrf.group(1)}
    refused = await world.client.post(url, data={})
    assert refused.status_code == 403
    for _ in range(link.max_uses):
        got = await world.client.post(url, data=form)
        assert got.status_code == 200, got.text
        assert got.content == PDF
        assert got.headers["cache-control"] == "no-store"
        assert got.headers["referrer-policy"] == "no-referrer"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"].startswith('attachment; filename="release-')
    spent = await world.client.post(url, data=form)
    assert (spent.status_code, spent.json()["code"]) == (403, "LINK_REFUSED")

    assert await _count(world, LedgerEntry, event_type="download.started") == link.max_uses
    assert await _count(world, LedgerEntry, event_type="download.completed") == link.max_uses

    revoked = await world.client.post(
        f"/api/v1/links/{link.id}/revoke",
        json={"reason_code": "SENT_IN_ERROR"},
        headers=approver.headers,
    )
    assert revoked.status_code == 200, revoked.text
    assert (await world.release(release.id)).state == "revoked"
    gone = await world.client.get(url)
    assert (gone.status_code, gone.json()["code"]) == (403, "LINK_REFUSED")
    assert await world.ledger_ok()


async def test_forged_and_garbage_tokens_get_the_same_plain_refusal(world: World) -> None:
    bodies = set()
    for token in ("x", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "A" * 3000):
        response = await world.client.get(f"/l/{token}")
        assert response.status_code == 403
        bodies.add((response.json()["code"], response.json().get("data")))
    assert bodies == {("LINK_REFUSED", None)}
