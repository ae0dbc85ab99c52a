"""Danh sách nhiệm vụ chưa hoàn thành — the follow-up list the office sends to agencies (XLSX).

The People's Committee Office (Văn phòng UBND tỉnh) regularly sends each agency the tasks it
still owes, to urge them on (văn bản đôn đốc). ``followup_rows`` reads them from the register:
every open instance (in time or overdue) at ``as_of`` of the province's tasks, or of the tasks
one unit leads, with its document, content, deadline, state, days overdue and the last progress
the lead unit reported. ``followup_workbook`` writes them (xlsxwriter), in the official style:

- sheet **"Danh sách"**: the two-column heading of an administrative document (the issuing
  body on the left, the national motto on the right), the place and date, the title and what
  it covers, then one row per task with the lead agency as a column (sorted by agency, then
  most days overdue first) — frozen header, filters, widths, printed landscape on A4 fitting
  the page width, header repeated on every page;
- sheet **"Tổng hợp"**: per agency, the open tasks, those overdue and those more than 120 days
  overdue, with the total.

States are the register's (``chiso.evaluate.tasks.register.states_at``): computed, never typed.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.evaluate.tasks.register import states_at
from chiso.store import repo_tasks
from chiso.store.models_tasks import TaskEvent
from chiso.tasks.model import STATE_NAMES
from chiso.tasks.states import Policy
from chiso.units.registry import UnitTree, short_name

SHEET = "Danh sách"
SUMMARY = "Tổng hợp"
#: The list's columns: (header, width).
COLUMNS: tuple[tuple[str, int], ...] = (
    ("STT", 5), ("Đơn vị chủ trì", 24), ("Mã nhiệm vụ", 15), ("Văn bản giao nhiệm vụ", 30),
    ("Nội dung nhiệm vụ", 48), ("Đơn vị phối hợp", 22), ("Người giao", 20), ("Thời hạn", 12),
    ("Trạng thái", 16), ("Số ngày quá hạn", 10), ("Tiến độ cập nhật gần nhất", 40), ("Trọng tâm", 9),
)
SUMMARY_COLUMNS: tuple[tuple[str, int], ...] = (
    ("STT", 5), ("Đơn vị chủ trì", 36), ("Đang thực hiện", 14), ("Trong đó quá hạn", 14),
    ("Quá hạn trên 120 ngày", 14))


@dataclass(frozen=True)
class FollowupRow:
    """One open task instance to follow up."""

    unit_code: str
    unit_name: str
    code: str
    instance: str            # "" for a one-off task, else its period
    document: str            # "125/TB-UBND ngày 12/03/2026 — trích yếu"
    content: str
    co_units: str            # names, separated by "; "
    assigned_by: str
    deadline: dt.date | None
    state: str               # open_in_time | open_overdue
    days_overdue: int
    last_progress: str       # "05/12/2026 — 60% — text", or ""
    starred: bool


def _date(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _name(tree: UnitTree, code: str) -> str:
    return tree.get(code).name if code in tree else code


def followup_rows(session: Session, province: str, as_of: dt.date, tree: UnitTree, *, unit: str | None = None,
                  policy: Policy | None = None) -> list[FollowupRow]:
    """The open task instances of ``province`` (of the tasks ``unit`` leads, when given) at ``as_of``,
    by agency and then most days overdue first."""
    tasks = [r for r in repo_tasks.all_tasks(session, province) if unit is None or r.lead_unit == unit]
    if not tasks:
        return []
    states = states_at(session, province, [as_of], policy=policy, tasks=tasks)
    open_ = states.filter(pl.col("state").is_in(["open_in_time", "open_overdue"]))
    if open_.is_empty():
        return []
    by_code = {r.code: r for r in tasks}
    progress = _last_progress(session, [by_code[c].id for c in set(open_["task"].to_list())], as_of)
    out = []
    for r in open_.iter_rows(named=True):
        row = by_code[r["task"]]
        doc = row.doc_number + (f" ngày {_date(row.doc_date)}" if row.doc_date else "")
        if row.doc_summary:
            doc += f" — {row.doc_summary}"
        last = progress.get((row.id, r["key"]))
        said = ""
        if last is not None:
            said = " — ".join(p for p in (_date(last.day), f"{last.percent}%" if last.percent is not None else "",
                                          (last.text or "").strip()) if p)
        out.append(FollowupRow(row.lead_unit, _name(tree, row.lead_unit), row.code, r["key"], doc, row.content,
                               "; ".join(_name(tree, c) for c in (row.co_units or ())), row.assigned_by or "",
                               r["deadline"], r["state"], int(r["overdue_days"]), said, bool(row.starred)))
    return sorted(out, key=lambda x: (x.unit_name, -x.days_overdue, x.deadline or dt.date.max, x.code, x.instance))


def _last_progress(session: Session, task_ids: Iterable[int], as_of: dt.date) -> dict[tuple[int, str], TaskEvent]:
    """The last progress update of each (task, instance) on or before ``as_of``."""
    ids = list(task_ids)
    out: dict[tuple[int, str], TaskEvent] = {}
    if not ids:
        return out
    query = (select(TaskEvent).where(TaskEvent.task_id.in_(ids), TaskEvent.kind == "progress", TaskEvent.day <= as_of)
             .order_by(TaskEvent.day, TaskEvent.at, TaskEvent.id))
    for e in session.scalars(query):
        out[(e.task_id, e.instance)] = e
    return out


def followup_workbook(rows: list[FollowupRow], *, province: str, as_of: dt.date, tree: UnitTree,
                      office: str, unit: str | None = None) -> bytes:
    """The follow-up list as XLSX bytes (``office``: the issuing unit's code)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    font = {"font_name": "Times New Roman", "font_size": 12}
    f = {
        "body": wb.add_format({**font, "align": "center", "bold": True}),
        "body_under": wb.add_format({**font, "align": "center", "bold": True, "underline": True}),
        "motto": wb.add_format({**font, "align": "center", "bold": True}),
        "date": wb.add_format({**font, "align": "center", "italic": True}),
        "title": wb.add_format({**font, "font_size": 14, "align": "center", "bold": True, "text_wrap": True}),
        "sub": wb.add_format({**font, "align": "center", "italic": True, "text_wrap": True}),
        "head": wb.add_format({**font, "font_size": 11, "bold": True, "align": "center", "valign": "vcenter",
                               "text_wrap": True, "border": 1, "bg_color": "#D9E1F2"}),
        "cell": wb.add_format({**font, "font_size": 11, "valign": "top", "text_wrap": True, "border": 1}),
        "num": wb.add_format({**font, "font_size": 11, "valign": "top", "align": "center", "border": 1}),
        "late": wb.add_format({**font, "font_size": 11, "valign": "top", "align": "center", "border": 1,
                               "bold": True, "font_color": "#C00000"}),
        "total": wb.add_format({**font, "font_size": 11, "bold": True, "border": 1, "align": "center"}),
        "total_name": wb.add_format({**font, "font_size": 11, "bold": True, "border": 1}),
        "note": wb.add_format({**font, "font_size": 11, "italic": True}),
    }
    prov = tree.get(province)
    place = short_name(prov)
    tier = "THÀNH PHỐ" if (prov.type or "").startswith("thành phố") else "TỈNH"
    issuer_top = f"ỦY BAN NHÂN DÂN {tier} {place.upper()}"
    office_name = _name(tree, office)
    issuer = "VĂN PHÒNG" if office_name.lower().startswith("văn phòng") else office_name.upper()
    date_line = f"{place}, ngày {as_of.day:02d} tháng {as_of.month:02d} năm {as_of.year}"
    scope = f"Đơn vị chủ trì: {_name(tree, unit)}" if unit else "Các sở, ban, ngành và xã, phường"
    title = "DANH SÁCH NHIỆM VỤ UBND TỈNH, CHỦ TỊCH UBND TỈNH GIAO CHƯA HOÀN THÀNH"
    sub = f"({scope}; tính đến ngày {_date(as_of)})"

    ws = wb.add_worksheet(SHEET)
    last = len(COLUMNS) - 1
    _heading(ws, f, last, issuer_top, issuer, date_line, title, sub)
    top = 7
    for col, (header, width) in enumerate(COLUMNS):
        ws.write_string(top, col, header, f["head"])
        ws.set_column(col, col, width)
    ws.set_row(top, 32)
    for i, r in enumerate(rows, start=1):
        y = top + i
        state = STATE_NAMES[r.state][0]
        code = r.code + (f" ({r.instance})" if r.instance else "")
        ws.write_number(y, 0, i, f["num"])
        for col, value in ((1, r.unit_name), (2, code), (3, r.document), (4, r.content), (5, r.co_units),
                           (6, r.assigned_by), (7, _date(r.deadline) or "Không có thời hạn"), (8, state),
                           (10, r.last_progress or "Chưa cập nhật")):
            ws.write_string(y, col, value, f["cell"])
        if r.days_overdue:
            ws.write_number(y, 9, r.days_overdue, f["late"])
        else:
            ws.write_blank(y, 9, None, f["num"])
        ws.write_string(y, 11, "x" if r.starred else "", f["num"])
    if not rows:
        ws.merge_range(top + 1, 0, top + 1, last, "Không có nhiệm vụ chưa hoàn thành.", f["note"])
    ws.freeze_panes(top + 1, 0)
    ws.autofilter(top, 0, top + max(len(rows), 1), last)
    ws.repeat_rows(top)
    _page(ws)

    ss = wb.add_worksheet(SUMMARY)
    slast = len(SUMMARY_COLUMNS) - 1
    _heading(ss, f, slast, issuer_top, issuer, date_line, "TỔNG HỢP NHIỆM VỤ CHƯA HOÀN THÀNH THEO ĐƠN VỊ", sub)
    for col, (header, width) in enumerate(SUMMARY_COLUMNS):
        ss.write_string(top, col, header, f["head"])
        ss.set_column(col, col, width)
    ss.set_row(top, 32)
    per: dict[str, list[int]] = {}
    for r in rows:
        n = per.setdefault(r.unit_name, [0, 0, 0])
        n[0] += 1
        n[1] += r.state == "open_overdue"
        n[2] += r.state == "open_overdue" and r.days_overdue > 120
    units = sorted(per, key=lambda name: (-per[name][1], name))
    for i, name in enumerate(units, start=1):
        ss.write_number(top + i, 0, i, f["num"])
        ss.write_string(top + i, 1, name, f["cell"])
        for col, v in enumerate(per[name], start=2):
            ss.write_number(top + i, col, v, f["num"])
    y = top + len(units) + 1
    ss.write_blank(y, 0, None, f["total"])
    ss.write_string(y, 1, "Tổng cộng", f["total_name"])
    for col in range(3):
        ss.write_number(y, col + 2, sum(v[col] for v in per.values()), f["total"])
    ss.freeze_panes(top + 1, 0)
    _page(ss)
    wb.close()
    return buf.getvalue()


def _heading(ws, f, last: int, issuer_top: str, issuer: str, date_line: str, title: str, sub: str) -> None:
    """The two-column heading of an administrative document, the date, the title."""
    left_end = min(3, last // 2)
    ws.merge_range(0, 0, 0, left_end, issuer_top, f["body"])
    ws.merge_range(1, 0, 1, left_end, issuer, f["body_under"])
    ws.merge_range(0, left_end + 1, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f["motto"])
    ws.merge_range(1, left_end + 1, 1, last, "Độc lập - Tự do - Hạnh phúc", f["body_under"])
    ws.merge_range(3, left_end + 1, 3, last, date_line, f["date"])
    ws.merge_range(4, 0, 4, last, title, f["title"])
    ws.merge_range(5, 0, 5, last, sub, f["sub"])
    ws.set_row(4, 36)


def _page(ws) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer("&CTrang &P/&N")


def file_name(province: str, as_of: dt.date, unit: str | None = None) -> str:
    """nhiem-vu-chua-hoan-thanh-24-2026-12-06.xlsx (…-24-SXD-… for one agency)."""
    return f"nhiem-vu-chua-hoan-thanh-{unit or province}-{as_of.isoformat()}.xlsx"
