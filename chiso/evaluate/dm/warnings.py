"""Early warnings (cảnh báo sớm): rules over indicators, values, targets and source status.

Each rule is a small pure function ``rule(inputs) -> RuleResult``: the warnings it finds
and the *subjects* it checked. A warning's key is ``rule|indicator|unit|period``: the same
condition always gives the same key, so re-running the rules never duplicates a warning,
and a warning whose subject was checked but whose key was not produced again has cleared
(the store then resolves it automatically, with a record).

Subjects, by rule scope:

* ``series`` rules look at the latest period of each indicator × unit (below threshold,
  deterioration, outlier, counterpart disagreement) or at a source (stale source): the
  subject is ``(rule, indicator, unit)``, so a warning about an earlier period clears when
  a newer period no longer shows the condition (or is superseded by the warning of the
  newer period).
* ``period`` rules look at each expected period (missing data, late data): the subject is
  the whole key; periods outside the look-back are left as they are.

Severity (info < warning < critical) and the unit responsible, per rule:

=========================  ==========================================  =====================
rule                       severity                                    responsible
=========================  ==========================================  =====================
below_threshold            at_risk → warning; off_track → critical     the value's unit *
deterioration              n worse periods in a row → warning; 2n →    the value's unit *
                           critical
outlier                    |z| > k → warning; |z| > 2k → critical      owner agency
missing_data               overdue → warning; overdue by more than     owner agency
                           one period's length → critical
late_data                  info                                        owner agency
stale_source               warning; critical when the last run failed  connector's owner
counterpart_disagreement   > tolerance → warning; > 2 × → critical     owner agency
=========================  ==========================================  =====================

\\* a commune's or department's value: that unit; the province's value: the owner agency.
Performance is the unit's to act on; data (missing, late, stale, odd, disagreeing) is the
owner's, who alone may submit it ("one data – one source – one owner").
"""
from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from chiso.catalog.indicator import Indicator
from chiso.evaluate.dm.status import STATUS_LABELS, assess
from chiso.evaluate.dm.targets import TargetBook
from chiso.periods.reporting import FREQUENCY_KIND, KINDS, period, periods_back
from chiso.periods.windows import Window
from chiso.store.models_evaluation import SEVERITIES
from chiso.text import format_number, format_percent

RULE_NAMES: dict[str, tuple[str, str]] = {
    "below_threshold": ("Dưới ngưỡng chỉ tiêu", "Below threshold"),
    "deterioration": ("Diễn biến xấu liên tiếp", "Consecutive deterioration"),
    "outlier": ("Giá trị bất thường", "Outlier"),
    "missing_data": ("Thiếu số liệu", "Missing data"),
    "late_data": ("Số liệu gửi muộn", "Late data"),
    "stale_source": ("Nguồn dữ liệu không cập nhật", "Stale source"),
    "counterpart_disagreement": ("Lệch số liệu thống kê", "Disagrees with statistics"),
}
#: Which subjects a rule speaks for (see the module docstring).
RULE_SCOPE: dict[str, str] = {
    "below_threshold": "series", "deterioration": "series", "outlier": "series",
    "missing_data": "period", "late_data": "period", "stale_source": "series",
    "counterpart_disagreement": "series",
}


@dataclass(frozen=True)
class EarlyWarning:
    """One warning: what, how bad, about which unit and period, who must act, and the numbers."""

    rule: str
    severity: str
    indicator: str
    unit: str                 # the unit the condition is about
    responsible: str          # the unit that must act
    period: str               # "" when the condition has no period (a stale source)
    field: str
    message_vi: str
    message_en: str
    evidence: dict

    @property
    def key(self) -> str:
        return warning_key(self.rule, self.indicator, self.unit, self.period)

    @property
    def subject(self) -> tuple[str, ...]:
        return subject_of(self.rule, self.indicator, self.unit, self.period)

    def as_dict(self) -> dict:
        return {"key": self.key, "rule": self.rule, "severity": self.severity,
                "indicator": self.indicator, "unit": self.unit, "responsible": self.responsible,
                "period": self.period, "field": self.field, "message_vi": self.message_vi,
                "message_en": self.message_en, "evidence": self.evidence}


