"""Trend against the target (xu hướng so với chỉ tiêu): the Open SDG / Statistics Canada method.

Source: Open SDG, *Progress Measurement Methodology for the Sustainable Development
Goals* (https://open-sdg.readthedocs.io/en/latest/progress-methodology/, the page
``docs/progress-methodology.md`` of github.com/open-sdg/open-sdg), developed by
Statistics Canada after Eurostat's method, and its reference implementation
``sdg/ProgressMeasure.py`` in github.com/open-sdg/sdg-build.

Growth is a compound annual growth rate between a base period ``t0`` and the latest
period ``ti`` (times in years between period ends, ``chiso.periods.reporting.time_in_years``)::

    CAGR_o = (y_i / y_0) ^ (1 / (t_i − t_0)) − 1              observed

**With a target** ``y_T`` for period ``t_T`` (a level target)::

    CAGR_r = (y_T / y_0) ^ (1 / (t_T − t_0)) − 1              required
    R      = s · d · CAGR_o / |CAGR_r|

``d`` is +1 when more is better (polarity ``higher``) and −1 when less is better; ``s`` is
−1 when the values are negative (the exponential model then runs on their mirror).
The target is *achieved* when ``y_i ≥ y_T`` (``higher``) or ``y_i ≤ y_T`` (``lower``),
whatever the trend. Otherwise:

=================  ===================================  ===========================
R ≥ 0.95           on_track                              đúng hướng
0.60 ≤ R < 0.95    acceleration_needed                   cần đẩy nhanh
0 ≤ R < 0.60       limited_progress                      tiến triển hạn chế
R < 0              deterioration                         đi xuống
=================  ===================================  ===========================

(The thresholds are settings, ``TrendSettings``; 0.60 is the method's current value — the
brief of this feature quoted 0.5 from an older reading.) A *growth target* (a required
rate per year, "revenue +10 % a year") replaces ``CAGR_r`` directly and cannot be
"achieved"; only the ratio classes apply.

**Without a target**: the direction-adjusted ``s · d · CAGR_o`` is compared with fixed
growth rates: ≥ 1.5 % on_track, 0.5 %–1.5 % acceleration_needed, 0–0.5 % limited_progress,
< 0 deterioration. For an indicator with a natural limit (a percentage cannot exceed
100) in the desired direction, the positive thresholds are scaled by
``C = 1 − (y_0 / y_lim) ^ 4.44`` (maximum limit) or ``C = 1 − ((2·y_lim − y_0) / y_lim) ^ 4.44``
(minimum limit, ``y_lim < y_0 ≤ 2·y_lim``); with ``C = 0`` (the base is at the limit) any
``CAGR ≥ 0`` is on track.

The exponential model needs two observations at different times, all values of one sign,
and non-zero values: a zero base or target is replaced by 0.001 (as the method does);
mixed signs or a single observation give ``unable_to_assess`` with the reason.

>>> t = trend(base=(2024, 100.0), current=(2025, 105.0), polarity="higher", target=(2027, 120.0))
>>> (t.status, round(t.ratio, 4))
('acceleration_needed', 0.798)
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from chiso.periods.reporting import month_position, time_in_years
from chiso.periods.windows import Window

TREND_CLASSES: tuple[str, ...] = ("target_achieved", "on_track", "acceleration_needed",
                                  "limited_progress", "deterioration", "unable_to_assess")
TREND_LABELS: dict[str, tuple[str, str]] = {
    "target_achieved": ("Đã đạt chỉ tiêu", "Target achieved"),
    "on_track": ("Đúng hướng", "On track"),
    "acceleration_needed": ("Có tiến triển, cần đẩy nhanh", "Progress made but acceleration needed"),
    "limited_progress": ("Tiến triển hạn chế", "Limited progress"),
    "deterioration": ("Đi xuống", "Deterioration"),
    "unable_to_assess": ("Chưa đủ dữ liệu để đánh giá", "Unable to assess"),
}


@dataclass(frozen=True)
class TrendSettings:
    """Thresholds of the method (defaults as published)."""

    high: float = 0.95           # R: on track
    medium: float = 0.60         # R: acceleration needed
    low: float = 0.0             # R: limited progress (below: deterioration)
    growth_high: float = 0.015   # CAGR without a target
    growth_medium: float = 0.005
    growth_low: float = 0.0
    zero_replacement: float = 0.001
    limit_exponent: float = 4.44


@dataclass(frozen=True)
class Trend:
    status: str
    method: str                          # target | growth_target | no_target | none
    ratio: float | None = None           # R (with a target) or the adjusted CAGR (without)
    cagr_observed: float | None = None
    cagr_required: float | None = None
    base_time: float | None = None
    base_value: float | None = None
    current_time: float | None = None
    current_value: float | None = None
    target_time: float | None = None
    target_value: float | None = None
    coefficient: float | None = None     # the limit scaling C, when a limit applies
    reason: str | None = None

    def as_dict(self) -> dict:
        """Plain values for JSON (an infinite ratio becomes None)."""
        return {k: None if isinstance(v, float) and not math.isfinite(v) else v
                for k, v in asdict(self).items()}


def cagr(current: float, base: float, t_current: float, t_base: float) -> float:
    """Compound annual growth rate between two observations (times in years).

    >>> round(cagr(121.0, 100.0, 2026, 2024), 6)
    0.1
    """
    return (current / base) ** (1 / (t_current - t_base)) - 1


def _classify(value: float, high: float, medium: float, low: float) -> str:
    if value >= high:
        return "on_track"
    if value >= medium:
        return "acceleration_needed"
    if value >= low:
        return "limited_progress"
    return "deterioration"


def _coefficient(base: float, limit: float, d: int, exponent: float) -> float:
    """The scaling factor C of a natural limit in the desired direction (1 = no effect)."""
    b, lim = abs(base), abs(limit)
    if d > 0 and 0 <= b <= lim:
        return 1 - (b / lim) ** exponent
    if d < 0 and lim < b <= 2 * lim:
        return 1 - ((2 * lim - b) / lim) ** exponent
    return 1.0


def trend(*, base: tuple[float, float], current: tuple[float, float], polarity: str,
          target: tuple[float, float] | None = None, growth_target: float | None = None,
          limit: float | None = None, settings: TrendSettings = TrendSettings()) -> Trend:
    """Classify progress from ``base`` (time, value) to ``current`` (time, value).

    ``target`` is (time, value) of a level target; ``growth_target`` a required growth
    rate per year instead; neither: the no-target method. ``limit`` is a natural limit in
    the desired direction (100 for a share that cannot exceed 100 %).
    """
    (t0, y0), (ti, yi) = base, current
    d = 1 if polarity == "higher" else -1
    info = dict(base_time=t0, base_value=y0, current_time=ti, current_value=yi)
    if target is not None:
        info.update(target_time=target[0], target_value=target[1])
        ty = target[1]
        if (d > 0 and yi >= ty) or (d < 0 and yi <= ty):
            return Trend("target_achieved", "target", **info)
    method = "target" if target is not None else "growth_target" if growth_target is not None else "no_target"
    if ti - t0 <= 0:
        return Trend("unable_to_assess", method, reason="needs two observations at different times", **info)
    nonzero = [v for v in (y0, yi) if v != 0] + ([target[1]] if target is not None and target[1] != 0 else [])
    if any(v > 0 for v in nonzero) and any(v < 0 for v in nonzero):
        return Trend("unable_to_assess", method, reason="values change sign; the growth model needs one sign",
                     **info)
    s = -1 if any(v < 0 for v in nonzero) else 1
    z = settings.zero_replacement * s
    b, c = (y0 or z), (yi or z)
    observed = cagr(c, b, ti, t0)
    if method == "no_target":
        value = s * d * observed
        coeff = 1.0 if limit is None else _coefficient(y0, limit, d, settings.limit_exponent)
        if coeff == 0 and value >= 0:
            status = "on_track"
        else:
            status = _classify(value, settings.growth_high * coeff, settings.growth_medium * coeff,
                               settings.growth_low)
        return Trend(status, method, ratio=value, cagr_observed=observed,
                     coefficient=None if limit is None else coeff, **info)
    if method == "growth_target":
        required = growth_target
    else:
        tt = target[0]
        if tt - t0 <= 0:
            return Trend("unable_to_assess", method, cagr_observed=observed,
                         reason="the target period is not after the base period", **info)
        required = cagr(target[1] or z, b, tt, t0)
    if required == 0:
        # the base already sits on the target and the target is not achieved now:
        # the value moved away from it
        return Trend("deterioration", method, ratio=float("-inf") if observed else None,
                     cagr_observed=observed, cagr_required=0.0, **info)
    ratio = s * d * observed / abs(required)
    return Trend(_classify(ratio, settings.high, settings.medium, settings.low), method, ratio=ratio,
                 cagr_observed=observed, cagr_required=required, **info)


def annual_points(observations: Sequence[tuple[Window, float | None]], cumulative: bool
                  ) -> list[tuple[Window, float]]:
    """The observations a trend is measured on, oldest first.

    A cumulative indicator's values are year-to-date, so only complete years count: a
    yearly value, or a period ending on 31 December (an unfinished year would look like a
    fall). Other indicators use every observation of the series.
    """
    points = [(w, float(v)) for w, v in observations if v is not None]
    if cumulative:
        by_year: dict[str, tuple[Window, float]] = {}
        for w, v in points:
            if w.kind == "year" or month_position(w) >= 12:
                by_year[w.label[:4]] = (w, v)
        points = list(by_year.values())
    return sorted(points, key=lambda p: p[0].end)


def series_trend(observations: Sequence[tuple[Window, float | None]], *, polarity: str,
                 cumulative: bool = False, targets: Sequence[tuple[Window, float]] = (),
                 base_period: Window | None = None, limit: float | None = None,
                 settings: TrendSettings = TrendSettings()) -> Trend:
    """The trend of one indicator × unit series.

    Base: the first observation (at or after ``base_period`` if given); current: the
    latest. Target: among ``targets`` (yearly ones only for a cumulative indicator), the
    first ending at or after the current observation, else the latest one.
    """
    points = annual_points(observations, cumulative)
    if base_period is not None:
        points = [p for p in points if p[0].end >= base_period.end]
    if len(points) < 2:
        return Trend("unable_to_assess", "none", reason="needs at least two observations")
    (bw, bv), (cw, cv) = points[0], points[-1]
    usable = sorted((w, v) for w, v in targets if not cumulative or w.kind == "year")
    chosen = next(((w, v) for w, v in usable if w.end >= cw.end), usable[-1] if usable else None)
    return trend(base=(time_in_years(bw), bv), current=(time_in_years(cw), cv), polarity=polarity,
                 target=None if chosen is None else (time_in_years(chosen[0]), chosen[1]),
                 limit=limit, settings=settings)
