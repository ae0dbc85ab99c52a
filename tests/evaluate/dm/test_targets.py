"""Targets: set, spread along cumulative paths (linear and seasonal), as-is, inherited."""
from __future__ import annotations

import pytest

from chiso.catalog.indicator import Aggregation, Target
from chiso.errors import ChisoError
from chiso.evaluate.dm.targets import (
    TargetBook,
    TargetRecord,
    catalogue_targets,
    seasonal_profile,
    seasonal_profiles,
)
from tests.evaluate.dm.conftest import make_indicator, make_values

REVENUE = make_indicator("NS.THU", cumulative=True, targets=(Target(period="2026", value=1200.0),))
RATE = make_indicator("HC.DUNG_HAN", unit="%", frequency="monthly",
                      aggregation=Aggregation(units="ratio_of_sums", periods="ratio_of_sums",
                                              numerator="HC.A", denominator="HC.B", scale=100),
                      levels=("province", "commune"), targets=(Target(period="2026", value=95.0),))
COUNT = make_indicator("DN.MOI", unit="doanh nghiệp", levels=("province", "commune"),
                       targets=(Target(period="2026-Q3", value=300.0),))
INDICATORS = {i.code: i for i in (REVENUE, RATE, COUNT)}


def book(extra=(), **kw) -> TargetBook:
    return TargetBook(INDICATORS, catalogue_targets(INDICATORS, "24") + list(extra), province="24", **kw)


@pytest.mark.parametrize("label, expected", [
    ("2026-01", 100.0), ("2026-08", 800.0), ("2026-Q1", 300.0), ("2026-Q3", 900.0),
    ("2026-12", 1200.0), ("2026", 1200.0),
    # week 2026-W05 ends on Sunday 1 February: one month + 1/28 of February → (1 + 1/28)/12
    ("2026-W05", 1200 * (1 + 1 / 28) / 12),
    # 16 August: 7 months + 16/31 → (7 + 16/31)/12
    ("2026-08-16", 1200 * (7 + 16 / 31) / 12),
])
def test_annual_target_of_a_cumulative_indicator_spreads_linearly(label, expected):
    t = book().target("NS.THU", "24", label)
    assert t.value == pytest.approx(expected)
    assert t.source_period == "2026"
    assert t.method == ("set" if label == "2026" else "path_linear")


def test_a_quarterly_target_is_an_anchor_of_the_path():
    q2 = TargetRecord("NS.THU", "24", "2026-Q2", 500.0, source="store")
    b = book([q2])
    assert b.target("NS.THU", "24", "2026-05").value == pytest.approx(500 * 5 / 6)  # 0 → 500 over 6 months
    assert b.target("NS.THU", "24", "2026-Q2").value == 500.0
    # after June the path runs from 500 (end of June) to 1200 (end of December)
    assert b.target("NS.THU", "24", "2026-09").value == pytest.approx(500 + 700 * 3 / 6)
    assert b.target("NS.THU", "24", "2026-09").source_period == "2026"


def test_no_extrapolation_past_the_last_target_of_the_year():
    only_q2 = make_indicator("NS.CHI", cumulative=True, targets=(Target(period="2026-Q2", value=50.0),))
    b = TargetBook({"NS.CHI": only_q2}, catalogue_targets({"NS.CHI": only_q2}, "24"), province="24")
    assert b.target("NS.CHI", "24", "2026-03").value == pytest.approx(25.0)
    assert b.target("NS.CHI", "24", "2026-08") is None
    assert b.target("NS.CHI", "24", "2027-03") is None


