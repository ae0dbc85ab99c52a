"""Periods (kỳ) as DM indicators use them: kinds, the year a period belongs to, its place in the year.

Periods are written as ``chiso.periods.windows.parse_window`` reads them (``2026``,
``2026-Q3``, ``2026-08``, ``2026-W34``, ``2026-08-17``). An ISO week belongs to its ISO
year (``2026-W01`` may start on 29 December 2025).

The *month position* of a day is where it sits in its year on a 0–12 scale: the end of
month ``m`` is ``m``, a day ``d`` of month ``m`` is ``m − 1 + d / days_in_month``. Spreading
annual targets and seasonal profiles are expressed on that scale, so a profile taken from
last year applies to this year whatever the leap days.

>>> month_position(parse_window("2026-Q3"))
9.0
>>> round(month_position(parse_window("2026-08-16")), 4)
7.5161
>>> year_of(parse_window("2026-W01"))
2026
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

from chiso.errors import WindowError
from chiso.periods.windows import Window, day, month, parse_window, quarter, week_of, year

#: Catalogue frequency → the window kind its values are reported for.
FREQUENCY_KIND: dict[str, str] = {"daily": "day", "weekly": "week", "monthly": "month",
                                  "quarterly": "quarter", "yearly": "year"}
#: Window kinds from finest to coarsest.
KINDS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")

__all__ = ["FREQUENCY_KIND", "KINDS", "Window", "parse_window", "year_of", "month_position",
           "encloses", "window_containing", "periods_back", "time_in_years", "period"]


def period(label: str) -> Window:
    """A reporting period: one day, ISO week, month, quarter or year (not a range or ytd)."""
    w = parse_window(label)
    if w.kind not in KINDS:
        raise WindowError(f"{label!r} is not a reporting period; write 2026, 2026-Q3, 2026-08, "
                          "2026-W34 or 2026-08-17")
    return w


def year_of(w: Window) -> int:
    """The year a period belongs to (an ISO week: its ISO year)."""
    return int(w.label[:4])


def month_position(w: Window | dt.date) -> float:
    """Where the period ends in its year, from 0 (1 January) to 12 (31 December).

    A week ending in the next calendar year (ISO week 53 or 1) is clipped to its own year.
    """
    if isinstance(w, Window):
        end, y = w.end, year_of(w)
    else:
        end, y = w, w.year
    if end.year > y:
        return 12.0
    if end.year < y:
        return 0.0
    days = calendar.monthrange(end.year, end.month)[1]
    return end.month - 1 + end.day / days


def encloses(outer: Window, inner: Window) -> bool:
    """Whether ``outer`` is a coarser period holding ``inner`` (a year holds its ISO weeks)."""
    if KINDS.index(outer.kind) <= KINDS.index(inner.kind):
        return False
    if outer.kind == "year":
        return year_of(inner) == year_of(outer)
    return outer.start <= inner.start and inner.end <= outer.end


def window_containing(kind: str, when: dt.date) -> Window:
    """The period of ``kind`` that holds the day ``when``."""
    if kind == "day":
        return day(when)
    if kind == "week":
        return week_of(when)
    if kind == "month":
        return month(when.year, when.month)
    if kind == "quarter":
        return quarter(when.year, (when.month - 1) // 3 + 1)
    if kind == "year":
        return year(when.year)
    raise WindowError(f"no period kind {kind!r}; one of {', '.join(KINDS)}")


def periods_back(kind: str, before: dt.date) -> Iterator[Window]:
    """Periods of ``kind`` that ended before the day ``before``, newest first (endless)."""
    w = window_containing(kind, before)
    if w.end >= before:
        w = w.previous()
    while True:
        yield w
        w = w.previous()


def time_in_years(w: Window) -> float:
    """The end of a period on a time axis in years: 2026 ends at 2027.0, 2026-06 at 2026.5.

    Differences between two periods are the years that separate their ends (the ``t`` of
    a compound annual growth rate).
    """
    return year_of(w) + month_position(w) / 12
