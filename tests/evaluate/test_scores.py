"""Scores: the worked checks of service-index-766.md, and the scoring pipeline from records
(groups, totals, inheritance, units without records, ranks, bands, changes, adjustments)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.errors import ChisoError, UnknownUnitError
from chiso.evaluate import scores as scores_module
from chiso.evaluate import service as service_module
from chiso.evaluate.counts import compute_counts, compute_series
from chiso.evaluate.points import round_half_up
from chiso.evaluate.scores import inputs_from_counts, score_counts, score_window, score_window_counts, score_windows
from chiso.evaluate.service import score_counts_file, score_records, scored_units
from chiso.periods.windows import parse_window
from chiso.units import load_units

DEF = load_index_definition(DEFAULT_INDEX)
FIXTURES = Path(__file__).parents[1] / "fixtures"
GROUPS = [g.code for g in DEF.groups]


def approx(x):
    return pytest.approx(x, abs=1e-9)


@pytest.fixture(scope="module")
def tree():
    return load_units(["24"])


# ------------------------------------------------------------------ worked checks
def test_phu_tho_month_8_2026():
    table = score_counts_file(DEF, str(FIXTURES / "phu_tho_2026_08.csv"), "2026-08")
    assert table.window == "2026-08"
    points = {r["criterion"]: r["points"] for r in table.unit_criteria("25").to_dicts()}
    # progress: 144,625 on time of 184,513 → 20 × 0.7838 = 15.68
    assert points["ON_TIME"] == 15.68
    assert table.unit("25")["PROGRESS"] == 15.68
    # payment: 6 × 82,913/98,459 + min(2, 2.5 × 93/310) + min(2, 2.5 × 56/310) = 5.05 + 0.75 + 0.45
    assert (points["DOSSIER_PAID_ONLINE"], points["FEE_PROCEDURE_INTEGRATED"], points["PROCEDURE_PAID_ONLINE"]) == (
        5.05, 0.75, 0.45)
    assert table.unit("25")["PAYMENT"] == 6.25
    # dossier satisfaction: 144,574/184,513 = 78.35% → min(6, 6 × 0.7835/0.9) = 5.22
    assert points["DOSSIER_RECEIVING_SATISFACTION"] == 5.22
    ratios = {r["criterion"]: r["ratio"] for r in table.unit_criteria("25").to_dicts()}
    assert round(ratios["ON_TIME"], 4) == 0.7838
    assert round(ratios["DOSSIER_RECEIVING_SATISFACTION"], 4) == 0.7835


def test_bac_ninh_seed_week():
    table = score_counts_file(DEF, str(FIXTURES / "seed003_week.csv"))
    bn, hp, dn = table.unit("24"), table.unit("31"), table.unit("75")
    assert {g: bn[g] for g in GROUPS} == {"TRANSPARENCY": 15.82, "PROGRESS": 19.20, "ONLINE_SERVICE": 8.48,
                                          "PAYMENT": 9.91, "DIGITIZATION": 21.01, "SATISFACTION": 17.86}
    assert bn["total"] == 92.28
    assert hp["total"] == dn["total"] == 91.65
    assert round_half_up(bn["total"] - hp["total"], 2) == 0.63
    # competition ranks: Bắc Ninh first, the two at 91.65 share second place
    assert (bn["rank"], hp["rank"], dn["rank"]) == (1, 2, 2)
    assert bn["peers"] == 3
    assert bn["band"] == "excellent" and bn["band_label"] == "Xuất sắc"
    # transparency 87.9% of 18 = 15.82, satisfaction 99.2% of 18 = 17.86
    assert round(bn["TRANSPARENCY"] / 18 * 100, 1) == 87.9
    assert round(bn["SATISFACTION"] / 18 * 100, 1) == 99.2
    assert round(bn["ONLINE_SERVICE"] / 12 * 100, 1) == 70.7


# ------------------------------------------------------------------ from records, by hand
def test_commune_week_scored_by_hand(hand_store, tree):
    """07210 in 2026-W34 (counts in tests/engine/conftest.py HAND_07210_W34), point by point."""
    table = score_records(DEF, hand_store, tree, "2026-W34")
    points = {r["criterion"]: r["points"] for r in table.unit_criteria("07210").to_dicts()}
    expected = {
        # inherited from the province: 4 of 5 published on time, 2 of 5 public on time (Saturday
        # 22/8/2026 is a make-up working day, tests/engine/conftest.py), 3 of 5 complete
        "PUBLISH_ON_TIME": 4.8, "PUBLIC_UPDATE_ON_TIME": 1.6, "PUBLIC_CONTENT_FULL": 1.2,
        "DOSSIER_SYNC": 5.0,  # 6 × 10/12
        "ON_TIME": 13.33,  # 20 × 8/12
        "FULLY_ONLINE": 6.0,  # 12 × 3/6
        "FEE_PROCEDURE_INTEGRATED": 1.25, "PROCEDURE_PAID_ONLINE": 1.25,  # 2 × (1/2) / 0.8
        "DOSSIER_PAID_ONLINE": 3.0,  # 6 × 2/4
        "ORIGINAL_RESULT_AVAILABLE": 2.4,  # 6 × 2/5
        "DOSSIER_DIGITIZED": 3.0,  # 4 × 9/12
        "ELECTRONIC_CERTIFIED_COPY": 2.0,  # attested
        "REUSED_DIGITIZED_DATA": 0.83,  # 2 × (4/12) / 0.8
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": 2.0,  # 4 × 6/12
        "CITIZEN_DATA_CONNECTED_DOSSIER": 0.5,  # 2 × 3/12
        "CITIZEN_DATA_CONNECTED_FORMALITY": 1.33,  # 2 × 2/3
        "PETITION_PROCESSING_ON_TIME": 4.29,  # 6 × 5/7
        "PETITION_HANDLING_SATISFACTION": 2.57,  # 6 × 3/7
        "DOSSIER_RECEIVING_SATISFACTION": 2.78,  # 6 × ((8 − 3)/12) / 0.9
    }
    assert points == {k: approx(v) for k, v in expected.items()}
    unit = table.unit("07210")
    assert {g: unit[g] for g in GROUPS} == {
        "TRANSPARENCY": approx(12.6), "PROGRESS": approx(13.33), "ONLINE_SERVICE": approx(6.0),
        "PAYMENT": approx(5.5), "DIGITIZATION": approx(12.06), "SATISFACTION": approx(9.64)}
    assert unit["total"] == approx(59.13)
    assert (unit["level"], unit["parent_code"], unit["province_code"]) == ("commune", "24", "24")


def test_a_unit_without_records_is_scored_on_empty_counts(hand_store, tree):
    table = score_records(DEF, hand_store, tree, "2026-W34")
    assert table.units.height == 1 + 19 + 99
    unit = table.unit("07228")  # no records at all
    # inherited transparency (4.8 + 1.6 + 1.2), attested certified copies (2), empty petitions (6 + 6)
    assert {g: unit[g] for g in GROUPS} == {
        "TRANSPARENCY": approx(7.6), "PROGRESS": 0.0, "ONLINE_SERVICE": 0.0, "PAYMENT": 0.0,
        "DIGITIZATION": approx(2.0), "SATISFACTION": approx(12.0)}
    assert unit["total"] == approx(21.6)
    crit = {r["criterion"]: r for r in table.unit_criteria("07228").to_dicts()}
    assert crit["PUBLISH_ON_TIME"]["inherited"] is True
    assert (crit["PUBLISH_ON_TIME"]["numerator"], crit["PUBLISH_ON_TIME"]["denominator"]) == (4.0, 5.0)
    assert crit["ON_TIME"]["denominator"] == 0.0


def test_province_is_scored_over_all_its_records_not_averaged(duck_store, tree, ref):
    w = parse_window("2026-08")
    table = score_records(DEF, duck_store, tree, w)
    expected = ref.reference_counts(DEF, ref.dataset(), w.start, w.end)["24"]
    crit = {r["criterion"]: r for r in table.unit_criteria("24").to_dicts()}
    assert (crit["ON_TIME"]["numerator"], crit["ON_TIME"]["denominator"]) == (expected["on_time"],
                                                                              expected["received"])
    assert crit["ON_TIME"]["points"] == approx(round_half_up(20 * expected["on_time"] / expected["received"], 2))
    # not the mean of its units' scores
    units = table.units.filter(pl.col("level") != "province")
    assert table.unit("24")["PROGRESS"] != approx(units["PROGRESS"].mean())


def test_ranks_peers_and_bands(duck_store, tree):
    table = score_records(DEF, duck_store, tree, "2026-W34")
    units = table.units
    for level, peers in (("province", 1), ("department", 19), ("commune", 99)):
        part = units.filter(pl.col("level") == level)
        assert set(part["peers"]) == {peers}
        # competition ranks on the total: 1 + the number of peers strictly above
        totals = part["total"].to_list()
        assert part["rank"].to_list() == [1 + sum(t > x for t in totals) for x in totals]
    # Bắc Ninh's own bands for communes and departments, national for the province
    assert set(units.filter(pl.col("level") != "province")["band"]) <= {"top", "good", "improve"}
    assert table.unit("24")["band"] in {"excellent", "good", "unclassified"}
    assert set(table.select(level="department")["unit_code"]) == {u.code for u in tree.units(province="24",
                                                                                             level="department")}
    assert table.select(province="24").height == 119


def test_changes_against_the_previous_week(hand_store, tree):
    table = score_records(DEF, hand_store, tree, "2026-W34")
    assert table.previous_window == "2026-W33"
    previous = score_records(DEF, hand_store, tree, "2026-W33", with_previous=False)
    assert previous.previous_window is None
    for code in ("07210", "07264", "07228", "24"):
        now, before = table.unit(code), previous.unit(code)
        assert now["previous_total"] == before["total"]
        assert now["previous_rank"] == before["rank"]
        assert now["score_change"] == approx(round_half_up(now["total"] - before["total"], 2))
        assert now["rank_change"] == before["rank"] - now["rank"]
    # 07264 had X04 on time and Y02 answered in W33 (40 points), nothing in W34 (21.6)
    assert table.unit("07264")["previous_total"] == approx(40.0)
    assert table.unit("07264")["score_change"] == approx(-18.4)
    # 07228 rose from 3rd to 2nd among the communes
    assert (table.unit("07228")["previous_rank"], table.unit("07228")["rank"]) == (3, 2)
    assert table.unit("07228")["rank_change"] == 1


def _frames_equal(a, b) -> None:
    assert a.window == b.window and a.previous_window == b.previous_window
    assert a.units.sort("unit_code").equals(b.units.sort("unit_code"))
    assert a.criteria.sort("unit_code", "criterion").equals(b.criteria.sort("unit_code", "criterion"))


def test_the_previous_weeks_scores_computed_already_are_taken_as_they_are(duck_store, tree, monkeypatch):
    """A cache holding the week before's table (scored with its own week before) hands it to
    the next week's scoring: the same table as computed afresh, and the week before is not
    scored again."""
    earlier = score_records(DEF, duck_store, tree, "2026-W33")
    fresh = score_records(DEF, duck_store, tree, "2026-W34")
    calls = []
    plain = scores_module.score_window_counts

    def counted(definition, window, *args, **kwargs):
        calls.append(window)
        return plain(definition, window, *args, **kwargs)

    monkeypatch.setattr("chiso.evaluate.service.score_window_counts", counted)
    reused = score_records(DEF, duck_store, tree, "2026-W34", previous_table=earlier)
    assert calls == ["2026-W34"]
    _frames_equal(reused, fresh)
    # a table of another window, or over other units, is not taken: the week before is scored
    other = score_records(DEF, duck_store, tree, "2026-W32")
    calls.clear()
    _frames_equal(score_records(DEF, duck_store, tree, "2026-W34", previous_table=other), fresh)
    assert calls == ["2026-W33", "2026-W34"]
    calls.clear()
    fewer = type(earlier)(earlier.definition, earlier.window, earlier.units.head(earlier.units.height - 1),
                          earlier.criteria, earlier.previous_window)
    _frames_equal(score_records(DEF, duck_store, tree, "2026-W34", previous_table=fewer), fresh)
    assert calls == ["2026-W33", "2026-W34"]


def test_with_the_week_before_scored_already_only_the_week_is_counted(duck_store, tree, monkeypatch):
    """The week before's table knows the provinces with records in it: with it, a week's scoring
    counts the week alone (half the reading) over the units of both — the same table as computed
    afresh. A table that does not know them, or was scored over other units than the week's,
    leaves the scoring to count both weeks."""
    earlier = score_records(DEF, duck_store, tree, "2026-W33")
    assert earlier.provinces
    fresh = score_records(DEF, duck_store, tree, "2026-W34")
    counted = []
    plain_counts, plain_series = service_module.compute_counts, service_module.compute_series
    monkeypatch.setattr(service_module, "compute_counts",
                        lambda d, store, windows: counted.append([w.label for w in windows]) or plain_counts(d, store, windows))
    monkeypatch.setattr(service_module, "compute_series",
                        lambda d, store, a, b, **kw: counted.append((a, b)) or plain_series(d, store, a, b, **kw))
    _frames_equal(score_records(DEF, duck_store, tree, "2026-W34", previous_table=earlier), fresh)
    assert counted == [["2026-W34"]]
    counted.clear()
    unknown = dataclasses.replace(earlier, provinces=None)
    _frames_equal(score_records(DEF, duck_store, tree, "2026-W34", previous_table=unknown), fresh)
    assert counted == [(parse_window("2026-W33").start, parse_window("2026-W34").end)]
    counted.clear()
    fewer = dataclasses.replace(earlier, units=earlier.units.head(earlier.units.height - 1))
    _frames_equal(score_records(DEF, duck_store, tree, "2026-W34", previous_table=fewer), fresh)
    assert counted == [["2026-W34"], (parse_window("2026-W33").start, parse_window("2026-W34").end)]


def test_adjustments_and_group_overrides(hand_store, tree):
    w = parse_window("2026-W34")
    counts = compute_counts(DEF, hand_store, [w])
    units = scored_units(tree, counts)
    inputs = inputs_from_counts(DEF, counts.for_window(w), units)
    adjustments = pl.DataFrame({"unit_code": ["07210", "07228", "07228"], "points": [-2.0, -20.0, -5.0],
                                "reason": ["system errors", "x", "y"]})
    overrides = pl.DataFrame({"unit_code": ["07210"], "group": ["ONLINE_SERVICE"], "points": [10.8]})
    table = score_window(DEF, w.label, inputs, units, adjustments=adjustments, group_overrides=overrides)
    u = table.unit("07210")
    assert u["ONLINE_SERVICE"] == approx(10.8)
    assert u["total_before_adjustment"] == approx(59.13 - 6.0 + 10.8)
    assert u["adjustment"] == -2.0
    assert u["total"] == approx(59.13 - 6.0 + 10.8 - 2.0)
    # a deduction never takes a total below zero
    assert table.unit("07228")["adjustment"] == -25.0
    assert table.unit("07228")["total"] == 0.0


def test_unknown_unit(hand_store, tree):
    table = score_records(DEF, hand_store, tree, "2026-W34")
    with pytest.raises(UnknownUnitError):
        table.unit("99999")


def test_default_window_is_the_week_of_the_last_dossier(hand_store, tree):
    table = score_records(DEF, hand_store, tree)
    assert table.window == "2026-W35"  # D13, received Monday 24 August
    # D13 is still open at the week's end (Sunday 30) and its appointment (26th) has passed
    assert table.unit("07210")["PROGRESS"] == 0.0
    crit = {r["criterion"]: r for r in table.unit_criteria("07210").to_dicts()}
    assert (crit["ON_TIME"]["numerator"], crit["ON_TIME"]["denominator"]) == (0.0, 1.0)


def test_inputs_from_counts_fill_missing_units_with_zero(hand_store, tree):
    w = parse_window("2026-W34")
    counts = compute_counts(DEF, hand_store, [w])
    units = scored_units(tree, counts)
    inputs = inputs_from_counts(DEF, counts.for_window(w), units)
    assert inputs.height == units.height * len(DEF.criteria)
    empty = inputs.filter((pl.col("unit_code") == "07228") & (pl.col("criterion") == "ON_TIME")).to_dicts()[0]
    assert (empty["numerator"], empty["denominator"]) == (0.0, 0.0)
    attested = inputs.filter(pl.col("criterion") == "ELECTRONIC_CERTIFIED_COPY")
    assert set(attested["given_ratio"]) == {1.0}


def test_scores_of_a_day_window(hand_store, tree):
    table = score_records(DEF, hand_store, tree, dt.date(2026, 8, 17).isoformat())
    assert table.window == "2026-08-17" and table.previous_window == "2026-08-16"
    # D01..D05 were received on the 17th; none is finished by the day's end and every appointment
    # is still ahead, but D05 has two supplementation requests (late)
    crit = {r["criterion"]: r for r in table.unit_criteria("07210").to_dicts()}
    assert (crit["ON_TIME"]["numerator"], crit["ON_TIME"]["denominator"]) == (4.0, 5.0)


# ------------------------------------------------------------------ one pass over a series
def test_doctests():
    import doctest

    assert doctest.testmod(scores_module).failed == 0


def test_a_series_scored_in_one_pass_equals_window_by_window(duck_store, tree):
    """score_counts (every window at once, the benchmark's path) gives exactly the tables
    score_window gives one window at a time, changes against the week before included."""
    from polars.testing import assert_frame_equal

    whole = parse_window("2026-08-03..2026-08-30")
    counts = compute_series(DEF, duck_store, whole.start, whole.end, whole=whole)
    units = scored_units(tree, counts)
    labels = [w.label for w in counts.windows]
    weeks = labels[:-1]
    previous = dict(zip(weeks[1:], weeks[:-1]))
    series = score_counts(DEF, counts.frame, units, labels, previous=previous)
    assert series.units.height == units.height * len(labels)
    earlier = None
    for w in counts.windows:
        prev_table = earlier if w.label in previous else None
        one = score_window(DEF, w.label, inputs_from_counts(DEF, counts.for_window(w), units), units,
                           previous=prev_table)
        got = series.table(w.label)
        assert got.previous_window == one.previous_window == previous.get(w.label)
        # the unrounded sum of groups may differ in its last binary digit; everything shown is equal
        assert_frame_equal(got.units.drop("total_before_adjustment"), one.units.drop("total_before_adjustment"))
        assert_frame_equal(got.criteria, one.criteria)
        earlier = one if w.kind == "week" else earlier
    assert series.table("2026-W34").unit("07210")["previous_total"] == series.table("2026-W33").unit("07210")["total"]
    assert series.criteria.height == sum(series.table(w).criteria.height for w in labels)


def test_a_window_scored_from_its_counts_equals_the_window_scored_from_long_inputs(duck_store, tree):
    """score_window_counts (counts → the pipeline's wide rows, the web's path) gives the table
    score_window gives from inputs_from_counts (one row per unit and criterion), changes included."""
    from polars.testing import assert_frame_equal

    whole = parse_window("2026-08-03..2026-08-30")
    counts = compute_series(DEF, duck_store, whole.start, whole.end, whole=whole)
    units = scored_units(tree, counts)
    long_prev = wide_prev = None
    for w in counts.windows[:-1]:
        long = score_window(DEF, w.label, inputs_from_counts(DEF, counts.for_window(w), units), units,
                            previous=long_prev)
        wide = score_window_counts(DEF, w.label, counts.for_window(w), units, previous=wide_prev)
        assert wide.previous_window == long.previous_window
        assert wide.units.height == units.height and wide.criteria.height > 0
        assert_frame_equal(wide.units.drop("total_before_adjustment"), long.units.drop("total_before_adjustment"))
        assert_frame_equal(wide.units.select("total_before_adjustment"), long.units.select("total_before_adjustment"),
                           abs_tol=1e-9)
        assert_frame_equal(wide.criteria, long.criteria)
        long_prev, wide_prev = long, wide
    assert wide_prev.previous_window is not None


def test_series_inputs_keyed_by_window_score_like_the_counts(hand_store, tree):
    w33, w34 = parse_window("2026-W33"), parse_window("2026-W34")
    counts = compute_counts(DEF, hand_store, [w33, w34])
    units = scored_units(tree, counts)
    labels = [w33.label, w34.label]
    inputs = inputs_from_counts(DEF, counts.frame, units, labels)
    assert inputs.height == units.height * len(DEF.criteria) * 2 and inputs.columns[0] == "window"
    a = score_windows(DEF, labels, inputs, units, previous={w34.label: w33.label})
    b = score_counts(DEF, counts.frame, units, labels, previous={w34.label: w33.label})
    assert a.units.drop("total_before_adjustment").equals(b.units.drop("total_before_adjustment"))
    assert a.table(w34.label).unit("07264")["score_change"] == approx(-18.4)
    with pytest.raises(ValueError, match="window column"):
        score_windows(DEF, labels, inputs.drop("window"), units)
    with pytest.raises(ValueError, match="outside the series"):
        score_counts(DEF, counts.frame, units, labels, previous={w34.label: "2026-W32"})
    with pytest.raises(ChisoError, match="not in this series"):
        a.table("2026-W35")


def test_absent_criteria_are_left_out_not_scored_empty():
    """A criterion without an input row has no row and no points (its when_empty rule is not
    applied): a portal counts file may give only some criteria."""
    units = pl.DataFrame({"unit_code": ["24"], "name": ["Bắc Ninh"], "level": ["province"], "parent_code": ["VN"],
                          "province_code": ["24"]})
    inputs = pl.DataFrame([{"unit_code": "24", "criterion": "ON_TIME", "numerator": 1.0, "denominator": 2.0,
                            "given_ratio": None, "given_points": None, "inherited": False}],
                          schema={"unit_code": pl.Utf8, "criterion": pl.Utf8, "numerator": pl.Float64,
                                  "denominator": pl.Float64, "given_ratio": pl.Float64, "given_points": pl.Float64,
                                  "inherited": pl.Boolean})
    table = score_window(DEF, "x", inputs, units)
    assert table.criteria["criterion"].to_list() == ["ON_TIME"]
    unit = table.unit("24")
    # PETITION_* would score full (12 points) on an empty denominator if they were scored
    assert (unit["PROGRESS"], unit["SATISFACTION"], unit["total"]) == (10.0, 0.0, 10.0)
