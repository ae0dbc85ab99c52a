"""Returned batches and periods: a head returns submitted values to the officer with a comment (issue 12, approval inbox).

``value_periods.state`` may be ``returned`` (bị trả lại); each period keeps its last return
(who, when and the comment) in ``returned_at``, ``returned_by`` and ``return_comment``, so the
officer's desk still shows why after the period is reworked as a draft.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
BEFORE = "state IN ('draft', 'submitted', 'approved', 'locked')"
AFTER = "state IN ('draft', 'submitted', 'approved', 'locked', 'returned')"


def upgrade() -> None:
    with op.batch_alter_table("value_periods") as batch_op:
        batch_op.drop_constraint(op.f("ck_value_periods_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_value_periods_state"), AFTER)
        batch_op.add_column(sa.Column("returned_at", TIMESTAMP, nullable=True))
        batch_op.add_column(sa.Column("returned_by", sa.String(128), nullable=True))
        batch_op.add_column(sa.Column("return_comment", sa.Text(), nullable=True))


def downgrade() -> None:
    # a returned period goes back to submitted: the state the head returned it from
    op.execute("UPDATE value_periods SET state = 'submitted' WHERE state = 'returned'")
    with op.batch_alter_table("value_periods") as batch_op:
        batch_op.drop_column("return_comment")
        batch_op.drop_column("returned_by")
        batch_op.drop_column("returned_at")
        batch_op.drop_constraint(op.f("ck_value_periods_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_value_periods_state"), BEFORE)
