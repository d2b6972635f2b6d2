"""baseline: an empty schema that every later migration builds on

Revision ID: 7d9fbc574420
Revises:
Create Date: 2026-11-27 09:17:39
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "7d9fbc574420"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
