"""Completeness of reporting (tình hình nộp số liệu): who owes which values, and who sent them in time.

Like a reporting rate in DHIS2, for the DM indicator set. Pure: the store's part is
``gather`` at the bottom, which reads what the computation needs and nothing more.

- **Expected** (phải nộp): each live, collected indicator × each unit of its levels in the
  province (the province itself, each department, each commune) × each period of its
  frequency that has begun by ``today`` and ended on or after the day the indicator went live
  (the first move to approved / in operation in the catalogue's lifecycle log, else its
  ``valid_from``). The period's *deadline* is its end + the indicator's ``deadline_days``.
- **Status** of one expected item: ``returned`` (bị trả lại) when its indicator × period was
  sent back by the head; else ``on_time`` (đúng hạn) or ``late`` (trễ hạn) when a submitted
  value is in the store (its late flag is the one collection set, against the same deadline);
  else ``missing`` (chưa nộp) when the deadline has passed; else ``not_due`` (chưa đến hạn).
- **Rates** count only *due* items (deadline passed): on time ÷ due, received (on time or
  late) ÷ due. A returned item is not received: it must be sent again.
- **Grid**: each owner agency × month; an item sits in the month its period ends (a period
  still running sits in the current month). A cell's status is the worst of its items:
  returned, missing, late, not due, on time.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from chiso.catalog.indicator import Indicator
from chiso.evaluate.dm.service import live_since
from chiso.periods.reporting import FREQUENCY_KIND, Window, window_containing
from chiso.periods.windows import month
from chiso.store.models_values import IndicatorValue, ValuePeriod
from chiso.store.repo_catalogue import live_indicators

#: The statuses of one item, worst first (a cell takes the worst of its items).
STATUSES = ("returned", "missing", "late", "not_due", "on_time")


@dataclass(frozen=True)
class Item:
    """One expected value: an indicator × unit × period, its deadline and its status."""

    indicator: str
    owner: str
    unit: str
    period: Window
    deadline: dt.date
    status: str

    @property
    def due(self) -> bool:
        """Whether it counts in the rates (its deadline has passed, or it came in)."""
        return self.status != "not_due"

    def as_dict(self) -> dict:
        return {"indicator": self.indicator, "owner": self.owner, "unit": self.unit,
                "period": self.period.label, "deadline": self.deadline.isoformat(), "status": self.status}


@dataclass
class Tally:
    """Counts of items by status, and the rates over the due ones."""

    counts: Counter = field(default_factory=Counter)

    def add(self, status: str) -> None:
        self.counts[status] += 1

    @property
    def expected(self) -> int:
        return sum(self.counts.values())

    @property
    def due(self) -> int:
        return self.expected - self.counts["not_due"]

    @property
    def received(self) -> int:
        return self.counts["on_time"] + self.counts["late"]

    @property
    def on_time_rate(self) -> float | None:
        return self.counts["on_time"] / self.due if self.due else None

    @property
    def received_rate(self) -> float | None:
        return self.received / self.due if self.due else None

    @property
    def status(self) -> str | None:
        """The worst status among the items (None: nothing expected)."""
        return next((s for s in STATUSES if self.counts[s]), None)

    def as_dict(self) -> dict:
        return {"status": self.status, "expected": self.expected, "due": self.due,
                "received": self.received, "counts": {s: self.counts[s] for s in STATUSES},
                "on_time_rate": self.on_time_rate, "received_rate": self.received_rate}


@dataclass(frozen=True)
class Owed:
    """An indicator × period an agency owes: missing (or returned) for these units."""

    indicator: str
    period: Window
    deadline: dt.date
    status: str
    units: tuple[str, ...]


@dataclass
class AgencyRow:
    """One owner agency: its cells by month, its rates, and its items."""

    code: str
    total: Tally = field(default_factory=Tally)
    cells: dict[str, Tally] = field(default_factory=dict)   # month label → tally
    items: list[Item] = field(default_factory=list)

    def missing(self) -> list[Item]:
        """What it owes: items missing or returned, oldest deadline first."""
        return sorted((i for i in self.items if i.status in ("missing", "returned")),
                      key=lambda i: (i.deadline, i.indicator, i.unit))

    def owed(self) -> list[Owed]:
        """What it owes by indicator × period (the units of each), newest deadline first."""
        groups: dict[tuple[str, str, str], list[Item]] = {}
        for i in self.items:
            if i.status in ("missing", "returned"):
                groups.setdefault((i.indicator, i.period.label, i.status), []).append(i)
        out = [Owed(items[0].indicator, items[0].period, items[0].deadline, status,
                    tuple(sorted(i.unit for i in items))) for (_, _, status), items in groups.items()]
        return sorted(out, key=lambda o: (-o.deadline.toordinal(), o.indicator))


@dataclass
class Completeness:
    """The board: months (oldest first), agencies, and the province over time."""

    today: dt.date
    months: list[Window]
    agencies: dict[str, AgencyRow]
    province: dict[str, Tally]        # month label → tally over every agency
    total: Tally

    def as_dict(self, *, items: bool = False) -> dict:
        return {"today": self.today.isoformat(), "months": [m.label for m in self.months],
                "total": self.total.as_dict(),
                "province": {m: t.as_dict() for m, t in self.province.items()},
                "agencies": [{"code": a.code, "total": a.total.as_dict(),
                              "cells": {m: t.as_dict() for m, t in a.cells.items()},
                              **({"items": [i.as_dict() for i in a.items]} if items else {})}
                             for a in self.agencies.values()]}


def deadline_of(ind: Indicator, period: Window) -> dt.date:
    """The last day a value of ``period`` is on time: the period's end + ``deadline_days``."""
    return period.end + dt.timedelta(days=ind.deadline_days)


