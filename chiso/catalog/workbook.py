"""The catalogue as an Excel workbook: one row per indicator, as provincial offices
circulate lists for comment; and the same workbook read back.

Sheets:

- ``Chỉ số`` — one row per indicator. Row 1: Vietnamese headers; row 2: the attribute key
  (English, ``aggregation.units``), which is what import reads, so columns may be moved
  and Vietnamese headers reworded. Frozen headers and code column, drop-down lists for the
  coded attributes.
- ``Lĩnh vực`` — the fields (code, name, name_en).
- ``Thông tin`` — province and the catalogue's version label; the meaning of each code.
- ``Hướng dẫn`` — every column: header, key, how a cell is written.
- ``Đơn vị`` — the province's units (the owner list).
- ``Lịch sử`` — lifecycle moves (who, when, comment); informative, not read back.

Cells that hold more than one value (docs/catalogue.md):

- lists (breakdowns, levels, other_sources): items separated by ``;``;
- targets: one per line, ``PERIOD[ @UNIT]: VALUE[ (BASIS)]`` — ``2026: 62000 (Nghị quyết
  HĐND tỉnh)``, ``2026-Q3 @24-STC: 15000``;
- yes/no (cumulative, public): ``có`` or ``không``;
- dates: ``YYYY-MM-DD``.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastexcel
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from chiso.catalog.entries import Catalogue, RawCatalogue, SheetPlace
from chiso.catalog.indicator import GROUPS, LIFECYCLE, TASK_MEASURES, Indicator
from chiso.catalog.lifecycle import STATE_LABELS
from chiso.errors import ChisoError, LoadError, Problem
from chiso.files.guards import check_workbook
from chiso.files.limits import current_limits
from chiso.units.registry import load_units

SHEET_INDICATORS = "Chỉ số"
SHEET_FIELDS = "Lĩnh vực"
SHEET_INFO = "Thông tin"
SHEET_GUIDE = "Hướng dẫn"
SHEET_UNITS = "Đơn vị"
SHEET_HISTORY = "Lịch sử"
HEADER_ROWS = 2          # Vietnamese header, then the attribute key
SPARE_ROWS = 200         # rows below the data that keep the drop-down lists, for additions

POLARITIES = {"higher": ("Càng cao càng tốt", "Higher is better"),
              "lower": ("Càng thấp càng tốt", "Lower is better")}
RULES = {"sum": ("Cộng", "Sum"), "mean": ("Bình quân", "Mean"),
         "weighted_mean": ("Bình quân gia quyền", "Weighted mean"),
         "last": ("Số cuối kỳ", "Latest value"), "ratio_of_sums": ("Tỷ số của các tổng", "Ratio of sums"),
         "none": ("Không tổng hợp", "Does not aggregate")}
FREQUENCIES = {"daily": ("Ngày", "Daily"), "weekly": ("Tuần", "Weekly"), "monthly": ("Tháng", "Monthly"),
               "quarterly": ("Quý", "Quarterly"), "yearly": ("Năm", "Yearly")}
LEVELS = {"province": ("Toàn tỉnh", "Province"), "department": ("Sở, ban, ngành", "Departments"),
          "commune": ("Xã, phường", "Communes")}
YES, NO = "có", "không"
_TRUE = {"có", "co", "yes", "true", "1", "x", "đúng"}
_FALSE = {"không", "khong", "no", "false", "0", "sai"}


@dataclass(frozen=True)
class Column:
    """One column of the indicators sheet."""

    key: str            # attribute, dotted for nested ones: aggregation.units
    vi: str
    en: str
    width: int
    kind: str = "text"  # text | number | int | bool | list | targets | date | choice
    how: str = ""       # how a cell is written (the guide sheet)


def _choice(codes: Iterable[str]) -> str:
    return "one of: " + ", ".join(codes)


COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã chỉ số", "Code", 18, how="CHỮ_HOA, số, _ và dấu chấm: TC.THU_NSNN"),
    Column("name", "Tên chỉ số", "Name", 40),
    Column("name_en", "Tên tiếng Anh", "English name", 32),
    Column("definition", "Khái niệm, mục đích", "Definition and purpose", 50),
    Column("group", "Nhóm chỉ số", "Group", 12, "choice", _choice(GROUPS)),
    Column("field", "Lĩnh vực", "Field", 16, "choice", "a field code of sheet Lĩnh vực"),
    Column("unit", "Đơn vị tính", "Unit of measure", 12),
    Column("polarity", "Chiều đánh giá", "Polarity", 10, "choice", _choice(POLARITIES)),
    Column("formula", "Công thức tính", "Formula", 36, how="empty: collected directly (docs/formulas.md)"),
    Column("aggregation.units", "Tổng hợp theo đơn vị", "Aggregation across units", 14, "choice",
           _choice(RULES)),
    Column("aggregation.periods", "Tổng hợp theo kỳ", "Aggregation across periods", 14, "choice",
           _choice(RULES)),
    Column("aggregation.weight", "Chỉ số quyền số", "Weight (indicator)", 16, how="for weighted_mean"),
    Column("aggregation.numerator", "Chỉ số tử số", "Numerator (indicator)", 16, how="for ratio_of_sums"),
    Column("aggregation.denominator", "Chỉ số mẫu số", "Denominator (indicator)", 16,
           how="for ratio_of_sums"),
    Column("aggregation.scale", "Hệ số nhân", "Scale", 8, "number", "e.g. 100 for a percentage"),
    Column("cumulative", "Luỹ kế trong năm", "Cumulative within the year", 10, "bool", f"{YES} / {NO}"),
    Column("breakdowns", "Phân tổ", "Breakdowns", 18, "list", "items separated by ;"),
    Column("levels", "Cấp báo cáo", "Reporting levels", 18, "list",
           "items separated by ;, each " + _choice(LEVELS)),
    Column("frequency", "Kỳ báo cáo", "Frequency", 10, "choice", _choice(FREQUENCIES)),
    Column("deadline_days", "Hạn báo cáo (ngày sau kỳ)", "Deadline (days after the period)", 10, "int"),
    Column("source_system", "Hệ thống nguồn", "Source system", 24),
    Column("other_sources", "Nguồn khác", "Other sources", 20, "list", "items separated by ;"),
    Column("owner", "Cơ quan chủ quản", "Owner agency", 14, "choice", "a unit code of sheet Đơn vị"),
    Column("steward", "Cán bộ đầu mối", "Data steward", 20),
    Column("targets", "Chỉ tiêu", "Targets", 30, "targets",
           "one per line: PERIOD[ @UNIT]: VALUE[ (BASIS)] — 2026: 62000 (Nghị quyết HĐND tỉnh)"),
    Column("thresholds.on_track", "Ngưỡng đúng tiến độ", "On-track threshold", 10, "number",
           "share of the target, 0–1"),
    Column("thresholds.at_risk", "Ngưỡng có nguy cơ", "At-risk threshold", 10, "number",
           "share of the target, 0–1"),
    Column("range.min", "Giá trị nhỏ nhất", "Minimum value", 10, "number"),
    Column("range.max", "Giá trị lớn nhất", "Maximum value", 10, "number"),
    Column("statistical_code", "Mã chỉ tiêu thống kê (QĐ 05/2023)", "Statistical indicator code", 14),
    Column("counterpart_tolerance", "Sai lệch cho phép với số thống kê", "Tolerance vs statistics", 10,
           "number", "relative, e.g. 0.05"),
    Column("legal_basis", "Căn cứ pháp lý", "Legal basis", 24),
    Column("index.definition", "Bộ chỉ số nguồn", "Index definition", 14, how="e.g. INDEX_766"),
    Column("index.group", "Nhóm của bộ chỉ số", "Index group", 14, how="empty: the total"),
    Column("tasks.measure", "Số đếm từ sổ theo dõi nhiệm vụ", "Task register count", 14, "choice",
           _choice(TASK_MEASURES)),
    Column("composite.definition", "Chỉ số tổng hợp tính ra", "Computed by composite", 14,
           how="the composite's code, e.g. CHI_SO_SO_NGANH"),
    Column("public", "Công bố dữ liệu mở", "Published as open data", 10, "bool",
           f"{YES} / {NO}: shown on /du-lieu-mo without sign-in"),
    Column("status", "Trạng thái", "Lifecycle status", 14, "choice", _choice(LIFECYCLE)),
    Column("version", "Phiên bản", "Version", 8, "int", "assigned by the store on import"),
    Column("valid_from", "Hiệu lực từ", "Valid from", 12, "date", "YYYY-MM-DD"),
    Column("valid_to", "Hiệu lực đến", "Valid to", 12, "date", "YYYY-MM-DD"),
)
BY_KEY = {c.key: c for c in COLUMNS}
NESTED = ("aggregation", "thresholds", "range", "index", "tasks", "composite")


# ---------------------------------------------------------------- cell encodings
def number_text(value: float) -> str:
    """A number as it is written in text cells: ``62000``, ``13.6``, ``0.95``."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def encode_list(items: Sequence[str]) -> str:
    """``("giới tính", "độ tuổi")`` -> ``giới tính; độ tuổi``."""
    for item in items:
        if ";" in item or "\n" in item:
            raise ChisoError(f"a list item cannot contain ';' or a line break in a workbook cell: {item!r}")
    return "; ".join(items)


