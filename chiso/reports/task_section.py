"""The assigned-tasks part of a weekly bulletin: the four states, the rates and the longest overdue.

Figures are the register's (``chiso.evaluate.tasks.register``): the year-to-date population at
the window's last day (or today, when the window has not ended) and at the previous window's
last day, counted over the whole province (all its tasks); the on-time rate is
``register.on_time_rate`` and the update rate updated ÷ open. The longest-overdue list is the
open overdue instances at that day, most days past the deadline first (then starred first, then
by code), ``TOP`` of them, each with its content and lead unit; the focus names the
``TOP_UNITS`` lead units with the most overdue tasks.

``task_facts`` is pure (states and tasks in, facts out); ``tasks_from_store`` reads the store.
None when the province has no task by then (the bulletin then has no task section).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl
from sqlalchemy.orm import Session

from chiso.evaluate.tasks.register import COUNTS, counts, on_time_rate, states_at
from chiso.store import repo_tasks
from chiso.tasks.states import Policy
from chiso.units import load_units
from chiso.units.registry import UnitTree

#: How many of the longest-overdue tasks the bulletin names; how many agencies its focus names.
TOP = 5
TOP_UNITS = 3


@dataclass(frozen=True)
class TaskCounts:
    """The register's counts (``register.COUNTS``) for the province at one day."""

    day: str  # ISO date
    total: int = 0
    done_on_time: int = 0
    done_late: int = 0
    open_in_time: int = 0
    open_overdue: int = 0
    overdue_120: int = 0
    due_soon: int = 0
    open: int = 0
    updated: int = 0
    starred_open_overdue: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """Done on time among those fallen due, in percent (None: nothing fell due)."""
        return on_time_rate(self.done_on_time, self.done_late, self.open_overdue)

    @property
    def update_rate(self) -> float | None:
        """Open tasks with a current progress update, in percent (None: none open)."""
        return None if self.open == 0 else 100.0 * self.updated / self.open


@dataclass(frozen=True)
class OverdueTask:
    """One open overdue task (one instance of a recurring one)."""

    code: str
    instance: str  # "" for a one-off task, else its period ("2026-11")
    content: str
    unit_code: str
    unit_name: str
    unit_name_en: str
    deadline: str  # ISO date
    days: int
    starred: bool
    document: str = ""  # số/ký hiệu of the source document


@dataclass(frozen=True)
class UnitOverdue:
    """A lead unit and how many of its tasks are open and overdue."""

    code: str
    name: str
    name_en: str
    overdue: int


@dataclass(frozen=True)
class TaskFacts:
    """What the bulletin states about the assigned tasks."""

    now: TaskCounts
    previous: TaskCounts | None
    longest: tuple[OverdueTask, ...]
    update_days: int
    most_overdue: tuple[UnitOverdue, ...] = ()  # the units with the most overdue tasks (focus)

    @property
    def rate_change(self) -> float | None:
        """The on-time rate's change against the previous week, in percentage points."""
        if self.previous is None or self.now.on_time_rate is None or self.previous.on_time_rate is None:
            return None
        return self.now.on_time_rate - self.previous.on_time_rate

    @property
    def overdue_change(self) -> int | None:
        return None if self.previous is None else self.now.open_overdue - self.previous.open_overdue


def _counts_at(per_day: pl.DataFrame, day: dt.date) -> TaskCounts:
    row = per_day.filter(pl.col("date") == day)
    values = {m: int(row[m].sum()) if row.height else 0 for m in COUNTS}
    return TaskCounts(day.isoformat(), **values)


def task_facts(states: pl.DataFrame, day: dt.date, previous: dt.date | None, tasks: Mapping[str, object],
               tree: UnitTree, *, update_days: int = 7, top: int = TOP) -> TaskFacts | None:
    """The facts from the instances' states (``register.states_at`` at ``day`` and ``previous``)
    and the register rows by code (for content and document); None when nothing exists by ``day``."""
    if states.filter(pl.col("date") == day).is_empty():
        return None
    per_day = counts(states)
    now = _counts_at(per_day, day)
    before = _counts_at(per_day, previous) if previous is not None else None
    overdue = (states.filter((pl.col("date") == day) & (pl.col("state") == "open_overdue"))
               .sort([pl.col("overdue_days"), pl.col("starred"), pl.col("task"), pl.col("key")],
                     descending=[True, True, False, False]).head(top))
    longest = []
    for r in overdue.iter_rows(named=True):
        row = tasks.get(r["task"])
        unit = tree.get(r["lead_unit"]) if r["lead_unit"] in tree else None
        longest.append(OverdueTask(
            r["task"], r["key"], getattr(row, "content", ""), r["lead_unit"], unit.name if unit else r["lead_unit"],
            (unit.name_en or unit.name) if unit else r["lead_unit"], r["deadline"].isoformat(), int(r["overdue_days"]),
            bool(r["starred"]), getattr(row, "doc_number", "") or ""))
    by_unit = (per_day.filter((pl.col("date") == day) & (pl.col("open_overdue") > 0))
               .sort(["open_overdue", "lead_unit"], descending=[True, False]).head(TOP_UNITS))
    most = []
    for code, n in by_unit.select("lead_unit", "open_overdue").iter_rows():
        unit = tree.get(code) if code in tree else None
        most.append(UnitOverdue(code, unit.name if unit else code, (unit.name_en or unit.name) if unit else code,
                                int(n)))
    return TaskFacts(now, before, tuple(longest), update_days, tuple(most))


def tasks_from_store(session: Session, province: str, end: dt.date, *, today: dt.date | None = None,
                     tree: UnitTree | None = None, policy: Policy | None = None) -> TaskFacts | None:
    """The task facts of ``province`` for a window ending ``end`` (counted at ``today`` when the
    window has not ended yet) against the week before; None when the register has no task then."""
    rows = repo_tasks.all_tasks(session, province)
    if not rows:
        return None
    day = min(end, today) if today is not None else end
    previous = day - dt.timedelta(days=7)
    policy = policy or Policy.from_settings()
    states = states_at(session, province, [previous, day], policy=policy, tasks=rows)
    return task_facts(states, day, previous, {r.code: r for r in rows}, tree or load_units(),
                      update_days=policy.update_days)