def warning_key(rule: str, indicator: str, unit: str, period: str) -> str:
    """The identity of a condition: the same condition, the same key."""
    return f"{rule}|{indicator}|{unit}|{period}"


def subject_of(rule: str, indicator: str, unit: str, period: str) -> tuple[str, ...]:
    """What a rule checks at once: a series (indicator × unit) or one period of it."""
    if RULE_SCOPE.get(rule) == "period":
        return (rule, indicator, unit, period)
    return (rule, indicator, unit)


@dataclass(frozen=True)
class ConnectorStatus:
    """A source connector as the collection side reports it."""

    name: str
    owner: str
    indicators: tuple[str, ...]
    stale: bool
    last_success: dt.datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class LateValue:
    """A value accepted after its deadline (flagged by collection)."""

    indicator: str
    unit: str
    period: str
    days_late: int | None = None


@dataclass(frozen=True)
class WarningSettings:
    deterioration_periods: int = 3     # n worse periods in a row
    outlier_k: float = 3.0             # mean ± k·sd
    outlier_min_history: int = 6       # earlier values needed before judging
    outlier_history: int = 24          # earlier values looked at, at most
    lookback_periods: int = 3          # periods checked for missing and late data


@dataclass
class WarningInputs:
    """Everything the rules read. ``values`` is the values relation (see docs/evaluation.md);
    ``statistical`` has columns statistical_code, unit_code, period, value."""

    province: str
    indicators: Mapping[str, Indicator]
    values: pl.DataFrame
    targets: TargetBook
    today: dt.date
    units: object | None = None        # chiso.units.registry.UnitTree
    connectors: Sequence[ConnectorStatus] = ()
    late: Sequence[LateValue] = ()
    statistical: pl.DataFrame | None = None
    settings: WarningSettings = field(default_factory=WarningSettings)

    @cached_property
    def live(self) -> dict[str, Indicator]:
        return {c: i for c, i in self.indicators.items() if i.live}

    @cached_property
    def series(self) -> dict[tuple[str, str], list[tuple[Window, float | None]]]:
        """Each live indicator × unit's values of the indicator's own period kind, oldest first."""
        out: dict[tuple[str, str], list[tuple[Window, float | None]]] = {}
        rows = self.values.filter(pl.col("indicator").is_in(list(self.live))).sort("period_end")
        kinds_present: dict[str, set[str]] = {}
        for ind, kind in rows.select("indicator", "period_kind").unique().iter_rows():
            kinds_present.setdefault(ind, set()).add(kind)
        for ind, unit, label, kind, value in rows.select(
                "indicator", "unit_code", "period", "period_kind", "value").iter_rows():
            if kind != _series_kind(self.live[ind], kinds_present[ind]):
                continue
            out.setdefault((ind, unit), []).append((period(label), value))
        return out

    def unit_name(self, code: str) -> str:
        if self.units is not None and code in self.units:
            return self.units.get(code).name
        return code

    def responsible_for_value(self, ind: Indicator, unit: str) -> str:
        return ind.owner if unit == self.province else unit


def _series_kind(ind: Indicator, present: set[str]) -> str:
    own = FREQUENCY_KIND[ind.frequency]
    return own if own in present else min(present, key=KINDS.index)


@dataclass
class RuleResult:
    warnings: list[EarlyWarning] = field(default_factory=list)
    checked: set[tuple[str, ...]] = field(default_factory=set)


@dataclass
class Evaluation:
    """The outcome of one run of the rules."""

    warnings: list[EarlyWarning]
    checked: set[tuple[str, ...]]

    def by_key(self) -> dict[str, EarlyWarning]:
        return {w.key: w for w in self.warnings}


