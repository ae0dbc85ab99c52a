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
  the whole key — for missing data the agency's (or a unit's) period, whatever the
  indicator. Late data of periods outside the look-back is left as it is; missing data is
  only expected in the reporting window, so the rule also reports ``("missing_data",)``:
  a missing-data warning it did not produce again, whatever its period, no longer applies.

Severity (info < warning < critical) and the unit responsible, per rule (every number is
a field of ``WarningSettings``: data, not code):

=========================  ==========================================  =====================
rule                       severity                                    responsible
=========================  ==========================================  =====================
below_threshold            at_risk → info, off_track → warning; one    the value's unit *
                           step worse once it lasted 3 periods
deterioration              n worse periods in a row → warning; 2n →    the value's unit *
                           critical
outlier                    |z| > k → warning; |z| > 2k → critical      owner agency
missing_data               one per agency × period: warning; critical  owner agency
                           when overdue by more than a period's length
                           with half its expected values missing
late_data                  info                                        owner agency
stale_source               warning; critical when the last run failed  connector's owner
stale_records_source       warning; critical when the last run failed  connector's owner
counterpart_disagreement   > tolerance → warning; > 2 × → critical     owner agency
=========================  ==========================================  =====================

A records connector (``target: records``) feeds no indicator but the record store the
Decision 766 index is computed from: ``stale_records_source`` is about a *record kind of the
index* (``INDEX_766.dossiers``: ``records_subject``) for the connector's owner, in the
warning's ``indicator`` column — a subject code no indicator code can take (indicator codes
are upper case). The rule checks every records connector of the province at once and says
so with ``("stale_records_source",)``: a warning it does not produce again (the connector
caught up, was removed or no longer brings records) is resolved.

