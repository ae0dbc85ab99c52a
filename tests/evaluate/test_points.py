"""Counts → points, by hand: each conversion (linear, full at 80% capped at the maximum, full at
90%), each empty-denominator rule (zero, full, null), half-up rounding at 2 decimals, and a
group as the sum of its rounded criteria."""
from __future__ import annotations

import doctest
import math

import polars as pl
import pytest

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition, parse_index_definition
from chiso.evaluate import points as points_module
from chiso.evaluate.points import points_from_ratio, round_half_up, round_half_up_expr
from chiso.evaluate.scores import score_window

DEF = load_index_definition(DEFAULT_INDEX)
UNITS = pl.DataFrame({"unit_code": ["24"], "name": ["Bắc Ninh"], "level": ["province"], "parent_code": ["VN"],
                      "province_code": ["24"]})
INPUT_SCHEMA = {"unit_code": pl.Utf8, "criterion": pl.Utf8, "numerator": pl.Float64, "denominator": pl.Float64,
                "given_ratio": pl.Float64, "given_points": pl.Float64, "inherited": pl.Boolean}


def score(pairs: dict[str, tuple[float, float]], definition=DEF, units: pl.DataFrame = UNITS):
    """Score the units on the given (numerator, denominator) per criterion; others are absent."""
    rows = [{"unit_code": u, "criterion": code, "numerator": float(n), "denominator": float(d),
             "given_ratio": None, "given_points": None, "inherited": False}
            for u in units["unit_code"] for code, (n, d) in pairs.items()]
    return score_window(definition, "test", pl.DataFrame(rows, schema=INPUT_SCHEMA), units)


def points(pairs: dict[str, tuple[float, float]], definition=DEF) -> dict[str, float | None]:
    table = score(pairs, definition)
    return {r["criterion"]: r["points"] for r in table.unit_criteria("24").to_dicts()}


def test_doctests():
    assert doctest.testmod(points_module).failed == 0


# ------------------------------------------------------------------ conversions
@pytest.mark.parametrize("code, num, den, expected", [
    # linear: max × ratio
    ("DOSSIER_SYNC", 3, 4, 4.5),  # 6 × 0.75
    ("DOSSIER_SYNC", 4, 4, 6.0),
    ("DOSSIER_SYNC", 0, 4, 0.0),
    ("ON_TIME", 1, 3, 6.67),  # 20 / 3 = 6.666…
    ("ON_TIME", 2, 3, 13.33),  # 13.333…
    ("DOSSIER_PAID_ONLINE", 82913, 98459, 5.05),  # 6 × 0.84211… = 5.0527
    # full at 80%: min(max, max × ratio / 0.8)
    ("FEE_PROCEDURE_INTEGRATED", 3, 10, 0.75),  # 2 × 0.3 / 0.8
    ("FEE_PROCEDURE_INTEGRATED", 93, 310, 0.75),
    ("PROCEDURE_PAID_ONLINE", 56, 310, 0.45),  # 2.5 × 0.18065 = 0.4516
    ("PROCEDURE_PAID_ONLINE", 8, 10, 2.0),  # exactly at 80%
    ("PROCEDURE_PAID_ONLINE", 9, 10, 2.0),  # above 80%: capped at the maximum
    ("REUSED_DIGITIZED_DATA", 4, 12, 0.83),  # 2 × 0.3333 / 0.8 = 0.8333
    ("REUSED_DIGITIZED_DATA", 12, 12, 2.0),
    # full at 90%
    ("DOSSIER_RECEIVING_SATISFACTION", 81, 100, 5.4),  # 6 × 0.81 / 0.9
    ("DOSSIER_RECEIVING_SATISFACTION", 90, 100, 6.0),
    ("DOSSIER_RECEIVING_SATISFACTION", 95, 100, 6.0),  # capped
    ("DOSSIER_RECEIVING_SATISFACTION", 144574, 184513, 5.22),  # 78.35% → 5.2233
    ("DOSSIER_RECEIVING_SATISFACTION", 5, 12, 2.78),  # 6 × 0.41667 / 0.9 = 2.7778
    # a numerator above the denominator never scores above the maximum
    ("ON_TIME", 5, 4, 20.0),
])
def test_conversions(code, num, den, expected):
    assert points({code: (num, den)})[code] == expected


