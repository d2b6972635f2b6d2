"""The statements of a download, synchronous Core for the threads that run them whole: the read
before it (reader.py) and its writes in the group commit (writer.py).

- :func:`open_link`: the live link, its release and packet, in one statement (as a step of a
  staged work: :func:`read_link`, then :func:`opened` on its result).
- :func:`consume`: one use, by one conditional ``UPDATE`` (R8), and ``download.started`` in the
  same transaction; a staged work (``writer.py``), so the uses of a batch go to the database in
  one round trip. It refuses (:class:`LinkRefused`) before any write when no use is left.
- :func:`finish`: ``download.completed`` (the first completed download of a release carries the
  disclosure for the accounting, AOD-01/02) or ``download.aborted``.

Ledger entries go to the batch and are appended together at its end (``gateway.ledger.batch``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import configure_mappers
from sqlalchemy.orm.instrumentation import ClassManager, manager_of_class

from gateway import ledger
from gateway.ledger.models import LedgerEntry
from gateway.prepared import Executed, Prepared
from gateway.releases.delivery.errors import LinkRefused
from gateway.releases.delivery.models import DeliveryLink
from gateway.releases.delivery.service import (
    Download,
    link_live,
    packet_filename,
    release_entry,
)
from gateway.releases.delivery.writer import Batch, Staged, Step
from gateway.releases.models import Packet, Release
from gateway.releases.states import State
from kernel.clock import Clock, today

M = TypeVar("M", DeliveryLink, Release, Packet)
_MANAGERS: dict[type[Any], ClassManager[Any]] = {}
LINKS = cast("Table", DeliveryLink.__table__)
RELEASES = cast("Table", Release.__table__)
PACKETS = cast("Table", Packet.__table__)
ENTRIES = cast("Table", LedgerEntry.__table__)
# Built once and run as plain DB-API calls (gateway/prepared.py): SQLAlchemy's execution costs
# several times the statement itself on SQLite.
# What a download reads: the columns its checks, its stream and its ledger entries use (not the
# big JSON ones, such as the packet's redaction report).
LINK_COLUMNS = (
    "id",
    "release_id",
    "packet_id",
    "expires_at",
    "max_uses",
    "uses",
    "revoked_at",
    "expired_at",
    "locked_at",
    "code_required",
    "proof_hash",
    "proof_expires_at",
)
# The release's and packet's ids are the link's release_id and packet_id (the join): not read twice.
RELEASE_COLUMNS = (
    "reference",
    "state",
    "vendor_id",
    "patient_id",
    "recipient",
    "basis_type",
    "basis",
    "purpose",
    "accounting",
)
PACKET_COLUMNS = ("version", "blob_key", "sha256", "size", "verified")
OPEN_LINK = Prepared(
    select(
        *(LINKS.c[name] for name in LINK_COLUMNS),
        *(RELEASES.c[name] for name in RELEASE_COLUMNS),
        *(PACKETS.c[name] for name in PACKET_COLUMNS),
    )
    .join_from(LINKS, RELEASES, RELEASES.c.id == LINKS.c.release_id)
    .join(PACKETS, PACKETS.c.id == LINKS.c.packet_id)
    .where(LINKS.c.id == bindparam("link_id"))
)
USE_ONE = Prepared(
    update(LINKS)
    .where(
        LINKS.c.id == bindparam("link_id"),
        LINKS.c.uses < LINKS.c.max_uses,
        LINKS.c.revoked_at.is_(None),
        LINKS.c.locked_at.is_(None),
        LINKS.c.expired_at.is_(None),
        LINKS.c.expires_at > bindparam("now", type_=LINKS.c.expires_at.type),
    )
    .values(uses=LINKS.c.uses + 1)
    .returning(LINKS.c.uses)
)
# a use taken with the link's read and given back because a check refused (same transaction)
GIVE_BACK = Prepared(
    update(LINKS)
    .where(LINKS.c.id == bindparam("link_id"), LINKS.c.uses > 0)
    .values(uses=LINKS.c.uses - 1)
)
FIRST_COMPLETED = Prepared(
    select(ENTRIES.c.seq)
    .where(
        ENTRIES.c.release_id == bindparam("release_id"),
        ENTRIES.c.event_type == "download.completed",
    )
    .limit(1)
)


def open_link(
    conn: Connection, *, link_id: uuid.UUID, now: datetime
) -> tuple[DeliveryLink, Release, Packet]:
    """The link (live by ``now``), its release (still ``released``) and its packet, as detached
    objects holding the columns a download uses (``*_COLUMNS``); :class:`LinkRefused` for
    anything else."""
    return opened(OPEN_LINK.run(conn, {"link_id": link_id}), now)


def read_link(link_id: uuid.UUID) -> Step:
    """:func:`open_link`'s statement, for a staged work."""
    return OPEN_LINK, {"link_id": link_id}


