"""A batch of submitted values (lô số liệu), read from a file or handed over by a connector.

Files: CSV, XLSX (first sheet), JSON (an array of objects) or JSON lines, with columns
``indicator, unit, period, value`` and optionally ``breakdown, note, source, measure``
(Vietnamese headers are read too: ``mã chỉ số, mã đơn vị, kỳ, giá trị, phân tổ, ghi chú,
nguồn, đơn vị tính``). Every cell is kept as trimmed NFC text; rows are numbered as the
user's own program numbers them (``chiso.files.tables.ROW_CONVENTION``: a workbook's sheet
row, a CSV file's spreadsheet row — the header is row 1 —, a JSON record's position, a JSON
lines line). The batch is identified by the hash of its content, so the same values sent as
CSV or as XLSX are the same batch.

A column whose header ends in ``(tham khảo)`` (reference) is for people only — the names,
units of measure and earlier values the template (``chiso.collect.values.template``) shows —
and is left out. In a file that has such columns (a filled-in template), a row whose value
and note are both empty is a row not filled in and is left out too.
"""
from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chiso.collect.validate import as_text
from chiso.collect.values import reasons
from chiso.errors import LoadError, Problem
from chiso.files.documents import read_document
from chiso.files.limits import values_limits
from chiso.files.reasons import text as file_reason
from chiso.files.tables import ROW, column_name, read_table, table_format

REQUIRED = ("indicator", "unit", "period", "value")
OPTIONAL = ("breakdown", "note", "source", "measure")
COLUMNS = REQUIRED + OPTIONAL

#: Vietnamese (and a few English) headers and the column each means.
ALIASES: dict[str, str] = {
    "mã chỉ số": "indicator", "chỉ số": "indicator", "indicator_code": "indicator",
    "mã đơn vị": "unit", "đơn vị": "unit", "unit_code": "unit",
    "kỳ": "period", "kỳ báo cáo": "period",
    "giá trị": "value",
    "phân tổ": "breakdown",
    "ghi chú": "note",
    "nguồn": "source", "nguồn dữ liệu": "source",
    "đơn vị tính": "measure",
}


@dataclass(frozen=True)
class RawRow:
    """One data row as written: its number and its cells (text or None)."""

    row: int
    cells: Mapping[str, str | None]

    def get(self, column: str) -> str | None:
        return self.cells.get(column)


@dataclass(frozen=True)
class Batch:
    """The rows of one submission and where they came from."""

    name: str                       # how problems name the file (or the connector run)
    rows: tuple[RawRow, ...]
    columns: tuple[str, ...]
    content_sha256: str
    format: str | None = None       # csv, xlsx, json, jsonl (None: handed over, not a file)
    sheet: str | None = None        # xlsx: the sheet read, whose row numbers the report gives

    def __len__(self) -> int:
        return len(self.rows)


#: A header ending in this names a column for people only (the template's reference columns).
REFERENCE = "(tham khảo)"


def is_reference(header: str) -> bool:
    """Whether a header names a reference column, left out of the batch."""
    return column_name(str(header)).endswith(REFERENCE)


def _column(name: str) -> str:
    clean = column_name(str(name))
    return ALIASES.get(clean, clean)


def _cell(value: Any) -> str | None:
    """A JSON or connector cell as text: numbers written plainly, blanks as None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int | str):
        text = unicodedata.normalize("NFC", str(value).strip())
        return text or None
    return f"<{type(value).__name__}>"  # lists and objects hold no value of ours


def content_sha256(rows: Iterable[RawRow]) -> str:
    """The hash of a batch's content, independent of row order and file format."""
    canonical = sorted(json.dumps([r.get(c) for c in COLUMNS], ensure_ascii=False) for r in rows)
    return hashlib.sha256("\n".join(canonical).encode("utf-8")).hexdigest()


def _renamed(name: str, columns: Iterable[str]) -> dict[str, str]:
    """Original header → column name; a LoadError if two headers mean the same column."""
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    problems = []
    for col in columns:
        clean = _column(col)
        if clean in seen:
            problems.append(Problem(name, None, clean, reasons.text("column.twice", first=repr(seen[clean]),
                                                                     second=repr(col))))
            continue
        seen[clean] = col
        out[col] = clean
    if problems:
        raise LoadError(problems, total=len(problems))
    return out


def batch_from_records(name: str, records: Iterable[Mapping[str, Any]]) -> Batch:
    """A batch from objects (a JSON array, an HTTP endpoint, a SQL query's rows)."""
    rows: list[RawRow] = []
    columns: dict[str, None] = {}
    problems: list[Problem] = []
    for n, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            problems.append(Problem(name, n, None, reasons.text("entry.not_object"), _cell(record)))
            continue
        renamed = _renamed(name, record.keys())
        cells = {renamed[k]: _cell(v) for k, v in record.items()}
        columns.update(dict.fromkeys(cells))
        if any(v is not None for v in cells.values()):
            rows.append(RawRow(n, cells))
    if problems:
        raise LoadError(problems[:1000], total=len(problems))
    return Batch(name, tuple(rows), tuple(columns), content_sha256(rows))


def _records_of(data: Any, name: str) -> list[Any]:
    if isinstance(data, dict) and isinstance(data.get("values"), list):
        data = data["values"]
    if not isinstance(data, list):
        raise LoadError([Problem(name, None, None, reasons.text("file.json_shape"))], total=1)
    return data


#: Values files by suffix: the tables the one reader reads, and JSON documents.
FORMATS: dict[str, str] = {".csv": "csv", ".xlsx": "xlsx", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
SUFFIXES = tuple(FORMATS)


def read_batch(path: str | Path, display: str | None = None) -> Batch:
    """Read a submission file; a LoadError names the file (and row) when it cannot be read."""
    path = Path(path)
    name = display or str(path)
    limits = values_limits()
    if table_format(path, name, FORMATS, "values") == "json":
        data, _text = read_document(path, "json", name, limits)
        records = _records_of(data, name)
        if len(records) > limits.max_rows:
            raise LoadError([Problem(name, None, None, file_reason("file.rows", limit=f"{limits.max_rows:,}"))],
                            total=1)
        batch = batch_from_records(name, records)
        return Batch(batch.name, batch.rows, batch.columns, batch.content_sha256, "json")
    table = read_table(path, name, formats=FORMATS, what="values", limits=limits)
    frame = table.frame
    data = [c for c in frame.columns if c != ROW]
    template = any(is_reference(c) for c in data)
    renamed = _renamed(name, [c for c in data if not is_reference(c)])
    texts = {renamed[c]: as_text(frame[c]).to_list() for c in renamed}
    numbers = frame[ROW].to_list()
    rows = [RawRow(n, {c: texts[c][i] for c in texts}) for i, n in enumerate(numbers)]
    if template:  # a filled-in template: the rows left empty were not filled in
        rows = [r for r in rows if r.get("value") is not None or r.get("note") is not None]
    return Batch(name, tuple(rows), tuple(texts), content_sha256(rows), table.format, table.sheet)