def decode_list(text: str) -> list[str]:
    """``giới tính; độ tuổi`` -> ``["giới tính", "độ tuổi"]`` (line breaks also separate)."""
    return [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]


_TARGET = re.compile(r"^(?P<period>[^@:\s]+)\s*(?:@\s*(?P<unit>[^:\s]+)\s*)?:\s*(?P<value>[^\s(]+)"
                     r"\s*(?:\((?P<basis>.*)\))?\s*$")


def encode_targets(targets: Iterable[Any]) -> str:
    """Targets, one per line: ``2026: 62000 (Nghị quyết HĐND tỉnh)``, ``2026-Q3 @24-STC: 15000``."""
    lines = []
    for t in targets:
        if t.basis is not None and ("\n" in t.basis or t.basis != t.basis.strip()):
            raise ChisoError(f"a target basis cannot have a line break or surrounding spaces: {t.basis!r}")
        line = t.period + (f" @{t.unit}" if t.unit else "") + f": {number_text(t.value)}"
        lines.append(line + (f" ({t.basis})" if t.basis is not None else ""))
    return "\n".join(lines)


def decode_targets(text: str) -> list[dict[str, Any]]:
    """The targets of a cell; ``ValueError`` naming the line that cannot be read."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _TARGET.match(line.strip())
        if m is None:
            raise ValueError(f"target line {n} {line.strip()!r} is not PERIOD[ @UNIT]: VALUE[ (BASIS)]")
        try:
            value = float(m["value"].replace(",", "."))
        except ValueError:
            raise ValueError(f"target line {n}: {m['value']!r} is not a number") from None
        target: dict[str, Any] = {"period": m["period"], "value": value}
        if m["unit"]:
            target["unit"] = m["unit"]
        if m["basis"] is not None:
            target["basis"] = m["basis"].strip()
        out.append(target)
    return out


def decode_bool(text: str) -> bool:
    word = text.strip().casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"write {YES} or {NO}")


def decode_date(text: str) -> str:
    """``2026-01-01`` or a date cell (``2026-01-01 00:00:00``) -> ``2026-01-01``."""
    text = text.strip()
    m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[ T]00:00:00)?$", text)
    if m is None:
        raise ValueError("write a date as YYYY-MM-DD")
    dt.date.fromisoformat(m[1])
    return m[1]


def _cell(ind: Indicator, column: Column) -> Any:
    """The value written in the indicator's cell of ``column`` (None: empty)."""
    head, _, tail = column.key.partition(".")
    value = getattr(ind, head)
    if tail:
        value = None if value is None else getattr(value, tail)
    if column.kind == "list":
        return encode_list(value) or None
    if column.kind == "targets":
        return encode_targets(value) or None
    if column.kind == "bool":
        return YES if value else NO
    if column.kind == "date":
        return value.isoformat() if value else None
    return value


