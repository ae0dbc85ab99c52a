"""Record-level storage: the four record tables, their history, and set-based upserts.

Records (dossiers, petitions, procedures, publications) are the data the index is computed
from. They live either in an embedded DuckDB file (the default) or in PostgreSQL; both
stores offer the same small interface, :class:`RecordStore`, so ``collect`` writes and
``evaluate`` reads without caring which one is behind it.

An upsert never rewrites a record that did not change, and never loses one that did: the
old version moves to ``<kind>_history`` first. Everything is set-based SQL over a staged
copy of the incoming frame (never row by row), so a million-row file upserts in seconds.

Parameters in SQL handed to :meth:`RecordStore.query_arrow` and :meth:`RecordStore.fetch`
are written ``$1, $2, …`` with a list of values: both DuckDB and PostgreSQL (through
psycopg's raw cursor) understand that form, so the same text runs on both.
"""
from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone

import polars as pl
import pyarrow as pa

from chiso.catalog.records import RECORD_KINDS, Field, RecordKind
from chiso.errors import StoreError

BATCH_COLUMN = "_batch"
KEY_JOIN = "\x1f"  # joins the parts of a composite record key written as one text
# The change log: every upsert that changes records writes, under a new stamp, the days
# (of the kind's window field) whose records it inserted, replaced or moved — so counts
# kept between refreshes (chiso.evaluate.kept) recompute only the buckets of those days.
# A kind without a window field logs one row with a NULL day ("everything").
CHANGES = "_record_changes"
# The load log: each file a load wrote, with its counts, written in the same transaction as
# the records — so a register kept in another database (load_batches) can always be
# completed from it (chiso.collect.load.complete_register).
LOADS = "_record_loads"
LOAD_FIELDS = ("batch", "position", "record_kind", "file_name", "file_sha256", "rows", "inserted",
               "updated", "unchanged", "loaded_at", "loaded_by")
# The versions a sender gave its records (the ingest API's optional ``version`` column): the
# last accepted version per record key, so an older one sent later is ignored
# (chiso.collect.load.load_batch). Records loaded without a version have no row here. The
# check of a batch's versions and its write are one transaction, under ``lock_versions``.
VERSIONS = "_record_versions"
REPLACED_AT = "_replaced_at"
REPLACED_BY = "_replaced_by_batch"
#: Columns of an upsert's batch matched with the stored records: found, differs, stored value.
FOUND, DIFFERS, OLD, ROW = "_chiso_found", "_chiso_differs", "_chiso_old_", "_chiso_row"

# polars type each field type is staged as before it reaches the database
POLARS_TYPES: dict[str, pl.DataType] = {
    "str": pl.String(), "enum": pl.String(), "int": pl.Int64(), "bool": pl.Boolean(),
    "date": pl.Date(),
}


#: An upsert writing this many records or more gathers the planner's statistics of the tables
#: it grew (:meth:`RecordStore.analyze`): after a bulk load PostgreSQL would otherwise plan the
#: next batches on the empty tables' guesses — "what changed after stamp s" read the whole
#: change log instead of its index's last entries. A push of 10,000 leaves that to autovacuum.
ANALYZE_AFTER = 100_000


@dataclass(frozen=True)
class UpsertCounts:
    """What one upsert did: new keys, changed records (old version kept), identical ones."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(self.inserted + other.inserted, self.updated + other.updated,
                            self.unchanged + other.unchanged)


def kind_of(name: str) -> RecordKind:
    """The record kind called ``name``; a StoreError names the known ones otherwise."""
    try:
        return RECORD_KINDS[name]
    except KeyError:
        raise StoreError(f"unknown record kind {name!r}; known: {', '.join(RECORD_KINDS)}") from None


def quote(name: str) -> str:
    """A double-quoted SQL identifier (both dialects)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    """A SQL literal for a schema default (only simple values occur there)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class Changes:
    """What the change log says of one kind after a stamp."""

    #: The days (of the kind's window field) of the records inserted or replaced.
    days: frozenset[date]
    #: A change of a kind without a window field: everything of the kind changed.
    everything: bool
    #: The units of those records; None when a change names no unit (every unit).
    units: frozenset[str] | None


NO_CHANGES = Changes(frozenset(), False, frozenset())


def _after(stamp: int) -> str:
    """The change log's rows after ``stamp``, the stamp written into the statement: a bound
    parameter lets PostgreSQL plan the statement once for any stamp (after five runs it keeps a
    generic plan), and for "after some stamp" that plan reads the whole log; with the number it
    sees that the recent stamps are a few rows of the log's index."""
    return f"stamp > {int(stamp)}"