\\* a commune's or department's value: that unit; the province's value: the owner agency.
Performance is the unit's to act on; data (missing, late, stale, odd, disagreeing) is the
owner's, who alone may submit it ("one data – one source – one owner"). Where three or
more units of one level show the same condition, one warning for the province, to the
owner agency, lists them (``group_units``). Messages say periods as people do and a value
against its target in the words of its polarity (``against_target``).
"""
from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from chiso.catalog.indicator import Indicator
from chiso.catalog.records import RECORD_KINDS
from chiso.evaluate.dm.status import STATUS_LABELS, assess
from chiso.evaluate.dm.targets import TargetBook
from chiso.periods.reporting import FREQUENCY_KIND, KINDS, period, periods_back
from chiso.periods.spoken import day_text, spoken_period
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
    "stale_records_source": ("Nguồn hồ sơ của Chỉ số 766 không cập nhật", "Stale records source (766 index)"),
    "counterpart_disagreement": ("Lệch số liệu thống kê", "Disagrees with statistics"),
}
#: Which subjects a rule speaks for (see the module docstring).
RULE_SCOPE: dict[str, str] = {
    "below_threshold": "series", "deterioration": "series", "outlier": "series",
    "missing_data": "period", "late_data": "period", "stale_source": "series",
    "stale_records_source": "series", "counterpart_disagreement": "series",
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
    group: str = ""           # a grouped warning: "agency" (missing data) or the level of its units

    @property
    def key(self) -> str:
        return warning_key(self.rule, self.indicator, self.unit, self.period, self.group)

    @property
    def subject(self) -> tuple[str, ...]:
        return subject_of(self.rule, self.indicator, self.unit, self.period)

    def as_dict(self) -> dict:
        return {"key": self.key, "rule": self.rule, "severity": self.severity,
                "indicator": self.indicator, "unit": self.unit, "responsible": self.responsible,
                "period": self.period, "field": self.field, "message_vi": self.message_vi,
                "message_en": self.message_en, "evidence": self.evidence}


def warning_key(rule: str, indicator: str, unit: str, period: str, group: str = "") -> str:
    """The identity of a condition: the same condition, the same key.

    A missing-data warning stands for an agency's whole period, whichever indicators are
    missing (``missing_data|*|agency|period``); a warning grouping the units of one level
    carries the level at the end (``below_threshold|HC.X|24|2026-11|commune``).
    """
    if group == AGENCY:
        return f"{rule}|*|{unit}|{period}"
    return f"{rule}|{indicator}|{unit}|{period}" + (f"|{group}" if group else "")


def subject_of(rule: str, indicator: str, unit: str, period: str) -> tuple[str, ...]:
    """What a rule checks at once: a series (indicator × unit), one period of it, or (missing
    data) one agency's or unit's period, whatever the indicator."""
    if rule == "missing_data":
        return (rule, unit, period)
    if RULE_SCOPE.get(rule) == "period":
        return (rule, indicator, unit, period)
    return (rule, indicator, unit)


#: The group of a missing-data warning: one agency's period.
AGENCY = "agency"


@dataclass(frozen=True)
class ConnectorStatus:
    """A source connector as the collection side reports it.

    ``last_error``: the error of the last run when it failed (None when it succeeded). A
    records connector (``target`` "records") also says which record kind it brings, its
    source system, when its cursor last moved (``data_at``: the newest data received) and
    after how long without a move it is stale (``stale_after``)."""

    name: str
    owner: str
    indicators: tuple[str, ...]
    stale: bool
    last_success: dt.datetime | None = None
    last_error: str | None = None
    target: str = "values"
    record_kind: str | None = None
    source: str | None = None
    data_at: dt.datetime | None = None
    stale_after: dt.timedelta | None = None


@dataclass(frozen=True)
class LateValue:
    """A value accepted after its deadline (flagged by collection)."""

    indicator: str
    unit: str
    period: str
    days_late: int | None = None


def _missing_window() -> dict[str, int]:
    # the current reporting window: how many of the latest due periods of each kind are
    # checked for missing data (a weekly indicator's last two weeks, not last year's weeks)
    return {"day": 7, "week": 2, "month": 2, "quarter": 1, "year": 1}


def _below_severity() -> dict[str, tuple[str, str]]:
    # status → (severity when new, severity once it has lasted ``persistent_periods``)
    return {"at_risk": ("info", "warning"), "off_track": ("warning", "critical")}


@dataclass(frozen=True)
class WarningSettings:
    """The rules' parameters: data, not code (docs/evaluation.md, "Early warnings")."""

    deterioration_periods: int = 3     # n worse periods in a row
    outlier_k: float = 3.0             # mean ± k·sd
    outlier_min_history: int = 6       # earlier values needed before judging
    outlier_history: int = 24          # earlier values looked at, at most
    lookback_periods: int = 3          # periods checked for late data, and at most for missing data
    #: periods of each kind checked for missing data (the latest due ones)
    missing_window: Mapping[str, int] = field(default_factory=_missing_window)
    #: a missing-data warning is critical when overdue by more than this many period lengths
    #: and at least this share of the agency's expected values of the period is missing
    missing_critical_periods: float = 1.0
    missing_critical_share: float = 0.5
    #: below threshold: severity by status, new or lasting (this many periods in a row)
    below_severity: Mapping[str, tuple[str, str]] = field(default_factory=_below_severity)
    persistent_periods: int = 3
    #: this many units of one level with the same condition (indicator, period) make one
    #: warning for the province, to the owner agency, listing the units
    group_units_from: int = 3


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
    #: the day each indicator went live (the catalogue store's dates); missing data is not
    #: expected for periods that ended before it
    live_since: Mapping[str, dt.date] = field(default_factory=dict)
    #: the service index computed from the records (its definition's code and names): the
    #: subject of a stale records source
    index_code: str = "INDEX_766"
    index_name: tuple[str, str] = ("Chỉ số chất lượng phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
                                   "Service-quality index for citizens and businesses (Decision 766/QD-TTg)")
    #: the zone times are said in (``CHISO_TIMEZONE``, Asia/Ho_Chi_Minh); None: UTC
    zone: dt.tzinfo | None = None

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

    def unit_name(self, code: str, lang: str = "vi") -> str:
        """A unit's name: its official Vietnamese name, or its English one (where it has one) for ``en``."""
        if self.units is not None and code in self.units:
            u = self.units.get(code)
            return u.name_en if lang == "en" and u.name_en else u.name
        return code

    def responsible_for_value(self, ind: Indicator, unit: str) -> str:
        return ind.owner if unit == self.province else unit

    def level_of(self, code: str) -> str:
        if code == self.province:
            return "province"
        if self.units is not None and code in self.units:
            return self.units.get(code).level
        return ""


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
          vi: str, en: str, evidence: dict, group: str = "") -> EarlyWarning:
    return EarlyWarning(rule, severity, ind.code, unit, responsible, period_label, ind.field,
                        f"{ind.name}: {vi}", f"{ind.name_en}: {en}", evidence, group)


def said(label: str, lang: str) -> str:
    """A period inside a sentence, as people say it: ``tháng 11/2026``, ``tuần 48/2026``, ``năm 2025``."""
    return spoken_period(label, lang, capital=False)


def num(x: float, lang: str, digits: int = 2) -> str:
    return format_number(x, digits, lang, trim=True)


