"""The records behind lost points as an Excel workbook (the drill-down's export).

Written with the bulletin's workbook writer (``chiso.reports.xlsx``: its fonts, header style,
number formats): title lines first (the criterion; the unit and the window as people say it;
the scope; a note when the rows were capped), then the header row, frozen and filtered, then
one row a record. Numbers stay numbers, dates stay dates (dd/mm/yyyy; d mmm yyyy in English),
text wraps in the reason column.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chiso.reports.xlsx import Workbook, column_width

DATE_FORMATS = {"vi": "dd/mm/yyyy", "en": "d mmm yyyy"}


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = "text"  # text | int | date


def records_workbook(titles: list[str], columns: list[Column], rows: list[list], *, lang: str = "vi",
                     sheet: str = "Records") -> bytes:
    """A one-sheet workbook: ``titles`` (one line each), the header, ``rows`` of plain values."""
    book = Workbook(lang)
    wb = book.wb
    ws = wb.add_worksheet(sheet[:31])
    title = wb.add_format({"bold": True, "font_size": 13, "font_name": "DejaVu Sans"})
    line = wb.add_format({"font_name": "DejaVu Sans", "italic": True})
    wrap = wb.add_format({"font_name": "DejaVu Sans", "text_wrap": True, "valign": "top"})
    date = wb.add_format({"num_format": DATE_FORMATS.get(lang, DATE_FORMATS["vi"]), "font_name": "DejaVu Sans",
                          "valign": "top"})
    formats = {"text": wrap, "int": book.formats["int"], "date": date}
    for i, text in enumerate(titles):
        ws.write_string(i, 0, text, title if i == 0 else line)
    head = len(titles) + 1 if titles else 0
    ws.set_row(head, 30)
    for j, col in enumerate(columns):
        ws.write_string(head, j, col.heading, book.head)
        shown = [v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v for v in (r[j] for r in rows)]
        ws.set_column(j, j, column_width([col.heading] + shown, maximum=60), formats.get(col.kind, wrap))
    for i, row in enumerate(rows, start=head + 1):
        for j, (col, v) in enumerate(zip(columns, row)):
            fmt = formats.get(col.kind, wrap)
            if v is None or v == "":
                ws.write_blank(i, j, None, fmt)
            elif isinstance(v, dt.datetime):
                ws.write_datetime(i, j, v, fmt)
            elif isinstance(v, dt.date):
                ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), fmt)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(i, j, v, fmt)
            else:
                ws.write_string(i, j, str(v), fmt)
    ws.freeze_panes(head + 1, 0)
    ws.autofilter(head, 0, head + max(1, len(rows)), max(0, len(columns) - 1))
    return book.close()
