"""Read one source file (CSV, Parquet, JSON lines, .xlsx) into a polars frame, and decide its kind.

Readers do not judge values: they return the file's own cells (strings, or native types for
Parquet and JSON) plus ``_row``, the 1-based data row number (header excluded) that every
problem report points to. Column names are trimmed and lower-cased; blank rows are dropped
but keep their numbers counted, so row numbers still match what the user sees.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from chiso.catalog.records import RECORD_KINDS, RecordKind
from chiso.errors import LoadError, Problem

ROW = "_row"  # the 1-based data row number carried through validation

FORMATS: dict[str, str] = {
    ".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".xlsx": "xlsx",
}


@dataclass(frozen=True)
class Source:
    """One file as read: its cells, kind and fingerprint."""

    path: Path
    name: str  # how problems name the file: the path as the user gave it
    kind: RecordKind
    format: str
    frame: pl.DataFrame  # the file's columns (normalised names) plus ROW
    sha256: str

    @property
    def rows(self) -> int:
        return self.frame.height


def refuse(file: str, reason: str, column: str | None = None) -> LoadError:
    """A LoadError for a problem with a whole file."""
    return LoadError([Problem(file, None, column, reason)], total=1)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_raw(path: Path, fmt: str) -> pl.DataFrame:
    if fmt == "csv":
        # Every cell as text: types are decided by the schema, not guessed from the file.
        return pl.read_csv(path, infer_schema=False, encoding="utf8")
    if fmt == "parquet":
        return pl.read_parquet(path)
    if fmt == "jsonl":
        return pl.read_ndjson(path, infer_schema_length=None)
    # .xlsx: first sheet, header row; cells as text so codes like "07210" keep their zeros.
    reader = fastexcel.read_excel(str(path))
    return reader.load_sheet(0, dtypes="string").to_polars()


def read_frame(path: str | Path, display: str | None = None) -> tuple[pl.DataFrame, str]:
    """The file's cells with ROW added, and its format; a LoadError if it cannot be read."""
    path = Path(path)
    name = display or str(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise refuse(name, f"unsupported file type {path.suffix or '(none)'!r}; "
                           f"chiso reads {', '.join(sorted(FORMATS))}")
    if not path.is_file():
        raise refuse(name, "file not found")
    try:
        raw = _read_raw(path, fmt)
    except Exception as exc:  # noqa: BLE001 - every reader has its own error classes
        hint = " (is it saved as UTF-8?)" if fmt == "csv" and "utf" in str(exc).lower() else ""
        raise refuse(name, f"cannot read this {fmt} file{hint}: {str(exc).splitlines()[0]}") from None
    return _normalise(raw, name), fmt


def _normalise(raw: pl.DataFrame, name: str) -> pl.DataFrame:
    problems, rename, drop = [], {}, []
    seen: dict[str, str] = {}
    for col in raw.columns:
        clean = col.strip().lstrip("\ufeff").lower()
        if not clean or clean.startswith("__unnamed"):
            if raw[col].null_count() == raw.height:
                drop.append(col)  # a trailing separator: an empty, nameless column
                continue
            problems.append(Problem(name, None, col, "a column has values but no header"))
            continue
        if clean in seen or clean == ROW:
            problems.append(Problem(name, None, clean, f"column appears twice (as {seen.get(clean, ROW)!r} "
                                                       f"and {col!r})"))
            continue
        seen[clean] = col
        rename[col] = clean
    if problems:
        raise LoadError(problems, total=len(problems))
    frame = raw.drop(drop).select(list(rename)).rename(rename).with_row_index(ROW, offset=1)
    frame = frame.with_columns(pl.col(ROW).cast(pl.Int64))
    cells = [c for c in frame.columns if c != ROW]
    if not cells:
        return frame
    blank = pl.all_horizontal(
        [(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")) if frame[c].dtype == pl.String
         else pl.col(c).is_null() for c in cells])
    return frame.filter(~blank)


def detect_kind(name: str, columns: list[str], kind: str | None = None) -> RecordKind:
    """The kind named, else the one the file name starts with, else the one its columns fit."""
    if kind is not None:
        if kind not in RECORD_KINDS:
            raise refuse(name, f"unknown record kind {kind!r}; known: {', '.join(RECORD_KINDS)}")
        return RECORD_KINDS[kind]
    stem = Path(name).name.lower()
    for k in RECORD_KINDS.values():
        if stem.startswith(k.name):
            return k
    cols = set(columns) - {ROW}
    fits = [k for k in RECORD_KINDS.values()
            if {f.name for f in k.fields if f.required} <= cols]
    exact = [k for k in fits if cols <= set(k.columns)]
    chosen = exact if exact else fits
    if len(chosen) == 1:
        return chosen[0]
    names = ", ".join(k.name for k in RECORD_KINDS.values())
    if not chosen:
        reason = "cannot tell what records this file holds: its columns fit no record kind"
    else:
        reason = ("cannot tell what records this file holds: its columns fit "
                  + " and ".join(k.name for k in chosen))
    raise refuse(name, f"{reason}; start the file name with one of {names}, or name the kind")


def read_source(path: str | Path, kind: str | None = None) -> Source:
    """Read one file and decide its record kind; LoadError names the file when it cannot."""
    name = str(path)
    frame, fmt = read_frame(path, name)
    rk = detect_kind(name, frame.columns, kind)
    return Source(Path(path), name, rk, fmt, frame, file_sha256(Path(path)))
