"""Connectors against real sources: SQLite and PostgreSQL databases, a local HTTP server, a
folder; their runs, failures (never silent), staleness and schedule."""
from __future__ import annotations

import datetime as dt
import http.server
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from chiso.collect.connectors import (
    add_connector,
    connector_status,
    is_due,
    is_stale,
    run_connector,
    run_due,
)
from chiso.collect.connectors.jsonpath import records, select
from chiso.errors import ChisoError, NotAllowedError
from chiso.store.database import Database, init_store
from chiso.store.repo_values import connector_runs, current_values, get_connector, value_history
from tests.local_http import serving

from .conftest import NOW


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Database]:
    db = init_store(sqlite_url, actor="test")
    yield db
    db.dispose()


def register(db, catalogue, units, **kw):
    args = dict(name="thu-ngan-sach", kind="sql", as_unit="24-STC", indicators=["TC.THU_NSNN"],
                schedule="1h", now=NOW)
    args.update(kw)
    with db.session() as s:
        return add_connector(s, catalogue, units, **args).id


def source_table(url: str, rows: list[tuple]) -> None:
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("DROP TABLE IF EXISTS thu_ngan_sach"))
        c.execute(text("CREATE TABLE thu_ngan_sach (ma_chi_so VARCHAR(64), don_vi VARCHAR(32), "
                       "ky VARCHAR(16), so_tien DOUBLE PRECISION)"))
        for r in rows:
            c.execute(text("INSERT INTO thu_ngan_sach VALUES (:a, :b, :c, :d)"),
                      dict(zip("abcd", r, strict=True)))
    engine.dispose()


QUERY = "SELECT ma_chi_so AS indicator, don_vi AS unit, ky AS period, so_tien AS value FROM thu_ngan_sach"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def source_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tabmis.sqlite'}"
    url, _schema = request.getfixturevalue("postgres_schema")
    return url


def test_sql_connector_submits_as_its_owner_and_records_runs(store, catalogue, units, source_url):
    source_table(source_url, [("TC.THU_NSNN", "24", "2026-07", 1500.0), ("TC.THU_NSNN", "24", "2026-08", 1610.0)])
    register(store, catalogue, units, config={"url": source_url, "query": QUERY})
    first = run_connector(store, "thu-ngan-sach", lambda s, p: catalogue, units, now=NOW)
    assert [(o.status, o.rows) for o in first] == [("accepted", 2)]
    again = run_connector(store, "thu-ngan-sach", lambda s, p: catalogue, units, now=NOW + dt.timedelta(hours=1))
    assert [o.status for o in again] == ["unchanged"]
    # the source revises August: a correction, with the old value kept
    source_table(source_url, [("TC.THU_NSNN", "24", "2026-07", 1500.0), ("TC.THU_NSNN", "24", "2026-08", 1650.0)])
    run_connector(store, "thu-ngan-sach", lambda s, p: catalogue, units, now=NOW + dt.timedelta(hours=2))
    with store.session() as s:
        assert current_values(s)["value"].to_list() == [1500.0, 1650.0]
        versions = value_history(s, "TC.THU_NSNN", "24", period="2026-08")
        assert [(v["value"], v["recorded_by"]) for v in versions] == [
            (1610.0, "connector:thu-ngan-sach"), (1650.0, "connector:thu-ngan-sach")]
        assert "connector thu-ngan-sach" in versions[0]["reason"]
        connector = get_connector(s, "thu-ngan-sach")
        assert [r.status for r in connector_runs(s, connector)] == ["accepted", "unchanged", "accepted"]
        assert connector.last_success_at == NOW + dt.timedelta(hours=2) and connector.last_error is None