def test_negative_numerator_scores_zero():
    # on time − complained can go below zero when late dossiers are also complained about
    assert points({"DOSSIER_RECEIVING_SATISFACTION": (-2, 10)})["DOSSIER_RECEIVING_SATISFACTION"] == 0.0


def test_ratio_is_reported_unconverted():
    table = score({"FEE_PROCEDURE_INTEGRATED": (9, 10), "DOSSIER_SYNC": (0, 0)})
    rows = {r["criterion"]: r for r in table.unit_criteria("24").to_dicts()}
    assert rows["FEE_PROCEDURE_INTEGRATED"]["ratio"] == pytest.approx(0.9)
    assert rows["FEE_PROCEDURE_INTEGRATED"]["lost"] == 0.0
    assert rows["DOSSIER_SYNC"]["ratio"] is None
    assert rows["DOSSIER_SYNC"]["lost"] == 6.0


# ------------------------------------------------------------------ empty denominators
def test_empty_zero():
    p = points({"DOSSIER_SYNC": (0, 0), "ON_TIME": (0, 0), "DOSSIER_PAID_ONLINE": (0, 0),
                "FEE_PROCEDURE_INTEGRATED": (0, 0), "DOSSIER_RECEIVING_SATISFACTION": (0, 0)})
    assert set(p.values()) == {0.0}


def test_empty_petitions_score_full():
    table = score({"PETITION_PROCESSING_ON_TIME": (0, 0), "PETITION_HANDLING_SATISFACTION": (0, 0),
                   "DOSSIER_RECEIVING_SATISFACTION": (0, 0)})
    p = {r["criterion"]: r["points"] for r in table.unit_criteria("24").to_dicts()}
    assert p == {"PETITION_PROCESSING_ON_TIME": 6.0, "PETITION_HANDLING_SATISFACTION": 6.0,
                 "DOSSIER_RECEIVING_SATISFACTION": 0.0}
    assert table.unit("24")["SATISFACTION"] == 12.0


def _null_definition(spelling: str = '"null"'):
    text = DEFAULT_INDEX.read_text(encoding="utf-8")
    old = "        denominator: received\n        when_empty: zero\n  - code: PROGRESS"
    assert text.count(old) == 1
    return parse_index_definition(text.replace(old, old.replace("zero", spelling)), path="null-copy.yaml")


def test_when_empty_null_as_the_format_documents_it():
    """docs/definitions.md documents ``when_empty: zero | full | null``; written that way
    (unquoted), YAML reads ``null`` as None and the copy must still load with the null rule."""
    d = _null_definition("null")
    assert d.criterion("DOSSIER_SYNC").when_empty == "null"


def test_empty_null_is_no_score_and_counts_as_zero_in_the_group():
    d = _null_definition()
    assert d.criterion("DOSSIER_SYNC").when_empty == "null"
    table = score({"PUBLISH_ON_TIME": (1, 2), "PUBLIC_UPDATE_ON_TIME": (1, 1), "PUBLIC_CONTENT_FULL": (1, 4),
                   "DOSSIER_SYNC": (0, 0)}, definition=d)
    p = {r["criterion"]: r["points"] for r in table.unit_criteria("24").to_dicts()}
    assert p["DOSSIER_SYNC"] is None
    assert table.unit("24")["TRANSPARENCY"] == 3.0 + 4.0 + 0.5
    assert points_from_ratio(d.criterion("DOSSIER_SYNC"), None, 2) is None
    # with counts it converts as usual
    assert points({"DOSSIER_SYNC": (1, 2)}, definition=d)["DOSSIER_SYNC"] == 3.0


def test_points_from_ratio_empty_rules():
    assert points_from_ratio(DEF.criterion("DOSSIER_SYNC"), None, 2) == 0.0
    assert points_from_ratio(DEF.criterion("PETITION_HANDLING_SATISFACTION"), None, 2) == 6.0


@pytest.mark.parametrize("code, ratio, expected", [
    ("ON_TIME", 0.78375, 15.68),
    ("FEE_PROCEDURE_INTEGRATED", 0.3, 0.75),
    ("FEE_PROCEDURE_INTEGRATED", 1.0, 2.0),
    ("DOSSIER_RECEIVING_SATISFACTION", 0.9, 6.0),
    ("DOSSIER_RECEIVING_SATISFACTION", 0.45, 3.0),
    ("DOSSIER_SYNC", -0.5, 0.0),
    ("DOSSIER_SYNC", 1.5, 6.0),
])
def test_points_from_ratio_matches_the_table(code, ratio, expected):
    assert points_from_ratio(DEF.criterion(code), ratio, 2) == expected


