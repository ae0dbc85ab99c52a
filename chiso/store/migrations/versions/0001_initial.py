"""The initial relational store: units, definitions, loads, score runs, adjustments, audit.

Revision ID: 0001
Revises:
Create Date: 2026-01-01

Values and names are spelled out here rather than imported from chiso.store.models: a
migration describes the schema as it was at this revision, whatever the models become.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("name_en", sa.String(255), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("parent_code", sa.String(32), nullable=True),
        sa.Column("province_code", sa.String(32), nullable=True),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.CheckConstraint("level IN ('nation', 'province', 'department', 'commune')",
                           name=op.f("ck_units_level")),
        sa.CheckConstraint("source IN ('official', 'yaml', 'counts-file', 'manual')",
                           name=op.f("ck_units_source")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_units")),
    )
    with op.batch_alter_table("units") as batch_op:
        batch_op.create_index(op.f("ix_units_parent_code"), ["parent_code"])
        batch_op.create_index(op.f("ix_units_province_code"), ["province_code"])

    op.create_table(
        "definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("loaded_at", TIMESTAMP, nullable=False),
        sa.Column("loaded_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_definitions")),
        sa.UniqueConstraint("kind", "name", "version", "sha256",
                            name=op.f("uq_definitions_kind_name_version_sha256")),
    )

    op.create_table(
        "load_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(32), nullable=False),
        sa.Column("file_name", sa.String(512), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("loaded_at", TIMESTAMP, nullable=False),
        sa.Column("loaded_by", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.CheckConstraint("status IN ('loaded', 'refused')", name=op.f("ck_load_batches_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_batches")),
    )

    op.create_table(
        "score_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("window", sa.String(32), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("computed_at", TIMESTAMP, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("source IN ('records', 'counts-file')", name=op.f("ck_score_runs_source")),
        sa.ForeignKeyConstraint(["definition_id"], ["definitions.id"],
                                name=op.f("fk_score_runs_definition_id_definitions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_runs")),
    )
    with op.batch_alter_table("score_runs") as batch_op:
        batch_op.create_index(op.f("ix_score_runs_definition_id"), ["definition_id"])
        batch_op.create_index(op.f("ix_score_runs_window"), ["window"])

    op.create_table(
        "criterion_results",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("criterion", sa.String(64), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("ratio", sa.Float(), nullable=True),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("max_points", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["score_runs.id"], ondelete="CASCADE",
                                name=op.f("fk_criterion_results_run_id_score_runs")),
        sa.PrimaryKeyConstraint("run_id", "unit_code", "criterion",
                                name=op.f("pk_criterion_results")),
    )

    op.create_table(
        "unit_results",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("peers", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(64), nullable=True),
        sa.Column("score_change", sa.Float(), nullable=True),
        sa.Column("rank_change", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["score_runs.id"], ondelete="CASCADE",
                                name=op.f("fk_unit_results_run_id_score_runs")),
        sa.PrimaryKeyConstraint("run_id", "unit_code", name=op.f("pk_unit_results")),
    )

    op.create_table(
        "adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("window", sa.String(32), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.CheckConstraint("length(trim(reason)) > 0", name=op.f("ck_adjustments_reason")),
        sa.ForeignKeyConstraint(["unit_code"], ["units.code"],
                                name=op.f("fk_adjustments_unit_code_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjustments")),
    )
    with op.batch_alter_table("adjustments") as batch_op:
        batch_op.create_index(op.f("ix_adjustments_unit_code"), ["unit_code"])
        batch_op.create_index(op.f("ix_adjustments_window"), ["window"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target_kind", sa.String(64), nullable=True),
        sa.Column("target_id", sa.String(128), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.create_index(op.f("ix_audit_log_at"), ["at"])
        batch_op.create_index(op.f("ix_audit_log_action"), ["action"])
    _audit_log_append_only()


def _audit_log_append_only() -> None:
    """Triggers that refuse UPDATE and DELETE on audit_log (and TRUNCATE on PostgreSQL).

    A later migration that rebuilds audit_log in SQLite batch mode must recreate them.
    """
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION chiso_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$")
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION chiso_audit_log_append_only()")
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION chiso_audit_log_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION chiso_audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute("DROP TRIGGER audit_log_no_update")
    for table in ("audit_log", "adjustments", "unit_results", "criterion_results",
                  "score_runs", "load_batches", "definitions", "units"):
        op.drop_table(table)
