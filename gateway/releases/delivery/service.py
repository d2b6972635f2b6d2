"""Delivery: from an approved packet to a downloaded one (DESIGN.md step 6, SECURITY.md R8-R15).

- :meth:`DeliveryService.deliver` (in the caller's transaction): re-check the basis and the BAA,
  confirm the packet version is verified and its stored blob has the recorded SHA-256 (R15), make
  the link (lifetime from settings, never past the vendor's BAA end) and move the release
  ``approved -> released``, whose ledger entry names the link.
- :func:`check_proof`, :func:`refuse_on` and :meth:`DeliveryService.prepare`: the read-only
  checks before a download. Its statements (the read ``open_link``; one use with
  ``download.started``, then ``download.completed`` or ``download.aborted``) are in
  ``usage.py``, run on threads of their own (``reader.py``, and the group commit ``writer.py``).

The token is signed (``gateway.access_tokens``, purpose ``download_link``) and carries only the
link's id; it is made when the recipient is mailed and never stored. The row decides.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Finding, VendorFunction
from gateway import ledger
from gateway.access_tokens import AccessTokens, Purpose, TokenRejected
from gateway.releases.approval import ApprovalService
from gateway.releases.delivery.errors import CodeRefused, LinkNotFound, LinkRefused, NotDeliverable
from gateway.releases.delivery.models import DeliveryLink
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


def link_id_of(tokens: AccessTokens, token: str) -> uuid.UUID:
    """The link id a download token carries; :class:`LinkRefused` for any bad token."""
    try:
        claims = tokens.verify(Purpose.DOWNLOAD_LINK, token, audience=AUDIENCE)
        return uuid.UUID(claims.subject)
    except (TokenRejected, ValueError):
        raise LinkRefused from None


def check_proof(link: DeliveryLink, proof: str | None, now: datetime, *, signed_in: bool) -> None:
    """A bound link needs the live proof of its redeemed recipient code, unless the requester is
    signed in (its password and second factor bind it). Raises :class:`LinkRefused`."""
    if link.code_required and not signed_in and not proof_ok(link, proof, now):
        raise LinkRefused


def refuse_on(release: Release, found: Sequence[Finding]) -> None:
    """The re-check at delivery: any finding refuses the download (:class:`LinkRefused`)."""
    if found:
        codes = [f.code for f in found]
        log.info("delivery.recheck_failed", release_id=str(release.id), codes=codes)
        raise LinkRefused


def release_entry(
    release: Release,
    actor: str,
    key: str,
    event: str,
    details: dict[str, Any],
    *,
    disclosure: ledger.Disclosure | None = None,
) -> ledger.NewEntry:
    """A ledger entry about ``release`` (and its patient)."""
    return ledger.NewEntry(
        idempotency_key=key,
        actor_id=actor,
        event_type=event,
        release_id=release.id,
        patient_id=release.patient_id,
        disclosure=disclosure,
        details=details,
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

    def _link_id(self, token: str) -> uuid.UUID:
        return link_id_of(self.tokens, token)

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
        check_proof(link, proof, self.clock.now(), signed_in=signed_in)
        refuse_on(release, await recheck(self.session, release, today(self.clock)))
        if packet is None:
            packet = await self.session.get(Packet, link.packet_id)
        if packet is None:
            raise LinkRefused
        return packet

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
        entry = release_entry(release, actor, key, event, details, disclosure=disclosure)
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
