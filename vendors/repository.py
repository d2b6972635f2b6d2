"""Queries of the registry; no business rules here."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vendors.models import BaaTermination, BaaVersion, Vendor


async def get_vendor(session: AsyncSession, vendor_id: uuid.UUID) -> Vendor | None:
    return await session.get(Vendor, vendor_id)


async def vendor_by_name(session: AsyncSession, name: str) -> Vendor | None:
    found = await session.scalars(select(Vendor).where(Vendor.name == name))
    return found.first()


async def list_vendors(session: AsyncSession) -> list[Vendor]:
    return list(await session.scalars(select(Vendor).order_by(Vendor.name)))


async def get_baa(session: AsyncSession, baa_id: uuid.UUID) -> BaaVersion | None:
    return await session.get(BaaVersion, baa_id)


async def versions_of(session: AsyncSession, agreement_id: uuid.UUID) -> list[BaaVersion]:
    query = (
        select(BaaVersion)
        .where(BaaVersion.agreement_id == agreement_id)
        .order_by(BaaVersion.version)
    )
    return list(await session.scalars(query))


def _latest() -> Select[tuple[BaaVersion]]:
    newest = (
        select(BaaVersion.agreement_id, func.max(BaaVersion.version).label("version"))
        .group_by(BaaVersion.agreement_id)
        .subquery()
    )
    return select(BaaVersion).join(
        newest,
        (BaaVersion.agreement_id == newest.c.agreement_id)
        & (BaaVersion.version == newest.c.version),
    )


async def current_baas(
    session: AsyncSession, vendor_id: uuid.UUID | None = None
) -> list[BaaVersion]:
    """The newest version of every agreement (of one vendor, if given), newest start first."""
    query = _latest()
    if vendor_id is not None:
        query = query.where(BaaVersion.vendor_id == vendor_id)
    query = query.order_by(BaaVersion.effective_on.desc(), BaaVersion.created_at.desc())
    return list(await session.scalars(query))


async def ending_between(session: AsyncSession, start: date, end: date) -> list[BaaVersion]:
    """Newest versions whose end date lies in ``[start, end]``."""
    query = _latest().where(BaaVersion.ends_on >= start, BaaVersion.ends_on <= end)
    return list(await session.scalars(query.order_by(BaaVersion.ends_on)))


async def terminations(
    session: AsyncSession, agreement_ids: list[uuid.UUID]
) -> dict[uuid.UUID, BaaTermination]:
    if not agreement_ids:
        return {}
    query = select(BaaTermination).where(BaaTermination.agreement_id.in_(agreement_ids))
    return {t.agreement_id: t for t in await session.scalars(query)}


async def termination_of(session: AsyncSession, agreement_id: uuid.UUID) -> BaaTermination | None:
    return await session.get(BaaTermination, agreement_id)
