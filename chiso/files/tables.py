"""Tables sent to chiso — CSV, Excel (.xlsx), Parquet, JSON lines — read into a polars frame
within the limits, every text in Unicode NFC.

The reader does not judge values: it returns the file's own cells (text, or native types for
Parquet and JSON lines) plus ``_row``, the row number every problem report points to — the
number the user's own program shows for it (``ROW_CONVENTION``): in a workbook the sheet's
row (the header is row 1 when it is the first row, so the first data row is row 2; the
sheet is named in ``Table.sheet``); in CSV the row a spreadsheet opening it shows (header =
row 1); in JSON lines the line; in Parquet the record's position from 1. Column names are trimmed, lower-cased and NFC; a header
written twice, or missing over a column with values, is refused (a missing one named by its
letter, as a spreadsheet shows it). Blank rows are dropped but keep their numbers, so row
numbers still match what the user sees.

Before anything is parsed: the file's size; a workbook's or Parquet file's unpacked size
and compression ratios, from its directory or footer; a text file's encoding (UTF-8, or
UTF-16/32 with a byte-order mark; anything else is refused naming what it looks like); the
CSV delimiter, sniffed from the header line (``,`` ``;`` tab or ``|`` — Excel in a Vietnamese
locale writes ``;``); and the depth of JSON lines. While reading: rows stop at the limit;
columns, cell lengths and NUL characters (no text: a damaged file) are checked. A row polars
cannot read is looked for and named — a CSV row with more cells than the header or with a
quote never closed, a JSON line that is no JSON object.

A row of JSON lines is its line: blank lines keep their numbers there too. A number a float
cannot hold (``1e-400``, which polars reads as 0) is kept as the text written, so that
whoever judges the cell sees what was sent rather than a 0.
"""
from __future__ import annotations

import csv
import io
import json
import threading
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import numpy as np
import polars as pl

from chiso.errors import LoadError, Problem
from chiso.files.documents import json_number
from chiso.files.encoding import examine
from chiso.files.guards import check_parquet, check_size, check_workbook, json_too_deep, refuse
from chiso.files.limits import Limits, current_limits
from chiso.files.reasons import text

ROW = "_row"  # the row number as the user's own program shows it, carried through validation

#: How ``_row`` numbers rows, by format (what the docs and the pages say).
ROW_CONVENTION: dict[str, str] = {
    "xlsx": "the sheet's row number (the header is row 1, the first data row is row 2)",
    "csv": "the row a spreadsheet shows (the header is row 1, the first data row is row 2)",
    "jsonl": "the line number", "parquet": "the record's position, from 1",
    "json": "the record's position in the array, from 1",
}
#: The number of the first data row when the header is the first row (CSV, a workbook).
FIRST_DATA_ROW = 2

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
    sheet: str | None = None      # xlsx: the name of the sheet read (the first)


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


def _read_csv(path: Path, name: str, limits: Limits) -> tuple[pl.DataFrame, str, str, list[str] | None]:
    """The cells, encoding and delimiter, and the header as written (polars renames a repeated
    or empty header ``x_duplicated_0``; None when the header line cannot be told apart)."""
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
    try:
        frame = pl.read_csv(source, separator=delimiter, infer_schema=False, encoding="utf8",
                            n_rows=limits.max_rows + 1)
    except Exception:
        fault = _csv_fault(source, delimiter, name)
        if fault is not None:
            raise fault from None
        raise
    written = next(csv.reader(io.StringIO(header.rstrip("\r")), delimiter=delimiter), [])
    return frame, found.encoding, delimiter, written if len(written) == frame.width else None


_CSV = threading.Lock()  # guards csv.field_size_limit, which is the whole process's


