"""Read one records file (CSV, Parquet, JSON lines, .xlsx) and decide which records it holds.

The cells come from the one file reader (``chiso.files.tables``: limits, encoding, delimiter,
NFC, ``_row`` numbers as the user sees them); this module names the record kind and keeps
the file's fingerprint.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chiso.catalog.records import RECORD_KINDS, RecordKind
from chiso.errors import LoadError, Problem
from chiso.files.tables import ROW, TABLE_FORMATS, read_table

__all__ = ["FORMATS", "ROW", "Source", "detect_kind", "file_sha256", "read_frame", "read_source", "refuse"]

FORMATS: dict[str, str] = TABLE_FORMATS


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


def read_frame(path: str | Path, display: str | None = None, what: str = "records") -> tuple[pl.DataFrame, str]:
    """The file's cells with ROW added, and its format (``chiso.files.tables.read_table``)."""
    table = read_table(path, display or str(path), what=what)
    return table.frame, table.format


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


def read_source(path: str | Path, kind: str | None = None, name: str | None = None) -> Source:
    """Read one file and decide its record kind; LoadError names the file (as ``name``, default
    the path) when it cannot."""
    name = name or str(path)
    frame, fmt = read_frame(path, name)
    rk = detect_kind(name, frame.columns, kind)
    return Source(Path(path), name, rk, fmt, frame, file_sha256(Path(path)))
