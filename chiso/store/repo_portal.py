"""The figures the national portal publishes (``portal_figures``; issue 15, part A).

``save_figures`` keeps one fetch's figures in one transaction: a figure not seen before is
inserted; the same value again changes nothing (not even when it was fetched); another value
moves the old one to ``portal_figure_history`` first. Writers of one connector take turns
(``serialise``). Every write is audited (``connector.portal``).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.store.database import serialise
from chiso.store.models_portal import PortalFigure, PortalFigureHistory
from chiso.store.orm import utcnow
from chiso.store.repo_audit import audit

#: How many changed values one audit line lists (the history keeps them all).
AUDIT_CHANGES = 100


@dataclass(frozen=True)
class Figure:
    """One published figure: ``item`` is total, a group or a criterion code; ``kind`` score,
    numerator or denominator."""

    unit_code: str
    window: str
    item: str
    kind: str
    value: float


@dataclass
class Saved:
    inserted: int = 0
    changed: int = 0
    unchanged: int = 0


def save_figures(session: Session, connector: str, figures: Sequence[Figure], *, sha256: str,
                 at: datetime | None = None, by: str | None = None) -> Saved:
    """Keep one fetch's figures (all in the caller's transaction)."""
    at = at or utcnow()
    serialise(session, [("portal_figures", connector)])
    windows = sorted({f.window for f in figures})
    kept = {(r.unit_code, r.window, r.item, r.kind): r for r in session.scalars(
        select(PortalFigure).where(PortalFigure.connector == connector, PortalFigure.window.in_(windows)))}
    saved, changes = Saved(), []
    for f in figures:
        row = kept.get((f.unit_code, f.window, f.item, f.kind))
        if row is None:
            row = PortalFigure(connector=connector, unit_code=f.unit_code, window=f.window, item=f.item,
                               kind=f.kind, value=float(f.value), fetched_at=at, response_sha256=sha256)
            session.add(row)
            kept[(f.unit_code, f.window, f.item, f.kind)] = row
            saved.inserted += 1
        elif row.value == float(f.value):
            saved.unchanged += 1
        else:
            session.add(PortalFigureHistory(figure_id=row.id, value=row.value, fetched_at=row.fetched_at,
                                            response_sha256=row.response_sha256, replaced_at=at))
            changes.append({"unit": f.unit_code, "window": f.window, "item": f.item, "kind": f.kind,
                            "before": row.value, "after": float(f.value)})
            row.value, row.fetched_at, row.response_sha256 = float(f.value), at, sha256
            saved.changed += 1
    session.flush()
    if saved.inserted or saved.changed:
        audit(session, by or f"connector:{connector}", "connector.portal", "connector", connector,
              {"windows": windows, "inserted": saved.inserted, "changed": saved.changed,
               "unchanged": saved.unchanged, "sha256": sha256, "changes": changes[:AUDIT_CHANGES],
               "more_changes": max(0, len(changes) - AUDIT_CHANGES)})
    return saved


def figures(session: Session, window: str, unit_codes: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The figures published for ``window`` (of these units), each with its connector and when it
    was fetched; where two connectors publish the same figure, the one fetched last."""
    q = select(PortalFigure).where(PortalFigure.window == window)
    if unit_codes is not None:
        q = q.where(PortalFigure.unit_code.in_(list(unit_codes)))
    out: dict[tuple, dict[str, Any]] = {}
    for r in session.scalars(q.order_by(PortalFigure.fetched_at, PortalFigure.id)):
        out[(r.unit_code, r.item, r.kind)] = {
            "id": r.id, "connector": r.connector, "unit_code": r.unit_code, "window": r.window, "item": r.item,
            "kind": r.kind, "value": r.value, "fetched_at": r.fetched_at, "response_sha256": r.response_sha256}
    return list(out.values())


def history(session: Session, figure_id: int) -> list[PortalFigureHistory]:
    """The values a figure had before, oldest first."""
    return list(session.scalars(select(PortalFigureHistory).where(PortalFigureHistory.figure_id == figure_id)
                                .order_by(PortalFigureHistory.replaced_at, PortalFigureHistory.id)))


def windows(session: Session) -> list[str]:
    """The windows some figure was published for."""
    return sorted(set(session.scalars(select(PortalFigure.window).distinct())))
