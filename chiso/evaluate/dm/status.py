"""Status of a value against its target (tình trạng thực hiện chỉ tiêu).

**Achievement** (mức đạt) is the share of the target reached, polarity-adjusted:

==========================  =============================================================
``higher`` (more is better)  ``value / target``
``lower`` (less is better)   ``target / value``
==========================  =============================================================

Edge cases, where the ratio would mislead:

* target ``0``: no ratio (every amount is an infinite multiple of zero). ``higher``: a value
  ``≥ 0`` is achieved, below it off track; ``lower``: ``≤ 0`` achieved, above it off track.
* ``lower`` with a positive target and a value ``≤ 0`` (no overdue dossiers left): achieved,
  no ratio.
* negative target (a growth rate of −1 %, a deficit): ``1 + d · (value − target) / |target|``
  with ``d = +1`` for ``higher`` and ``−1`` for ``lower`` — the distance to the target in
  units of the target's size, so −2.1 against −2 (higher) is 0.95.
* a ``higher`` value below zero against a positive target: ``value / target`` is negative,
  off track.

**Status** from the indicator's ``Thresholds`` (defaults: on track 0.95, at risk 0.85):
``achieved`` when achievement ≥ 1, ``on_track`` ≥ on_track, ``at_risk`` ≥ at_risk, else
``off_track``; ``no_target`` where no target applies and ``no_data`` where the value is
missing. A cumulative indicator's value is compared with its path target at the period
(``chiso.evaluate.dm.targets``).

>>> achievement(90, 100, "higher"), achievement(80, 100, "lower")
(0.9, 1.25)
>>> classify(0.9, Thresholds()), classify(0.96, Thresholds()), classify(1.0, Thresholds())
('at_risk', 'on_track', 'achieved')
"""
from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from chiso.catalog.indicator import Indicator, Thresholds
from chiso.evaluate.dm.targets import TargetBook

STATUSES: tuple[str, ...] = ("achieved", "on_track", "at_risk", "off_track", "no_target", "no_data")
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "achieved": ("Đạt chỉ tiêu", "Achieved"),
    "on_track": ("Đúng tiến độ", "On track"),
    "at_risk": ("Có nguy cơ không đạt", "At risk"),
    "off_track": ("Chậm tiến độ", "Off track"),
    "no_target": ("Chưa có chỉ tiêu", "No target"),
    "no_data": ("Chưa có số liệu", "No data"),
}
#: Floating point tolerance: 0.95 computed as 95/100 must count as 0.95.
EPS = 1e-9


def achievement(value: float, target: float, polarity: str) -> float | None:
    """The polarity-adjusted share of the target reached; None where no ratio is meaningful."""
    if target == 0:
        return None
    if target < 0:
        d = 1 if polarity == "higher" else -1
        return 1 + d * (value - target) / abs(target)
    if polarity == "higher":
        return value / target
    return None if value <= 0 else target / value


def classify(ratio: float, thresholds: Thresholds) -> str:
    """Status from an achievement ratio."""
    if ratio >= 1 - EPS:
        return "achieved"
    if ratio >= thresholds.on_track - EPS:
        return "on_track"
    if ratio >= thresholds.at_risk - EPS:
        return "at_risk"
    return "off_track"


def assess(value: float | None, target: float | None, polarity: str,
           thresholds: Thresholds = Thresholds()) -> tuple[float | None, str]:
    """(achievement, status) of one value against one target.

    >>> assess(0, 5, "lower")
    (None, 'achieved')
    >>> assess(3, 0, "lower")
    (None, 'off_track')
    >>> assess(-2.1, -2, "higher")[1]
    'on_track'
    """
    if value is None:
        return None, "no_data"
    if target is None:
        return None, "no_target"
    ratio = achievement(value, target, polarity)
    if ratio is not None:
        return ratio, classify(ratio, thresholds)
    if polarity == "higher":
        return None, "achieved" if value >= target else "off_track"
    return None, "achieved" if value <= target else "off_track"


STATUS_SCHEMA = {"target": pl.Float64, "target_period": pl.Utf8, "target_method": pl.Utf8,
                 "achievement": pl.Float64, "status": pl.Utf8}


def assess_values(indicators: Mapping[str, Indicator], values: pl.DataFrame,
                  book: TargetBook) -> pl.DataFrame:
    """The values relation with target, target_period, target_method, achievement and status.

    Rows of indicators not in ``indicators`` are dropped.
    """
    rows = values.filter(pl.col("indicator").is_in(list(indicators)))
    extra: dict[str, list] = {k: [] for k in STATUS_SCHEMA}
    for ind_code, unit, label, value in rows.select("indicator", "unit_code", "period",
                                                   "value").iter_rows():
        ind = indicators[ind_code]
        t = book.target(ind_code, unit, label)
        ratio, status = assess(value, None if t is None else t.value, ind.polarity, ind.thresholds)
        extra["target"].append(None if t is None else t.value)
        extra["target_period"].append(None if t is None else t.source_period)
        extra["target_method"].append(None if t is None else t.method)
        extra["achievement"].append(ratio)
        extra["status"].append(status)
    return rows.with_columns(*(pl.Series(k, extra[k], dtype=dtype) for k, dtype in STATUS_SCHEMA.items()))