def opened(found: Executed, now: datetime) -> tuple[DeliveryLink, Release, Packet]:
    """:func:`open_link`'s result from its statement's."""
    row = found.one_or_none()
    if row is None:
        raise LinkRefused
    values = iter(row)
    link = _loaded(DeliveryLink, zip(LINK_COLUMNS, values, strict=False))
    release_values = zip(RELEASE_COLUMNS, values, strict=False)
    release = _loaded(Release, [("id", link.release_id), *release_values])
    packet_ids = [("id", link.packet_id), ("release_id", link.release_id)]
    packet = _loaded(Packet, [*packet_ids, *zip(PACKET_COLUMNS, values, strict=False)])
    if not link_live(link, now) or release.state != State.RELEASED:
        raise LinkRefused
    return link, release, packet


def _loaded(model: type[M], values: Iterable[tuple[str, Any]]) -> M:
    """A transient instance holding ``values`` as if loaded from a row: set in its ``__dict__``,
    without the attribute events of ``__init__`` (the three objects of a download cost 126 us
    through ``__init__``, 11 us so; bench/README.md). Never added to a session."""
    manager = _MANAGERS.get(model)
    if manager is None:  # the attributes work once the mappers are configured
        configure_mappers()
        manager = _MANAGERS[model] = manager_of_class(model)
    instance: M = manager.new_instance()
    instance.__dict__.update(values)
    return instance


def use_one(link_id: uuid.UUID, now: datetime) -> Step:
    """The conditional ``UPDATE`` that takes one use (R8): its row holds the new count, or there
    is none when the link is spent, revoked, locked or expired by ``now``."""
    return USE_ONE, {"link_id": link_id, "now": now}


def give_back(link_id: uuid.UUID, used: Executed) -> Staged[None]:
    """Undo :func:`use_one` in the same transaction, before a refusal, if it took a use."""
    if used.scalar() is not None:
        yield GIVE_BACK, {"link_id": link_id}


def consume(
    batch: Batch,
    *,
    link_id: uuid.UUID,
    release: Release,
    packet: Packet,
    actor: str,
    clock: Clock,
) -> Staged[Download]:
    """One use of the link and ``download.started``; :class:`LinkRefused` (nothing written)
    when the link is spent, revoked, locked or expired by now. A staged work: one statement."""
    used = yield use_one(link_id, clock.now())
    return started(batch, used, link_id=link_id, release=release, packet=packet, actor=actor)


def started(
    batch: Batch,
    used: Executed,
    *,
    link_id: uuid.UUID,
    release: Release,
    packet: Packet,
    actor: str,
) -> Download:
    """The download that :func:`use_one`'s result allows, its ``download.started`` added to
    the batch; :class:`LinkRefused` when the use was not taken."""
    use = used.scalar()
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
    details = {"link_id": str(link_id), "packet_version": packet.version, "use": use}
    batch.entries.append(_entry(release, actor, download, "started", details))
    return download


def finish(
    conn: Connection,
    batch: Batch,
    download: Download,
    *,
    actor: str,
    completed: bool,
    sent: int,
    clock: Clock,
) -> None:
    """``download.completed`` (with the release's disclosure, the first time) or
    ``download.aborted``."""
    release = download.release
    disclosure = None
    if completed and not _disclosed(conn, batch, release.id):
        disclosure = disclosure_of(release, today(clock))
        batch.disclosed.add(release.id)
    details: dict[str, Any] = {"link_id": str(download.link_id), "bytes": sent}
    step = "completed" if completed else "aborted"
    batch.entries.append(_entry(release, actor, download, step, details, disclosure=disclosure))


def disclosure_of(release: Release, on: date) -> ledger.Disclosure:
    """What the accounting lists for a release's packet received on ``on`` (AOD-01)."""
    recipient = release.recipient or {}
    address = recipient.get("address") or None
    return ledger.Disclosure(
        disclosed_on=on,
        recipient_name=str(recipient.get("name") or "recipient"),
        description=f"Medical records, release {release.reference}",
        # contracts.classify_accounting decided it at the check step (AOD-01/02); a release
        # without that record is listed, never left out
        accounting_exempt=bool((release.accounting or {}).get("accounting_exempt", False)),
        recipient_address=address,
        address_unknown=address is None,
        purpose=release.purpose or None,
        request_ref=None if release.purpose else release.reference,
    )


def _disclosed(conn: Connection, batch: Batch, release_id: uuid.UUID) -> bool:
    """Whether a completed download of this release is on the ledger already (or is in this
    batch); the writer remembers the answer across batches."""
    if release_id in batch.disclosed or release_id in batch.known_disclosed:
        return True
    first = FIRST_COMPLETED.run(conn, {"release_id": release_id}).scalar()
    if first is not None:
        batch.disclosed.add(release_id)  # committed before this batch began
    return first is not None


def _entry(
    release: Release,
    actor: str,
    download: Download,
    step: str,
    details: dict[str, Any],
    *,
    disclosure: ledger.Disclosure | None = None,
) -> ledger.NewEntry:
    key, event = f"download:{download.id}:{step}", f"download.{step}"
    return release_entry(release, actor, key, event, details, disclosure=disclosure)
