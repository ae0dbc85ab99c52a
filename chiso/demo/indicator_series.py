"""One indicator's synthetic series (chuỗi số liệu mô phỏng): values for the province and
each of its reporting units, period by period, from the indicator's profile.

A series is a matrix ``values[unit, period]``; row 0 is the province, the other rows the
units of the indicator's other levels (departments, then communes). The province row is
the aggregate of the others by the indicator's rule (sum or mean), so the submitted
province figure always agrees with its units.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from chiso.catalog.indicator import Indicator
from chiso.demo.indicator_calendar import (
    Span,
    annual_totals,
    path,
    period_sums,
    periods,
    seasonal_weights,
    year_fraction,
)
from chiso.demo.indicator_profiles import Flow, Part, Profile, Published, Rate, Split, Stock, YearOnYear
from chiso.periods.windows import Window, month, quarter, week, year
from chiso.units.model import Unit

#: Units that count things: values are whole numbers (Poisson / binomial draws).
COUNT_UNITS = frozenset({"người", "hồ sơ", "doanh nghiệp", "dự án", "cụm", "sản phẩm", "hoạt động",
                         "giấy phép", "căn", "kiến nghị", "lượt doanh nghiệp", "lượt", "lượt khách",
                         "hộ", "nhiệm vụ", "thủ tục", "văn bản", "bác sĩ"})


@dataclass(frozen=True)
class Series:
    indicator: str
    windows: list[Window]
    units: list[str]           # unit codes; [0] is the province
    values: np.ndarray         # float, shape (len(units), len(windows))


@dataclass(frozen=True)
class Context:
    """What every series of one history shares."""

    province: Unit
    departments: Sequence[Unit]
    communes: Sequence[Unit]
    start: date
    end: date
    span: Span
    deteriorating: frozenset[str]   # commune codes of the scenario
    deteriorate_periods: int = 8


def counts(ind: Indicator) -> bool:
    return ind.unit in COUNT_UNITS


def digits(ind: Indicator) -> int:
    """Decimals a value is written with."""
    if counts(ind):
        return 0
    if ind.unit == "chỉ số":
        return 3
    return 2 if ind.unit in {"%", "lần", "điểm", "bác sĩ/vạn dân"} else 1


def leaves(ind: Indicator, ctx: Context) -> list[Unit]:
    """The units reporting besides the province, in the order rows are written."""
    out: list[Unit] = []
    if "department" in ind.levels:
        out += ctx.departments
    if "commune" in ind.levels:
        out += ctx.communes
    return out


def build(ind: Indicator, profile: Profile, ctx: Context, rng: np.random.Generator,
          made: Mapping[str, Series]) -> Series:
    """The series of ``ind`` (its parent, for a ``Part``, must be in ``made``)."""
    units = leaves(ind, ctx)
    in_advance = isinstance(profile, Published) and profile.in_advance
    windows = periods(ind.frequency, ctx.start, ctx.end, in_advance=in_advance)
    if isinstance(profile, Part):
        rows = _part(ind, profile, ctx, rng, made, windows, units)
    else:
        maker = {Flow: _flow, Stock: _stock, Rate: _rate, YearOnYear: _year_on_year, Published: _published}
        rows = maker[type(profile)](ind, profile, ctx, rng, windows, units)
    if units:
        agg = np.nanmean if ind.aggregation.units == "mean" else np.sum
        rows = np.vstack([agg(rows, axis=0), rows])
    rows = np.round(rows, digits(ind))
    return Series(ind.code, windows, [ctx.province.code] + [u.code for u in units], rows)


# ---------------------------------------------------------------------------- kinds

def _flow(ind, p: Flow, ctx, rng, windows, units) -> np.ndarray:
    totals = annual_totals(p.level, p.growth, ctx.span.years, trend=p.trend)
    years = ctx.span.year_of_days()
    daily = seasonal_weights(ctx.span, p.season) * np.vectorize(totals.get)(years)
    expected = period_sums(daily, ctx.span, windows)
    shares = _weights(p.split, units, rng) if units else np.ones(1)
    return _draw(ind, shares[:, None] * expected[None, :], p.noise, rng)


def _stock(ind, p: Stock, ctx, rng, windows, units) -> np.ndarray:
    level = path(p.by_year, year_fraction(windows), trend=p.trend)
    shares = _weights(p.split, units, rng, p.overrides) if units else np.ones(1)
    expected = shares[:, None] * level[None, :]
    if p.deteriorate != 1.0 and units:
        expected *= 1 + (p.deteriorate - 1) * _slide(units, ctx, len(windows))
    return _draw(ind, np.maximum(expected, 0), p.noise, rng)


def _rate(ind, p: Rate, ctx, rng, windows, units) -> np.ndarray:
    base = path(p.by_year, year_fraction(windows), trend=p.trend)
    if p.ytd:  # the share of the year's level reached by the period's end
        base = base * np.array([(w.end.timetuple().tm_yday) / (366 if w.end.year % 4 == 0 else 365)
                                for w in windows])
    n = max(len(units), 1)
    offsets = rng.normal(0, p.unit_sd, size=(n, 1)) if p.unit_sd else np.zeros((n, 1))
    noise = rng.normal(0, p.noise, size=(n, len(windows)))
    return np.clip(base[None, :] + offsets + noise, p.lo, p.hi)


def _year_on_year(ind, p: YearOnYear, ctx, rng, windows, units) -> np.ndarray:
    span = Span(date(ctx.span.first.year - 1, 1, 1), ctx.span.last)
    totals = annual_totals(100.0, p.growth, span.years, trend=p.trend)
    daily = seasonal_weights(span, p.season) * np.vectorize(totals.get)(span.year_of_days())
    now = period_sums(daily, span, windows)
    before = period_sums(daily, span, [_year_before(w) for w in windows])
    index = 100 * now / before + rng.normal(0, p.noise, size=len(windows))
    return np.tile(index, (max(len(units), 1), 1))


def _published(ind, p: Published, ctx, rng, windows, units) -> np.ndarray:
    known = sorted(p.by_year)
    vals = []
    for w in windows:
        y = w.start.year
        nearest = min(known, key=lambda k: abs(k - y))
        vals.append(p.by_year[nearest] + p.trend * (y - nearest))
    vals = np.array(vals, dtype=float)
    if not units:
        return vals[None, :]
    weights = np.array([max(u.population, 1) for u in units], dtype=float)
    out = (weights / weights.sum())[:, None] * vals[None, :]
    return np.round(out) if counts(ind) else out


def _part(ind, p: Part, ctx, rng, made, windows, units) -> np.ndarray:
    parent = made.get(p.of)
    if parent is None:
        raise ValueError(f"{ind.code}: its profile is a part of {p.of}, which has no series")
    if [w.label for w in parent.windows] != [w.label for w in windows]:
        raise ValueError(f"{ind.code}: {p.of} is reported at another frequency")
    codes = [u.code for u in units] if units else [ctx.province.code]
    index = {c: i for i, c in enumerate(parent.units)}
    missing = [c for c in codes if c not in index]
    if missing:
        raise ValueError(f"{ind.code}: {p.of} has no values for units {missing[:3]}")
    base = parent.values[[index[c] for c in codes]]
    share = path(p.by_year, year_fraction(windows), trend=p.trend)[None, :].repeat(len(codes), axis=0)
    if p.unit_sd:
        share = share + rng.normal(0, p.unit_sd, size=(len(codes), 1))
    for i, code in enumerate(codes):
        abbr = code.split("-", 1)[1] if "-" in code else None
        if abbr in p.overrides:
            share[i] = share[i] - share[i].mean() + p.overrides[abbr]
    share = share + rng.normal(0, p.noise, size=share.shape)
    if p.deteriorate and units:
        share = share - p.deteriorate * _slide(units, ctx, len(windows))
    fraction = max(p.by_year.values()) <= 1
    share = np.clip(share, 0, 1) if fraction else np.maximum(share, 0)
    if counts(ind) and fraction:
        return rng.binomial(np.nan_to_num(base).astype(np.int64), share).astype(float)
    if counts(ind):
        return rng.poisson(np.nan_to_num(base) * share).astype(float)
    return base * share


# ---------------------------------------------------------------------------- helpers

def _draw(ind: Indicator, expected: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Noisy values around ``expected``: lognormal, then Poisson when counting."""
    factor = np.exp(rng.normal(-noise * noise / 2, noise, size=expected.shape)) if noise else 1.0
    values = expected * factor
    return rng.poisson(values).astype(float) if counts(ind) else values