def test_seasonal_profile_from_last_year_shapes_this_years_path():
    # last year's revenue to date by quarter: 100, 400, 600, 1000 → shares .1 .4 .6 1
    history = make_values([("NS.THU", "24", q, v) for q, v in
                           (("2025-Q1", 100.0), ("2025-Q2", 400.0), ("2025-Q3", 600.0), ("2025-Q4", 1000.0))])
    profile = seasonal_profile(history, "NS.THU", "24", 2025)
    assert profile.points == ((0.0, 0.0), (3.0, 0.1), (6.0, 0.4), (9.0, 0.6), (12.0, 1.0))
    profiles = seasonal_profiles(INDICATORS, history)
    assert set(profiles) == {("NS.THU", "24", 2026)}
    b = book(spread="seasonal", profiles=profiles)
    q2 = b.target("NS.THU", "24", "2026-Q2")
    assert (q2.value, q2.method) == (pytest.approx(480.0), "path_seasonal")
    # August sits two thirds of the way from June (share .4) to September (share .6)
    assert b.target("NS.THU", "24", "2026-08").value == pytest.approx(1200 * (0.4 + 0.2 * 2 / 3))
    # another unit without a profile falls back to the linear path, and says so
    other = TargetRecord("NS.THU", "24-STC", "2026", 120.0, source="store")
    assert book([other], spread="seasonal", profiles=profiles).target("NS.THU", "24-STC", "2026-06").method \
        == "path_linear"


@pytest.mark.parametrize("rows", [
    [("NS.THU", "24", "2025-Q1", 100.0), ("NS.THU", "24", "2025-Q2", 400.0)],     # the year is not complete
    [("NS.THU", "24", "2025-Q1", 500.0), ("NS.THU", "24", "2025-Q2", 400.0),
     ("NS.THU", "24", "2025-Q3", 600.0), ("NS.THU", "24", "2025-Q4", 1000.0)],     # goes down
    [("NS.THU", "24", "2025-Q4", 0.0)],                                           # no total
])
def test_unusable_history_gives_no_seasonal_profile(rows):
    assert seasonal_profile(make_values(rows), "NS.THU", "24", 2025) is None


def test_non_cumulative_targets_apply_as_they_are_to_sub_periods():
    b = book()
    for label in ("2026-03", "2026-Q2", "2026-W40", "2026-12-01"):
        t = b.target("HC.DUNG_HAN", "24", label)
        assert (t.value, t.method, t.source_period) == (95.0, "as_is", "2026")
    assert b.target("HC.DUNG_HAN", "24", "2027-01") is None
    # the quarterly count target holds for its months, not for other quarters
    assert b.target("DN.MOI", "24", "2026-08").value == 300.0
    assert b.target("DN.MOI", "24", "2026-10") is None
    # the nearest enclosing target wins
    monthly = TargetRecord("HC.DUNG_HAN", "24", "2026-Q3", 97.0, source="store")
    assert book([monthly]).target("HC.DUNG_HAN", "24", "2026-08").value == 97.0


def test_intensive_indicators_inherit_the_province_target_additive_ones_do_not():
    b = book()
    t = b.target("HC.DUNG_HAN", "07210", "2026-05")
    assert (t.value, t.unit) == (95.0, "24")
    assert b.target("DN.MOI", "07210", "2026-08") is None
    own = TargetRecord("HC.DUNG_HAN", "07210", "2026", 90.0, source="store")
    assert book([own]).target("HC.DUNG_HAN", "07210", "2026-05").value == 90.0
    assert [r.value for r in book([own]).records_for("HC.DUNG_HAN", "07210")] == [90.0]
    assert [r.value for r in b.records_for("HC.DUNG_HAN", "07210")] == [95.0]
    assert b.records_for("DN.MOI", "07210") == []


def test_a_stored_target_replaces_the_catalogue_one_and_newest_wins():
    first = TargetRecord("NS.THU", "24", "2026", 1500.0, source="store")
    second = TargetRecord("NS.THU", "24", "2026", 1800.0, source="store")
    b = book([first, second])
    assert b.target("NS.THU", "24", "2026-06").value == pytest.approx(900.0)
    assert [(r.value, r.source) for r in b.records() if r.indicator == "NS.THU"] == [(1800.0, "store")]


def test_unknown_indicator_or_spread():
    assert book().target("NOPE", "24", "2026") is None
    with pytest.raises(ChisoError, match="spread"):
        book(spread="wavy")
