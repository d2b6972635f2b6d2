"""Delivery: from an approved packet to a downloaded one (DESIGN.md step 6, SECURITY.md R8-R15).

- :meth:`DeliveryService.deliver` (in the caller's transaction): re-check the basis and the BAA,
  confirm the packet version is verified and its stored blob has the recorded SHA-256 (R15), make
  the link (lifetime from settings, never past the vendor's BAA end) and move the release
  ``approved -> released``, whose ledger entry names the link.
- :meth:`DeliveryService.start`: one use, consumed by one conditional ``UPDATE`` (R8), with the
  ledger entry ``download.started`` in the same transaction; the caller commits, then streams.
- :meth:`DeliveryService.finish`: ``download.completed`` (the first completed download of a
  release carries the disclosure for the accounting, AOD-01/02) or ``download.aborted``.

The token is signed (``gateway.access_tokens``, purpose ``download_link``) and carries only the
link's id; it is made when the recipient is mailed and never stored. The row decides.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import VendorFunction
from gateway import ledger
from gateway.access_tokens import AccessTokens, Purpose, TokenRejected
from gateway.ledger.models import LedgerEntry
from gateway.releases.approval import ApprovalService
from gateway.releases.delivery.errors import CodeRefused, LinkNotFound, LinkRefused, NotDeliverable
from gateway.releases.delivery.models import DeliveryLink
from gateway.releases.delivery.writer import Batch
from gateway.releases.models import Packet, Release
from gateway.releases.recheck import recheck
from gateway.releases.states import State
from gateway.releases.transitions import Move, move
from kernel.blobs import BlobStore
from kernel.clock import Clock, today
from vendors import baa_ends_on
from vendors.models import Vendor

log = structlog.get_logger(__name__)
AUDIENCE = "roi-gateway:link"
CODE_LIFETIME = timedelta(minutes=10)  # R11
CODE_MAX_ATTEMPTS = 5  # R11: then the link locks
PROOF_LIFETIME = timedelta(minutes=30)
MAX_NOTIFY_ATTEMPTS = 5
EXEMPT_BASES = frozenset({"authorization", "access_request", "directive", "tpo", "none"})


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    lifetime: timedelta = timedelta(hours=24)
    max_uses: int = 3
    code_required: bool = False


@dataclass(frozen=True, slots=True)
class Download:
    """A started download: what to stream and what to write when it ends."""

    id: uuid.UUID
    link_id: uuid.UUID
    release_id: uuid.UUID
    release: Release  # as read before the download (detached): for the ledger entries
    blob_key: str
    size: int
    filename: str
    use: int


def link_live(link: DeliveryLink, now: datetime) -> bool:
    return (
        link.revoked_at is None
        and link.locked_at is None
        and link.expired_at is None
        and link.expires_at > now
        and link.uses < link.max_uses
    )


def digest(link_id: uuid.UUID, secret: str) -> str:
    return hashlib.sha256(link_id.bytes + secret.encode()).hexdigest()


def proof_ok(link: DeliveryLink, proof: str | None, now: datetime) -> bool:
    """Whether ``proof`` is the live proof of the link's redeemed recipient code."""
    return bool(
        proof
        and link.proof_hash is not None
        and link.proof_expires_at is not None
        and link.proof_expires_at > now
        and hmac.compare_digest(link.proof_hash, digest(link.id, proof))
    )


def packet_filename(release: Release, version: int) -> str:
    """Server-chosen (R30): the release reference and version, never a name."""
    return f"release-{release.reference}-v{version}.pdf"


