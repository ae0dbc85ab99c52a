"""Connector cursors: where a pull connector for records has got to (issue 15).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

``connector_cursors``: one row per records connector — its since-cursor (the largest value
of the cursor field committed so far), when the cursor last moved and a page last
committed, pages and records committed in all, and the last page's load batch. Values and
names are spelled out here rather than imported from the models.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "connector_cursors",
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.String(255), nullable=True),
        sa.Column("advanced_at", TIMESTAMP, nullable=True),
        sa.Column("committed_at", TIMESTAMP, nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE",
                                name=op.f("fk_connector_cursors_connector_id_connectors")),
        sa.PrimaryKeyConstraint("connector_id", name=op.f("pk_connector_cursors")),
    )


def downgrade() -> None:
    op.drop_table("connector_cursors")
