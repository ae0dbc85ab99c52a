"""A reporting regime's form filled from the catalogue's values (``chiso regimes fill``).

``fill_form`` is pure: a regime (``chiso.catalog.regimes``), the province's indicators, the
values relation (``chiso.evaluate.dm.service.current_values``: submitted values with the
province aggregates, longer periods and formula indicators derived from them — what status,
warnings and bulletins read) and a report period give a ``FilledForm``: each row's value for
the period its ``aggregation`` picks, the same period a year earlier, the comparison, and —
for every row without a value — the reason, said in Vietnamese. Nothing is estimated or
carried over: a row whose period has no value is blank and listed as missing (in the file and
on standard output), and a ``window`` or ``year_to_date`` row missing one of its periods is
missing too (a partial sum would understate the figure).

``render_xlsx`` writes the data form (numbers as numbers), the missing values and the
regime's particulars, one sheet each; ``render_docx`` the administrative document
(Nghị định 30/2020/NĐ-CP: the letterhead from the regime's ``document``), the outline's
parts, each with its rows, and the missing values as an appendix.
"""
from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl
import xlsxwriter
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from sqlalchemy.orm import Session

from chiso import settings
from chiso.catalog.indicator import Indicator
from chiso.catalog.regimes import (
    FREQUENCY_WORDS,
    DataWindow,
    Regime,
    RegimeSpec,
    ReportPeriod,
    data_window,
    due_date,
    live,
    report_period,
)
from chiso.errors import ChisoError
from chiso.evaluate.dm.service import current_values
from chiso.periods.reporting import FREQUENCY_KIND, periods_back, year_of
from chiso.periods.spoken import day_text, span_text, spoken_period
from chiso.periods.windows import Window
from chiso.reports.letterhead import (
    BLANK_NAME,
    BLANK_NUMBER,
    MOTTO,
    NATION,
    RECIPIENTS_LABEL,
    place_date,
)
from chiso.reports.numformat import FORMATS
from chiso.store.repo_catalogue import current_catalogue
from chiso.units import load_units
from chiso.units.registry import UnitTree, full_name, short_name

FONT = "Times New Roman"
#: The form's columns: header, and whether it holds numbers.
COLUMNS: tuple[tuple[str, bool], ...] = (
    ("STT", False), ("Chỉ tiêu", False), ("Đơn vị tính", False), ("Mã chỉ số", False), ("Đơn vị báo cáo", False),
    ("Kỳ số liệu", False), ("Thực hiện", True), ("Cùng kỳ năm trước", True), ("So cùng kỳ (%)", True),
    ("Tăng (+), giảm (−) so cùng kỳ", True), ("Ghi chú", False),
)


# ---------------------------------------------------------------- the filled form
@dataclass(frozen=True)
class Taken:
    """A value taken from the relation: the value (None: missing), the periods it covers, why missing."""

    value: float | None
    periods: tuple[Window, ...]
    missing: str | None = None


@dataclass(frozen=True)
class FilledRow:
    number: str
    label: str
    indicator: str
    unit_of_measure: str
    unit_code: str
    unit_name: str
    aggregation: str
    compare: str
    period_text: str             # the figure's period as people say it
    value: float | None
    last_year: float | None
    last_year_text: str
    ratio: float | None          # value ÷ last year × 100
    difference: float | None     # value − last year
    missing: str | None          # why the value is blank
    note: str | None


@dataclass(frozen=True)
class FilledSection:
    number: str
    title: str
    guidance: str | None
    rows: tuple[FilledRow, ...]


@dataclass(frozen=True)
class FilledForm:
    regime: Regime
    province: str
    province_name: str
    period: ReportPeriod
    window: DataWindow
    due: dt.date | None
    sections: tuple[FilledSection, ...]
    made_at: dt.datetime

    @property
    def spec(self) -> RegimeSpec:
        return self.regime.spec

    @property
    def province_label(self) -> str:
        """"Tỉnh Bắc Ninh" (the unit list's full name)."""
        return full_name(load_units().get(self.province))

    @property
    def rows(self) -> list[FilledRow]:
        return [r for s in self.sections for r in s.rows]

    @property
    def missing(self) -> list[FilledRow]:
        return [r for r in self.rows if r.missing is not None]