# ---------------------------------------------------------------- writing
def write_workbook(catalogue: Catalogue, path: str | Path, *, history: Sequence[Mapping[str, Any]] = (),
                   units: Sequence[Any] | None = None) -> Path:
    """Write the catalogue as a workbook; ``history`` are lifecycle moves (repo_catalogue.lifecycle_log),
    ``units`` the owner list (default: the province's units from the registry)."""
    path = Path(path)
    if units is None:
        tree = load_units()
        units = tree.units(province=catalogue.province) if catalogue.province in tree else []
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    try:
        f = _Formats(wb)
        ws = wb.add_worksheet(SHEET_INDICATORS)
        _write_indicators(wb, ws, f, catalogue, len(units))
        _write_fields(wb.add_worksheet(SHEET_FIELDS), f, catalogue)
        _write_info(wb.add_worksheet(SHEET_INFO), f, catalogue)
        _write_guide(wb.add_worksheet(SHEET_GUIDE), f)
        _write_units(wb.add_worksheet(SHEET_UNITS), f, units)
        _write_history(wb.add_worksheet(SHEET_HISTORY), f, history)
        ws.activate()
    finally:
        wb.close()
    return path


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        self.head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                                   "border": 1})
        self.key = wb.add_format({"italic": True, "font_color": "#595959", "bg_color": "#F2F2F2",
                                  "border": 1})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.text = wb.add_format({"valign": "top", "num_format": "@"})
        self.number = wb.add_format({"valign": "top"})