def _csv_fault(source: Path | bytes, delimiter: str, name: str) -> LoadError | None:
    """Why polars could not read a CSV file, when it is a row: the first with more cells than
    the header, or the one whose quote is never closed (None: neither). Read record by record
    with Python's csv module, whose quoting is the same; only after polars has failed."""
    with _CSV, _opened(source) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as lines:
        before = csv.field_size_limit((1 << 31) - 1)  # a long cell is judged later, by its length
        row = 0
        try:
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            header = next(reader, [])
            for row, cells in enumerate(reader, start=FIRST_DATA_ROW):
                if len(cells) > len(header):
                    return refuse(name, text("row.cells", cells=len(cells), columns=len(header)), row=row)
        except csv.Error as exc:
            if "end of data" in str(exc):
                return refuse(name, text("row.quote"), row=max(row, FIRST_DATA_ROW - 1) + 1)
        finally:
            csv.field_size_limit(before)
    return None


def _opened(source: Path | bytes):
    return io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")


def _lines(source: Path | bytes) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of a text file, without a UTF-8 byte-order mark."""
    with _opened(source) as fh:
        for number, line in enumerate(fh, start=1):
            yield number, line.removeprefix(b"\xef\xbb\xbf") if number == 1 else line


def _read_jsonl(path: Path, name: str, limits: Limits) -> tuple[pl.DataFrame, str, np.ndarray | None]:
    found = examine(path, name)
    data: Path | bytes = found.utf8 if found.utf8 is not None else path
    line = json_too_deep(data, limits.max_depth)
    if line is not None:
        raise refuse(name, text("file.depth", limit=limits.max_depth), row=line)
    source = path if found.utf8 is None else io.BytesIO(found.utf8)
    try:
        frame = pl.read_ndjson(source, infer_schema_length=None, n_rows=limits.max_rows + 1)
    except Exception:
        fault = _jsonl_fault(data, name)
        if fault is not None:
            raise fault from None
        raise
    rows = _row_lines(data, frame.height)
    return _kept_numbers(frame, data, rows), found.encoding, rows


def _jsonl_fault(source: Path | bytes, name: str) -> LoadError | None:
    """The first line of JSON lines that is no JSON, or no object (None: every line is one)."""
    for number, line in _lines(source):
        if not line.strip():
            continue
        try:
            value = json.loads(line.rstrip(b"\r\n"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            message = exc.msg if isinstance(exc, json.JSONDecodeError) else exc.reason
            column = exc.colno if isinstance(exc, json.JSONDecodeError) else 1
            return refuse(name, text("file.bad_json", message=message, line=number, column=column), row=number)
        if not isinstance(value, dict):
            return refuse(name, text("line.not_object"), row=number)
    return None


_LINES_BLOCK = 1 << 22  # JSON lines are scanned for blank lines 4 MB at a time
_INK = np.ones(256, dtype=bool)
_INK[[9, 10, 13, 32]] = False  # what a blank line may hold: spaces, tabs, its line end


def _row_lines(source: Path | bytes, rows: int) -> np.ndarray | None:
    """The line of each of the first ``rows`` rows of JSON lines (polars skips blank lines;
    the rows keep the numbers the user sees), or None when no blank line comes before them.
    A count of line ends first (every line a row: nothing to number), then, only when some
    line is blank, a vectorised scan a block at a time: memory is one block plus one number a row."""
    breaks, last = 0, b"\n"
    with _opened(source) as fh:
        while block := fh.read(_LINES_BLOCK):
            breaks, last = breaks + block.count(b"\n"), block[-1:]
    if breaks + (last != b"\n") == rows:
        return None
    found: list[np.ndarray] = []
    count, line, ink = 0, 1, False  # ink: the current line has something on it
    with _opened(source) as fh:
        while count < rows and (block := fh.read(_LINES_BLOCK)):
            a = np.frombuffer(block, dtype=np.uint8)
            ends = np.flatnonzero(a == 10)
            inked = np.cumsum(_INK[a], dtype=np.int64)
            on_line = np.diff(inked[ends], prepend=0)  # ink of each line ended in the block
            on_line[:1] += ink
            numbers = line + np.flatnonzero(on_line > 0)
            found.append(numbers[: rows - count])
            count += min(numbers.size, rows - count)
            line += ends.size
            ink = bool(inked[-1] - (inked[ends[-1]] if ends.size else 0)) or (ink and not ends.size)
    if count < rows and ink:  # the last line has no line end
        found.append(np.array([line], dtype=np.int64))
    numbers = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
    if numbers.size != rows or not rows or numbers[-1] == rows:  # no blank line before the last row
        return None
    return numbers


def _kept_numbers(frame: pl.DataFrame, source: Path | bytes, rows: np.ndarray | None) -> pl.DataFrame:
    """Numbers of JSON lines a float could not hold (polars reads ``1e-400`` as 0) as the text
    written: their column becomes text, written as ``as_text`` writes numbers. Only the lines
    of rows holding a 0 are read again."""
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    if not floats:
        return frame
    zero = np.flatnonzero(frame.select(pl.any_horizontal(pl.col(c) == 0 for c in floats)).to_series()
                          .fill_null(False).to_numpy())
    if not zero.size:
        return frame
    wanted = {int(rows[i]) if rows is not None else int(i) + 1: int(i) for i in zero}
    lost: dict[str, dict[int, str]] = {}
    last = max(wanted)
    for number, line in _lines(source):
        if number > last:
            break
        if number in wanted:
            try:
                doc = json.loads(line, parse_float=json_number)
            except ValueError:  # polars read it: only a line told apart otherwise (never seen) lands here
                continue
            for key, value in doc.items() if isinstance(doc, dict) else ():
                if isinstance(value, str) and key in floats:  # a float column: the text of a lost number
                    lost.setdefault(key, {})[wanted[number]] = value
    for column, cells in lost.items():
        s = frame[column]
        written = pl.select(pl.when(s.is_finite() & (s == s.round(0))).then(s.cast(pl.Int64, strict=False)
                                                                           .cast(pl.String))
                            .otherwise(s.cast(pl.String))).to_series().alias(column)
        frame = frame.with_columns(written.scatter(list(cells), list(cells.values())))
    return frame


def _read_xlsx(path: Path, name: str, limits: Limits) -> tuple[pl.DataFrame, str, int, list[str] | None]:
    """The first sheet's cells, its name, the sheet row of its first data row and the header.

    The sheet is read from its row 1 without a header (the reader would start at the first row
    holding something), so that the blank rows above the header are counted and every row
    keeps the number the sheet shows; the first row holding something is the header."""
    check_workbook(path, name, limits)
    # first sheet; cells as text so codes like "07210" keep their zeros
    reader = fastexcel.read_excel(str(path))
    sheet = reader.sheet_names[0] if reader.sheet_names else ""
    cells = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string",
                              n_rows=limits.max_rows + _LEADING).to_polars()
    top = 0
    for values in cells.head(_LEADING).iter_rows():
        if any(v is not None and v.strip() for v in values):
            break
        top += 1
    else:
        top = cells.height  # no header: nothing but blank rows
    header = [v if v is not None else "" for v in cells.row(top)] if top < cells.height else None
    frame = cells.slice(top + 1, limits.max_rows + 1)
    return frame, sheet, top + FIRST_DATA_ROW, header


_LEADING = 1000  # most blank rows above a workbook's header looked through


def _read(path: Path, name: str, fmt: str, limits: Limits
          ) -> tuple[Table, np.ndarray | int, list[str] | None]:
    """The file's cells; the number of each row (JSON lines: their lines, when a blank line
    moves them), else the number of the first row; the header as written when polars changed
    it (CSV)."""
    try:
        if fmt == "csv":
            frame, encoding, delimiter, headers = _read_csv(path, name, limits)
            return Table(frame, fmt, encoding, delimiter), FIRST_DATA_ROW, headers
        if fmt == "jsonl":
            frame, encoding, rows = _read_jsonl(path, name, limits)
            return Table(frame, fmt, encoding), 1 if rows is None else rows, None
        if fmt == "xlsx":
            frame, sheet, first, header = _read_xlsx(path, name, limits)
            return Table(frame, fmt, sheet=sheet), first, header
        check_parquet(path, name, limits)
        return Table(pl.read_parquet(path), fmt), 1, None
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
    table, rows, headers = _read(path, name, fmt, limits)
    raw = table.frame
    if raw.height > limits.max_rows:
        raise refuse(name, text("file.rows", limit=f"{limits.max_rows:,}"))
    if raw.width > limits.max_columns:
        raise refuse(name, text("file.columns", columns=f"{raw.width:,}", limit=limits.max_columns))
    frame = _normalise(raw, name, limits, rows, headers)
    return Table(frame, table.format, table.encoding, table.delimiter, table.sheet)


def column_name(header: str) -> str:
    """A header as chiso compares it: trimmed, lower-case, NFC, without a byte-order mark."""
    return unicodedata.normalize("NFC", header.strip().lstrip("\ufeff").strip().lower())


def letter(position: int) -> str:
    """A column's letter as a spreadsheet shows it: 0 → A, 25 → Z, 26 → AA."""
    out = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        out = chr(65 + rest) + out
    return out


