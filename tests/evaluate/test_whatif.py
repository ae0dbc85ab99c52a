"""Improvement potential (whatif, levers) and the records behind a score (explain)."""
from __future__ import annotations

from pathlib import Path

import pytest

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.errors import ChisoError, UnknownUnitError
from chiso.evaluate.points import round_half_up
from chiso.evaluate.service import explain, score_counts_file, score_records
from chiso.evaluate.whatif import levers, whatif
from chiso.periods.windows import parse_window
from chiso.units import load_units

DEF = load_index_definition(DEFAULT_INDEX)
SEED = Path(__file__).parents[1] / "fixtures" / "seed003_week.csv"


def approx(x):
    return pytest.approx(x, abs=1e-9)


@pytest.fixture(scope="module")
def tree():
    return load_units(["24"])


@pytest.fixture(scope="module")
def seed():
    return score_counts_file(DEF, str(SEED))


@pytest.fixture
def w34(hand_store, tree):
    return score_records(DEF, hand_store, tree, "2026-W34")


# ------------------------------------------------------------------ the worked check
def test_online_services_at_90_percent_gain_2_32(seed):
    result = whatif(seed, "24", {"ONLINE_SERVICE": 0.9})
    assert result["before"] == 92.28
    assert result["gain"] == 2.32
    assert result["after"] == 94.6
    (change,) = result["changes"]
    assert change["kind"] == "group" and change["target"] == "ONLINE_SERVICE"
    assert (change["points_before"], change["points_after"], change["gain"]) == (8.48, 10.8, 2.32)
    assert round(change["ratio_before"] * 100, 1) == 70.7  # 8.48 / 12
    assert result["name"] == "Bắc Ninh"


def test_levers_of_the_seed_week(seed):
    ranked = levers(seed, "24")
    top = ranked[0]
    assert (top["code"], top["kind"], top["gain_at_share"]) == ("ONLINE_SERVICE", "group", 2.32)
    assert round(top["ratio"] * 100, 1) == 70.7
    assert top["lost"] == 3.52
    # groups above 90% have nothing to gain at 90%
    gains = {r["code"]: r["gain_at_share"] for r in ranked}
    assert gains == {"ONLINE_SERVICE": 2.32, "TRANSPARENCY": 0.38, "PROGRESS": 0.0, "PAYMENT": 0.0,
                     "DIGITIZATION": 0.0, "SATISFACTION": 0.0}
    assert levers(seed, "24", share=1.0)[0]["gain_at_share"] == 3.52


def test_every_group_at_full_reaches_exactly_100(seed):
    result = whatif(seed, "24", {g.code: 1.0 for g in DEF.groups})
    assert result["after"] == 100.0
    assert result["gain"] == 7.72
    assert round_half_up(sum(c["gain"] for c in result["changes"]), 2) == 7.72


# ------------------------------------------------------------------ semantics, on records
def test_criterion_target(w34):
    result = whatif(w34, "07210", {"ON_TIME": 0.95})
    (change,) = result["changes"]
    assert change["kind"] == "criterion" and change["group"] == "PROGRESS"
    assert change["points_before"] == approx(13.33) and change["points_after"] == 19.0
    assert change["gain"] == 5.67
    assert change["ratio_before"] == approx(8 / 12) and change["ratio_after"] == 0.95
    assert result["before"] == approx(59.13) and result["after"] == approx(64.8)


def test_a_target_already_reached_gains_nothing(w34):
    result = whatif(w34, "07210", {"ON_TIME": 0.5, "ONLINE_SERVICE": 0.4})
    assert [c["gain"] for c in result["changes"]] == [0.0, 0.0]
    assert result["after"] == result["before"]


def test_conversion_applies_to_a_criterion_target(w34):
    # FEE_PROCEDURE_INTEGRATED is full at 80%: a target of 0.8 gives its 2 points (1.25 now)
    result = whatif(w34, "07210", {"FEE_PROCEDURE_INTEGRATED": 0.8})
    assert result["changes"][0]["points_after"] == 2.0 and result["gain"] == 0.75


def test_criterion_and_group_targets_together(w34):
    # DOSSIER_SYNC to 100% (+1.0 → transparency 13.6), then transparency as a whole to 90% (16.2: +2.6)
    result = whatif(w34, "07210", {"TRANSPARENCY": 0.9, "DOSSIER_SYNC": 1.0})
    kinds = [(c["target"], c["gain"]) for c in result["changes"]]
    assert kinds == [("DOSSIER_SYNC", 1.0), ("TRANSPARENCY", 2.6)]
    assert result["gain"] == 3.6
    assert result["after"] == approx(62.73)


def test_gains_add_up_to_the_change_of_the_total(w34):
    result = whatif(w34, "07210", {"ON_TIME": 0.95, "DOSSIER_SYNC": 1.0, "REUSED_DIGITIZED_DATA": 0.7,
                                   "SATISFACTION": 0.95})
    assert result["gain"] == round_half_up(sum(c["gain"] for c in result["changes"]), 2)
    assert result["after"] == approx(round_half_up(result["before"] + result["gain"], 2))


def test_bad_targets(w34):
    with pytest.raises(KeyError, match="neither a criterion nor a group"):
        whatif(w34, "07210", {"SPEED": 0.9})
    with pytest.raises(ValueError, match="between 0 and 1"):
        whatif(w34, "07210", {"ON_TIME": 1.2})
    with pytest.raises(ValueError):
        whatif(w34, "07210", {"ON_TIME": -0.1})
    with pytest.raises(UnknownUnitError):
        whatif(w34, "99999", {"ON_TIME": 0.9})


