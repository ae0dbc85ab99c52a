"""A pull connector for records (``target: records``) against a real local HTTP server standing
for a one-stop system's JSON API: paging (a next link, page numbers, offsets), the since-cursor
and its advance, an idempotent re-run, a failure on the 3rd page and the resume after it,
429 with Retry-After, a 4xx not retried, the stale alarm — records landing in DuckDB and in
PostgreSQL (with the relational store on SQLite and on PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import email.utils
import http.server
import json
import re
import socket
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.collect.connectors import add_connector, connector_status, records, run_connector
from chiso.collect.load import load_paths
from chiso.errors import ChisoError
from chiso.store import repo_connectors
from chiso.store.database import init_store
from chiso.store.records import open_records
from chiso.store.repo_loads import registered_batches
from chiso.store.repo_values import connector_runs, get_connector
from chiso.units.registry import load_units
from tests.local_http import serving

T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)


def source_record(n: int) -> dict:
    """Dossier n as the one-stop system publishes it: its own key names, and updated_at."""
    return {"so_ho_so": f"HS-{n:03d}", "ma_don_vi": "24-STC", "ma_tthc": "P1", "ngay_nhan": "2026-10-01",
            "kenh": "online" if n % 2 else "direct", "ngay_tra": "2026-10-05" if n % 3 else None,
            "updated_at": (T0 + dt.timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ"), "ghi_chu_noi_bo": "x"}


FIELDS = {"id": "so_ho_so", "unit_code": "ma_don_vi", "procedure_code": "ma_tthc", "received_date": "ngay_nhan",
          "channel": "kenh", "finished_date": "ngay_tra"}


class OneStop(http.server.BaseHTTPRequestHandler):
    """``GET /api/ho-so?since=…&size=…[&page=N|&offset=K]``: the records updated at or after
    ``since``, oldest first, a page at a time, with a link to the next page.
    ``failures[page]``: answers to give (once each) before that page is served."""

    data: list[dict]
    next_base = ""  # where the next-page links point: this server
    failures: dict[int, list[tuple[int, dict]]]
    log: list[dict]

    def do_GET(self):  # noqa: N802 - the http.server name
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        cls = type(self)
        cls.log.append(query)
        size = int(query.get("size", 10))
        since = query.get("since")
        rows = sorted((r for r in cls.data if since is None or r["updated_at"] >= since),
                      key=lambda r: r["updated_at"])
        offset = int(query["offset"]) if "offset" in query else (int(query.get("page", 1)) - 1) * size
        page = offset // size + 1
        if cls.failures.get(page):
            status, headers = cls.failures[page].pop(0)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(b'{"error": "try later"}')
            return
        chunk = rows[offset:offset + size]
        following = None
        if offset + size < len(rows):
            following = cls.next_base + "/api/ho-so?" + urllib.parse.urlencode(
                {**({"since": since} if since else {}), "size": size, "page": page + 1})
        body = json.dumps({"ket_qua": {"ho_so": chunk}, "trang_sau": following}, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def source() -> Iterator[type[OneStop]]:
    handler = type("Handler", (OneStop,), {"data": [source_record(n) for n in range(1, 41)], "failures": {},
                                           "log": []})
    with serving(handler) as base:
        handler.url = f"{base}/api/ho-so"
        yield handler


@pytest.fixture(scope="session")
def tree():
    return load_units()


def _with_procedures(store, tree, tmp_path):
    path = tmp_path / "procedures.csv"
    path.write_text("unit_code,procedure_code,name,statutory_days\n24-STC,P1,Cấp phép,3\n", encoding="utf-8")
    load_paths([path], store, tree)


@pytest.fixture
def embedded(tmp_path, sqlite_url, tree):
    """The embedded stores: the relational one on SQLite, records in DuckDB."""
    db = init_store(sqlite_url, actor="test")
    store = open_records(f"duckdb:///{(tmp_path / 'records.duckdb').as_posix()}")
    _with_procedures(store, tree, tmp_path)
    yield db, store
    store.close()
    db.dispose()


@pytest.fixture(params=["embedded", pytest.param("postgres", marks=pytest.mark.postgres)])
def stores(request, tmp_path, tree):
    """(relational store, record store): SQLite + DuckDB, and PostgreSQL for both."""
    if request.param == "embedded":
        yield request.getfixturevalue("embedded")
        return
    url, _schema = request.getfixturevalue("postgres_schema")
    db = init_store(url, actor="test")
    store = open_records(request.getfixturevalue("pg_url"))
    _with_procedures(store, tree, tmp_path)
    yield db, store
    store.close()
    db.dispose()


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The waits a run asks for between attempts (it still waits them)."""
    asked: list[float] = []

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(records, "SLEEP", sleep)
    return asked


