"""``chiso tasks``: the register of assigned tasks (nhiệm vụ được giao) — import, list, show.

``import`` reads a document-management system's export (CSV, XLSX) through
``chiso.collect.tasks.imports.import_tasks``: every task written, or none and every problem
named (file, row, column, reason) with exit code 1. ``list`` gives the states at a date
(``chiso.evaluate.tasks.register.states_at``), ``show`` one task with its history and
timeline. Thin: each command calls one function and prints what it answers.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from chiso.cli.common import Format, echo, emit, err, handled, province_code, store_session
from chiso.errors import ChisoError, LoadError
from chiso.tasks.model import EVENT_NAMES, STATE_NAMES, STATES

app = typer.Typer(help="Nhiệm vụ được giao / assigned tasks: import an export, list by state, show one.",
                  no_args_is_help=True)

ProvinceOpt = Annotated[Optional[str], typer.Option("--province", "-p",
                                                    help="province code (default: CHISO_PROVINCE)")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f")]
AtOpt = Annotated[Optional[dt.datetime], typer.Option(
    "--at", formats=["%Y-%m-%d"], help="the day the states are computed at (default: today in Việt Nam)")]


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _today(at: dt.datetime | None) -> dt.date:
    # lazy: only these commands need it; `chiso --help` stays light (decision 44)
    from chiso.collect.values.submit import local_today

    return at.date() if at else local_today()


@app.command("import")
def import_file(file: Annotated[Path, typer.Argument(help="the export: CSV or XLSX, one row per task")],
                by: Annotated[str, typer.Option("--by", help="who imports (recorded)")] = "cli",
                province: ProvinceOpt = None, format: FormatOpt = Format.table) -> None:
    """Import an export (CSV, XLSX); a bad row: exit 1, every problem named, nothing written."""
    handled(_import)(file, by, province, format)


def _import(file: Path, by: str, province: str | None, format: Format) -> None:
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.collect.tasks.imports import import_tasks
    from chiso.store.repo_catalogue import current_catalogue
    from chiso.units import load_units

    code = province_code(province)
    try:
        with store_session() as session:
            result = import_tasks(session, file, name=file.name, province=code, tree=load_units(),
                                  catalogue=current_catalogue(session, code), by=by, source="file")
    except LoadError as exc:  # a bad file: exit 1 with every problem (other errors: exit 2)
        err.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    doc = {"file": file.name, "created": result.created, "changed": result.changed,
           "unchanged": result.unchanged, "codes": list(result.codes)}
    if format == Format.table:
        echo(f"{file.name}: {result.created} nhiệm vụ mới, {result.changed} thay đổi, {result.unchanged} "
             f"không đổi / {result.created} created, {result.changed} changed, {result.unchanged} unchanged")
    else:
        emit(format, doc, [{k: v for k, v in doc.items() if k != "codes"}], "tasks")


@app.command("list")
@handled
def list_tasks(unit: Annotated[Optional[str], typer.Option(help="only tasks this unit leads (its code)")] = None,
               state: Annotated[Optional[str], typer.Option(help=f"only this state: {', '.join(STATES)}")] = None,
               at: AtOpt = None, province: ProvinceOpt = None, format: FormatOpt = Format.table) -> None:
    """Every task (each instance of a recurring one) with its state at a date."""
    import polars as pl

    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.tasks.register import states_at
    from chiso.store.repo_tasks import all_tasks

    if state is not None and state not in STATES:
        raise ChisoError(f"--state {state!r}: write one of {', '.join(STATES)}")
    code, day = province_code(province), _today(at)
    with store_session() as session:
        tasks = {t.code: t for t in all_tasks(session, code)}
        frame = states_at(session, code, [day], tasks=tasks.values()) if tasks else None
    if frame is not None and unit is not None:
        frame = frame.filter(pl.col("lead_unit") == unit)
    if frame is not None and state is not None:
        frame = frame.filter(pl.col("state") == state)
    rows = []
    for r in (frame.sort("task", "key").iter_rows(named=True) if frame is not None else ()):
        t = tasks[r["task"]]
        rows.append({"code": r["task"], "instance": r["key"], "lead_unit": r["lead_unit"],
                     "state": r["state"], "deadline": _iso(r["deadline"]), "overdue_days": r["overdue_days"],
                     "bucket": r["bucket"], "due_soon": r["due_soon"], "updated": r["updated"],
                     "starred": r["starred"], "document": t.doc_number, "content": t.content,
                     "external_id": t.external_id})
    table = [{"mã": r["code"], "kỳ": r["instance"], "chủ trì": r["lead_unit"],
              "trạng thái": STATE_NAMES[r["state"]][0], "thời hạn": _dmy(r["deadline"]),
              "quá hạn (ngày)": r["overdue_days"] if r["state"] == "open_overdue" else "",
              "★": "★" if r["starred"] else "", "nội dung": _short(r["content"])} for r in rows]
    emit(format, {"at": day.isoformat(), "tasks": rows}, rows, f"{len(rows)} nhiệm vụ ngày {day:%d/%m/%Y}",
         table_rows=table)


def _dmy(iso: str | None) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else "—"


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


@app.command("show")
@handled
def show(code: Annotated[str, typer.Argument(help="the register code (NV-2026-00001) or the external id")],
         at: AtOpt = None, province: ProvinceOpt = None, format: FormatOpt = Format.table) -> None:
    """One task: what it is, its state (each instance's), its changes and its timeline."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.tasks.register import states_at
    from chiso.store import repo_tasks

    day = _today(at)
    with store_session() as session:
        row = repo_tasks.find_task(session, code=code) or repo_tasks.find_task(session, external_id=code)
        if row is None:
            raise ChisoError(f"không có nhiệm vụ {code!r} / no task {code!r}")
        states = states_at(session, row.province_code, [day], tasks=[row])
        changes = [{"revision": c.revision, "at": _iso(c.at), "by": c.by, "source": c.source, "change": c.change}
                   for c in repo_tasks.history(session, row.id)]
        events = [{"instance": e.instance, "kind": e.kind, "day": _iso(e.day), "at": _iso(e.at), "by": e.by,
                   "unit": e.unit_code, "percent": e.percent, "text": e.text, "requested": _iso(e.requested),
                   "granted": _iso(e.granted), "decision": e.decision, "evidence": e.evidence}
                  for e in repo_tasks.events(session, row.id)]
    task = {"code": row.code, "external_id": row.external_id, "source": row.source, "revision": row.revision,
            "document": {"number": row.doc_number, "date": _iso(row.doc_date), "summary": row.doc_summary,
                         "issuer": row.doc_issuer, "link": row.doc_link},
            "content": row.content, "assigned_by": row.assigned_by, "assigned_on": _iso(row.assigned_on),
            "lead_unit": row.lead_unit, "co_units": list(row.co_units or []),
            "deadline": {"kind": row.deadline_kind, "day": _iso(row.deadline), "due_day": row.due_day,
                         "until": _iso(row.until), "text": row.deadline_text},
            "starred": bool(row.starred), "field": row.field, "indicators": list(row.indicators or [])}
    instances = [{"instance": r["key"], "state": r["state"], "deadline": _iso(r["deadline"]),
                  "overdue_days": r["overdue_days"], "bucket": r["bucket"], "due_soon": r["due_soon"],
                  "updated": r["updated"]} for r in states.sort("key").iter_rows(named=True)]
    doc = {"at": day.isoformat(), "task": task, "instances": instances, "history": changes, "timeline": events}
    if format == Format.json:
        emit(format, doc, [], "")
        return
    if format == Format.csv:
        emit(format, doc, events, "")
        return
    _print_task(task, instances, changes, events, day)


DECISION_WORDS = {"approved": "đồng ý", "refused": "không đồng ý", "accepted": "xác nhận", "returned": "trả lại"}


def _print_task(task: dict, instances: list[dict], changes: list[dict], events: list[dict], day: dt.date) -> None:
    d, dl = task["document"], task["deadline"]
    lines = [f"{task['code']} ({task['external_id'] or '—'})" + (" ★ trọng tâm" if task["starred"] else ""),
             f"  Nội dung: {task['content']}",
             f"  Văn bản: {d['number']}" + (f" ngày {_dmy(d['date'])}" if d["date"] else "")
             + (f" — {d['summary']}" if d["summary"] else "") + (f" ({d['issuer']})" if d["issuer"] else ""),
             f"  Người giao: {task['assigned_by'] or '—'}; ngày giao: {_dmy(task['assigned_on'])}",
             f"  Chủ trì: {task['lead_unit']}; phối hợp: {', '.join(task['co_units']) or '—'}",
             f"  Thời hạn: {dl['text'] or '—'}" + (f" → {_dmy(dl['day'])}" if dl["day"] else "")
             + (f" (đến {_dmy(dl['until'])})" if dl["until"] else ""),
             f"  Lĩnh vực: {task['field'] or '—'}; chỉ số: {', '.join(task['indicators']) or '—'}",
             f"Trạng thái ngày {day:%d/%m/%Y}:"]
    for i in instances:
        late = f", quá hạn {i['overdue_days']} ngày" if i["overdue_days"] else ""
        lines.append(f"  {i['instance'] or '(một lần)'}: {STATE_NAMES[i['state']][0]}; thời hạn "
                     f"{_dmy(i['deadline'])}{late}")
    if not instances:
        lines.append("  (chưa đến ngày giao)")
    lines.append(f"Lịch sử thay đổi: {len(changes)}")
    for c in changes:
        lines.append(f"  lần {c['revision']} — {c['at']} {c['by']} ({c['source']}): "
                     + "; ".join(f"{k}: {before!r} → {after!r}" for k, (before, after) in c["change"].items()))
    lines.append(f"Diễn biến: {len(events)}")
    for e in events:
        extra = [f"{e['percent']}%" if e["percent"] is not None else "",
                 f"đề nghị đến {_dmy(e['requested'])}" if e["requested"] else "",
                 f"gia hạn đến {_dmy(e['granted'])}" if e["granted"] else "", DECISION_WORDS.get(e["decision"], ""),
                 e["text"] or ""]
        lines.append(f"  {_dmy(e['day'])} {e['instance'] or ''} {EVENT_NAMES[e['kind']][0]} — {e['by']} ({e['unit']})"
                     + (": " + "; ".join(x for x in extra if x) if any(extra) else ""))
    echo("\n".join(lines))
