"""Shared helpers for the delivery-link tests: an approved release with a real stored packet,
the link read from the outbox, a CSRF token from the link page, and row counts."""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.accounts import create_token
from gateway.auth.principal import Principal, Via
from gateway.auth.rules import Role
from gateway.ledger.models import LedgerEntry
from gateway.releases.delivery import DeliveryLink, deliver_release
from gateway.releases.models import Release
from gateway.services import Services
from tests.builders.approval import create_release, packet_row
from tests.fixtures.auth import make_user
from tests.integration.queue.conftest import Person, World

PDF = b"%PDF-1.4\n% synthetic packet for the delivery tests\n" + b"0" * 4096 + b"\n%%EOF\n"
LINK = re.compile(r"/l/([A-Za-z0-9._-]+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE = re.compile(r"one-time code for release \S+ is (\d{6})")


async def approved_release(
    world: World, preparer_id: uuid.UUID, data: bytes = PDF, **fields: Any
) -> Release:
    """An ``approved`` release whose packet version 1 is ``data``, stored in the blob store."""
    services: Services = world.app.state.services
    stored = await services.blobs.put(data, content_type="application/pdf", prefix="packets")
    fields.setdefault("recipient_email", "records@synthetic-law.example")

    async def seed(session: AsyncSession) -> Release:
        release = await create_release(
            session, opened_by=preparer_id, packet=None, state="approved", **fields
        )
        release.packet_version = 1
        packet = packet_row(release)
        packet.blob_key, packet.sha256, packet.size = stored.key, stored.sha256, stored.size
        session.add(packet)
        await session.flush()
        return release

    return await world.run(seed)


async def released(world: World, **fields: Any) -> tuple[Release, str]:
    """A released release and its mailed link's path (``/l/<token>``)."""
    preparer = await world.person()
    release = await approved_release(world, preparer.user.id, **fields)
    before = set(mailed_tokens(world))
    services: Services = world.app.state.services
    assert await deliver_release(services.delivery, release.id) is not None
    tokens = [t for t in mailed_tokens(world) if t not in before]
    assert len(tokens) == 1
    return await world.release(release.id), f"/l/{tokens[0]}"


def outbox(world: World) -> Path:
    services: Services = world.app.state.services
    return services.settings.data_dir / "outbox"


def mail_bodies(world: World) -> list[str]:
    return bodies_in(outbox(world))


def bodies_in(directory: Path) -> list[str]:
    """The plain-text bodies of the ``.eml`` files in an outbox, oldest first."""
    found = []
    for path in sorted(directory.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        assert isinstance(body, EmailMessage)
        found.append(body.get_content())
    return found


def mailed_tokens(world: World) -> list[str]:
    return [token for body in mail_bodies(world) for token in LINK.findall(body)]


def mailed_codes(world: World) -> list[str]:
    return codes_in(outbox(world))


def codes_in(directory: Path) -> list[str]:
    return [code for body in bodies_in(directory) for code in CODE.findall(body)]


async def csrf_form(client: httpx.AsyncClient | Any, url: str) -> dict[str, str]:
    """GET the link page (sets the CSRF cookie) and return the form's token."""
    page = await client.get(url, headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found is not None
    return {"csrf_token": found.group(1)}


async def count(world: World, model: object, **where: object) -> int:
    async def read(session: AsyncSession) -> int:
        query = select(func.count()).select_from(model)  # type: ignore[arg-type]
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)

    return await world.run(read)


async def link_of(world: World, release_id: uuid.UUID) -> DeliveryLink:
    async def read(session: AsyncSession) -> DeliveryLink:
        link = await session.scalar(
            select(DeliveryLink).where(DeliveryLink.release_id == release_id)
        )
        assert link is not None
        return link

    return await world.run(read)


async def ledger_count(world: World, release_id: uuid.UUID, event: str | None = None) -> int:
    where: dict[str, object] = {"release_id": release_id}
    if event is not None:
        where["event_type"] = event
    return await count(world, LedgerEntry, **where)


async def requester(world: World, role: Role = Role.ATTORNEY) -> Person:
    """A requester of ``role`` in an organisation of its own, acting through an integration
    token."""
    user = await make_user(world.app, world.clock, role=role)
    admin = await make_user(world.app, world.clock, role=Role.ADMIN)
    actor = Principal(Via.SESSION, admin.id, admin.role, None)

    async def token(session: AsyncSession) -> str:
        new = await create_token(
            session,
            actor,
            name="requester bot",
            role=role.value,
            organisation_id=user.organisation_id,
            clock=world.clock,
        )
        return new.token

    return Person(user, await world.run(token), world.client)


REFUSAL = {
    "type": "urn:roi-gateway:problem:link_refused",
    "title": "Forbidden",
    "status": 403,
    "code": "LINK_REFUSED",
}


def refused(response: httpx.Response) -> None:
    """The one plain refusal: 403 LINK_REFUSED, the same body whatever the reason."""
    assert response.status_code == 403, response.text
    assert response.json() == REFUSAL
