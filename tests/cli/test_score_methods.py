"""`chiso score` with the group view (`--view six|five`) and over a definition with versions
(the shipped example ``index-766-example-2026.2.yaml``): the method note on standard error, the
`method` and undetermined fields in the JSON, the table's output left clean."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chiso.catalog.index_definition import DEFINITIONS_DIR
from chiso.cli.app import app

FIXTURES = Path(__file__).parents[1] / "fixtures"
SEED_WEEK = str(FIXTURES / "seed003_week.csv")
PHU_THO = str(FIXTURES / "phu_tho_2026_08.csv")
EXAMPLE = str(DEFINITIONS_DIR / "index-766-example-2026.2.yaml")
CHANGE = "Kỳ này có thay đổi phương pháp tính từ ngày 01/07/2026 (phiên bản 2026.2)"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_the_five_group_view_merges_online_services_and_payment():
    six = run("score", "--counts", SEED_WEEK, "--format", "json", "--view", "six")
    five = run("score", "--counts", SEED_WEEK, "--format", "json", "--view", "five")
    assert six.exit_code == 0 and five.exit_code == 0, six.output + five.output
    a, b = json.loads(six.stdout), json.loads(five.stdout)
    assert (a["group_view"]["code"], b["group_view"]["code"]) == ("six", "five")
    u6, u5 = a["units"][0], b["units"][0]
    assert u5["groups"]["ONLINE_SERVICE_PAYMENT"] == round(u6["groups"]["ONLINE_SERVICE"] + u6["groups"]["PAYMENT"], 2)
    assert "ONLINE_SERVICE" not in u5["groups"] and u5["total"] == u6["total"]
    csv = run("score", "--counts", SEED_WEEK, "--format", "csv", "--view", "5")
    assert csv.exit_code == 0 and "ONLINE_SERVICE_PAYMENT" in csv.stdout.splitlines()[0]


def test_an_unknown_view_is_refused():
    r = run("score", "--counts", SEED_WEEK, "--view", "seven")
    assert r.exit_code == 2 and "seven" in r.stderr


def test_a_window_spanning_a_change_of_method_says_so_on_standard_error(monkeypatch):
    monkeypatch.setenv("CHISO_INDEX_DEFINITION", EXAMPLE)
    r = run("score", "--counts", PHU_THO, "--window", "2026-W27", "--format", "json")
    assert r.exit_code == 0, r.output
    assert CHANGE in r.stderr and CHANGE not in r.stdout.split('"method"')[0]
    doc = json.loads(r.stdout)  # the output stays JSON: the note went to standard error
    assert doc["method"]["version"] == "2026.2" and doc["method"]["changes"][0]["previous_version"] == "2026.1"
    unit = doc["units"][0]
    assert unit["max_determined"] == 94
    assert all(c["determined"] is True for c in unit["criteria"].values())  # the file's five criteria
    # a counts file has no row for a criterion without a rule: never a 0 in its place
    assert "ONLINE_SERVICE_PENDING" not in unit["criteria"]
    before = run("score", "--counts", PHU_THO, "--window", "2026-W26", "--format", "json")
    assert before.exit_code == 0 and before.stderr == ""
    assert json.loads(before.stdout)["method"] == {"version": "2026.1", "valid_from": "2022-08-01",
                                                   "valid_to": "2026-06-30", "changes": [], "message": None,
                                                   "message_en": None}


def test_no_what_if_on_a_criterion_not_yet_determined(monkeypatch):
    monkeypatch.setenv("CHISO_INDEX_DEFINITION", EXAMPLE)
    r = run("whatif", "--unit", "25", "--set", "ONLINE_SERVICE_PENDING=0.9", "--counts", PHU_THO,
            "--window", "2026-W34")
    assert r.exit_code == 2 and "chưa xác định" in r.stderr
