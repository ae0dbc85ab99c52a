"""API tokens may carry the ``ingest`` scope: ``read ingest`` pushes records through
``POST /api/v1/records/{kind}`` (issue 15, part Q2).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

Only the scope's CHECK changes; the values are spelled out here rather than imported from the
models. A token with ``read ingest`` goes back to ``read`` on downgrade (it then still reads).
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "scope IN ('read', 'read write')"
AFTER = "scope IN ('read', 'read write', 'read ingest')"


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_constraint(op.f("ck_api_tokens_scope"), type_="check")
        batch_op.create_check_constraint(op.f("ck_api_tokens_scope"), AFTER)


def downgrade() -> None:
    op.execute("UPDATE api_tokens SET scope = 'read' WHERE scope = 'read ingest'")
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_constraint(op.f("ck_api_tokens_scope"), type_="check")
        batch_op.create_check_constraint(op.f("ck_api_tokens_scope"), BEFORE)