def _make(rule: str, severity: str, ind: Indicator, unit: str, responsible: str, period_label: str,
          vi: str, en: str, evidence: dict) -> EarlyWarning:
    return EarlyWarning(rule, severity, ind.code, unit, responsible, period_label, ind.field,
                        f"{ind.name}: {vi}", f"{ind.name_en}: {en}", evidence)


def _round(x: float | None, digits: int = 6) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(x, digits)


# ----------------------------------------------------------------------------- rules

def below_threshold(inputs: WarningInputs) -> RuleResult:
    """The latest value of a series is at risk or off track against its target."""
    out = RuleResult()
    for (code, unit), series in inputs.series.items():
        ind = inputs.live[code]
        w, value = series[-1]
        out.checked.add(subject_of("below_threshold", code, unit, w.label))
        t = inputs.targets.target(code, unit, w.label)
        if value is None or t is None:
            continue
        ratio, status = assess(value, t.value, ind.polarity, ind.thresholds)
        if status not in ("at_risk", "off_track"):
            continue
        who = inputs.unit_name(unit)
        share_vi = f", bằng {format_percent(ratio, 1, 'vi')} chỉ tiêu" if ratio is not None else " so với chỉ tiêu"
        share_en = f", {format_percent(ratio, 1, 'en')} of the target" if ratio is not None else " against the target"
        vi = (f"{who} kỳ {w.label} đạt {format_number(value, 2, 'vi', trim=True)} {ind.unit}{share_vi} "
              f"{format_number(t.value, 2, 'vi', trim=True)} {ind.unit} — {STATUS_LABELS[status][0].lower()}.")
        en = (f"{who} in {w.label} at {format_number(value, 2, 'en', trim=True)} {ind.unit}{share_en} "
              f"{format_number(t.value, 2, 'en', trim=True)} {ind.unit} — {STATUS_LABELS[status][1].lower()}.")
        out.warnings.append(_make(
            "below_threshold", "critical" if status == "off_track" else "warning", ind, unit,
            inputs.responsible_for_value(ind, unit), w.label, vi, en,
            {"value": value, "target": t.value, "target_period": t.source_period,
             "target_method": t.method, "achievement": _round(ratio), "status": status,
             "on_track": ind.thresholds.on_track, "at_risk": ind.thresholds.at_risk}))
    return out


def _increments(series: list[tuple[Window, float | None]]) -> list[tuple[Window, float | None]]:
    """Per-period amounts of a cumulative (year-to-date) series.

    The first period of a year is its own amount; a later one is its value minus the
    previous period's; a gap in the series (or a missing value) gives None.
    """
    out: list[tuple[Window, float | None]] = []
    previous: dict[str, tuple[Window, float | None]] = {}
    for w, v in series:
        before = w.previous()
        if before.label[:4] != w.label[:4]:
            amount = v
        elif before.label in previous and v is not None and previous[before.label][1] is not None:
            amount = v - previous[before.label][1]
        else:
            amount = None
        out.append((w, amount))
        previous[w.label] = (w, v)
    return out


def _comparable(ind: Indicator, series: list[tuple[Window, float | None]]) -> list[tuple[Window, float | None]]:
    """The series a rule compares period with period: per-period amounts for cumulative indicators."""
    return _increments(series) if ind.cumulative else series


