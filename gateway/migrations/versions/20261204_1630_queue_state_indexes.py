"""queue: (state, due_on, id) and (state, created_at, id), so a list filtered by state walks
its order in an index instead of sorting every row of that state

Revision ID: c7e41f0a9b26
Revises: a3c9d2e7f104
Create Date: 2026-12-04 16:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = 'c7e41f0a9b26'
down_revision: str | None = 'a3c9d2e7f104'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_releases_state_due_on_id', 'releases', ['state', 'due_on', 'id'])
    op.create_index('ix_releases_state_created_at_id', 'releases', ['state', 'created_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_releases_state_created_at_id', table_name='releases')
    op.drop_index('ix_releases_state_due_on_id', table_name='releases')
