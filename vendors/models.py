"""Tables of the registry: vendors, BAA versions, and BAA terminations.

A BAA row is one version of an agreement (``agreement_id`` shared by its versions, ``version``
counting from 1). An amendment is a new row; nothing is overwritten in place. A termination is a
row of its own, one per agreement. None of these rows is ever deleted (RULES.md RET-01): the
service refuses, and the migration's triggers refuse UPDATE and DELETE of BAA versions and
terminations at the database too. Enumerations are strings with CHECK constraints.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db import Base

VENDOR_KINDS = ("copy", "transcription", "scanning", "storage", "mailing", "redaction")
KIND_CHECK = "kind IN (" + ", ".join(f"'{k}'" for k in VENDOR_KINDS) + ")"


class Vendor(Base):
    __tablename__ = "vendors"
    __table_args__ = (CheckConstraint(KIND_CHECK, name="kind_known"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    subcontractors: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid)


class BaaVersion(Base):
    """One version of a BAA: the signed document (blob key and digest), its terms as data, and
    the findings of the checks run when it was stored."""

    __tablename__ = "baas"
    __table_args__ = (
        UniqueConstraint("agreement_id", "version", name="uq_baas_agreement_version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("ends_on IS NULL OR ends_on >= effective_on", name="ends_after_start"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    vendor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vendors.id"), index=True)
    agreement_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    version: Mapped[int] = mapped_column(Integer)
    document_key: Mapped[str] = mapped_column(String(300))
    document_sha256: Mapped[str] = mapped_column(String(64))
    document_size: Mapped[int] = mapped_column(Integer)
    covered_entity: Mapped[str] = mapped_column(String(200))
    business_associate: Mapped[str] = mapped_column(String(200))
    effective_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    functions: Mapped[list[str]] = mapped_column(JSON)
    clauses: Mapped[list[str]] = mapped_column(JSON)
    breach_notice_days: Mapped[int | None] = mapped_column(Integer)
    subcontractors: Mapped[list[str]] = mapped_column(JSON, default=list)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    checked_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid)


class BaaTermination(Base):
    """The termination of an agreement (all its versions), recorded once and kept."""

    __tablename__ = "baa_terminations"

    agreement_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    baa_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("baas.id"))
    terminated_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid)
