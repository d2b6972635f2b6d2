"""Queries of the access layer. Services call these; nothing else touches the tables."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.models import IntegrationToken, Organisation, User, UserSession


class AuthRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # users and organisations

    async def user_by_email(self, email: str) -> User | None:
        found: User | None = await self.session.scalar(select(User).where(User.email == email))
        return found

    async def user(self, user_id: uuid.UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def organisation_by_name(self, name: str) -> Organisation | None:
        query = select(Organisation).where(Organisation.name == name)
        found: Organisation | None = await self.session.scalar(query)
        return found

    async def organisation(self, organisation_id: uuid.UUID) -> Organisation | None:
        return await self.session.get(Organisation, organisation_id)

    async def add(self, row: object) -> None:
        self.session.add(row)
        await self.session.flush()

    async def claim_totp_step(self, user_id: uuid.UUID, step: int) -> bool:
        """Record ``step`` as used, atomically; false if it (or a newer one) was used already."""
        statement = (
            update(User)
            .where(User.id == user_id)
            .where(or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step, totp_enrolled=True)
        )
        return await self._changed(statement) == 1

    # sessions

    async def session_row(self, session_id: str) -> UserSession | None:
        return await self.session.get(UserSession, session_id)

    async def touch_session(self, session_id: str, now: datetime) -> None:
        statement = update(UserSession).where(UserSession.id == session_id)
        await self.session.execute(statement.values(last_seen_at=now))

    async def revoke_session(self, session_id: str, now: datetime) -> None:
        statement = update(UserSession).where(
            UserSession.id == session_id, UserSession.revoked_at.is_(None)
        )
        await self.session.execute(statement.values(revoked_at=now))

    async def revoke_sessions_of(
        self, user_id: uuid.UUID, now: datetime, *, keep: str | None = None
    ) -> int:
        statement = update(UserSession).where(
            UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
        )
        if keep is not None:
            statement = statement.where(UserSession.id != keep)
        return await self._changed(statement.values(revoked_at=now))

    # integration tokens

    async def token_by_hash(self, token_hash: str) -> IntegrationToken | None:
        query = select(IntegrationToken).where(IntegrationToken.token_hash == token_hash)
        found: IntegrationToken | None = await self.session.scalar(query)
        return found

    async def token(self, token_id: uuid.UUID) -> IntegrationToken | None:
        return await self.session.get(IntegrationToken, token_id)

    async def tokens(self) -> Sequence[IntegrationToken]:
        query = select(IntegrationToken).order_by(IntegrationToken.created_at, IntegrationToken.id)
        return (await self.session.scalars(query)).all()

    async def mark_token_used(self, token_id: uuid.UUID, now: datetime) -> None:
        statement = update(IntegrationToken).where(IntegrationToken.id == token_id)
        await self.session.execute(statement.values(last_used_at=now))

    async def revoke_token(self, token_id: uuid.UUID, now: datetime) -> int:
        statement = update(IntegrationToken).where(
            IntegrationToken.id == token_id, IntegrationToken.revoked_at.is_(None)
        )
        return await self._changed(statement.values(revoked_at=now))

    async def revoke_tokens_of(self, user_id: uuid.UUID, now: datetime) -> int:
        statement = update(IntegrationToken).where(
            IntegrationToken.created_by == user_id, IntegrationToken.revoked_at.is_(None)
        )
        return await self._changed(statement.values(revoked_at=now))

    async def count_users(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(User)) or 0)

    async def _changed(self, statement: object) -> int:
        result = await self.session.execute(statement)  # type: ignore[call-overload]
        assert isinstance(result, CursorResult)  # noqa: S101 - UPDATE returns a cursor result
        return int(result.rowcount)
