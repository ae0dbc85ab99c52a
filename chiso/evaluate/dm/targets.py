"""Targets (chỉ tiêu) per indicator × unit × period, and annual targets spread over the year.

Where a target comes from, in order:

1. **Set for the period itself** — a target for exactly this indicator, unit and period.
   Targets are read from the catalogue (``Indicator.targets``; a target without a unit is
   the province's) and from the targets table (``chiso targets set``); a stored target
   replaces the catalogue's for the same indicator × unit × period (the newest row wins;
   earlier rows stay in the table as history).
2. **Spread from a coarser period of the same year** —
   * a *cumulative* indicator (values accumulate within the year: revenue to date) follows
     a path: 0 at the start of the year, each target of the year at the end of its period
     (an annual target at 31 December, a Q2 target at 30 June — all year-to-date), and
     in between the path is interpolated on the year's *profile*. The linear profile
     spreads the year evenly over its months (month m ends at m/12 of the target, days
     within a month evenly); a seasonal profile takes last year's shares instead
     (``seasonal_profile``: the year-to-date value at each period's end ÷ the year's
     total). A period after the last target of the year has no target (nothing to
     extrapolate from).
   * a *non-cumulative* indicator (a rate, a level) takes the target of the nearest
     enclosing period as it is: an annual on-time rate of 95 % applies to every month.
3. **The province's target, for its units** — only for intensive indicators (aggregated
   over units by ``mean``, ``weighted_mean`` or ``ratio_of_sums``: rates, shares, averages),
   where the province's 95 % is also each commune's 95 %. An additive indicator's
   province target (revenue) says nothing about one commune, so it is not inherited.

>>> from chiso.catalog.indicator import Indicator, Target
>>> rev = Indicator(code="NS.THU", name="Thu ngân sách", name_en="Budget revenue",
...     definition="…", group="outcome", field="FINANCE", unit="tỷ đồng", cumulative=True,
...     source_system="TABMIS", owner="24-STC", targets=(Target(period="2026", value=1200),))
>>> book = TargetBook({"NS.THU": rev}, catalogue_targets({"NS.THU": rev}, "24"), province="24")
>>> t = book.target("NS.THU", "24", "2026-08")
>>> (t.value, t.method, t.source_period)
(800.0, 'path_linear', '2026')
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from chiso.catalog.indicator import Indicator
from chiso.errors import ChisoError
from chiso.periods.reporting import encloses, month_position, period, year_of

#: Aggregation rules over units that make an indicator intensive (a province target holds
#: for each of its units).
INTENSIVE_RULES = frozenset({"mean", "weighted_mean", "ratio_of_sums"})
SPREADS = ("linear", "seasonal")


@dataclass(frozen=True)
class TargetRecord:
    """One target as set: in the catalogue or in the targets table."""

    indicator: str
    unit: str
    period: str
    value: float
    basis: str | None = None
    source: str = "catalogue"          # catalogue | store
    set_by: str | None = None
    set_at: dt.datetime | None = None


@dataclass(frozen=True)
class ResolvedTarget:
    """The target that applies to one indicator × unit × period, and how it was found."""

    value: float
    period: str                        # the period it applies to
    source_period: str                 # the period of the target it comes from
    method: str                        # set | as_is | path_linear | path_seasonal
    unit: str                          # the unit whose target it is (the province when inherited)
    basis: str | None = None

    def as_dict(self) -> dict:
        return {"value": self.value, "period": self.period, "source_period": self.source_period,
                "method": self.method, "unit": self.unit, "basis": self.basis}


@dataclass(frozen=True)
class Profile:
    """A year's cumulative shares at points of the month scale: (position, share), from (0, 0) to (12, 1)."""

    points: tuple[tuple[float, float], ...]
    kind: str = "seasonal"

    def share(self, position: float) -> float:
        xs = [p for p, _ in self.points]
        if position <= xs[0]:
            return self.points[0][1]
        if position >= xs[-1]:
            return self.points[-1][1]
        i = bisect.bisect_right(xs, position)
        (x0, y0), (x1, y1) = self.points[i - 1], self.points[i]
        return y0 + (y1 - y0) * (position - x0) / (x1 - x0)


LINEAR = Profile(((0.0, 0.0), (12.0, 1.0)), kind="linear")


def catalogue_targets(indicators: Mapping[str, Indicator], province: str) -> list[TargetRecord]:
    """The targets written in the catalogue; a target without a unit is the province's."""
    return [TargetRecord(indicator=code, unit=t.unit or province, period=period(t.period).label,
                         value=float(t.value), basis=t.basis, source="catalogue")
            for code, ind in indicators.items() for t in ind.targets]


def seasonal_profile(values: pl.DataFrame, indicator: str, unit: str, year: int) -> Profile | None:
    """Last year's shape of a cumulative indicator: year-to-date value ÷ the year's total.

    Uses the finest kind of period reported in ``year``; returns None unless that kind
    covers the whole year (the last period ends on 31 December) with a positive total and
    shares that never go down.
    """
    rows = values.filter((pl.col("indicator") == indicator) & (pl.col("unit_code") == unit)
                         & pl.col("value").is_not_null()
                         & pl.col("period").str.starts_with(str(year))
                         & pl.col("period_kind").is_in(["week", "month", "quarter"]))
    if rows.is_empty():
        return None
    finest = min(rows["period_kind"].unique().to_list(), key=("week", "month", "quarter").index)
    rows = rows.filter(pl.col("period_kind") == finest).sort("period_end")
    windows = [period(p) for p in rows["period"].to_list()]
    if month_position(windows[-1]) < 12:
        return None
    total = float(rows["value"][-1])
    if total <= 0:
        return None
    points = [(0.0, 0.0)]
    for w, v in zip(windows, rows["value"].to_list(), strict=True):
        share = float(v) / total
        if share < points[-1][1] - 1e-12 or share < 0:
            return None
        x = month_position(w)
        if x > points[-1][0]:
            points.append((x, share))
    return Profile(tuple(points))


