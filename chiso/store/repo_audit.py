"""The audit trail: who changed what, when. Append-only (the database refuses edits).

Every repository function that changes data calls ``audit`` in the same session, so the
audit line commits or rolls back together with the change it describes.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.store.models import AuditEntry, utcnow


def audit(session: Session, actor: str, action: str, target_kind: str | None = None,
          target_id: object | None = None, detail: Any | None = None) -> AuditEntry:
    """Append one audit line; ``detail`` must be JSON-serialisable (dates as ISO text)."""
    entry = AuditEntry(at=utcnow(), actor=actor or "system", action=action,
                       target_kind=target_kind,
                       target_id=None if target_id is None else str(target_id),
                       detail=detail)
    session.add(entry)
    session.flush()
    return entry


def audit_entries(session: Session, limit: int = 100, action: str | None = None,
                  target_kind: str | None = None) -> list[AuditEntry]:
    """The newest audit lines first, optionally of one action or one kind of target."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if target_kind is not None:
        query = query.where(AuditEntry.target_kind == target_kind)
    return list(session.scalars(query))