def _periods_text(periods: tuple[Window, ...]) -> str:
    if not periods:
        return ""
    if len(periods) == 1:
        return spoken_period(periods[0].label)
    first, last = periods[0], periods[-1]
    if first.kind == "week":
        return (f"Tuần {first.start.isocalendar()[1]}–{last.start.isocalendar()[1]}/{year_of(last)} "
                f"({span_text(first.start, last.end, 'vi')})")
    if first.kind == "month":
        return f"Tháng {first.start.month}–{last.start.month}/{last.start.year}"
    if first.kind == "quarter":
        return f"{spoken_period(first.label)}–{spoken_period(last.label, capital=False)}"
    return f"{day_text(first.start, 'vi')}–{day_text(last.end, 'vi')}"


def _series(values: pl.DataFrame, code: str, unit: str, kind: str) -> dict[str, float | None]:
    rows = values.filter((pl.col("indicator") == code) & (pl.col("unit_code") == unit)
                         & (pl.col("period_kind") == kind)).select("period", "value")
    return {p: (None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v))
            for p, v in rows.iter_rows()}


def _latest(kind: str, window: DataWindow) -> Window:
    """The period of ``kind`` that ends last on or before the window's last day."""
    return next(periods_back(kind, window.end + dt.timedelta(days=1)))


def _parts(kind: str, window: DataWindow, how: str) -> tuple[Window, ...]:
    """The periods a ``window`` or ``year_to_date`` row combines, oldest first."""
    latest = _latest(kind, window)
    out: list[Window] = []
    for w in periods_back(kind, window.end + dt.timedelta(days=1)):
        if how == "window" and w.start < window.start:
            break
        if how == "year_to_date" and year_of(w) != year_of(latest):
            break
        out.append(w)
    return tuple(reversed(out))


def _combine(ind: Indicator, parts: tuple[Window, ...], series: Mapping[str, Mapping[str, float | None]]
             ) -> float | None:
    """The parts' values combined by the indicator's rule across periods (all parts present)."""
    agg = ind.aggregation
    rule = agg.periods
    if rule == "ratio_of_sums":
        num = sum(series[agg.numerator][w.label] for w in parts)
        den = sum(series[agg.denominator][w.label] for w in parts)
        return None if den == 0 else num / den * agg.scale
    own = [series[ind.code][w.label] for w in parts]
    if rule == "sum":
        return float(sum(own))
    if rule == "mean":
        return float(sum(own) / len(own))
    if rule == "last":
        return own[-1]
    if rule == "weighted_mean":
        weights = [series[agg.weight][w.label] for w in parts]
        total = sum(weights)
        return None if total == 0 else sum(x * w for x, w in zip(own, weights)) / total
    raise ChisoError(f"{ind.code}: không cộng dồn được qua các kỳ (aggregation.periods: {rule})")


def _inputs(ind: Indicator) -> list[str]:
    """The indicators whose values a combination reads: itself, or its numerator and denominator."""
    agg = ind.aggregation
    if agg.periods == "ratio_of_sums":
        return [agg.numerator, agg.denominator]
    if agg.periods == "weighted_mean":
        return [ind.code, agg.weight]
    return [ind.code]


def take(values: pl.DataFrame, ind: Indicator, unit: str, how: str, window: DataWindow,
         indicators: Mapping[str, Indicator] | None = None) -> Taken:
    """The value of ``ind`` for ``unit`` taken ``how`` (latest, window, year_to_date) for ``window``."""
    kind = FREQUENCY_KIND[ind.frequency]
    if how == "latest":
        w = _latest(kind, window)
        v = _series(values, ind.code, unit, kind).get(w.label)
        return Taken(v, (w,), None if v is not None else f"chưa có số liệu {spoken_period(w.label, capital=False)}")
    parts = _parts(kind, window, how)
    if not parts:
        return Taken(None, (), f"không có kỳ {kind} nào nằm trọn trong khoảng {day_text(window.start, 'vi')}–"
                               f"{day_text(window.end, 'vi')}")
    series = {code: _series(values, code, unit, kind) for code in _inputs(ind)}
    absent = [w for w in parts if any(series[code].get(w.label) is None for code in series)]
    if absent:
        names = ", ".join(spoken_period(w.label, capital=False) for w in absent[:6])
        more = f" và {len(absent) - 6} kỳ khác" if len(absent) > 6 else ""
        return Taken(None, parts, f"thiếu số liệu {names}{more} ({len(absent)}/{len(parts)} kỳ)")
    return Taken(_combine(ind, parts, series), parts)


