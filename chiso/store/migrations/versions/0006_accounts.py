"""Accounts, sessions, API tokens and sign-in attempts.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21

Values and names are spelled out here rather than imported from the models.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("province_code", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.CheckConstraint("role IN ('admin', 'leader', 'head', 'officer', 'viewer')",
                           name=op.f("ck_accounts_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("username", name=op.f("uq_accounts_username")),
    )
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.create_index(op.f("ix_accounts_unit_code"), ["unit_code"])
        batch_op.create_index(op.f("ix_accounts_province_code"), ["province_code"])

    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("csrf_secret", sa.String(64), nullable=False),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_web_sessions_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions") as batch_op:
        batch_op.create_index(op.f("ix_web_sessions_account_id"), ["account_id"])

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("last_used_at", TIMESTAMP, nullable=True),
        sa.Column("expires_at", TIMESTAMP, nullable=True),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.Column("revoked_by", sa.String(128), nullable=True),
        sa.CheckConstraint("scope IN ('read', 'read write')", name=op.f("ck_api_tokens_scope")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_api_tokens_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_tokens_prefix")),
    )
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.create_index(op.f("ix_api_tokens_account_id"), ["account_id"])

    op.create_table(
        "signin_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("client_address", sa.String(64), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_attempts")),
    )
    with op.batch_alter_table("signin_attempts") as batch_op:
        batch_op.create_index(op.f("ix_signin_attempts_username"), ["username"])
        batch_op.create_index(op.f("ix_signin_attempts_client_address"), ["client_address"])
        batch_op.create_index(op.f("ix_signin_attempts_at"), ["at"])


def downgrade() -> None:
    for table in ("signin_attempts", "api_tokens", "web_sessions", "accounts"):
        op.drop_table(table)
