"""``chiso catalog`` end to end through Typer's runner, on a real (SQLite) store."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from chiso.catalog.catalogue import load_catalogue
from chiso.cli.app import app
from chiso.store.database import init_store
from tests.catalog.test_catalogue import catalogue_doc, entry, finance

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["catalog", *args])


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CHISO_DATABASE_URL", raising=False)
    monkeypatch.setenv("CHISO_PROVINCE", "24")
    init_store(f"sqlite:///{(tmp_path / 'data' / 'chiso.sqlite').as_posix()}").dispose()
    path = tmp_path / "danh-muc.yaml"
    path.write_text(yaml.safe_dump(catalogue_doc(*finance()), allow_unicode=True, sort_keys=False), "utf-8")
    return path


def test_import_list_show_and_import_again(store: Path) -> None:
    r = run("import", str(store), "--by", "Văn phòng UBND tỉnh", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["created"] == ["TC.THU_NSNN", "TC.DU_TOAN", "TC.TY_LE_THU", "HC.CHI_SO_766"]

    r = run("list", "--format", "json", "--live")
    doc = json.loads(r.stdout)
    assert [i["code"] for i in doc["indicators"]] == ["TC.THU_NSNN", "TC.DU_TOAN"]
    assert doc["indicators"][0]["name"] == "Thu ngân sách nhà nước trên địa bàn"

    r = run("list", "--field", "FINANCE", "--group", "output", "--format", "csv")
    assert r.stdout.splitlines()[1].startswith("TC.TY_LE_THU,Tỷ lệ thu so với dự toán,output,FINANCE")

    r = run("show", "TC.TY_LE_THU", "--format", "json")
    assert json.loads(r.stdout)["aggregation"]["denominator"] == "TC.DU_TOAN"

    r = run("import", str(store), "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["import_id"] is None


def test_move_history_and_a_refused_move(store: Path) -> None:
    run("import", str(store))
    r = run("move", "TC.TY_LE_THU", "approved", "--by", "B", "--comment", "vội")
    assert r.exit_code == 2 and "cannot move from candidate to approved" in r.stderr
    r = run("move", "TC.TY_LE_THU", "standardised", "--by", "Trần Thị B", "--comment", "Thống nhất với Sở")
    assert r.exit_code == 0, r.output
    assert "candidate → standardised" in r.stdout
    r = run("history", "TC.TY_LE_THU", "--format", "json")
    doc = json.loads(r.stdout)
    assert [(t["from_state"], t["to_state"]) for t in doc["transitions"]] == [
        (None, "candidate"), ("candidate", "standardised")]
    assert doc["transitions"][1]["comment"] == "Thống nhất với Sở"


def test_a_new_version_through_the_command(store: Path) -> None:
    run("import", str(store))
    doc = catalogue_doc(*[{**e, "formula": "TC.THU_NSNN * 100 / TC.DU_TOAN"} if e["code"] == "TC.TY_LE_THU"
                          else e for e in finance()])
    store.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    r = run("import", str(store), "--format", "json")
    assert json.loads(r.stdout)["versioned"] == [{"code": "TC.TY_LE_THU", "version": 2}]
    assert json.loads(run("show", "TC.TY_LE_THU", "--version", "1", "--format", "json").stdout)["formula"] == \
        "TC.THU_NSNN / TC.DU_TOAN * 100"


def test_export_in_every_format_reads_back(store: Path, tmp_path: Path) -> None:
    run("import", str(store))
    r = run("export", "--format", "yaml")
    assert r.exit_code == 0 and r.stdout.startswith("# Danh mục chỉ số")
    for fmt in ("yaml", "json", "xlsx"):
        out = tmp_path / f"xuat.{fmt}"
        r = run("export", "--format", fmt, "--out", str(out))
        assert r.exit_code == 0, r.output
        assert len(load_catalogue(out)) == 4
        assert run("import", str(out), "--format", "json").exit_code == 0
    r = run("export", "--format", "xlsx")
    assert r.exit_code == 2 and "--out" in r.stderr


def test_a_refused_import_names_row_and_field(store: Path) -> None:
    bad = store.parent / "sai.yaml"
    bad.write_text(yaml.safe_dump(catalogue_doc(entry("TC.A", owner="24-XYZ"), entry("TC.A")), allow_unicode=True),
                   encoding="utf-8")
    r = run("import", str(bad))
    assert r.exit_code == 2
    assert "refused: 2 problems; nothing was loaded" in r.stderr
    assert "indicators[0].owner" in r.stderr and "duplicate code 'TC.A'" in r.stderr
    assert json.loads(run("list", "--format", "json").stdout)["indicators"] == []


def test_check_and_export_work_on_a_file_without_a_store(store: Path, tmp_path: Path) -> None:
    r = run("check", str(store))
    assert r.exit_code == 0 and "4 indicators in 6 fields, 2 live — valid" in r.stdout
    out = tmp_path / "gui-xin-y-kien.xlsx"
    assert run("export", "--file", str(store), "--format", "xlsx", "--out", str(out)).exit_code == 0
    r = run("list", "--file", str(out), "--status", "candidate", "--format", "json")
    assert [i["code"] for i in json.loads(r.stdout)["indicators"]] == ["TC.TY_LE_THU", "HC.CHI_SO_766"]


@pytest.mark.parametrize("args, message", [
    (["list", "--group", "nhóm"], "unknown group 'nhóm'"),
    (["list", "--status", "draft"], "unknown state 'draft'"),
    (["show", "TC.KHONG_CO"], "no indicator 'TC.KHONG_CO'"),
    (["export", "--format", "json"], "has no catalogue in the store"),
])
def test_bad_requests_exit_with_code_2(store: Path, args: list[str], message: str) -> None:
    r = run(*args)
    assert r.exit_code == 2 and message in r.stderr


def test_a_store_that_was_not_prepared_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path / "trong"))
    monkeypatch.delenv("CHISO_DATABASE_URL", raising=False)
    r = run("list")
    assert r.exit_code == 2 and "run `chiso init`" in r.stderr
