"""The indicator catalogue: imports, indicator versions, lifecycle transitions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21

Values and names are spelled out here rather than imported from chiso.store.models: a
migration describes the schema as it was at this revision, whatever the models become.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
STATES = ("'needs_identified', 'candidate', 'standardised', 'unified', 'approved', "
          "'in_operation', 'retired'")


def upgrade() -> None:
    op.create_table(
        "catalogue_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(32), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(512), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", TIMESTAMP, nullable=False),
        sa.Column("imported_by", sa.String(128), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("versioned", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_imports")),
    )
    with op.batch_alter_table("catalogue_imports") as batch_op:
        batch_op.create_index(op.f("ix_catalogue_imports_province"), ["province"])

    op.create_table(
        "indicator_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(32), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(32), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("indicator_group", sa.String(16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"status IN ({STATES})", name=op.f("ck_indicator_versions_status")),
        sa.CheckConstraint("indicator_group IN ('input', 'process', 'output', 'outcome', 'synthetic')",
                           name=op.f("ck_indicator_versions_indicator_group")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_indicator_versions_version")),
        sa.ForeignKeyConstraint(["import_id"], ["catalogue_imports.id"],
                                name=op.f("fk_indicator_versions_import_id_catalogue_imports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_versions")),
        sa.UniqueConstraint("province", "code", "version",
                            name=op.f("uq_indicator_versions_province_code_version")),
    )
    with op.batch_alter_table("indicator_versions") as batch_op:
        batch_op.create_index(op.f("ix_indicator_versions_province"), ["province"])
        batch_op.create_index(op.f("ix_indicator_versions_code"), ["code"])
        batch_op.create_index(op.f("ix_indicator_versions_status"), ["status"])
        batch_op.create_index(op.f("ix_indicator_versions_owner"), ["owner"])
        batch_op.create_index(op.f("ix_indicator_versions_import_id"), ["import_id"])

    op.create_table(
        "lifecycle_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(32), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(32), nullable=True),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.CheckConstraint(f"to_state IN ({STATES})", name=op.f("ck_lifecycle_transitions_to_state")),
        sa.CheckConstraint(f"from_state IS NULL OR from_state IN ({STATES})",
                           name=op.f("ck_lifecycle_transitions_from_state")),
        sa.CheckConstraint("length(trim(comment)) > 0", name=op.f("ck_lifecycle_transitions_comment")),
        sa.ForeignKeyConstraint(
            ["province", "code", "version"],
            ["indicator_versions.province", "indicator_versions.code", "indicator_versions.version"],
            name=op.f("fk_lifecycle_transitions_province_indicator_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_transitions")),
    )
    with op.batch_alter_table("lifecycle_transitions") as batch_op:
        batch_op.create_index(op.f("ix_lifecycle_transitions_code"), ["code"])


def downgrade() -> None:
    for table in ("lifecycle_transitions", "indicator_versions", "catalogue_imports"):
        op.drop_table(table)