class RecordStore(ABC):
    """The interface both record stores offer; the SQL they share lives here.

    Dialect differences are class attributes and a few small methods: how a connection runs
    a statement, how a frame is staged into a temporary table, how a transaction starts.
    """

    dialect: str = ""
    TEXT_TYPE = "VARCHAR"
    TYPES = {"int": "INTEGER", "bool": "BOOLEAN", "date": "DATE"}
    READ_ONLY_REASON: str | None = None  # set when the store can never be written
    #: A stored row's address, stable inside a transaction (DuckDB's ``rowid``): an update joins
    #: on it instead of the key, which would scan every stored key (none: join on the key, which
    #: PostgreSQL finds through its primary-key index).
    ROW_ID: str | None = None

    def __init__(self) -> None:
        self._depth = 0
        self._failed = False
        self._has_changes = False  # set when the change log table exists (ensure_tables)
        self._has_loads = False    # and the load log
        self._has_versions = False  # and the senders' versions

    # -- dialect hooks -------------------------------------------------------------------
    @abstractmethod
    def query_arrow(self, sql: str, params: Sequence | dict | None = None) -> pa.Table:
        """Run a query and return its rows as an Arrow table."""

    @abstractmethod
    def _execute(self, sql: str, params: Sequence | None = None) -> int:
        """Run one statement; return the rows it affected (-1 when unknown)."""

    @abstractmethod
    def _stage(self, kind: RecordKind, frame: pl.DataFrame, name: str) -> None:
        """Copy ``frame`` (columns = kind.columns, canonical types) into temp table ``name``."""

    @abstractmethod
    def _tx(self) -> AbstractContextManager:
        """A context manager for one database transaction (commit on success)."""

    def checkpoint(self) -> None:
        """Fold what was written into the store's files now, off a request's path. A server
        database (PostgreSQL) runs its own checkpointer: nothing to do."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def _lock_changes(self) -> None:
        """Serialise writers of the change log until the transaction ends, so that stamps are
        handed out in commit order (a dialect with concurrent writers overrides this)."""

    @property
    def derived_read_only_reason(self) -> str | None:
        """Why tables derived from the records (kept counts) cannot be written here; None
        when they can (a store over Parquet files has read-only records but can)."""
        return self.READ_ONLY_REASON

    # -- names ---------------------------------------------------------------------------
    def relation(self, kind: str) -> str:
        """The SQL relation to select ``kind`` records FROM."""
        return quote(kind_of(kind).name)

    def history_relation(self, kind: str) -> str:
        """The SQL relation holding earlier versions of ``kind`` records."""
        return quote(kind_of(kind).name + "_history")

    def sql_type(self, f: Field) -> str:
        return self.TYPES.get(f.type, self.TEXT_TYPE)

    # -- schema --------------------------------------------------------------------------
    def table_ddl(self, kind: RecordKind) -> list[str]:
        """CREATE statements for one kind's table and its history table."""
        cols = []
        for f in kind.fields:
            col = f"{quote(f.name)} {self.sql_type(f)}"
            if f.required:
                col += " NOT NULL"
            if f.choices:
                allowed = ", ".join(literal(c) for c in f.choices)
                col += f" CHECK ({quote(f.name)} IN ({allowed}))"
            if f.minimum is not None:
                col += f" CHECK ({quote(f.name)} >= {int(f.minimum)})"
            cols.append(col)
        batch = f"{quote(BATCH_COLUMN)} {self.TEXT_TYPE} NOT NULL"
        pk = ", ".join(quote(k) for k in kind.key)
        main = (f"CREATE TABLE IF NOT EXISTS {quote(kind.name)} (\n  "
                + ",\n  ".join(cols + [batch, f"PRIMARY KEY ({pk})"]) + "\n)")
        # History keeps every column as it was; constraints held when the row was current.
        hist_cols = [f"{quote(f.name)} {self.sql_type(f)}" for f in kind.fields]
        hist_cols += [batch, f"{quote(REPLACED_AT)} TIMESTAMP NOT NULL",
                      f"{quote(REPLACED_BY)} {self.TEXT_TYPE} NOT NULL"]
        hist = (f"CREATE TABLE IF NOT EXISTS {quote(kind.name + '_history')} (\n  "
                + ",\n  ".join(hist_cols) + "\n)")
        return [main, hist]

    #: The store's tables and their columns (table_name, column_name).
    COLUMNS_SQL = ("SELECT table_name, column_name FROM information_schema.columns "
                   "WHERE table_schema = current_schema()")

    def _existing_columns(self) -> dict[str, set[str]]:
        rows = self.query_arrow(self.COLUMNS_SQL).to_pylist()
        found: dict[str, set[str]] = {}
        for r in rows:
            found.setdefault(r["table_name"], set()).add(r["column_name"])
        return found

    def ensure_tables(self) -> None:
        """Create the record and history tables that are missing; check the others' columns."""
        existing = self._existing_columns()
        wanted = {}
        for kind in RECORD_KINDS.values():
            wanted[kind.name] = set(kind.columns) | {BATCH_COLUMN}
            wanted[kind.name + "_history"] = wanted[kind.name] | {REPLACED_AT, REPLACED_BY}
        for table, cols in wanted.items():
            if table in existing and not cols <= existing[table]:
                missing = ", ".join(sorted(cols - existing[table]))
                raise StoreError(f"record table {table!r} lacks column(s) {missing}: it was made "
                                 "for an older record schema and must be migrated")
        self._has_changes = CHANGES in existing
        self._has_loads = LOADS in existing
        self._has_versions = VERSIONS in existing
        if self._has_changes and "unit_code" not in existing[CHANGES] and not self.READ_ONLY_REASON:
            # a change log from before units were logged: its rows name no unit (every unit)
            self._execute(f"ALTER TABLE {CHANGES} ADD COLUMN unit_code {self.TEXT_TYPE}")
        if all(t in existing for t in wanted) and self._has_changes and self._has_loads and self._has_versions:
            return
        if self.READ_ONLY_REASON and all(t in existing for t in wanted):
            return  # records written elsewhere: nothing is loaded through this store
        if self.READ_ONLY_REASON:
            missing = ", ".join(t for t in wanted if t not in existing)
            raise StoreError(f"the record store has no table(s) {missing} and {self.READ_ONLY_REASON}; "
                             "run `chiso init` first")
        with self.transaction():
            for kind in RECORD_KINDS.values():
                for stmt in self.table_ddl(kind):
                    self._execute(stmt)
            self._execute(f"CREATE TABLE IF NOT EXISTS {CHANGES} (stamp BIGINT NOT NULL, "
                          f"kind {self.TEXT_TYPE} NOT NULL, day DATE, unit_code {self.TEXT_TYPE})")
            text, whole = f"{self.TEXT_TYPE} NOT NULL", "BIGINT NOT NULL"
            self._execute(f"CREATE TABLE IF NOT EXISTS {LOADS} (batch {text}, position {whole}, "
                          f"record_kind {text}, file_name {text}, file_sha256 {text}, rows {whole}, "
                          f"inserted {whole}, updated {whole}, unchanged {whole}, loaded_at TIMESTAMP NOT NULL, "
                          f"loaded_by {text}, PRIMARY KEY (batch, position))")
            self._execute(f"CREATE TABLE IF NOT EXISTS {VERSIONS} (kind {text}, record_key {text}, "
                          f"version {whole}, PRIMARY KEY (kind, record_key))")
        self._has_changes = self._has_loads = self._has_versions = True

    # -- the senders' versions ---------------------------------------------------------------
    def stored_versions(self, kind: str, keys: Sequence[str], chunk: int = 5000) -> dict[str, int]:
        """The version last accepted for each of ``keys`` (record keys as text, the parts of a
        composite key joined by ``KEY_JOIN``) that has one."""
        if not self._has_versions or not keys:
            return {}
        rk, found = kind_of(kind), {}
        for i in range(0, len(keys), chunk):
            listed = ", ".join(literal(k) for k in keys[i:i + chunk])
            rows = self.query_arrow(f"SELECT record_key, version FROM {VERSIONS} WHERE kind = $1 "
                                    f"AND record_key IN ({listed})", [rk.name]).to_pylist()
            found.update({r["record_key"]: int(r["version"]) for r in rows})
        return found

    def lock_versions(self, kind: str) -> None:
        """Hold the senders' versions of ``kind`` until the transaction ends, so that batches
        with versions of one kind take turns between reading the stored versions and keeping
        theirs: the check and the write it allows are one step. Only inside :meth:`transaction`.
        A store with one writer at a time (DuckDB) has nothing to take; PostgreSQL overrides it."""
        kind_of(kind)
        if not self._depth:
            raise StoreError("the senders' versions are locked inside a records transaction only")

    def keep_versions(self, kind: str, versions: dict[str, int], chunk: int = 5000) -> None:
        """Record the accepted version of each key (inside the load's transaction)."""
        if not versions:
            return
        if not self._has_versions:
            raise StoreError(f"the record store has no {VERSIONS} table; open it writable once to create it")
        rk, items = kind_of(kind), list(versions.items())
        for i in range(0, len(items), chunk):
            rows = ", ".join(f"({literal(rk.name)}, {literal(k)}, CAST({int(v)} AS BIGINT))"
                             for k, v in items[i:i + chunk])
            self._execute(f"INSERT INTO {VERSIONS} (kind, record_key, version) VALUES {rows} "
                          "ON CONFLICT (kind, record_key) DO UPDATE SET version = excluded.version")

    def index(self, table: str, columns: str | Sequence[str], *, unique: bool = False) -> None:
        """Index a table kept beside the records (kept counts) on the column(s) it is read,
        recounted or merged by (``unique``: its key), where this store reads through an index
        (PostgreSQL); an embedded store skips row groups by their min/max instead and keeps none."""

    def analyze(self, table: str, columns: Sequence[str] = ()) -> None:
        """Gather the planner's statistics of a table just filled or grown in bulk (of
        ``columns`` only, when given: the size comes with any of them), where the
        store plans by them and would otherwise wait for a background pass (PostgreSQL: until
        then, a fresh table's or temporary table's size is guessed, and a join planned for the
        guess); DuckDB keeps its statistics as it writes."""

    # -- the change log ------------------------------------------------------------------
    def stamp(self) -> int:
        """The last change's stamp (0: no change logged, or a store without a change log)."""
        if not self._has_changes:
            return 0
        return self._scalar(f"SELECT COALESCE(MAX(stamp), 0) FROM {CHANGES}")

    def _logged(self, column: str, since: int, kind: str | None = None) -> dict[str, set]:
        """The distinct ``column`` values (day or unit_code) the change log holds after stamp
        ``since``, by kind (of ``kind`` alone when given)."""
        only = "" if kind is None else f" AND kind = {literal(kind_of(kind).name)}"
        found: dict[str, set] = {}
        for r in self.query_arrow(f"SELECT DISTINCT kind, {column} AS v FROM {CHANGES} "
                                  f"WHERE {_after(since)}{only}").to_pylist():
            found.setdefault(r["kind"], set()).add(r["v"])
        return found

    def changes_since(self, since: int) -> dict[str, Changes]:
        """What the change log says of each kind after stamp ``since``, read in two statements
        for every kind (the days, the units) — a refresh of kept counts asks it once, not once
        per kept table."""
        if not self._has_changes:
            return {}
        days, units = self._logged("day", since), self._logged("unit_code", since)
        return {k: Changes(frozenset(d for d in found if d is not None), None in found,
                           None if None in units.get(k, ()) else frozenset(units.get(k, ())))
                for k, found in days.items()}

    def changed_days(self, kind: str, since: int) -> tuple[set[date], bool]:
        """Days of ``kind``'s window field whose records changed after stamp ``since``, and
        whether a change touched everything (a kind without a window field)."""
        if not self._has_changes:
            return set(), False
        days = self._logged("day", since, kind).get(kind_of(kind).name, set())
        return {d for d in days if d is not None}, None in days

    def changed_units(self, kind: str, since: int) -> set[str] | None:
        """Units whose ``kind`` records changed after stamp ``since`` (new and old versions'),
        or None when a change names no unit (logged before units were: every unit)."""
        if not self._has_changes:
            return set()
        units = self._logged("unit_code", since, kind).get(kind_of(kind).name, set())
        return None if None in units else units

    def _log_changes(self, rk: RecordKind, matched: str) -> None:
        """Log the days of the records this upsert inserts or replaces (new and old versions),
        read from the batch matched with the stored records (see :meth:`upsert`)."""
        if not self._has_changes:
            return
        self._lock_changes()
        stamp = self._scalar(f"SELECT COALESCE(MAX(stamp), 0) + 1 FROM {CHANGES}")
        writes = f"{matched} WHERE NOT {FOUND} OR {DIFFERS}"
        if rk.window_field is None:
            self._execute(f"INSERT INTO {CHANGES} (stamp, kind, day) SELECT CAST($1 AS BIGINT), {literal(rk.name)}, "
                          f"CAST(NULL AS DATE) WHERE EXISTS (SELECT 1 FROM {writes})", [stamp])
            return
        wf, old = quote(rk.window_field), quote(OLD + rk.window_field)
        unit, old_unit = quote("unit_code"), quote(OLD + "unit_code")
        days = (f"SELECT {wf} AS day, {unit} AS unit_code FROM {writes} "
                f"UNION SELECT {old}, {old_unit} FROM {matched} WHERE {FOUND} AND {DIFFERS}")
        self._execute(f"INSERT INTO {CHANGES} (stamp, kind, day, unit_code) SELECT CAST($1 AS BIGINT), "
                      f"{literal(rk.name)}, d.day, d.unit_code FROM ({days}) d", [stamp])

    # -- the load log ----------------------------------------------------------------------
    def log_load(self, files: Sequence[dict]) -> None:
        """Log the files of a load (dicts of ``LOAD_FIELDS``), inside its transaction."""
        if not self._has_loads or not files:
            return
        columns = ", ".join(LOAD_FIELDS)
        marks = ", ".join(f"${i}" for i in range(1, len(LOAD_FIELDS) + 1))
        for f in files:
            self._execute(f"INSERT INTO {LOADS} ({columns}) VALUES ({marks})", [f[k] for k in LOAD_FIELDS])

    def logged_loads(self, after: str = "") -> list[dict]:
        """The logged files of the loads whose batch sorts after ``after`` (batch names
        begin with their UTC time), oldest first."""
        if not self._has_loads:
            return []
        return self.query_arrow(f"SELECT {', '.join(LOAD_FIELDS)} FROM {LOADS} WHERE batch > $1 "
                                "ORDER BY batch, position", [after]).to_pylist()

    # -- transactions --------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[RecordStore]:
        """Everything inside commits together or not at all; nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._failed = True  # the outer block must not commit half a load
                raise
            finally:
                self._depth -= 1
            return
        self._depth, self._failed = 1, False
        try:
            with self._tx():
                yield self
                if self._failed:
                    raise StoreError("a step inside this transaction failed; nothing was written")
        finally:
            self._depth, self._failed = 0, False

    # -- writing -------------------------------------------------------------------------
    def upsert(self, kind: str, df: pl.DataFrame, batch: str) -> UpsertCounts:
        """Insert new keys, replace changed records (old version to history), skip identical ones.

        ``df`` holds the kind's columns (optional ones may be absent: their default is used).
        One transaction; inside :meth:`transaction` it joins the outer one.
        """
        if self.READ_ONLY_REASON:
            raise StoreError(f"cannot write records: {self.READ_ONLY_REASON}")
        if not batch:
            raise StoreError("an upsert needs a batch name")
        rk = kind_of(kind)
        frame = conform(rk, df)
        stage = f"_chiso_in_{uuid.uuid4().hex[:12]}"
        matched = f"_chiso_match_{uuid.uuid4().hex[:12]}"
        found = f"_chiso_found_{uuid.uuid4().hex[:12]}"
        table, hist = self.relation(rk.name), self.history_relation(rk.name)
        cols = [quote(c) for c in rk.columns]
        col_list = ", ".join(cols)
        on = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in rk.key)
        others = [quote(c) for c in rk.columns if c not in rk.key]
        differs = " OR ".join(f"s.{c} IS DISTINCT FROM t.{c}" for c in others) or "FALSE"
        now = datetime.now(timezone.utc).replace(tzinfo=None)

        def text_param(i: int) -> str:  # PostgreSQL cannot infer a parameter's type in a select list
            return f"CAST(${i} AS {self.TEXT_TYPE})"

        with self.transaction():
            self._stage(rk, frame, stage)
            try:
                keys = ", ".join(quote(k) for k in rk.key)
                dup = self.query_arrow(
                    f"SELECT {keys} FROM {stage} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1").to_pylist()
                if dup:
                    raise StoreError(f"{rk.name}: key {dup[0]} occurs more than once in one upsert")
                # the batch joined once with the stored records: whether each record is stored,
                # whether it differs, and its stored version (for the history and the change log)
                source, row_id = self._stored_of(rk, frame, found, stage)
                stored = ", ".join([f"t.{quote(c)} AS {quote(OLD + c)}" for c in (*rk.columns, BATCH_COLUMN)]
                                   + ([f"t.{row_id} AS {ROW}"] if row_id else []))
                self._execute(
                    f"CREATE TEMP TABLE {matched} AS SELECT s.*, t.{quote(rk.key[0])} IS NOT NULL AS {FOUND}, "
                    f"COALESCE({differs}, FALSE) AS {DIFFERS}, {stored} FROM {stage} s LEFT JOIN {source} t ON {on}")
                updated = self._scalar(f"SELECT count(*) FROM {matched} WHERE {FOUND} AND {DIFFERS}")
                self._log_changes(rk, matched)
                if updated:
                    self._execute(
                        f"INSERT INTO {hist} ({col_list}, {quote(BATCH_COLUMN)}, {quote(REPLACED_AT)}, "
                        f"{quote(REPLACED_BY)}) SELECT {', '.join(quote(OLD + c) for c in rk.columns)}, "
                        f"{quote(OLD + BATCH_COLUMN)}, CAST($1 AS TIMESTAMP), {text_param(2)} "
                        f"FROM {matched} WHERE {FOUND} AND {DIFFERS}", [now, batch])
                    sets = ", ".join([f"{c} = s.{c}" for c in others]
                                     + [f"{quote(BATCH_COLUMN)} = {text_param(1)}"])
                    where = (f"{table}.{self.ROW_ID} = s.{ROW}" if self.ROW_ID else
                             " AND ".join(f"{table}.{quote(k)} = s.{quote(k)}" for k in rk.key))
                    self._execute(f"UPDATE {table} SET {sets} FROM (SELECT * FROM {matched} WHERE {FOUND} AND "
                                  f"{DIFFERS}) s WHERE {where}", [batch])
                inserted = self._execute(
                    f"INSERT INTO {table} ({col_list}, {quote(BATCH_COLUMN)}) "
                    f"SELECT {', '.join('s.' + c for c in cols)}, {text_param(1)} FROM {matched} s "
                    f"WHERE NOT s.{FOUND}", [batch])
                if inserted + updated >= ANALYZE_AFTER:  # a bulk load: the planner told of it now
                    for name in [table] + [hist] * bool(updated) + [CHANGES] * self._has_changes:
                        self.analyze(name)
            finally:
                self._drop_temp(matched)
                self._drop_temp(found)
                self._drop_temp(stage)
        return UpsertCounts(inserted, updated, frame.height - inserted - updated)

    def _stored_of(self, kind: RecordKind, frame: pl.DataFrame, name: str, stage: str) -> tuple[str, str | None]:
        """The relation the batch ``frame`` (staged as the temporary table ``stage``) is matched
        against — the kind's table, or a temporary table ``name`` of just the stored records the
        batch names — and the column of it that addresses a stored row for the update (None:
        the update joins on the key)."""
        return self.relation(kind.name), self.ROW_ID

    def _drop_temp(self, name: str) -> None:
        try:
            self._execute(f"DROP TABLE IF EXISTS {name}")
        except Exception:  # noqa: BLE001 - the transaction is already failing; keep its error
            pass

    # -- reading -------------------------------------------------------------------------
    def _scalar(self, sql: str, params: Sequence | None = None) -> int:
        table = self.query_arrow(sql, params)
        return int(table.column(0)[0].as_py())

    def count(self, kind: str) -> int:
        """How many current records of ``kind`` the store holds."""
        return self._scalar(f"SELECT count(*) FROM {self.relation(kind)}")

    def history(self, kind: str, key: dict) -> list[dict]:
        """Earlier versions of one record, oldest first (empty when it never changed)."""
        rk = kind_of(kind)
        if set(key) != set(rk.key):
            raise StoreError(f"{rk.name} records are keyed by {', '.join(rk.key)}, not {', '.join(key)}")
        where = " AND ".join(f"{quote(k)} = ${i}" for i, k in enumerate(rk.key, 1))
        return self.query_arrow(
            f"SELECT * FROM {self.history_relation(kind)} WHERE {where} "
            f"ORDER BY {quote(REPLACED_AT)}", [key[k] for k in rk.key]).to_pylist()

    def fetch(self, kind: str, where_sql: str = "TRUE", params: Sequence | None = None,
              order_by: str | Sequence[str] | None = None, limit: int | None = 100,
              offset: int = 0) -> list[dict]:
        """Current records of ``kind`` matching ``where_sql`` (``$1``-style params), as dicts.

        ``order_by`` is a list of column names or an SQL ORDER BY text; default: the key.
        """
        rk = kind_of(kind)
        if order_by is None:
            order = ", ".join(quote(k) for k in rk.key)
        elif isinstance(order_by, str):
            order = order_by
        else:
            known = set(rk.columns) | {BATCH_COLUMN}
            bad = [c for c in order_by if c not in known]
            if bad:
                raise StoreError(f"cannot order {rk.name} by unknown column(s) {', '.join(bad)}")
            order = ", ".join(quote(c) for c in order_by)
        sql = f"SELECT * FROM {self.relation(kind)} WHERE ({where_sql}) ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        if offset:
            sql += f" OFFSET {int(offset)}"
        return self.query_arrow(sql, params).to_pylist()

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def conform(kind: RecordKind, df: pl.DataFrame) -> pl.DataFrame:
    """``df`` as exactly the kind's columns in schema order, with canonical polars types.

    Absent optional columns take their default; an absent required column or an unknown one
    is a StoreError (loading validates files first, so this guards programmatic callers).
    """
    unknown = [c for c in df.columns if c not in kind.columns]
    if unknown:
        raise StoreError(f"{kind.name}: unknown column(s) {', '.join(unknown)}")
    missing = [f.name for f in kind.fields if f.required and f.name not in df.columns]
    if missing:
        raise StoreError(f"{kind.name}: required column(s) {', '.join(missing)} missing")
    exprs = []
    for f in kind.fields:
        dtype = POLARS_TYPES[f.type]
        if f.name in df.columns:
            exprs.append(pl.col(f.name).cast(dtype).alias(f.name))
        else:
            exprs.append(pl.lit(f.default, dtype=dtype).alias(f.name))
    try:
        return df.select(exprs)
    except pl.exceptions.PolarsError as exc:
        raise StoreError(f"{kind.name}: a column has values of the wrong type: {exc}") from None
