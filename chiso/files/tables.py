"""Tables sent to chiso — CSV, Excel (.xlsx), Parquet, JSON lines — read into a polars frame
within the limits, every text in Unicode NFC.

The reader does not judge values: it returns the file's own cells (text, or native types for
Parquet and JSON lines) plus ``_row``, the 1-based data row number (header excluded) that
every problem report points to. Column names are trimmed, lower-cased and NFC; blank rows are
dropped but keep their numbers, so row numbers still match what the user sees.

Before anything is parsed: the file's size; a workbook's or Parquet file's unpacked size
and compression ratios, from its directory or footer; a text file's encoding (UTF-8, or
UTF-16/32 with a byte-order mark; anything else is refused naming what it looks like); the
CSV delimiter, sniffed from the header line (``,`` ``;`` tab or ``|`` — Excel in a Vietnamese
locale writes ``;``); and the depth of JSON lines. While reading: rows stop at the limit;
columns and cell lengths are checked.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from chiso.errors import LoadError, Problem
from chiso.files.encoding import examine
from chiso.files.guards import check_parquet, check_size, check_workbook, json_too_deep, refuse
from chiso.files.limits import Limits, current_limits
from chiso.files.reasons import text

ROW = "_row"  # the 1-based data row number carried through validation

#: Table formats by suffix.
TABLE_FORMATS: dict[str, str] = {
    ".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".xlsx": "xlsx",
}

#: Delimiters a CSV file may use, in the order a tie is settled.
DELIMITERS = (",", ";", "\t", "|")
_HEAD = 1 << 20  # the header line is looked for in the first megabyte


@dataclass(frozen=True)
class Table:
    """A file's cells as read, and how they were read."""

    frame: pl.DataFrame     # the file's columns (normalised names) plus ROW, blank rows dropped
    format: str             # csv, xlsx, parquet, jsonl
    encoding: str | None = None   # text formats: utf-8, utf-8-sig, utf-16, utf-32
    delimiter: str | None = None  # csv


def table_format(path: Path, name: str, formats: Mapping[str, str], what: str) -> str:
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise refuse(name, text("file.type", suffix=repr(path.suffix or "(none)"), what=what,
                                suffixes=", ".join(sorted(formats))))
    return fmt


def sniff_delimiter(head: str) -> str:
    """The delimiter of a CSV file from its header line: the candidate that splits it into the
    most columns (quotes respected); a comma when none does."""
    line = head.split("\n", 1)[0]
    best, most = ",", 1
    for d in DELIMITERS:
        n = len(next(csv.reader(io.StringIO(line), delimiter=d), []))
        if n > most:
            best, most = d, n
    return best


def _read_csv(path: Path, name: str, limits: Limits) -> tuple[pl.DataFrame, str, str]:
    found = examine(path, name)
    source: Path | bytes = path if found.utf8 is None else found.utf8
    if isinstance(source, bytes):
        head = source[:_HEAD]
    else:
        with path.open("rb") as fh:
            head = fh.read(_HEAD)
    head_text = head.decode("utf-8", errors="ignore").removeprefix("\ufeff")
    delimiter = sniff_delimiter(head_text)
    header = head_text.split("\n", 1)[0]
    if header.count(delimiter) + 1 > limits.max_columns:
        raise refuse(name, text("file.columns", columns=f"{header.count(delimiter) + 1:,}", limit=limits.max_columns))
    # every cell as text: types are decided by the schema, not guessed from the file
    frame = pl.read_csv(source, separator=delimiter, infer_schema=False, encoding="utf8",
                        n_rows=limits.max_rows + 1)
    return frame, found.encoding, delimiter


def _read_jsonl(path: Path, name: str, limits: Limits) -> tuple[pl.DataFrame, str]:
    found = examine(path, name)
    line = json_too_deep(found.utf8 if found.utf8 is not None else path, limits.max_depth)
    if line is not None:
        raise refuse(name, text("file.depth", limit=limits.max_depth), row=line)
    source = path if found.utf8 is None else io.BytesIO(found.utf8)
    return pl.read_ndjson(source, infer_schema_length=None, n_rows=limits.max_rows + 1), found.encoding


def _read_xlsx(path: Path, name: str, limits: Limits) -> pl.DataFrame:
    check_workbook(path, name, limits)
    # first sheet, header row; cells as text so codes like "07210" keep their zeros
    reader = fastexcel.read_excel(str(path))
    return reader.load_sheet(0, dtypes="string", n_rows=limits.max_rows + 1).to_polars()