def test_levers_agree_with_whatif(w34):
    ranked = levers(w34, "07210")
    assert len(ranked) == len(DEF.criteria) + len(DEF.groups)
    keys = [(-r["gain_at_share"], -r["lost"], r["code"]) for r in ranked]
    assert keys == sorted(keys)
    for r in ranked:
        ratio = 0.9 * DEF.criterion(r["code"]).full_at if r["kind"] == "criterion" else 0.9
        assert whatif(w34, "07210", {r["code"]: ratio})["gain"] == r["gain_at_share"], r["code"]
        assert r["lost"] == round_half_up(r["max"] - r["points"], 2)
    top = ranked[0]
    assert (top["code"], top["gain_at_share"]) == ("DIGITIZATION", 7.74)  # 19.8 − 12.06


# ------------------------------------------------------------------ explain
def _overdue(ref, unit: str, window) -> list[str]:
    return sorted(r["id"] for r in ref.dataset()["dossiers"]
                  if r["unit_code"] == unit and window.contains(r["received_date"])
                  and not ref.dossier_on_time(r, window.end, DEF.settings))


def test_explain_lists_exactly_the_overdue_dossiers(duck_store, tree, ref):
    w = parse_window("2026-W34")
    result = explain(DEF, duck_store, tree, "07210", "ON_TIME", w)
    assert sorted(r["id"] for r in result["rows"]) == ["D04", "D05", "D08", "D09"] == _overdue(ref, "07210", w)
    assert {k: result[k] for k in ("unit", "criterion", "window", "records", "only_lost")} == {
        "unit": "07210", "criterion": "ON_TIME", "window": "2026-W34", "records": "dossiers", "only_lost": True}
    assert result["name"] == "Phường Bắc Giang"


@pytest.mark.parametrize("unit, window", [("07228", "2026-08"), ("24-SYT", "2026-W33"), ("07246", "2026-W32")])
def test_explain_matches_the_reference_on_filler_records(duck_store, tree, ref, unit, window):
    w = parse_window(window)
    result = explain(DEF, duck_store, tree, unit, "ON_TIME", w, limit=1000)
    assert sorted(r["id"] for r in result["rows"]) == _overdue(ref, unit, w)


def test_explain_for_the_province_lists_every_unit_s_overdue_dossiers(duck_store, tree, ref):
    w = parse_window("2026-W34")
    result = explain(DEF, duck_store, tree, "24", "ON_TIME", w, limit=1000)
    expected = sorted(r["id"] for r in ref.dataset()["dossiers"]
                      if w.contains(r["received_date"]) and not ref.dossier_on_time(r, w.end, DEF.settings))
    assert sorted(r["id"] for r in result["rows"]) == expected
    assert {"D04", "D05", "D08", "D09"} < set(expected)


def test_explain_all_records_with_counted(duck_store, tree, ref):
    w = parse_window("2026-W34")
    result = explain(DEF, duck_store, tree, "07210", "ON_TIME", w, only_lost=False)
    expected = {r["id"]: ref.dossier_on_time(r, w.end, DEF.settings) for r in ref.dataset()["dossiers"]
                if r["unit_code"] == "07210" and w.contains(r["received_date"])}
    assert {r["id"]: r["_counted"] for r in result["rows"]} == expected
    assert len(expected) == 12
    # the counts behind the score agree with the list
    table = score_records(DEF, duck_store, tree, w)
    crit = {r["criterion"]: r for r in table.unit_criteria("07210").to_dicts()}["ON_TIME"]
    assert (crit["numerator"], crit["denominator"]) == (sum(expected.values()), len(expected))


def test_explain_inherited_criterion_lists_the_province_records(duck_store, tree, ref):
    w = parse_window("2026-W34")
    result = explain(DEF, duck_store, tree, "07210", "PUBLISH_ON_TIME", w, only_lost=False)
    assert result["records"] == "publications"
    expected = {p["id"] for p in ref.dataset()["publications"] if w.contains(p["decision_date"])}
    assert {r["id"] for r in result["rows"]} == expected


def test_explain_paging(duck_store, tree):
    everything = explain(DEF, duck_store, tree, "07210", "DOSSIER_SYNC", "2026-W34", only_lost=False)["rows"]
    first = explain(DEF, duck_store, tree, "07210", "DOSSIER_SYNC", "2026-W34", only_lost=False, limit=7)
    rest = explain(DEF, duck_store, tree, "07210", "DOSSIER_SYNC", "2026-W34", only_lost=False, limit=7, offset=7)
    assert first["rows"] + rest["rows"] == everything and len(first["rows"]) == 7


def test_explain_refusals(duck_store, tree):
    with pytest.raises(ChisoError, match="not a criterion"):
        explain(DEF, duck_store, tree, "07210", "SPEED", "2026-W34")
    with pytest.raises(ChisoError, match="attested"):
        explain(DEF, duck_store, tree, "07210", "ELECTRONIC_CERTIFIED_COPY", "2026-W34")
    with pytest.raises(UnknownUnitError):
        explain(DEF, duck_store, tree, "99999", "ON_TIME", "2026-W34")
