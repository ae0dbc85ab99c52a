"""The record store in an embedded DuckDB file (the default), or over Parquet files.

DuckDB allows one writer process per file: while a process holds the file read-write no
other process can open it, even read-only, so a lock error is turned into a clear message.
Incoming frames are handed to DuckDB as polars/Arrow data without a copy and staged with one
``CREATE TEMP TABLE … AS SELECT``; every later step is set-based SQL in records.py.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from chiso import settings
from chiso.catalog.records import RECORD_KINDS, RecordKind
from chiso.errors import StoreError
from chiso.store.records_base import BATCH_COLUMN, REPLACED_AT, REPLACED_BY, RecordStore, kind_of, literal, quote

_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                  "UINTEGER", "UBIGINT"}


#: A batch's stored records are looked up by the key's index (``DuckDBRecordStore._stored_of``)
#: when the table holds more than LOOKUP_RATIO rows per batch row (a lookup costs ≈ 26 µs, a
#: scanned stored key ≈ 13 ns: measured at 10M and 100M stored) and the batch has at most
#: LOOKUP_MAX keys (DuckDB's index_scan_max_count is raised to it on a writable store).
LOOKUP_RATIO, LOOKUP_MAX = 2_000, 50_000
#: A batch received over at most this many days is first matched with the stored records of
#: those days only (``DuckDBRecordStore._stored_of``).
DAYS_LISTED = 400
_AT = "_chiso_at"


def _path_of(url: str) -> str:
    """``duckdb:///data/records.duckdb`` → ``data/records.duckdb``; empty → in memory."""
    rest = url[len("duckdb:"):]
    if rest in ("", "//", "///", "///:memory:", ":memory:"):
        return ":memory:"
    if not rest.startswith("///"):
        raise StoreError(f"records URL {url!r}: write duckdb:///<path> (three slashes, then the path)")
    return rest[3:]


def _connect(path: str, *, read_only: bool, threads: int | None) -> duckdb.DuckDBPyConnection:
    config: dict[str, object] = {"threads": threads} if threads else {}
    if path != ":memory:":
        if read_only and not Path(path).exists():
            raise StoreError(f"no record store at {path}; run `chiso init` first")
        if not read_only:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # a write's commit folds the log into the file only past this size (DuckDB: 16 MB, which
            # a pushed batch of 10k records passes: its answer then waited for the checkpoint);
            # the web writer checkpoints once pushes go quiet (chiso.web.checkpoints)
            config["checkpoint_threshold"] = f"{settings.whole_number('CHISO_DUCKDB_WAL_MB')}MB"
            config["index_scan_max_count"] = LOOKUP_MAX  # a batch's keys looked up by index (_stored_of)
    try:
        return duckdb.connect(path, read_only=read_only, config=config)
    except duckdb.IOException as exc:
        raise StoreError(f"cannot open the record store {path}: {exc}. DuckDB lets one process "
                         "write a file at a time; stop the other chiso process or use a "
                         "PostgreSQL records URL") from exc
    except duckdb.Error as exc:
        raise StoreError(f"cannot open the record store {path}: {exc}") from exc


def _days_of(kind: RecordKind, frame: pl.DataFrame) -> str | None:
    """The batch's received days as a SQL list, or None: a kind without a window field, or a
    batch spread over more days than ``DAYS_LISTED`` (its days would not narrow the search)."""
    if kind.window_field is None or kind.window_field not in frame.columns:
        return None
    days = frame.get_column(kind.window_field).drop_nulls().unique().sort()
    if not 0 < days.len() <= DAYS_LISTED:
        return None
    return ", ".join(f"DATE '{d.isoformat()}'" for d in days.to_list())


