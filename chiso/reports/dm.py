"""The direction & management (DM) part of a bulletin: indicators off track and open warnings.

The bulletin reads plain records, so it does not depend on how they were computed:

- ``IndicatorStatus`` — one live indicator's latest value against its target, with its status
  (``achieved``, ``on_track``, ``at_risk``, ``off_track``; ``no_target``/``no_data`` are
  ignored here), as ``chiso.evaluate.dm.status`` classifies it;
- ``OpenWarning`` — one open early warning (severity ``critical``/``warning``/``info``), as
  ``chiso.evaluate.dm.warnings`` raises it and ``chiso.store.repo_evaluation`` keeps it.

``dm_facts`` groups them by field (nhóm lĩnh vực), worst first.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from chiso.catalog.indicator import DEFAULT_FIELDS
from chiso.evaluate.dm.service import connector_statuses, status_report
from chiso.evaluate.dm.warnings import records_subject_name
from chiso.reports.sync import SyncProblem
from chiso.store.repo_catalogue import current_catalogue
from chiso.store.repo_evaluation import list_warnings
from chiso.units import load_units

#: Statuses a bulletin calls "off track" (chậm tiến độ) — the rest is on course.
OFF_TRACK = ("off_track", "at_risk")
SEVERITIES = ("critical", "warning", "info")
SEVERITY_LABELS = {"critical": ("nghiêm trọng", "critical"), "warning": ("cảnh báo", "warning"),
                   "info": ("lưu ý", "notice")}
STATUS_LABELS = {"off_track": ("chậm tiến độ", "off track"), "at_risk": ("có nguy cơ không đạt", "at risk")}


@dataclass(frozen=True)
class IndicatorStatus:
    """One indicator's latest value against its target."""

    code: str
    name: str
    field: str  # a field code of the catalogue (ECONOMY…)
    status: str  # achieved | on_track | at_risk | off_track | no_target | no_data
    value: float | None = None
    target: float | None = None
    unit: str = ""  # đơn vị tính: "%", "tỷ đồng"…
    period: str = ""
    name_en: str = ""


@dataclass(frozen=True)
class OpenWarning:
    """One open warning."""

    indicator: str
    field: str
    severity: str  # critical | warning | info
    unit_code: str
    message: str  # Vietnamese
    message_en: str = ""
    unit_name: str = ""
    indicator_name: str = ""
    period: str = ""
    rule: str = ""  # below_threshold, missing_data… (chiso.evaluate.dm.warnings.RULE_NAMES)
    indicator_name_en: str = ""
    unit_name_en: str = ""


@dataclass(frozen=True)
class FieldFacts:
    """One field's indicators off track and open warnings."""

    code: str
    name: str
    name_en: str
    off_track: tuple[IndicatorStatus, ...]
    warnings: tuple[OpenWarning, ...]


@dataclass(frozen=True)
class DMFacts:
    """The DM section: fields with something to report, and the totals."""

    fields: tuple[FieldFacts, ...]
    indicators: int  # live indicators with a status
    off_track: int
    warnings: int


def dm_facts(statuses: Iterable[IndicatorStatus], warnings: Iterable[OpenWarning],
             fields: Mapping[str, tuple[str, str]] = DEFAULT_FIELDS) -> DMFacts:
    """Group statuses and warnings by field: off track before at risk, critical warnings first."""
    statuses, warnings = list(statuses), list(warnings)
    for w in warnings:
        if w.severity not in SEVERITIES:
            raise ValueError(f"warning on {w.indicator}: severity {w.severity!r} is not one of "
                             + ", ".join(SEVERITIES))
    names = {s.code: (s.name, s.name_en or s.name) for s in statuses}
    warnings = [w if w.indicator_name or w.indicator not in names else
                replace(w, indicator_name=names[w.indicator][0], indicator_name_en=names[w.indicator][1])
                for w in warnings]
    off = [s for s in statuses if s.status in OFF_TRACK]
    codes = list(fields) + sorted({x.field for x in off + warnings} - set(fields))
    out = []
    for code in codes:
        o = sorted((s for s in off if s.field == code), key=lambda s: (OFF_TRACK.index(s.status), s.code))
        w = sorted((x for x in warnings if x.field == code),
                   key=lambda x: (SEVERITIES.index(x.severity), x.indicator, x.unit_code))
        if o or w:
            name, name_en = fields.get(code, (code, code))
            out.append(FieldFacts(code, name, name_en, tuple(o), tuple(w)))
    return DMFacts(tuple(out), len([s for s in statuses if s.status not in ("no_target", "no_data")]),
                   len(off), len(warnings))



def dm_from_store(session, province: str, period: str | None = None, *, now=None, units=None):
    """(DMFacts or None, stale sources) for ``province`` from the catalogue, values and
    evaluation stores: each live indicator's status at ``period`` (its latest value ending by
    then, ``chiso.evaluate.dm.service.status_report``), the open warnings
    (``repo_evaluation.list_warnings``) and the connectors collection judges stale.

    None when the province has no live indicator and no open warning (the bulletin then has
    no DM section).
    """
    import datetime as dt

    units = units or load_units()
    report = status_report(session, province, at=period)
    statuses = [IndicatorStatus(r["indicator"], r["name"], r["field"], r["status"], r["value"], r["target"],
                                r["unit_of_measure"] or "", r["period"] or "", r["name_en"] or "")
                for r in report["indicators"]]
    names = {r["indicator"]: (r["name"], r["name_en"] or r["name"]) for r in report["indicators"]}

    def subject_names(code: str) -> tuple[str, str]:
        """An indicator's names, or those of a 766 records source's subject (INDEX_766.<kind>)."""
        if code in names:
            return names[code]
        return (records_subject_name(code, "vi") or "", records_subject_name(code, "en") or "")

    def unit_names(code: str) -> tuple[str, str]:
        u = units.get(code) if code and code in units else None
        if u is None or u.level == "province":  # the province's own value: no unit to name
            return ("", "")
        return (u.name, u.name_en or u.name)

    warnings = [OpenWarning(w.indicator, w.field, w.severity, w.unit_code, w.message_vi, w.message_en,
                            unit_name=unit_names(w.unit_code)[0], period=w.period, rule=w.rule,
                            indicator_name=subject_names(w.indicator)[0],
                            indicator_name_en=subject_names(w.indicator)[1],
                            unit_name_en=unit_names(w.unit_code)[1])
                for w in list_warnings(session, province, state="open")]
    fields = dict(DEFAULT_FIELDS)
    if statuses or warnings:  # then the province has a catalogue, with its own fields
        fields.update({f.code: (f.name, f.name_en) for f in current_catalogue(session, province).fields.values()})
    facts = dm_facts(statuses, warnings, fields) if statuses or warnings else None
    now = now or dt.datetime.now(dt.UTC)
    stale = []
    for c in connector_statuses(session, province, now):
        if not c.stale:
            continue
        unit = units.get(c.owner) if c.owner in units else None
        last = c.last_success.date().isoformat() if c.last_success else "—"
        stale.append(SyncProblem(c.owner, unit.name if unit else c.owner, (unit.name_en or unit.name) if unit
                                 else c.owner, unit.level if unit else "department", "connector",
                                 detail=f"{c.name}: {last}" + (f"; {c.last_error}" if c.last_error else "")))
    return facts, tuple(stale)
