"""A stale or failing records connector on the warnings register (issue 15): the rule by hand,
then end to end — a records connector pulling from a local HTTP source into a DuckDB record
store, its staleness judged by collection, the warning opened, escalated when a run fails and
resolved when the connector catches up (SQLite and PostgreSQL registers)."""
from __future__ import annotations

import datetime as dt
import http.server
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chiso.collect.connectors import add_connector, run_connector
from chiso.collect.load import load_paths
from chiso.evaluate.dm.service import connector_statuses, refresh_warnings
from chiso.evaluate.dm.warnings import (
    RECORDS_FIELD,
    ConnectorStatus,
    evaluate_warnings,
    moment_text,
    record_kind_of,
    records_subject,
    records_subject_name,
    stale_records_source,
    stale_source,
)
from chiso.store.database import Database
from chiso.store.records import open_records
from chiso.store.repo_catalogue import import_catalogue, live_indicators
from chiso.store.repo_evaluation import list_warnings, warning_events
from chiso.units import load_units
from tests.evaluate.dm.test_warnings import REVENUE, inputs
from tests.local_http import serving

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
CATALOGUE = Path(__file__).parents[3] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
OFFICE = "24-STC"  # the tests' small unit tree has this department; the end-to-end test uses the office


def records_connector(name: str, owner: str = OFFICE, kind: str = "dossiers", **kw) -> ConnectorStatus:
    return ConnectorStatus(name, owner, (), target="records", record_kind=kind,
                           stale_after=kw.pop("stale_after", dt.timedelta(days=1)), **kw)


# --- the rule ------------------------------------------------------------------------------

def test_a_stale_records_connector_warns_about_its_record_kind_of_the_index():
    received = dt.datetime(2026, 10, 18, 1, 30, tzinfo=dt.UTC)   # 08:30 in Hà Nội
    run = dt.datetime(2026, 10, 19, 17, 5, tzinfo=dt.UTC)        # 00:05 the next day in Hà Nội
    stale = records_connector("motcua-hoso", source="Một cửa điện tử", stale=True, last_success=run,
                              data_at=received)
    fresh = records_connector("motcua-paknh", kind="petitions", stale=False, last_success=run, data_at=run)
    result = stale_records_source(inputs([REVENUE], [], connectors=[stale, fresh], zone=HCM))
    (w,) = result.warnings
    assert (w.rule, w.severity, w.indicator, w.unit, w.responsible, w.period, w.field) == (
        "stale_records_source", "warning", "INDEX_766.dossiers", OFFICE, OFFICE, "", RECORDS_FIELD)
    assert w.key == "stale_records_source|INDEX_766.dossiers|24-STC|"
    assert w.message_vi == (
        "Chỉ số chất lượng phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg) — hồ sơ thủ tục hành chính "
        "của Sở Tài chính: nguồn motcua-hoso (Một cửa điện tử) không cập nhật, quá 1 ngày không nhận được dữ "
        "liệu mới; dữ liệu mới nhất nhận lúc 18/10/2026 08:30 (GMT+7); lần chạy thành công gần nhất: "
        "20/10/2026 00:05 (GMT+7).")
    assert w.message_en == (
        "Service-quality index for citizens and businesses (Decision 766/QD-TTg) — administrative-procedure "
        "dossiers of Sở Tài chính: source motcua-hoso (Một cửa điện tử) is stale, no new data for over 1 day; "
        "newest data received 18 Oct 2026 08:30 (GMT+7); last successful run: 20 Oct 2026 00:05 (GMT+7).")
    assert w.evidence == {"connectors": ["motcua-hoso"], "stale_connectors": ["motcua-hoso"],
                          "stale_after_hours": 24.0, "data_received_at": received.isoformat(),
                          "last_success": run.isoformat()}
    # the rule speaks for all its warnings: one it does not produce again has cleared
    assert result.checked == {("stale_records_source",)}
    # a records connector feeds no indicator: the indicators' rule says nothing of it
    assert stale_source(inputs([REVENUE], [], connectors=[stale])).warnings == []