def test_a_failing_source_is_visible_never_silent(store, catalogue, units, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    register(store, catalogue, units, config={"url": url, "query": QUERY})
    [outcome] = run_connector(store, "thu-ngan-sach", lambda s, p: catalogue, units, now=NOW)
    assert outcome.status == "failed" and "no such table" in outcome.message
    with store.session() as s:
        [status] = connector_status(s, lambda s, p: catalogue, units, now=NOW)
        assert (status["last_status"], status["last_success_at"]) == ("failed", None)
        assert "no such table: thu_ngan_sach" in status["last_error"]
        assert status["stale"] is False  # created just now: not yet overdue
        # a month (31 days) + the 5-day deadline later, with no success, it is stale
        later = connector_status(s, lambda s, p: catalogue, units, now=NOW + dt.timedelta(days=37))
        assert later[0]["stale"] is True and later[0]["max_age_hours"] == 36 * 24


def test_a_refused_batch_from_a_source_is_an_error(store, catalogue, units, tmp_path):
    url = f"sqlite:///{tmp_path / 'tabmis.sqlite'}"
    source_table(url, [("TC.THU_NSNN", "24", "2026-08", -5.0), ("XH.HO_NGHEO", "07210", "2025", 3.0)])
    register(store, catalogue, units, config={"url": url, "query": QUERY})
    [outcome] = run_connector(store, "thu-ngan-sach", lambda s, p: catalogue, units, now=NOW)
    assert outcome.status == "refused"
    assert "brings TC.THU_NSNN only" in outcome.message
    with store.session() as s:
        assert current_values(s).height == 0
        assert "refused" in get_connector(s, "thu-ngan-sach").last_status


def test_adding_a_connector_checks_owner_source_config_and_schedule(store, catalogue, units):
    good = {"url": "sqlite:///x.sqlite", "query": QUERY}
    with pytest.raises(NotAllowedError, match=r"24-STC \(Sở Tài chính\)"):
        register(store, catalogue, units, as_unit="24-SYT", config=good)
    with pytest.raises(NotAllowedError, match="TABMIS"):
        register(store, catalogue, units, source="EXCEL", config=good)
    with pytest.raises(ChisoError, match="url_env"):
        register(store, catalogue, units, config={"url": "postgresql://u:secret@db/x", "query": QUERY})
    with pytest.raises(ChisoError, match="missing query"):
        register(store, catalogue, units, config={"url": "sqlite:///x.sqlite"})
    with pytest.raises(ChisoError, match="cannot read schedule"):
        register(store, catalogue, units, config=good, schedule="hourly")
    with pytest.raises(ChisoError, match="auth_env"):
        register(store, catalogue, units, kind="http", config={"url": "http://x", "auth_header": "X-Key"})
    register(store, catalogue, units, config=good)
    with pytest.raises(ChisoError, match="already exists"):
        register(store, catalogue, units, config=good)


class Api(http.server.BaseHTTPRequestHandler):
    body: bytes = b""
    key = "khoa-bi-mat-42"

    def do_GET(self):  # noqa: N802 - the http.server name
        if self.headers.get("X-Api-Key") != self.key:
            self.send_response(401, "Unauthorized")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def api() -> Iterator[str]:
    with serving(Api) as base:
        yield f"{base}/api/chi-so"


def test_http_json_connector_with_path_fields_and_auth_from_the_environment(store, catalogue, units, api,
                                                                           monkeypatch):
    Api.body = json.dumps({"ok": True, "data": {"items": [
        {"ma": "DN.THANH_LAP", "dv": "24", "ky": "2026-W35", "gia_tri": 130},
        {"ma": "DN.THANH_LAP", "dv": "24", "ky": "2026-W35", "gia_tri": 80, "phan_to": "sector=dịch vụ"},
    ]}}, ensure_ascii=False).encode()
    config = {"url": api, "path": "$.data.items[*]", "auth_header": "X-Api-Key", "auth_env": "DKKD_KEY",
              "fields": {"indicator": "ma", "unit": "dv", "period": "ky", "value": "gia_tri",
                         "breakdown": "phan_to"}}
    register(store, catalogue, units, name="dkkd", kind="http", indicators=["DN.THANH_LAP"], config=config,
             schedule="0 7 * * *")
    monkeypatch.delenv("DKKD_KEY", raising=False)
    [missing] = run_connector(store, "dkkd", lambda s, p: catalogue, units, now=NOW)
    assert (missing.status, missing.message) == ("failed", "environment variable DKKD_KEY is not set")
    monkeypatch.setenv("DKKD_KEY", "khoá-sai")
    [accented] = run_connector(store, "dkkd", lambda s, p: catalogue, units, now=NOW)
    assert accented.status == "failed" and "non-ASCII" in accented.message
    monkeypatch.setenv("DKKD_KEY", "sai")
    [wrong] = run_connector(store, "dkkd", lambda s, p: catalogue, units, now=NOW)
    assert wrong.status == "failed" and "HTTP 401" in wrong.message
    monkeypatch.setenv("DKKD_KEY", Api.key)
    [ok] = run_connector(store, "dkkd", lambda s, p: catalogue, units, now=NOW)
    assert (ok.status, ok.rows) == ("accepted", 2)
    with store.session() as s:
        assert current_values(s)[["indicator", "period", "value"]].rows() == [("DN.THANH_LAP", "2026-W35", 130.0)]
        connector = get_connector(s, "dkkd")
        assert Api.key not in json.dumps(connector.config, ensure_ascii=False)
        assert "HTTP 401" in connector.last_error and connector.last_success_at == NOW


def test_folder_connector_submits_new_and_changed_files_once(store, catalogue, units, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    register(store, catalogue, units, name="hop-thu", kind="folder", config={"path": str(inbox)}, schedule="15m")
    (inbox / "t7.csv").write_text("indicator,unit,period,value\nTC.THU_NSNN,24,2026-07,1500\n", encoding="utf-8")
    (inbox / "t8.csv").write_text("indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,abc\n", encoding="utf-8")
    (inbox / "readme.txt").write_text("not a values file", encoding="utf-8")
    first = run_connector(store, "hop-thu", lambda s, p: catalogue, units, now=NOW)
    assert [(o.status, (o.message or "")[:6]) for o in first] == [("accepted", "t7.csv"), ("refused", "t8.csv")]
    assert [o.status for o in run_connector(store, "hop-thu", lambda s, p: catalogue, units, now=NOW)] == [
        "unchanged"]
    (inbox / "t8.csv").write_text("indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n", encoding="utf-8")
    third = run_connector(store, "hop-thu", lambda s, p: catalogue, units, now=NOW)
    assert [(o.status, o.rows) for o in third] == [("accepted", 1)]
    with store.session() as s:
        assert current_values(s)["value"].to_list() == [1500.0, 1610.0]
    register(store, catalogue, units, name="mat-thu-muc", kind="folder", config={"path": str(tmp_path / "no")},
             schedule="15m")
    [gone] = run_connector(store, "mat-thu-muc", lambda s, p: catalogue, units, now=NOW)
    assert gone.status == "failed" and "does not exist" in gone.message


def test_run_due_follows_each_schedule(store, catalogue, units, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    register(store, catalogue, units, name="moi-gio", kind="folder", config={"path": str(inbox)}, schedule="1h")
    register(store, catalogue, units, name="bay-gio-sang", kind="folder", config={"path": str(inbox)},
             schedule="0 7 * * *", max_age_hours=30)
    assert sorted(o.connector for o in run_due(store, lambda s, p: catalogue, units, now=NOW)) == [
        "bay-gio-sang", "moi-gio"]
    assert run_due(store, lambda s, p: catalogue, units, now=NOW + dt.timedelta(minutes=30)) == []
    ran = run_due(store, lambda s, p: catalogue, units, now=NOW + dt.timedelta(hours=1))
    assert [o.connector for o in ran] == ["moi-gio"]
    with store.session() as s:
        daily = get_connector(s, "bay-gio-sang")
        assert is_due(daily, dt.datetime(2026, 9, 4, 7, 0, tzinfo=dt.UTC))
        assert not is_stale(daily, catalogue, NOW + dt.timedelta(hours=29))
        assert is_stale(daily, catalogue, NOW + dt.timedelta(hours=31))


def test_json_path_steps():
    doc = {"a": [{"b": 1}, {"b": 2}], "số liệu": {"x": [[1, 2], [3]]}}
    assert select(doc, "$.a[*].b") == [1, 2]
    assert select(doc, "$['số liệu'].x[0][-1]") == [2]
    assert select(doc, "$.missing[*]") == []
    assert records(doc, "$.a") == [{"b": 1}, {"b": 2}]
    with pytest.raises(ChisoError, match="column 4"):
        select(doc, "$.a[?(@.b)]")
    with pytest.raises(ChisoError, match=r"start with \$"):
        select(doc, "a.b")

