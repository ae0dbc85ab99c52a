"""``chiso values …`` and ``chiso connectors …``: submitting DM indicator values, their states,
and the connectors that bring them from source systems. Thin: each command gathers
options and calls one function of ``chiso.collect.values`` or ``chiso.collect.connectors``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from chiso import settings
from chiso.cli.common import Format, Role, definition, emit, err, handled
from chiso.errors import ChisoError
from chiso.store.database import open_database, require_current

app = typer.Typer(help="Số liệu chỉ số chỉ đạo, điều hành: nộp, duyệt, khoá sổ / DM indicator values.",
                  no_args_is_help=True)
connectors_app = typer.Typer(help="Kết nối hệ thống nguồn / connectors to source systems.",
                             no_args_is_help=True)


class Kind(str, Enum):
    sql = "sql"
    http = "http"
    folder = "folder"


def _open():
    db = open_database()
    try:
        require_current(db)
    except Exception:
        db.dispose()
        raise
    return db


def _catalogue(session, province: str | None) -> Mapping[str, Any]:
    """The live catalogue (approved and operating indicators) of a province, from the store."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_catalogue import live_indicators

    if province is None:
        return {}
    found = live_indicators(session, province)
    if not found:
        raise ChisoError(f"province {province} has no approved indicators in the store: import its "
                         "catalogue and approve its indicators first")
    return found


def _province(units, code: str) -> str | None:
    return units.get(code).province_code


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, json or csv")]
AsOpt = Annotated[str, typer.Option("--as", help="the unit submitting (its code, e.g. 24-STC)")]
ByOpt = Annotated[str, typer.Option("--by", help="who acts (recorded)")]


def _format(value: str):
    try:
        return Format(value)
    except ValueError:
        raise ChisoError(f"--format {value!r}: write table, json or csv") from None


# --------------------------------------------------------------------------- values

@app.command()
def submit(file: Annotated[Path, typer.Argument(help="CSV, XLSX, JSON or JSON lines: indicator, unit, "
                                                "period, value [, breakdown, note, source, measure]")],
           as_unit: AsOpt,
           source: Annotated[Optional[str], typer.Option(help="source system (default: the row's, else the "
                                                         "indicator's own)")] = None,
           reason: Annotated[Optional[str], typer.Option(help="why (needed for corrections and --admin)")] = None,
           admin: Annotated[bool, typer.Option("--admin", help="write another agency's values as "
                                               "administrator (needs --reason)")] = False,
           by: ByOpt = "cli",
           role: Annotated[Role, typer.Option(help="officer, head or admin")] = Role.officer,
           draft: Annotated[bool, typer.Option("--draft", help="a draft: kept, not yet submitted")] = False,
           outlier_k: Annotated[float, typer.Option(help="outliers lie outside mean ± k·sd of history")] = 3.0,
           format: FormatOpt = "table") -> None:
    """Submit a file of values: accepted whole, or refused whole with a row-level report."""
    handled(_submit)(file, as_unit, source, reason, admin, by, role, draft, outlier_k, format)


def _submit(file, as_unit, source, reason, admin, by, role, draft, outlier_k, format) -> None:
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.collect.values import Submitter, ValidationConfig, read_batch, submit_batch
    from chiso.units import load_units

    fmt = _format(format)
    units = load_units()
    units.get(as_unit)
    who = Submitter(as_unit=as_unit, by=by, role=role.value, admin=admin, reason=reason, source=source,
                    draft=draft)
    batch = read_batch(file, str(file))
    db = _open()
    try:
        with db.session() as session:
            catalogue = _catalogue(session, _province(units, as_unit))
        result = submit_batch(db, batch, who, catalogue, units, config=ValidationConfig(outlier_k=outlier_k))
    finally:
        db.dispose()
    doc = result.to_dict()
    rows = [{"file": str(file), "status": result.status, "batch": result.submission_id, "rows": result.rows,
             "new": result.inserted, "corrected": result.corrected, "unchanged": result.unchanged,
             "submitted_drafts": result.promoted, "late": result.late, "warnings": len(result.warnings)}]
    emit(fmt, doc, rows, f"{result.status}" + (f" (batch {result.submission_id})" if result.submission_id
                                                else f" — same as batch {result.same_as}" if result.same_as else ""))
    if fmt.value == "table":

        for w in result.warnings:
            err.print(f"[yellow]warning:[/] {w}", markup=True, highlight=False)


