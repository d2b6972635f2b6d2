"""Delivery after the approval commits: issue the link (one transaction), then mail the recipient.

The approve handlers call :func:`deliver_release` after their transaction committed (a
background task of the response). A crash between the two leaves the release ``approved`` with
no link, and a link may be left unmailed: :func:`sweep_delivery` (every
``delivery.sweep_interval_s`` in the app, and in ``roi worker``'s loop) issues what is missing,
mails what is unmailed, and expires links past their time. Each step is idempotent: ``deliver``
acts only on an ``approved`` release and ``move`` is a conditional update; a link is mailed until
``notified_at`` is set (at least once: a crash after the send and before the commit sends again).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.access_tokens import AccessTokens
from gateway.auth.principal import Principal
from gateway.mail import Mailer, OutgoingMail
from gateway.mail.errors import MailError
from gateway.releases.delivery.errors import NotDeliverable
from gateway.releases.delivery.models import DeliveryLink
from gateway.releases.delivery.service import DeliveryPolicy, DeliveryService, Download, link_live
from gateway.releases.delivery.writer import Batch, GroupWriter
from gateway.releases.errors import ReleaseChanged
from gateway.releases.models import Release
from gateway.releases.states import State
from gateway.releases.views import visible_release
from kernel.blobs import BlobStore
from kernel.clock import Clock
from vendors.models import Vendor

log = structlog.get_logger(__name__)
ACTOR = "system:delivery"


@dataclass(frozen=True, slots=True)
class DeliveryDeps:
    sessions: async_sessionmaker[AsyncSession]
    tokens: AccessTokens
    mailer: Mailer
    blobs: BlobStore
    clock: Clock
    policy: DeliveryPolicy
    base_url: str
    # Read-only transactions (SQLite: deferred, beside the writer) and the downloads' group
    # commit; by default the same sessions and a writer of their own.
    read_sessions: async_sessionmaker[AsyncSession] | None = None
    writer: GroupWriter | None = None

    def __post_init__(self) -> None:
        if self.read_sessions is None:
            object.__setattr__(self, "read_sessions", self.sessions)
        if self.writer is None:
            object.__setattr__(self, "writer", GroupWriter(self.sessions, self.clock))

    def service(self, session: AsyncSession, batch: Batch | None = None) -> DeliveryService:
        service = DeliveryService(session, clock=self.clock, tokens=self.tokens, policy=self.policy)
        service.batch = batch
        return service

    @property
    def reads(self) -> async_sessionmaker[AsyncSession]:
        assert self.read_sessions is not None  # noqa: S101 - set in __post_init__
        return self.read_sessions

    @property
    def group(self) -> GroupWriter:
        assert self.writer is not None  # noqa: S101 - set in __post_init__
        return self.writer


async def start_download(
    deps: DeliveryDeps,
    token: str,
    *,
    proof: str | None,
    on_link: Callable[[DeliveryLink], None] | None = None,
) -> Download:
    """A link holder's download: the checks in a read-only transaction, then one use and
    ``download.started`` in the next group commit. ``on_link`` sees the link first (the
    per-link rate limit)."""
    async with deps.reads() as session:
        service = deps.service(session)
        link, release, packet = await service.open_download(token)
        if on_link is not None:
            on_link(link)
        await service.prepare(link, release, proof=proof, packet=packet)
    actor = f"link:{link.id}"
    return await deps.group.run(
        lambda s, b: deps.service(s, b).consume(link.id, release, packet, actor=actor)
    )


async def start_requester_download(
    deps: DeliveryDeps,
    release_id: uuid.UUID,
    principal: Principal,
    on_link: Callable[[DeliveryLink], None] | None = None,
) -> Download:
    """A signed-in requester's download of its organisation's released packet."""
    async with deps.reads() as session:
        service = deps.service(session)
        release = await visible_release(session, principal, release_id)
        link = await service.requester_link(release)
        if on_link is not None:
            on_link(link)
        packet = await service.prepare(link, release, signed_in=True)
    return await deps.group.run(
        lambda s, b: deps.service(s, b).consume(link.id, release, packet, actor=principal.actor)
    )


async def finish_download(
    deps: DeliveryDeps, download: Download, actor: str, *, completed: bool, sent: int
) -> None:
    await deps.group.run(
        lambda s, b: deps.service(s, b).finish(
            download, actor=actor, completed=completed, sent=sent
        )
    )


async def deliver_release(deps: DeliveryDeps, release_id: uuid.UUID) -> uuid.UUID | None:
    """Issue the link of an approved release (committed), then mail it; the link's id, or None
    when the release was not approved (or a re-check moved it)."""
    async with deps.sessions() as session, session.begin():
        try:
            link = await deps.service(session).deliver(release_id, actor=ACTOR, blobs=deps.blobs)
        except NotDeliverable as exc:
            log.warning("delivery.not_deliverable", release_id=str(release_id), code=exc.code)
            return None
        except ReleaseChanged:  # another process delivered it first
            return None
        link_id = link.id if link is not None else None
    if link_id is not None:
        await notify(deps, link_id)
    return link_id


async def recipient_address(session: AsyncSession, release: Release) -> str | None:
    """Where the link goes: the recipient's registered e-mail address from the request, or the
    vendor's first contact with one."""
    email = (release.recipient or {}).get("email")
    if email:
        return str(email)
    if release.vendor_id is not None:
        vendor = await session.get(Vendor, release.vendor_id)
        for contact in vendor.contacts if vendor else []:
            if contact.get("email"):
                return str(contact["email"])
    return None