class DuckDBRecordStore(RecordStore):
    """Records in one DuckDB database (a file, memory, or views over Parquet)."""

    dialect = "duckdb"
    TEXT_TYPE = "VARCHAR"
    ROW_ID = "rowid"

    def __init__(self, con: duckdb.DuckDBPyConnection, *, read_only_reason: str | None = None):
        super().__init__()
        self._con = con
        self.READ_ONLY_REASON = read_only_reason
        self._over_parquet = False

    @property
    def derived_read_only_reason(self) -> str | None:
        return None if self._over_parquet else self.READ_ONLY_REASON

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False,
                 threads: int | None = None) -> DuckDBRecordStore:
        path = _path_of(url)
        con = _connect(path, read_only=read_only, threads=threads)
        return cls(con, read_only_reason="it was opened read-only" if read_only else None)

    @classmethod
    def over_parquet(cls, paths: dict[str, str | list[str]],
                     threads: int | None = None, database: str = ":memory:") -> DuckDBRecordStore:
        """Views over Parquet files in an in-memory database — or in the DuckDB file
        ``database``, whose derived tables (kept counts) then outlive the process."""
        con = _connect(database, read_only=False, threads=threads)
        store = cls(con, read_only_reason="it reads Parquet files")
        store._over_parquet = True
        try:
            for name in paths:
                kind_of(name)
            for kind in RECORD_KINDS.values():
                given = paths.get(kind.name)
                files = [given] if isinstance(given, str) else list(given or [])
                body = store._parquet_select(kind, files) if files else store._empty_select(kind)
                store._execute(f"CREATE OR REPLACE VIEW {quote(kind.name)} AS {body}")
                hist = store._empty_select(kind, extra=(
                    f"CAST(NULL AS TIMESTAMP) AS {quote(REPLACED_AT)}",
                    f"CAST(NULL AS VARCHAR) AS {quote(REPLACED_BY)}"))
                store._execute(f"CREATE OR REPLACE VIEW {quote(kind.name + '_history')} AS {hist}")
        except BaseException:
            con.close()
            raise
        return store

    def _empty_select(self, kind: RecordKind, extra: tuple[str, ...] = ()) -> str:
        cols = [f"CAST(NULL AS {self.sql_type(f)}) AS {quote(f.name)}" for f in kind.fields]
        cols += [f"CAST(NULL AS VARCHAR) AS {quote(BATCH_COLUMN)}", *extra]
        return f"SELECT {', '.join(cols)} WHERE FALSE"

    def _parquet_select(self, kind: RecordKind, files: list[str]) -> str:
        source = f"read_parquet([{', '.join(literal(str(f)) for f in files)}], union_by_name = true)"
        try:
            described = self.query_arrow(f"DESCRIBE SELECT * FROM {source}").to_pylist()
        except StoreError as exc:
            raise StoreError(f"cannot read Parquet for {kind.name} ({', '.join(map(str, files))}): {exc}") from None
        present = {r["column_name"]: r["column_type"] for r in described}
        cols = []
        for f in kind.fields:
            want = self.sql_type(f)
            have = present.get(f.name)
            if have is None:
                if f.required:
                    raise StoreError(f"Parquet for {kind.name} lacks the required column {f.name!r}")
                cols.append(f"CAST({literal(f.default)} AS {want}) AS {quote(f.name)}")
            elif have == want or (f.type == "int" and have in _INTEGER_TYPES):
                cols.append(quote(f.name))  # no cast: keeps Parquet statistics usable for pruning
            else:
                cols.append(f"CAST({quote(f.name)} AS {want}) AS {quote(f.name)}")
        if BATCH_COLUMN in present:
            cols.append(quote(BATCH_COLUMN))
        else:
            cols.append(f"CAST(NULL AS VARCHAR) AS {quote(BATCH_COLUMN)}")
        return f"SELECT {', '.join(cols)} FROM {source}"

    # -- dialect hooks -------------------------------------------------------------------
    def query_arrow(self, sql: str, params: Sequence | dict | None = None) -> pa.Table:
        try:
            return self._con.sql(sql, params=params).to_arrow_table()
        except duckdb.Error as exc:
            raise StoreError(f"record query failed: {exc}") from exc

    def _execute(self, sql: str, params: Sequence | None = None) -> int:
        try:
            # Results stream in DuckDB 2.0: drain each one so the connection is free again.
            rows = self._con.execute(sql, params).fetchall()
        except duckdb.Error as exc:
            raise StoreError(f"record store statement failed: {exc}") from exc
        if len(rows) == 1 and len(rows[0]) == 1 and isinstance(rows[0][0], int):
            return rows[0][0]
        return -1

    def _stage(self, kind: RecordKind, frame: pl.DataFrame, name: str) -> None:
        source = f"{name}_src"
        self._con.register(source, frame)
        try:
            cols = ", ".join(f"CAST({quote(f.name)} AS {self.sql_type(f)}) AS {quote(f.name)}"
                             for f in kind.fields)
            self._execute(f"CREATE TEMP TABLE {name} AS SELECT {cols} FROM {source}")
        finally:
            self._con.unregister(source)

    @contextmanager
    def _tx(self) -> Iterator[None]:
        self._con.begin()
        try:
            yield
        except BaseException:
            self._con.rollback()
            raise
        try:
            self._con.commit()
        except duckdb.Error as exc:
            raise StoreError(f"could not commit the records: {exc}") from exc

    def _stored_of(self, kind: RecordKind, frame: pl.DataFrame, name: str, stage: str) -> tuple[str, str | None]:
        """The stored records the batch names, in the temporary table ``name`` — found without
        reading every stored key where that can be done (decisions 185 and 189):

        1. among the records received on the batch's own days (a record's received day seldom
           changes; row groups of other days are skipped by their min/max), by a join with the
           batch — a batch of changes to stored records is found here whole;
        2. the keys still missing (new records, or a received day that changed) by the primary
           key's index when the table is large beside them (an ``IN`` list of keys, which DuckDB
           answers by index scan), else by a join reading every stored key.

        A join reads every stored key: 0.13 s at 10M stored, 1.40 s at 100M, against 0.26 s for
        10,000 keys by index."""
        table = self.relation(kind.name)
        if len(kind.key) != 1 or self._over_parquet:
            return table, self.ROW_ID
        keys = frame.get_column(kind.key[0]).drop_nulls().unique()
        if keys.len() == 0:
            return table, self.ROW_ID
        key = quote(kind.key[0])
        days = _days_of(kind, frame)
        stored = self._scalar(f"SELECT count(*) FROM {table}")

        def by_index(n: int) -> bool:  # n keys looked up one by one beat a join reading every key
            return n <= LOOKUP_MAX and stored >= LOOKUP_RATIO * n

        if days is None and not by_index(keys.len()):
            return table, self.ROW_ID
        self._execute(f"CREATE TEMP TABLE {name} AS SELECT *, rowid AS {_AT} FROM {table} WHERE "
                      + (f"{quote(kind.window_field)} IN ({days}) AND {key} IN (SELECT {key} FROM {stage})"
                         if days is not None else "FALSE"))
        missing = keys.len() - self._scalar(f"SELECT count(*) FROM {name}")
        if not missing:
            return name, _AT
        rest = f"SELECT {key} FROM {stage} WHERE {key} IS NOT NULL AND {key} NOT IN (SELECT {key} FROM {name})"
        if by_index(missing):
            rest = ", ".join(literal(r[kind.key[0]]) for r in self.query_arrow(rest).to_pylist())
        self._execute(f"INSERT INTO {name} SELECT *, rowid FROM {table} WHERE {key} IN ({rest})")
        return name, _AT

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file (DuckDB's ``CHECKPOINT``)."""
        if self.READ_ONLY_REASON and not self._over_parquet:
            return
        self._execute("CHECKPOINT")

    def close(self) -> None:
        self._con.close()
