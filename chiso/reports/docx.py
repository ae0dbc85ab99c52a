"""The bulletin as a Word document the office can edit (python-docx): real headings,
paragraphs, bullet lists, tables and PNG charts — no text boxes or images of text."""
from __future__ import annotations

import datetime as dt
import io

from chiso.reports.charts import render_charts
from chiso.reports.facts import Bulletin
from chiso.reports.tables import Table, bulletin_tables
from chiso.reports.text import issued_line, write_text

FONT = "DejaVu Sans"
CHART_AFTER = {"total": "trend", "groups": "groups", "departments": "departments", "communes": "communes"}


def _fonts(document) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for name in ("Normal", "Title", "Heading 1", "Heading 2", "List Bullet"):
        style = document.styles[name]
        style.font.name = FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
    document.styles["Normal"].font.size = Pt(10)


def _table(document, t: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document.add_heading(t.title, level=2)
    table = document.add_table(rows=1, cols=len(t.columns))
    table.style = "Light Grid Accent 1"
    for cell, name, numeric in zip(table.rows[0].cells, t.columns, t.numeric):
        cell.text = name
        if numeric:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for i, row in enumerate(t.rows):
        cells = table.add_row().cells
        for cell, value, numeric in zip(cells, row, t.numeric):
            cell.text = value
            p = cell.paragraphs[0]
            if numeric:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in p.runs:
                run.font.size = Pt(8.5)
                run.bold = i in t.highlight


def render_docx(b: Bulletin, lang: str = "vi", *, at: dt.datetime | None = None) -> bytes:
    """DOCX bytes of the bulletin in ``lang``."""
    from docx import Document
    from docx.shared import Cm

    text = write_text(b, lang)
    charts = render_charts(b, text, "png")
    at = at or dt.datetime.now().astimezone()
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(1.6)
    _fonts(document)
    document.core_properties.title = text.title
    document.core_properties.subject = text.subtitle
    document.core_properties.language = lang
    document.add_heading(text.title, level=0)
    document.add_paragraph().add_run(text.subtitle).italic = True
    width = section.page_width - section.left_margin - section.right_margin
    for s in text.sections:
        document.add_heading(s.heading, level=1)
        for p in s.paragraphs:
            document.add_paragraph(p)
        for item in s.items:
            document.add_paragraph(item, style="List Bullet")
        chart = charts.get(CHART_AFTER.get(s.key, ""))
        if chart is not None:
            document.add_picture(io.BytesIO(chart), width=width)
    document.add_heading(text.labels["tables_heading"], level=1)
    for t in bulletin_tables(b, text):
        _table(document, t)
    document.add_paragraph(issued_line(b, lang, at))
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
