"""Mẫu nhập số liệu (the values template): a workbook pre-filled with the rows an agency owes
for one period, that the ordinary upload reads back.

One row per indicator the agency owns that is submitted (no formula, not the index engine),
live, of the period's kind (a month's template holds the monthly indicators), valid in that
period — × every unit the indicator is reported for (its levels in the owner's province).
Each row has its codes and the period filled in, the value and the note empty, and for
reference the names, the unit of measure, the previous period's value in force and the
value already in force for this period, if any.

The workbook (xlsxwriter):

- sheet **"Số liệu"** first (the upload reads the first sheet): header in row 1 with the
  headers the reader knows (``mã chỉ số``, ``mã đơn vị``, ``kỳ``, ``giá trị``, ``ghi chú``),
  reference columns whose headers end in ``(tham khảo)`` (the reader leaves them out,
  ``chiso.collect.values.batch.REFERENCE``), frozen header, column widths, data-validation
  lists for indicator codes, unit codes and periods (from the hidden "Danh sách" sheet),
  number validation on the value column;
- sheet **"Hướng dẫn"**: how to fill it in, in Vietnamese;
- sheet **"Danh sách"** (hidden): the lists.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from chiso.catalog.indicator import Indicator
from chiso.collect.values.rules import EXAMPLE, PERIOD_KIND, Units, expected_units
from chiso.errors import ChisoError
from chiso.periods.spoken import spoken_period
from chiso.periods.windows import Window, parse_window
from chiso.store.repo_values import current_values
from chiso.text import format_number

#: The sheet the upload reads (the first).
SHEET = "Số liệu"
GUIDE = "Hướng dẫn"
LISTS = "Danh sách"
#: A header ending in this is for people only: the upload leaves the column out.
REFERENCE_MARK = "(tham khảo)"

#: The template's columns: (header, width, the batch column it fills or None for reference).
COLUMNS: tuple[tuple[str, int, str | None], ...] = (
    ("Mã chỉ số", 18, "indicator"),
    (f"Tên chỉ số {REFERENCE_MARK}", 46, None),
    ("Mã đơn vị", 12, "unit"),
    (f"Tên đơn vị {REFERENCE_MARK}", 30, None),
    ("Kỳ", 11, "period"),
    (f"Đơn vị tính {REFERENCE_MARK}", 14, None),
    (f"Giá trị kỳ trước {REFERENCE_MARK}", 18, None),
    (f"Giá trị đã nộp kỳ này {REFERENCE_MARK}", 18, None),
    ("Giá trị", 14, "value"),
    ("Ghi chú", 36, "note"),
)
VALUE_COLUMN = next(i for i, c in enumerate(COLUMNS) if c[2] == "value")
#: How many periods before the template's are offered in the period list.
EARLIER_PERIODS = 5


class TemplateError(ChisoError):
    """A template that cannot be made: a period that is not one, or one not begun."""


@dataclass(frozen=True)
class TemplateRow:
    """One row owed: indicator × unit × period, with what is shown for reference."""

    indicator: str
    indicator_name: str
    unit: str
    unit_name: str
    period: str
    measure: str
    previous: float | None     # the previous period's value in force
    current: float | None      # the value in force for this period, if one was sent


def period_window(label: str, today: dt.date) -> Window:
    """The template's period: a week, month, quarter or year (or a day), begun by today."""
    try:
        window = parse_window(label.strip())
    except ChisoError as exc:
        raise TemplateError(f"period {label!r}: {exc}") from None
    if window.kind not in PERIOD_KIND.values():
        raise TemplateError(f"period {label!r}: a template is made for one period — write "
                            + ", ".join(EXAMPLE[k] for k in ("week", "month", "quarter", "year")))
    if window.start > today:
        raise TemplateError(f"period {window.label} has not begun yet")
    return window


def owed_indicators(catalogue: Mapping[str, Indicator], agency: str, window: Window) -> list[Indicator]:
    """The indicators ``agency`` submits for a period like ``window``: its own, collected (no
    formula, not the index engine), not retired, of the period's kind, valid in it."""
    out = []
    for ind in catalogue.values():
        if ind.owner != agency or not ind.collected or ind.status == "retired":
            continue
        if PERIOD_KIND.get(ind.frequency) != window.kind:
            continue
        if (ind.valid_from is not None and window.end < ind.valid_from) or (
                ind.valid_to is not None and window.start > ind.valid_to):
            continue
        out.append(ind)
    return sorted(out, key=lambda i: i.code)