@app.command()
def template(as_unit: AsOpt,
             period: Annotated[str, typer.Option(help="the period: 2026-W48, 2026-11, 2026-Q4 or 2026")],
             out: Annotated[Path, typer.Option("--out", "-o", help="the workbook to write (.xlsx)")]) -> None:
    """Write the pre-filled values template (XLSX) of the rows an agency owes for a period."""
    handled(_template)(as_unit, period, out)


def _template(as_unit, period, out) -> None:
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.collect.values.submit import local
    from chiso.collect.values.template import build_template
    from chiso.units import load_units

    units = load_units()
    units.get(as_unit)
    db = _open()
    now = dt.datetime.now(dt.UTC)
    try:
        with db.session() as session:
            catalogue = _catalogue(session, _province(units, as_unit))
            data, rows, window = build_template(session, catalogue, units, as_unit, period, now=now,
                                                today=local(now).date())
    finally:
        db.dispose()
    Path(out).write_bytes(data)
    err.print(f"{out}: {len(rows)} rows {as_unit} owes for {window.label}", highlight=False)


@app.command("list")
def list_(indicator: Annotated[Optional[str], typer.Option(help="indicator code")] = None,
          unit: Annotated[Optional[str], typer.Option(help="unit code")] = None,
          period: Annotated[Optional[str], typer.Option(help="period, e.g. 2026-08")] = None,
          drafts: Annotated[bool, typer.Option(help="include drafts")] = True,
          format: FormatOpt = "table") -> None:
    """The values in force (breakdowns included), with their source, state and late flag."""
    handled(_list)(indicator, unit, period, drafts, format)


def _list(indicator, unit, period, drafts, format) -> None:
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.periods.windows import parse_window
    from chiso.store.repo_values import list_values

    fmt = _format(format)
    label = parse_window(period).label if period else None
    db = _open()
    try:
        with db.session() as session:
            rows = [{"indicator": v.indicator, "unit": v.unit_code, "period": v.period,
                     "breakdown": v.breakdown, "value": v.value, "source": v.source, "state": v.state,
                     "late": v.late, "batch": v.submission_id, "recorded_by": v.recorded_by,
                     "recorded_at": _plain(v.recorded_at), "note": v.note}
                    for v in list_values(session, indicator=indicator, unit=unit, period=label,
                                         include_drafts=drafts)]
    finally:
        db.dispose()
    emit(fmt, rows, rows, f"{len(rows)} values")


@app.command()
def history(indicator: Annotated[str, typer.Option(help="indicator code")],
            unit: Annotated[str, typer.Option(help="unit code")],
            period: Annotated[Optional[str], typer.Option(help="only this period")] = None,
            format: FormatOpt = "table") -> None:
    """Every version of an indicator's values for a unit: who, when, which file, and why replaced."""
    handled(_history)(indicator, unit, period, format)


def _history(indicator, unit, period, format) -> None:
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.periods.windows import parse_window
    from chiso.store.repo_values import value_history

    fmt = _format(format)
    label = parse_window(period).label if period else None
    db = _open()
    try:
        with db.session() as session:
            versions = value_history(session, indicator, unit, label)
    finally:
        db.dispose()
    rows = [{k: _plain(v) for k, v in version.items()} for version in versions]
    table = [{k: r[k] for k in ("period", "breakdown", "value", "current", "source", "recorded_by",
                                "recorded_at", "file_name", "replaced_by", "replaced_at", "reason")}
             for r in rows]
    emit(fmt, rows, rows if fmt.value != "table" else table, f"{indicator} — {unit}: {len(rows)} versions")