def seasonal_profiles(indicators: Mapping[str, Indicator], values: pl.DataFrame
                      ) -> dict[tuple[str, str, int], Profile]:
    """Profiles for every cumulative indicator × unit: year Y follows the shape of year Y − 1."""
    cumulative = [c for c, i in indicators.items() if i.cumulative]
    rows = values.filter(pl.col("indicator").is_in(cumulative))
    out: dict[tuple[str, str, int], Profile] = {}
    pairs = rows.select("indicator", "unit_code", pl.col("period").str.slice(0, 4).alias("year")).unique()
    for code, unit, y in pairs.iter_rows():
        profile = seasonal_profile(rows, code, unit, int(y))
        if profile is not None:
            out[(code, unit, int(y) + 1)] = profile
    return out


class TargetBook:
    """Every target of a province, answering "which target applies here?".

    ``profiles`` maps (indicator, unit, year) to a seasonal ``Profile``; with
    ``spread="seasonal"`` a cumulative indicator without one falls back to the linear
    profile (the method says which was used).
    """

    def __init__(self, indicators: Mapping[str, Indicator], targets: Iterable[TargetRecord], *,
                 province: str, spread: str = "linear",
                 profiles: Mapping[tuple[str, str, int], Profile] | None = None):
        if spread not in SPREADS:
            raise ChisoError(f"spread {spread!r}: one of {', '.join(SPREADS)}")
        self.indicators, self.province, self.spread = indicators, province, spread
        self.profiles = dict(profiles or {})
        self._by_key: dict[tuple[str, str, str], TargetRecord] = {}
        for t in targets:   # later records (the store, newest last) replace earlier ones
            self._by_key[(t.indicator, t.unit, t.period)] = t
        self._by_unit: dict[tuple[str, str], list[TargetRecord]] = {}
        for t in self._by_key.values():
            self._by_unit.setdefault((t.indicator, t.unit), []).append(t)

    def records(self) -> list[TargetRecord]:
        """The targets in force (one per indicator × unit × period)."""
        return sorted(self._by_key.values(), key=lambda t: (t.indicator, t.unit, t.period))

    def records_for(self, indicator: str, unit: str) -> list[TargetRecord]:
        """The targets set for one indicator × unit (the province's, for an intensive indicator's unit)."""
        own = self._by_unit.get((indicator, unit), [])
        ind = self.indicators.get(indicator)
        if own or ind is None or unit == self.province or ind.aggregation.units not in INTENSIVE_RULES:
            return list(own)
        return list(self._by_unit.get((indicator, self.province), []))

    def target(self, indicator: str, unit: str, period_label: str) -> ResolvedTarget | None:
        """The target for one indicator × unit × period, or None."""
        ind = self.indicators.get(indicator)
        if ind is None:
            return None
        w = period(period_label)
        found = self._for_unit(ind, unit, w)
        if found is None and unit != self.province and ind.aggregation.units in INTENSIVE_RULES:
            found = self._for_unit(ind, self.province, w)
        return found

    def _for_unit(self, ind: Indicator, unit: str, w) -> ResolvedTarget | None:
        own = self._by_key.get((ind.code, unit, w.label))
        if own is not None:
            return ResolvedTarget(own.value, w.label, own.period, "set", unit, own.basis)
        candidates = [(period(t.period), t) for t in self._by_unit.get((ind.code, unit), ())]
        if ind.cumulative:
            return self._path(ind, unit, w, [(tw, t) for tw, t in candidates
                                             if tw.kind != "day" and year_of(tw) == year_of(w)])
        enclosing = [(tw, t) for tw, t in candidates if encloses(tw, w)]
        if not enclosing:
            return None
        tw, t = min(enclosing, key=lambda c: c[0].days)
        return ResolvedTarget(t.value, w.label, t.period, "as_is", unit, t.basis)

    def _path(self, ind: Indicator, unit: str, w, anchors: Sequence) -> ResolvedTarget | None:
        profile, method = LINEAR, "path_linear"
        if self.spread == "seasonal":
            seasonal = self.profiles.get((ind.code, unit, year_of(w)))
            if seasonal is not None:
                profile, method = seasonal, "path_seasonal"
        x = month_position(w)
        points = sorted((month_position(tw), t) for tw, t in anchors)
        after = [(p, t) for p, t in points if p >= x - 1e-12]
        if not after:
            return None
        x1, t1 = after[0]
        before = [(p, t) for p, t in points if p < x - 1e-12]
        x0, v0 = (before[-1][0], before[-1][1].value) if before else (0.0, 0.0)
        s0, s1, s = profile.share(x0), profile.share(x1), profile.share(x)
        value = t1.value if s1 == s0 else v0 + (t1.value - v0) * (s - s0) / (s1 - s0)
        if abs(x1 - x) < 1e-12:
            value = t1.value
        return ResolvedTarget(float(value), w.label, t1.period, method, unit, t1.basis)
