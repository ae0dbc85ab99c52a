"""Unit shapes: the commune boundaries a province imported from its own GIS data (issue 14).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

``unit_shapes``: one row per unit, its GeoJSON geometry as text, the file it came from,
when and by whom it was imported and the SHA-256 of the geometry. Values and names are
spelled out here rather than imported from the models.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "unit_shapes",
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("province_code", sa.String(32), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("vertices", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("imported_at", TIMESTAMP, nullable=False),
        sa.Column("imported_by", sa.String(128), nullable=False),
        sa.Column("sha", sa.String(64), nullable=False),
        sa.CheckConstraint("level IN ('province', 'commune')", name=op.f("ck_unit_shapes_level")),
        sa.PrimaryKeyConstraint("unit_code", name=op.f("pk_unit_shapes")),
    )
    op.create_index(op.f("ix_unit_shapes_province_code"), "unit_shapes", ["province_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_unit_shapes_province_code"), table_name="unit_shapes")
    op.drop_table("unit_shapes")
