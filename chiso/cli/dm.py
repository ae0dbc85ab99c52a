"""``chiso warnings``, ``chiso targets`` and ``chiso status``: DM targets, status, trend and warnings.

Thin: each command gathers options and calls one function of ``chiso.evaluate.dm.service``
or ``chiso.store.repo_evaluation``.
"""
from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from typing import Annotated, Optional

import typer

from chiso.cli.common import Format, echo, emit, handled, province_code, store_session
from chiso.errors import ChisoError
from chiso.store.models_evaluation import SEVERITIES, WARNING_STATES
from chiso.text import format_percent

warnings_app = typer.Typer(help="Cảnh báo sớm / early warnings: list, refresh, acknowledge, resolve.",
                           invoke_without_command=True)
targets_app = typer.Typer(help="Chỉ tiêu / targets per indicator × unit × period; statistical figures.",
                          no_args_is_help=True)
statistical_app = typer.Typer(help="Số liệu thống kê đối chiếu / statistical counterpart figures.",
                              no_args_is_help=True)
targets_app.add_typer(statistical_app, name="statistical")
status_app = typer.Typer(help="Tình trạng chỉ số / each live indicator's value, target, status and trend.",
                         invoke_without_command=True)


#: The choices of ``--state`` and ``--severity``: the store's own vocabulary.
State = Enum("State", {s: s for s in (*WARNING_STATES, "all")}, type=str)
Severity = Enum("Severity", {s: s for s in SEVERITIES}, type=str)


class Spread(str, Enum):
    linear = "linear"
    seasonal = "seasonal"


ProvinceOpt = Annotated[Optional[str], typer.Option("--province", "-p",
                                                    help="province code (default: CHISO_PROVINCE)")]


def _flat(d: dict) -> dict:
    return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for k, v in d.items()}


# ------------------------------------------------------------------------------ warnings

