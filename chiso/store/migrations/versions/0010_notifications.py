"""Notifications and reminders: in-app notices and e-mails sent before and after reporting deadlines (issue 12, completeness).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

``reminders``: each agency × indicator × period × kind sent once; ``notifications``: one
in-app notice per account and reminder, read or not; ``accounts.email``: where reminder
e-mails go (nullable: an account without one gets the in-app notice only).
Values and names are spelled out here rather than imported from the models.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(255), nullable=True))
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=False),
        sa.Column("notified", sa.Integer(), nullable=False),
        sa.Column("emailed", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('due_soon', 'overdue')", name=op.f("ck_reminders_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("unit_code", "indicator", "period", "kind",
                            name=op.f("uq_reminders_unit_code_indicator_period_kind")),
    )
    op.create_index(op.f("ix_reminders_unit_code"), "reminders", ["unit_code"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("read_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE",
                                name=op.f("fk_notifications_account_id_accounts")),
        sa.ForeignKeyConstraint(["reminder_id"], ["reminders.id"], ondelete="CASCADE",
                                name=op.f("fk_notifications_reminder_id_reminders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(op.f("ix_notifications_account_id"), "notifications", ["account_id"])
    op.create_index(op.f("ix_notifications_reminder_id"), "notifications", ["reminder_id"])
    op.create_index("ix_notifications_account_read", "notifications", ["account_id", "read_at"])


def downgrade() -> None:
    op.drop_index("ix_notifications_account_read", table_name="notifications")
    op.drop_index(op.f("ix_notifications_reminder_id"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_account_id"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_reminders_unit_code"), table_name="reminders")
    op.drop_table("reminders")
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_column("email")