def _write_header(ws: Any, f: _Formats, columns: Sequence[tuple[str, str, int]]) -> None:
    """Two header rows (Vietnamese, key), widths, frozen."""
    for col, (vi, key, width) in enumerate(columns):
        ws.write_string(0, col, vi, f.head)
        ws.write_string(1, col, key, f.key)
        ws.set_column(col, col, width)
    ws.set_row(0, 45)
    ws.freeze_panes(HEADER_ROWS, 1)


def _write_indicators(wb: Any, ws: Any, f: _Formats, catalogue: Catalogue, n_units: int) -> None:
    _write_header(ws, f, [(c.vi, c.key, c.width) for c in COLUMNS])
    for col, c in enumerate(COLUMNS):
        ws.write_comment(0, col, f"{c.en}" + (f"\n{c.how}" if c.how else ""))
    for r, ind in enumerate(catalogue, start=HEADER_ROWS):
        for col, c in enumerate(COLUMNS):
            value = _cell(ind, c)
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(r, col, value, f.number)
            else:
                ws.write_string(r, col, str(value), f.wrap if c.kind in ("targets", "text") else f.text)
    last = HEADER_ROWS + len(catalogue) + SPARE_ROWS
    lists: dict[str, Any] = {
        "group": list(GROUPS), "polarity": list(POLARITIES), "frequency": list(FREQUENCIES),
        "status": list(LIFECYCLE), "aggregation.units": list(RULES), "aggregation.periods": list(RULES),
        "cumulative": [YES, NO], "public": [YES, NO], "tasks.measure": list(TASK_MEASURES),
        "field": f"='{SHEET_FIELDS}'!$A${HEADER_ROWS + 1}:$A${HEADER_ROWS + max(len(catalogue.fields), 1)}",
    }
    if n_units:
        lists["owner"] = f"='{SHEET_UNITS}'!$A${HEADER_ROWS + 1}:$A${HEADER_ROWS + n_units}"
    for key, source in lists.items():
        col = next(i for i, c in enumerate(COLUMNS) if c.key == key)
        ws.data_validation(HEADER_ROWS, col, last, col, {
            "validate": "list", "source": source, "error_title": BY_KEY[key].vi,
            "error_message": f"{BY_KEY[key].en}: {BY_KEY[key].how}"[:255]})
    ws.autofilter(1, 0, HEADER_ROWS + max(len(catalogue), 1) - 1, len(COLUMNS) - 1)


def _write_fields(ws: Any, f: _Formats, catalogue: Catalogue) -> None:
    _write_header(ws, f, [("Mã lĩnh vực", "code", 18), ("Tên lĩnh vực", "name", 40),
                          ("Tên tiếng Anh", "name_en", 40)])
    for r, spec in enumerate(catalogue.fields.values(), start=HEADER_ROWS):
        ws.write_row(r, 0, [spec.code, spec.name, spec.name_en], f.text)


