"""Assigned tasks: the register, its history and the events of each task's life (issue 13).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

``tasks``: one row per task (``external_id`` unique: re-imports are idempotent);
``task_history``: each change of a task's fields; ``task_events``: progress, extension
requests and decisions, completion reports, acceptance or return — per instance.
Values and names are spelled out here rather than imported from the models.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=True),
        sa.Column("province_code", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("doc_number", sa.String(128), nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("doc_summary", sa.Text(), nullable=False),
        sa.Column("doc_issuer", sa.String(255), nullable=False),
        sa.Column("doc_link", sa.String(1024), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("assigned_by", sa.String(255), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("lead_unit", sa.String(32), nullable=False),
        sa.Column("co_units", sa.JSON(), nullable=False),
        sa.Column("deadline_kind", sa.String(16), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("due_day", sa.Integer(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("deadline_text", sa.String(255), nullable=False),
        sa.Column("starred", sa.Boolean(), nullable=False),
        sa.Column("field", sa.String(32), nullable=True),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.CheckConstraint("deadline_kind IN ('date', 'monthly', 'quarterly', 'none')",
                           name=op.f("ck_tasks_deadline_kind")),
        sa.CheckConstraint("source IN ('file', 'api', 'connector', 'web')", name=op.f("ck_tasks_source")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint("code", name=op.f("uq_tasks_code")),
        sa.UniqueConstraint("external_id", name=op.f("uq_tasks_external_id")),
    )
    op.create_index(op.f("ix_tasks_province_code"), "tasks", ["province_code"])
    op.create_index(op.f("ix_tasks_lead_unit"), "tasks", ["lead_unit"])
    op.create_table(
        "task_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], ondelete="CASCADE",
                                name=op.f("fk_task_history_task_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_history")),
    )
    op.create_index(op.f("ix_task_history_task_id"), "task_history", ["task_id"])
    op.create_table(
        "task_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("instance", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("requested", sa.Date(), nullable=True),
        sa.Column("granted", sa.Date(), nullable=True),
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("answers", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('progress', 'extension_request', 'extension_decision', 'completion', "
                           "'acceptance')", name=op.f("ck_task_events_kind")),
        sa.CheckConstraint("decision IS NULL OR decision IN ('approved', 'refused', 'accepted', 'returned')",
                           name=op.f("ck_task_events_decision")),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], ondelete="CASCADE",
                                name=op.f("fk_task_events_task_id_tasks")),
        sa.ForeignKeyConstraint(["answers"], ["task_events.id"], ondelete="SET NULL",
                                name=op.f("fk_task_events_answers_task_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_events")),
    )
    op.create_index(op.f("ix_task_events_task_id"), "task_events", ["task_id"])
    op.create_index("ix_task_events_task_instance", "task_events", ["task_id", "instance"])


def downgrade() -> None:
    op.drop_index("ix_task_events_task_instance", table_name="task_events")
    op.drop_index(op.f("ix_task_events_task_id"), table_name="task_events")
    op.drop_table("task_events")
    op.drop_index(op.f("ix_task_history_task_id"), table_name="task_history")
    op.drop_table("task_history")
    op.drop_index(op.f("ix_tasks_lead_unit"), table_name="tasks")
    op.drop_index(op.f("ix_tasks_province_code"), table_name="tasks")
    op.drop_table("tasks")
