"""The targets, statistical counterpart figures and early warnings (with their events).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21

Spelled out rather than imported from chiso.store.models_evaluation: a migration describes
the schema as it was at this revision.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("period_kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("set_by", sa.String(128), nullable=False),
        sa.Column("set_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("period_kind IN ('day', 'week', 'month', 'quarter', 'year')",
                           name=op.f("ck_targets_period_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
    )
    with op.batch_alter_table("targets") as batch_op:
        batch_op.create_index("ix_targets_indicator_unit_code_period",
                              ["indicator", "unit_code", "period"])

    op.create_table(
        "statistical_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statistical_code", sa.String(64), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("set_by", sa.String(128), nullable=False),
        sa.Column("set_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statistical_values")),
    )
    with op.batch_alter_table("statistical_values") as batch_op:
        batch_op.create_index("ix_statistical_values_code_unit_code_period",
                              ["statistical_code", "unit_code", "period"])

    op.create_table(
        "warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("province_code", sa.String(32), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("responsible_unit", sa.String(32), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("message_vi", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("state IN ('open', 'acknowledged', 'resolved')",
                           name=op.f("ck_warnings_state")),
        sa.CheckConstraint("severity IN ('info', 'warning', 'critical')",
                           name=op.f("ck_warnings_severity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warnings")),
        sa.UniqueConstraint("key", name=op.f("uq_warnings_key")),
    )
    with op.batch_alter_table("warnings") as batch_op:
        batch_op.create_index("ix_warnings_province_code_state", ["province_code", "state"])
        batch_op.create_index(op.f("ix_warnings_indicator"), ["indicator"])
        batch_op.create_index(op.f("ix_warnings_responsible_unit"), ["responsible_unit"])

    op.create_table(
        "warning_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.CheckConstraint("action IN ('open', 'update', 'escalate', 'acknowledge', 'resolve', "
                           "'auto_resolve', 'reopen')", name=op.f("ck_warning_events_action")),
        sa.CheckConstraint("length(trim(note)) > 0", name=op.f("ck_warning_events_note")),
        sa.ForeignKeyConstraint(["warning_id"], ["warnings.id"], ondelete="CASCADE",
                                name=op.f("fk_warning_events_warning_id_warnings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_events")),
    )
    with op.batch_alter_table("warning_events") as batch_op:
        batch_op.create_index(op.f("ix_warning_events_warning_id"), ["warning_id"])


def downgrade() -> None:
    for table in ("warning_events", "warnings", "statistical_values", "targets"):
        op.drop_table(table)
