"""The audit trail: who changed what, when. Append-only (the database refuses edits).

Every repository function that changes data calls ``audit`` in the same session, so the
audit line commits or rolls back together with the change it describes.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
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


def search_lines(session: Session, *, actors: Iterable[str] | None = None, action: str | None = None,
                 target: str | None = None, since: datetime | None = None, until: datetime | None = None,
                 limit: int = 50, offset: int = 0) -> tuple[int, list[AuditEntry]]:
    """(total, one page of audit lines, newest first) for the audit page.

    ``actors``: only lines written by these accounts (a person, or every account of one
    agency); ``action``: exact, or a prefix ending in ``.`` (``values.`` matches every values
    action); ``target``: a target kind or id; ``since`` included, ``until`` excluded."""
    conditions = []
    if actors is not None:
        conditions.append(AuditEntry.actor.in_(list(actors)))
    if action:
        conditions.append(AuditEntry.action.startswith(action) if action.endswith(".")
                          else AuditEntry.action == action)
    if target:
        conditions.append((AuditEntry.target_kind == target) | (AuditEntry.target_id == target))
    if since is not None:
        conditions.append(AuditEntry.at >= since)
    if until is not None:
        conditions.append(AuditEntry.at < until)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    rows = session.scalars(select(AuditEntry).where(*conditions).order_by(AuditEntry.id.desc())
                           .limit(limit).offset(offset))
    return total, list(rows)


def logged_actions(session: Session) -> list[str]:
    """Every action the log holds (for the audit page's action filter), sorted."""
    return sorted(session.scalars(select(AuditEntry.action).distinct()))


def logged_actors(session: Session) -> list[str]:
    """Every actor the log holds (accounts, ``system``, ``connector:…``), sorted."""
    return sorted(session.scalars(select(AuditEntry.actor).distinct()))
