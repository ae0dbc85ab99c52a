"""``chiso warnings``, ``chiso targets``, ``chiso status`` end to end on a SQLite store.

The catalogue is imported through the catalogue store and values submitted through
collection, as in use; the rules then run on what those stores hand back.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.collect.connectors import add_connector
from chiso.collect.values import Submitter, batch_from_records, submit
from chiso.store.database import init_store, open_database
from chiso.store.repo_catalogue import live_indicators
from chiso.units import load_units

CATALOGUE = """\
province: "24"
version: "thử nghiệm"
indicators:
  - code: NS.CHI
    name: Chi ngân sách
    name_en: Budget spending
    definition: Chi ngân sách nhà nước trên địa bàn, lũy kế từ đầu năm.
    group: process
    field: FINANCE
    unit: tỷ đồng
    cumulative: true
    frequency: monthly
    deadline_days: 5
    source_system: TABMIS
    owner: 24-STC
    status: in_operation
    valid_from: 2026-01-01
    targets: [{period: "2026", value: 1200}]
  - code: HC.DUNG_HAN
    name: Tỷ lệ hồ sơ giải quyết đúng hạn
    name_en: Dossiers settled on time
    definition: Số hồ sơ đúng hạn trên tổng số hồ sơ đã giải quyết.
    group: output
    field: ADMINISTRATION
    unit: "%"
    frequency: monthly
    source_system: HTTTGQTTHC
    owner: 24-VPUBND
    status: candidate
    valid_from: 2026-01-01