#: Units of measure of the sample catalogue in English (the catalogue writes them in Vietnamese).
UNITS_EN: dict[str, str] = {
    "bác sĩ/vạn dân": "doctors per 10,000 people", "chỉ số": "index points", "căn": "dwellings",
    "cụm": "clusters", "doanh nghiệp": "businesses", "dự án": "projects", "giấy phép": "permits",
    "hoạt động": "activities", "hồ sơ": "dossiers", "hộ": "households", "kiến nghị": "petitions",
    "lượt": "times", "lượt doanh nghiệp": "business visits", "lượt khách": "visitors", "lần": "times",
    "người": "people", "nhiệm vụ": "tasks", "sản phẩm": "products", "thủ tục": "procedures",
    "triệu USD": "million USD", "triệu kWh": "million kWh", "triệu đồng/người": "million VND per person",
    "tỷ đồng": "billion VND", "văn bản": "documents", "điểm": "points",
}


def unit_words(unit: str, lang: str) -> str:
    """An indicator's unit of measure in the language (English where known)."""
    return UNITS_EN.get(unit, unit) if lang == "en" else unit


def _amount(x: float, unit: str, lang: str) -> str:
    if unit == "%":
        return f"{num(x, lang)}%"
    return f"{num(x, lang)} {unit_words(unit, lang)}".rstrip()


def against_target(value: float, target: float, ratio: float | None, polarity: str, unit: str,
                   lang: str) -> str:
    """How a value stands against its target, in the words of the indicator's polarity.

    More is better: "đạt 91 %, bằng 95,8% chỉ tiêu 95 %". Less is better (a ceiling):
    "104 hồ sơ, gấp 2,1 lần chỉ tiêu 50 hồ sơ" or "45 hồ sơ, vượt 12,5% so với chỉ tiêu
    40 hồ sơ" — never "bằng 48,1% chỉ tiêu", which reads as half a target met.
    """
    v, t = _amount(value, unit, lang), _amount(target, unit, lang)
    if polarity == "lower":
        if target > 0 and value > target:
            times = value / target
            if times >= 2:
                return (f"{v}, gấp {num(times, lang, 1)} lần chỉ tiêu {t}" if lang == "vi"
                        else f"{v}, {num(times, lang, 1)} times the target of {t}")
            over = format_percent(times - 1, 1, lang, trim=True)
            return (f"{v}, vượt {over} so với chỉ tiêu {t}" if lang == "vi"
                    else f"{v}, {over} over the target of {t}")
        return f"{v}, chỉ tiêu {t}" if lang == "vi" else f"{v}, target {t}"
    if ratio is not None and target > 0:
        share = format_percent(ratio, 1, lang)
        return (f"đạt {v}, bằng {share} chỉ tiêu {t}" if lang == "vi"
                else f"{v}, {share} of the target of {t}")
    return f"đạt {v}, chỉ tiêu {t}" if lang == "vi" else f"{v} against a target of {t}"


LEVEL_WORDS: dict[str, tuple[str, str]] = {"commune": ("xã, phường", "communes"),
                                           "department": ("sở, ngành", "departments")}


def _round(x: float | None, digits: int = 6) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(x, digits)


# ----------------------------------------------------------------------------- rules

def _below(inputs: WarningInputs, ind: Indicator, unit: str, w: Window,
           value: float | None) -> tuple[float | None, str | None]:
    t = inputs.targets.target(ind.code, unit, w.label)
    if value is None or t is None:
        return None, None
    return assess(value, t.value, ind.polarity, ind.thresholds)