PAGING = {"next": {"next_path": "$.trang_sau"}, "page": {"page_param": "page"}, "offset": {"offset_param": "offset"}}


def add(db, tree, url, name="motcua-ho-so", paging="next", now=T0, **extra):
    config = {"url": url, "target": "records", "kind": "dossiers", "path": "$.ket_qua.ho_so[*]", "fields": FIELDS,
              "cursor_param": "since", "cursor_field": "updated_at", "size_param": "size", "page_size": 10,
              "backoff_seconds": 0.01, "stale_after": "2h", **PAGING[paging], **extra}
    with db.session() as s:
        return add_connector(s, {}, tree, name=name, kind="http", as_unit="24-STC", config=config, indicators=[],
                             schedule="15m", now=now)


def run(db, tree, store, name="motcua-ho-so", now=None):
    [outcome] = run_connector(db, name, lambda s, p: {}, tree, records=store, now=now or dt.datetime.now(dt.UTC))
    return outcome


def cursor(db, name="motcua-ho-so"):
    with db.session() as s:
        row = repo_connectors.get_cursor(s, get_connector(s, name))
        return (row.cursor, row.pages, row.records) if row else None


def stamp(n: int) -> str:
    return source_record(n)["updated_at"]


@pytest.mark.parametrize("paging", ["next", "page", "offset"])
def test_pages_load_and_the_cursor_advances_then_a_rerun_changes_nothing(stores, tree, source, paging):
    db, store = stores
    add(db, tree, source.url, paging=paging)
    first = run(db, tree, store)
    assert (first.status, first.rows) == ("accepted", 40)
    assert first.message.startswith("4 page(s), 40 inserted, 0 updated, 0 unchanged; cursor None → " + stamp(40))
    assert store.count("dossiers") == 40
    assert {r["id"] for r in store.fetch("dossiers")} == {f"HS-{n:03d}" for n in range(1, 41)}
    assert cursor(db) == (stamp(40), 4, 40)
    # the first run asks from the beginning; every page after it is the next one
    assert [q.get("since") for q in source.log] == [None] * len(source.log)
    # the same again: asked since the cursor, the boundary record comes back unchanged
    source.log.clear()
    again = run(db, tree, store)
    assert (again.status, again.rows) == ("unchanged", 1)
    assert again.message == f"1 page(s), 0 inserted, 0 updated, 1 unchanged; cursor {stamp(40)}"
    assert source.log[0]["since"] == stamp(40)
    assert store.count("dossiers") == 40
    # the source changes two dossiers: they (and only they, past the cursor) are updated
    source.data[4] = {**source_record(5), "ngay_tra": "2026-10-09", "updated_at": "2026-11-05T00:00:00Z"}
    source.data[6] = {**source_record(7), "kenh": "post", "updated_at": "2026-11-05T00:01:00Z"}
    changed = run(db, tree, store)
    assert changed.status == "accepted"
    assert changed.message.startswith("1 page(s), 0 inserted, 2 updated, 1 unchanged; cursor ")
    assert cursor(db)[0] == "2026-11-05T00:01:00Z"
    got = {r["id"]: r for r in store.fetch("dossiers")}
    assert (str(got["HS-005"]["finished_date"]), got["HS-007"]["channel"]) == ("2026-10-09", "post")


