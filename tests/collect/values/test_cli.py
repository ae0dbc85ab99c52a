"""``chiso values`` and ``chiso connectors`` end to end: a real store, the shipped Bắc Ninh
catalogue imported through ``chiso catalog import``, real files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.store.database import init_store

CATALOGUE = Path(__file__).parents[3] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def said(result) -> str:
    """stderr with Rich's line wrapping undone."""
    return " ".join(result.stderr.split())


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'data' / 'chiso.sqlite'}"
    monkeypatch.setenv("CHISO_DATABASE_URL", url)
    init_store(url).dispose()
    imported = run("catalog", "import", CATALOGUE, "--by", "Văn phòng UBND tỉnh")
    assert imported.exit_code == 0, imported.output
    return tmp_path


def csv(tmp_path: Path, name: str, rows: str) -> Path:
    path = tmp_path / name
    path.write_text("indicator,unit,period,value,note\n" + rows, encoding="utf-8")
    return path


def test_submit_list_history_approve_lock_unlock(store):
    first = csv(store, "dien.csv", "KT.DIEN_CN_XD,24,2026-06,812.4,\nKT.DIEN_CN_XD,24,2026-07,830,\n")
    r = run("values", "submit", first, "--as", "24-SCT", "--by", "Lê Văn Cường", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert (doc["status"], doc["inserted"], doc["late"]) == ("accepted", 2, 2)
    again = run("values", "submit", first, "--as", "24-SCT", "--format", "json")
    assert json.loads(again.stdout)["status"] == "unchanged"

    wrong = run("values", "submit", first, "--as", "24-SYT")
    assert wrong.exit_code == 2
    assert "24-SCT (Sở Công Thương)" in said(wrong) and "row 2" in said(wrong)

    bad = run("values", "submit", csv(store, "sai.csv", "KT.DIEN_CN_XD,24,2026-Q2,812,\n"), "--as", "24-SCT")
    assert bad.exit_code == 2 and "row 2, column 'period'" in said(bad)

    listed = json.loads(run("values", "list", "--indicator", "KT.DIEN_CN_XD", "--format", "json").stdout)
    assert [(v["period"], v["value"], v["state"], v["late"]) for v in listed] == [
        ("2026-06", 812.4, "submitted", True), ("2026-07", 830.0, "submitted", True)]

    officer = run("values", "approve", "--indicator", "KT.DIEN_CN_XD", "--period", "2026-07", "--as", "24-SCT",
                  "--by", "Lê Văn Cường", "--role", "officer")
    assert officer.exit_code == 2 and "only the head" in said(officer)
    head = run("values", "approve", "--indicator", "KT.DIEN_CN_XD", "--period", "2026-07", "--as", "24-SCT",
               "--by", "Giám đốc Sở", "--role", "head")
    assert head.exit_code == 0 and "approved" in head.stdout
    locked = run("values", "lock", "--indicator", "KT.DIEN_CN_XD", "--period", "2026-07", "--as", "24-SCT",
                 "--by", "Giám đốc Sở", "--role", "head")
    assert locked.exit_code == 0 and "locked" in locked.stdout

    fix = csv(store, "sua.csv", "KT.DIEN_CN_XD,24,2026-07,835,\n")
    refused = run("values", "submit", fix, "--as", "24-SCT", "--reason", "EVN đối soát")
    assert refused.exit_code == 2 and "is locked" in said(refused)

    no_reason = run("values", "unlock", "--indicator", "KT.DIEN_CN_XD", "--period", "2026-07", "--by", "qt",
                    "--reason", " ")
    assert no_reason.exit_code == 2 and "reason" in said(no_reason)
    unlocked = run("values", "unlock", "--indicator", "KT.DIEN_CN_XD", "--period", "2026-07", "--by", "qt",
                   "--reason", "EVN đối soát lại sản lượng tháng 7")
    assert unlocked.exit_code == 0, unlocked.output
    corrected = run("values", "submit", fix, "--as", "24-SCT", "--reason", "EVN đối soát", "--format", "json")
    assert json.loads(corrected.stdout)["corrected"] == 1

    history = json.loads(run("values", "history", "--indicator", "KT.DIEN_CN_XD", "--unit", "24",
                             "--period", "2026-07", "--format", "json").stdout)
    assert [(h["value"], h["current"], h["reason"]) for h in history] == [
        (830.0, False, "EVN đối soát"), (835.0, True, None)]
    assert history[0]["file_name"].endswith("dien.csv")

    states = json.loads(run("values", "states", "--format", "json").stdout)
    assert {(s["period"], s["state"]) for s in states} == {("2026-06", "submitted"), ("2026-07", "submitted")}


def test_connectors_add_run_and_status(store):
    inbox = store / "inbox"
    inbox.mkdir()
    added = run("connectors", "add", "dien-luc", "--kind", "folder", "--as", "24-SCT", "--indicator",
                "KT.DIEN_CN_XD", "--path", inbox, "--schedule", "15m")
    assert added.exit_code == 0, added.output
    other = run("connectors", "add", "y-te", "--kind", "folder", "--as", "24-SYT", "--indicator",
                "KT.DIEN_CN_XD", "--path", inbox)
    assert other.exit_code == 2 and "Sở Công Thương" in said(other)
    csv(inbox, "t8.csv", "KT.DIEN_CN_XD,24,2026-08,845,\n")
    ran = run("connectors", "run", "dien-luc", "--format", "json")
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)[0]["status"] == "accepted"
    csv(inbox, "t9.csv", "KT.DIEN_CN_XD,24,2026-09,abc,\n")
    failed = run("connectors", "run", "--due", "--format", "json")
    assert failed.exit_code == 0 and json.loads(failed.stdout) == []  # not due for 15 minutes
    failed = run("connectors", "run", "dien-luc", "--format", "json")
    assert failed.exit_code == 2 and json.loads(failed.stdout)[0]["status"] == "refused"
    status = json.loads(run("connectors", "status", "--format", "json").stdout)
    assert status[0]["name"] == "dien-luc" and status[0]["stale"] is False
    assert "t9.csv" in status[0]["last_error"] and status[0]["last_success_at"] is not None
    both = run("connectors", "run", "dien-luc", "--due")
    assert both.exit_code == 2 and "not both" in said(both)
