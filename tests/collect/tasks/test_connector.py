"""A connector that pulls tasks from a document-management system's HTTP JSON API into the task
register (``target: tasks``), against a real local HTTP server: runs, idempotence, a changed
task, a refused record, a source that fails — each recorded, none silent."""
from __future__ import annotations

import datetime as dt
import http.server
import json
from collections.abc import Iterator

import pytest

from chiso.collect.connectors import add_connector, connector_status, run_connector
from chiso.errors import ChisoError
from chiso.store import repo_tasks
from chiso.store.repo_values import connector_runs, get_connector
from tests.local_http import serving

NOW = dt.datetime(2026, 11, 10, 1, 0, tzinfo=dt.UTC)

#: What the source system answers: its own field names, under data.nhiem_vu.
RECORDS = [
    {"ma": "QLVB-77", "so_hieu": "125/TB-UBND", "ngay_vb": "2026-10-05", "noi_dung": "Rà soát giải ngân vốn đầu tư công",
     "chu_tri": "24-STC", "phoi_hop": ["24-SXD"], "ngay_giao": "2026-10-06", "han": "30/11/2026", "trong_tam": True,
     "linh_vuc": "FINANCE", "chi_so": ["NS.THU_NSNN"]},
    {"ma": "QLVB-78", "so_hieu": "125/TB-UBND", "ngay_vb": "2026-10-05", "noi_dung": "Báo cáo thu ngân sách hằng tháng",
     "chu_tri": "Sở Tài chính", "phoi_hop": [], "ngay_giao": "2026-10-06", "han": "hằng tháng ngày 20",
     "trong_tam": False, "linh_vuc": None, "chi_so": []},
]
FIELDS = {"external_id": "ma", "doc_number": "so_hieu", "doc_date": "ngay_vb", "content": "noi_dung",
          "lead_unit": "chu_tri", "co_units": "phoi_hop", "assigned_on": "ngay_giao", "deadline": "han",
          "starred": "trong_tam", "field": "linh_vuc", "indicators": "chi_so"}


class Source(http.server.BaseHTTPRequestHandler):
    records: list = RECORDS
    key = "bi-mat-123"

    def do_GET(self):  # noqa: N802 - the http.server name
        if self.headers.get("X-Api-Key") != self.key:
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps({"data": {"nhiem_vu": type(self).records}}, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def source(monkeypatch) -> Iterator[type[Source]]:
    monkeypatch.setenv("QLVB_KEY", Source.key)
    handler = type("Handler", (Source,), {"records": list(RECORDS)})
    with serving(handler) as base:
        handler.url = f"{base}/api/nhiem-vu"
        yield handler


def add(db, tree, url, **changes):
    config = {"url": url, "path": "$.data.nhiem_vu[*]", "fields": FIELDS, "auth_header": "X-Api-Key",
              "auth_env": "QLVB_KEY", "target": "tasks"}
    args = dict(name="qlvb-nhiem-vu", kind="http", as_unit="24-VPUBND", config=config, indicators=[],
                schedule="1h", now=NOW)
    args.update(changes)
    with db.session() as s:
        return add_connector(s, {}, tree, **args)


def test_tasks_flow_in_from_the_source_without_typing(db, tree, catalogue, source):
    add(db, tree, source.url)
    live = lambda s, p: catalogue.live()  # noqa: E731 - the connector's catalogue: the live indicators
    [first] = run_connector(db, "qlvb-nhiem-vu", live, tree, now=NOW)
    assert (first.status, first.rows, first.message) == ("accepted", 2, "2 created, 0 changed, 0 unchanged")
    [again] = run_connector(db, "qlvb-nhiem-vu", live, tree, now=NOW + dt.timedelta(hours=1))
    assert (again.status, again.message) == ("unchanged", "0 created, 0 changed, 2 unchanged")
    # the source moves a deadline: the task changes, its history keeps the old one
    source.records = [dict(RECORDS[0], han="15/12/2026"), RECORDS[1]]
    [moved] = run_connector(db, "qlvb-nhiem-vu", live, tree, now=NOW + dt.timedelta(hours=2))
    assert (moved.status, moved.message) == ("accepted", "0 created, 1 changed, 1 unchanged")
    with db.session() as s:
        one, two = repo_tasks.all_tasks(s, "24")
        assert (one.external_id, one.source, one.created_by, one.lead_unit, one.co_units, one.starred) == (
            "QLVB-77", "connector", "connector:qlvb-nhiem-vu", "24-STC", ["24-SXD"], True)
        assert (one.deadline, one.revision) == (dt.date(2026, 12, 15), 2)
        [change] = repo_tasks.history(s, one.id)
        assert (change.source, change.by, change.change["deadline"]) == (
            "connector", "connector:qlvb-nhiem-vu", ["2026-11-30", "2026-12-15"])
        assert (two.lead_unit, two.deadline_kind, two.due_day) == ("24-STC", "monthly", 20)
        runs = connector_runs(s, get_connector(s, "qlvb-nhiem-vu"))
        assert [r.status for r in runs] == ["accepted", "unchanged", "accepted"]
        [status] = connector_status(s, live, tree, now=NOW + dt.timedelta(hours=2))
        assert (status["last_status"], status["last_error"], status["indicators"]) == ("accepted", None, [])


def test_a_bad_record_is_refused_whole_and_a_failing_source_is_visible(db, tree, catalogue, source):
    add(db, tree, source.url)
    live = lambda s, p: catalogue.live()  # noqa: E731
    source.records = [RECORDS[0], dict(RECORDS[1], chu_tri="Sở Không Có", han="sớm")]
    [refused] = run_connector(db, "qlvb-nhiem-vu", live, tree, now=NOW)
    assert refused.status == "refused"
    assert "connector qlvb-nhiem-vu (http), row 2, column 'lead_unit'" in refused.message
    assert "row 2, column 'deadline'" in refused.message
    with db.session() as s:
        assert repo_tasks.all_tasks(s, "24") == []  # the good record was not written either
        assert "lead_unit" in get_connector(s, "qlvb-nhiem-vu").last_error
    Source.key, key = "another", Source.key
    try:
        [failed] = run_connector(db, "qlvb-nhiem-vu", live, tree, now=NOW + dt.timedelta(hours=1))
    finally:
        Source.key = key
    assert failed.status == "failed" and "answered HTTP 401" in failed.message


def test_a_task_connector_is_checked_when_added(db, tree, source):
    with pytest.raises(ChisoError, match="brings no indicator values"):
        add(db, tree, source.url, indicators=["NS.THU_NSNN"])
    with pytest.raises(ChisoError, match="target is values or tasks"):
        add(db, tree, source.url, config={"url": source.url, "target": "values-and-tasks"})
    with pytest.raises(ChisoError, match="fields maps columns external_id, doc_number"):
        add(db, tree, source.url, config={"url": source.url, "target": "tasks", "fields": {"indicator": "x"}})
    with pytest.raises(ChisoError, match="unknown target"):
        add(db, tree, source.url, kind="sql", config={"url": "sqlite:///x.sqlite", "query": "SELECT 1",
                                                      "target": "tasks"})