def test_a_failure_on_the_third_page_resumes_there_nothing_lost_or_doubled(stores, tree, source):
    db, store = stores
    add(db, tree, source.url, max_attempts=1)
    source.failures[3] = [(500, {})]
    failed = run(db, tree, store)
    assert (failed.status, failed.rows) == ("failed", 20)
    assert "answered HTTP 500" not in failed.message  # a 5xx is retryable: it failed after its attempts
    assert "HTTP 500" in failed.message and "(1 attempts)" in failed.message
    assert f"committed before it: 2 page(s), 20 inserted, 0 updated, 0 unchanged; cursor {stamp(20)}" in failed.message
    assert store.count("dossiers") == 20
    assert cursor(db) == (stamp(20), 2, 20)
    with db.session() as s:
        connector = get_connector(s, "motcua-ho-so")
        assert (connector.last_status, "HTTP 500" in connector.last_error) == ("failed", True)
    # the next run resumes from the last committed page: since = record 20's time
    source.log.clear()
    resumed = run(db, tree, store)
    assert source.log[0] == {"since": stamp(20), "size": "10"}
    assert (resumed.status, resumed.rows) == ("accepted", 21)
    assert resumed.message.startswith(f"3 page(s), 20 inserted, 0 updated, 1 unchanged; cursor {stamp(20)} → "
                                      f"{stamp(40)}")
    assert store.count("dossiers") == 40
    assert sorted(r["id"] for r in store.fetch("dossiers")) == [f"HS-{n:03d}" for n in range(1, 41)]
    with db.session() as s:
        # every page is a load of its own in the register, as a `chiso load` of a file would be
        assert len(registered_batches(s)) == 1 + 2 + 3  # the procedures, the 2 pages, the 3 pages
        runs = connector_runs(s, get_connector(s, "motcua-ho-so"))
        assert [r.status for r in runs] == ["accepted", "failed"]
    assert cursor(db) == (stamp(40), 5, 41)


def test_a_retryable_failure_is_retried_with_backoff(embedded, tree, source, waits):
    db, store = embedded
    add(db, tree, source.url, max_attempts=3, backoff_seconds=0.02)
    source.failures[2] = [(503, {}), (502, {})]
    outcome = run(db, tree, store)
    assert (outcome.status, outcome.rows) == ("accepted", 40)
    assert len(waits) == 2
    assert 0.01 <= waits[0] <= 0.02 and 0.02 <= waits[1] <= 0.04  # jittered, doubling
    assert [q.get("page") for q in source.log] == [None, "2", "2", "2", "3", "4"]


def test_429_with_retry_after_is_honoured(embedded, tree, source, waits):
    db, store = embedded
    add(db, tree, source.url)
    source.failures[2] = [(429, {"Retry-After": "1"})]
    outcome = run(db, tree, store)
    assert (outcome.status, outcome.rows) == ("accepted", 40)
    assert waits == [1.0]


def test_a_retry_after_as_an_http_date_is_honoured(embedded, tree, source, waits):
    db, store = embedded
    add(db, tree, source.url)
    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    source.failures[3] = [(503, {"Retry-After": when})]
    outcome = run(db, tree, store)
    assert (outcome.status, outcome.rows) == ("accepted", 40)
    [wait] = waits
    assert 0 <= wait <= 2  # the date, to the second, less the time already gone


def test_an_unreachable_source_is_retried_then_fails(embedded, tree, waits):
    db, store = embedded
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    add(db, tree, f"http://127.0.0.1:{port}/api/ho-so", max_attempts=3)
    outcome = run(db, tree, store)
    assert outcome.status == "failed"
    assert "cannot reach it" in outcome.message and "(3 attempts)" in outcome.message
    assert len(waits) == 2 and cursor(db) is None and store.count("dossiers") == 0


def test_a_retry_after_beyond_the_longest_wait_fails_the_run(embedded, tree, source, waits, monkeypatch):
    db, store = embedded
    monkeypatch.setenv("CHISO_CONNECTOR_MAX_WAIT", "60")
    add(db, tree, source.url)
    source.failures[1] = [(429, {"Retry-After": "3600"})]
    outcome = run(db, tree, store)
    assert outcome.status == "failed" and "asks to wait 3600 s, longer than CHISO_CONNECTOR_MAX_WAIT (60 s)" in (
        outcome.message)
    assert waits == [] and store.count("dossiers") == 0


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_a_4xx_other_than_429_is_not_retried(embedded, tree, source, waits, status):
    db, store = embedded
    add(db, tree, source.url, max_attempts=5)
    source.failures[2] = [(status, {})] * 5
    outcome = run(db, tree, store)
    assert outcome.status == "failed"
    assert f"answered HTTP {status}" in outcome.message and "(not retried)" in outcome.message
    assert [q.get("page") for q in source.log] == [None, "2"]  # page 2 asked once
    assert waits == []
    assert cursor(db) == (stamp(10), 1, 10)