# ------------------------------------------------------------------ rounding
@pytest.mark.parametrize("x, expected", [
    (15.675, 15.68),  # binary 15.67499…: Python's round() would give 15.67
    (5.2233, 5.22),
    (0.125, 0.13),
    (1.005, 1.01),
    (2.675, 2.68),
    (13.334999, 13.33),
    (0.0, 0.0),
    (20.0, 20.0),
    (-1.005, -1.01),
])
def test_round_half_up(x, expected):
    assert round_half_up(x, 2) == expected


def test_round_half_up_passes_none_and_nan():
    assert round_half_up(None, 2) is None
    assert math.isnan(round_half_up(float("nan"), 2))


def test_half_up_on_a_product_that_lands_a_hair_below_the_half():
    # 20 × 144625/184513 is not a half, but 20 × 78375/100000 = 15.675 exactly in decimals
    assert points({"ON_TIME": (78375, 100000)})["ON_TIME"] == 15.68
    assert points({"ON_TIME": (144625, 184513)})["ON_TIME"] == 15.68


def test_group_is_the_sum_of_rounded_criteria():
    # 2.5 × 1/3 = 0.8333 → 0.83 (twice) and 6 × 1/3 = 2 → 3.66; rounding the raw sum 3.6667 gives 3.67
    table = score({"FEE_PROCEDURE_INTEGRATED": (1, 3), "PROCEDURE_PAID_ONLINE": (1, 3),
                   "DOSSIER_PAID_ONLINE": (1, 3)})
    assert table.unit("24")["PAYMENT"] == 3.66


def test_total_is_the_sum_of_groups():
    table = score({"ON_TIME": (2, 3), "FEE_PROCEDURE_INTEGRATED": (1, 3), "PROCEDURE_PAID_ONLINE": (1, 3),
                   "DOSSIER_PAID_ONLINE": (1, 3), "PETITION_PROCESSING_ON_TIME": (0, 0),
                   "PETITION_HANDLING_SATISFACTION": (0, 0)})
    unit = table.unit("24")
    assert (unit["PROGRESS"], unit["PAYMENT"], unit["SATISFACTION"]) == (13.33, 3.66, 12.0)
    assert unit["total"] == round_half_up(13.33 + 3.66 + 12.0, 2) == 28.99


def test_round_half_up_expr_gives_the_same_numbers_as_round_half_up():
    """The vectorised rounding must give exactly the 2-decimal numbers round_half_up gives
    (the nearest double to x.xx), on columns of any length — scores are stored, exported and
    compared with published figures."""
    xs = [i / 100 for i in range(0, 10001)] + [15.675, 5.2233, 58.62, 0.35]
    got = pl.DataFrame({"x": xs}).select(round_half_up_expr(pl.col("x"), 2))["x"].to_list()
    wrong = [(x, g) for x, g in zip(xs, got) if g != round_half_up(x, 2)]
    assert wrong == [], f"{len(wrong)} values differ, e.g. {wrong[:3]}"


def test_scores_of_many_units_are_exact_two_decimal_numbers():
    """Scoring several units at once (one polars column) must not leave 0.35000000000000003."""
    codes = [f"U{i}" for i in range(40)]
    units = pl.DataFrame({"unit_code": codes, "name": codes, "level": ["commune"] * 40,
                          "parent_code": ["24"] * 40, "province_code": ["24"] * 40})
    rows = [{"unit_code": u, "criterion": "DOSSIER_SYNC", "numerator": float(i), "denominator": 40.0,
             "given_ratio": None, "given_points": None, "inherited": False} for i, u in enumerate(codes)]
    table = score_window(DEF, "test", pl.DataFrame(rows, schema=INPUT_SCHEMA), units)
    got = dict(zip(table.criteria["unit_code"], table.criteria["points"]))
    expected = {u: round_half_up(6 * i / 40, 2) for i, u in enumerate(codes)}
    assert got == expected
    totals = dict(zip(table.units["unit_code"], table.units["total"]))
    assert totals == expected
