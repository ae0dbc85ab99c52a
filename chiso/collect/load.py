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

``load_batch`` is the same load for a batch held in memory (the ingest API's body, a
connector's page): its bytes are written to a private temporary file under the format's
suffix and read by the same reader (``chiso.collect.readers.read_source``), validated,
derived, written and logged by the same code as a file — one reader, one validator.
"""
from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl

from chiso.catalog.records import DOSSIERS, PROCEDURES, RECORD_KINDS
from chiso.collect.derive import derive, procedure_catalogue
from chiso.collect.readers import ROW, Source, read_source
from chiso.collect.validate import Problems, UnitLookup, check_across_files, validate
from chiso.errors import LoadError, NotAllowedError, Problem
from chiso.store.records_base import KEY_JOIN, RecordStore, UpsertCounts
from chiso.store.repo_audit import audit
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
    return load_sources(sources, store, units, sink=sink, batch=batch, holidays=holidays,
                        before_commit=before_commit, loaded_by=loaded_by)


def load_sources(sources: Sequence[Source], store: RecordStore, units: UnitLookup, *,
                 sink: Problems | None = None, batch: str | None = None, holidays: Sequence[date] = (),
                 before_commit: Callable[[LoadReport], None] | None = None,
                 before_write: Callable[[Source, pl.DataFrame], pl.DataFrame] | None = None,
                 loaded_by: str = "system") -> LoadReport:
    """``load_paths`` from sources already read (``sink`` may hold the reading's problems):
    validate, derive, then write all in one transaction, or raise LoadError with every problem.

    ``before_write(source, rows)`` runs inside the transaction just before a source's rows are
    written (validated and derived, ``ROW`` still in them) and returns the rows to write: what
    it leaves out is neither written nor counted in the file's ``rows``."""
    sink = Problems() if sink is None else sink
    typed = [validate(src, units, sink) for src in sources]
    for rk in RECORD_KINDS.values():
        check_across_files(rk, [(s.name, t) for s, t in zip(sources, typed) if s.kind is rk], sink)

    store.ensure_tables()
    procedures = [derive(PROCEDURES, t, units, None, s.name, sink, holidays)
                  for s, t in zip(sources, typed) if s.kind is PROCEDURES]
    # the stored catalogue of the dossiers' procedures only: a batch reads a few thousand rows
    named = [t.select(pl.col(c).cast(pl.String) if c in t.columns else pl.lit(None, pl.String).alias(c)
                      for c in ("unit_code", "procedure_code"))
             for s, t in zip(sources, typed) if s.kind is DOSSIERS]
    wanted = pl.concat(named) if named else pl.DataFrame(schema={"unit_code": pl.String, "procedure_code": pl.String})
    catalogue = procedure_catalogue(store, procedures, wanted)
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
    left_out: dict[int, int] = {}
    order = sorted(range(len(sources)), key=lambda i: WRITE_ORDER.index(sources[i].kind.name))
    with store.transaction():
        for i in order:
            rows = complete[i] if before_write is None else before_write(sources[i], complete[i])
            left_out[i] = complete[i].height - rows.height
            counts[i] = store.upsert(sources[i].kind.name, rows.drop(ROW), batch)
        report = LoadReport(batch, tuple(
            FileReport(src.name, src.kind.name, src.rows - left_out[i], counts[i].inserted, counts[i].updated,
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


#: Formats of a batch held in memory, and the suffix its temporary file takes.
BATCH_SUFFIXES: dict[str, str] = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}
#: The optional column of a batch giving each record's version at its sender (a revision
#: counter, or a change time as a whole number): a record older than the stored version is
#: ignored (``BatchReport.stale``), not written; not a record field (``chiso load`` files have none).
VERSION = "version"


@dataclass(frozen=True)
class BatchReport:
    """What one batch did: the load (``report``) and the keys of the records ignored because
    the store already holds a newer version of them (``stale``, as text; composite keys joined
    by ``KEY_JOIN``)."""

    report: LoadReport
    stale: tuple[str, ...] = ()


def load_batch(data: bytes, fmt: str, kind: str, store: RecordStore, units: UnitLookup, database=None, *,
               loaded_by: str, name: str | None = None, may_write_for: Callable[[str], bool] | None = None,
               action: str = "records.ingest") -> BatchReport:
    """Load one batch of ``kind`` records held in memory (``fmt``: jsonl, csv or parquet) exactly
    as ``load_and_record`` loads a file: the same reader, validation, derivation, upsert, load
    log and register — all of it or nothing. Problems name the batch as ``name`` (default
    ``<kind>.<fmt>``) and its rows as the sender numbers them (the JSON line, the CSV row with
    the header as row 1, the Parquet row from 1).

    ``may_write_for(unit_code)`` says whose records the sender may write: a row of another
    unit refuses the whole batch (``NotAllowedError``, every such unit and its first rows
    named) before anything is validated or written (an unknown unit is the validator's
    problem). With ``database`` the batch is also audited (``action``: who, the batch, its
    counts) in the register's transaction.

    A ``version`` column (whole numbers ≥ 0, optional) makes the batch ordered by its sender's
    versions: a record whose version is older than the one last accepted for its key is
    ignored (listed in ``stale``; the rest of the batch is written), one as new or newer is
    written and its version kept. The whole batch is validated first; then, inside the
    records' write transaction and under the store's lock on the kind's versions
    (``RecordStore.lock_versions``: batches of one kind with versions take turns, so two sent
    at the same moment cannot both pass the check and let the older be written last), the
    stored versions are read, the stale rows dropped, the rest written and their versions kept
    — one transaction. A re-sent batch changes nothing either way: its records are identical
    (``unchanged``) or stale.
    """
    if fmt not in BATCH_SUFFIXES:
        raise LoadError([Problem(name or "(batch)", None, None,
                                 f"unknown batch format {fmt!r}; known: {', '.join(BATCH_SUFFIXES)}")], total=1)
    name = name or f"{kind}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="chiso-batch-") as folder:
        path = Path(folder) / f"batch{BATCH_SUFFIXES[fmt]}"
        path.write_bytes(data)
        source = read_source(path, kind, name)
    if may_write_for is not None:
        _check_owner(source, lambda unit: unit not in units or may_write_for(unit))
    sink = Problems()
    source, sent = _sent_versions(source, sink)
    decided = _Decided()

    def fresh(src: Source, rows: pl.DataFrame) -> pl.DataFrame:
        if sent is None:
            return rows
        store.lock_versions(src.kind.name)  # until the transaction ends: the check and the write are one
        return decided.drop_stale(src, rows, sent, store)

    def keep(report: LoadReport) -> None:
        store.keep_versions(source.kind.name, decided.versions)

    if database is None:
        report = load_sources([source], store, units, sink=sink, loaded_by=loaded_by,
                              before_write=fresh, before_commit=keep)
        return BatchReport(report, decided.stale)
    complete_register(store, database)

    def register_and_audit(s, report: LoadReport) -> None:
        keep(report)
        register_load(s, report, loaded_by=loaded_by)
        f = report.files[0]
        audit(s, loaded_by, action, "records", report.batch,
              {"kind": f.kind, "name": f.path, "format": fmt, "sha256": f.sha256, "rows": f.rows,
               "inserted": f.inserted, "updated": f.updated, "unchanged": f.unchanged,
               "stale": len(decided.stale)})

    with database.session() as s:
        report = load_sources([source], store, units, sink=sink, loaded_by=loaded_by, before_write=fresh,
                              before_commit=lambda report: register_and_audit(s, report))
        return BatchReport(report, decided.stale)


def _key_text(source: Source) -> pl.Expr:
    parts = [pl.col(k).cast(pl.String).str.strip_chars() for k in source.kind.key]
    return parts[0] if len(parts) == 1 else pl.concat_str(parts, separator=KEY_JOIN)


def _sent_versions(source: Source, sink: Problems) -> tuple[Source, pl.DataFrame | None]:
    """The batch without its ``version`` column, and the sender's version of each row whose
    version and key can be read (columns ``ROW``, ``_key``, ``_version``; None: the batch has
    no versions). A version that is not a whole number ≥ 0 is a problem of its row (in ``sink``)."""
    frame = source.frame
    if VERSION not in frame.columns:
        return source, None
    if any(k not in frame.columns for k in source.kind.key):
        return replace(source, frame=frame.drop(VERSION)), None  # the validator names the missing key
    text = pl.col(VERSION).cast(pl.String).str.strip_chars()
    read = frame.select(pl.col(ROW), _key_text(source).alias("_key"),
                        text.str.to_integer(strict=False).alias("_version"), pl.col(VERSION).cast(pl.String))
    bad = read.filter(pl.col("_version").is_null() | (pl.col("_version") < 0))
    for row, value in bad.select(ROW, VERSION).iter_rows():
        sink.add(Problem(source.name, row, VERSION, "the version must be a whole number of at least 0 "
                         f"(the sender's revision), not {value!r}"))
    sent = read.filter(pl.col("_version").is_not_null() & (pl.col("_version") >= 0)
                       & pl.col("_key").is_not_null()).drop(VERSION)
    return replace(source, frame=frame.drop(VERSION)), sent


class _Decided:
    """What the version check decided inside the write transaction: the keys left out as stale
    (in the batch's row order) and the versions to keep for the rows written."""

    def __init__(self) -> None:
        self.stale: tuple[str, ...] = ()
        self.versions: dict[str, int] = {}

    def drop_stale(self, source: Source, rows: pl.DataFrame, sent: pl.DataFrame,
                   store: RecordStore) -> pl.DataFrame:
        """``rows`` without those older than the stored version of their key (read now, under
        the lock); the decision kept in ``stale`` and ``versions``."""
        stored = store.stored_versions(source.kind.name, sent["_key"].unique().to_list())
        older = pl.DataFrame({"_key": list(stored), "_stored": list(stored.values())},
                             schema={"_key": pl.String, "_stored": pl.Int64})
        judged = sent.join(older, on="_key", how="left").sort(ROW)
        is_stale = pl.col("_stored").is_not_null() & (pl.col("_version") < pl.col("_stored"))
        stale = judged.filter(is_stale)
        kept = judged.filter(~is_stale)
        self.stale = tuple(stale["_key"].to_list())
        self.versions = dict(kept.select("_key", "_version").iter_rows())
        return rows.filter(~pl.col(ROW).is_in(stale[ROW].to_list()))


def _check_owner(source: Source, may_write_for: Callable[[str], bool], shown: int = 5) -> None:
    """NotAllowedError naming every unit of the batch the sender may not write for (and the
    first rows of each), when there is one."""
    frame = source.frame
    if "unit_code" not in frame.columns or frame.height == 0:
        return  # the validator names a missing unit column or cell
    units = frame.select(pl.col("unit_code").cast(pl.String).str.strip_chars().alias("u"), pl.col(ROW))
    refused = []
    for unit, rows in units.group_by("u", maintain_order=True).agg(pl.col(ROW)).iter_rows():
        if unit in (None, "") or may_write_for(unit):
            continue
        listed = ", ".join(str(r) for r in rows[:shown]) + (f" … ({len(rows)} rows)" if len(rows) > shown else "")
        refused.append(f"{unit} (row {listed})")
    if refused:
        raise NotAllowedError(f"{source.name}: records of units you may not write for: {'; '.join(refused)}; "
                              "nothing was written")


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
