"""Shared fixtures: stores on SQLite and PostgreSQL, a PostgreSQL engine, where to compute.

``store_url`` runs a test on both backends. PostgreSQL tests each get a fresh schema named
``chiso_test_<random>`` (selected through the connection's ``search_path``) that is dropped
afterwards. ``on`` runs a computation on DuckDB and on PostgreSQL (temporary tables on one
connection). When the server cannot be reached PostgreSQL cases are skipped, except under
``CI=true``, where they fail: CI must never pass without having tested PostgreSQL.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from chiso.store.database import Database, init_store, open_database
from tests.factories import POSTGRES_URL, postgres_unavailable
from tests.web.site import build_site


@pytest.fixture
def postgres_schema() -> Iterator[tuple[str, str]]:
    """(URL whose search_path is a fresh schema, that schema's name); dropped afterwards."""
    schema = f"chiso_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        postgres_unavailable(str(exc.orig).strip().splitlines()[0])
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False), schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in a folder that does not exist yet (open_database creates it)."""
    return f"sqlite:///{(tmp_path / 'data' / 'chiso.sqlite').as_posix()}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """The URL of an empty store, once per backend."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    url, _schema = request.getfixturevalue("postgres_schema")
    return url


@pytest.fixture
def empty_db(store_url: str) -> Iterator[Database]:
    """An opened store with no tables."""
    db = open_database(store_url)
    yield db
    db.dispose()


@pytest.fixture
def db(store_url: str) -> Iterator[Database]:
    """A store migrated to head, whose pool is then emptied.

    Later connections are fresh, as in the process that uses a store after ``chiso init``:
    per-connection settings (SQLite foreign keys) must come from ``open_database``, not
    linger from the connection the migrations ran on.
    """
    db = init_store(store_url, actor="test")
    db.engine.dispose()
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as c:
            c.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        postgres_unavailable(str(exc.orig).strip().splitlines()[0])
    yield engine
    engine.dispose()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def on(request: pytest.FixtureRequest):
    """Where to compute: "duckdb", or a PostgreSQL engine."""
    if request.param == "duckdb":
        return "duckdb"
    return request.getfixturevalue("pg_engine")


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The one demo site (tests/web/site.py) of the web tests, built once per session (per
    worker) on first use. (The bad-file corpus has its own: its accepted cases write.)"""
    s = build_site(tmp_path_factory.mktemp("site"))
    yield s
    s.close()