"""


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{(tmp_path / 'chiso.sqlite').as_posix()}"
    monkeypatch.setenv("CHISO_DATABASE_URL", url)
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path))
    init_store(url).dispose()
    path = tmp_path / "catalogue.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    result = CliRunner().invoke(app, ["catalog", "import", str(path), "--by", "Văn phòng UBND"])
    assert result.exit_code == 0, result.output
    return url


def chiso(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def submit_spending(url: str, rows: list[tuple[str, float]]) -> None:
    db = open_database(url)
    try:
        with db.session() as s:
            batch = batch_from_records("chi.json", [{"indicator": "NS.CHI", "unit": "24", "period": p, "value": v}
                                                    for p, v in rows])
            submit(s, batch, Submitter(as_unit="24-STC", by="Sở Tài chính"), live_indicators(s, "24"),
                   load_units(), now=dt.datetime(2026, 10, 20, 3, tzinfo=dt.UTC))
    finally:
        db.dispose()


def add_folder_connector(url: str, folder: Path, created: dt.datetime) -> None:
    folder.mkdir()
    db = open_database(url)
    try:
        with db.session() as s:
            add_connector(s, live_indicators(s, "24"), load_units(), name="tabmis-folder", kind="folder",
                          as_unit="24-STC", config={"path": str(folder)}, indicators=["NS.CHI"],
                          schedule="1d", by="Sở Tài chính", now=created)
    finally:
        db.dispose()


def test_targets_set_list_and_refusals(store: str) -> None:
    code, out, _ = chiso("targets", "set", "--indicator", "NS.CHI", "--unit", "24", "--period", "2026",
                         "--value", "1500", "--by", "UBND tỉnh", "--basis", "Quyết định giao dự toán")
    assert code == 0 and "NS.CHI 24 2026 = 1500" in out
    code, out, _ = chiso("targets", "set", "--indicator", "NS.CHI", "--unit", "24", "--period", "2026",
                         "--value", "1500", "--by", "UBND tỉnh", "--basis", "Quyết định giao dự toán")
    assert "(unchanged)" in out
    code, out, _ = chiso("targets", "list", "--format", "json")
    doc = json.loads(out)
    assert [(t["indicator"], t["value"], t["source"]) for t in doc["targets"]] == [("NS.CHI", 1500.0, "store")]
    code, out, _ = chiso("targets", "list", "--history", "--format", "json")
    assert [t["value"] for t in json.loads(out)["targets"]] == [1500.0]
    for args, message in (
            (("--indicator", "KHONG.CO", "--unit", "24"), "not in the catalogue of province 24"),
            (("--indicator", "NS.CHI", "--unit", "07210"), "reported for province"),
            (("--indicator", "NS.CHI", "--unit", "99999"), "99999"),
            (("--indicator", "NS.CHI", "--unit", "24", "--period", "2026-Q5"), "2026-Q5")):
        full = ["targets", "set", "--period", "2026", "--value", "1", "--by", "x", *args]
        code, _, err = chiso(*full)
        assert code == 2 and message in err, err


def test_refresh_list_ack_resolve_and_status(store: str, tmp_path: Path) -> None:
    submit_spending(store, [("2026-07", 650.0), ("2026-08", 700.0)])   # path: 700 and 800; both late
    # a connector registered on 1 September that never succeeded: stale after 31 + 5 days
    add_folder_connector(store, tmp_path / "inbox", dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    code, out, err = chiso("warnings", "refresh", "--today", "2026-10-20", "--by", "lịch chạy", "--format", "json")
    assert code == 0, err
    counts = json.loads(out)
    assert counts["opened"] == counts["found"] >= 2
    code, out, _ = chiso("warnings", "--province", "24", "--format", "json")
    warnings = json.loads(out)["warnings"]
    by_rule = {(w["rule"], w["period"]): w for w in warnings}
    below = by_rule[("below_threshold", "2026-08")]        # 700 of 800: 87,5 % — at risk, new: information
    assert (below["severity"], below["responsible"], below["evidence"]["target"]) == ("info", "24-STC", 800.0)
    missing = by_rule[("missing_data", "2026-09")]         # September not submitted, due 5 October
    assert (missing["severity"], missing["evidence"]["days_overdue"]) == ("warning", 15)
    assert "HC.DUNG_HAN" not in {w["indicator"] for w in warnings}     # a candidate is not live
    late = by_rule[("late_data", "2026-07")]               # recorded 20 October, due 5 August
    assert (late["severity"], late["evidence"]["days_late"]) == ("info", 76)
    stale = by_rule[("stale_source", "")]
    assert (stale["severity"], stale["unit"], stale["evidence"]["connectors"]) == \
        ("warning", "24-STC", ["tabmis-folder"])
    # idempotent
    code, out, _ = chiso("warnings", "refresh", "--today", "2026-10-20", "--format", "json")
    assert json.loads(out)["unchanged"] == counts["found"] and json.loads(out)["opened"] == 0
    # acknowledge and resolve need a note
    code, _, err = chiso("warnings", "ack", str(missing["id"]), "--by", "Chánh Văn phòng", "--note", " ")
    assert code == 2 and "note" in err
    code, out, _ = chiso("warnings", "ack", str(missing["id"]), "--by", "Chánh Văn phòng", "--note",
                         "Đề nghị Sở Tài chính gửi số liệu tháng 9")
    assert code == 0 and "acknowledged" in out
    code, _, err = chiso("warnings", "resolve", str(below["id"]), "--by", "Sở Tài chính")
    assert code == 2 and "--note" in err
    code, out, _ = chiso("warnings", "resolve", str(below["id"]), "--by", "Sở Tài chính", "--note",
                         "Đã đẩy nhanh giải ngân")
    assert code == 0
    code, out, _ = chiso("warnings", "--state", "all", "--severity", "warning", "--field", "FINANCE", "--format",
                         "csv")
    assert out.splitlines()[0].startswith("id,key,province,rule,severity,state")
    code, out, _ = chiso("warnings", "history", str(missing["id"]), "--format", "json")
    assert [e["action"] for e in json.loads(out)["events"]] == ["open", "acknowledge"]
    # September arrives: the missing-data warning clears by itself
    submit_spending(store, [("2026-07", 650.0), ("2026-08", 700.0), ("2026-09", 900.0)])
    code, out, _ = chiso("warnings", "refresh", "--today", "2026-10-20", "--format", "json")
    assert json.loads(out)["resolved"] >= 1
    code, out, _ = chiso("warnings", "history", str(missing["id"]), "--format", "json")
    assert json.loads(out)["state"] == "resolved"
    assert json.loads(out)["events"][-1]["action"] == "auto_resolve"
    # status: September on its path (900 of 900) (at September: later months are missing by now)
    code, out, err = chiso("status", "--province", "24", "--period", "2026-09", "--format", "json")
    assert code == 0, err
    (row,) = json.loads(out)["indicators"]
    assert (row["indicator"], row["period"], row["value"], row["target"], row["status"]) == \
        ("NS.CHI", "2026-09", 900.0, 900.0, "achieved")
    assert row["trend"] == "unable_to_assess"              # no complete year yet
    code, out, _ = chiso("status", "--period", "2026-08", "--format", "json")
    assert json.loads(out)["indicators"][0]["status"] == "at_risk"
    code, out, _ = chiso("status")
    assert code == 0 and "NS.CHI" in out


def test_statistical_figures(store: str) -> None:
    code, out, _ = chiso("targets", "statistical", "set", "--code", "0501", "--unit", "24", "--period", "2026-Q3",
                         "--value", "1000", "--by", "Thống kê tỉnh", "--source", "Báo cáo quý")
    assert code == 0
    code, out, _ = chiso("targets", "statistical", "list", "--format", "json")
    assert json.loads(out)["statistical_values"][0]["value"] == 1000.0
    code, _, err = chiso("targets", "statistical", "set", "--code", "0501", "--unit", "24", "--period", "2026-Q3",
                         "--value", "1000", "--by", "")
    assert code == 2 and "--by" in err
