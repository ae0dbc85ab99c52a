"""The indicator values and submissions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21

Submissions (batches), current values, the history of replaced values, the state of each
indicator × period, connectors, their runs and the files a folder connector processed.
Values and names are spelled out here rather than imported from the models.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
ROLES = "role IN ('officer', 'head', 'admin', 'system')"
RUN_STATUSES = "status IN ('accepted', 'unchanged', 'refused', 'failed')"


def _value_columns() -> list[sa.Column]:
    """The columns a current value and a replaced one share."""
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("indicator_version", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("period_kind", sa.String(16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("breakdown", sa.String(255), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "value_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(512), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("submitted_by", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("as_unit", sa.String(32), nullable=False),
        sa.Column("source", sa.String(255), nullable=True),
        sa.Column("connector", sa.String(128), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("corrected", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("late", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("status IN ('accepted', 'refused')", name=op.f("ck_value_submissions_status")),
        sa.CheckConstraint("state IN ('draft', 'submitted')", name=op.f("ck_value_submissions_state")),
        sa.CheckConstraint(ROLES, name=op.f("ck_value_submissions_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value_submissions")),
    )
    with op.batch_alter_table("value_submissions") as batch_op:
        batch_op.create_index(op.f("ix_value_submissions_content_sha256"), ["content_sha256"])
        batch_op.create_index(op.f("ix_value_submissions_as_unit"), ["as_unit"])
        batch_op.create_index(op.f("ix_value_submissions_at"), ["at"])

    op.create_table(
        "indicator_values",
        *_value_columns(),
        sa.CheckConstraint("state IN ('draft', 'submitted')", name=op.f("ck_indicator_values_state")),
        sa.CheckConstraint("period_kind IN ('day', 'week', 'month', 'quarter', 'year')",
                           name=op.f("ck_indicator_values_period_kind")),
        sa.ForeignKeyConstraint(["submission_id"], ["value_submissions.id"],
                                name=op.f("fk_indicator_values_submission_id_value_submissions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_values")),
        sa.UniqueConstraint("indicator", "unit_code", "period", "breakdown",
                            name=op.f("uq_indicator_values_indicator_unit_code_period_breakdown")),
    )
    with op.batch_alter_table("indicator_values") as batch_op:
        batch_op.create_index("ix_indicator_values_indicator_period", ["indicator", "period"])
        batch_op.create_index(op.f("ix_indicator_values_unit_code"), ["unit_code"])
        batch_op.create_index(op.f("ix_indicator_values_submission_id"), ["submission_id"])

    op.create_table(
        "indicator_value_history",
        *_value_columns(),
        sa.Column("replaced_at", TIMESTAMP, nullable=False),
        sa.Column("replaced_by", sa.String(128), nullable=False),
        sa.Column("replaced_by_submission", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["value_submissions.id"],
                                name=op.f("fk_indicator_value_history_submission_id_value_submissions")),
        sa.ForeignKeyConstraint(
            ["replaced_by_submission"], ["value_submissions.id"],
            name=op.f("fk_indicator_value_history_replaced_by_submission_value_submissions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value_history")),
    )
    with op.batch_alter_table("indicator_value_history") as batch_op:
        batch_op.create_index("ix_indicator_value_history_indicator_unit", ["indicator", "unit_code"])

    op.create_table(
        "value_periods",
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
        sa.Column("changed_by", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("approved_at", TIMESTAMP, nullable=True),
        sa.Column("approved_by", sa.String(128), nullable=True),
        sa.Column("locked_at", TIMESTAMP, nullable=True),
        sa.Column("locked_by", sa.String(128), nullable=True),
        sa.CheckConstraint("state IN ('draft', 'submitted', 'approved', 'locked')",
                           name=op.f("ck_value_periods_state")),
        sa.CheckConstraint(ROLES, name=op.f("ck_value_periods_role")),
        sa.PrimaryKeyConstraint("indicator", "period", name=op.f("pk_value_periods")),
    )
    with op.batch_alter_table("value_periods") as batch_op:
        batch_op.create_index(op.f("ix_value_periods_owner"), ["owner"])

    op.create_table(
        "connectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("as_unit", sa.String(32), nullable=False),
        sa.Column("source", sa.String(255), nullable=True),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("schedule", sa.String(64), nullable=False),
        sa.Column("max_age_hours", sa.Float(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("last_run_at", TIMESTAMP, nullable=True),
        sa.Column("last_success_at", TIMESTAMP, nullable=True),
        sa.Column("last_error_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status", sa.String(16), nullable=True),
        sa.CheckConstraint("kind IN ('sql', 'http', 'folder')", name=op.f("ck_connectors_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connectors")),
        sa.UniqueConstraint("name", name=op.f("uq_connectors_name")),
    )

    op.create_table(
        "connector_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.CheckConstraint(RUN_STATUSES, name=op.f("ck_connector_runs_status")),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE",
                                name=op.f("fk_connector_runs_connector_id_connectors")),
        sa.ForeignKeyConstraint(["submission_id"], ["value_submissions.id"],
                                name=op.f("fk_connector_runs_submission_id_value_submissions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_runs")),
    )
    with op.batch_alter_table("connector_runs") as batch_op:
        batch_op.create_index(op.f("ix_connector_runs_connector_id"), ["connector_id"])

    op.create_table(
        "connector_files",
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("processed_at", TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(RUN_STATUSES, name=op.f("ck_connector_files_status")),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE",
                                name=op.f("fk_connector_files_connector_id_connectors")),
        sa.ForeignKeyConstraint(["submission_id"], ["value_submissions.id"],
                                name=op.f("fk_connector_files_submission_id_value_submissions")),
        sa.PrimaryKeyConstraint("connector_id", "sha256", name=op.f("pk_connector_files")),
    )


def downgrade() -> None:
    for table in ("connector_files", "connector_runs", "connectors", "value_periods",
                  "indicator_value_history", "indicator_values", "value_submissions"):
        op.drop_table(table)