def _write_info(ws: Any, f: _Formats, catalogue: Catalogue) -> None:
    _write_header(ws, f, [("Thuộc tính", "key", 18), ("Giá trị", "value", 30), ("Ý nghĩa", "meaning", 70)])
    rows = [("province", catalogue.province, "Mã tỉnh / province code"),
            ("version", catalogue.version, "Phiên bản danh mục / the catalogue's version label")]
    r = HEADER_ROWS
    for key, value, meaning in rows:
        ws.write_row(r, 0, [key, value, meaning], f.text)
        r += 1
    r += 1
    ws.write_string(r, 0, "Mã / code", f.head)
    ws.write_string(r, 1, "Tiếng Việt", f.head)
    ws.write_string(r, 2, "English", f.head)
    r += 1
    legends = [("group", GROUPS), ("polarity", POLARITIES), ("aggregation", RULES),
               ("frequency", FREQUENCIES), ("levels", LEVELS)]
    for title, table in legends + [("status", STATE_LABELS)]:
        for code, (vi, en) in table.items():
            ws.write_row(r, 0, [f"{title}: {code}", vi, en], f.text)
            r += 1


def _write_guide(ws: Any, f: _Formats) -> None:
    _write_header(ws, f, [("Cột", "column", 6), ("Tiêu đề", "header", 34), ("Khoá", "key", 24),
                          ("English", "english", 32), ("Cách ghi", "how to write", 70)])
    for r, c in enumerate(COLUMNS, start=HEADER_ROWS):
        how = c.how or ("văn bản / text" if c.kind == "text" else "")
        ws.write_row(r, 0, [xl_col_to_name(r - HEADER_ROWS), c.vi, c.key, c.en, how], f.text)


def _write_units(ws: Any, f: _Formats, units: Sequence[Any]) -> None:
    _write_header(ws, f, [("Mã đơn vị", "code", 12), ("Tên đơn vị", "name", 50), ("Cấp", "level", 12)])
    for r, u in enumerate(units, start=HEADER_ROWS):
        ws.write_row(r, 0, [u.code, u.name, u.level], f.text)


def _write_history(ws: Any, f: _Formats, history: Sequence[Mapping[str, Any]]) -> None:
    _write_header(ws, f, [("Mã chỉ số", "code", 18), ("Phiên bản", "version", 8), ("Từ trạng thái", "from", 16),
                          ("Sang trạng thái", "to", 16), ("Thời điểm (UTC)", "at", 20), ("Người thực hiện", "by", 20),
                          ("Ý kiến", "comment", 60)])
    for r, move in enumerate(history, start=HEADER_ROWS):
        at = move["at"]
        ws.write_row(r, 0, [move["code"], move["version"], move["from_state"] or "", move["to_state"],
                            at.strftime("%Y-%m-%d %H:%M") if hasattr(at, "strftime") else str(at),
                            move["by"], move["comment"]], f.wrap)


# ---------------------------------------------------------------- reading
def read_workbook(path: str | Path) -> RawCatalogue:
    """Read a catalogue workbook into values with places (validated by ``validate_catalogue``)."""
    name = str(path)
    check_workbook(Path(path), name, current_limits())  # a bomb is refused before it is unpacked
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own types for every kind of broken file
        raise LoadError([Problem(name, None, None, f"cannot read the workbook: {exc}")]) from None
    missing = [s for s in (SHEET_INDICATORS,) if s not in reader.sheet_names]
    if missing:
        raise LoadError([Problem(name, None, None, f"the workbook has no sheet {missing[0]!r}; "
                                 f"its sheets are {', '.join(reader.sheet_names)}")])
    problems: list[Problem] = []
    top, top_place = _read_info(reader, name, problems)
    fields = _read_fields(reader, name) if SHEET_FIELDS in reader.sheet_names else None
    indicators = _read_indicators(reader, name, problems)
    return RawCatalogue(name, top, top_place, fields, indicators, problems)


def _rows(reader: Any, sheet: str) -> list[tuple[str | None, ...]]:
    """A sheet's cells as text, in NFC (a name typed on a Mac or pasted from a PDF is one name)."""
    rows = reader.load_sheet(sheet, header_row=None, dtypes="string").to_polars().rows()
    return [tuple(None if v is None else unicodedata.normalize("NFC", v) for v in row) for row in rows]


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _read_info(reader: Any, name: str, problems: list[Problem]) -> tuple[dict[str, Any], SheetPlace]:
    if SHEET_INFO not in reader.sheet_names:
        return {}, SheetPlace(SHEET_INFO, 1, {})
    top: dict[str, Any] = {}
    letters: dict[str, str] = {}
    rows: dict[str, int] = {}
    for r, row in enumerate(_rows(reader, SHEET_INFO)[HEADER_ROWS:], start=HEADER_ROWS + 1):
        key = _clean(row[0]) if row else None
        if key in ("province", "version") and key not in top:
            top[key] = _clean(row[1]) if len(row) > 1 else None
            letters[key] = "B"
            rows[key] = r
    return top, _InfoPlace(SHEET_INFO, HEADER_ROWS + 1, letters, rows)


