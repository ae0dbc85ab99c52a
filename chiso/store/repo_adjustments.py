"""Manual adjustments of a unit's score, such as the "technical deduction" (−2 points for
a unit whose system failed), each with a reason and an audit line.

There is no update or delete: a wrong adjustment is undone by an opposite one with its
own reason, so the trail shows both.
"""
from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.errors import StoreError, UnknownUnitError
from chiso.store.models import Adjustment, UnitRow
from chiso.store.repo_audit import audit


def add_adjustment(session: Session, *, unit_code: str, window: str, points: float, reason: str,
                   created_by: str = "system") -> Adjustment:
    """Record an adjustment of ``points`` (negative for a deduction) for one unit and window."""
    if not reason or not reason.strip():
        raise StoreError("an adjustment needs a reason")
    if not math.isfinite(points) or points == 0:
        raise StoreError(f"an adjustment must be a non-zero number of points, not {points!r}")
    if session.get(UnitRow, unit_code) is None:
        raise UnknownUnitError(f"no unit with code {unit_code!r}")
    row = Adjustment(unit_code=unit_code, window=window, points=float(points),
                     reason=reason.strip(), created_by=created_by or "system")
    session.add(row)
    session.flush()
    audit(session, row.created_by, "adjust", "adjustment", row.id,
          {"unit_code": unit_code, "window": window, "points": row.points, "reason": row.reason})
    return row


def adjustments_for(session: Session, window: str, unit_code: str | None = None) -> list[Adjustment]:
    """The adjustments of a window, in the order they were made."""
    query = select(Adjustment).where(Adjustment.window == window).order_by(Adjustment.id)
    if unit_code is not None:
        query = query.where(Adjustment.unit_code == unit_code)
    return list(session.scalars(query))