def deterioration(inputs: WarningInputs) -> RuleResult:
    """The value got worse (polarity-aware) n periods in a row, up to the latest period."""
    out = RuleResult()
    n = inputs.settings.deterioration_periods
    for (code, unit), raw in inputs.series.items():
        ind = inputs.live[code]
        series = _comparable(ind, raw)
        w_last = series[-1][0]
        out.checked.add(subject_of("deterioration", code, unit, w_last.label))
        run = 0
        for i in range(len(series) - 1, 0, -1):
            (w0, v0), (w1, v1) = series[i - 1], series[i]
            if v0 is None or v1 is None or w1.previous() != w0:
                break
            worse = v1 < v0 if ind.polarity == "higher" else v1 > v0
            if not worse:
                break
            run += 1
        if run < n:
            continue
        first_w, first_v = series[-1 - run]
        last_v = series[-1][1]
        amounts_vi = " (lượng phát sinh từng kỳ)" if ind.cumulative else ""
        amounts_en = " (amounts per period)" if ind.cumulative else ""
        who = inputs.unit_name(unit)
        vi = (f"{who} diễn biến xấu liên tiếp {run} kỳ đến kỳ {w_last.label}{amounts_vi}: "
              f"{format_number(first_v, 2, 'vi', trim=True)} → {format_number(last_v, 2, 'vi', trim=True)} {ind.unit}.")
        en = (f"{who} worsened {run} periods in a row up to {w_last.label}{amounts_en}: "
              f"{format_number(first_v, 2, 'en', trim=True)} → {format_number(last_v, 2, 'en', trim=True)} {ind.unit}.")
        out.warnings.append(_make(
            "deterioration", "critical" if run >= 2 * n else "warning", ind, unit,
            inputs.responsible_for_value(ind, unit), w_last.label, vi, en,
            {"periods": run, "required": n, "from_period": first_w.label, "from_value": first_v,
             "to_value": last_v, "values": [v for _, v in series[-1 - run:]],
             "cumulative_amounts": ind.cumulative}))
    return out


def outlier(inputs: WarningInputs) -> RuleResult:
    """The latest value lies outside mean ± k·sd of the series' earlier values."""
    out = RuleResult()
    s = inputs.settings
    for (code, unit), raw in inputs.series.items():
        ind = inputs.live[code]
        series = _comparable(ind, raw)
        w, value = series[-1]
        out.checked.add(subject_of("outlier", code, unit, w.label))
        history = [v for _, v in series[:-1] if v is not None][-s.outlier_history:]
        if value is None or len(history) < s.outlier_min_history:
            continue
        mean, sd = statistics.fmean(history), statistics.stdev(history)
        if sd == 0:
            if value == mean:
                continue
            z = math.inf
        else:
            z = (value - mean) / sd
        if abs(z) <= s.outlier_k:
            continue
        zt_vi = "∞" if math.isinf(z) else format_number(z, 2, "vi", trim=True)
        zt_en = "∞" if math.isinf(z) else format_number(z, 2, "en", trim=True)
        who = inputs.unit_name(unit)
        vi = (f"giá trị kỳ {w.label} của {who} ({format_number(value, 2, 'vi', trim=True)} {ind.unit}) bất thường so với "
              f"{len(history)} kỳ trước (trung bình {format_number(mean, 2, 'vi', trim=True)}, độ lệch chuẩn "
              f"{format_number(sd, 2, 'vi', trim=True)}, z = {zt_vi}).")
        en = (f"the {w.label} value of {who} ({format_number(value, 2, 'en', trim=True)} {ind.unit}) is unusual against "
              f"the {len(history)} earlier periods (mean {format_number(mean, 2, 'en', trim=True)}, standard deviation "
              f"{format_number(sd, 2, 'en', trim=True)}, z = {zt_en}).")
        out.warnings.append(_make(
            "outlier", "critical" if abs(z) > 2 * s.outlier_k else "warning", ind, unit, ind.owner,
            w.label, vi, en,
            {"value": value, "mean": _round(mean), "sd": _round(sd), "z": _round(z), "k": s.outlier_k,
             "history": len(history), "cumulative_amounts": ind.cumulative}))
    return out


def expected_units(inputs: WarningInputs, ind: Indicator) -> list[str]:
    """The units an indicator's values are expected for, by its levels, in the province."""
    codes: list[str] = []
    for level in ind.levels:
        if level == "province":
            codes.append(inputs.province)
        elif inputs.units is not None:
            codes.extend(u.code for u in inputs.units.units(province=inputs.province, level=level))
    return codes