@warnings_app.callback()
@handled
def warnings_list(ctx: typer.Context, province: ProvinceOpt = None,
                  state: Annotated[State, typer.Option(help="open, acknowledged, resolved or all")] = State.open,
                  severity: Annotated[Optional[Severity], typer.Option()] = None,
                  field: Annotated[Optional[str], typer.Option(help="field group code, e.g. FINANCE")] = None,
                  indicator: Annotated[Optional[str], typer.Option()] = None,
                  unit: Annotated[Optional[str], typer.Option(help="the unit concerned or responsible")] = None,
                  format: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """List a province's warnings (default: the open ones), most severe first."""
    if ctx.invoked_subcommand is not None:
        return
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_evaluation import list_warnings, warning_to_dict

    code = province_code(province)
    with store_session() as session:
        rows = [warning_to_dict(r) for r in list_warnings(
            session, code, state=state.value, severity=severity.value if severity else None,
            field=field, indicator=indicator, unit_code=unit)]
    table = [{"id": r["id"], "severity": r["severity"], "state": r["state"], "rule": r["rule"],
              "indicator": r["indicator"], "unit": r["unit"], "responsible": r["responsible"],
              "period": r["period"], "message": r["message_vi"]} for r in rows]
    emit(format, {"province": code, "state": state.value, "warnings": rows}, [_flat(r) for r in rows],
          f"{len(rows)} cảnh báo ({state.value}) — tỉnh {code}", table)


@warnings_app.command("refresh")
@handled
def warnings_refresh(province: ProvinceOpt = None,
                     today: Annotated[Optional[str], typer.Option(help="judge as of this day (YYYY-MM-DD)")] = None,
                     by: Annotated[str, typer.Option(help="who runs the rules (audit)")] = "system",
                     deterioration_periods: Annotated[int, typer.Option(min=1)] = 3,
                     outlier_k: Annotated[float, typer.Option(min=0.1)] = 3.0,
                     outlier_min_history: Annotated[int, typer.Option(min=2)] = 6,
                     lookback: Annotated[int, typer.Option(min=1, help="periods checked for missing/late data")] = 3,
                     spread: Annotated[Spread, typer.Option(help="annual target paths")] = Spread.linear,
                     format: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """Re-run every warning rule for a province: new conditions open, cleared ones resolve."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.dm.followup import escalate_overdue
    from chiso.evaluate.dm.service import refresh_warnings
    from chiso.evaluate.dm.warnings import WarningSettings

    code = province_code(province)
    settings = WarningSettings(deterioration_periods=deterioration_periods, outlier_k=outlier_k,
                               outlier_min_history=outlier_min_history, lookback_periods=lookback)
    day = dt.date.fromisoformat(today) if today else None
    with store_session() as session:
        result = refresh_warnings(session, code, today=day, actor=by, settings=settings, spread=spread.value)
        overdue = escalate_overdue(session, code, today=day)  # warnings given with a due date now passed
    doc = {"province": code, "found": len(result.evaluation.warnings), **result.counts.as_dict(),
           "overdue_escalated": overdue}
    emit(format, doc, [doc], f"cảnh báo tỉnh {code}: {len(result.evaluation.warnings)} điều kiện")


NoteOpt = Annotated[str, typer.Option(help="what was done or why (required)")]
ByOpt = Annotated[str, typer.Option(help="who (required)")]


@warnings_app.command("ack")
@handled
def warnings_ack(warning_id: Annotated[int, typer.Argument(help="warning id")], by: ByOpt, note: NoteOpt) -> None:
    """Acknowledge an open warning (đã tiếp nhận), with a note."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_evaluation import acknowledge_warning

    with store_session() as session:
        row = acknowledge_warning(session, warning_id, by=by, note=note)
    echo(f"warning {row.id} acknowledged by {by}")


@warnings_app.command("resolve")
@handled
def warnings_resolve(warning_id: Annotated[int, typer.Argument(help="warning id")], by: ByOpt,
                     note: NoteOpt) -> None:
    """Resolve a warning (đã xử lý), with a note."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_evaluation import resolve_warning

    with store_session() as session:
        row = resolve_warning(session, warning_id, by=by, note=note)
    echo(f"warning {row.id} resolved by {by}")


@warnings_app.command("history")
@handled
def warnings_history(warning_id: Annotated[int, typer.Argument(help="warning id")],
                     format: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """A warning and every change to it: opened, updated, acknowledged, resolved…"""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_evaluation import get_warning, warning_events, warning_to_dict

    with store_session() as session:
        warning = warning_to_dict(get_warning(session, warning_id))
        events = [{"at": e.at.isoformat(), "action": e.action, "by": e.by, "note": e.note, "detail": e.detail}
                  for e in warning_events(session, warning_id)]
    emit(format, {**warning, "events": events}, [_flat(e) for e in events],
          f"{warning['message_vi']}", [{k: v for k, v in e.items() if k != "detail"} for e in events])


# ------------------------------------------------------------------------------- targets

def _check_target_subject(session, indicator: str, unit: str) -> None:
    """The indicator is in the unit's province catalogue, and reported for the unit's level."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_catalogue import current_catalogue
    from chiso.units import load_units

    tree = load_units()
    u = tree.get(unit)
    province = tree.province_of(unit).code
    catalogue = current_catalogue(session, province)
    ind = catalogue.indicators.get(indicator)
    if ind is None:
        raise ChisoError(f"indicator {indicator!r} is not in the catalogue of province {province} "
                         "(chiso catalog list)")
    if u.level not in ind.levels:
        raise ChisoError(f"indicator {indicator} is reported for {', '.join(ind.levels)}; "
                         f"{u.name} ({unit}) is a {u.level}")


@targets_app.command("set")
@handled
def targets_set(indicator: Annotated[str, typer.Option(help="indicator code")],
                unit: Annotated[str, typer.Option(help="unit code (the province: its code, e.g. 24)")],
                period: Annotated[str, typer.Option(help="2026, 2026-Q3, 2026-08, 2026-W34 or 2026-08-17")],
                value: Annotated[float, typer.Option()],
                by: ByOpt,
                basis: Annotated[Optional[str], typer.Option(help="e.g. Nghị quyết 25/NQ-CP")] = None) -> None:
    """Set a target; a changed target is a new row, the earlier one kept as history."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_evaluation import set_target

    with store_session() as session:
        _check_target_subject(session, indicator, unit)
        row, written = set_target(session, indicator=indicator, unit_code=unit, period=period, value=value,
                                  set_by=by, basis=basis)
    echo(f"target {row.indicator} {row.unit_code} {row.period} = {row.value:g}"
          + ("" if written else " (unchanged)"))


@targets_app.command("list")
@handled
def targets_list(province: ProvinceOpt = None,
                 indicator: Annotated[Optional[str], typer.Option()] = None,
                 unit: Annotated[Optional[str], typer.Option()] = None,
                 history: Annotated[bool, typer.Option("--history", help="every stored row, not only those in force")]
                 = False,
                 format: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """Targets in force (catalogue and store) for a province's live indicators."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.dm.service import live_indicators, target_book
    from chiso.store.repo_evaluation import target_rows

    code = province_code(province)
    with store_session() as session:
        if history:
            rows = [{"id": r.id, "indicator": r.indicator, "unit": r.unit_code, "period": r.period,
                     "value": r.value, "basis": r.basis, "set_by": r.set_by, "set_at": r.set_at.isoformat()}
                    for r in target_rows(session, indicator=indicator, unit_code=unit)]
        else:
            indicators = live_indicators(session, code)
            rows = [{"indicator": t.indicator, "unit": t.unit, "period": t.period, "value": t.value,
                     "basis": t.basis, "source": t.source, "set_by": t.set_by,
                     "set_at": t.set_at.isoformat() if t.set_at else None}
                    for t in target_book(session, code, indicators).records()
                    if (indicator is None or t.indicator == indicator) and (unit is None or t.unit == unit)]
    emit(format, {"province": code, "targets": rows}, rows, f"{len(rows)} chỉ tiêu — tỉnh {code}")


@statistical_app.command("set")
@handled
def statistical_set(code: Annotated[str, typer.Option("--code", help="statistical indicator code (QĐ 05/2023)")],
                    unit: Annotated[str, typer.Option()], period: Annotated[str, typer.Option()],
                    value: Annotated[float, typer.Option()], by: ByOpt,
                    source: Annotated[Optional[str], typer.Option(help="publication, e.g. Niên giám 2025")] = None
                    ) -> None:
    """Record a published statistical figure that DM values are checked against."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_evaluation import set_statistical_value
    from chiso.units import load_units

    load_units().get(unit)
    with store_session() as session:
        row, written = set_statistical_value(session, statistical_code=code, unit_code=unit, period=period,
                                             value=value, set_by=by, source=source)
    echo(f"statistical {row.statistical_code} {row.unit_code} {row.period} = {row.value:g}"
          + ("" if written else " (unchanged)"))


@statistical_app.command("list")
@handled
def statistical_list(format: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """The statistical figures in force."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_evaluation import statistical_values

    with store_session() as session:
        rows = statistical_values(session).to_dicts()
    emit(format, {"statistical_values": rows}, rows, f"{len(rows)} số liệu thống kê")


# -------------------------------------------------------------------------------- status

@status_app.callback()
@handled
def status(ctx: typer.Context, province: ProvinceOpt = None,
           period: Annotated[Optional[str], typer.Option(help="latest period ending by this one")] = None,
           unit: Annotated[Optional[str], typer.Option(help="a department or commune (default: the province)")]
           = None,
           spread: Annotated[Spread, typer.Option(help="annual target paths")] = Spread.linear,
           format: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """Each live indicator's latest value, target, achievement, status and trend."""
    if ctx.invoked_subcommand is not None:
        return
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.dm.service import status_report

    code = province_code(province)
    with store_session() as session:
        doc = status_report(session, code, unit=unit, at=period, spread=spread.value)
    rows = doc["indicators"]
    table = [{"indicator": r["indicator"], "name": r["name"], "period": r["period"], "value": r["value"],
              "target": r["target"], "achievement": None if r["achievement"] is None else format_percent(r["achievement"], 1, "en"),
              "status": r["status_vi"], "trend": r["trend_vi"]} for r in rows]
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.units import load_units

    who = load_units().get(doc["unit"]).name
    emit(format, doc, [_flat({k: v for k, v in r.items() if k != "trend_detail"}) for r in rows],
          f"tình trạng chỉ số — {who} ({doc['unit']})", table)