def below_threshold(inputs: WarningInputs) -> RuleResult:
    """The latest value of a series is at risk or off track against its target.

    Severity from the size of the miss (at risk or off track) and its age: a miss that has
    lasted ``persistent_periods`` periods in a row is one step worse (``below_severity``).
    """
    out = RuleResult()
    s = inputs.settings
    for (code, unit), series in inputs.series.items():
        ind = inputs.live[code]
        w, value = series[-1]
        out.checked.add(subject_of("below_threshold", code, unit, w.label))
        t = inputs.targets.target(code, unit, w.label)
        if value is None or t is None:
            continue
        ratio, status = assess(value, t.value, ind.polarity, ind.thresholds)
        if status not in s.below_severity:
            continue
        lasted = 1
        for (w0, v0), (w1, _) in zip(reversed(series[:-1]), reversed(series[1:]), strict=False):
            if lasted >= s.persistent_periods or w1.previous() != w0:
                break
            if _below(inputs, ind, unit, w0, v0)[1] not in s.below_severity:
                break
            lasted += 1
        severity = s.below_severity[status][1 if lasted >= s.persistent_periods else 0]
        who = inputs.unit_name(unit)
        since_vi = f" ({lasted} kỳ liên tiếp)" if lasted > 1 else ""
        since_en = f" ({lasted} periods in a row)" if lasted > 1 else ""
        vi = (f"{who}, {said(w.label, 'vi')}: {against_target(value, t.value, ratio, ind.polarity, ind.unit, 'vi')}"
              f" — {STATUS_LABELS[status][0].lower()}{since_vi}.")
        en = (f"{inputs.unit_name(unit, 'en')}, {said(w.label, 'en')}: "
              f"{against_target(value, t.value, ratio, ind.polarity, ind.unit, 'en')} — "
              f"{STATUS_LABELS[status][1].lower()}{since_en}.")
        out.warnings.append(_make(
            "below_threshold", severity, ind, unit,
            inputs.responsible_for_value(ind, unit), w.label, vi, en,
            {"value": value, "target": t.value, "target_period": t.source_period,
             "target_method": t.method, "achievement": _round(ratio), "status": status,
             "polarity": ind.polarity, "periods": lasted,
             "on_track": ind.thresholds.on_track, "at_risk": ind.thresholds.at_risk}))
    out.warnings = group_units(inputs, out.warnings)
    return out