def _in_force(values: pl.DataFrame, period: str) -> dict[tuple[str, str], float]:
    if values.is_empty():
        return {}
    rows = values.filter(pl.col("period") == period).select("indicator", "unit_code", "value").rows()
    return {(i, u): v for i, u, v in rows}


def template_rows(catalogue: Mapping[str, Indicator], units: Units, agency: str, window: Window,
                  values: pl.DataFrame) -> list[TemplateRow]:
    """The rows ``agency`` owes for ``window``; ``values`` is the values relation (at least the
    agency's indicators for this period and the one before) for the reference columns."""
    before = _in_force(values, window.previous().label)
    now = _in_force(values, window.label)
    rows = []
    for ind in owed_indicators(catalogue, agency, window):
        for unit in expected_units(ind, units):
            rows.append(TemplateRow(ind.code, ind.name, unit.code, unit.name, window.label, ind.unit,
                                    before.get((ind.code, unit.code)), now.get((ind.code, unit.code))))
    return rows


def earlier_periods(window: Window, n: int = EARLIER_PERIODS) -> list[str]:
    """The period and the ``n`` before it, latest first (the period list of the sheet)."""
    out, w = [window.label], window
    for _ in range(n):
        w = w.previous()
        out.append(w.label)
    return out


def write_template(rows: list[TemplateRow], *, agency: str, agency_name: str, window: Window,
                   indicator_codes: list[str], unit_codes: list[str], periods: list[str],
                   made: dt.datetime) -> bytes:
    """The workbook's bytes."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    head = wb.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF", "text_wrap": True,
                          "valign": "top", "border": 1})
    ref_head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "valign": "top", "border": 1})
    text = wb.add_format({"num_format": "@"})
    ref = wb.add_format({"num_format": "@", "font_color": "#555555", "bg_color": "#F2F2F2"})
    ref_num = wb.add_format({"num_format": "#,##0.##", "font_color": "#555555", "bg_color": "#F2F2F2"})
    entry = wb.add_format({"bg_color": "#FFF9E5", "border": 1, "border_color": "#BFBFBF"})
    entry_text = wb.add_format({"bg_color": "#FFF9E5", "border": 1, "border_color": "#BFBFBF", "num_format": "@"})
    bold = wb.add_format({"bold": True, "font_size": 13})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    ws = wb.add_worksheet(SHEET)
    ws.set_row(0, 32)
    for c, (header, width, column) in enumerate(COLUMNS):
        ws.write_string(0, c, header, head if column else ref_head)
        ws.set_column(c, c, width)
    ws.freeze_panes(1, 1)
    for r, row in enumerate(rows, start=1):
        ws.write_string(r, 0, row.indicator, text)
        ws.write_string(r, 1, row.indicator_name, ref)
        ws.write_string(r, 2, row.unit, text)
        ws.write_string(r, 3, row.unit_name, ref)
        ws.write_string(r, 4, row.period, text)
        ws.write_string(r, 5, row.measure, ref)
        for c, v in ((6, row.previous), (7, row.current)):
            if v is None:
                ws.write_blank(r, c, None, ref)
            else:
                ws.write_number(r, c, v, ref_num)
        ws.write_blank(r, VALUE_COLUMN, None, entry)
        ws.write_blank(r, VALUE_COLUMN + 1, None, entry_text)
    last = max(len(rows), 1) + 200  # room for rows added by hand
    ws.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)

    lists = wb.add_worksheet(LISTS)
    for c, (title, items) in enumerate((("Mã chỉ số", indicator_codes), ("Mã đơn vị", unit_codes),
                                        ("Kỳ", periods))):
        lists.write_string(0, c, title, head)
        for r, item in enumerate(items, start=1):
            lists.write_string(r, c, item, text)
        lists.set_column(c, c, 18)
    lists.hide()

    def source(c: int, n: int) -> str:
        col = xl_col_to_name(c)
        return f"='{LISTS}'!${col}$2:${col}${max(n, 1) + 1}"

    for c, n, what in ((0, len(indicator_codes), "mã chỉ số"), (2, len(unit_codes), "mã đơn vị"),
                       (4, len(periods), "kỳ")):
        ws.data_validation(1, c, last, c, {
            "validate": "list", "source": source({0: 0, 2: 1, 4: 2}[c], n),
            "error_title": "Giá trị không hợp lệ", "error_message": f"Hãy chọn {what} trong danh sách.",
            "input_title": what.capitalize(), "input_message": f"Chọn {what} trong danh sách."})
    ws.data_validation(1, VALUE_COLUMN, last, VALUE_COLUMN, {
        "validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
        "error_title": "Không phải là số", "error_message": "Giá trị phải là một số, ví dụ 1520,5 — không có "
                                                            "chữ cái (chữ O thay số 0) hay khoảng trắng lạ.",
        "input_title": "Giá trị", "input_message": "Nhập một số theo đơn vị tính của chỉ số."})

    guide = wb.add_worksheet(GUIDE)
    guide.set_column(0, 0, 110)
    label = spoken_period(window.label, "vi")
    lines = [
        (f"Mẫu nhập số liệu — {agency_name} ({agency}) — {label}", bold),
        (f"Lập lúc {made.strftime('%d/%m/%Y %H:%M')} (giờ máy chủ). Trang tính \"{SHEET}\" có "
         f"{format_number(len(rows), 0, 'vi')} dòng đơn vị phải nộp kỳ này: mỗi chỉ số đơn vị chủ trì × mỗi đơn vị "
         "báo cáo.", wrap),
        ("Cách điền:", bold),
        (f"1. Ở trang tính \"{SHEET}\", nhập số vào cột \"Giá trị\" (ô nền vàng) của mỗi dòng; ghi chú nếu cần "
         "(bắt buộc giải thích khi số liệu khác thường).", wrap),
        ("2. Không sửa các cột \"Mã chỉ số\", \"Mã đơn vị\", \"Kỳ\" — hãy chọn trong danh sách nếu thêm dòng. "
         "Các cột ghi \"(tham khảo)\" chỉ để đối chiếu, hệ thống bỏ qua khi nộp.", wrap),
        ("3. Số viết 1520,5 hoặc 1520.5; không dùng chữ cái (chữ O thay số 0), không thêm đơn vị tính vào ô.", wrap),
        ("4. Dòng để trống cột \"Giá trị\" thì xoá đi trước khi nộp (hoặc gửi dạng bản nháp nếu chưa đủ số liệu).",
         wrap),
        ("5. Lưu tệp (.xlsx) và nộp ở trang \"Nộp số liệu\" (/submissions) hoặc bằng lệnh "
         "chiso values submit. Cả lô được tiếp nhận hoặc bị từ chối toàn bộ; báo cáo lỗi ghi đúng số dòng của "
         f"trang tính \"{SHEET}\" (dòng 1 là tiêu đề, dòng số liệu đầu tiên là dòng 2).", wrap),
        ("6. Số liệu của cán bộ nhập liệu chờ thủ trưởng đơn vị duyệt; sửa số đã nộp phải ghi lý do.", wrap),
    ]
    for r, (line, fmt) in enumerate(lines):
        guide.write_string(r, 0, line, fmt)
    ws.activate()
    wb.close()
    return buf.getvalue()


def build_template(session, catalogue: Mapping[str, Indicator], units: Units, agency: str, period: str, *,
                   today: dt.date, now: dt.datetime) -> tuple[bytes, list[TemplateRow], Window]:
    """The workbook of the rows ``agency`` owes for ``period``, with the values in force read
    from the store (``session``); also its rows and window."""
    window = period_window(period, today)
    owed = owed_indicators(catalogue, agency, window)
    province = units.get(agency).province_code if agency in units else None
    values = current_values(session, province, [i.code for i in owed]) if owed else pl.DataFrame()
    rows = template_rows(catalogue, units, agency, window, values)
    unit_codes = sorted({r.unit for r in rows})
    data = write_template(rows, agency=agency, agency_name=units.get(agency).name if agency in units else agency,
                          window=window, indicator_codes=[i.code for i in owed], unit_codes=unit_codes,
                          periods=earlier_periods(window), made=now)
    return data, rows, window