def _due_periods(inputs: WarningInputs, ind: Indicator) -> list[Window]:
    """The indicator's last ``lookback_periods`` periods whose reporting deadline has passed."""
    kind = FREQUENCY_KIND[ind.frequency]
    out: list[Window] = []
    for w in periods_back(kind, inputs.today):
        if len(out) >= inputs.settings.lookback_periods:
            break
        if ind.valid_from is not None and w.end < ind.valid_from:
            break
        if w.end + dt.timedelta(days=ind.deadline_days) < inputs.today:
            out.append(w)
    return out


def missing_data(inputs: WarningInputs) -> RuleResult:
    """An expected unit × period of a collected indicator has no value after the deadline."""
    out = RuleResult()
    present = set(inputs.values.filter(pl.col("value").is_not_null())
                  .select("indicator", "unit_code", "period").iter_rows())
    for code, ind in inputs.live.items():
        if not ind.collected:
            continue
        units = expected_units(inputs, ind)
        for w in _due_periods(inputs, ind):
            deadline = w.end + dt.timedelta(days=ind.deadline_days)
            overdue = (inputs.today - deadline).days
            for unit in units:
                out.checked.add(subject_of("missing_data", code, unit, w.label))
                if (code, unit, w.label) in present:
                    continue
                who = inputs.unit_name(unit)
                vi = (f"chưa có số liệu kỳ {w.label} của {who}; hạn báo cáo "
                      f"{deadline.strftime('%d/%m/%Y')} đã quá {overdue} ngày.")
                en = (f"no value for {w.label} from {who}; the deadline "
                      f"{deadline.isoformat()} passed {overdue} days ago.")
                out.warnings.append(_make(
                    "missing_data", "critical" if overdue > w.days else "warning", ind, unit,
                    ind.owner, w.label, vi, en,
                    {"deadline": deadline.isoformat(), "days_overdue": overdue,
                     "deadline_days": ind.deadline_days, "period_days": w.days}))
    return out


def late_data(inputs: WarningInputs) -> RuleResult:
    """A value of a recent period was accepted after its deadline (information)."""
    out = RuleResult()
    recent = {code: {w.label for w in _due_periods(inputs, ind)} for code, ind in inputs.live.items()}
    for late in inputs.late:
        ind = inputs.live.get(late.indicator)
        if ind is None or late.period not in recent[late.indicator]:
            continue
        days_vi = f" ({late.days_late} ngày sau hạn)" if late.days_late is not None else ""
        days_en = f" ({late.days_late} days after the deadline)" if late.days_late is not None else ""
        who = inputs.unit_name(late.unit)
        w = _make("late_data", "info", ind, late.unit, ind.owner, late.period,
                  f"số liệu kỳ {late.period} của {who} được gửi muộn{days_vi}.",
                  f"the {late.period} value of {who} was submitted late{days_en}.",
                  {"days_late": late.days_late})
        out.warnings.append(w)
        out.checked.add(w.subject)
    return out


def stale_source(inputs: WarningInputs) -> RuleResult:
    """A connector feeding a live indicator is stale (its data is overdue)."""
    out = RuleResult()
    stale: dict[tuple[str, str], list[ConnectorStatus]] = {}
    for c in inputs.connectors:
        for code in c.indicators:
            if code in inputs.live:
                out.checked.add(subject_of("stale_source", code, c.owner, ""))
                if c.stale:
                    stale.setdefault((code, c.owner), []).append(c)
    for (code, owner), connectors in sorted(stale.items()):
        ind = inputs.live[code]
        failed = [c for c in connectors if c.last_error]
        names = ", ".join(c.name for c in connectors)
        last = max((c.last_success for c in connectors if c.last_success), default=None)
        last_vi = last.strftime("%d/%m/%Y %H:%M") + " UTC" if last else "chưa từng"
        last_en = last.strftime("%Y-%m-%d %H:%M") + " UTC" if last else "never"
        err = "; ".join(c.last_error for c in failed)
        vi = (f"nguồn dữ liệu {names} không cập nhật (lần thành công gần nhất: {last_vi}"
              + (f"; lỗi: {err}" if err else "") + ").")
        en = (f"source {names} is stale (last success: {last_en}" + (f"; error: {err}" if err else "") + ").")
        out.warnings.append(_make(
            "stale_source", "critical" if failed else "warning", ind, owner, owner, "", vi, en,
            {"connectors": [c.name for c in connectors],
             "last_success": last.isoformat() if last else None,
             "last_errors": [c.last_error for c in failed]}))
    return out