def _median_severity(found: Sequence[EarlyWarning]) -> str:
    ranks = sorted(SEVERITIES.index(w.severity) for w in found)
    return SEVERITIES[ranks[len(ranks) // 2]]


def group_units(inputs: WarningInputs, found: list[EarlyWarning]) -> list[EarlyWarning]:
    """Where ``group_units_from`` or more units of one level (communes, departments) show the
    same condition — indicator, period — one warning for the province replaces theirs: it is
    a province-wide matter for the owner agency (a target out of reach, a common cause), and
    the units are listed in its evidence, worst first. Its severity is the median of theirs."""
    s = inputs.settings
    buckets: dict[tuple[str, str, str, str], list[EarlyWarning]] = {}
    for w in found:
        level = inputs.level_of(w.unit)
        if level in LEVEL_WORDS:
            buckets.setdefault((w.rule, w.indicator, w.period, level), []).append(w)
    out = [w for w in found if inputs.level_of(w.unit) not in LEVEL_WORDS]
    for (rule, code, label, level), ws in buckets.items():
        if len(ws) < s.group_units_from:
            out.extend(ws)
            continue
        ind = inputs.live[code]
        ws = sorted(ws, key=lambda w: (-SEVERITIES.index(w.severity), w.evidence.get("achievement") or 0, w.unit))
        expected = len(expected_units(inputs, ind, level))
        by_sev = Counter(w.severity for w in ws)
        words_vi, words_en = LEVEL_WORDS[level]
        what_vi, what_en = GROUP_PHRASES.get(rule, RULE_NAMES[rule])
        worst = ", ".join(inputs.unit_name(w.unit) for w in ws[:3])
        worst_en = ", ".join(inputs.unit_name(w.unit, "en") for w in ws[:3])
        of_vi = f"{len(ws)}/{expected}" if expected else str(len(ws))
        of_en = f"{len(ws)} of {expected}" if expected else str(len(ws))
        sev_vi = ", ".join(f"{by_sev[k]} {SEVERITY_WORDS[k][0]}" for k in reversed(SEVERITIES) if by_sev[k])
        sev_en = ", ".join(f"{by_sev[k]} {SEVERITY_WORDS[k][1]}" for k in reversed(SEVERITIES) if by_sev[k])
        vi = f"{of_vi} {words_vi} {what_vi} {said(label, 'vi')} ({sev_vi}); nặng nhất: {worst}."
        en = f"{of_en} {words_en} {what_en} in {said(label, 'en')} ({sev_en}); worst: {worst_en}."
        out.append(_make(rule, _median_severity(ws), ind, inputs.province, ind.owner, label, vi, en,
                         {"group_level": level, "units_in_group": len(ws), "units_expected": expected,
                          **{f"units_{k}": by_sev[k] for k in reversed(SEVERITIES) if by_sev[k]},
                          "members": [{"unit": w.unit, "unit_name": inputs.unit_name(w.unit),
                                       **{k: w.evidence.get(k) for k in MEMBER_EVIDENCE if k in w.evidence}}
                                      for w in ws]},
                         group=level))
    return out


#: What the units of a grouped warning have in common, as a sentence says it.
GROUP_PHRASES: dict[str, tuple[str, str]] = {
    "below_threshold": ("dưới ngưỡng chỉ tiêu", "below the target threshold"),
    "deterioration": ("diễn biến xấu liên tiếp", "worsening period after period"),
    "outlier": ("có giá trị bất thường", "with unusual values"),
}
#: The figures of each unit a grouped warning lists.
MEMBER_EVIDENCE = ("value", "target", "achievement", "status", "z")
SEVERITY_WORDS: dict[str, tuple[str, str]] = {"critical": ("nghiêm trọng", "critical"),
                                              "warning": ("cảnh báo", "warning"), "info": ("lưu ý", "notice")}


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
        way_vi = "giảm" if ind.polarity == "higher" else "tăng, chỉ số càng thấp càng tốt"
        way_en = "falling" if ind.polarity == "higher" else "rising, where lower is better"
        who = inputs.unit_name(unit)
        vi = (f"{who} diễn biến xấu liên tiếp {run} kỳ ({way_vi}) đến {said(w_last.label, 'vi')}{amounts_vi}: "
              f"{_amount(first_v, ind.unit, 'vi')} → {_amount(last_v, ind.unit, 'vi')}.")
        en = (f"{inputs.unit_name(unit, 'en')} worsened {run} periods in a row ({way_en}) up to {said(w_last.label, 'en')}{amounts_en}: "
              f"{_amount(first_v, ind.unit, 'en')} → {_amount(last_v, ind.unit, 'en')}.")
        out.warnings.append(_make(
            "deterioration", "critical" if run >= 2 * n else "warning", ind, unit,
            inputs.responsible_for_value(ind, unit), w_last.label, vi, en,
            {"periods": run, "required": n, "from_period": first_w.label, "from_value": first_v,
             "to_value": last_v, "values": [v for _, v in series[-1 - run:]],
             "cumulative_amounts": ind.cumulative}))
    out.warnings = group_units(inputs, out.warnings)
    return out


def outlier(inputs: WarningInputs) -> RuleResult:
    """The latest value lies outside mean ± k·sd of the series' earlier values; for a count (summed
    over units) sd is at least √mean (at least 1), the spread chance alone gives a count."""
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
        if ind.aggregation.units == "sum":
            # a count (tasks, dossiers, projects): chance alone moves it by about √mean (Poisson),
            # so a few tasks more or less in a unit that has a handful is not unusual
            sd = max(sd, math.sqrt(max(mean, 1.0)))
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
        vi = (f"giá trị {said(w.label, 'vi')} của {who} ({_amount(value, ind.unit, 'vi')}) bất thường so với "
              f"{len(history)} kỳ trước (trung bình {format_number(mean, 2, 'vi', trim=True)}, độ lệch chuẩn "
              f"{format_number(sd, 2, 'vi', trim=True)}, z = {zt_vi}).")
        en = (f"the {said(w.label, 'en')} value of {inputs.unit_name(unit, 'en')} ({_amount(value, ind.unit, 'en')}) "
              "is unusual against "
              f"the {len(history)} earlier periods (mean {format_number(mean, 2, 'en', trim=True)}, standard deviation "
              f"{format_number(sd, 2, 'en', trim=True)}, z = {zt_en}).")
        out.warnings.append(_make(
            "outlier", "critical" if abs(z) > 2 * s.outlier_k else "warning", ind, unit, ind.owner,
            w.label, vi, en,
            {"value": value, "mean": _round(mean), "sd": _round(sd), "z": _round(z), "k": s.outlier_k,
             "history": len(history), "cumulative_amounts": ind.cumulative}))
    out.warnings = group_units(inputs, out.warnings)
    return out


def expected_units(inputs: WarningInputs, ind: Indicator, level: str | None = None) -> list[str]:
    """The units an indicator's values are expected for, by its levels (or one of them), in the province."""
    codes: list[str] = []
    for lv in ind.levels:
        if level is not None and lv != level:
            continue
        if lv == "province":
            codes.append(inputs.province)
        elif inputs.units is not None:
            codes.extend(u.code for u in inputs.units.units(province=inputs.province, level=lv))
    return codes


def expected_from(inputs: WarningInputs, ind: Indicator) -> dt.date | None:
    """The first day values are expected: the later of the version's ``valid_from`` and the
    day the indicator went live (``live_since``, from the catalogue store)."""
    days = [d for d in (ind.valid_from, inputs.live_since.get(ind.code)) if d is not None]
    return max(days) if days else None


def _due_periods(inputs: WarningInputs, ind: Indicator, window: int | None = None) -> list[Window]:
    """The indicator's latest ``window`` periods (``lookback_periods`` by default) whose
    reporting deadline has passed and that ended after it went live, newest first."""
    kind = FREQUENCY_KIND[ind.frequency]
    window = inputs.settings.lookback_periods if window is None else window
    since = expected_from(inputs, ind)
    out: list[Window] = []
    for w in periods_back(kind, inputs.today):
        if len(out) >= window:
            break
        if since is not None and w.end < since:
            break
        if w.end + dt.timedelta(days=ind.deadline_days) < inputs.today:
            out.append(w)
    return out


def missing_window(inputs: WarningInputs, ind: Indicator) -> int:
    """How many of the latest due periods are checked for missing data: the kind's reporting
    window (``missing_window``), never more than ``lookback_periods``."""
    kind = FREQUENCY_KIND[ind.frequency]
    return min(inputs.settings.missing_window.get(kind, 1), inputs.settings.lookback_periods)


def missing_data(inputs: WarningInputs) -> RuleResult:
    """Expected values of collected indicators not in after their deadline: one warning per
    owner agency and period, listing every indicator × unit missing in its evidence.

    Expected: the indicator's units (its levels in the province) for its latest due periods
    (``missing_window`` by period kind), not before it went live. Severity: warning;
    critical when overdue by more than ``missing_critical_periods`` period lengths and at
    least ``missing_critical_share`` of the agency's expected values of the period missing.
    """
    out = RuleResult()
    s = inputs.settings
    present = set(inputs.values.filter(pl.col("value").is_not_null())
                  .select("indicator", "unit_code", "period").iter_rows())
    cells: dict[tuple[str, str], list[tuple[Indicator, str, dt.date]]] = {}
    expected: Counter = Counter()
    labels: dict[str, Window] = {}
    for code, ind in sorted(inputs.live.items()):
        if not ind.collected:
            continue
        units = expected_units(inputs, ind)
        for w in _due_periods(inputs, ind, missing_window(inputs, ind)):
            labels[w.label] = w
            deadline = w.end + dt.timedelta(days=ind.deadline_days)
            out.checked.add(subject_of("missing_data", code, ind.owner, w.label))
            expected[(ind.owner, w.label)] += len(units)
            for unit in units:
                # the units' own subjects too: a warning of the earlier, one-per-unit form closes
                out.checked.add(subject_of("missing_data", code, unit, w.label))
                if (code, unit, w.label) not in present:
                    cells.setdefault((ind.owner, w.label), []).append((ind, unit, deadline))
    # the rule speaks for every missing-data warning: one of a period that left the reporting
    # window no longer applies (older gaps are the completeness board's, not an early warning)
    out.checked.add(("missing_data",))
    for (owner, label), missing in sorted(cells.items()):
        w = labels[label]
        first = min(d for _, _, d in missing)
        overdue = (inputs.today - first).days
        share = len(missing) / expected[(owner, label)]
        critical = overdue > s.missing_critical_periods * w.days and share >= s.missing_critical_share - 1e-12
        codes = sorted({ind.code for ind, _, _ in missing})
        by_code: dict[str, list[str]] = {}
        for ind, unit, _ in missing:
            by_code.setdefault(ind.code, []).append(unit)
        ind0 = inputs.live[codes[0]]
        agency, agency_en = inputs.unit_name(owner), inputs.unit_name(owner, "en")
        period_vi, period_en = said(label, "vi"), said(label, "en")
        late_vi = f"hạn báo cáo {first.strftime('%d/%m/%Y')} đã quá {num(overdue, 'vi', 0)} ngày"
        late_en = f"the deadline {day_text(first, 'en')} passed {num(overdue, 'en', 0)} days ago"
        if len(codes) == 1:
            units = by_code[codes[0]]
            whose_vi = inputs.unit_name(units[0]) if len(units) == 1 else f"{len(units)} đơn vị"
            whose_en = inputs.unit_name(units[0], "en") if len(units) == 1 else f"{len(units)} units"
            vi = f"{agency}: chưa có số liệu {period_vi} của {whose_vi} cho chỉ số {ind0.name}; {late_vi}."
            en = f"{agency_en}: no {period_en} value from {whose_en} for {ind0.name_en}; {late_en}."
        else:
            names_vi = "; ".join(inputs.live[c].name for c in codes[:3]) + ("; …" if len(codes) > 3 else "")
            names_en = "; ".join(inputs.live[c].name_en for c in codes[:3]) + ("; …" if len(codes) > 3 else "")
            vi = f"{agency}: {len(codes)} chỉ số chưa có số liệu {period_vi} ({names_vi}); {late_vi}."
            en = f"{agency_en}: {len(codes)} indicators without {period_en} values ({names_en}); {late_en}."
        fields = Counter(inputs.live[c].field for c in codes)
        out.warnings.append(EarlyWarning(
            "missing_data", "critical" if critical else "warning", ind0.code, owner, owner, label,
            fields.most_common(1)[0][0], vi, en,
            {"deadline": first.isoformat(), "days_overdue": overdue, "period_days": w.days,
             "indicators": [{"indicator": c, "missing_units": sorted(by_code[c])} for c in codes],
             "values_missing": len(missing), "values_expected": expected[(owner, label)],
             "share_missing": _round(share)},
            AGENCY))
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
                  f"số liệu {said(late.period, 'vi')} của {who} được gửi muộn{days_vi}.",
                  f"the {said(late.period, 'en')} value of {inputs.unit_name(late.unit, 'en')} was submitted "
                  f"late{days_en}.",
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


#: The record kinds in English (``chiso.catalog.records`` names them in Vietnamese).
RECORD_KINDS_EN: dict[str, str] = {
    "dossiers": "administrative-procedure dossiers", "petitions": "petitions",
    "procedures": "the procedure catalogue", "publications": "procedure publications",
}
#: The field a stale records source is listed under: the index is public administration's.
RECORDS_FIELD = "ADMINISTRATION"
#: The subject of a stale or failing portal connector (``target: portal``): not a record kind but
#: the figures the national portal publishes, which the reconciliation page compares with.
PORTAL_SUBJECT = "portal"
PORTAL_NAMES = {"vi": "số liệu Cổng DVCQG công bố", "en": "the figures the national portal publishes"}


def records_subject(index_code: str, kind: str) -> str:
    """The subject of a warning about the records of ``kind`` the index ``index_code`` is
    computed from (``INDEX_766.dossiers``): kept in the warning's ``indicator`` column, never
    an indicator's code (those are upper case)."""
    return f"{index_code}.{kind}"


def record_kind_of(subject: str) -> str | None:
    """The record kind of a records subject (``INDEX_766.dossiers`` → ``dossiers``); None for
    an indicator's code."""
    head, _, kind = subject.rpartition(".")
    return kind if head and (kind in RECORD_KINDS or kind == PORTAL_SUBJECT) else None


def records_subject_name(subject: str, lang: str) -> str | None:
    """A records subject as people say it — ``Hồ sơ thủ tục hành chính (Chỉ số 766)`` /
    ``Administrative-procedure dossiers (766 index)`` — for a list of warnings' subjects (a
    bulletin); None for an indicator's code."""
    kind = record_kind_of(subject)
    if kind is None:
        return None
    name = record_kind_name(kind, lang)
    return name[:1].upper() + name[1:] + (" (Chỉ số 766)" if lang == "vi" else " (766 index)")


def record_kind_name(kind: str, lang: str) -> str:
    """A record kind as people say it: ``hồ sơ thủ tục hành chính`` / ``administrative-procedure dossiers``
    (or the portal's published figures, ``PORTAL_SUBJECT``)."""
    if kind == PORTAL_SUBJECT:
        return PORTAL_NAMES["en" if lang == "en" else "vi"]
    if lang == "en":
        return RECORD_KINDS_EN.get(kind, kind)
    rk = RECORD_KINDS.get(kind)
    return rk.vi[:1].lower() + rk.vi[1:] if rk else kind


def moment_text(t: dt.datetime | None, zone: dt.tzinfo | None, lang: str) -> str:
    """A stored time (UTC; naive = UTC) in the zone, with its offset: ``05/12/2026 08:30 (GMT+7)``,
    ``5 Dec 2026 08:30 (GMT+7)``; ``chưa có`` / ``never`` for None."""
    if t is None:
        return "chưa có" if lang == "vi" else "never"
    local = (t if t.tzinfo else t.replace(tzinfo=dt.UTC)).astimezone(zone or dt.UTC)
    offset = local.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    gmt = f"GMT{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "") if minutes else "GMT"
    day = local.strftime("%d/%m/%Y") if lang == "vi" else day_text(local.date(), "en")
    return f"{day} {local.strftime('%H:%M')} ({gmt})"


def duration_text(span: dt.timedelta, lang: str) -> str:
    """``1 ngày`` / ``1 day``, ``6 giờ`` / ``6 hours``, ``90 phút`` / ``90 minutes``."""
    minutes = max(0, int(span.total_seconds() // 60))
    size, vi, en = next(u for u in ((1440, "ngày", "day"), (60, "giờ", "hour"), (1, "phút", "minute"))
                        if minutes % u[0] == 0 or u[0] == 1)
    n = minutes // size
    return f"{num(n, lang, 0)} {vi}" if lang == "vi" else f"{num(n, lang, 0)} {en}{'' if n == 1 else 's'}"


def stale_records_source(inputs: WarningInputs) -> RuleResult:
    """A records connector (``target: records``) is stale — its cursor has not moved for its
    ``stale_after`` — or its last run failed: the index computed from those records is no
    longer up to date. One warning per record kind × owner (its connectors listed), about the
    kind's records of the index (``records_subject``), to the owner; warning, critical when
    the last run of one of them failed. Times are said in the local zone (``inputs.zone``)."""
    out = RuleResult()
    out.checked.add(("stale_records_source",))  # every records connector of the province is looked at
    found: dict[tuple[str, str], list[ConnectorStatus]] = {}
    for c in inputs.connectors:
        if c.target in ("records", "portal") and c.record_kind and (c.stale or c.last_error):
            found.setdefault((c.record_kind, c.owner), []).append(c)
    zone = inputs.zone
    vi_index, en_index = inputs.index_name
    for (kind, owner), connectors in sorted(found.items()):
        failed = [c for c in connectors if c.last_error]
        stale = [c for c in connectors if c.stale]
        names = ", ".join(c.name + (f" ({c.source})" if c.source else "") for c in connectors)
        last = max((c.last_success for c in connectors if c.last_success), default=None)
        data_at = max((c.data_at for c in connectors if c.data_at), default=None)
        ages = [c.stale_after for c in stale if c.stale_after is not None]
        err = "; ".join(f"{c.name}: {c.last_error}" if len(connectors) > 1 else c.last_error for c in failed)
        who, who_en = inputs.unit_name(owner), inputs.unit_name(owner, "en")
        if stale:
            state_vi = ("không cập nhật" + (f", quá {duration_text(min(ages), 'vi')}" if ages else "")
                        + " không nhận được dữ liệu mới")
            state_en = "is stale" + (f", no new data for over {duration_text(min(ages), 'en')}" if ages else "")
        else:
            state_vi, state_en = "bị lỗi ở lần chạy gần nhất", "failed on its last run"
        data_vi = (f"dữ liệu mới nhất nhận lúc {moment_text(data_at, zone, 'vi')}" if data_at
                   else "chưa nhận được dữ liệu nào")
        data_en = f"newest data received {moment_text(data_at, zone, 'en')}" if data_at else "no data received yet"
        if kind == PORTAL_SUBJECT:  # no cursor: when figures last came is its last successful run
            data_vi = data_en = ""
        last_vi = (f"lần chạy thành công gần nhất: {moment_text(last, zone, 'vi')}" if last
                   else "chưa lần chạy nào thành công")
        last_en = f"last successful run: {moment_text(last, zone, 'en')}" if last else "no successful run yet"
        vi = (f"{vi_index} — {record_kind_name(kind, 'vi')} của {who}: nguồn {names} {state_vi}; "
              + (f"{data_vi}; " if data_vi else "") + last_vi + (f"; lỗi: {err}" if err else "") + ".")
        en = (f"{en_index} — {record_kind_name(kind, 'en')} of {who_en}: source {names} {state_en}; "
              + (f"{data_en}; " if data_en else "") + last_en + (f"; error: {err}" if err else "") + ".")
        evidence = {"connectors": [c.name for c in connectors], "stale_connectors": [c.name for c in stale],
                    "stale_after_hours": _round(min(ages).total_seconds() / 3600) if ages else None,
                    "data_received_at": data_at.isoformat() if data_at else None,
                    "last_success": last.isoformat() if last else None,
                    "last_errors": [c.last_error for c in failed]}
        out.warnings.append(EarlyWarning(
            "stale_records_source", "critical" if failed else "warning", records_subject(inputs.index_code, kind),
            owner, owner, "", RECORDS_FIELD, vi, en, {k: v for k, v in evidence.items() if v not in (None, [])}))
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
        vi = (f"số liệu {said(w.label, 'vi')} của {who} ({_amount(value, ind.unit, 'vi')}) lệch "
              f"{format_percent(diff, 1, 'vi')} so với số liệu thống kê {ind.statistical_code} "
              f"({format_number(reference, 2, 'vi', trim=True)}), vượt ngưỡng {format_percent(tol, 1, 'vi')}.")
        en = (f"the {said(w.label, 'en')} value of {inputs.unit_name(unit, 'en')} ({_amount(value, ind.unit, 'en')}) "
              "differs by "
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
                           stale_source, stale_records_source, counterpart_disagreement)


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