def test_a_failed_last_run_makes_it_critical_and_says_the_error():
    broken = records_connector("motcua-hoso", stale=True, last_error="HTTP 404 Not Found (not retried)")
    (w,) = stale_records_source(inputs([REVENUE], [], connectors=[broken], zone=HCM)).warnings
    assert w.severity == "critical"
    assert ("chưa nhận được dữ liệu nào; chưa lần chạy nào thành công; lỗi: HTTP 404 Not Found (not retried)."
            in w.message_vi)
    assert w.evidence["last_errors"] == ["HTTP 404 Not Found (not retried)"]
    # failing while its data is not yet overdue: critical too — the index stops following the source
    failing = records_connector("motcua-hoso", stale=False, last_error="HTTP 500",
                                data_at=dt.datetime(2026, 10, 19, 23, 0, tzinfo=dt.UTC))
    (w,) = stale_records_source(inputs([REVENUE], [], connectors=[failing], zone=HCM)).warnings
    assert w.severity == "critical" and "bị lỗi ở lần chạy gần nhất" in w.message_vi
    assert "20/10/2026 06:00 (GMT+7)" in w.message_vi and "stale_connectors" not in w.evidence


def test_connectors_of_one_kind_and_owner_make_one_warning():
    one = records_connector("hoso-a", stale=True, last_error="timeout")
    two = records_connector("hoso-b", stale=True, stale_after=dt.timedelta(hours=6))
    other_owner = records_connector("hoso-c", owner="07210", stale=True)
    values_connector = ConnectorStatus("tabmis", OFFICE, ("NS.THU",), stale=True)
    result = evaluate_warnings(inputs([REVENUE], [], connectors=[one, two, other_owner, values_connector],
                                      zone=HCM), rules=(stale_records_source,))
    by_unit = {w.unit: w for w in result.warnings}
    assert set(by_unit) == {OFFICE, "07210"}
    office = by_unit[OFFICE]
    assert office.evidence["connectors"] == ["hoso-a", "hoso-b"] and office.severity == "critical"
    assert "quá 6 giờ" in office.message_vi and "lỗi: hoso-a: timeout" in office.message_vi
    assert by_unit["07210"].severity == "warning"


def test_subjects_and_times():
    assert records_subject("INDEX_766", "petitions") == "INDEX_766.petitions"
    assert record_kind_of("INDEX_766.petitions") == "petitions"
    assert record_kind_of("HC.DUNG_HAN") is None and record_kind_of("NS.THU") is None
    assert records_subject_name("INDEX_766.dossiers", "vi") == "Hồ sơ thủ tục hành chính (Chỉ số 766)"
    assert records_subject_name("INDEX_766.publications", "en") == "Procedure publications (766 index)"
    assert records_subject_name("NS.THU", "vi") is None
    noon = dt.datetime(2026, 12, 31, 17, 0)  # a naive stored time is UTC
    assert moment_text(noon, HCM, "vi") == "01/01/2027 00:00 (GMT+7)"
    assert moment_text(noon, None, "en") == "31 Dec 2026 17:00 (GMT)"
    assert moment_text(None, HCM, "vi") == "chưa có"


# --- end to end: collection judges, the register follows -------------------------------------