def counterpart_disagreement(inputs: WarningInputs) -> RuleResult:
    """The latest DM value differs from its statistical counterpart beyond the tolerance.

    The counterpart is the figure of the indicator's ``statistical_code`` (Decision
    05/2023/QĐ-TTg) for the same unit and period, from the statistical values table;
    the difference is relative to the statistical figure.
    """
    out = RuleResult()
    stat = inputs.statistical
    if stat is None or stat.is_empty():
        return out
    figures = {(c, u, p): v for c, u, p, v in stat.select("statistical_code", "unit_code", "period",
                                                          "value").iter_rows() if v is not None}
    for (code, unit), series in inputs.series.items():
        ind = inputs.live[code]
        if not ind.statistical_code:
            continue
        common = [(w, v) for w, v in series
                  if v is not None and (ind.statistical_code, unit, w.label) in figures]
        if not common:
            continue
        w, value = common[-1]
        out.checked.add(subject_of("counterpart_disagreement", code, unit, w.label))
        reference = figures[(ind.statistical_code, unit, w.label)]
        if reference == 0:
            diff = 0.0 if value == 0 else math.inf
        else:
            diff = abs(value - reference) / abs(reference)
        tol = ind.counterpart_tolerance
        if diff <= tol + 1e-12:
            continue
        who = inputs.unit_name(unit)
        vi = (f"số liệu kỳ {w.label} của {who} ({format_number(value, 2, 'vi', trim=True)} {ind.unit}) lệch "
              f"{format_percent(diff, 1, 'vi')} so với số liệu thống kê {ind.statistical_code} "
              f"({format_number(reference, 2, 'vi', trim=True)}), vượt ngưỡng {format_percent(tol, 1, 'vi')}.")
        en = (f"the {w.label} value of {who} ({format_number(value, 2, 'en', trim=True)} {ind.unit}) differs by "
              f"{format_percent(diff, 1, 'en')} from the statistical figure {ind.statistical_code} "
              f"({format_number(reference, 2, 'en', trim=True)}), beyond the {format_percent(tol, 1, 'en')} tolerance.")
        out.warnings.append(_make(
            "counterpart_disagreement", "critical" if diff > 2 * tol else "warning", ind, unit,
            ind.owner, w.label, vi, en,
            {"value": value, "statistical_code": ind.statistical_code, "statistical_value": reference,
             "difference": _round(diff), "tolerance": tol}))
    return out


Rule = Callable[[WarningInputs], RuleResult]
#: The rules, in the order their warnings are listed.
RULES: tuple[Rule, ...] = (below_threshold, deterioration, outlier, missing_data, late_data,
                           stale_source, counterpart_disagreement)


def evaluate_warnings(inputs: WarningInputs, rules: Sequence[Rule] = RULES) -> Evaluation:
    """Run every rule; one warning per key (the most severe if two rules agree on one)."""
    found: dict[str, EarlyWarning] = {}
    checked: set[tuple[str, ...]] = set()
    for rule in rules:
        result = rule(inputs)
        checked |= result.checked
        for w in result.warnings:
            old = found.get(w.key)
            if old is None or SEVERITIES.index(w.severity) > SEVERITIES.index(old.severity):
                found[w.key] = w
    ordered = sorted(found.values(), key=lambda w: (-SEVERITIES.index(w.severity), w.rule,
                                                    w.indicator, w.unit, w.period))
    return Evaluation(ordered, checked)
