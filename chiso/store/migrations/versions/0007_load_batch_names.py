"""Each registered file names the load it was part of (``load_batches.batch``), as its
records carry it, so a register can be completed from the records' own load log.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("load_batches") as batch_op:
        batch_op.add_column(sa.Column("batch", sa.String(64), nullable=True))
        batch_op.create_index(op.f("ix_load_batches_batch"), ["batch"])


def downgrade() -> None:
    with op.batch_alter_table("load_batches") as batch_op:
        batch_op.drop_index(op.f("ix_load_batches_batch"))
        batch_op.drop_column("batch")
