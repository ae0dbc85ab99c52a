"""Migrations: an empty store reaches head on SQLite and PostgreSQL, repeatably."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from chiso.errors import StoreError
from chiso.store.database import (
    Database,
    current_revision,
    downgrade,
    head_revision,
    init_store,
    open_database,
    require_current,
    upgrade,
)
from chiso.store.orm import Base
from chiso.store.repositories import audit, audit_entries

TABLES = {"accounts", "adjustments", "api_tokens", "audit_log", "bulletin_archive",
          "bulletin_schedules", "catalogue_imports", "connector_cursors", "connector_files", "connector_runs",
          "connectors", "criterion_results", "definitions", "indicator_value_history",
          "indicator_values", "indicator_versions", "lifecycle_transitions", "load_batches", "notifications", "portal_figure_history", "portal_figures", "reminders",
          "score_runs", "signin_attempts", "statistical_values", "targets", "task_events", "task_history", "tasks",
          "unit_crosswalk", "unit_results", "unit_shapes", "units", "value_periods", "value_submissions", "warning_events", "warning_followups", "warnings",
          "web_sessions", "alembic_version"}


def table_names(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_empty_store_upgrades_to_head(empty_db: Database) -> None:
    assert current_revision(empty_db) is None
    assert table_names(empty_db) == set()
    upgrade(empty_db)
    assert current_revision(empty_db) == head_revision() == "0016"
    assert table_names(empty_db) == TABLES


def schema_snapshot(db: Database) -> dict[str, object]:
    """Columns (name, type, nullability) and indexes of every table, comparable by ==."""
    inspector = inspect(db.engine)
    return {table: ([(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                    sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)))
            for table in sorted(table_names(db))}


def test_upgrade_twice_changes_nothing(empty_db: Database) -> None:
    upgrade(empty_db)
    schema = schema_snapshot(empty_db)
    assert len(schema) == len(TABLES)
    upgrade(empty_db)
    assert current_revision(empty_db) == head_revision()
    assert schema_snapshot(empty_db) == schema
    with empty_db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1


def test_init_store_is_idempotent_and_audits_only_a_real_change(store_url: str) -> None:
    first = init_store(store_url, actor="alice")
    second = init_store(store_url, actor="bob")
    try:
        with second.session() as session:
            entries = audit_entries(session, action="init")
        assert [(e.actor, e.detail) for e in entries] == [("alice", {"from": None, "to": head_revision()})]
    finally:
        first.dispose()
        second.dispose()


def test_models_describe_the_migrated_schema(db: Database) -> None:
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_downgrade_to_base_and_back(db: Database) -> None:
    downgrade(db, "base")
    assert current_revision(db) is None
    assert table_names(db) == {"alembic_version"}
    upgrade(db)
    assert table_names(db) == TABLES


def test_require_current_refuses_an_unprepared_store(empty_db: Database) -> None:
    with pytest.raises(StoreError, match="chiso init"):
        require_current(empty_db)
    upgrade(empty_db)
    require_current(empty_db)


def test_audit_log_is_append_only(db: Database) -> None:
    with db.session() as session:
        audit(session, "test", "probe", "thing", 1, {"n": 1})
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as connection:
                connection.execute(text(statement))
    with db.session() as session:
        assert {e.actor for e in audit_entries(session)} == {"test"}


@pytest.mark.postgres
def test_postgres_store_lives_in_the_search_path_schema(
        postgres_schema: tuple[str, str]) -> None:
    url, schema = postgres_schema
    db = init_store(url)
    try:
        tables = set(inspect(db.engine).get_table_names(schema=schema))
        assert tables == TABLES
        assert not TABLES & set(inspect(db.engine).get_table_names(schema="public"))
    finally:
        db.dispose()


def test_sqlite_file_folder_foreign_keys_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "chiso.sqlite"
    db = open_database(f"sqlite:///{path.as_posix()}")
    try:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert path.parent.is_dir()
        assert db.dialect_name == "sqlite"
        upgrade(db)  # migrations switch foreign keys off while they run, then back on
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()


def test_default_url_is_sqlite_in_the_data_dir(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("CHISO_DATABASE_URL", raising=False)
    db = init_store()
    try:
        assert (tmp_path / "store" / "chiso.sqlite").is_file()
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()


@pytest.mark.parametrize("url, reason", [
    ("mysql://root@localhost/chiso", "SQLite or PostgreSQL"),
    ("not a url", "cannot read"),
    ("postgresql+psycopg://nobody:secret@127.0.0.1:1/none", "cannot open"),
])
def test_unusable_urls_raise_store_error(url: str, reason: str) -> None:
    with pytest.raises(StoreError, match=reason) as caught:
        open_database(url)
    assert "secret" not in str(caught.value)