class DeliveryService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        clock: Clock,
        tokens: AccessTokens,
        policy: DeliveryPolicy | None = None,
    ) -> None:
        self.session, self.clock, self.tokens = session, clock, tokens
        self.policy = policy or DeliveryPolicy()
        # In a group commit (writer.py) entries go to the batch, appended together at its end.
        self.batch: Batch | None = None

    # -- issuing ---------------------------------------------------------------------------

    async def deliver(
        self, release_id: uuid.UUID, *, actor: str, blobs: BlobStore
    ) -> DeliveryLink | None:
        """Issue the link of an approved release and move it to ``released``; None when the
        release is not ``approved`` (already released, or moved on hold / denied by a failed
        re-check, which this call commits with the caller). Raises :class:`NotDeliverable` when
        the packet is unverified or its stored blob does not match."""
        release = await self.session.get(Release, release_id, populate_existing=True)
        if release is None or release.state != State.APPROVED:
            return None
        if await ApprovalService(self.session, clock=self.clock).enforce_recheck(release, actor):
            return None
        packet = await self._packet(release)
        await self._check_blob(packet, blobs)
        now = self.clock.now()
        link = DeliveryLink(
            release_id=release.id,
            packet_id=packet.id,
            packet_version=packet.version,
            recipient_kind="vendor" if release.vendor_id else "requester",
            created_at=now,
            created_by=actor,
            expires_at=await self._expiry(release, now),
            max_uses=self.policy.max_uses,
            uses=0,
            code_required=self.policy.code_required,
        )
        self.session.add(link)
        await self.session.flush()
        details: dict[str, Any] = {
            "link_id": str(link.id),
            "packet_version": packet.version,
            "max_uses": link.max_uses,
            "expires_at": link.expires_at.isoformat(),
            "code_required": link.code_required,
        }
        await move(
            self.session,
            release,
            Move(State.RELEASED, actor=actor, details=details),
            clock=self.clock,
        )
        log.info("delivery.link_issued", release_id=str(release.id), link_id=str(link.id))
        return link

    async def _packet(self, release: Release) -> Packet:
        packet = await self.session.scalar(
            select(Packet).where(
                Packet.release_id == release.id, Packet.version == release.packet_version
            )
        )
        if packet is None or not packet.verified:
            raise NotDeliverable("no verified packet version", release=str(release.id))
        return packet

    async def _check_blob(self, packet: Packet, blobs: BlobStore) -> None:
        """R15: the stored bytes are the verified packet (``get`` checks the SHA-256)."""
        stored = await blobs.stat(packet.blob_key)
        if stored.sha256 != packet.sha256 or stored.size != packet.size:
            raise NotDeliverable(
                "stored packet differs from the verified one", packet=str(packet.id)
            )
        data = await blobs.get(packet.blob_key)
        if hashlib.sha256(data).hexdigest() != packet.sha256:
            raise NotDeliverable(
                "stored packet differs from the verified one", packet=str(packet.id)
            )

    async def _expiry(self, release: Release, now: datetime) -> datetime:
        expires = now + self.policy.lifetime
        if release.vendor_id is None:
            return expires
        vendor = await self.session.get(Vendor, release.vendor_id)
        if vendor is None:
            raise NotDeliverable("vendor missing", release=str(release.id))
        try:
            end = await baa_ends_on(
                self.session, vendor.id, VendorFunction(vendor.kind), today(self.clock)
            )
        except LookupError as exc:
            raise NotDeliverable("no BAA allows the vendor", release=str(release.id)) from exc
        if end is None:
            return expires
        return min(expires, datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC))

    def token_for(self, link: DeliveryLink) -> str:
        """A fresh signed token for the link, living until the link expires (at least 1 s)."""
        lifetime = max(timedelta(seconds=1), link.expires_at - self.clock.now())
        issued = self.tokens.issue(
            Purpose.DOWNLOAD_LINK, subject=str(link.id), audience=AUDIENCE, lifetime=lifetime
        )
        return issued.token

    # -- the link holder -------------------------------------------------------------------

    async def open(self, token: str) -> tuple[DeliveryLink, Release]:
        """The live link a token names, with its release; :class:`LinkRefused` for anything else
        (forged, expired, unknown, revoked, spent, locked, release no longer released)."""
        link_id = self._link_id(token)
        link = await self.session.get(DeliveryLink, link_id, populate_existing=True)
        if link is None or not link_live(link, self.clock.now()):
            raise LinkRefused
        release = await self.session.get(Release, link.release_id, populate_existing=True)
        if release is None or release.state != State.RELEASED:
            raise LinkRefused
        return link, release

    async def open_download(self, token: str) -> tuple[DeliveryLink, Release, Packet]:
        """As :meth:`open`, with the packet, in one statement (the download path)."""
        link_id = self._link_id(token)
        row = (
            await self.session.execute(
                select(DeliveryLink, Release, Packet)
                .join(Release, Release.id == DeliveryLink.release_id)
                .join(Packet, Packet.id == DeliveryLink.packet_id)
                .where(DeliveryLink.id == link_id)
            )
        ).one_or_none()
        if row is None:
            raise LinkRefused
        link, release, packet = row
        if not link_live(link, self.clock.now()) or release.state != State.RELEASED:
            raise LinkRefused
        return link, release, packet

    def _link_id(self, token: str) -> uuid.UUID:
        try:
            claims = self.tokens.verify(Purpose.DOWNLOAD_LINK, token, audience=AUDIENCE)
            return uuid.UUID(claims.subject)
        except (TokenRejected, ValueError):
            raise LinkRefused from None

    async def start(
        self,
        link: DeliveryLink,
        release: Release,
        *,
        actor: str,
        proof: str | None = None,
        signed_in: bool = False,
    ) -> Download:
        """Check, consume one use and write ``download.started``, all in this session."""
        packet = await self.prepare(link, release, proof=proof, signed_in=signed_in)
        return await self.consume(link.id, release, packet, actor=actor)

    async def prepare(
        self,
        link: DeliveryLink,
        release: Release,
        *,
        proof: str | None = None,
        signed_in: bool = False,
        packet: Packet | None = None,
    ) -> Packet:
        """The read-only checks before a download (any session): the recipient code's proof for
        a bound link (unless the requester is signed in: its password and second factor bind
        it), the re-check at delivery, and the packet. Raises :class:`LinkRefused`."""
        now = self.clock.now()
        if link.code_required and not signed_in and not proof_ok(link, proof, now):
            raise LinkRefused
        found = await recheck(self.session, release, today(self.clock))  # at delivery, too
        if found:
            log.info(
                "delivery.recheck_failed",
                release_id=str(release.id),
                codes=[f.code for f in found],
            )
            raise LinkRefused
        if packet is None:
            packet = await self.session.get(Packet, link.packet_id)
        if packet is None:
            raise LinkRefused
        return packet

    async def consume(
        self, link_id: uuid.UUID, release: Release, packet: Packet, *, actor: str
    ) -> Download:
        """One use, by one conditional UPDATE (R8), and ``download.started`` in the same
        transaction. Refuses (:class:`LinkRefused`) before any write when no use is left."""
        now = self.clock.now()
        result = await self.session.execute(
            update(DeliveryLink)
            .where(
                DeliveryLink.id == link_id,
                DeliveryLink.uses < DeliveryLink.max_uses,
                DeliveryLink.revoked_at.is_(None),
                DeliveryLink.locked_at.is_(None),
                DeliveryLink.expired_at.is_(None),
                DeliveryLink.expires_at > now,
            )
            .values(uses=DeliveryLink.uses + 1)
            .returning(DeliveryLink.uses)
            .execution_options(synchronize_session=False)
        )
        use = result.scalar_one_or_none()
        if use is None:
            raise LinkRefused
        download = Download(
            id=uuid.uuid4(),
            link_id=link_id,
            release_id=release.id,
            release=release,
            blob_key=packet.blob_key,
            size=packet.size,
            filename=packet_filename(release, packet.version),
            use=use,
        )
        await self._ledger(
            release,
            actor,
            f"download:{download.id}:started",
            "download.started",
            {"link_id": str(link_id), "packet_version": packet.version, "use": use},
        )
        return download

    async def finish(self, download: Download, *, actor: str, completed: bool, sent: int) -> None:
        """``download.completed`` or ``download.aborted``, in the caller's transaction."""
        release = download.release
        event = "download.completed" if completed else "download.aborted"
        details: dict[str, Any] = {"link_id": str(download.link_id), "bytes": sent}
        disclosure = None
        if completed and not await self._disclosed(release):
            disclosure = self._disclosure(release)
            if self.batch is not None:
                self.batch.disclosed.add(release.id)
        await self._ledger(
            release,
            actor,
            f"download:{download.id}:{'completed' if completed else 'aborted'}",
            event,
            details,
            disclosure=disclosure,
        )

    async def _disclosed(self, release: Release) -> bool:
        """Whether a completed download of this release is on the ledger already (or is in
        this batch)."""
        batch = self.batch
        if batch is not None and (
            release.id in batch.disclosed or release.id in batch.known_disclosed
        ):
            return True
        first = await self.session.scalar(
            select(LedgerEntry.seq)
            .where(
                LedgerEntry.release_id == release.id,
                LedgerEntry.event_type == "download.completed",
            )
            .limit(1)
        )
        if first is not None and batch is not None:
            batch.known_disclosed.add(release.id)  # committed before this batch began
        return first is not None

    def _disclosure(self, release: Release) -> ledger.Disclosure:
        recipient = release.recipient or {}
        address = recipient.get("address") or None
        return ledger.Disclosure(
            disclosed_on=today(self.clock),
            recipient_name=str(recipient.get("name") or "recipient"),
            description=f"Medical records, release {release.reference}",
            accounting_exempt=release.basis_type in EXEMPT_BASES,
            recipient_address=address,
            address_unknown=address is None,
            purpose=release.purpose or None,
            request_ref=None if release.purpose else release.reference,
        )

    async def _ledger(
        self,
        release: Release,
        actor: str,
        key: str,
        event: str,
        details: dict[str, Any],
        *,
        disclosure: ledger.Disclosure | None = None,
    ) -> None:
        entry = ledger.NewEntry(
            idempotency_key=key,
            actor_id=actor,
            event_type=event,
            release_id=release.id,
            patient_id=release.patient_id,
            disclosure=disclosure,
            details=details,
        )
        if self.batch is not None:
            self.batch.entries.append(entry)
            return
        await self.session.flush()
        await ledger.append(self.session, entry, clock=self.clock)

    # -- the recipient code (R11) ----------------------------------------------------------

    async def new_code(self, link: DeliveryLink) -> str:
        """A fresh 6-digit code for a bound link (the previous one stops working)."""
        code = f"{secrets.randbelow(10**6):06d}"
        link.code_hash = digest(link.id, code)
        link.code_expires_at = self.clock.now() + CODE_LIFETIME
        link.code_sent_count += 1
        await self.session.flush()
        return code

    async def redeem_code(self, link: DeliveryLink, code: str) -> str:
        """Check a code; on success a proof (returned once, kept hashed) for the download.
        Wrong codes count; the fifth locks the link for good."""
        now = self.clock.now()
        good = (
            link.code_hash is not None
            and link.code_expires_at is not None
            and link.code_expires_at > now
            and hmac.compare_digest(link.code_hash, digest(link.id, code.strip()))
        )
        if not good:
            link.code_attempts += 1
            if link.code_attempts >= CODE_MAX_ATTEMPTS:
                link.locked_at = now
                log.info("delivery.link_locked", link_id=str(link.id))
            await self.session.flush()
            raise CodeRefused(attempts_left=max(0, CODE_MAX_ATTEMPTS - link.code_attempts))
        proof = secrets.token_urlsafe(32)
        link.code_hash = None  # single use
        link.code_expires_at = None
        link.proof_hash = digest(link.id, proof)
        link.proof_expires_at = now + PROOF_LIFETIME
        await self.session.flush()
        return proof

    # -- staff and requesters --------------------------------------------------------------

    async def links_of(self, release_id: uuid.UUID) -> list[DeliveryLink]:
        return list(
            await self.session.scalars(
                select(DeliveryLink)
                .where(DeliveryLink.release_id == release_id)
                .order_by(DeliveryLink.created_at, DeliveryLink.id)
            )
        )

    async def revoke(self, link_id: uuid.UUID, *, actor: str, reason: str) -> DeliveryLink:
        """Revoke one link; the release moves ``released -> revoked`` when no live link is left."""
        link = await self.session.get(DeliveryLink, link_id, populate_existing=True)
        if link is None:
            raise LinkNotFound("no such link", link=str(link_id))
        if link.revoked_at is None:
            now = self.clock.now()
            link.revoked_at, link.revoked_by, link.revoke_reason = now, actor, reason
            await self.session.flush()
            release = await self.session.get(Release, link.release_id, populate_existing=True)
            if release is not None and release.state == State.RELEASED:
                left = [other for other in await self.links_of(release.id) if link_live(other, now)]
                if not left:
                    step = Move(
                        State.REVOKED,
                        actor=actor,
                        reason_code=reason,
                        details={"link_id": str(link.id)},
                    )
                    await move(self.session, release, step, clock=self.clock)
            log.info("delivery.link_revoked", link_id=str(link.id), reason=reason)
        return link

    async def requester_link(self, release: Release) -> DeliveryLink:
        """The live link of a released release, for its requesting organisation's download."""
        now = self.clock.now()
        live = [link for link in await self.links_of(release.id) if link_live(link, now)]
        if release.state != State.RELEASED or not live:
            raise LinkRefused
        return live[-1]

    async def expire_due(self, *, actor: str) -> int:
        """Mark links past their time expired, and move their releases ``released -> expired``
        when no live link is left; how many links expired."""
        now = self.clock.now()
        due = list(
            await self.session.scalars(
                select(DeliveryLink).where(
                    DeliveryLink.expired_at.is_(None),
                    DeliveryLink.revoked_at.is_(None),
                    DeliveryLink.expires_at <= now,
                )
            )
        )
        for link in due:
            link.expired_at = now
            link.code_hash = link.proof_hash = None
        await self.session.flush()
        for release_id in {link.release_id for link in due}:
            release = await self.session.get(Release, release_id, populate_existing=True)
            if release is None or release.state != State.RELEASED:
                continue
            if not any(link_live(other, now) for other in await self.links_of(release_id)):
                step = Move(State.EXPIRED, actor=actor, details={"links": len(due)})
                await move(self.session, release, step, clock=self.clock)
        if due:
            log.info("delivery.links_expired", count=len(due))
        return len(due)

    async def unnotified(self, limit: int = 100) -> list[DeliveryLink]:
        now = self.clock.now()
        rows = await self.session.scalars(
            select(DeliveryLink)
            .where(
                DeliveryLink.notified_at.is_(None),
                DeliveryLink.revoked_at.is_(None),
                DeliveryLink.expired_at.is_(None),
                DeliveryLink.expires_at > now,
                DeliveryLink.notify_attempts < MAX_NOTIFY_ATTEMPTS,
            )
            .limit(limit)
        )
        return list(rows)