class OneStop(http.server.BaseHTTPRequestHandler):
    """A one-stop system's dossiers since a cursor; ``mode`` "fail" answers 404 (not retried)."""

    mode = "serve"
    data: list[dict] = []

    def do_GET(self):  # noqa: N802 - the http.server name
        cls = type(self)
        if cls.mode == "fail":
            self.send_response(404)
            self.end_headers()
            return
        since = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query)).get("since")
        rows = sorted((r for r in cls.data if since is None or r["updated_at"] >= since),
                      key=lambda r: r["updated_at"])
        body = json.dumps({"items": rows}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def dossier(n: int, updated: str) -> dict:
    return {"id": f"HS-{n:03d}", "unit_code": "24-STC", "procedure_code": "P1", "received_date": "2026-10-01",
            "channel": "online", "finished_date": "2026-10-05", "updated_at": updated}


@pytest.fixture
def source() -> Iterator[type[OneStop]]:
    handler = type("Handler", (OneStop,), {"mode": "serve", "data": [dossier(1, "2026-10-01T01:00:00Z")]})
    with serving(handler) as base:
        handler.url = f"{base}/hoso"
        yield handler


@pytest.fixture
def records(tmp_path):
    store = open_records(f"duckdb:///{(tmp_path / 'records.duckdb').as_posix()}")
    path = tmp_path / "procedures.csv"
    path.write_text("unit_code,procedure_code,name,statutory_days\n24-STC,P1,Cấp phép,3\n", encoding="utf-8")
    load_paths([path], store, load_units())
    yield store
    store.close()


def test_stale_then_failed_then_caught_up(db: Database, source, records, monkeypatch):
    monkeypatch.delenv("CHISO_TIMEZONE", raising=False)
    tree = load_units()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    today = now.date()  # refreshing today judges sources at this moment
    with db.session() as s:
        import_catalogue(s, CATALOGUE, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2026, 1, 2))
        add_connector(s, {}, tree, name="motcua-hoso", kind="http", as_unit="24-VPUBND", source="Một cửa điện tử",
                      config={"url": source.url, "target": "records", "kind": "dossiers", "path": "$.items[*]",
                              "cursor_param": "since", "cursor_field": "updated_at", "stale_after": "1d"},
                      indicators=[], schedule="1h", now=now - dt.timedelta(days=3))

    def run(at: dt.datetime) -> str:
        (outcome,) = run_connector(db, "motcua-hoso", live_indicators, tree, now=at, records=records)
        return outcome.status

    def refresh():
        with db.session() as s:
            refresh_warnings(s, "24", today=today, units=tree)
            return [(w.id, w.severity, w.state, w.indicator, w.unit_code, w.responsible_unit, w.field, w.message_vi)
                    for w in list_warnings(s, "24", state="all") if w.rule == "stale_records_source"]

    # the cursor last moved 26 hours ago, past its stale_after of a day
    assert run(now - dt.timedelta(hours=26)) == "accepted"
    (opened,) = refresh()
    wid, severity, state, subject, unit, responsible, field, message = opened
    assert (severity, state, subject, unit, responsible, field) == (
        "warning", "open", "INDEX_766.dossiers", "24-VPUBND", "24-VPUBND", "ADMINISTRATION")
    moved = (now - dt.timedelta(hours=26)).astimezone(HCM).strftime("%d/%m/%Y %H:%M")
    assert f"dữ liệu mới nhất nhận lúc {moved} (GMT+7)" in message
    assert "Văn phòng Ủy ban nhân dân tỉnh: nguồn motcua-hoso (Một cửa điện tử) không cập nhật" in message
    # the register sees what collection sees
    with db.session() as s:
        (status,) = [c for c in connector_statuses(s, "24", now) if c.name == "motcua-hoso"]
    assert (status.target, status.record_kind, status.stale, status.stale_after) == (
        "records", "dossiers", True, dt.timedelta(days=1))

    # its last run fails: critical, with the error
    source.mode = "fail"
    assert run(now - dt.timedelta(hours=2)) == "failed"
    (failed,) = refresh()
    assert failed[:3] == (wid, "critical", "open")
    assert "lỗi:" in failed[-1] and "HTTP 404" in failed[-1]

    # new dossiers arrive and the connector catches up: the warning resolves by itself
    source.mode = "serve"
    source.data = source.data + [dossier(2, "2026-10-02T01:00:00Z")]
    assert run(now - dt.timedelta(hours=1)) == "accepted"
    (resolved,) = refresh()
    assert resolved[:3] == (wid, "critical", "resolved")
    with db.session() as s:
        assert [e.action for e in warning_events(s, wid)] == ["open", "escalate", "auto_resolve"]
    # and stays resolved while the connector keeps up (refreshing again changes nothing)
    assert refresh()[0][2] == "resolved"


def test_a_failing_portal_connector_warns_about_the_published_figures():
    """A portal connector (``target: portal``) feeds no indicator either: when it fails or its
    figures are overdue the register says so, about the portal's published figures."""
    portal = ConnectorStatus("cong-dvcqg-hai-long", OFFICE, (), stale=True, target="portal",
                             record_kind="portal", last_error="HTTP 503 Service Unavailable (3 attempts)",
                             stale_after=dt.timedelta(days=1))
    (w,) = stale_records_source(inputs([REVENUE], [], connectors=[portal], zone=HCM)).warnings
    assert (w.rule, w.severity, w.indicator) == ("stale_records_source", "critical", "INDEX_766.portal")
    assert "— số liệu Cổng DVCQG công bố của Sở Tài chính: nguồn cong-dvcqg-hai-long không cập nhật" in w.message_vi
    assert "dữ liệu mới nhất" not in w.message_vi and "chưa nhận được dữ liệu nào" not in w.message_vi
    assert w.message_vi.endswith("chưa lần chạy nào thành công; lỗi: HTTP 503 Service Unavailable (3 attempts).")
    assert "the figures the national portal publishes of Sở Tài chính" in w.message_en
    assert record_kind_of("INDEX_766.portal") == "portal"
    assert records_subject_name("INDEX_766.portal", "vi") == "Số liệu Cổng DVCQG công bố (Chỉ số 766)"
    assert record_kind_of("INDEX_766.other") is None
