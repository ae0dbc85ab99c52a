"""The stores the bad-file corpus runs against, and what "unchanged" means.

Every store holds the same things, put there through the real parts: the sample catalogue
of Bắc Ninh imported, six months of Sở Tài chính's spending submitted, a procedure and a
dossier loaded (``prepare``). The commands run on

- SQLite + DuckDB: one prepared folder per session, copied for each test;
- PostgreSQL (relational store and records, two schemas): prepared once per session and
  shared — a refusal leaves it as it was (that is what the tests check), and each accepted
  case writes its own period, procedure or indicator.

The API runs on the web tests' demo site (SQLite, a demo site of its own, ``corpus_site``) and on
a small site of the same parts over PostgreSQL (the two accounts the corpus uses).

``snapshot`` counts every table: the data, the catalogue versions and imports, the audit
trail, the load register. A refused values file is registered — a ``refused`` row in
``value_submissions`` and its ``values.refuse`` audit line — which is no change of data:
those are counted apart (``REFUSALS``).
"""
from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from chiso.catalog.records import RECORD_KINDS
from chiso.collect.load import load_and_record
from chiso.collect.values import Submitter, batch_from_records, submit_batch
from chiso.store.database import init_store, open_database
from chiso.store.records import open_records
from chiso.store.repo_catalogue import import_catalogue, live_indicators
from chiso.units import load_units
from chiso.web.app import create_app
from chiso.web.security import accounts, tokens
from tests.factories import POSTGRES_URL, drop_postgres_schema, make_postgres_schema, postgres_records_url
from tests.files.corpus import ADMIN, AS_UNIT, CATALOGUE, OFFICER
from tests.web.site import build_site

#: Sở Tài chính's spending, as the demo site submits it: 60 × the month, 2026-01 … 2026-06.
SPENDING = [{"indicator": "NS.CHI_NSDP", "unit": "24", "period": f"2026-{m:02d}", "value": 60.0 * m}
            for m in range(1, 7)]
SEED_PROCEDURES = "unit_code,procedure_code,name,statutory_days\n07210,1.001,Đăng ký khai sinh,3\n"
SEED_DOSSIERS = "id,unit_code,procedure_code,received_date,channel\nSEED-1,07210,1.001,2026-03-02,online\n"
PASSWORD = "Mật-khẩu-thử-2026!"
#: Rows that register a refusal (not a change of data): counted apart by ``snapshot``.
REFUSALS = {"value_submissions": "status = 'refused'", "audit_log": "action = 'values.refuse'"}


def prepare(database_url: str, records_url: str | None, folder: Path, tree) -> None:
    """The sample catalogue, Sở Tài chính's spending, and (with ``records_url``) a procedure and
    a dossier, each through the part that writes it."""
    db = init_store(database_url, actor="test")
    try:
        with db.session() as s:
            import_catalogue(s, CATALOGUE, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2026, 1, 2))
        with db.session() as s:
            catalogue = live_indicators(s, "24")
        submit_batch(db, batch_from_records("chi-2026.json", SPENDING),
                     Submitter(as_unit=AS_UNIT, by=OFFICER, role="officer"), catalogue, tree)
    finally:
        db.dispose()
    if records_url is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "procedures.csv").write_text(SEED_PROCEDURES, encoding="utf-8")
        (folder / "dossiers.csv").write_text(SEED_DOSSIERS, encoding="utf-8")
        db = open_database(database_url)
        try:
            with open_records(records_url) as records:
                load_and_record([folder / "procedures.csv", folder / "dossiers.csv"], records, tree, db,
                                loaded_by="test")
        finally:
            db.dispose()


def snapshot(database_url: str, records_url: str | None = None) -> dict[str, int]:
    """Rows of every table of the stores; the register of refusals apart (``refusals.<table>``)."""
    counts: dict[str, int] = {}
    db = open_database(database_url)
    try:
        with db.engine.connect() as c:
            for table in sorted(inspect(c).get_table_names()):
                counts[table] = c.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            for table, where in REFUSALS.items():
                refusals = c.execute(text(f'SELECT count(*) FROM "{table}" WHERE {where}')).scalar_one()
                counts[table] -= refusals
                counts[f"refusals.{table}"] = refusals
    finally:
        db.dispose()
    if records_url is not None:
        with open_records(records_url) as records:
            for kind in RECORD_KINDS:
                counts[f"records.{kind}"] = records.count(kind)
                history = records.query_arrow(f"SELECT count(*) FROM {records.history_relation(kind)}")
                counts[f"records.{kind}_history"] = history.column(0)[0].as_py()
    return counts


