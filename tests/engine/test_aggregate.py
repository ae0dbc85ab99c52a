"""Aggregation up the unit hierarchy and across periods, rule by rule, on both engines,
against sums worked by hand."""
from __future__ import annotations

import polars as pl
import pytest

from chiso.engine.aggregate import aggregate_periods, aggregate_units, containing, parts_in
from chiso.engine.relation import SCHEMA
from chiso.errors import ChisoError
from chiso.periods.windows import parse_window
from chiso.units import load_units
from tests.factories import catalogue, indicator, relation, value_of

C1, C2, C3 = "07210", "07228", "07246"       # communes of Bắc Ninh (24)
DEPT = "24-SYT"                               # Sở Y tế


@pytest.fixture(scope="module")
def units():
    return load_units()


def unit_values():
    rows = []
    for unit, a, w, n, d in ((C1, 10.0, 1.0, 3.0, 4.0), (C2, 20.0, 3.0, 1.0, None),
                             (C3, None, 2.0, 2.0, 6.0), (DEPT, 100.0, 1.0, 5.0, 5.0)):
        rows += [("A", unit, "2026-08", a), ("W", unit, "2026-08", w), ("N", unit, "2026-08", n),
                 ("D", unit, "2026-08", d)]
    return relation(rows)


COMMUNES = ("province", "commune")


@pytest.mark.parametrize(("rule", "extra", "levels", "expected"), [
    ("sum", {}, COMMUNES, 30.0),                              # 10 + 20 (+ NULL)
    ("sum", {}, ("province", "department", "commune"), 130.0),
    ("mean", {}, COMMUNES, 15.0),                             # (10 + 20) / 2
    ("weighted_mean", {"weight": "W"}, COMMUNES, 17.5),       # (10·1 + 20·3) / (1 + 3)
    ("ratio_of_sums", {"numerator": "N", "denominator": "D", "scale": 100}, COMMUNES,
     50.0),                                                   # (3 + 2) / (4 + 6) — C2 has no D
])
def test_unit_rules(units, on, rule, extra, levels, expected):
    cat = catalogue(indicator("A", levels=levels, units=rule, **extra), indicator("W", levels=levels),
                    indicator("N", levels=levels), indicator("D", levels=levels))
    out = aggregate_units(cat, unit_values(), units, on=on)
    assert out.schema == SCHEMA
    assert value_of(out, "A", "24", "2026-08") == expected


def test_every_rule_at_once(units, on):
    """One query aggregates a whole catalogue: indicators reading the same codes with
    different rules do not see each other's rows, versions stay each indicator's own."""
    rows = unit_values().to_dicts()
    extra = relation([("M", r["unit_code"], r["period"], r["value"]) for r in rows if r["indicator"] == "A"]
                     + [("R", C1, "2026-08", 99.0)])
    cat = catalogue(indicator("A", levels=COMMUNES, units="weighted_mean", weight="W", version=3),
                    indicator("M", levels=COMMUNES, units="mean"),
                    indicator("R", levels=COMMUNES, units="ratio_of_sums", numerator="N", denominator="D",
                              scale=100),
                    indicator("W", levels=COMMUNES), indicator("N", levels=COMMUNES, units="none"),
                    indicator("D", levels=COMMUNES))
    out = aggregate_units(cat, pl.concat([unit_values(), extra]), units, on=on)
    assert value_of(out, "A", "24", "2026-08") == 17.5
    assert value_of(out, "M", "24", "2026-08") == 15.0
    assert value_of(out, "R", "24", "2026-08") == 50.0        # its own 99 is not a numerator
    assert value_of(out, "W", "24", "2026-08") == 6.0
    assert value_of(out, "D", "24", "2026-08") == 10.0
    assert sorted(out["indicator"].to_list()) == ["A", "D", "M", "R", "W"]
    assert out.filter(pl.col("indicator") == "A")["indicator_version"].to_list() == [3]


