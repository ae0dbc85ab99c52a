"""Commands: ``chiso report`` (one bulletin to a file) and ``chiso bulletins`` (schedules, archive,
the follow-up list of open tasks).

Thin: each gathers options and calls one function of ``chiso.reports``.
"""
from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from chiso.catalog.index_definition import load_index_definition
from chiso.cli.common import Format, echo, emit, handled, province_code
from chiso.errors import ChisoError
from chiso.store.database import open_database, require_current

app = typer.Typer(help="Bản tin: lịch phát hành, kho lưu trữ, danh sách nhiệm vụ cần đôn đốc / bulletins: "
                       "schedules, the archive, the follow-up list of open tasks.",
                  no_args_is_help=True)
schedule_app = typer.Typer(help="Lịch phát hành bản tin / when bulletins are issued.", no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")


class BulletinFormat(str, Enum):
    pdf = "pdf"
    docx = "docx"
    xlsx = "xlsx"
    html = "html"


class Lang(str, Enum):
    vi = "vi"
    en = "en"


ProvinceOpt = Annotated[Optional[str], typer.Option("--province", "-p", help="province code (default: "
                                                    "CHISO_PROVINCE, 24 = Bắc Ninh)")]
CountsOpt = Annotated[Optional[Path], typer.Option("--counts", help="a portal counts CSV, or a folder of them "
                                                   "named by window (2025-W46.csv), instead of records")]
ByOpt = Annotated[str, typer.Option("--by", help="who acts (audit)")]
RoleOpt = Annotated[str, typer.Option("--role", help="officer, head or admin")]


def _source(counts: Path | None):
    """The scores' source: a counts file/folder, or the record store (kept open by the caller)."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.reports.sources import CountsSource, RecordsSource

    definition = load_index_definition()
    if counts is not None:
        # lazy: only a counts file needs the crosswalk (decision 44)
        from chiso.cli.crosswalk import crosswalk_in_force

        return CountsSource(definition, counts, crosswalk_in_force()), None
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.records import open_records
    from chiso.units import load_units

    store = open_records(read_only=True)
    return RecordsSource(definition, store, load_units()), store


def _database():
    db = open_database()
    require_current(db)
    return db


@handled
def report(province: ProvinceOpt = None,
           window: Annotated[Optional[str], typer.Option("--window", "-w", help="2025-W46, 2026-08…; default: "
                                                         "the latest complete week")] = None,
           format: Annotated[BulletinFormat, typer.Option("--format", "-f")] = BulletinFormat.pdf,
           lang: Annotated[Lang, typer.Option("--lang")] = Lang.vi,
           out: Annotated[Optional[Path], typer.Option("--out", "-o", help="file to write (default: "
                                                       "bulletin-<province>-<window>-<lang>.<ext> here)")] = None,
           counts: CountsOpt = None,
           view: Annotated[Optional[str], typer.Option(
               "--view", help="groups shown: six (online services /12 + online payment /10) or five (online "
               "service provision /22); default CHISO_GROUP_VIEW")] = None) -> None:
    """Write a province's bulletin (bản tin) for a window: pdf, docx, xlsx or html, in vi or en."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.reports.render import file_name, render
    from chiso.reports.service import bulletin_for, prepared_database

    source, store = _source(counts)
    db = prepared_database()  # DM indicators and warnings, when the store has them
    try:
        code = province_code(province)
        bulletin = bulletin_for(source, code, window, db=db, view=view)
    finally:
        if store is not None:
            store.close()
        if db is not None:
            db.dispose()
    rendered = render(bulletin, format.value, lang.value)
    path = out or Path(file_name(code, bulletin.window, format.value, lang.value))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(rendered.content)
    echo(f"{path} ({bulletin.window}, {len(rendered.content):,} bytes)")


@schedule_app.command("add")
@handled
def schedule_add(cron: Annotated[str, typer.Option(help="five cron fields, e.g. '0 7 * * MON' (Monday 07:00)")],
                 by: ByOpt, province: ProvinceOpt = None,
                 format: Annotated[list[BulletinFormat], typer.Option("--format", "-f")] = None,
                 lang: Annotated[list[Lang], typer.Option("--lang")] = None,
                 timezone: Annotated[str, typer.Option(help="the cron's time zone")] = "Asia/Ho_Chi_Minh",
                 role: RoleOpt = "head") -> None:
    """Schedule a province's bulletin (default: pdf and docx, in Vietnamese)."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_reports import Actor, add_schedule

    db = _database()
    try:
        with db.session() as s:
            row = add_schedule(s, Actor(by, role), province=province_code(province), cron=cron, timezone=timezone,
                               formats=[f.value for f in (format or [BulletinFormat.pdf, BulletinFormat.docx])],
                               languages=[x.value for x in (lang or [Lang.vi])])
            echo(f"schedule {row.id}: {row.province} at '{row.cron}' ({row.timezone}), "
                  f"{', '.join(row.formats)} × {', '.join(row.languages)}")
    finally:
        db.dispose()


@schedule_app.command("stop")
@handled
def schedule_stop(schedule_id: Annotated[int, typer.Argument(help="the schedule's id")], by: ByOpt,
                  role: RoleOpt = "head") -> None:
    """Stop a schedule (it stays listed, inactive)."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_reports import Actor, stop_schedule

    db = _database()
    try:
        with db.session() as s:
            stop_schedule(s, Actor(by, role), schedule_id)
        echo(f"schedule {schedule_id} stopped")
    finally:
        db.dispose()


@schedule_app.command("list")
@handled
def schedule_list(format: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """List bulletin schedules."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_reports import list_schedules

    db = _database()
    try:
        with db.session() as s:
            rows = [{"id": r.id, "province": r.province, "cron": r.cron, "timezone": r.timezone,
                     "formats": ",".join(r.formats), "languages": ",".join(r.languages), "active": r.active,
                     "created_by": r.created_by, "created_at": r.created_at.isoformat()}
                    for r in list_schedules(s)]
    finally:
        db.dispose()
    emit(format, rows, rows, f"{len(rows)} bulletin schedules")


@schedule_app.command("run-due")
@handled
def schedule_run_due(now: Annotated[Optional[str], typer.Option(help="ISO time (default: now), e.g. "
                                                                 "2025-11-17T07:00+07:00")] = None,
                     counts: CountsOpt = None,
                     format: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Issue every bulletin that is due; issuing again what is archived changes nothing."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.reports.schedule import run_due

    when = dt.datetime.now().astimezone() if now is None else dt.datetime.fromisoformat(now)
    if when.tzinfo is None:
        raise ChisoError(f"--now {now!r}: give the time zone, e.g. 2025-11-17T07:00+07:00")
    db = _database()
    source, store = _source(counts)
    try:
        issued, failures = run_due(db, source, when)
    finally:
        db.dispose()
        if store is not None:
            store.close()
    rows = [{"province": i.province, "window": i.window, "lang": i.lang, "format": i.format,
             "status": "issued" if i.new else "archived already", "path": i.path} for i in issued]
    rows += [{"province": f.province, "window": f.window or "", "lang": "", "format": "",
              "status": "failed", "path": f.reason} for f in failures]
    emit(format, rows, rows, f"{sum(i.new for i in issued)} bulletins issued")
    if failures:
        raise ChisoError(f"{len(failures)} schedule(s) could not issue their bulletin: "
                         + "; ".join(f"schedule {f.schedule_id} ({f.province} {f.window}): {f.reason}"
                                     for f in failures))


@app.command("task-followup")
@handled
def task_followup(province: ProvinceOpt = None,
                  unit: Annotated[Optional[str], typer.Option("--unit", "-u", help="one lead agency's tasks "
                                                              "(a unit code, e.g. 24-SXD); default: every agency")]
                  = None,
                  as_of: Annotated[Optional[str], typer.Option("--as-of", help="count at this day (YYYY-MM-DD); "
                                                               "default: today in CHISO_TIMEZONE")] = None,
                  out: Annotated[Optional[Path], typer.Option("--out", "-o", help="file to write (default: "
                                                              "nhiem-vu-chua-hoan-thanh-<unit>-<day>.xlsx here)")]
                  = None) -> None:
    """Danh sách nhiệm vụ chưa hoàn thành (XLSX) the office sends to agencies: open tasks with their
    document, content, deadline, state, days overdue and last progress."""
    # lazy: only this command needs them; `chiso --help` stays light (decision 44)
    from chiso.collect.values.submit import local_today
    from chiso.reports.task_followup import file_name, followup_rows, followup_workbook
    from chiso.units import load_units
    from chiso.web.security.tasks import office_unit

    code = province_code(province)
    tree = load_units()
    if unit is not None and (unit not in tree or tree.province_of(unit).code != code or unit == code):
        raise ChisoError(f"--unit {unit!r} is not a department or commune of province {code}")
    try:
        day = dt.date.fromisoformat(as_of) if as_of else local_today()
    except ValueError:
        raise ChisoError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
    office = office_unit(code)
    db = _database()
    try:
        with db.session() as s:
            rows = followup_rows(s, code, day, tree, unit=unit)
    finally:
        db.dispose()
    content = followup_workbook(rows, province=code, as_of=day, tree=tree, office=office, unit=unit)
    path = out or Path(file_name(code, day, unit))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    overdue = sum(1 for r in rows if r.state == "open_overdue")
    echo(f"{path} ({len(rows)} nhiệm vụ chưa hoàn thành, {overdue} quá hạn / {len(rows)} open, {overdue} overdue)")


@app.command("archive")
@handled
def archive(province: ProvinceOpt = None, limit: int = 100,
            format: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Issued bulletins, newest first: window, language, format, file, SHA-256, who and when."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_reports import list_archive

    db = _database()
    try:
        with db.session() as s:
            rows = [{"id": r.id, "province": r.province, "window": r.window, "lang": r.lang, "format": r.format,
                     "path": r.path, "sha256": r.sha256, "size": r.size, "issued_by": r.issued_by,
                     "issued_at": r.issued_at.isoformat(), "schedule": r.schedule_id}
                    for r in list_archive(s, province=province, limit=limit)]
    finally:
        db.dispose()
    emit(format, rows, rows, f"{len(rows)} bulletins archived")
