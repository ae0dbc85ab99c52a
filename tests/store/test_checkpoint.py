"""The embedded record store's write-ahead log: a commit folds it into the file only past
CHISO_DUCKDB_WAL_MB (DuckDB's own 16 MB made a pushed batch wait for the fold), and
``checkpoint()`` folds it when asked; PostgreSQL has its own checkpointer."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chiso.store.records import open_records
from tests.factories import drop_postgres_schema, make_postgres_schema, postgres_records_url
from tests.records_data import dossier, load, procedure

COMMUNE, PROC = "07210", "1.000001"


def wal(path: Path) -> int:
    log = path.with_name(path.name + ".wal")
    return log.stat().st_size if log.exists() else 0


def _changed(store, n: int, finished) -> None:
    """n dossiers written, then each of them changed (an update logs its rows; a fresh insert
    goes straight to the file)."""
    rows = [dossier(f"HS{i:05d}", COMMUNE, PROC, dt.date(2026, 8, 17), dt.date(2026, 8, 20), dt.date(2026, 8, 25))
            for i in range(n)]
    load(store, {"procedures": [procedure(COMMUNE, PROC)], "dossiers": rows}, batch="first")
    store.checkpoint()
    load(store, {"dossiers": [{**r, "finished_date": finished} for r in rows]}, batch="second")


def test_a_write_leaves_its_log_until_the_store_is_checkpointed(tmp_path):
    path = tmp_path / "records.duckdb"
    store = open_records(f"duckdb:///{path.as_posix()}")
    try:
        ceiling = store.query_arrow("SELECT current_setting('checkpoint_threshold') AS c").column(0)[0].as_py()
        assert ceiling == "488.2 MiB", ceiling  # CHISO_DUCKDB_WAL_MB's 512 MB, not DuckDB's 16
        _changed(store, 5_000, dt.date(2026, 8, 19))
        assert wal(path) > 0, "the commit folded the log at once: the ceiling was not applied"
        store.checkpoint()
        assert wal(path) == 0
        assert store.fetch("dossiers", "id = $1", ["HS00042"])[0]["finished_date"] == dt.date(2026, 8, 19)
    finally:
        store.close()
    again = open_records(f"duckdb:///{path.as_posix()}", read_only=True)
    try:
        assert again.count("dossiers") == 5_000
    finally:
        again.close()


def test_past_the_ceiling_the_commit_folds_the_log_itself(tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO_DUCKDB_WAL_MB", "1")
    path = tmp_path / "records.duckdb"
    store = open_records(f"duckdb:///{path.as_posix()}")
    try:
        _changed(store, 20_000, dt.date(2026, 8, 19))
        assert wal(path) == 0
    finally:
        store.close()


def test_a_read_only_store_has_nothing_to_checkpoint(tmp_path):
    path = tmp_path / "records.duckdb"
    open_records(f"duckdb:///{path.as_posix()}").close()
    store = open_records(f"duckdb:///{path.as_posix()}", read_only=True)
    try:
        store.checkpoint()  # no error: nothing is written through it
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_checkpoints_by_itself():
    schema = make_postgres_schema()
    store = open_records(postgres_records_url(schema))
    try:
        _changed(store, 50, dt.date(2026, 8, 19))  # its own checkpointer folds the log: nothing to do
        assert store.count("dossiers") == 50
    finally:
        store.close()
        drop_postgres_schema(schema)
