"""How the command line prints results: JSON, CSV and Rich tables.

The shapes of score documents are the evaluate layer's (``chiso.evaluate.documents``).
"""
from __future__ import annotations

import csv
import io
import json

from rich.console import Console
from rich.table import Table

from chiso.text import EMPTY, format_number


def to_json(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str)


def to_csv(rows: list[dict]) -> str:
    if not rows:
        return ""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: "" if v is None else v for k, v in r.items()})
    return buf.getvalue()


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
