"""approval queue: each approver's approval of a packet version, holds with follow-up dates, and
the indexes the queue's orders walk (due date or creation time, then id)

Revision ID: 5b1e7c2a9d40
Revises: 5b1f0c7e9a21
Create Date: 2026-12-04 08:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '5b1e7c2a9d40'
down_revision: str | None = '5b1f0c7e9a21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('release_approvals',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('release_id', sa.Uuid(), nullable=False),
    sa.Column('packet_version', sa.Integer(), nullable=False),
    sa.Column('approver_id', sa.Uuid(), nullable=False),
    sa.Column('actor_id', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('packet_version >= 1', name=op.f('ck_release_approvals_packet_version_positive')),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_release_approvals_release_id_releases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release_approvals')),
    sa.UniqueConstraint('release_id', 'packet_version', 'approver_id', name='uq_release_approvals_approver')
    )
    with op.batch_alter_table('release_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_release_approvals_release_id'), ['release_id'], unique=False)

    op.create_table('release_holds',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('release_id', sa.Uuid(), nullable=False),
    sa.Column('reason_code', sa.String(length=80), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('held_by', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_release_holds_release_id_releases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release_holds'))
    )
    with op.batch_alter_table('release_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_release_holds_follow_up_on'), ['follow_up_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_release_holds_release_id'), ['release_id'], unique=False)


    with op.batch_alter_table('releases', schema=None) as batch_op:
        batch_op.create_index('ix_releases_due_on_id', ['due_on', 'id'], unique=False)
        batch_op.create_index('ix_releases_created_at_id', ['created_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('releases', schema=None) as batch_op:
        batch_op.drop_index('ix_releases_created_at_id')
        batch_op.drop_index('ix_releases_due_on_id')

    with op.batch_alter_table('release_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_release_holds_release_id'))
        batch_op.drop_index(batch_op.f('ix_release_holds_follow_up_on'))

    op.drop_table('release_holds')
    with op.batch_alter_table('release_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_release_approvals_release_id'))

    op.drop_table('release_approvals')