def fill_form(regime: Regime, period: str, *, province: str, indicators: Mapping[str, Indicator],
              values: pl.DataFrame, units: UnitTree | None = None, made_at: dt.datetime | None = None) -> FilledForm:
    """The regime's form for ``period`` filled from ``values`` (see the module); ``indicators`` is the
    province's catalogue, every state (an indicator that is not live is reported missing)."""
    tree = units or load_units()
    regime.check(indicators, province=province, units=tree)
    rp = report_period(regime.spec.frequency, period)
    window = data_window(regime.spec.cutoff, rp)
    last_window = data_window(regime.spec.cutoff, rp.shifted(-1))
    sections = []
    for section in regime.spec.sections:
        rows = []
        for row in section.rows:
            ind = indicators[row.indicator]
            unit = province if row.unit == "province" else row.unit
            now = take(values, ind, unit, row.aggregation, window)
            before = take(values, ind, unit, row.aggregation, last_window)
            missing = now.missing
            if not live(ind):
                missing = f"chỉ số {ind.code} chưa được phê duyệt hoặc đưa vào vận hành (trạng thái: {ind.status})"
            value = None if not live(ind) else now.value
            if value is None and missing is None:
                missing = "không tính được (mẫu số bằng 0)"
            last = before.value if live(ind) else None
            ratio = value / last * 100 if row.compare == "ratio" and value is not None and last else None
            diff = value - last if row.compare == "difference" and value is not None and last is not None else None
            rows.append(FilledRow(
                number=row.number, label=row.label, indicator=ind.code, unit_of_measure=ind.unit,
                unit_code=unit, unit_name=full_name(tree.get(unit)), aggregation=row.aggregation, compare=row.compare,
                period_text=_periods_text(now.periods), value=value, last_year=last,
                last_year_text=_periods_text(before.periods), ratio=ratio, difference=diff, missing=missing,
                note=row.note))
        sections.append(FilledSection(section.number, section.title, section.guidance, tuple(rows)))
    prov = tree.get(province)
    return FilledForm(regime, province, short_name(prov), rp, window, due_date(regime, window), tuple(sections),
                      made_at or dt.datetime.now(dt.UTC))


def fill_from_store(session: Session, regime: Regime, period: str, *, province: str,
                    made_at: dt.datetime | None = None) -> FilledForm:
    """The form filled from the store: the province's stored catalogue and its values relation
    (the live indicators' values, derived as status and bulletins read them)."""
    catalogue = current_catalogue(session, province).indicators
    live_ones = {code: ind for code, ind in catalogue.items() if live(ind)}
    values = current_values(session, province, live_ones)
    return fill_form(regime, period, province=province, indicators=catalogue, values=values, made_at=made_at)


# ---------------------------------------------------------------- text
def number_text(x: float | None) -> str:
    """A figure as the form writes it: up to two decimals, Vietnamese separators, the minus sign
    "−" (``chiso.reports.numformat``); blank when none."""
    if x is None:
        return ""
    return FORMATS["vi"].bound(x)


def missing_lines(form: FilledForm) -> list[str]:
    """One line per missing row: "3. Tổng mức bán lẻ … (KT.BAN_LE, tỉnh Bắc Ninh): chưa có số liệu tháng 10/2026"."""
    return [f"{r.number}. {r.label} ({r.indicator}, {r.unit_name}): {r.missing}" for r in form.missing]


def heading(form: FilledForm) -> str:
    """"Tình hình kinh tế – xã hội tháng 11 năm 2026"."""
    return f"{form.spec.template.outline} {form.period.spoken()}"


def window_line(form: FilledForm) -> str:
    w, spec = form.window, form.spec
    basis = spec.cutoff.basis
    text = (f"Số liệu chốt từ ngày {day_text(w.start, 'vi')} đến ngày {day_text(w.end, 'vi')} ({basis})"
            if spec.cutoff.rule == "day_of_month" else
            f"Số liệu theo kỳ lịch, từ ngày {day_text(w.start, 'vi')} đến ngày {day_text(w.end, 'vi')} ({basis})")
    if form.due is not None:
        text += f"; thời hạn gửi báo cáo: ngày {day_text(form.due, 'vi')}"
    return text + "."


