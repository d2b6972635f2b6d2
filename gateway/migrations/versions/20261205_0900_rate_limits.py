"""rate limits: one row per limited key (a hash), the times of its events in the window, shared
by every process (gateway/ratelimit/shared.py)

Revision ID: 6c2d8e41f7b3
Revises: a3c9d2e7f104
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '6c2d8e41f7b3'
down_revision: str | None = 'a3c9d2e7f104'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rate_limits',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('events', sa.Text(), nullable=False),
    sa.Column('until', sa.Float(precision=53), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limits'))
    )
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limits_until'), ['until'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limits_until'))
    op.drop_table('rate_limits')
