"""``chiso report`` and ``chiso bulletins``, run as a user runs them (on a prepared SQLite store)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.store.database import init_store, open_database
from chiso.store.models_reports import BulletinSchedule
from tests.factories import SEED003 as SEED

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CHISO_DATABASE_URL", raising=False)
    init_store(actor="test").dispose()
    return tmp_path / "data"


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.slow
def test_report_writes_the_file(tmp_path: Path):
    import openpyxl

    out = tmp_path / "out" / "b.xlsx"
    r = run("report", "--counts", str(SEED), "--format", "xlsx", "--lang", "vi", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "2025-W46" in r.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "Tỉnh, thành phố"
    r = run("report", "--counts", str(SEED), "--window", "2025-W45", "--format", "html", "--lang", "en",
            "--out", str(tmp_path / "b.html"))
    assert r.exit_code == 0, r.output
    assert "week 45 of 2025" in (tmp_path / "b.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, words", [
    (["--window", "2025-W99"], "no ISO week 99"),
    (["--window", "2025-W30"], "no counts file for 2025-W30"),
    (["--province", "99"], "'99'"),
    (["--format", "odt"], "odt"),
])
def test_report_refusals_exit_2(args, words, tmp_path: Path):
    r = run("report", "--counts", str(SEED), "--out", str(tmp_path / "x"), *args)
    assert r.exit_code == 2
    assert words in r.output
    assert not (tmp_path / "x").exists()


def test_schedule_run_due_and_archive(data_dir: Path):
    r = run("bulletins", "schedule", "add", "--cron", "0 7 * * MON", "--by", "Chánh Văn phòng", "--format", "xlsx",
            "--lang", "vi", "--lang", "en")
    assert r.exit_code == 0, r.output
    assert "schedule 1: 24 at '0 7 * * MON'" in r.output
    r = run("bulletins", "schedule", "add", "--cron", "0 7 * * MON", "--by", "cán bộ", "--role", "officer")
    assert r.exit_code == 2 and "head of the office or an administrator" in r.output
    r = run("bulletins", "schedule", "list", "--format", "json")
    (row,) = json.loads(r.output)
    assert (row["province"], row["formats"], row["languages"], row["active"]) == ("24", "xlsx", "vi,en", True)
    db = open_database()
    with db.session() as s:  # made before the seed week's Monday
        s.get(BulletinSchedule, 1).created_at = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
    db.dispose()
    r = run("bulletins", "schedule", "run-due", "--now", "2025-11-17T09:00+07:00", "--counts", str(SEED),
            "--format", "json")
    assert r.exit_code == 0, r.output
    issued = json.loads(r.output)
    assert [(i["lang"], i["status"]) for i in issued] == [("vi", "issued"), ("en", "issued")]
    r = run("bulletins", "schedule", "run-due", "--now", "2025-11-17T10:00+07:00", "--counts", str(SEED),
            "--format", "json")
    assert [i["status"] for i in json.loads(r.output)] == ["archived already"] * 2
    r = run("bulletins", "archive", "--format", "json")
    rows = json.loads(r.output)
    assert {(x["window"], x["lang"], x["format"]) for x in rows} == {("2025-W46", "vi", "xlsx"),
                                                                      ("2025-W46", "en", "xlsx")}
    assert all(Path(x["path"]).is_relative_to(data_dir / "bulletins" / "24" / "2025-W46") for x in rows)
    r = run("bulletins", "schedule", "run-due", "--now", "2025-11-24T09:00+07:00", "--counts", str(SEED))
    assert r.exit_code == 2 and "no counts file for 2025-W47" in r.output
    r = run("bulletins", "schedule", "run-due", "--now", "2025-11-24T09:00")
    assert r.exit_code == 2 and "time zone" in r.output


def test_bulletins_need_a_prepared_store(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.delenv("CHISO_DATABASE_URL", raising=False)
    r = run("bulletins", "archive")
    assert r.exit_code == 2 and "chiso init" in r.output