def _weights(split: Split, units: Sequence[Unit], rng: np.random.Generator,
             overrides: Mapping[str, float] | None = None) -> np.ndarray:
    """Each unit's share of a province-wide amount (sums to 1)."""
    overrides = overrides or {}
    depts = [u for u in units if u.level == "department"]
    comms = [u for u in units if u.level == "commune"]
    parts = []
    if depts:
        w = np.array([split.departments.get(u.code.split("-", 1)[1], 1.0)
                      * overrides.get(u.code.split("-", 1)[1], 1.0) for u in depts])
        parts.append(w / w.sum() * (split.department_share if comms else 1.0))
    if comms:
        w = np.array([max(u.population, 1) * (split.urban if u.type == "phường" and split.communes == "urban" else 1)
                      for u in comms], dtype=float)
        w = w * np.exp(rng.normal(0, split.spread, size=len(comms)))
        parts.append(w / w.sum() * ((1 - split.department_share) if depts else 1.0))
    return np.concatenate(parts)


def _slide(units: Sequence[Unit], ctx: Context, n: int) -> np.ndarray:
    """0 → 1 over the last ``ctx.deteriorate_periods`` periods for the scenario's
    deteriorating communes, 0 elsewhere; shape (units, periods)."""
    k = np.arange(n)
    ramp = np.clip((k - (n - ctx.deteriorate_periods) + 1) / ctx.deteriorate_periods, 0, 1)
    mask = np.array([u.code in ctx.deteriorating for u in units], dtype=float)
    return mask[:, None] * ramp[None, :]


def _year_before(w: Window) -> Window:
    y = w.start.year - 1
    if w.kind == "month":
        return month(y, w.start.month)
    if w.kind == "quarter":
        return quarter(y, (w.start.month - 1) // 3 + 1)
    if w.kind == "year":
        return year(y)
    if w.kind == "week":
        iso_year, iso_week, _ = w.start.isocalendar()
        return week(iso_year - 1, min(iso_week, 52))
    raise ValueError(f"no same period last year for a {w.kind}")
