"""Reconciliation with the national portal (``chiso.evaluate.reconcile``) over the demo site's own
scores (tests/web/site.py) and figures built from them with known disagreements
(tests/web/reconcile_data.py): the arithmetic, the tolerance, the reasons, the order."""
from __future__ import annotations

import dataclasses

import pytest

from chiso.errors import SettingsError
from chiso.evaluate.reconcile import reconcile, summary, tolerance
from tests.web.reconcile_data import EXTRA, figures, first_commune


@pytest.fixture(scope="module")
def table(site):
    return site.app.state.ctx.scores(site.window)


@pytest.fixture(scope="module")
def published(table):
    return [dataclasses.asdict(f) for f in figures(table)]


def by_key(rows):
    return {(r["unit_code"], r["item"]): r for r in rows}


def test_each_published_figure_beside_chisos_own_with_the_difference(table, published):
    rows = reconcile(table, published, tolerance=0.01)
    got = by_key(rows)
    assert len(rows) == 6
    unit = {r["unit_code"]: r for r in table.units.iter_rows(named=True)}
    on_time = table.criteria.filter((table.criteria["unit_code"] == "24")
                                    & (table.criteria["criterion"] == "ON_TIME")).to_dicts()[0]
    row = got[("24", "ON_TIME")]
    assert row["ours"] == pytest.approx(on_time["points"])
    assert row["difference"] == pytest.approx(on_time["points"] - row["published"], abs=1e-9)
    assert (row["ours_numerator"], row["ours_denominator"]) == (on_time["numerator"], on_time["denominator"])
    assert row["published_denominator"] == on_time["denominator"] + EXTRA and row["within"] is False
    total = got[("24", "total")]
    assert total["ours"] == pytest.approx(unit["24"]["total"])
    assert total["difference"] == pytest.approx(row["difference"], abs=0.006)  # the same gap, rounded
    assert got[("24-STC", "SATISFACTION")]["difference"] == pytest.approx(0.004) \
        and got[("24-STC", "SATISFACTION")]["within"] is True
    assert got[("24-SYT", "DOSSIER_RECEIVING_SATISFACTION")]["difference"] == pytest.approx(0.05)
    assert got[(first_commune(table), "total")]["difference"] == pytest.approx(1.5, abs=0.006)
    assert summary(rows) == {"rows": 6, "within": 1, "beyond": 5, "not_compared": 0}


def test_largest_gaps_first(table, published):
    rows = reconcile(table, published, tolerance=0.01)
    gaps = [abs(r["difference"]) for r in rows]
    assert gaps == sorted(gaps, reverse=True)
    assert [r["item"] for r in rows[:3]] == ["total", "PROGRESS", "ON_TIME"]  # one gap: total first


def test_reasons_told_by_the_counts(table, published):
    got = by_key(reconcile(table, published, tolerance=0.01))
    on_time = got[("24", "ON_TIME")]
    assert on_time["reason"] == "more_on_portal"
    assert on_time["reason_values"]["gap"] == EXTRA and on_time["reason_values"]["records"] == "dossiers"
    assert on_time["reason_values"]["measure_label"] == "hồ sơ tiếp nhận trong kỳ"
    assert got[("24", "PROGRESS")]["reason"] == "criterion" \
        and got[("24", "PROGRESS")]["reason_values"]["criterion"] == "ON_TIME"
    assert got[("24", "total")]["reason_values"]["criterion"] == "ON_TIME"
    assert got[("24-SYT", "DOSSIER_RECEIVING_SATISFACTION")]["reason"] == "same_counts"
    assert got[(first_commune(table), "total")]["reason"] == "no_detail"
    assert got[("24-STC", "SATISFACTION")]["reason"] is None  # agrees: nothing to explain


def test_fewer_on_the_portal_is_told_the_other_way(table, published):
    less = [{**f, "value": f["value"] - 2 * EXTRA} if (f["unit_code"], f["item"], f["kind"]) == (
        "24", "ON_TIME", "denominator") else f for f in published]
    row = by_key(reconcile(table, less, tolerance=0.01))[("24", "ON_TIME")]
    assert row["reason"] == "fewer_on_portal" and row["reason_values"]["gap"] == EXTRA


def test_the_tolerance_decides_what_agrees(table, published):
    wide = by_key(reconcile(table, published, tolerance=0.1))
    assert wide[("24-SYT", "DOSSIER_RECEIVING_SATISFACTION")]["within"] is True
    exact = by_key(reconcile(table, published, tolerance=0))
    assert exact[("24-STC", "SATISFACTION")]["within"] is False


def test_units_and_level_narrow_the_rows(table, published):
    own = reconcile(table, published, tolerance=0.01, units={"24-SYT"})
    assert {r["unit_code"] for r in own} == {"24-SYT"}
    communes = reconcile(table, published, tolerance=0.01, level="commune")
    assert [(r["unit_code"], r["level"]) for r in communes] == [(first_commune(table), "commune")]
    assert reconcile(table, [], tolerance=0.01) == []


def test_a_unit_chiso_does_not_score_is_not_compared(table):
    rows = reconcile(table, [{"unit_code": "19", "item": "total", "kind": "score", "value": 80.0}], tolerance=0.01)
    assert [(r["ours"], r["difference"], r["within"], r["reason"]) for r in rows] == [(None, None, None, "not_scored")]


def test_the_tolerance_setting(monkeypatch):
    monkeypatch.delenv("CHISO_PORTAL_TOLERANCE", raising=False)
    assert tolerance() == 0.01
    monkeypatch.setenv("CHISO_PORTAL_TOLERANCE", "0,05")
    assert tolerance() == 0.05
    for bad in ("nhiều", "-1", "nan"):
        monkeypatch.setenv("CHISO_PORTAL_TOLERANCE", bad)
        with pytest.raises(SettingsError, match="CHISO_PORTAL_TOLERANCE"):
            tolerance()
