"""Opening a record store: DuckDB (the embedded default, or views over Parquet files) or
PostgreSQL, chosen by URL. The stores themselves: ``records_base`` (what every store does),
``records_duckdb`` and ``records_postgres``."""
from __future__ import annotations

from chiso import settings
from chiso.errors import StoreError
from chiso.store.records_base import RecordStore
from chiso.store.records_duckdb import DuckDBRecordStore
from chiso.store.records_postgres import PostgresRecordStore


def open_records(url: str | None = None, *, read_only: bool = False) -> RecordStore:
    """Open the record store at ``url`` (default: settings.records_url()).

    ``duckdb:///<path>`` (``duckdb:///:memory:`` for a scratch store) or
    ``postgresql+psycopg://…`` (``?options=-csearch_path%3D<schema>`` picks a schema).
    A writable store gets its tables created when missing.
    """
    url = url or settings.records_url()
    if url.startswith("duckdb:"):
        store: RecordStore = DuckDBRecordStore.from_url(url, read_only=read_only,
                                                         threads=settings.threads())
    elif url.startswith(("postgresql:", "postgresql+psycopg:", "postgres:")):
        store = PostgresRecordStore.from_url(url, read_only=read_only)
    else:
        raise StoreError(f"records URL {url!r}: expected duckdb:///<path> or postgresql+psycopg://…")
    try:
        store.ensure_tables()
    except BaseException:
        store.close()
        raise
    return store


def parquet_records(paths: dict[str, str | list[str]], database: str = ":memory:") -> RecordStore:
    """A read-only DuckDB store whose relations are views over Parquet files/globs.

    ``paths`` maps a record kind to a file, a glob or a list of them; kinds not given are
    empty views, so queries over all four kinds still run. The views live in memory, or in
    the DuckDB file ``database`` (which then also keeps derived tables such as kept counts).
    """
    return DuckDBRecordStore.over_parquet(paths, threads=settings.threads(), database=database)
