"""The warnings and status against a real store: when indicators went live, grouped missing
data written idempotently, warnings of the earlier one-per-unit form closed, and missing
data counted apart from "no target"."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chiso.evaluate.dm.service import gather, live_since, refresh_warnings, status_report
from chiso.evaluate.dm.warning_sync import sync_warnings
from chiso.evaluate.dm.warnings import EarlyWarning, Evaluation, missing_data
from chiso.store.database import Database
from chiso.store.repo_catalogue import import_catalogue, move_indicator
from chiso.store.repo_evaluation import list_warnings
from chiso.units import load_units

CATALOGUE = Path(__file__).parents[3] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
TODAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def tree():
    return load_units()


@pytest.fixture
def store(db: Database, tree) -> Database:
    with db.session() as s:
        import_catalogue(s, CATALOGUE, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2026, 1, 2))
    return db


def test_live_since_is_valid_from_or_the_day_of_the_move(store: Database):
    with store.session() as s:
        assert "DN.KP_XTDT" not in live_since(s, "24")                     # unified: not live yet
        move_indicator(s, "DN.KP_XTDT", "approved", by="Chủ tịch UBND tỉnh", comment="Phê duyệt",
                       province="24", at=dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC))
    with store.session() as s:
        since = live_since(s, "24")
        assert since["DN.KP_XTDT"] == dt.date(2026, 3, 10)
        assert all(d == dt.date(2024, 1, 1) for c, d in since.items() if c != "DN.KP_XTDT")
        # a yearly indicator approved in March 2026 owes no value for 2025
        inputs = gather(s, "24", dt.date(2026, 12, 1), units=load_units())
    stc = [w for w in missing_data(inputs).warnings if w.period == "2025"]
    assert stc, "the other yearly indicators owe 2025"
    listed = {i["indicator"] for w in stc for i in w.evidence["indicators"]}
    assert "DN.KP_XTDT" not in listed


def test_refresh_groups_missing_data_and_runs_again_unchanged(store: Database, tree):
    with store.session() as s:
        first = refresh_warnings(s, "24", today=TODAY, units=tree)
    missing = [w for w in first.evaluation.warnings if w.rule == "missing_data"]
    pairs = {(w.responsible, w.period) for w in missing}
    assert len(missing) == len(pairs)                     # one per agency and period
    assert all(w.key == f"missing_data|*|{w.responsible}|{w.period}" for w in missing)
    # nothing submitted at all: every agency owes its last due periods, and the count stays small
    assert len(missing) < 60
    assert {w.period for w in missing if w.period.startswith("20") and len(w.period) == 4} == {"2025"}
    with store.session() as s:
        again = refresh_warnings(s, "24", today=TODAY, units=tree)
    assert again.counts.changed == 0 and again.counts.unchanged == len(first.evaluation.warnings)


def test_a_warning_of_the_one_per_unit_form_closes(store: Database, tree):
    legacy = EarlyWarning("missing_data", "critical", "XH.DAN_SO", "07210", "24-SLDTBXH", "2025", "SOCIAL",
                          "Dân số: chưa có số liệu kỳ 2025.", "Population: no value for 2025.", {})
    old = EarlyWarning("missing_data", "critical", "XH.DAN_SO", "07210", "24-SLDTBXH", "2024", "SOCIAL",
                       "Dân số: chưa có số liệu kỳ 2024.", "Population: no value for 2024.", {})
    late = EarlyWarning("late_data", "info", "XH.DAN_SO", "07210", "24-SLDTBXH", "2023", "SOCIAL",
                        "Dân số: gửi muộn.", "Population: late.", {})
    with store.session() as s:
        sync_warnings(s, "24", Evaluation([legacy, old, late], {legacy.subject, old.subject, late.subject}))
    with store.session() as s:
        refresh_warnings(s, "24", today=TODAY, units=tree)
        rows = {r.key: r.state for r in list_warnings(s, "24", state="all")}
    assert rows[legacy.key] == "resolved"                 # replaced by its agency's grouped warning
    assert rows[old.key] == "resolved"                    # 2024 is outside the reporting window: no longer applies
    assert rows[late.key] == "open"                       # late data of older periods is left as it is


def test_status_counts_missing_data_apart_from_no_target(store: Database):
    with store.session() as s:
        report = status_report(s, "24", today=TODAY)
    counts = report["counts"]
    assert counts["no_target"] == 0                       # nothing submitted: no value lacks only a target
    assert counts["no_data"] == len(report["indicators"])
    assert all(r["missing_period"] for r in report["indicators"] if r["value"] is None)