def test_unit_rules_that_do_not_aggregate(units, on):
    cat = catalogue(indicator("A", units="none"), indicator("W", units="last"),
                    indicator("N", levels=("province",)), indicator("D", units="sum"))
    out = aggregate_units(cat, unit_values(), units, on=on)
    assert out["indicator"].to_list() == ["D"]
    assert value_of(out, "D", "24", "2026-08") == 10.0        # 4 + 6 (C2's NULL skipped)


def test_a_reported_province_value_is_kept(units, on):
    values = relation([("A", C1, "2026-08", 1.0), ("A", C2, "2026-08", 2.0), ("A", "24", "2026-08", 5.0),
                       ("A", C1, "2026-07", 1.0)])
    cat = catalogue(indicator("A"))
    assert aggregate_units(cat, values, units, on=on).rows()[0][2] == "2026-07"
    both = aggregate_units(cat, values, units, on=on, missing_only=False)
    assert value_of(both, "A", "24", "2026-08") == 3.0


def test_up_to_the_nation(units, on):
    values = relation([("A", C1, "2026", 1.0), ("A", "01", "2026", 5.0)])
    out = aggregate_units(catalogue(indicator("A")), values, units, on=on, to_level="nation")
    assert value_of(out, "A", "24", "2026") == 1.0
    assert value_of(out, "A", "VN", "2026") == 6.0            # Hà Nội's 5 + Bắc Ninh's derived 1


def test_unknown_units_are_refused(units):
    with pytest.raises(ChisoError, match="unknown unit code 99999"):
        aggregate_units(catalogue(indicator("A")), relation([("A", "99999", "2026", 1.0)]), units)


def month_values():
    rows = []
    for m, a, w, n, d in ((7, 10.0, 1.0, 1.0, 2.0), (8, 20.0, 2.0, 3.0, 4.0), (9, 30.0, 3.0, 2.0, 4.0)):
        p = f"2026-{m:02d}"
        rows += [("A", C1, p, a), ("W", C1, p, w), ("N", C1, p, n), ("D", C1, p, d)]
    rows += [("A", C1, "2026-10", 7.0), ("A", C1, "2026-11", 8.0)]      # an unfinished Q4
    return relation(rows)


@pytest.mark.parametrize(("rule", "extra", "expected"), [
    ("sum", {}, 60.0),
    ("mean", {}, 20.0),
    ("weighted_mean", {"weight": "W"}, 140.0 / 6),            # (10 + 40 + 90) / 6
    ("ratio_of_sums", {"numerator": "N", "denominator": "D", "scale": 100}, 60.0),   # 6 / 10
    ("last", {}, 30.0),                                       # September's
])
def test_period_rules(on, rule, extra, expected):
    cat = catalogue(indicator("A", periods=rule, **extra), indicator("W"), indicator("N"), indicator("D"))
    out = aggregate_periods(cat, month_values(), "month", "quarter", on=on)
    assert value_of(out, "A", C1, "2026-Q3") == pytest.approx(expected, rel=1e-15)
    assert out.filter(out["period"] == "2026-Q4").height == 0  # not complete


def test_incomplete_wholes_on_request(on):
    out = aggregate_periods(catalogue(indicator("A", periods="last")), month_values(), "month", "quarter",
                            on=on, complete=False)
    assert value_of(out, "A", C1, "2026-Q4") == 8.0
    year = aggregate_periods(catalogue(indicator("A")), month_values(), "month", "year", on=on, complete=False)
    assert value_of(year, "A", C1, "2026") == 75.0


def test_period_nesting():
    assert containing(parse_window("2026-08-17"), "week").label == "2026-W34"
    assert containing(parse_window("2026-W53"), "year").label == "2026"   # ends in 2027
    assert parts_in(parse_window("2026"), "week") == 53
    assert parts_in(parse_window("2026-02"), "day") == 28
    with pytest.raises(ChisoError, match="week periods do not add up to month periods"):
        aggregate_periods(catalogue(indicator("A")), month_values(), "week", "month")
    with pytest.raises(ChisoError, match="not one of"):
        aggregate_periods(catalogue(indicator("A")), month_values(), "month", "decade")
