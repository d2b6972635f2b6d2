"""delivery links: one row per link (packet version, recipient kind, expiry, uses, revocation,
recipient code and its proof, mailing)

Revision ID: a3c9d2e7f104
Revises: 5b1e7c2a9d40
Create Date: 2026-12-04 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op


revision: str = 'a3c9d2e7f104'
down_revision: str | None = '5b1e7c2a9d40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = True) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table('delivery_links',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('release_id', sa.Uuid(), nullable=False),
    sa.Column('packet_id', sa.Uuid(), nullable=False),
    sa.Column('packet_version', sa.Integer(), nullable=False),
    sa.Column('recipient_kind', sa.String(length=16), nullable=False),
    _at('created_at', False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    _at('expires_at', False),
    sa.Column('max_uses', sa.Integer(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    _at('revoked_at'),
    sa.Column('revoked_by', sa.String(length=100), nullable=True),
    sa.Column('revoke_reason', sa.String(length=80), nullable=True),
    _at('expired_at'),
    _at('notified_at'),
    sa.Column('notify_attempts', sa.Integer(), nullable=False),
    sa.Column('code_required', sa.Boolean(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    _at('code_expires_at'),
    sa.Column('code_attempts', sa.Integer(), nullable=False),
    sa.Column('code_sent_count', sa.Integer(), nullable=False),
    _at('locked_at'),
    sa.Column('proof_hash', sa.String(length=64), nullable=True),
    _at('proof_expires_at'),
    sa.CheckConstraint('code_attempts >= 0', name=op.f('ck_delivery_links_code_attempts_non_negative')),
    sa.CheckConstraint('max_uses >= 1', name=op.f('ck_delivery_links_max_uses_positive')),
    sa.CheckConstraint('uses >= 0 AND uses <= max_uses', name=op.f('ck_delivery_links_uses_within_limit')),
    sa.ForeignKeyConstraint(['packet_id'], ['packets.id'], name=op.f('fk_delivery_links_packet_id_packets')),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'], name=op.f('fk_delivery_links_release_id_releases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_links'))
    )
    with op.batch_alter_table('delivery_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_links_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_links_release_id'), ['release_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('delivery_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_links_release_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_links_expires_at'))

    op.drop_table('delivery_links')
