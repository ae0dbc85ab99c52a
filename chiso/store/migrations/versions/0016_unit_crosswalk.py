"""Rows imported into the unit-code crosswalk (``unit_crosswalk``; issue 16).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

One row per (scheme, foreign code, version, today's code): the relation, the version's date,
the foreign unit's level and name, where the row came from (the file's name and hash), who
imported it and when. A changed mapping is a new version: rows are never updated. Values are
spelled out here rather than imported from the models.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "unit_crosswalk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(16), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("source_file", sa.String(255), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("imported_by", sa.String(128), nullable=False),
        sa.Column("imported_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("scheme IN ('portal', 'before_2025')", name=op.f("ck_unit_crosswalk_scheme")),
        sa.CheckConstraint("relation IN ('same', 'renamed', 'merged_into', 'part_of', 'split_from')",
                           name=op.f("ck_unit_crosswalk_relation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_crosswalk")),
        sa.UniqueConstraint("scheme", "code", "version", "target",
                            name=op.f("uq_unit_crosswalk_scheme_code_version_target")),
    )
    op.create_index(op.f("ix_unit_crosswalk_target"), "unit_crosswalk", ["target"])


def downgrade() -> None:
    op.drop_index(op.f("ix_unit_crosswalk_target"), table_name="unit_crosswalk")
    op.drop_table("unit_crosswalk")
