"""``chiso tasks import | list | show`` and ``chiso connectors add --target tasks`` end to end: a
real store, a catalogue imported through ``chiso catalog import``, the fixture export."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.store import repo_tasks
from chiso.store.database import init_store, open_database

from .conftest import EXPORT, FIXTURES, export_rows, with_cells, write_csv

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def said(result) -> str:
    return " ".join(result.stderr.split())


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'data' / 'chiso.sqlite'}"
    monkeypatch.setenv("CHISO_DATABASE_URL", url)
    monkeypatch.setenv("CHISO_PROVINCE", "24")
    init_store(url).dispose()
    imported = run("catalog", "import", FIXTURES / "catalogue.yaml", "--by", "Văn phòng UBND tỉnh")
    assert imported.exit_code == 0, imported.output
    return url


def test_import_list_and_show(store, tmp_path):
    r = run("tasks", "import", EXPORT, "--by", "vanphong")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == ("nhiem-vu.csv: 5 nhiệm vụ mới, 0 thay đổi, 0 không đổi / 5 created, 0 changed, "
                                "0 unchanged")
    again = run("tasks", "import", EXPORT, "--format", "json")
    assert json.loads(again.stdout) == {"file": "nhiem-vu.csv", "created": 0, "changed": 0, "unchanged": 5,
                                        "codes": [f"NV-2026-0000{i}" for i in range(1, 6)]}
    # the lead unit reports NV-2026-00001 done on 25/11 and the office accepts on 26/11
    db = open_database(store)
    try:
        with db.session() as s:
            task = repo_tasks.get_task(s, "NV-2026-00001")
            repo_tasks.add_event(s, task, "progress", by="canbo.stc", unit_code="24-STC", day=dt.date(2026, 11, 2),
                                 percent=60, text="Đã rà soát 12/20 dự án")
            repo_tasks.add_event(s, task, "completion", by="truong.stc", unit_code="24-STC",
                                 day=dt.date(2026, 11, 25), text="Hoàn thành rà soát")
            repo_tasks.add_event(s, task, "acceptance", by="vanphong", unit_code="24-VPUBND",
                                 day=dt.date(2026, 11, 26), decision="accepted")
    finally:
        db.dispose()
    listed = json.loads(run("tasks", "list", "--at", "2026-12-25", "--format", "json").stdout)
    assert listed["at"] == "2026-12-25"
    states = {(t["code"], t["instance"]): (t["state"], t["deadline"], t["overdue_days"], t["bucket"])
              for t in listed["tasks"]}
    assert states == {
        ("NV-2026-00001", ""): ("done_on_time", "2026-11-30", 0, None),
        # monthly on the 20th from October until 31/12; 20/12/2026 is a Sunday: the 21st
        ("NV-2026-00002", "2026-10"): ("open_overdue", "2026-10-20", 66, "61-120"),
        ("NV-2026-00002", "2026-11"): ("open_overdue", "2026-11-20", 35, "31-60"),
        ("NV-2026-00002", "2026-12"): ("open_overdue", "2026-12-21", 4, "1-30"),
        ("NV-2026-00003", ""): ("open_overdue", "2026-10-27", 59, "31-60"),
        ("NV-2026-00004", ""): ("open_in_time", None, 0, None),
        # quarterly on the 15th: Q4's deadline 15/12/2026
        ("NV-2026-00005", "2026-Q4"): ("open_overdue", "2026-12-15", 10, "1-30")}
    stc = json.loads(run("tasks", "list", "--at", "2026-12-25", "--unit", "24-STC", "--state", "open_overdue",
                         "--format", "json").stdout)["tasks"]
    assert [(t["code"], t["instance"]) for t in stc] == [("NV-2026-00002", k) for k in ("2026-10", "2026-11",
                                                                                           "2026-12")]
    table = runner.invoke(app, ["tasks", "list", "--at", "2026-12-25", "--state", "done_on_time"],
                          env={"COLUMNS": "160"})
    assert table.exit_code == 0 and "1 nhiệm vụ ngày 25/12/2026" in table.stdout and "NV-2026-00001" in table.stdout
    assert run("tasks", "list", "--state", "late").exit_code == 2

    shown = json.loads(run("tasks", "show", "QLVB-2026-0001", "--at", "2026-12-25", "--format", "json").stdout)
    assert shown["task"]["code"] == "NV-2026-00001" and shown["task"]["co_units"] == ["24-SXD", "24-SNNMT"]
    assert shown["instances"] == [{"instance": "", "state": "done_on_time", "deadline": "2026-11-30",
                                   "overdue_days": 0, "bucket": None, "due_soon": False, "updated": False}]
    assert [e["kind"] for e in shown["timeline"]] == ["progress", "completion", "acceptance"]
    text = run("tasks", "show", "NV-2026-00001", "--at", "2026-12-25")
    assert text.exit_code == 0
    for words in ("Rà soát tiến độ giải ngân", "hoàn thành đúng hạn", "cập nhật tiến độ", "60%",
                  "xác nhận hoàn thành"):
        assert words in text.stdout
    # a changed row: history, shown
    header, rows = export_rows()
    changed = write_csv(tmp_path / "sua.csv", header, with_cells(rows, header, {(0, "Trích yếu"): "Kết luận (sửa)"}))
    assert "0 nhiệm vụ mới, 1 thay đổi, 4 không đổi" in run("tasks", "import", changed).stdout
    history = json.loads(run("tasks", "show", "NV-2026-00001", "--format", "json").stdout)["history"]
    assert [(h["revision"], list(h["change"])) for h in history] == [(2, ["doc_summary"])]
    assert run("tasks", "show", "NV-2026-09999").exit_code == 2


def test_a_bad_file_exits_1_naming_every_problem_and_writes_nothing(store, tmp_path):
    header, rows = export_rows()
    bad = write_csv(tmp_path / "sai.csv", header, with_cells(rows, header, {
        (0, "Đơn vị chủ trì"): "Sở Không Có", (2, "Thời hạn"): "sớm", (4, "Lĩnh vực"): "Thể thao"}))
    r = run("tasks", "import", bad)
    assert r.exit_code == 1
    out = said(r)
    assert "refused: 3 problems; nothing was loaded" in out
    assert "sai.csv, row 2, column 'Đơn vị chủ trì': không có đơn vị nào của tỉnh 24 mang mã hoặc tên này" in out
    assert "sai.csv, row 4, column 'Thời hạn': không hiểu thời hạn “sớm”" in out
    assert "sai.csv, row 6, column 'Lĩnh vực'" in out
    assert json.loads(run("tasks", "list", "--format", "json").stdout)["tasks"] == []
    # a file chiso cannot read at all is a bad file too
    (tmp_path / "anh.xlsx").write_bytes(b"\x89PNG not a workbook")
    unreadable = run("tasks", "import", tmp_path / "anh.xlsx")
    assert unreadable.exit_code == 1 and "not an Excel workbook" in said(unreadable)


def test_a_task_connector_is_added_from_the_command_line(store):
    r = run("connectors", "add", "qlvb", "--kind", "http", "--as", "24-VPUBND", "--target", "tasks",
            "--url", "http://127.0.0.1:9/api", "--json-path", "$.data[*]", "--field", "external_id=ma",
            "--field", "content=noi_dung")
    assert r.exit_code == 0, r.output
    listed = json.loads(run("connectors", "list", "--format", "json").stdout)
    assert [(c["name"], c["indicators"]) for c in listed] == [("qlvb", [])]
    wrong = run("connectors", "add", "qlvb2", "--kind", "http", "--as", "24-VPUBND", "--target", "tasks",
                "--url", "http://127.0.0.1:9/api", "--field", "indicator=ma")
    assert wrong.exit_code == 2 and "fields maps columns external_id" in said(wrong)