@dataclass(frozen=True)
class _InfoPlace(SheetPlace):
    """A key of the information sheet: each key on its own row."""

    rows: Mapping[str, int] = field(default_factory=dict)

    def row(self, loc: tuple) -> int | None:
        return self.rows.get(str(loc[0])) if loc else None


def _read_fields(reader: Any, name: str) -> list[tuple[Any, Any]]:
    rows = _rows(reader, SHEET_FIELDS)
    keys = [(_clean(k) or "") for k in (rows[1] if len(rows) > 1 else ())]
    letters = {k: xl_col_to_name(i) for i, k in enumerate(keys) if k}
    out = []
    for r, row in enumerate(rows[HEADER_ROWS:], start=HEADER_ROWS + 1):
        values = {k: _clean(v) for k, v in zip(keys, row) if k}
        if not any(values.values()):
            continue
        out.append(({k: v for k, v in values.items() if v is not None},
                    SheetPlace(SHEET_FIELDS, r, letters)))
    return out


def _read_indicators(reader: Any, name: str, problems: list[Problem]) -> list[tuple[Any, Any]]:
    rows = _rows(reader, SHEET_INDICATORS)
    keys = [(_clean(k) or "") for k in (rows[1] if len(rows) > 1 else ())]
    letters = {k: xl_col_to_name(i) for i, k in enumerate(keys) if k}
    for i, k in enumerate(keys):
        if k and k not in BY_KEY:
            problems.append(Problem(name, 2, f"{SHEET_INDICATORS}!{xl_col_to_name(i)}",
                                    f"unknown column key {k!r} in row 2; the keys are listed in sheet "
                                    f"{SHEET_GUIDE}", k))
    seen: set[str] = set()
    for i, k in enumerate(keys):
        if k in seen:
            problems.append(Problem(name, 2, f"{SHEET_INDICATORS}!{xl_col_to_name(i)}",
                                    f"column key {k!r} appears twice", k))
        seen.add(k)
    for required in ("code",):
        if required not in letters:
            problems.append(Problem(name, 2, SHEET_INDICATORS, f"no column with key {required!r} in row 2"))
            return []
    out = []
    for r, row in enumerate(rows[HEADER_ROWS:], start=HEADER_ROWS + 1):
        cells = {k: _clean(v) for k, v in zip(keys, row) if k in BY_KEY}
        if not any(cells.values()):
            continue
        place = SheetPlace(SHEET_INDICATORS, r, letters)
        out.append((_decode_row(cells, place, name, problems), place))
    return out


def _decode_row(cells: Mapping[str, str | None], place: SheetPlace, name: str,
                problems: list[Problem]) -> dict[str, Any]:
    """A sheet row as the attributes of an Indicator (nested where the model nests)."""
    item: dict[str, Any] = {}
    for key, text in cells.items():
        if text is None:
            continue
        column = BY_KEY[key]
        try:
            value: Any = {"list": decode_list, "targets": decode_targets, "bool": decode_bool,
                          "date": decode_date}.get(column.kind, lambda t: t)(text)
        except ValueError as exc:
            problems.append(Problem(name, place.sheet_row, place.column((key,)) if "." not in key
                                    else place.column(tuple(key.split("."))), str(exc), text))
            continue
        if column.kind == "int" and re.fullmatch(r"-?\d+\.0+", text):
            value = text.split(".")[0]
        head, _, tail = key.partition(".")
        if tail:
            item.setdefault(head, {})[tail] = value
        else:
            item[key] = value
    return item


__all__ = [
    "COLUMNS", "Column", "decode_bool", "decode_date", "decode_list", "decode_targets", "encode_list",
    "encode_targets", "number_text", "read_workbook", "write_workbook",
]
