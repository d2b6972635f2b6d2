"""release_extensions: the one extension of a request's due date (ACC-01)

Revision ID: 5b1f0c7e9a21
Revises: 28e9c8c811e6
Create Date: 2026-12-04 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '5b1f0c7e9a21'
down_revision: str | None = '28e9c8c811e6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('release_extensions',
    sa.Column('release_id', sa.Uuid(), nullable=False),
    sa.Column('letter_on', sa.Date(), nullable=False),
    sa.Column('previous_due_on', sa.Date(), nullable=False),
    sa.Column('new_due_on', sa.Date(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_release_extensions_release_id_releases')),
    sa.PrimaryKeyConstraint('release_id', name=op.f('pk_release_extensions'))
    )


def downgrade() -> None:
    op.drop_table('release_extensions')
