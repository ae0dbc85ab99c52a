"""Where compiled formulas and aggregations run: DuckDB in process, or PostgreSQL.

Both take Polars frames into temporary tables, run the same rendered SQL (each for its
own ``Dialect``) and hand results back as Polars frames; nothing here knows about
formulas. A PostgreSQL engine works inside a connection it is given (the caller's
transaction) or one it opens from a URL; its temporary tables vanish with it.
"""
from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import polars as pl
from sqlalchemy import Connection, Engine, create_engine

from chiso.engine.dialects import Dialect, dialect
from chiso.errors import StoreError

_PG_TYPES = {pl.String: "TEXT", pl.Date: "DATE", pl.Float64: "DOUBLE PRECISION",
             pl.Int64: "BIGINT", pl.Boolean: "BOOLEAN"}


class SQLEngine(ABC):
    """Load frames as tables, run statements, fetch frames: the interface DuckDBEngine and
    PostgresEngine implement (an abstract base — it cannot be instantiated itself)."""

    target: Dialect

    def table_name(self, stem: str) -> str:
        """A fresh table name: several computations may share one connection."""
        return f"chiso_{stem}_{uuid.uuid4().hex[:10]}"

    @abstractmethod
    def load(self, name: str, frame: pl.DataFrame) -> None:
        """Create table ``name`` holding ``frame``."""

    @abstractmethod
    def execute(self, sql: str) -> None:
        """Run one statement."""

    @abstractmethod
    def fetch(self, sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        """Run a query and return its rows as a frame of ``schema``."""

    def drop(self, name: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {name}")


class DuckDBEngine(SQLEngine):
    """An in-memory DuckDB database for one computation."""

    target = dialect("duckdb")

    def __init__(self) -> None:
        self.con = duckdb.connect(":memory:")

    def load(self, name: str, frame: pl.DataFrame) -> None:
        self.con.register("_chiso_frame", frame.to_arrow())
        try:
            self.con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM _chiso_frame")
        finally:
            self.con.unregister("_chiso_frame")

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def fetch(self, sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        table = self.con.sql(sql).to_arrow_table()
        return pl.DataFrame(pl.from_arrow(table)).cast(schema)

    def close(self) -> None:
        self.con.close()


class PostgresEngine(SQLEngine):
    """Temporary tables on a PostgreSQL connection (COPY in, plain SELECT out)."""

    target = dialect("postgres")

    def __init__(self, connection: Connection):
        self.connection = connection

    def load(self, name: str, frame: pl.DataFrame) -> None:
        columns = ", ".join(f"{c} {_PG_TYPES[t]}" for c, t in frame.schema.items())
        self.execute(f"CREATE TEMP TABLE {name} ({columns})")
        raw = self.connection.connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {name} ({', '.join(frame.columns)}) FROM STDIN") as copy:
                for row in frame.iter_rows():
                    copy.write_row(row)

    def execute(self, sql: str) -> None:
        self.connection.exec_driver_sql(sql)

    def fetch(self, sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        result = self.connection.exec_driver_sql(sql)
        names = list(result.keys())
        return pl.DataFrame(result.fetchall(), schema={n: schema[n] for n in names}, orient="row")


@contextmanager
def open_engine(on: str | Connection | Engine = "duckdb") -> Iterator[SQLEngine]:
    """An engine for one computation.

    ``on`` is ``"duckdb"`` (in process), a PostgreSQL URL, a SQLAlchemy ``Engine`` or an
    open ``Connection`` (then its transaction is used and left to the caller).
    """
    if isinstance(on, Connection):
        yield PostgresEngine(on)
        return
    if on == "duckdb":
        engine = DuckDBEngine()
        try:
            yield engine
        finally:
            engine.close()
        return
    owned = isinstance(on, str)
    if owned and not on.startswith("postgresql"):
        raise StoreError(f"cannot compute on {on!r}: give 'duckdb' or a postgresql:// URL")
    sa_engine = create_engine(on) if owned else on
    try:
        with sa_engine.connect() as connection:
            # read-only work on temporary tables: roll back, leaving the database as it was
            try:
                yield PostgresEngine(connection)
            finally:
                connection.rollback()
    finally:
        if owned:
            sa_engine.dispose()