@dataclass(frozen=True)
class Stores:
    """A prepared relational store and record store, and the settings that point chiso at them."""

    backend: str
    database_url: str
    records_url: str
    env: dict[str, str] = field(default_factory=dict)

    def snapshot(self) -> dict[str, int]:
        return snapshot(self.database_url, self.records_url)


@pytest.fixture(scope="session")
def tree():
    return load_units()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, tree) -> Path:
    """A data folder (``chiso.sqlite``, ``records.duckdb``) prepared once, copied by each test."""
    folder = tmp_path_factory.mktemp("files-template")
    data = folder / "data"
    prepare(f"sqlite:///{(data / 'chiso.sqlite').as_posix()}", f"duckdb:///{(data / 'records.duckdb').as_posix()}",
            folder / "seed", tree)
    return data


def sqlite_stores(template: Path, tmp_path: Path) -> Stores:
    data = tmp_path / "data"
    shutil.copytree(template, data)
    database_url = f"sqlite:///{(data / 'chiso.sqlite').as_posix()}"
    records_url = f"duckdb:///{(data / 'records.duckdb').as_posix()}"
    return Stores("sqlite", database_url, records_url, {"CHISO_DATA_DIR": str(data), "CHISO_DATABASE_URL": database_url,
                                                        "CHISO_RECORDS_URL": records_url})


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory, tree) -> Iterator[tuple[str, str]]:
    """(relational URL, records URL) on two fresh schemas, prepared once; dropped at the end."""
    schemas = [make_postgres_schema()]
    try:
        schemas.append(make_postgres_schema())
        database_url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schemas[0]}"})
        urls = (database_url.render_as_string(hide_password=False), postgres_records_url(schemas[1]))
        prepare(*urls, tmp_path_factory.mktemp("files-postgres") / "seed", tree)
        yield urls
    finally:
        for schema in schemas:
            drop_postgres_schema(schema)


@pytest.fixture
def stores(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Stores:
    """The stores of ``backend`` (a parameter of the test) for one CLI case."""
    if backend == "sqlite":
        return sqlite_stores(request.getfixturevalue("sqlite_template"), tmp_path)
    database_url, records_url = request.getfixturevalue("postgres_template")
    data = tmp_path / "data"
    data.mkdir()
    return Stores("postgresql", database_url, records_url, {"CHISO_DATA_DIR": str(data),
                                                             "CHISO_DATABASE_URL": database_url,
                                                             "CHISO_RECORDS_URL": records_url})


# ------------------------------------------------------------------ the API
@dataclass(frozen=True)
class Api:
    """A client of the app (its lifespan started), its relational store and API tokens."""

    backend: str
    client: TestClient
    database_url: str
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def snapshot(self) -> dict[str, int]:
        return snapshot(self.database_url)


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory):
    """A demo site of the corpus's own: its accepted cases write values and indicators, which
    the web tests sharing ``site`` would otherwise count."""
    s = build_site(tmp_path_factory.mktemp("corpus-site"))
    yield s
    s.close()


@pytest.fixture(scope="session")
def api_sqlite(corpus_site) -> Iterator[Api]:
    with TestClient(corpus_site.app) as client:
        yield Api("sqlite", client, corpus_site.database_url, corpus_site.tokens)


@pytest.fixture(scope="session")
def api_postgres(tmp_path_factory, tree) -> Iterator[Api]:
    """The app over a PostgreSQL store prepared like the demo site's DM side, with the
    administrator and Sở Tài chính's officer (and their read-write tokens)."""
    schema = make_postgres_schema()
    folder = tmp_path_factory.mktemp("files-api-postgres")
    records = None
    try:
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        url = url.render_as_string(hide_password=False)
        prepare(url, None, folder, tree)
        db = open_database(url)
        made = {}
        try:
            for username, role, unit in ((ADMIN, "admin", "24"), (OFFICER, "officer", AS_UNIT)):
                accounts.create_account(db, "thiết lập", username=username, password=PASSWORD, role=role,
                                        unit_code=unit, tree=tree, display_name=f"Tài khoản {username}")
                made[username] = tokens.create(db, "thiết lập", username, "thử nghiệm", "read write").secret
        finally:
            db.dispose()
        records = open_records(f"duckdb:///{(folder / 'records.duckdb').as_posix()}")
        with TestClient(create_app(store=records, tree=tree, database_url=url)) as client:
            yield Api("postgresql", client, url, made)
    finally:
        if records is not None:
            records.close()
        drop_postgres_schema(schema)


@pytest.fixture
def api(backend: str, request: pytest.FixtureRequest) -> Api:
    """The API of ``backend`` (a parameter of the test)."""
    return request.getfixturevalue("api_sqlite" if backend == "sqlite" else "api_postgres")
