"""The chiso command, end to end through Typer's runner (real files, real stores)."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app

FIXTURES = Path(__file__).parents[1] / "fixtures"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_units_lists_bac_ninh_communes_as_json():
    r = run("units", "--province", "24", "--level", "commune", "--format", "json")
    assert r.exit_code == 0, r.output
    units = json.loads(r.stdout)
    assert len(units) == 99
    assert all(u["level"] == "commune" and u["province"] == "24" for u in units)
    assert {"code", "name", "level", "type", "parent", "province"} <= set(units[0])


def test_unknown_province_is_a_clear_error():
    r = run("units", "--province", "99")
    assert r.exit_code == 2
    assert "99" in r.stderr


def test_score_counts_file_json_shape():
    r = run("score", "--counts", str(FIXTURES / "phu_tho_2026_08.csv"), "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    unit = doc["units"][0]
    assert {"code", "name", "level", "parent", "total", "rank", "groups", "criteria"} <= set(unit)
    assert unit["groups"]["PROGRESS"] == 15.68
    assert unit["groups"]["PAYMENT"] == 6.25
    on_time = unit["criteria"]["ON_TIME"]
    assert (on_time["numerator"], on_time["denominator"], on_time["points"], on_time["max"]) == (
        144625, 184513, 15.68, 20)


def test_whatif_seed_week_online_services_at_90_percent():
    r = run("whatif", "--unit", "24", "--set", "ONLINE_SERVICE=0.9", "--counts",
            str(FIXTURES / "seed003_week.csv"), "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert (doc["unit"], doc["before"], doc["after"], doc["gain"]) == ("24", 92.28, 94.6, 2.32)
    assert doc["changes"][0]["target"] == "ONLINE_SERVICE"


def test_rank_counts_file_csv():
    r = run("rank", "--level", "province", "--counts", str(FIXTURES / "seed003_week.csv"), "--format", "csv")
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("rank,code,name,total")
    assert lines[1].startswith("1,24,Bắc Ninh,92.28")
    assert lines[2].startswith("2,")
    assert lines[3].startswith("2,")  # Hải Phòng and Đồng Nai tie at 91.65


@pytest.mark.parametrize("bad", ["ONLINE_SERVICE", "ONLINE_SERVICE=abc", "NOPE=0.5", "ON_TIME=1.5"])
def test_whatif_refuses_bad_targets(bad):
    r = run("whatif", "--unit", "24", "--set", bad, "--counts", str(FIXTURES / "seed003_week.csv"))
    assert r.exit_code == 2
    assert "error" in r.stderr


def test_bad_window_is_refused():
    r = run("score", "--window", "2026-W60", "--counts", str(FIXTURES / "phu_tho_2026_08.csv"))
    assert r.exit_code == 2
    assert "W60" in r.stderr or "week 60" in r.stderr
