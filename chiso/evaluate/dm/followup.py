"""Warnings followed up (theo dõi xử lý cảnh báo): who has a warning, by when, whether it is
overdue (quá hạn), and the leader's "cần chỉ đạo" (needs direction) list ranked by importance.

A warning is *overdue* when the assignment in force has a due date before today (the local day
of ``CHISO_TIMEZONE``) and the warning is not resolved — computed on every read; the first read
that sees it records an ``overdue`` line (``record_escalations``), so the history shows when
it was escalated.

A warning *needs direction* when it is not resolved and any of: it is overdue; it is given to
nobody and is critical or a warning (not mere information); it is critical and still open
(not acknowledged) after ``Weights.open_critical_days``. The list is ranked by ``importance``:
points for the severity, for being overdue (and per day overdue), for being given to nobody,
for age, and for not being acknowledged — the weights are data (``Weights``), not scattered
numbers.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from chiso.collect.values.submit import local, local_today
from chiso.store.database import serialise
from chiso.store.models_evaluation import WarningFollowup, WarningRow
from chiso.store.orm import utcnow
from chiso.store.repo_evaluation import (
    comment_counts,
    current_assignments,
    list_warnings,
    overdue_recorded,
    record_overdue,
)

#: Who records an overdue line seen by a read (not a person).
SYSTEM = "chiso"


@dataclass(frozen=True)
class Weights:
    """The points of importance (the higher, the sooner a leader should look)."""

    severity: dict[str, float] = field(default_factory=lambda: {"critical": 60.0, "warning": 30.0, "info": 10.0})
    overdue: float = 40.0
    overdue_per_day: float = 1.0
    overdue_days_counted: int = 30
    unassigned: float = 15.0
    age_per_day: float = 0.2
    age_days_counted: int = 90
    not_acknowledged: float = 5.0
    #: A critical warning left open (not acknowledged) this many days needs direction even when assigned.
    open_critical_days: int = 7


WEIGHTS = Weights()


@dataclass(frozen=True)
class Followed:
    """A warning with its follow-up: the assignment in force, overdue-ness, thread size, rank."""

    warning: WarningRow
    assignment: WarningFollowup | None
    comments: int
    today: dt.date
    weights: Weights = WEIGHTS

    @property
    def assigned(self) -> bool:
        return self.assignment is not None

    @property
    def due_on(self) -> dt.date | None:
        return self.assignment.due_on if self.assignment is not None else None

    @property
    def overdue(self) -> bool:
        """Past the due date of the assignment in force and not resolved."""
        return (self.warning.state != "resolved" and self.due_on is not None and self.due_on < self.today)

    @property
    def days_overdue(self) -> int:
        return (self.today - self.due_on).days if self.overdue and self.due_on else 0

    @property
    def age_days(self) -> int:
        return max(0, (self.today - local(self.warning.opened_at).date()).days)

    @property
    def needs_direction(self) -> bool:
        w, weights = self.warning, self.weights
        if w.state == "resolved":
            return False
        if self.overdue:
            return True
        if not self.assigned and w.severity in ("critical", "warning"):
            return True
        return w.severity == "critical" and w.state == "open" and self.age_days >= weights.open_critical_days

    @property
    def importance(self) -> float:
        w, weights = self.warning, self.weights
        points = weights.severity.get(w.severity, 0.0)
        if self.overdue:
            points += weights.overdue + weights.overdue_per_day * min(self.days_overdue, weights.overdue_days_counted)
        if not self.assigned and w.state != "resolved":
            points += weights.unassigned
        points += weights.age_per_day * min(self.age_days, weights.age_days_counted)
        if w.state == "open":
            points += weights.not_acknowledged
        return round(points, 1)

    @property
    def reasons(self) -> list[tuple[str, dict]]:
        """Why it ranks where it does: (message key suffix, values) — ``followup.why.<key>``."""
        out: list[tuple[str, dict]] = []
        if self.overdue:
            out.append(("overdue", {"n": self.days_overdue}))
        if not self.assigned and self.warning.state != "resolved":
            out.append(("unassigned", {}))
        if self.warning.severity == "critical":
            out.append(("critical", {}))
        if self.warning.state == "open" and self.age_days:
            out.append(("open_days", {"n": self.age_days}))
        return out

    def assigned_to(self, username: str, unit_code: str) -> bool:
        """Given to this person, or to their unit."""
        a = self.assignment
        return a is not None and (a.username == username or a.unit_code == unit_code)

    def to_dict(self) -> dict:
        a = self.assignment
        return {"assignment": None if a is None else {
                    "id": a.id, "unit": a.unit_code, "username": a.username, "due_on": a.due_on.isoformat(),
                    "note": a.note, "by": a.by, "at": a.at.isoformat()},
                "overdue": self.overdue, "days_overdue": self.days_overdue, "comments": self.comments,
                "needs_direction": self.needs_direction, "importance": self.importance,
                "reasons": [key for key, _ in self.reasons]}


def follow(session: Session, rows: Sequence[WarningRow], *, today: dt.date | None = None,
           weights: Weights = WEIGHTS) -> list[Followed]:
    """The follow-up of each warning (two queries for the lot)."""
    today = today or local_today()
    ids = [r.id for r in rows]
    assignments = current_assignments(session, ids)
    comments = comment_counts(session, ids)
    return [Followed(r, assignments.get(r.id), comments.get(r.id, 0), today, weights) for r in rows]


def attention(followed: Iterable[Followed]) -> list[Followed]:
    """The "cần chỉ đạo" list: the warnings that need direction, most important first (then the
    oldest, then by id)."""
    wanted = [f for f in followed if f.needs_direction]
    return sorted(wanted, key=lambda f: (-f.importance, f.warning.opened_at, f.warning.id))


SORTS = ("newest", "oldest", "severity", "due", "importance")


def sort_followed(followed: Sequence[Followed], sort: str = "newest") -> list[Followed]:
    """The list in one of ``SORTS``: newest opened first (default), oldest first, most severe
    first, nearest due date first (none last), most important first."""
    severity_rank = {"critical": 0, "warning": 1, "info": 2}
    items = list(followed)
    if sort == "oldest":
        return sorted(items, key=lambda f: (f.warning.opened_at, f.warning.id))
    if sort == "severity":
        return sorted(items, key=lambda f: (severity_rank.get(f.warning.severity, 9),
                                            -f.warning.opened_at.timestamp(), -f.warning.id))
    if sort == "due":
        return sorted(items, key=lambda f: (f.due_on is None, f.due_on or dt.date.max,
                                            -f.warning.opened_at.timestamp(), f.warning.id))
    if sort == "importance":
        return sorted(items, key=lambda f: (-f.importance, f.warning.opened_at, f.warning.id))
    return sorted(items, key=lambda f: (-f.warning.opened_at.timestamp(), -f.warning.id))


def record_escalations(session: Session, followed: Iterable[Followed], *, by: str = SYSTEM,
                       at: dt.datetime | None = None) -> int:
    """Record an ``overdue`` line for each overdue warning whose assignment in force has none yet
    (once per assignment); returns how many were written. Writers of one province take turns."""
    due = [f for f in followed if f.overdue and f.assignment is not None]
    if not due:
        return 0
    known = overdue_recorded(session, [f.assignment.id for f in due])
    todo = [f for f in due if f.assignment.id not in known]
    if not todo:
        return 0
    provinces = sorted({f.warning.province_code for f in todo})
    if not serialise(session, [("warning_followup", p) for p in provinces]):
        return 0  # another read is recording them; it will
    written = 0
    for f in todo:
        if record_overdue(session, f.assignment, by=by, at=at or utcnow()) is not None:
            written += 1
    return written


def escalate_overdue(session: Session, province: str, *, today: dt.date | None = None, by: str = SYSTEM,
                     at: dt.datetime | None = None) -> int:
    """Record the escalation of every unresolved warning of ``province`` found overdue as of
    ``today`` (the warnings refresh calls it after the rules ran); returns how many were new."""
    rows = [r for r in list_warnings(session, province, state="all") if r.state != "resolved"]
    return record_escalations(session, follow(session, rows, today=today), by=by, at=at)