def _read(path: Path, name: str, fmt: str, limits: Limits) -> Table:
    try:
        if fmt == "csv":
            frame, encoding, delimiter = _read_csv(path, name, limits)
            return Table(frame, fmt, encoding, delimiter)
        if fmt == "jsonl":
            frame, encoding = _read_jsonl(path, name, limits)
            return Table(frame, fmt, encoding)
        if fmt == "xlsx":
            return Table(_read_xlsx(path, name, limits), fmt)
        check_parquet(path, name, limits)
        return Table(pl.read_parquet(path), fmt)
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - every reader has its own error classes
        raise refuse(name, text("file.unreadable", format=fmt, detail=str(exc).strip().splitlines()[0]
                                if str(exc).strip() else type(exc).__name__)) from None


def read_table(path: str | Path, name: str | None = None, *, formats: Mapping[str, str] = TABLE_FORMATS,
               what: str = "data", limits: Limits | None = None) -> Table:
    """Read one table file; a LoadError names the file (and row, column) when it cannot be."""
    path = Path(path)
    name = name or str(path)
    limits = limits or current_limits()
    fmt = table_format(path, name, formats, what)
    if not path.is_file():
        raise refuse(name, text("file.missing"))
    check_size(path, name, limits.max_bytes)
    table = _read(path, name, fmt, limits)
    raw = table.frame
    if raw.height > limits.max_rows:
        raise refuse(name, text("file.rows", limit=f"{limits.max_rows:,}"))
    if raw.width > limits.max_columns:
        raise refuse(name, text("file.columns", columns=f"{raw.width:,}", limit=limits.max_columns))
    frame = _normalise(raw, name, limits)
    return Table(frame, table.format, table.encoding, table.delimiter)


def column_name(header: str) -> str:
    """A header as chiso compares it: trimmed, lower-case, NFC, without a byte-order mark."""
    return unicodedata.normalize("NFC", header.strip().lstrip("\ufeff").strip().lower())


def _normalise(raw: pl.DataFrame, name: str, limits: Limits) -> pl.DataFrame:
    problems, rename, drop = [], {}, []
    seen: dict[str, str] = {}
    for col in raw.columns:
        clean = column_name(col)
        if not clean or clean.startswith("__unnamed"):
            if raw[col].null_count() == raw.height:
                drop.append(col)  # a trailing separator: an empty, nameless column
                continue
            problems.append(Problem(name, None, col, text("column.no_header")))
            continue
        if clean in seen or clean == ROW:
            problems.append(Problem(name, None, clean, text("column.repeated", first=repr(seen.get(clean, ROW)),
                                                             second=repr(col))))
            continue
        seen[clean] = col
        rename[col] = clean
    if problems:
        raise LoadError(problems, total=len(problems))
    frame = raw.drop(drop).select(list(rename)).rename(rename).with_row_index(ROW, offset=1)
    frame = frame.with_columns(pl.col(ROW).cast(pl.Int64))
    texts = [c for c in frame.columns if c != ROW and frame[c].dtype == pl.String]
    if texts:
        frame = frame.with_columns(pl.col(c).str.normalize("NFC") for c in texts)
        _check_lengths(frame, texts, name, limits)
    cells = [c for c in frame.columns if c != ROW]
    if not cells:
        return frame
    blank = pl.all_horizontal(
        [(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")) if c in texts
         else pl.col(c).is_null() for c in cells])
    return frame.filter(~blank)


def _check_lengths(frame: pl.DataFrame, texts: list[str], name: str, limits: Limits) -> None:
    long = frame.select(ROW, *[pl.col(c).str.len_chars().alias(c) for c in texts]).filter(
        pl.any_horizontal(pl.col(c) > limits.max_cell_chars for c in texts))
    if long.is_empty():
        return
    problems: list[Problem] = []
    total = 0
    for row in long.iter_rows(named=True):
        for c in texts:
            if row[c] is not None and row[c] > limits.max_cell_chars:
                total += 1
                if len(problems) < limits.max_problems:
                    problems.append(Problem(name, row[ROW], c, text("cell.too_long", chars=f"{row[c]:,}",
                                                                     limit=f"{limits.max_cell_chars:,}")))
    raise LoadError(problems, total=total)
