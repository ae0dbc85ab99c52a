"""Bulletins: schedules and the archive.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21

Values and names are spelled out here rather than imported from the models.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bulletin_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(32), nullable=False),
        sa.Column("cron", sa.String(64), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("formats", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_schedules")),
    )
    with op.batch_alter_table("bulletin_schedules") as batch_op:
        batch_op.create_index(op.f("ix_bulletin_schedules_province"), ["province"])

    op.create_table(
        "bulletin_archive",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("province", sa.String(32), nullable=False),
        sa.Column("window", sa.String(32), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("issued_at", TIMESTAMP, nullable=False),
        sa.Column("issued_by", sa.String(128), nullable=False),
        sa.CheckConstraint("format IN ('html', 'pdf', 'docx', 'xlsx')", name=op.f("ck_bulletin_archive_format")),
        sa.CheckConstraint("lang IN ('vi', 'en')", name=op.f("ck_bulletin_archive_lang")),
        sa.ForeignKeyConstraint(["schedule_id"], ["bulletin_schedules.id"],
                                name=op.f("fk_bulletin_archive_schedule_id_bulletin_schedules")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_archive")),
        sa.UniqueConstraint("province", "window", "lang", "format",
                            name=op.f("uq_bulletin_archive_province_window_lang_format")),
    )
    with op.batch_alter_table("bulletin_archive") as batch_op:
        batch_op.create_index(op.f("ix_bulletin_archive_province"), ["province"])
        batch_op.create_index(op.f("ix_bulletin_archive_schedule_id"), ["schedule_id"])


def downgrade() -> None:
    op.drop_table("bulletin_archive")
    op.drop_table("bulletin_schedules")
