"""Periods and seasons for the synthetic history of DM indicators (chỉ số chỉ đạo, điều hành).

An amount that accrues over time (revenue, disbursement, new enterprises) is modelled as a
*daily intensity* over whole calendar years: the year's total spread over its days by a
seasonal weight (month factors, the Tết break, and for dossiers the weekday rhythm of
chiso.demo.calendar). A period's value is then the sum of its days, so weeks that straddle
New Year, months and quarters all add up to the same yearly totals.

Periods are written the way ``chiso.periods.windows.parse_window`` reads them: ``2026``,
``2026-Q3``, ``2026-08``, ``2026-W34``, ``2026-08-17``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from chiso.demo.calendar import WorkCalendar, day_weights, tet_break, to_day
from chiso.periods.windows import Window, day, month, quarter, week_of, year

#: catalogue frequency → the period kind of the values relation
PERIOD_KIND: Mapping[str, str] = {"daily": "day", "weekly": "week", "monthly": "month",
                                  "quarterly": "quarter", "yearly": "year"}

# Month factors (January first) of the seasonal profiles; each is normalised per year.
MONTH_FACTORS: Mapping[str, tuple[float, ...]] = {
    "flat": (1,) * 12,
    # industry and trade: slow after Tết, busy before year end
    "industry": (0.92, 0.86, 1.00, 1.00, 1.01, 1.02, 1.02, 1.03, 1.03, 1.04, 1.05, 1.06),
    # GRDP: the year's product grows quarter by quarter (shares ~22/24.5/26/27.5%)
    "grdp": (0.86, 0.86, 0.92, 0.97, 0.98, 1.00, 1.03, 1.04, 1.06, 1.08, 1.09, 1.11),
    # tourism: spring festivals (Lim, Phật Tích, Tây Yên Tử) dominate
    "tourism": (1.30, 2.10, 1.45, 0.95, 0.80, 0.72, 0.70, 0.74, 0.78, 0.85, 0.80, 0.95),
    # budget revenue: year-end settlement in Q1, land-use revenue late in the year
    "revenue": (1.15, 0.75, 1.05, 1.10, 0.90, 0.95, 0.95, 0.90, 0.90, 1.00, 1.05, 1.30),
    # budget spending: December is the heaviest month
    "spending": (0.60, 0.75, 0.90, 0.95, 0.95, 1.00, 1.00, 1.00, 1.00, 1.05, 1.20, 2.10),
    # public investment: slow start, most of the plan in the last quarter
    "disbursement": (0.25, 0.45, 0.80, 0.85, 0.90, 1.00, 0.95, 1.00, 1.05, 1.10, 1.30, 2.35),
    # results counted at quarter ends (projects handed over, products certified)
    "year_end": (0.6, 0.6, 0.9, 0.8, 0.8, 1.0, 0.9, 0.9, 1.1, 1.1, 1.3, 2.0),
    # after Tết: workers change jobs, firms resume, claims for unemployment benefit
    "after_tet": (0.85, 1.45, 1.35, 1.05, 0.95, 0.90, 0.90, 0.90, 0.90, 0.90, 0.90, 0.95),
    # before Tết: suspensions and dissolutions are filed around the year end
    "before_tet": (1.45, 1.25, 0.95, 0.90, 0.90, 0.90, 0.90, 0.85, 0.85, 0.90, 1.00, 1.30),
    # health care: a dip in the Tết month only
    "health": (0.97, 0.92, 1.02, 1.01, 1.01, 1.00, 1.01, 1.01, 1.01, 1.01, 1.01, 1.02),
}
#: Multiplier of a day inside the Tết break (offices and factories closed; festivals on).
TET_MULTIPLIER: Mapping[str, float] = {"tourism": 2.0, "flat": 1.0, "grdp": 1.0, "disbursement": 0.1}
TET_DEFAULT = 0.3


@dataclass(frozen=True)
class Span:
    """Whole calendar years around the history, as day numbers."""

    first: date  # 1 January of the first year
    last: date   # 31 December of the last year

    @classmethod
    def covering(cls, start: date, end: date) -> Span:
        if end < start:
            raise ValueError(f"the history ends ({end}) before it starts ({start})")
        return cls(date(start.year, 1, 1), date(end.year, 12, 31))

    @property
    def days(self) -> np.ndarray:
        return np.arange(to_day(self.first), to_day(self.last) + 1, dtype=np.int64)

    @property
    def years(self) -> range:
        return range(self.first.year, self.last.year + 1)

    def index(self, d: date) -> int:
        return (d - self.first).days

    def year_of_days(self) -> np.ndarray:
        return np.concatenate([np.full(_days_in(y), y) for y in self.years])


def _days_in(y: int) -> int:
    return (date(y + 1, 1, 1) - date(y, 1, 1)).days


def seasonal_weights(span: Span, season: str) -> np.ndarray:
    """Relative intensity of each day of ``span``; every calendar year sums to 1."""
    days = span.days
    if season.startswith("dossiers:"):  # the record generator's own rhythm (weekday, Tết)
        level = season.split(":", 1)[1]
        w = day_weights(days, WorkCalendar.spanning(span.first, span.last), level)
    else:
        try:
            factors = np.asarray(MONTH_FACTORS[season], dtype=float)
        except KeyError:
            raise ValueError(f"unknown season {season!r}; known: {', '.join(MONTH_FACTORS)}") from None
        months = np.concatenate([np.repeat(np.arange(12), [_month_len(y, m) for m in range(1, 13)])
                                 for y in span.years])
        w = factors[months].copy()
        tet = TET_MULTIPLIER.get(season, TET_DEFAULT)
        for y in span.years:
            first, last = tet_break(y)
            w[span.index(first): span.index(last) + 1] *= tet
    years = span.year_of_days()
    totals = {y: w[years == y].sum() for y in span.years}
    return w / np.vectorize(totals.get)(years)


def _month_len(y: int, m: int) -> int:
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return (nxt - date(y, m, 1)).days


def periods(frequency: str, start: date, end: date, *, in_advance: bool = False) -> list[Window]:
    """The periods of ``frequency`` inside [start, end], in order.

    A period counts when it has ended by ``end``; with ``in_advance`` (a plan known from
    its first day, such as the year's budget estimate) when it has begun.
    """
    kind = PERIOD_KIND.get(frequency)
    if kind is None:
        raise ValueError(f"unknown frequency {frequency!r}")
    out: list[Window] = []
    p = _first_period(kind, start)
    while p.start <= end:
        if (p.end <= end or in_advance) and p.start >= start:
            out.append(p)
        p = _next(p)
    return out


def _first_period(kind: str, d: date) -> Window:
    return {"day": day, "week": week_of, "month": lambda x: month(x.year, x.month),
            "quarter": lambda x: quarter(x.year, (x.month - 1) // 3 + 1),
            "year": lambda x: year(x.year)}[kind](d)


def _next(p: Window) -> Window:
    return _first_period(p.kind, p.end + timedelta(days=1))


def period_sums(daily: np.ndarray, span: Span, windows: list[Window]) -> np.ndarray:
    """Sum of ``daily`` (days of ``span`` along the last axis) over each window."""
    cum = np.concatenate([np.zeros(daily.shape[:-1] + (1,)), np.cumsum(daily, axis=-1)], axis=-1)
    lo = np.array([span.index(w.start) for w in windows], dtype=np.int64)
    hi = np.array([span.index(w.end) + 1 for w in windows], dtype=np.int64)
    return cum[..., hi] - cum[..., lo]


def year_fraction(windows: list[Window]) -> np.ndarray:
    """Each window's end as a fractional year (2025.5 ≈ 1 July 2025), for level paths."""
    return np.array([w.end.year + (w.end.timetuple().tm_yday - 0.5) / _days_in(w.end.year) for w in windows])


def path(by_year: Mapping[int, float], at: np.ndarray, *, trend: float = 0.0) -> np.ndarray:
    """A level known per year (at mid-year), interpolated linearly between years and
    extended beyond the known years by ``trend`` per year."""
    years = sorted(by_year)
    xs = np.array([y + 0.5 for y in years])
    ys = np.array([by_year[y] for y in years], dtype=float)
    out = np.interp(at, xs, ys)
    out = np.where(at < xs[0], ys[0] - trend * (xs[0] - at), out)
    return np.where(at > xs[-1], ys[-1] + trend * (at - xs[-1]), out)


def annual_totals(level: float, growth: Mapping[int, float], years: range, *, base_year: int = 2025,
                  trend: float = 0.0) -> dict[int, float]:
    """Yearly totals from the ``base_year`` level and each year's growth over the year before
    (``trend`` where a year is not given)."""
    out = {base_year: float(level)}
    for y in range(base_year + 1, max(years.stop, base_year + 1)):
        out[y] = out[y - 1] * (1 + growth.get(y, trend))
    for y in range(base_year - 1, min(years.start, base_year) - 1, -1):
        out[y] = out[y + 1] / (1 + growth.get(y + 1, trend))
    return {y: out[y] for y in years}