def months_back(today: dt.date, count: int) -> list[Window]:
    """The ``count`` months up to the one holding ``today``, oldest first."""
    current = month(today.year, today.month)
    out = [current]
    while len(out) < count:
        out.append(out[-1].previous())
    return list(reversed(out))


def periods_between(kind: str, first: dt.date, today: dt.date) -> list[Window]:
    """The periods of ``kind`` that end on or after ``first`` and have begun by ``today``."""
    out: list[Window] = []
    w = window_containing(kind, today)
    while w.end >= first:
        out.append(w)
        w = w.previous()
    return list(reversed(out))


def status_of(deadline: dt.date, today: dt.date, received: bool | None, returned: bool) -> str:
    """One item's status. ``received``: None = no submitted value, else whether it came late."""
    if returned:
        return "returned"
    if received is not None:
        return "late" if received else "on_time"
    return "missing" if today > deadline else "not_due"


def completeness(indicators: Mapping[str, Indicator], units_of: Callable[[str], Iterable[str]],
                 received: Mapping[tuple[str, str, str], bool], returned: Iterable[tuple[str, str]],
                 today: dt.date, *, months: int = 6, live_since: Mapping[str, dt.date] | None = None,
                 owner: str | None = None) -> Completeness:
    """The board for the ``months`` months up to ``today``.

    ``indicators``: the live indicators (only the collected ones are expected);
    ``units_of(level)``: the unit codes of a level in the province (``province`` → the province);
    ``received``: (indicator, unit, period) → whether its submitted value came late;
    ``returned``: the (indicator, period) pairs sent back; ``live_since``: indicator → the day
    it went live (absent: its ``valid_from``, else from the first month shown);
    ``owner``: one agency only."""
    shown = months_back(today, months)
    first = shown[0].start
    month_labels = {m.label for m in shown}
    current = shown[-1].label
    back = set(returned)
    since = live_since or {}
    agencies: dict[str, AgencyRow] = {}
    province = {m.label: Tally() for m in shown}
    total = Tally()
    level_units: dict[str, list[str]] = {}
    for code, ind in sorted(indicators.items()):
        if not ind.collected or ind.frequency not in FREQUENCY_KIND:
            continue
        if owner is not None and ind.owner != owner:
            continue
        went_live = since.get(code) or ind.valid_from or first
        start = max(first, went_live)
        for level in ind.levels:
            if level not in level_units:
                level_units[level] = list(units_of(level))
        units = [u for level in ind.levels for u in level_units[level]]
        row = agencies.setdefault(ind.owner, AgencyRow(ind.owner, cells={m.label: Tally() for m in shown}))
        for period in periods_between(FREQUENCY_KIND[ind.frequency], start, today):
            deadline = deadline_of(ind, period)
            end_month = f"{period.end.year:04d}-{period.end.month:02d}"
            column = end_month if end_month in month_labels else current
            if end_month < shown[0].label:
                continue
            for unit in units:
                status = status_of(deadline, today, received.get((code, unit, period.label)),
                                   (code, period.label) in back)
                item = Item(code, ind.owner, unit, period, deadline, status)
                row.items.append(item)
                for tally in (row.total, row.cells[column], province[column], total):
                    tally.add(status)
    ordered = dict(sorted(agencies.items(), key=lambda kv: (
        kv[1].total.on_time_rate if kv[1].total.on_time_rate is not None else 2.0, kv[0])))
    return Completeness(today, shown, ordered, province, total)


# ------------------------------------------------------------------------------- the store

def gather(session: Session, province: str, tree, today: dt.date, *, months: int = 6,
           owner: str | None = None) -> Completeness:
    """The board of ``province`` from the catalogue and values stores (read only)."""
    indicators = live_indicators(session, province)
    codes = list(indicators)
    first = months_back(today, months)[0].start
    since = live_since(session, province)  # the warnings' rule of when an indicator went live
    received: dict[tuple[str, str, str], bool] = {}
    if codes:
        rows = session.execute(
            select(IndicatorValue.indicator, IndicatorValue.unit_code, IndicatorValue.period,
                   func.min(case((IndicatorValue.late, 1), else_=0)))
            .where(IndicatorValue.indicator.in_(codes), IndicatorValue.state == "submitted",
                   IndicatorValue.period_end >= first - dt.timedelta(days=366))
            .group_by(IndicatorValue.indicator, IndicatorValue.unit_code, IndicatorValue.period))
        received = {(i, u, p): bool(late) for i, u, p, late in rows}
    returned = {(i, p) for i, p in session.execute(
        select(ValuePeriod.indicator, ValuePeriod.period).where(ValuePeriod.state == "returned"))}

    def units_of(level: str) -> list[str]:
        if level == "province":
            return [province]
        return [u.code for u in tree.units(province=province, level=level)]

    return completeness(indicators, units_of, received, returned, today, months=months,
                        live_since=since, owner=owner)