def test_a_bad_record_refuses_its_page_and_the_cursor_stays(embedded, tree, source):
    db, store = embedded
    add(db, tree, source.url)
    source.data[14] = {**source_record(15), "ma_don_vi": "99-KHONG"}
    outcome = run(db, tree, store)
    assert outcome.status == "refused"
    assert "connector motcua-ho-so, page 2" in outcome.message and "unit" in outcome.message
    assert "committed before it: 1 page(s), 10 inserted" in outcome.message
    assert store.count("dossiers") == 10 and cursor(db) == (stamp(10), 1, 10)


def test_records_out_of_cursor_order_are_refused(embedded, tree, source):
    db, store = embedded
    add(db, tree, source.url, paging="page", cursor_param="since", cursor_field="so_ho_so")
    source.data = [source_record(n) for n in range(1, 41)]
    for n, r in enumerate(source.data):  # cursor field that does not follow the source's order
        r["so_ho_so"] = f"HS-{(n * 7) % 41:03d}"
    outcome = run(db, tree, store)
    assert outcome.status == "failed" and "ascending order of so_ho_so" in outcome.message


def test_a_connector_whose_cursor_has_not_moved_is_stale(embedded, tree, source):
    db, store = embedded
    created = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    add(db, tree, source.url, now=created)

    def status(now):
        with db.session() as s:
            [row] = connector_status(s, lambda s, p: {}, tree, now=now)
            return row

    assert status(created + dt.timedelta(hours=1))["stale"] is False
    row = status(created + dt.timedelta(hours=3))
    assert (row["stale"], row["max_age_hours"], row["cursor"]) == (True, 2.0, None)
    ran = created + dt.timedelta(hours=3)
    run(db, tree, store, now=ran)
    row = status(ran + dt.timedelta(minutes=30))
    assert (row["stale"], row["cursor"], row["cursor_advanced_at"]) == (False, stamp(40), ran)
    # runs that bring nothing new do not move the cursor: two hours later it is stale again
    run(db, tree, store, now=ran + dt.timedelta(hours=1))
    later = status(ran + dt.timedelta(hours=2, minutes=1))
    assert later["stale"] is True and later["last_status"] == "unchanged"


def test_a_records_connector_config_is_checked(embedded, tree, source):
    db, _store = embedded
    for change, message in [
        ({"kind": "hoso"}, "kind is one of dossiers"),
        ({"fields": {"ma": "so_ho_so"}}, "fields maps columns"),
        ({"cursor_field": None}, "cursor_param (the query parameter) and cursor_field"),
        ({"page_param": "page"}, "not next_path and page_param"),
        ({"stale_after": "soon"}, "stale_after 'soon'"),
        ({"max_attempts": 0}, "max_attempts is a positive whole number"),
        ({"wrong": 1}, "unknown wrong"),
    ]:
        extra = {k: v for k, v in change.items() if v is not None}
        config_drop = [k for k, v in change.items() if v is None]
        with pytest.raises(ChisoError, match=re.escape(message)):
            config = {"url": source.url, "target": "records", "kind": "dossiers", "path": "$.ket_qua.ho_so[*]",
                      "fields": FIELDS, "cursor_param": "since", "cursor_field": "updated_at",
                      "next_path": "$.trang_sau", **extra}
            for k in config_drop:
                config.pop(k)
            with db.session() as s:
                add_connector(s, {}, tree, name="x", kind="http", as_unit="24-STC", config=config, indicators=[],
                              schedule="1h")
    with pytest.raises(ChisoError, match="not after max age hours"):
        with db.session() as s:
            add_connector(s, {}, tree, name="x", kind="http", as_unit="24-STC", indicators=[], max_age_hours=2,
                          config={"url": source.url, "target": "records", "kind": "dossiers"}, schedule="1h")
    with pytest.raises(ChisoError, match="brings no indicator values"):
        with db.session() as s:
            add_connector(s, {}, tree, name="x", kind="http", as_unit="24-STC", indicators=["NS.THU"],
                          config={"url": source.url, "target": "records", "kind": "dossiers"}, schedule="1h")


