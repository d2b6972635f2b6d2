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

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import Finding
from gateway.access_tokens import AccessTokens
from gateway.auth.principal import Principal
from gateway.mail import Mailer, OutgoingMail
from gateway.mail.errors import MailError
from gateway.releases.delivery import usage
from gateway.releases.delivery.errors import NotDeliverable
from gateway.releases.delivery.models import DeliveryLink
from gateway.releases.delivery.reader import SyncReader
from gateway.releases.delivery.service import (
    DeliveryPolicy,
    DeliveryService,
    Download,
    check_proof,
    link_id_of,
    link_live,
    refuse_on,
)
from gateway.releases.delivery.writer import Batch, GroupWriter, Staged
from gateway.releases.errors import ReleaseChanged
from gateway.releases.models import Packet, Release
from gateway.releases.recheck import basis_findings, recheck
from gateway.releases.states import State
from gateway.releases.views import visible_release
from kernel.blobs import BlobStore
from kernel.clock import Clock, today
from kernel.errors import DomainError
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
    # The downloads' group commit and their reads (synchronous engines of the same database).
    group: GroupWriter
    reader: SyncReader
    # Read-only transactions (SQLite: no BEGIN, beside the writer); by default ``sessions``.
    read_sessions: async_sessionmaker[AsyncSession] | None = None

    def service(self, session: AsyncSession) -> DeliveryService:
        return DeliveryService(session, clock=self.clock, tokens=self.tokens, policy=self.policy)

    @property
    def reads(self) -> async_sessionmaker[AsyncSession]:
        return self.read_sessions or self.sessions


async def start_download(
    deps: DeliveryDeps,
    token: str,
    *,
    proof: str | None,
    on_link: Callable[[DeliveryLink], None] | None = None,
) -> Download:
    """A link holder's download: the link, its release and packet read, the checks, then one
    use and ``download.started``, all in one staged work of the next group commit (one
    hand-off to the writer thread; each hand-off between threads costs the download path more
    than the statements do: bench/README.md). The read and the use go to the database together,
    with those of the batch's other downloads: one round trip. A use taken for a download the
    checks refuse is given back in the same transaction before the refusal, so nothing of it is
    committed; while the batch runs it holds that use, so on a link with one use left a valid
    download behind it in the same batch is refused as spent (a retry finds the use again).
    ``on_link`` sees the link first (the per-link rate limit; it runs on the writer thread). A
    vendor's link needs its BAA re-checked, a read through the async session: that work gives
    its use back and returns ``None``, and the download takes the read, the re-check, then the
    group commit, in turn."""
    link_id = link_id_of(deps.tokens, token)
    now, on = deps.clock.now(), today(deps.clock)

    def checked(link: DeliveryLink) -> None:
        if on_link is not None:
            on_link(link)
        check_proof(link, proof, now, signed_in=False)

    def read_check_consume(_conn: Connection, batch: Batch) -> Staged[Download | None]:
        # the read and the use in one round trip; a use taken for a download that the checks
        # then refuse (or that needs its BAA re-checked first) is given back before the refusal
        found, used = yield [usage.read_link(link_id), usage.use_one(link_id, deps.clock.now())]
        try:
            link, release, packet = usage.opened(found, now)
            if release.vendor_id is None:
                checked(link)
                refuse_on(release, basis_findings(release.basis_type, release.basis, on))
                actor = f"link:{link.id}"
                return usage.started(
                    batch, used, link_id=link.id, release=release, packet=packet, actor=actor
                )
        except DomainError:
            yield from usage.give_back(link_id, used)
            raise
        yield from usage.give_back(link_id, used)
        return None  # nothing written: the BAA re-check comes first

    started = await deps.group.run_staged(read_check_consume)
    if started is not None:
        return started
    link, release, packet = await deps.reader.run(
        lambda conn: usage.open_link(conn, link_id=link_id, now=now)
    )
    checked(link)
    refuse_on(release, await _recheck(deps, release))
    return await _consume(deps, link, release, packet, actor=f"link:{link.id}")


async def _recheck(deps: DeliveryDeps, release: Release) -> list[Finding]:
    """The re-check at delivery (``recheck``); only a vendor's BAA needs the database."""
    on = today(deps.clock)
    if release.vendor_id is None:
        return basis_findings(release.basis_type, release.basis, on)
    async with deps.reads() as session:
        return await recheck(session, release, on)


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
    return await _consume(deps, link, release, packet, actor=principal.actor)


async def _consume(
    deps: DeliveryDeps, link: DeliveryLink, release: Release, packet: Packet, *, actor: str
) -> Download:
    """One use and ``download.started``, in the next group commit."""
    return await deps.group.run_staged(
        lambda _conn, batch: usage.consume(
            batch,
            link_id=link.id,
            release=release,
            packet=packet,
            actor=actor,
            clock=deps.clock,
        )
    )


def finish_download(
    deps: DeliveryDeps, download: Download, actor: str, *, completed: bool, sent: int
) -> asyncio.Future[None]:
    """Queue ``download.completed`` or ``download.aborted`` for the next group commit, now; the
    future is done when it committed. The writer commits what was queued before it closes."""
    return deps.group.submit(
        lambda conn, batch: usage.finish(
            conn, batch, download, actor=actor, completed=completed, sent=sent, clock=deps.clock
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
