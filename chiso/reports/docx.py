"""The bulletin as the administrative document the office edits, signs and sends (python-docx).

The layout of Nghị định 30/2020/NĐ-CP, Phụ lục I (``letterhead.py`` holds the parts): A4,
margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman (Word uses the real
font; LibreOffice its metric twin Liberation Serif), body 14 pt; a borderless header table
(governing and issuing body, number and symbol | national name, motto, place and date), the
document type and trích yếu, the body — real headings, justified paragraphs, bullet lists,
tables and PNG charts, no text boxes or images of text — then the foot: "Nơi nhận" and the
signature block side by side. Page numbers from page 2, centred at the top.
"""
from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from chiso.reports.charts import render_charts
from chiso.reports.facts import Bulletin
from chiso.reports.letterhead import BLANK_NAME, Letterhead, letterhead, recipient_lines
from chiso.reports.tables import Table, bulletin_tables
from chiso.reports.text import issued_line, write_text

FONT = "Times New Roman"
BODY_PT = 14
CHART_AFTER = {"total": "trend", "groups": "groups", "departments": "departments", "communes": "communes"}
#: margins of the decree (mm): top, bottom, left, right
MARGINS_MM = (20, 20, 30, 15)


def _fonts(document) -> None:
    """Every style in Times New Roman, black: explicit fonts, and the theme's font references
    removed (they would win over the explicit names)."""
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "List Bullet", "Table Grid"):
        style = document.styles[name]
        style.font.name = FONT
        if name != "Table Grid":
            style.font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Heading 1", BODY_PT), ("Heading 2", 13)):
        h = document.styles[name]
        h.font.size, h.font.bold, h.font.italic = Pt(size), True, False
        h.paragraph_format.space_before, h.paragraph_format.space_after = Pt(9), Pt(4)


def _para(container, text: str = "", *, bold: bool = False, italic: bool = False, size: float | None = None,
          align: str = "center", after: float = 0, upper: bool = False):

    p = container.add_paragraph()
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                   "justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(after), 1.0
    if text:
        run = p.add_run(text.upper() if upper else text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    return p


def _rule(container, width_cm: float, cell_cm: float):
    """A short horizontal rule (the line under the issuing body, the motto, the trích yếu): a
    tiny empty paragraph (3 pt, exact) with a bottom border, indented to ``width_cm`` in the
    middle of ``cell_cm``."""
    p = _para(container, size=2)
    side = max(0.0, (cell_cm - width_cm) / 2)
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm(side)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(3)
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)
    run = p.add_run("")
    run.font.size = Pt(2)
    return p


def _no_borders(table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    tblpr.append(borders)


def _two_columns(document, left_cm: float, right_cm: float):
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    _no_borders(table)
    for cell, w in zip(table.rows[0].cells, (left_cm, right_cm)):
        cell.width = Cm(w)
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)  # no leading empty line
    for col, w in zip(table.columns, (left_cm, right_cm)):
        col.width = Cm(w)
    return table.rows[0].cells


def _header(document, lh: Letterhead, width_cm: float) -> None:
    left_cm = 6.2
    right_cm = width_cm - left_cm
    left, right = _two_columns(document, left_cm, right_cm)
    _para(left, lh.authority, size=13)
    _para(left, lh.issuer, bold=True, size=13, after=2)
    _rule(left, 2.2, left_cm)
    _para(left, lh.number, size=13)
    _para(right, lh.nation, bold=True, size=12.5)
    _para(right, lh.motto, bold=True, size=13.5, after=2)
    _rule(right, 5.6, right_cm)
    _para(right, lh.place_date, italic=True, size=13.5)
    _para(document, after=6)
    _para(document, lh.doc_type, bold=True, size=14)
    _para(document, lh.abstract, bold=True, size=14, after=4)  # the rule below, clear of the descenders
    _rule(document, 3.0, width_cm)


def _footer(document, lh: Letterhead, width_cm: float) -> None:
    left_cm = 7.6
    _para(document, after=6)
    left, right = _two_columns(document, left_cm, width_cm - left_cm)
    # the recipients and the signature stay together on one page
    left._tc.getparent().get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    _para(left, lh.recipients_label, bold=True, italic=True, size=12, align="left")
    for line in recipient_lines(lh):
        _para(left, line, size=11, align="left")
    if lh.signer_authority:
        _para(right, lh.signer_authority, bold=True, size=14)
    _para(right, lh.signer_title, bold=True, size=14)
    for _ in range(4):  # room for the signature (and the seal)
        _para(right, size=14)
    if lh.signer_name:
        _para(right, lh.signer_name, bold=True, size=14)
    else:  # a dotted line to write the name on: chiso never invents a person
        _para(right, BLANK_NAME, size=14)


