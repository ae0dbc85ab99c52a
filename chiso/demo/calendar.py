"""Vietnamese working days and the seasonality of dossier volumes.

Appointment dates, petition deadlines and publication deadlines are all counted in
*working days* (Monday–Friday minus public holidays, plus make-up Saturdays), so the
generator uses the same holidays file loading does (``chiso.periods.holidays``; years
beyond its list by the file's estimate rule); and dossier volumes follow the same
rhythm (heavy Monday–Friday, little on Saturday, almost nothing on Sunday or a
holiday, a rush before Tết and a slow restart after it).

Days are handled as integers: days since 1970-01-01, which is exactly Arrow's
``date32`` representation, so generated columns need no conversion.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from chiso.periods.holidays import HolidayYear, load_holidays

EPOCH = date(1970, 1, 1)

# Relative volume by weekday (Monday first). Departments rarely open on Saturday;
# many commune one-stop shops do on Saturday morning. Online submissions keep a trickle
# going on Sundays and holidays.
WEEKDAY_WEIGHT = {
    "department": (1.12, 1.05, 1.00, 1.00, 0.93, 0.06, 0.015),
    "commune": (1.12, 1.05, 1.00, 1.00, 0.95, 0.16, 0.02),
}
HOLIDAY_WEIGHT = 0.02
# Slight month-to-month variation: year-end and pre-Tết months busy, summer quieter.
MONTH_WEIGHT = (1.04, 1.00, 1.02, 0.99, 1.00, 1.00, 0.97, 0.95, 0.98, 1.02, 1.03, 1.08)
PRE_TET_RUSH = (10, 0.45)  # working days before the break, peak extra volume just before
POST_TET_LULL = ((5, 0.55), (5, 0.85))  # (working days, factor) after the break


def to_day(d: date) -> int:
    """Days since 1970-01-01 (Arrow date32)."""
    return (d - EPOCH).days


def from_day(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday)."""
    return (np.asarray(days) + 3) % 7


def _year(year: int) -> HolidayYear:
    return load_holidays().year(year, estimate=True)


def tet_break(year: int) -> tuple[date, date]:
    """First and last day of the Tết break that falls in ``year``: the days off around
    mùng 1 Tết, with the weekends they join (as the Government announces them)."""
    lny = load_holidays().lunar_new_year(year)
    hy = _year(year)
    off, make_up = hy.off(), {m.day for m in hy.make_up_days}

    def closed(d: date) -> bool:
        return d in off or (d.weekday() >= 5 and d not in make_up)

    first = last = lny
    while closed(first - timedelta(days=1)):
        first -= timedelta(days=1)
    while closed(last + timedelta(days=1)):
        last += timedelta(days=1)
    return first, last


def public_holidays(year: int) -> list[date]:
    """Weekdays off in ``year`` (holidays, compensatory and swapped days, the Tết break)."""
    return _year(year).weekdays_off()


@dataclass(frozen=True)
class WorkCalendar:
    """Working-day arithmetic over a span of days, vectorised by table look-ups.

    ``forward[d - first]`` is the ordinal of the first working day on or after day ``d``;
    ``workdays[k]`` is the day of working day ``k``. Adding ``n`` working days to a day
    is then two gathers, much faster than ``numpy.busday_offset`` on millions of rows.
    """

    first: int
    is_workday: np.ndarray  # bool per day of the span
    forward: np.ndarray  # int32 per day of the span
    workdays: np.ndarray  # int32 days

    @classmethod
    def spanning(cls, first: date, last: date) -> WorkCalendar:
        lo, hi = to_day(first), to_day(last)
        days = np.arange(lo, hi + 1, dtype=np.int32)
        # datetime64[D] counts days since 1970-01-01 too
        workdays = load_holidays().working_days(first, last, estimate=True).days.astype(np.int64).astype(np.int32)
        work = np.isin(days, workdays)
        forward = np.searchsorted(workdays, days, side="left").astype(np.int32)
        return cls(lo, work, forward, workdays)

    @property
    def last(self) -> int:
        return self.first + len(self.is_workday) - 1

    def ordinal(self, days: np.ndarray) -> np.ndarray:
        """Working-day ordinal of each day, rolled forward to a working day."""
        return self.forward[np.asarray(days) - self.first]

    def day_of(self, ordinals: np.ndarray) -> np.ndarray:
        """Day of each working-day ordinal, clamped to the span's last working day."""
        return self.workdays[np.minimum(ordinals, len(self.workdays) - 1)]

    def add(self, days: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        """``days`` plus ``n`` working days (a weekend or holiday day first rolls forward)."""
        return self.day_of(self.ordinal(days) + n)


def closed_mask(days: np.ndarray, calendar: WorkCalendar) -> np.ndarray:
    """True for a day offices are closed beyond the weekend: a weekday public holiday or
    any day of a Tết break (its weekends too: nobody comes in during Tết)."""
    days = np.asarray(days)
    closed = (weekday(days) < 5) & ~calendar.is_workday[days - calendar.first]
    for year in _years(days):
        first, last = tet_break(year)
        closed |= (days >= to_day(first)) & (days <= to_day(last))
    return closed


def day_weights(days: np.ndarray, calendar: WorkCalendar, level: str) -> np.ndarray:
    """Relative dossier volume of each day for a unit of ``level`` ('department'|'commune')."""
    days = np.asarray(days)
    wd = weekday(days)
    # a make-up Saturday (ngày làm bù) is as busy as a Friday
    wd = np.where((wd >= 5) & calendar.is_workday[days - calendar.first], 4, wd)
    w = np.asarray(WEEKDAY_WEIGHT[level])[wd]
    months = np.array([from_day(d).month for d in days], dtype=np.int64) - 1  # a few hundred days
    w = w * np.asarray(MONTH_WEIGHT)[months] * tet_factor(days, calendar)
    return np.where(closed_mask(days, calendar), HOLIDAY_WEIGHT, w)


def tet_factor(days: np.ndarray, calendar: WorkCalendar) -> np.ndarray:
    """Pre-Tết rush (rising towards the break) and slow restart after it; 1 elsewhere."""
    days = np.asarray(days)
    f = np.ones(len(days))
    ordinal = calendar.ordinal(days)
    for year in _years(days):
        first, last = tet_break(year)
        if to_day(first) < calendar.first:
            raise ValueError(f"the calendar must start before the Tết break of {year}")
        restart = int(calendar.ordinal(np.array([to_day(first)]))[0])  # first working day after
        n_rush, peak = PRE_TET_RUSH
        before = restart - ordinal  # working days until the break, for days before it
        rush = (days < to_day(first)) & (before >= 1) & (before <= n_rush)
        f = np.where(rush, 1 + peak * (n_rush + 1 - before) / n_rush, f)
        after = ordinal - restart  # working days since the restart
        k = 0
        for n, factor in POST_TET_LULL:
            f = np.where((days > to_day(last)) & (after >= k) & (after < k + n), factor, f)
            k += n
    return f


def _years(days: np.ndarray) -> range:
    if len(days) == 0:
        return range(0)
    return range(from_day(days.min()).year, from_day(days.max()).year + 1)
