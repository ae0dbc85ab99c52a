"""A pull connector for the national portal's published index (``target: portal``) against a real
local HTTP server answering the portal's own response shape (tests/fixtures/portal/SOURCE.md):
the mapping from the response to figures, an idempotent re-fetch, a changed value kept in
history, a refused response writing nothing, retries shared with the records connector, the
checks made when the connector is added — on SQLite and PostgreSQL; and ``chiso connectors run``."""
from __future__ import annotations

import copy
import datetime as dt
import http.server
import json
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.collect.connectors import add_connector, records, run_connector
from chiso.collect.connectors.portal import window_of
from chiso.errors import ChisoError
from chiso.evaluate.dm.service import connector_statuses
from chiso.store import repo_portal
from chiso.store.database import init_store
from chiso.store.models_portal import PortalFigure
from chiso.store.repo_audit import audit_entries
from chiso.store.repo_values import connector_runs, get_connector
from chiso.units.registry import load_units
from tests.local_http import serving

FIXTURE = Path(__file__).parents[2] / "fixtures" / "portal" / "handling-satisfaction-2026-08.json"
ROOT_ID = "019d2be3-6a88-732b-8b17-b68020c8553a"
#: The portal's ids of the fixture's units → chiso's codes (Ban quản lý các khu công nghiệp has none).
UNITS = {ROOT_ID: "25", "019d2be3-6a88-732b-8b17-bb1e9a3f14ab": "25-VPUBND",
         "019d2be3-6a88-732b-8b17-c2db58b51fef": "25-SCT", "019d2be3-6a88-732b-8b17-c5ff38a85634": "25-SGDDT",
         "019d2be3-6ab4-74ce-8a81-1708de733a98": "07900", "019d2be3-6ab4-74ce-8a81-2c4816996a9d": "08494"}
PORTAL = {"window": "2026-08", "records": ["$.data.overview", "$.data.evaluation[*]"], "unit": "$.departmentId",
          "units": UNITS, "unmapped": "skip", "scores": {"$.totalScore": "SATISFACTION"}, "metrics": "$.metrics[*]",
          "metric": {"code": "$.code", "score": "$.score", "numerator": "$.numerator", "denominator": "$.denominator"},
          "ignore": ["PETITION_CLASSIFICATION_TTHC", "PETITION_CLASSIFICATION_STAFF"]}
NOW = dt.datetime(2026, 9, 2, 1, tzinfo=dt.UTC)


