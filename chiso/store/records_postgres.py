"""The record store in PostgreSQL, for installations that keep records on a server.

psycopg 3 is used directly (no ORM: every step is set-based SQL). Statements go through a
raw cursor so parameters are written ``$1, $2, …`` exactly as in DuckDB. Incoming frames are
staged with COPY (CSV written by polars in slices), never with row-by-row INSERTs.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import polars as pl
import psycopg
import pyarrow as pa
from sqlalchemy.engine import make_url

from chiso.catalog.records import RECORD_KINDS, RecordKind
from chiso.errors import StoreError
from chiso.store.records_base import CHANGES, VERSIONS, RecordStore, quote

# PostgreSQL type OIDs → Arrow types; anything else is left to pyarrow to infer.
_ARROW_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(), 20: pa.int64(), 21: pa.int16(), 23: pa.int32(), 25: pa.string(),
    1042: pa.string(), 1043: pa.string(), 19: pa.string(), 1082: pa.date32(),
    1114: pa.timestamp("us"), 1184: pa.timestamp("us", tz="UTC"), 700: pa.float32(),
    701: pa.float64(),
}
_COPY_SLICE = 200_000  # rows per COPY write: bounds the CSV text held in memory
#: Planner settings for the record store's connection, where the server and the URL leave
#: PostgreSQL's defaults (decision 195). ``jit``: compiling a statement's expressions pays only
#: for statements running many seconds; chiso's run well under one, and the planner, taking
#: the cost of a kept table's read for a long one, spent 20 ms of 185 compiling it.
#: ``work_mem``: a window's read of counts kept by day groups tens of thousands of (unit, week)
#: rows of a dozen sums; in the default 4 MB its hash spilled to disk. ``random_page_cost``: the
#: default 4 models spinning disks; PostgreSQL's manual suggests 1.1 for solid-state storage, as
#: a record store's is. At 4 a batch of 10,000 dossiers was matched against 1M stored ones by
#: reading all of them (0.32 s) rather than through the key's index (0.07 s).
SESSION = {"jit": "off", "work_mem": "64MB", "random_page_cost": "1.1"}

#: The change log's index on its stamp. The log gains a row per (kind, day, unit) a batch
#: touches, so it holds about one row per unit and day of the stored records; "what changed
#: after stamp s" and "the next stamp" read a few index entries instead of the whole log
#: (DuckDB skips the log's old row groups by their min/max stamp without one).
STAMP_INDEX = "_record_changes_stamp"


def _index_ddl(table: str, columns: str | Sequence[str], unique: bool = False) -> tuple[str, str]:
    """(name, CREATE statement) of the index of ``table`` on ``columns`` (one, or several in
    order; ``unique``: one row a key)."""
    cols = [columns] if isinstance(columns, str) else list(columns)
    name = f"{table}_{'_'.join(cols)}_{'key' if unique else 'idx'}"
    return name, (f"CREATE {'UNIQUE ' if unique else ''}INDEX IF NOT EXISTS {name} ON {quote(table)} "
                  f"({', '.join(quote(c) for c in cols)})")


def _indexes() -> dict[str, str]:
    """The indexes a writable PostgreSQL record store keeps beside the tables' keys, by name:
    the change log's stamp, and each windowed kind's window field — a batch's days are recounted
    from the records of those days (kept counts), which without it is a scan of every record.
    DuckDB keeps none of these: its row groups, in arrival order, are skipped by min/max."""
    out = {STAMP_INDEX: f"CREATE INDEX IF NOT EXISTS {STAMP_INDEX} ON {CHANGES} (stamp)"}
    out.update(_index_ddl(kind.name, kind.window_field) for kind in RECORD_KINDS.values()
               if kind.window_field is not None)
    return out


def connect_kwargs(url: str) -> dict:
    """psycopg.connect arguments from a SQLAlchemy-style URL, query items (options=…) included."""
    try:
        u = make_url(url)
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several kinds for a bad URL
        raise StoreError(f"records URL {url!r} cannot be read: {exc}") from None
    kw: dict = {k: v for k, v in {"host": u.host, "port": u.port, "user": u.username,
                                  "password": u.password, "dbname": u.database}.items()
                if v is not None}
    for key, value in u.query.items():
        kw[key] = value if isinstance(value, str) else value[-1]
    return kw


class PostgresRecordStore(RecordStore):
    """Records in PostgreSQL tables (in the URL's search_path schema)."""

    dialect = "postgres"
    TEXT_TYPE = "TEXT"

    def __init__(self, conn: psycopg.Connection, *, read_only: bool = False):
        super().__init__()
        self._conn = conn
        self._indexed = False  # the indexes looked for (ensure_tables), once
        if read_only:
            self.READ_ONLY_REASON = "it was opened read-only"

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False) -> PostgresRecordStore:
        kw = connect_kwargs(url)
        try:
            conn = psycopg.connect(autocommit=True, cursor_factory=psycopg.RawCursor, **kw)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to the PostgreSQL record store: {exc}") from exc
        store = cls(conn, read_only=read_only)
        if read_only:
            store._execute("SET default_transaction_read_only = on")
        store._session_defaults()
        return store

    def _session_defaults(self) -> None:
        """Set :data:`SESSION` on this connection, each where the server's configuration and
        the URL's ``options`` leave it at PostgreSQL's default (theirs are kept)."""
        left = {r["name"] for r in self.query_arrow(
            "SELECT name FROM pg_settings WHERE name = ANY($1) AND source = 'default'", [list(SESSION)]).to_pylist()}
        for name, value in SESSION.items():
            if name in left:
                self._execute(f"SET {name} = '{value}'")

    def ensure_tables(self) -> None:
        super().ensure_tables()
        if self._indexed or not self._has_changes or self.READ_ONLY_REASON:
            return
        # looked up first: CREATE INDEX IF NOT EXISTS would lock a table against writes to find out
        wanted = _indexes()
        found = {r["indexname"] for r in self.query_arrow(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()").to_pylist()}
        for name, ddl in wanted.items():
            if name not in found:
                self._execute(ddl)
        self._indexed = True

    # the catalogue itself: information_schema.columns, a view checking privileges on every
    # column of the database, took 0.04 s, and a load asks twice
    COLUMNS_SQL = ("SELECT c.relname AS table_name, a.attname AS column_name FROM pg_catalog.pg_attribute a "
                   "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
                   "WHERE c.relnamespace = CAST(current_schema() AS regnamespace) AND c.relkind IN ('r', 'p') "
                   "AND a.attnum > 0 AND NOT a.attisdropped")

    def index(self, table: str, columns: str | Sequence[str], *, unique: bool = False) -> None:
        self._execute(_index_ddl(table, columns, unique)[1])

    def analyze(self, table: str, columns: Sequence[str] = ()) -> None:
        self._execute(f"ANALYZE {table}" + (f" ({', '.join(quote(c) for c in columns)})" if columns else ""))

    def query_arrow(self, sql: str, params: Sequence | dict | None = None) -> pa.Table:
        if isinstance(params, dict):
            raise StoreError("PostgreSQL record queries take positional parameters ($1, $2, …)")
        try:
            with self._conn.cursor() as cur:
                cur.execute(sql, params)
                if cur.description is None:
                    return pa.table({})
                rows = cur.fetchall()
                desc = cur.description
        except psycopg.Error as exc:
            raise StoreError(f"record query failed: {exc}") from exc
        columns = list(zip(*rows)) if rows else [()] * len(desc)
        arrays = []
        for d, values in zip(desc, columns):
            type_ = _ARROW_TYPES.get(d.type_code)
            if type_ is None and not values:
                type_ = pa.string()
            arrays.append(pa.array(list(values), type=type_))
        return pa.Table.from_arrays(arrays, names=[d.name for d in desc])

    def _execute(self, sql: str, params: Sequence | None = None) -> int:
        try:
            with self._conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.rowcount
        except psycopg.Error as exc:
            raise StoreError(f"record store statement failed: {exc}") from exc

    def _stage(self, kind: RecordKind, frame: pl.DataFrame, name: str) -> None:
        cols = ", ".join(f"{quote(f.name)} {self.sql_type(f)}" for f in kind.fields)
        self._execute(f"CREATE TEMP TABLE {name} ({cols})")
        names = ", ".join(quote(f.name) for f in kind.fields)
        # CSV with an unquoted \N for NULL and every text quoted: an empty string stays "".
        copy_sql = f"COPY {name} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        try:
            with self._conn.cursor() as cur, cur.copy(copy_sql) as copy:
                for chunk in frame.iter_slices(_COPY_SLICE):
                    copy.write(chunk.write_csv(include_header=False, quote_style="non_numeric",
                                               null_value="\\N"))
        except psycopg.Error as exc:
            raise StoreError(f"could not stage {kind.name} records: {exc}") from exc
        # Temporary tables are never auto-analysed: without statistics the planner guesses
        # their size and picks slow joins against the record table. The key alone: the batch is
        # joined by it, and the size comes with any column (all 24 took 0.04-0.06 s a batch)
        self.analyze(name, kind.key)

    @contextmanager
    def _tx(self) -> Iterator[None]:
        try:
            with self._conn.transaction():
                yield
        except psycopg.Error as exc:
            raise StoreError(f"could not commit the records: {exc}") from exc

    def lock_versions(self, kind: str) -> None:
        # a transaction-level advisory lock on a 64-bit hash of the schema's versions table and
        # the kind, the same number in every process; the commit or rollback releases it
        super().lock_versions(kind)
        self._execute("SELECT pg_advisory_xact_lock(hashtextextended(CAST($1 AS TEXT) || current_schema() "
                      "|| CAST($2 AS TEXT), 0))", [f"chiso.records.{VERSIONS}/", f"/{kind}"])

    def _lock_changes(self) -> None:
        # concurrent loads take stamps one after the other, in commit order
        self._execute(f"LOCK TABLE {CHANGES} IN EXCLUSIVE MODE")

    def close(self) -> None:
        self._conn.close()
