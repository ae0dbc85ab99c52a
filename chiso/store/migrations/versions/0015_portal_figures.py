"""Figures the national portal publishes for the 766 index, and the values it replaced
(issue 15, part A).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

``portal_figures``: per (connector, unit, window, item, kind) the value the portal publishes
now, when it was first fetched and the hash of the response it came in.
``portal_figure_history``: a value the portal published before it changed it. Values and
names are spelled out here rather than imported from the models.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "portal_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector", sa.String(128), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("window", sa.String(32), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("fetched_at", TIMESTAMP, nullable=False),
        sa.Column("response_sha256", sa.String(64), nullable=False),
        sa.CheckConstraint("kind IN ('score', 'numerator', 'denominator')", name=op.f("ck_portal_figures_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_figures")),
        sa.UniqueConstraint("connector", "unit_code", "window", "item", "kind",
                            name=op.f("uq_portal_figures_connector_unit_code_window_item_kind")),
    )
    op.create_index(op.f("ix_portal_figures_unit_code"), "portal_figures", ["unit_code"])
    op.create_index(op.f("ix_portal_figures_window"), "portal_figures", ["window"])
    op.create_table(
        "portal_figure_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("figure_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("fetched_at", TIMESTAMP, nullable=False),
        sa.Column("response_sha256", sa.String(64), nullable=False),
        sa.Column("replaced_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["figure_id"], ["portal_figures.id"], ondelete="CASCADE",
                                name=op.f("fk_portal_figure_history_figure_id_portal_figures")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_figure_history")),
    )
    op.create_index(op.f("ix_portal_figure_history_figure_id"), "portal_figure_history", ["figure_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_portal_figure_history_figure_id"), table_name="portal_figure_history")
    op.drop_table("portal_figure_history")
    op.drop_index(op.f("ix_portal_figures_window"), table_name="portal_figures")
    op.drop_index(op.f("ix_portal_figures_unit_code"), table_name="portal_figures")
    op.drop_table("portal_figures")
