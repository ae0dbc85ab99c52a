"""How the command line prints results: JSON, CSV and Rich tables.

The shapes of score documents are the evaluate layer's (``chiso.evaluate.documents``).
"""
from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from chiso.text import EMPTY, csv_field, format_number


def to_json(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str)


def to_csv(rows: list[dict]) -> str:
    """Rows as CSV (the columns of the first row, a header line, ``\\n`` line ends); every field
    through ``chiso.text.csv_field``, so that no cell opens as a spreadsheet formula."""
    if not rows:
        return ""
    columns = list(rows[0])
    lines = [_csv_line(columns)]
    for r in rows:
        unknown = set(r) - set(columns)
        if unknown:
            raise ValueError(f"row has columns the first row has not: {', '.join(map(str, sorted(unknown)))}")
        lines.append(_csv_line([r.get(k) for k in columns]))
    return "\n".join(lines) + "\n"


def _csv_line(values) -> str:
    line = ",".join(csv_field(v) for v in values)
    return '""' if line == "" else line  # one empty field: not a blank line


def _fmt(v) -> str:
    if v is None:
        return EMPTY
    if isinstance(v, float):
        return format_number(v, 2, "en")
    return str(v)


def print_table(rows: list[dict], title: str | None = None, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title=title, show_lines=False)
    if not rows:
        console.print(f"{title or ''}: nothing to show")
        return
    for k in rows[0]:
        table.add_column(str(k), justify="right" if isinstance(rows[0][k], (int, float)) else "left")
    for r in rows:
        table.add_row(*[_fmt(v) for v in r.values()])
    console.print(table)


def arrow(change: int | float | None) -> str:
    if change is None:
        return ""
    return "▲" if change > 0 else ("▼" if change < 0 else "=")