async def notify(deps: DeliveryDeps, link_id: uuid.UUID) -> bool:
    """Mail the link to its recipient once; whether it was sent now."""
    async with deps.sessions() as session, session.begin():
        link = await session.get(DeliveryLink, link_id, with_for_update=True)
        if link is None or link.notified_at is not None or not link_live(link, deps.clock.now()):
            return False
        release = await session.get(Release, link.release_id)
        if release is None or release.state != State.RELEASED:
            return False
        link.notify_attempts += 1
        to = await recipient_address(session, release)
        if to is None:
            log.warning("delivery.no_recipient_address", link_id=str(link.id))
            return False
        token = deps.service(session).token_for(link)
        try:
            await deps.mailer.send(link_mail(deps, to, release, link, token))
        except MailError as exc:
            log.warning("delivery.mail_failed", link_id=str(link.id), error=exc.code)
            return False
        link.notified_at = deps.clock.now()
        log.info("delivery.link_mailed", link_id=str(link.id), release_id=str(release.id))
        return True


def link_mail(
    deps: DeliveryDeps, to: str, release: Release, link: DeliveryLink, token: str
) -> OutgoingMail:
    expires = link.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    code_line = (
        "\nWhen you open it, ask for a one-time code: it is sent to this address.\n"
        if link.code_required
        else ""
    )
    text = (
        f"Records for release {release.reference} are ready for you.\n\n"
        f"Open this link to download them ({link.max_uses} downloads, until {expires}):\n"
        f"{deps.base_url.rstrip('/')}/l/{token}\n{code_line}\n"
        "Do not forward this message: the link is for you only. Opening the link does not "
        "use a download; only the Download button does.\n"
    )
    return OutgoingMail(to=to, subject=f"Records ready: release {release.reference}", text=text)


def code_mail(to: str, release: Release, code: str) -> OutgoingMail:
    text = (
        f"Your one-time code for release {release.reference} is {code}.\n"
        "It works once, for 10 minutes. If you did not ask for it, ignore this message.\n"
    )
    return OutgoingMail(to=to, subject=f"Your code for release {release.reference}", text=text)


async def sweep_delivery(deps: DeliveryDeps, *, limit: int = 100) -> dict[str, int]:
    """Expire links past their time, issue links of approved releases that have none, and mail
    unmailed links; counts of each."""
    async with deps.sessions() as session, session.begin():
        expired = await deps.service(session).expire_due(actor=ACTOR)
    async with deps.sessions() as session:
        approved = list(
            await session.scalars(
                select(Release.id).where(Release.state == State.APPROVED).limit(limit)
            )
        )
        unmailed = [link.id for link in await deps.service(session).unnotified(limit)]
    issued = [rid for rid in approved if await deliver_release(deps, rid) is not None]
    mailed = [lid for lid in unmailed if await notify(deps, lid)]
    counts = {"expired": expired, "issued": len(issued), "mailed": len(mailed)}
    if any(counts.values()):
        log.info("delivery.swept", **counts)
    return counts