def _normalise(raw: pl.DataFrame, name: str, limits: Limits, rows: np.ndarray | int = 1,
               headers: list[str] | None = None) -> pl.DataFrame:
    problems, rename, drop = [], {}, []
    seen: dict[str, str] = {}
    for i, col in enumerate(raw.columns):
        written = headers[i] if headers is not None else col
        clean = column_name(written)
        if "\x00" in clean:
            problems.append(Problem(name, None, clean.replace("\x00", "\\0"), text("cell.nul")))
            continue
        if not clean or (headers is None and clean.startswith("__unnamed")):
            if raw[col].null_count() == raw.height:
                drop.append(col)  # a trailing separator: an empty, nameless column
                continue
            problems.append(Problem(name, None, letter(i), text("column.no_header")))  # named by its letter
            continue
        if clean in seen or clean == ROW:
            problems.append(Problem(name, None, clean, text("column.repeated", first=repr(seen.get(clean, ROW)),
                                                             second=repr(written))))
            continue
        seen[clean] = written
        rename[col] = clean
    if problems:
        raise LoadError(problems, total=len(problems))
    first = rows if isinstance(rows, int) else 1
    frame = raw.drop(drop).select(list(rename)).rename(rename).with_row_index(ROW, offset=first)
    frame = frame.with_columns(pl.col(ROW).cast(pl.Int64) if isinstance(rows, int) else pl.Series(ROW, rows, pl.Int64))
    texts = [c for c in frame.columns if c != ROW and frame[c].dtype == pl.String]
    if texts:
        frame = frame.with_columns(pl.col(c).str.normalize("NFC") for c in texts)
        _check_cells(frame, texts, name, limits)
    cells = [c for c in frame.columns if c != ROW]
    if not cells:
        return frame
    blank = pl.all_horizontal(
        [(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")) if c in texts
         else pl.col(c).is_null() for c in cells])
    return frame.filter(~blank)


def _check_cells(frame: pl.DataFrame, texts: list[str], name: str, limits: Limits) -> None:
    """Cells too long, and cells holding a NUL character (no text, and no database keeps it)."""
    lengths = [pl.col(c).str.len_chars().alias(c) for c in texts]
    nuls = [pl.col(c).str.contains("\x00", literal=True).fill_null(False).alias(f"{c}\x00") for c in texts]
    bad = frame.select(ROW, *lengths, *nuls).filter(
        pl.any_horizontal(*[pl.col(c) > limits.max_cell_chars for c in texts], *[pl.col(f"{c}\x00") for c in texts]))
    if bad.is_empty():
        return
    problems: list[Problem] = []
    total = 0
    for row in bad.iter_rows(named=True):
        for c in texts:
            found = []
            if row[c] is not None and row[c] > limits.max_cell_chars:
                found.append(text("cell.too_long", chars=f"{row[c]:,}", limit=f"{limits.max_cell_chars:,}"))
            if row[f"{c}\x00"]:
                found.append(text("cell.nul"))
            total += len(found)
            problems += [Problem(name, row[ROW], c, reason) for reason in found][: limits.max_problems - len(problems)]
    raise LoadError(problems, total=total)