def _state_command(action: str, indicator: str, period: str, as_unit: str | None, by: str, role: Role,
                   reason: str | None) -> None:
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.collect.values import Actor, approve, lock, return_period, unlock
    from chiso.units import load_units

    units = load_units()
    if as_unit is not None:
        units.get(as_unit)
    province = _province(units, as_unit) if as_unit else settings.get("CHISO_PROVINCE")
    actor = Actor(by=by, role=role.value, as_unit=as_unit)
    db = _open()
    try:
        with db.session() as session:
            catalogue = _catalogue(session, province)
            if action == "approve":
                state = approve(session, catalogue, units, indicator=indicator, period=period, actor=actor)
            elif action == "lock":
                state = lock(session, catalogue, units, indicator=indicator, period=period, actor=actor,
                             reason=reason)
            elif action == "return":
                state = return_period(session, catalogue, units, indicator=indicator, period=period,
                                      actor=actor, comment=reason or "")
            elif action == "unlock":
                state = unlock(session, catalogue, units, indicator=indicator, period=period, actor=actor,
                               reason=reason or "")
            else:  # pragma: no cover - the commands below name their action
                raise ChisoError(f"unknown action {action}")
    finally:
        db.dispose()
    sys_out = f"{indicator} {period}: {state}"
    typer.echo(sys_out)


IndicatorOpt = Annotated[str, typer.Option(help="indicator code")]
PeriodOpt = Annotated[str, typer.Option(help="period, e.g. 2026-08")]


@app.command()
def approve(indicator: IndicatorOpt, period: PeriodOpt, as_unit: AsOpt, by: ByOpt,
            role: Annotated[Role, typer.Option(help="head (thủ trưởng) of the owner agency")]) -> None:
    """Approve a submitted period (the owner agency's head)."""
    handled(_state_command)("approve", indicator, period, as_unit, by, role, None)


@app.command()
def lock(indicator: IndicatorOpt, period: PeriodOpt, by: ByOpt,
         role: Annotated[Role, typer.Option(help="head of the owner agency, or admin")],
         as_unit: Annotated[Optional[str], typer.Option("--as", help="the acting unit")] = None,
         reason: Annotated[Optional[str], typer.Option()] = None) -> None:
    """Lock an approved period (khoá sổ): no value of it changes until an administrator unlocks it."""
    handled(_state_command)("lock", indicator, period, as_unit, by, role, reason)


@app.command("return")
def return_(indicator: IndicatorOpt, period: PeriodOpt, by: ByOpt,
            comment: Annotated[str, typer.Option(help="what the officer must fix (recorded, shown on the desk)")],
            role: Annotated[Role, typer.Option(help="head of the owner agency, or admin")],
            as_unit: Annotated[Optional[str], typer.Option("--as", help="the acting unit")] = None) -> None:
    """Return a submitted period to the officer with a comment (trả lại), until submitted again."""
    handled(_state_command)("return", indicator, period, as_unit, by, role, comment)


@app.command()
def unlock(indicator: IndicatorOpt, period: PeriodOpt, by: ByOpt,
           reason: Annotated[str, typer.Option(help="why (recorded)")],
           role: Annotated[Role, typer.Option(help="admin")] = Role.admin,
           as_unit: Annotated[Optional[str], typer.Option("--as", help="the acting unit")] = None) -> None:
    """Unlock a locked period (administrator, with a reason); it goes back to approved."""
    handled(_state_command)("unlock", indicator, period, as_unit, by, role, reason)


@app.command()
def states(indicator: Annotated[Optional[str], typer.Option(help="indicator code")] = None,
           format: FormatOpt = "table") -> None:
    """The state of each indicator × period: draft, submitted, approved, locked, returned."""
    handled(_states)(indicator, format)


def _states(indicator, format) -> None:
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_values import periods

    fmt = _format(format)
    db = _open()
    try:
        with db.session() as session:
            rows = [{"indicator": p.indicator, "period": p.period, "owner": p.owner, "state": p.state,
                     "changed_by": p.changed_by, "role": p.role, "changed_at": _plain(p.changed_at),
                     "approved_by": p.approved_by, "locked_by": p.locked_by, "reason": p.reason,
                     "returned_by": p.returned_by, "return_comment": p.return_comment}
                    for p in periods(session, indicator=indicator)]
    finally:
        db.dispose()
    emit(fmt, rows, rows, f"{len(rows)} periods")