def _page_numbers(section) -> None:
    """The page number centred at the top, from page 2 (the decree's rule)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    run.font.size = Pt(13)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _widths(t: Table, width_cm: float) -> list[float]:
    """Column widths: a name column wide, numbers narrow, the rest between."""
    weights = []
    for i, numeric in enumerate(t.numeric):
        weights.append(1.0 if numeric else (3.2 if i <= 1 else 1.9))
    total = sum(weights)
    return [width_cm * w / total for w in weights]


def _table(document, t: Table, width_cm: float) -> None:
    document.add_heading(t.title, level=2)
    table = document.add_table(rows=1, cols=len(t.columns))
    table.style = "Table Grid"
    table.autofit = False
    widths = _widths(t, width_cm)
    for cell, name, numeric in zip(table.rows[0].cells, t.columns, t.numeric):
        cell.text = name
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT
        p.paragraph_format.space_after = Pt(0)
        for run in p.runs:
            run.font.size, run.bold = Pt(11), True
    for i, row in enumerate(t.rows):
        cells = table.add_row().cells
        for cell, value, numeric in zip(cells, row, t.numeric):
            cell.text = value
            p = cell.paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            if numeric:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in p.runs:
                run.font.size = Pt(11)
                run.bold = i in t.highlight

    for i, row in enumerate(table.rows):  # no row split across pages; the heading row repeated
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        if i == 0:
            trpr.append(OxmlElement("w:tblHeader"))
    for col, w in zip(table.columns, widths):  # the grid (LibreOffice reads it) …
        col.width = Cm(w)
    for row in table.rows:  # … and each cell (Word reads these)
        for cell, w in zip(row.cells, widths):
            cell.width = Cm(w)


def render_docx(b: Bulletin, lang: str = "vi", *, at: dt.datetime | None = None,
                env: dict[str, str] | None = None) -> bytes:
    """DOCX bytes of the bulletin in ``lang``, as an administrative document (see the module);
    ``env`` overrides the settings (tests)."""
    text = write_text(b, lang)
    charts = render_charts(b, text, "png")
    at = at or dt.datetime.now().astimezone()
    lh = letterhead(b, lang, at, abstract=text.abstract, doc_type=text.doc_type, env=env)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    top, bottom, left, right = MARGINS_MM
    section.top_margin, section.bottom_margin = Cm(top / 10), Cm(bottom / 10)
    section.left_margin, section.right_margin = Cm(left / 10), Cm(right / 10)
    section.header_distance = Cm(1.0)
    _fonts(document)
    _page_numbers(section)
    document.core_properties.title = text.title
    document.core_properties.subject = text.abstract
    document.core_properties.language = lang
    document.core_properties.comments = issued_line(b, lang, at)
    # python-docx's template opens with no paragraph: the header table comes first
    width_cm = 21.0 - (left + right) / 10
    _header(document, lh, width_cm)
    headline = _para(document, text.title, bold=True, italic=True, size=BODY_PT, align="justify", after=6)
    headline.paragraph_format.first_line_indent = Cm(1.0)
    width = section.page_width - section.left_margin - section.right_margin
    for s in text.sections:
        document.add_heading(s.heading, level=1)
        for p in s.paragraphs:
            para = document.add_paragraph(p)
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            para.paragraph_format.first_line_indent = Cm(1.0)
        for item in s.items:
            para = document.add_paragraph(item, style="List Bullet")
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        chart = charts.get(CHART_AFTER.get(s.key, ""))
        if chart is not None:
            document.add_picture(io.BytesIO(chart), width=width)
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_heading(text.labels["tables_heading"], level=1)
    for t in bulletin_tables(b, text):
        _table(document, t, width_cm)
    _footer(document, lh, width_cm)
    # where the figures come from and when: the same line as the PDF's foot (the office may
    # delete it before signing)
    _para(document, issued_line(b, lang, at), italic=True, size=9, align="left").paragraph_format.space_before = \
        Cm(0.6)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
