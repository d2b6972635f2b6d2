"""Tables of the disclosure ledger: the entries and the single-row chain head.

``ledger_entries`` is append-only: database triggers refuse UPDATE and DELETE (and TRUNCATE on
PostgreSQL), and refuse an INSERT that does not extend ``ledger_head`` by exactly one seq with its
hash as ``prev_hash``. ``ledger_head`` can only advance by one, to an entry that exists with that
hash. The triggers are in the migration (``*_disclosure_ledger.py``); a SQLite batch migration
that rebuilds either table drops them and must create them again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    Uuid,
)
from sqlalchemy.engine import Row
from sqlalchemy.orm import Mapped, mapped_column

from gateway.ledger.chain import JsonValue
from kernel.db import Base

HASH_LENGTH = 64
HEAD_ID = 1

DISCLOSURE_COMPLETE = (
    "(disclosed_on IS NULL AND accounting_exempt IS NULL AND recipient_name IS NULL)"
    " OR (disclosed_on IS NOT NULL AND accounting_exempt IS NOT NULL"
    " AND patient_id IS NOT NULL AND recipient_name IS NOT NULL AND description IS NOT NULL"
    " AND (purpose IS NOT NULL OR request_ref IS NOT NULL))"
)
# AOD-01: a missing address is allowed only with address_unknown = true.
ADDRESS_OR_UNKNOWN = (
    "disclosed_on IS NULL"
    " OR (recipient_address IS NOT NULL AND NOT address_unknown)"
    " OR (recipient_address IS NULL AND address_unknown)"
)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which stores naive text) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime"
            raise ValueError(msg)
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class LedgerEntry(Base):
    """One event; the disclosure columns are set only for events that disclose records."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint("actor_id <> ''", name="actor_present"),
        CheckConstraint(DISCLOSURE_COMPLETE, name="disclosure_complete"),
        CheckConstraint(ADDRESS_OR_UNKNOWN, name="address_or_unknown"),
        Index("ix_ledger_entries_patient_disclosed", "patient_id", "disclosed_on"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry_id: Mapped[UUID] = mapped_column(Uuid, unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(64))
    release_id: Mapped[UUID | None] = mapped_column(Uuid, index=True)
    patient_id: Mapped[UUID | None] = mapped_column(Uuid)
    disclosed_on: Mapped[date | None] = mapped_column(Date)
    recipient_name: Mapped[str | None] = mapped_column(String(300))
    recipient_address: Mapped[str | None] = mapped_column(Text)
    address_unknown: Mapped[bool] = mapped_column(Boolean)
    description: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(Text)
    request_ref: Mapped[str | None] = mapped_column(String(200))
    accounting_exempt: Mapped[bool | None] = mapped_column(Boolean)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    entry_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)

    def content(self) -> dict[str, JsonValue]:
        """The hashed content: every column except seq and the two hashes."""
        return content_of(self)


class LedgerHead(Base):
    """The one row that records the end of the chain: an anchor for truncation and forgery."""

    __tablename__ = "ledger_head"
    __table_args__ = (CheckConstraint(f"id = {HEAD_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))


def content_of(row: LedgerEntry | Row[Any] | SimpleNamespace) -> dict[str, JsonValue]:
    """The hashed content of an entry, or of a Core row of ``ledger_entries`` (verification reads
    plain rows: several times faster than ORM objects)."""
    return {
        "entry_id": str(row.entry_id),
        "idempotency_key": row.idempotency_key,
        "occurred_at": _iso(row.occurred_at),
        "actor_id": row.actor_id,
        "event_type": row.event_type,
        "release_id": _str_or_none(row.release_id),
        "patient_id": _str_or_none(row.patient_id),
        "disclosed_on": row.disclosed_on.isoformat() if row.disclosed_on else None,
        "recipient_name": row.recipient_name,
        "recipient_address": row.recipient_address,
        "address_unknown": row.address_unknown,
        "description": row.description,
        "purpose": row.purpose,
        "request_ref": row.request_ref,
        "accounting_exempt": row.accounting_exempt,
        "details": row.details,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _str_or_none(value: UUID | None) -> str | None:
    return None if value is None else str(value)