# --------------------------------------------------------------------------- connectors

def _fields(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        ours, sep, theirs = (p.strip() for p in pair.partition("="))
        if not sep or not ours or not theirs:
            raise ChisoError(f"--field {pair!r}: write OURS=THEIRS, e.g. value=so_tien")
        out[ours] = theirs
    return out


@connectors_app.command("add")
def add(name: Annotated[str, typer.Argument(help="a name: lower-case letters, digits, . _ -")],
        kind: Annotated[Kind, typer.Option(help="sql, http or folder")],
        as_unit: Annotated[str, typer.Option("--as", help="the owner unit the connector acts as")],
        indicator: Annotated[Optional[list[str]], typer.Option(help="indicator code(s) it brings")] = None,
        schedule: Annotated[str, typer.Option(help="interval (15m, 6h, 1d) or cron (0 7 * * 1-5)")] = "1d",
        source: Annotated[Optional[str], typer.Option(help="source system (default: the indicator's)")] = None,
        url: Annotated[Optional[str], typer.Option(help="sql: database URL without password; http: endpoint")] = None,
        url_env: Annotated[Optional[str], typer.Option(help="sql: environment variable holding the URL")] = None,
        query: Annotated[Optional[str], typer.Option(help="sql: query giving indicator, unit, period, value")] = None,
        json_path: Annotated[Optional[str], typer.Option(help="http: where the records are, e.g. $.data[*]")] = None,
        auth_header: Annotated[Optional[str], typer.Option(help="http: header name, e.g. Authorization")] = None,
        auth_env: Annotated[Optional[str], typer.Option(help="http: environment variable holding its value")] = None,
        field: Annotated[Optional[list[str]], typer.Option(help="OURS=THEIRS column mapping")] = None,
        target: Annotated[Optional[str], typer.Option(help="http: values (default), tasks (the task "
                                                      "register), records (the record store: dossiers…) or "
                                                      "portal (the national portal's published index); give "
                                                      "the rest with --config; no --indicator")] = None,
        config_file: Annotated[Optional[Path], typer.Option("--config", help="a YAML file with the connector's "
                                                            "config (url, path, fields, kind, cursor_param…); the "
                                                            "options above win")] = None,
        path: Annotated[Optional[Path], typer.Option(help="folder: the watched folder")] = None,
        max_age_hours: Annotated[Optional[float], typer.Option(help="stale after this many hours without "
                                                               "success (default: period + deadline)")] = None,
        by: ByOpt = "cli") -> None:
    """Register a connector; it submits as its owner unit, through the same checks as a person."""
    handled(_add)(name, kind, as_unit, indicator or [], schedule, source, url, url_env, query, json_path,
                   auth_header, auth_env, field or [], path, max_age_hours, by, target, config_file)


def _config_file(path: Path) -> dict[str, Any]:
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.files.documents import parse_yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ChisoError(f"cannot read {path}: {exc}") from None
    data = parse_yaml(text, str(path))
    if not isinstance(data, Mapping):
        raise ChisoError(f"{path}: a connector's config is a mapping (url: …, kind: …), not a {type(data).__name__}")
    return dict(data)


def _add(name, kind, as_unit, indicator, schedule, source, url, url_env, query, json_path, auth_header,
         auth_env, field, path, max_age_hours, by, target=None, config_file=None) -> None:
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.collect.connectors import add_connector
    from chiso.units import load_units

    given = {"url": url, "url_env": url_env, "query": query, "path": json_path if kind != Kind.folder else
             (str(path.resolve()) if path else None), "auth_header": auth_header, "auth_env": auth_env,
             "target": target}
    config: dict[str, Any] = {**(_config_file(config_file) if config_file else {}),
                              **{k: v for k, v in given.items() if v is not None}}
    if field:
        config["fields"] = _fields(field)
    target = config.get("target")
    units = load_units()
    units.get(as_unit)
    db = _open()
    try:
        with db.session() as session:
            catalogue = (_catalogue_or_empty(session, _province(units, as_unit)) if target in ("tasks", "records", "portal")
                         else _catalogue(session, _province(units, as_unit)))
            row = add_connector(session, catalogue, units, name=name,
                                kind=kind.value, as_unit=as_unit, config=config, indicators=indicator,
                                schedule=schedule, source=source, max_age_hours=max_age_hours, by=by)
            typer.echo(f"connector {row.name} ({row.kind}) added, acting as {row.as_unit}")
    finally:
        db.dispose()


def _status_rows(now=None) -> list[dict[str, Any]]:
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.collect.connectors import connector_status
    from chiso.units import load_units

    db = _open()
    try:
        with db.session() as session:
            rows = connector_status(session, _catalogue_or_empty, load_units(), now=now)
    finally:
        db.dispose()
    return [{k: _plain(v) for k, v in r.items()} for r in rows]


def _catalogue_or_empty(session, province):
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_catalogue import live_indicators

    return live_indicators(session, province) if province else {}


@connectors_app.command("list")
def list_connectors(format: FormatOpt = "table") -> None:
    """The connectors, their schedule and last status."""
    handled(_list_connectors)(format)


def _list_connectors(format) -> None:
    fmt = _format(format)
    rows = _status_rows()
    table = [{k: r[k] for k in ("name", "kind", "as_unit", "indicators", "schedule", "enabled",
                                "last_status", "next_due")} for r in rows]
    emit(fmt, rows, rows if fmt.value != "table" else table, f"{len(rows)} connectors")


@connectors_app.command("status")
def status(format: FormatOpt = "table") -> None:
    """Last run, last success, last error, and STALE when a connector's data is overdue."""
    handled(_status)(format)


def _status(format) -> None:
    fmt = _format(format)
    rows = _status_rows()
    table = [{"name": r["name"], "stale": "STALE" if r["stale"] else "ok", "last_status": r["last_status"],
              "last_success_at": r["last_success_at"], "last_error_at": r["last_error_at"],
              "last_error": (r["last_error"] or "")[:120]} for r in rows]
    emit(fmt, rows, rows if fmt.value != "table" else table, "connectors")


@connectors_app.command("run")
def run(name: Annotated[Optional[str], typer.Argument(help="the connector to run now")] = None,
        due: Annotated[bool, typer.Option("--due", help="every connector whose schedule is due")] = False,
        format: FormatOpt = "table") -> None:
    """Run one connector now, or every due one; exit 2 when a run failed or was refused."""
    handled(_run)(name, due, format)


def _run(name, due, format) -> None:
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.collect.connectors import run_connector, run_due
    from chiso.evaluate import kept
    from chiso.store import repo_values
    from chiso.store.records import open_records
    from chiso.units import load_units

    fmt = _format(format)
    if (name is None) == (not due):
        raise ChisoError("name one connector, or give --due (not both)")
    db = _open()
    try:
        units = load_units()
        with db.session() as session:  # the record store is opened (for writing) only when records come
            pulls = any((c.config or {}).get("target") == "records" and (due or c.name == name)
                        for c in repo_values.list_connectors(session))
        store = open_records() if pulls else None
        try:
            outcomes = (run_due(db, _catalogue_or_empty, units, records=store) if due
                        else run_connector(db, name, _catalogue_or_empty, units, records=store))
            if store is not None and any(o.status == "accepted" for o in outcomes) and kept.entries(store):
                # as after `chiso load`: counts kept between refreshes follow the records at once
                for r in kept.refresh(definition(), store):
                    err.print(f"kept counts {r.kind}{' (distinct)' if r.distinct else ''}: {r.buckets} "
                              f"bucket(s) recomputed in {r.seconds:.2f} s")
        finally:
            if store is not None:
                store.close()
    finally:
        db.dispose()
    rows = [o.to_dict() for o in outcomes]
    emit(fmt, rows, rows, f"{len(rows)} run(s)")
    if any(o.status in ("failed", "refused") for o in outcomes):
        raise typer.Exit(2)