class Portal(http.server.BaseHTTPRequestHandler):
    """``GET /api/v1/reporting/evaluation/handling-satisfaction?timeType=month&year=…&month=…``: the
    document (``failures``: statuses to answer first, once each)."""

    document: dict
    failures: list[int]
    fail_pages: list[int]
    log: list[dict]

    def do_GET(self):  # noqa: N802 - the http.server name
        cls = type(self)
        cls.log.append(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query)))
        if cls.failures:
            self.send_response(cls.failures.pop(0))
            self.end_headers()
            self.wfile.write(b'{"code": "ERROR"}')
            return
        document = cls.document
        query = cls.log[-1]
        if "currentPage" in query:  # a page of the units (the province on every page, as the portal does)
            size, page = int(query["pageSize"]), int(query["currentPage"])
            if page in cls.fail_pages:
                cls.fail_pages.remove(page)
                self.send_response(404)
                self.end_headers()
                return
            document = copy.deepcopy(document)
            document["data"]["evaluation"] = document["data"]["evaluation"][(page - 1) * size:page * size]
        body = json.dumps(document, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802 - the portal's endpoints take their query as a JSON body
        cls = type(self)
        sent = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        cls.log.append({"method": "POST", "content_type": self.headers["Content-Type"], **sent})
        body = json.dumps(cls.document, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def portal() -> Iterator[type[Portal]]:
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    handler = type("Handler", (Portal,), {"document": document, "failures": [], "fail_pages": [],
                                             "log": []})
    with serving(handler) as base:
        handler.url = f"{base}/api/v1/reporting/evaluation/handling-satisfaction"
        yield handler


@pytest.fixture(scope="module")
def tree():
    return load_units()


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    asked: list[float] = []

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(records, "SLEEP", sleep)
    return asked


def config(url: str, **portal) -> dict:
    return {"url": url, "target": "portal", "backoff_seconds": 0.01, "max_attempts": 3,
            "params": {"timeType": "month", "year": "{year}", "month": "{month}", "rootDepartmentId": ROOT_ID},
            "portal": {**copy.deepcopy(PORTAL), **portal}}


def add(db, tree, url, name="cong-dvcqg-hai-long", paging=None, **portal):
    with db.session() as s:
        return add_connector(s, {}, tree, name=name, kind="http", as_unit="25",
                             config={**config(url, **portal), **(paging or {})}, indicators=[], schedule="1d", now=NOW)


def run(db, tree, name="cong-dvcqg-hai-long", now=NOW):
    [outcome] = run_connector(db, name, lambda s, p: {}, tree, now=now)
    return outcome


def kept(db) -> dict[tuple, float]:
    with db.session() as s:
        return {(f["unit_code"], f["item"], f["kind"]): f["value"] for f in repo_portal.figures(s, "2026-08")}


def test_the_portal_response_becomes_figures_and_a_rerun_changes_nothing(db, tree, portal):
    add(db, tree, portal.url)
    first = run(db, tree)
    assert first.status == "accepted", first.message
    assert first.message.startswith("window 2026-08: 1 page(s), 60 new, 0 changed")
    # the window's parameters went in the query, from the configured placeholders
    assert portal.log == [{"timeType": "month", "year": "2026", "month": "8", "rootDepartmentId": ROOT_ID}]
    figures = kept(db)
    assert len(figures) == 60  # 6 units × (the group + 3 criteria × score, numerator, denominator)
    assert figures[("25", "SATISFACTION", "score")] == 12.97
    assert figures[("25", "DOSSIER_RECEIVING_SATISFACTION", "numerator")] == 144574
    assert figures[("25", "DOSSIER_RECEIVING_SATISFACTION", "denominator")] == 184513
    assert figures[("25", "DOSSIER_RECEIVING_SATISFACTION", "score")] == 5.22
    assert figures[("08494", "PETITION_HANDLING_SATISFACTION", "score")] == 0  # a published 0 is a figure
    assert {u for u, _, _ in figures} == {"25", "25-VPUBND", "25-SCT", "25-SGDDT", "07900", "08494"}
    assert not any(i.startswith("PETITION_CLASSIFICATION") for _, i, _ in figures)  # ignored
    with db.session() as s:
        stamps = {r.id: (r.fetched_at, r.response_sha256) for r in s.query(PortalFigure)}
        assert [e.action for e in audit_entries(s, action="connector.portal")] == ["connector.portal"]
    again = run(db, tree, now=NOW + dt.timedelta(hours=6))
    assert again.status == "unchanged" and "0 new, 0 changed (old values kept in history), 60 unchanged" in again.message
    with db.session() as s:
        assert {r.id: (r.fetched_at, r.response_sha256) for r in s.query(PortalFigure)} == stamps
        assert len(audit_entries(s, action="connector.portal")) == 1  # nothing written, nothing audited
        runs = connector_runs(s, get_connector(s, "cong-dvcqg-hai-long"))
        assert sorted(r.status for r in runs) == ["accepted", "unchanged"]


def test_a_changed_published_value_keeps_the_old_one_in_history(db, tree, portal):
    add(db, tree, portal.url)
    assert run(db, tree).status == "accepted"
    portal.document["data"]["overview"]["totalScore"] = 13.1
    portal.document["data"]["overview"]["metrics"][1]["denominator"] = 184600
    later = NOW + dt.timedelta(days=1)
    changed = run(db, tree, now=later)
    assert changed.status == "accepted" and "0 new, 2 changed" in changed.message
    figures = kept(db)
    assert figures[("25", "SATISFACTION", "score")] == 13.1
    assert figures[("25", "DOSSIER_RECEIVING_SATISFACTION", "denominator")] == 184600
    with db.session() as s:
        row = s.query(PortalFigure).filter_by(unit_code="25", item="SATISFACTION", kind="score").one()
        [old] = repo_portal.history(s, row.id)
        assert (old.value, old.fetched_at, old.replaced_at) == (12.97, NOW, later)
        assert old.response_sha256 != row.response_sha256 and row.fetched_at == later
        [last] = [e for e in audit_entries(s, action="connector.portal") if e.detail["changed"]]
        assert last.actor == "connector:cong-dvcqg-hai-long"
        assert {(c["item"], c["before"], c["after"]) for c in last.detail["changes"]} == {
            ("SATISFACTION", 12.97, 13.1), ("DOSSIER_RECEIVING_SATISFACTION", 184513, 184600)}


def test_a_refused_response_writes_nothing_and_names_page_record_and_field(db, tree, portal):
    add(db, tree, portal.url)
    assert run(db, tree).status == "accepted"
    before = kept(db)
    portal.document["data"]["overview"]["totalScore"] = 14.0  # would change…
    portal.document["data"]["evaluation"][2]["metrics"][1]["numerator"] = "332 hồ sơ"  # …but this refuses it all
    refused = run(db, tree, now=NOW + dt.timedelta(days=1))
    assert refused.status == "refused"
    assert ("connector cong-dvcqg-hai-long, page 1, record 4, field '$.metrics[1].numerator': not a number "
            "(value \"'332 hồ sơ'\")") in refused.message
    assert refused.message.endswith("nothing kept")
    assert kept(db) == before
    with db.session() as s:
        assert s.query(PortalFigure).count() == 60
        connector = get_connector(s, "cong-dvcqg-hai-long")
        assert connector.last_status == "refused" and "not a number" in connector.last_error


def test_an_unmapped_unit_or_an_unknown_criterion_refuses_the_response(db, tree, portal):
    add(db, tree, portal.url, unmapped="refuse")
    refused = run(db, tree)
    assert refused.status == "refused"
    assert ("page 1, record 3, field '$.departmentId': the units map does not name this portal unit (add it, or set "
            "unmapped: skip) (value '019d2be3-6a88-732b-8b17-bcfe78dd3f07')") in refused.message
    add(db, tree, portal.url, name="khong-bo-qua", ignore=[])
    unknown = run(db, tree, name="khong-bo-qua")
    assert unknown.status == "refused"
    assert "PETITION_CLASSIFICATION_TTHC is not a criterion of INDEX_766: map it under portal.criteria or list it " \
           "under portal.ignore" in unknown.message
    assert kept(db) == {}


def test_a_criterion_code_map_renames_the_portals_codes(db, tree, portal):
    portal.document["data"]["overview"]["metrics"][1]["code"] = "HAI_LONG_HO_SO"
    add(db, tree, portal.url, criteria={"HAI_LONG_HO_SO": "DOSSIER_RECEIVING_SATISFACTION"})
    assert run(db, tree).status == "accepted"
    assert kept(db)[("25", "DOSSIER_RECEIVING_SATISFACTION", "score")] == 5.22


def test_reading_retries_as_the_records_connector_does(db, tree, portal, waits):
    add(db, tree, portal.url)
    portal.failures[:] = [503, 502]
    outcome = run(db, tree)
    assert outcome.status == "accepted" and len(portal.log) == 3 and len(waits) == 2
    portal.failures[:] = [404]
    failed = run(db, tree, now=NOW + dt.timedelta(days=1))
    assert failed.status == "failed" and "HTTP 404" in failed.message and "(not retried)" in failed.message
    assert len(kept(db)) == 60
    # the failure reaches the warnings register's view of the connectors, about the published figures
    with db.session() as s:
        [status] = [c for c in connector_statuses(s, "25", NOW + dt.timedelta(days=1)) if c.name == "cong-dvcqg-hai-long"]
    assert (status.target, status.record_kind) == ("portal", "portal") and "HTTP 404" in status.last_error


def test_pages_are_all_read_before_anything_is_kept(db, tree, portal):
    add(db, tree, portal.url, paging={"page_param": "currentPage", "size_param": "pageSize", "page_size": 4})
    portal.fail_pages[:] = [2]  # page 2 answers 404: page 1's figures are not kept either
    failed = run(db, tree)
    assert failed.status == "failed" and "HTTP 404" in failed.message and kept(db) == {}
    outcome = run(db, tree)
    # 4 units, then 2 (fewer than 4: the last page); the province, on both pages, counted once
    assert (outcome.status, outcome.rows) == ("accepted", 60)
    assert "2 page(s), 60 new, 0 changed (old values kept in history), 0 unchanged" in outcome.message
    assert [(q["currentPage"], q["pageSize"]) for q in portal.log[-2:]] == [("1", "4"), ("2", "4")]
    assert len(kept(db)) == 60


def test_adding_checks_the_mapping(db, tree, portal):
    def refused(match, **portal_keys):
        with pytest.raises(ChisoError, match=match):
            add(db, tree, portal.url, name="sai", **portal_keys)

    refused("JSON path 'data' must start with \\$", records="data")
    refused("portal criteria: X → 'NOT_A_CRITERION' is not a criterion", criteria={"X": "NOT_A_CRITERION"})
    refused("portal scores: \\$.totalScore → 'HAI_LONG' is not total, a group or a criterion",
            scores={"$.totalScore": "HAI_LONG"})
    refused("portal units: A → '24-STC' is not a unit of province 25", units={"A": "24-STC"})
    refused("portal window '2026-08-01': the portal publishes weeks, months, quarters and years only",
            window="2026-08-01")
    refused("portal mapping: unknown colour", colour="red")
    with db.session() as s:
        with pytest.raises(ChisoError, match="unknown fields, path"):
            add_connector(s, {}, tree, name="sai", kind="http", as_unit="25", indicators=[], schedule="1d",
                          config={**config(portal.url), "path": "$.data", "fields": {}})


@pytest.mark.parametrize(("spec", "label"), [("current_month", "2026-09"), ("previous_month", "2026-08"),
                                              ("current_week", "2026-W36"), ("previous_quarter", "2026-Q2"),
                                              ("current_year", "2026"), ("2026-W34", "2026-W34")])
def test_the_window_read_is_the_run_days_in_vietnam(spec, label):
    # 2026-09-01 20:00 UTC is already 2 September in Hà Nội
    assert window_of(spec, dt.datetime(2026, 9, 1, 20, tzinfo=dt.UTC)).label == label
    assert window_of("previous_month", dt.datetime(2026, 8, 31, 18, tzinfo=dt.UTC)).label == "2026-08"


def test_chiso_connectors_run_reads_the_portal(tmp_path, monkeypatch, portal, tree):
    url = f"sqlite:///{tmp_path / 'data' / 'chiso.sqlite'}"
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CHISO_DATABASE_URL", url)
    db = init_store(url)
    try:
        add(db, tree, portal.url)
    finally:
        db.dispose()
    cli = CliRunner()
    first = cli.invoke(app, ["connectors", "run", "cong-dvcqg-hai-long", "--format", "json"])
    assert first.exit_code == 0, first.output
    [outcome] = json.loads(first.stdout)
    assert (outcome["status"], outcome["rows"]) == ("accepted", 60)
    again = cli.invoke(app, ["connectors", "run", "cong-dvcqg-hai-long", "--format", "json"])
    assert [o["status"] for o in json.loads(again.stdout)] == ["unchanged"]
    portal.failures[:] = [404]
    failed = cli.invoke(app, ["connectors", "run", "cong-dvcqg-hai-long", "--format", "json"])
    assert failed.exit_code == 2 and "HTTP 404" in failed.stdout


def test_a_portal_endpoint_taking_post_gets_its_query_as_a_json_body(db, tree, portal):
    with db.session() as s:
        add_connector(s, {}, tree, name="cong-dvcqg-post", kind="http", as_unit="25",
                      config={**config(portal.url), "params": {}, "body": {
                          "timeType": "month", "year": "{year}", "month": "{month}",
                          "filter": {"rootDepartmentId": ROOT_ID, "label": "Tháng {month}/{year}"}}},
                      indicators=[], schedule="1d", now=NOW)
    outcome = run(db, tree, name="cong-dvcqg-post")
    assert outcome.status == "accepted", outcome.message
    assert portal.log == [{"method": "POST", "content_type": "application/json; charset=utf-8",
                           "timeType": "month", "year": "2026", "month": "8",
                           "filter": {"rootDepartmentId": ROOT_ID, "label": "Tháng 8/2026"}}]
    assert len(kept(db)) == 60


def test_a_body_that_is_not_an_object_is_refused_when_added(db, tree, portal):
    with db.session() as s, pytest.raises(ChisoError, match="body: the JSON object POSTed"):
        add_connector(s, {}, tree, name="cong-dvcqg-bad", kind="http", as_unit="25",
                      config={**config(portal.url), "body": ["year"]}, indicators=[], schedule="1d", now=NOW)
