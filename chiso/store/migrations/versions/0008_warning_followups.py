"""Warnings followed up: assignment to a unit or person with a due date, comments, escalation (issue 12, warning follow-up).

One append-only table, ``warning_followups``: an assignment (unit, person, due date, note),
a comment, or the first sight of an assignment past its due date (``overdue``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "warning_followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=True),
        sa.Column("username", sa.String(64), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("action IN ('assign', 'comment', 'overdue')",
                           name=op.f("ck_warning_followups_action")),
        sa.CheckConstraint("action <> 'assign' OR (unit_code IS NOT NULL AND due_on IS NOT NULL)",
                           name=op.f("ck_warning_followups_assignment")),
        sa.CheckConstraint("action <> 'comment' OR length(trim(note)) > 0",
                           name=op.f("ck_warning_followups_comment")),
        sa.ForeignKeyConstraint(["warning_id"], ["warnings.id"], ondelete="CASCADE",
                                name=op.f("fk_warning_followups_warning_id_warnings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_followups")),
    )
    with op.batch_alter_table("warning_followups") as batch_op:
        batch_op.create_index(op.f("ix_warning_followups_warning_id"), ["warning_id"])
        batch_op.create_index("ix_warning_followups_unit_code_action", ["unit_code", "action"])


def downgrade() -> None:
    op.drop_table("warning_followups")
