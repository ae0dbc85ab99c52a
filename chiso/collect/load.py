"""Load record files into the store: all of them, or none.

Every file is read, validated and completed before anything is written; one problem in any
file refuses the whole load, with every problem listed (up to a cap) and nothing stored. A
clean load writes all files in one store transaction, procedures first so dossiers in the
same load are judged by them. Reloading a file rewrites nothing; a changed record keeps its
earlier version in the history table.

``load_and_record`` also registers the files in the relational store. Records and register
are two databases, with no transaction spanning both. So each load also logs its files,
with their counts, in the record store's own load log, in the records' transaction; the
register rows are written before the records commit (a register that cannot be written
leaves the records unwritten too) and committed right after them. A kill between the two
commits leaves a load logged and not registered: the next load (or ``complete_register``)
registers it from the log, with the counts it had — nothing is lost, nothing counted twice.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl

from chiso.catalog.records import PROCEDURES, RECORD_KINDS
from chiso.collect.derive import derive, procedure_catalogue
from chiso.collect.readers import ROW, Source, read_source
from chiso.collect.validate import Problems, UnitLookup, check_across_files, validate
from chiso.errors import LoadError, Problem
from chiso.store.records_base import RecordStore, UpsertCounts
from chiso.store.repo_loads import record_load_batch, registered_batches

# Write order: the procedure catalogue before the records judged by it.
WRITE_ORDER = ("procedures", "publications", "dossiers", "petitions")


@dataclass(frozen=True)
class FileReport:
    """What one file brought."""

    path: str
    kind: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    sha256: str
    batch: str


@dataclass(frozen=True)
class LoadReport:
    """What one load did, file by file (in the order the files were given)."""

    batch: str
    files: tuple[FileReport, ...]

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def inserted(self) -> int:
        return sum(f.inserted for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)


def batch_id(hashes: Sequence[str], now: datetime | None = None) -> str:
    """``20260814T093000.123456Z-1a2b3c4d``: when (to the microsecond: the same files may be
    loaded twice in a second), and a short fingerprint of the files loaded."""
    now = now or datetime.now(timezone.utc)
    digest = hashlib.sha256("".join(hashes).encode()).hexdigest()[:8]
    return f"{now.strftime('%Y%m%dT%H%M%S.%fZ')}-{digest}"


def _read_all(paths: Sequence[str | Path], kind: str | None, sink: Problems) -> list[Source]:
    sources = []
    for path in paths:
        try:
            sources.append(read_source(path, kind))
        except LoadError as exc:
            sink.extend(exc.problems, exc.total)
    return sources


def load_paths(paths: Sequence[str | Path], store: RecordStore, units: UnitLookup, *,
               kind: str | None = None, batch: str | None = None,
               holidays: Sequence[date] = (), max_problems: int | None = None,
               before_commit: Callable[[LoadReport], None] | None = None,
               loaded_by: str = "system") -> LoadReport:
    """Validate every file, then upsert them all in one transaction (or raise LoadError).

    ``units`` is any lookup with ``code in units`` and ``units.get(code) -> Unit``.
    ``kind`` forces the record kind of every file; otherwise the file name, else its
    columns, decide. ``batch`` names the load (default: UTC time + hash of the files).
    ``before_commit(report)`` runs inside the transaction once every file is written: what
    it raises undoes the load. The files are logged in the store's load log as loaded by
    ``loaded_by``.
    """
    sink = Problems() if max_problems is None else Problems(cap=max_problems)
    if not paths:
        raise LoadError([Problem("(none)", None, None, "no files were given to load")], total=1)
    sources = _read_all(paths, kind, sink)
    typed = [validate(src, units, sink) for src in sources]
    for rk in RECORD_KINDS.values():
        check_across_files(rk, [(s.name, t) for s, t in zip(sources, typed) if s.kind is rk], sink)

    store.ensure_tables()
    procedures = [derive(PROCEDURES, t, units, None, s.name, sink, holidays)
                  for s, t in zip(sources, typed) if s.kind is PROCEDURES]
    catalogue = procedure_catalogue(store, procedures)
    complete: dict[int, pl.DataFrame] = {}
    loaded_procedures = iter(procedures)
    for i, (src, t) in enumerate(zip(sources, typed)):
        if src.kind is PROCEDURES:
            complete[i] = next(loaded_procedures)
        else:
            complete[i] = derive(src.kind, t, units, catalogue, src.name, sink, holidays)
    if sink:
        raise LoadError(sink.sorted(), total=sink.total)

    batch = batch or batch_id([s.sha256 for s in sources])
    counts: dict[int, UpsertCounts] = {}
    order = sorted(range(len(sources)), key=lambda i: WRITE_ORDER.index(sources[i].kind.name))
    with store.transaction():
        for i in order:
            counts[i] = store.upsert(sources[i].kind.name, complete[i].drop(ROW), batch)
        report = LoadReport(batch, tuple(
            FileReport(src.name, src.kind.name, src.rows, counts[i].inserted, counts[i].updated,
                       counts[i].unchanged, src.sha256, batch)
            for i, src in enumerate(sources)))
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        store.log_load([{"batch": batch, "position": n, "record_kind": f.kind, "file_name": f.path,
                         "file_sha256": f.sha256, "rows": f.rows, "inserted": f.inserted, "updated": f.updated,
                         "unchanged": f.unchanged, "loaded_at": now, "loaded_by": loaded_by or "system"}
                        for n, f in enumerate(report.files)])
        if before_commit is not None:
            before_commit(report)
    return report


def load_and_record(paths: Sequence[str | Path], store: RecordStore, units: UnitLookup, database=None, *,
                    loaded_by: str, kind: str | None = None) -> LoadReport:
    """Load record files (``load_paths``) and register each file's batch in the relational
    store (``database``, a prepared ``chiso.store.database.Database``; None: no register).
    The register is written before the records commit and committed just after them."""
    if database is None:
        return load_paths(paths, store, units, kind=kind, loaded_by=loaded_by)
    complete_register(store, database)
    with database.session() as s:
        return load_paths(paths, store, units, kind=kind, loaded_by=loaded_by,
                          before_commit=lambda report: register_load(s, report, loaded_by=loaded_by))


def register_load(session, report: LoadReport, *, loaded_by: str) -> None:
    """Register each file of a load in the relational store (in ``session``)."""
    for f in report.files:
        record_load_batch(session, record_kind=f.kind, file_name=f.path, file_sha256=f.sha256, rows=f.rows,
                          inserted=f.inserted, updated=f.updated, unchanged=f.unchanged,
                          loaded_by=loaded_by, status="loaded", batch=report.batch)


def complete_register(store: RecordStore, database) -> list[str]:
    """Register the loads the record store logged and the register lacks (a load killed
    between its two commits), with the counts and time they were logged with; the names of
    the loads registered so."""
    store.ensure_tables()
    logged = store.logged_loads()
    if not logged:
        return []
    added: list[str] = []
    with database.session() as s:
        known = registered_batches(s)
        for row in logged:
            if row["batch"] in known:
                continue
            if row["batch"] not in added:
                added.append(row["batch"])
            loaded_at = row["loaded_at"].replace(tzinfo=timezone.utc)
            record_load_batch(s, record_kind=row["record_kind"], file_name=row["file_name"],
                              file_sha256=row["file_sha256"], rows=row["rows"], inserted=row["inserted"],
                              updated=row["updated"], unchanged=row["unchanged"], status="loaded",
                              loaded_by=row["loaded_by"], batch=row["batch"], loaded_at=loaded_at)
    return added
