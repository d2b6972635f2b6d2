"""Whether the demo data can be loaded: a database without users. Kept apart from the loader so
``roi demo --if-empty`` answers without importing the PDF engine."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.models import User


async def database_is_empty(session: AsyncSession) -> bool:
    count = await session.scalar(select(func.count()).select_from(User))
    return not count