CONFIG_YAML = """\
target: records
kind: dossiers
url: {url}
path: $.ket_qua.ho_so[*]
next_path: $.trang_sau
cursor_param: since
cursor_field: updated_at
size_param: size
page_size: 10
stale_after: 2h
fields:
  id: so_ho_so
  unit_code: ma_don_vi
  procedure_code: ma_tthc
  received_date: ngay_nhan
  channel: kenh
  finished_date: ngay_tra
"""


def test_chiso_connectors_add_and_run_a_records_connector(tmp_path, monkeypatch, source):
    url = f"sqlite:///{tmp_path / 'data' / 'chiso.sqlite'}"
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CHISO_DATABASE_URL", url)
    monkeypatch.setenv("CHISO_RECORDS_URL", f"duckdb:///{(tmp_path / 'data' / 'records.duckdb').as_posix()}")
    init_store(url).dispose()
    cli = CliRunner()

    def chiso(*args):
        return cli.invoke(app, [str(a) for a in args])

    procedures = tmp_path / "procedures.csv"
    procedures.write_text("unit_code,procedure_code,name,statutory_days\n24-STC,P1,Cấp phép,3\n", encoding="utf-8")
    assert chiso("load", procedures).exit_code == 0
    kept = chiso("counts", "keep", "--year", "2026")
    assert kept.exit_code == 0, kept.output
    config = tmp_path / "motcua.yaml"
    config.write_text(CONFIG_YAML.format(url=source.url), encoding="utf-8")
    added = chiso("connectors", "add", "motcua-ho-so", "--kind", "http", "--as", "24-STC", "--config", config,
                  "--schedule", "15m")
    assert added.exit_code == 0, added.output
    first = chiso("connectors", "run", "motcua-ho-so", "--format", "json")
    assert first.exit_code == 0, first.output
    [outcome] = json.loads(first.stdout)
    assert (outcome["status"], outcome["rows"]) == ("accepted", 40)
    assert "kept counts dossiers" in first.stderr  # refreshed as after `chiso load`
    [status] = json.loads(chiso("connectors", "status", "--format", "json").stdout)
    assert (status["cursor"], status["stale"], status["last_status"]) == (stamp(40), False, "accepted")
    again = chiso("connectors", "run", "motcua-ho-so", "--format", "json")
    assert [(o["status"], o["rows"]) for o in json.loads(again.stdout)] == [("unchanged", 1)]
    assert "kept counts" not in again.stderr  # nothing changed: nothing to refresh
    with open_records(f"duckdb:///{(tmp_path / 'data' / 'records.duckdb').as_posix()}", read_only=True) as store:
        assert store.count("dossiers") == 40
    source.failures[1] = [(404, {})]
    failed = chiso("connectors", "run", "motcua-ho-so", "--format", "json")
    assert failed.exit_code == 2 and "HTTP 404" in failed.stdout



def test_a_next_link_to_another_host_is_refused(embedded, tree, source, monkeypatch):
    db, store = embedded
    monkeypatch.setenv("ONESTOP_KEY", "bi-mat")
    add(db, tree, source.url, auth_header="X-Api-Key", auth_env="ONESTOP_KEY")
    source.next_base = "http://collector.example"  # the auth header must not follow it there
    outcome = run(db, tree, store)
    assert outcome.status == "failed"
    assert "next-page link 'http://collector.example/api/ho-so?size=10&page=2' leaves the source " \
           "http://127.0.0.1" in outcome.message
    assert len(source.log) == 1 and store.count("dossiers") == 10 and cursor(db) == (stamp(10), 1, 10)


def test_records_of_another_province_refuse_their_page(embedded, tree, source):
    db, store = embedded
    add(db, tree, source.url)
    other = next(u.code for u in tree.units(province="01") if u.level == "department")
    source.data[12] = {**source_record(13), "ma_don_vi": other}
    outcome = run(db, tree, store)
    assert outcome.status == "refused"
    assert f"records of units you may not write for: {other} (row 3)" in outcome.message
    assert store.count("dossiers") == 10 and cursor(db) == (stamp(10), 1, 10)