def _compare_cells(r: FilledRow) -> tuple[float | None, float | None]:
    return (r.ratio if r.compare == "ratio" else None, r.difference if r.compare == "difference" else None)


def _note(r: FilledRow) -> str:
    parts = []
    if r.missing:
        parts.append(f"Thiếu số liệu: {r.missing}")
    if r.value is not None and r.compare != "none" and r.last_year is None:
        parts.append(f"Chưa có số liệu cùng kỳ ({r.last_year_text or 'năm trước'})")
    if r.note:
        parts.append(r.note)
    return "; ".join(parts)


# ---------------------------------------------------------------- XLSX
def render_xlsx(form: FilledForm) -> bytes:
    """The data form, the missing values and the regime's particulars as an Excel workbook."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top", "text_wrap": True}
    f_title = wb.add_format({**base, "bold": True, "font_size": 13, "align": "center"})
    f_sub = wb.add_format({**base, "italic": True, "align": "center"})
    f_head = wb.add_format({**base, "bold": True, "border": 1, "align": "center", "bg_color": "#DDE7F3"})
    f_text = wb.add_format({**base, "border": 1})
    f_section = wb.add_format({**base, "border": 1, "bold": True})
    f_int = wb.add_format({**base, "border": 1, "num_format": "#,##0"})
    f_dec = wb.add_format({**base, "border": 1, "num_format": "#,##0.00"})
    f_missing = wb.add_format({**base, "border": 1, "bg_color": "#FCE4D6"})

    ws = wb.add_worksheet("Biểu số liệu")
    spec = form.spec
    last_col = len(COLUMNS) - 1
    ws.merge_range(0, 0, 0, last_col, f"{spec.template.form}: {spec.template.form_title}".upper(), f_title)
    ws.merge_range(1, 0, 1, last_col, f"{heading(form)} — {form.province_label}", f_sub)
    ws.merge_range(2, 0, 2, last_col, window_line(form), f_sub)
    header_row = 4
    for j, (name, _numeric) in enumerate(COLUMNS):
        ws.write_string(header_row, j, name, f_head)
    widths = (6, 48, 14, 20, 22, 26, 14, 14, 12, 14, 48)
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    i = header_row + 1
    for section in form.sections:
        ws.write_string(i, 0, section.number, f_section)
        ws.merge_range(i, 1, i, last_col, section.title.upper(), f_section)
        i += 1
        for r in section.rows:
            ratio, diff = _compare_cells(r)
            cells = (r.number, r.label, r.unit_of_measure, r.indicator, r.unit_name, r.period_text,
                     r.value, r.last_year, ratio, diff, _note(r))
            for j, v in enumerate(cells):
                if COLUMNS[j][1]:
                    if v is None:
                        ws.write_blank(i, j, None, f_missing if j == 6 else f_text)
                    else:
                        ws.write_number(i, j, float(v), f_int if float(v).is_integer() else f_dec)
                else:
                    ws.write_string(i, j, str(v), f_missing if (j == 10 and r.missing) else f_text)
            i += 1
    ws.freeze_panes(header_row + 1, 2)
    ws.repeat_rows(header_row)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)

    miss = wb.add_worksheet("Số liệu còn thiếu")
    for j, name in enumerate(("STT", "Chỉ tiêu", "Mã chỉ số", "Đơn vị báo cáo", "Kỳ số liệu", "Lý do")):
        miss.write_string(0, j, name, f_head)
    for j, w in enumerate((6, 48, 20, 22, 26, 60)):
        miss.set_column(j, j, w)
    for k, r in enumerate(form.missing, start=1):
        for j, v in enumerate((r.number, r.label, r.indicator, r.unit_name, r.period_text, r.missing or "")):
            miss.write_string(k, j, v, f_text)
    if not form.missing:
        miss.write_string(1, 0, "Không thiếu số liệu nào.", wb.add_format(base))
    miss.freeze_panes(1, 0)

    info = wb.add_worksheet("Thông tin")
    info.set_column(0, 0, 28)
    info.set_column(1, 1, 100)
    facts = [("Chế độ báo cáo", f"{spec.name} ({spec.code}, phiên bản {spec.version})"),
             ("Căn cứ", "; ".join(f"{b.document}, {b.article}" if b.article else b.document
                                   for b in spec.legal_basis)),
             ("Tần suất", FREQUENCY_WORDS[spec.frequency]),
             ("Kỳ báo cáo", form.period.spoken()),
             ("Thời gian chốt số liệu", f"{day_text(form.window.start, 'vi')}–{day_text(form.window.end, 'vi')} "
                                        f"({spec.cutoff.basis})"),
             ("Thời hạn gửi", (f"{day_text(form.due, 'vi')} ({spec.deadline.basis})"
                               if form.due is not None and spec.deadline is not None else "—")),
             ("Đối tượng thực hiện", spec.reporter), ("Cơ quan nhận", spec.recipient),
             ("Phương thức gửi, nhận", spec.method or "—"),
             ("Mẫu đề cương, biểu mẫu", f"{spec.template.outline}; {spec.template.form}: {spec.template.form_title}"),
             ("Tỉnh", f"{form.province_name} ({form.province})"),
             ("Số chỉ tiêu", f"{len(form.rows)}, thiếu số liệu {len(form.missing)}"),
             ("Tạo lúc", _made(form))]
    for k, (a, b) in enumerate(facts):
        info.write_string(k, 0, a, wb.add_format({**base, "bold": True}))
        info.write_string(k, 1, b, wb.add_format(base))
    wb.close()
    return buf.getvalue()


def _made(form: FilledForm) -> str:
    local = form.made_at.astimezone(settings.timezone())
    return f"{local:%H:%M} ngày {day_text(local.date(), 'vi')} (chiso, từ số liệu đã nộp trong danh mục chỉ số)"


# ---------------------------------------------------------------- DOCX
def _para(container, text: str = "", *, bold: bool = False, italic: bool = False, size: float = 14,
          align: str = "center", after: float = 0):
    p = container.add_paragraph()
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                   "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(after), 1.0
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(size)
        run.font.name = FONT
    return p


def _borderless(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    table._tbl.tblPr.append(borders)


def _cells(document, widths_cm: tuple[float, float]):
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    _borderless(table)
    for cell, w in zip(table.rows[0].cells, widths_cm):
        cell.width = Cm(w)
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    for col, w in zip(table.columns, widths_cm):  # the grid (LibreOffice reads it; Word the cells)
        col.width = Cm(w)
    return table.rows[0].cells


def _rule(container, width_cm: float, cell_cm: float) -> None:
    """A short centred rule under the issuing body and the motto: an empty paragraph with a bottom border."""
    p = _para(container, size=2, after=4)
    side = max(0.0, (cell_cm - width_cm) / 2)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Cm(side)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    p._p.get_or_add_pPr().append(borders)


def _recipients(spec: RegimeSpec) -> list[str]:
    items = [r.strip().lstrip("-").strip().rstrip(";.") for r in spec.document.recipients]
    lines = [f"- {r};" for r in items if r]
    if lines:
        lines[-1] = lines[-1][:-1] + "."
    return lines


def render_docx(form: FilledForm) -> bytes:
    """The report as the administrative document the office edits, signs and sends."""
    spec, doc = form.spec, form.spec.document
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    h1 = document.styles["Heading 1"]
    h1.font.name, h1.font.size, h1.font.bold, h1.font.color.rgb = FONT, Pt(14), True, RGBColor(0, 0, 0)
    fonts = h1.element.get_or_add_rPr().find(qn("w:rFonts"))
    if fonts is not None:  # the theme's font would win over the name
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
    h1.paragraph_format.space_before, h1.paragraph_format.space_after = Pt(9), Pt(4)
    document.core_properties.title = f"{doc.doc_type} {heading(form)}"
    document.core_properties.language = "vi"
    width = 16.5
    left, right = _cells(document, (6.0, width - 6.0))
    if doc.authority:
        _para(left, doc.authority.upper(), size=13)
    _para(left, doc.issuer.upper(), bold=True, size=13)
    _rule(left, 2.2, 6.0)
    _para(left, f"Số: {BLANK_NUMBER}/{doc.symbol}", size=13)
    _para(right, NATION["vi"], bold=True, size=12.5)
    _para(right, MOTTO["vi"], bold=True, size=13.5)
    _rule(right, 5.6, width - 6.0)
    day = form.made_at.astimezone(settings.timezone()).date()
    _para(right, place_date(doc.place or form.province_name, day, "vi"), italic=True, size=13.5)
    _para(document, after=6)
    _para(document, doc.doc_type.upper(), bold=True)
    _para(document, heading(form), bold=True, after=10)
    intro = _para(document, window_line(form), italic=True, align="justify", after=6)
    intro.paragraph_format.first_line_indent = Cm(1.0)
    for s in form.sections:
        document.add_heading(f"{s.number}. {s.title.upper()}", level=1)
        if s.guidance:
            g = _para(document, f"[{s.guidance}]", italic=True, size=13, align="justify", after=4)
            g.paragraph_format.first_line_indent = Cm(1.0)
        _rows_table(document, s.rows)
    document.add_heading(f"PHỤ LỤC: SỐ LIỆU CÒN THIẾU ({len(form.missing)} chỉ tiêu)", level=1)
    if form.missing:
        for line in missing_lines(form):
            _para(document, line, size=13, align="justify", after=2)
    else:
        _para(document, "Không thiếu số liệu nào.", size=13, align="left")
    _para(document, after=8)
    left, right = _cells(document, (7.6, width - 7.6))
    _para(left, RECIPIENTS_LABEL["vi"], bold=True, italic=True, size=12, align="left")
    for line in _recipients(spec):
        _para(left, line, size=11, align="left")
    if doc.signer_authority:
        _para(right, doc.signer_authority.upper(), bold=True)
    _para(right, doc.signer_title.upper(), bold=True)
    for _ in range(4):
        _para(right)
    _para(right, BLANK_NAME)  # chiso never invents the signer's name
    _para(document, f"Tạo lúc {_made(form)}; {spec.code} phiên bản {spec.version}.", italic=True, size=9,
          align="left").paragraph_format.space_before = Cm(0.6)

    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _rows_table(document, rows: tuple[FilledRow, ...]) -> None:
    shown = ("STT", "Chỉ tiêu", "Đơn vị tính", "Kỳ số liệu", "Thực hiện", "Cùng kỳ năm trước", "So cùng kỳ")
    table = document.add_table(rows=1, cols=len(shown))
    table.style = "Table Grid"
    table.autofit = False
    widths = (1.3, 4.7, 1.8, 2.6, 2.1, 2.2, 1.8)
    for cell, name, w in zip(table.rows[0].cells, shown, widths):
        cell.text = name
        cell.width = Cm(w)
        for run in cell.paragraphs[0].runs:
            run.bold, run.font.size = True, Pt(11)
    for r in rows:
        ratio, diff = _compare_cells(r)
        compare = (f"{number_text(ratio)}%" if ratio is not None else
                   (("+" if diff > 0 else "") + number_text(diff) if diff is not None else ""))
        values = (r.number, r.label, r.unit_of_measure, r.period_text,
                  number_text(r.value) if r.value is not None else "(thiếu)", number_text(r.last_year), compare)
        cells = table.add_row().cells
        for j, (cell, v, w) in enumerate(zip(cells, values, widths)):
            cell.text = v
            cell.width = Cm(w)
            p = cell.paragraphs[0]
            if j >= 4:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in p.runs:
                run.font.size = Pt(11)
                run.italic = j == 4 and r.value is None
    for col, w in zip(table.columns, widths):
        col.width = Cm(w)
    for row in table.rows:  # the heading row repeated on every page, no row split across pages
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def render(form: FilledForm, fmt: str) -> bytes:
    """The filled form as ``xlsx`` or ``docx`` bytes."""
    if fmt == "xlsx":
        return render_xlsx(form)
    if fmt == "docx":
        return render_docx(form)
    raise ChisoError(f"định dạng {fmt!r} không có; chọn xlsx hoặc docx")


def file_name(form: FilledForm, fmt: str) -> str:
    return f"{form.spec.code.lower().replace('_', '-')}-{form.province}-{form.period.label}.{fmt}"
