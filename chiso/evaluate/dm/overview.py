"""Each live indicator at a glance: latest value, target, achievement, status and trend.

What ``chiso status`` prints and what dashboards and bulletins read: one row per live
indicator for one unit (by default the province), at its latest period or at a given one.

>>> from chiso.catalog.indicator import Indicator, Target
>>> import datetime as dt, polars as pl
>>> ind = Indicator(code="HC.DUNG_HAN", name="Tỷ lệ hồ sơ đúng hạn", name_en="On-time dossiers",
...     definition="…", group="output", field="ADMINISTRATION", unit="%", frequency="yearly",
...     source_system="HTTTGQTTHC", owner="24-VPUBND", status="in_operation",
...     targets=(Target(period="2026", value=95),))
>>> values = pl.DataFrame({"indicator": ["HC.DUNG_HAN"] * 2, "unit_code": ["24"] * 2,
...     "period": ["2025", "2026"], "period_kind": ["year"] * 2,
...     "period_start": [dt.date(2025, 1, 1), dt.date(2026, 1, 1)],
...     "period_end": [dt.date(2025, 12, 31), dt.date(2026, 12, 31)],
...     "value": [88.0, 91.0], "indicator_version": [1, 1]})
>>> row = overview({"HC.DUNG_HAN": ind}, values, TargetBook({"HC.DUNG_HAN": ind},
...     catalogue_targets({"HC.DUNG_HAN": ind}, "24"), province="24"), "24")[0]
>>> (row["period"], row["value"], row["target"], round(row["achievement"], 4), row["status"], row["trend"])
('2026', 91.0, 95.0, 0.9579, 'on_track', 'limited_progress')
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from chiso.catalog.indicator import Indicator
from chiso.evaluate.dm.status import STATUS_LABELS, assess
from chiso.evaluate.dm.targets import TargetBook, catalogue_targets  # noqa: F401  (doctest)
from chiso.evaluate.dm.trend import TREND_LABELS, TrendSettings, series_trend
from chiso.periods.reporting import FREQUENCY_KIND, KINDS, period, periods_back
from chiso.periods.windows import Window


def _series(values: pl.DataFrame, ind: Indicator, unit: str) -> list:
    rows = values.filter((pl.col("indicator") == ind.code) & (pl.col("unit_code") == unit))
    if rows.is_empty():
        return []
    kinds = set(rows["period_kind"].unique().to_list())
    own = FREQUENCY_KIND[ind.frequency]
    kind = own if own in kinds else min(kinds, key=KINDS.index)
    rows = rows.filter(pl.col("period_kind") == kind).sort("period_end")
    return [(period(p), v) for p, v in rows.select("period", "value").iter_rows()]


def latest_due(ind: Indicator, today: dt.date, since: dt.date | None = None) -> Window | None:
    """The indicator's latest period (of its own frequency) whose reporting deadline (period
    end + ``deadline_days``) has passed by ``today``; None when none has since ``since``
    (or its ``valid_from``)."""
    since = since or ind.valid_from
    for w in periods_back(FREQUENCY_KIND[ind.frequency], today):
        if since is not None and w.end < since:
            return None
        if w.end + dt.timedelta(days=ind.deadline_days) < today:
            return w
    return None  # pragma: no cover - periods_back is endless


def overview(indicators: Mapping[str, Indicator], values: pl.DataFrame, book: TargetBook, unit: str,
             at: str | None = None, trend_settings: TrendSettings = TrendSettings(),
             today: dt.date | None = None, live_since: Mapping[str, dt.date] | None = None) -> list[dict]:
    """One row per live indicator for ``unit``: at its latest period, or the latest ending by ``at``.

    With ``today`` (and no ``at``), an indicator whose latest due period (``latest_due``)
    has no value is ``no_data`` — missing data — even if an earlier value exists: the row
    keeps that earlier value and its period, and names the missing one (``missing_period``).
    ``no_target`` is kept for a current value without a target: the two are counted apart.
    """
    limit = None if at is None else period(at)
    out = []
    for code in sorted(indicators):
        ind = indicators[code]
        if not ind.live:
            continue
        series = _series(values, ind, unit)
        if limit is not None:
            series = [(w, v) for w, v in series if w.end <= limit.end]
        row: dict = {"indicator": code, "name": ind.name, "name_en": ind.name_en, "field": ind.field,
                     "group": ind.group, "unit_of_measure": ind.unit, "polarity": ind.polarity,
                     "owner": ind.owner, "unit": unit, "period": None, "value": None, "target": None,
                     "target_period": None, "target_method": None, "achievement": None,
                     "missing_period": None}
        due = latest_due(ind, today, (live_since or {}).get(code)) if today is not None and at is None else None
        if series:
            w, value = series[-1]
            t = book.target(code, unit, w.label)
            ratio, status = assess(value, None if t is None else t.value, ind.polarity, ind.thresholds)
            row.update(period=w.label, value=value, achievement=ratio)
            if t is not None:
                row.update(target=t.value, target_period=t.source_period, target_method=t.method)
        else:
            status = "no_data"
        if due is not None and (not series or series[-1][0].end < due.end):
            status = "no_data"
            row["missing_period"] = due.label
        targets = [(period(r.period), r.value) for r in book.records_for(code, unit)]
        tr = series_trend(series, polarity=ind.polarity, cumulative=ind.cumulative, targets=targets,
                          limit=100.0 if ind.unit == "%" and ind.polarity == "higher" else None,
                          settings=trend_settings)
        row.update(status=status, status_vi=STATUS_LABELS[status][0], status_en=STATUS_LABELS[status][1],
                   trend=tr.status, trend_vi=TREND_LABELS[tr.status][0], trend_en=TREND_LABELS[tr.status][1],
                   trend_ratio=tr.ratio if tr.ratio is None or abs(tr.ratio) != float("inf") else None,
                   trend_detail=tr.as_dict())
        out.append(row)
    return out
