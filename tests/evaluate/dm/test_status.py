"""Status: achievement both polarities, edge cases, each status, cumulative values on their path."""
from __future__ import annotations

import pytest

from chiso.catalog.indicator import Target, Thresholds
from chiso.evaluate.dm.status import achievement, assess, assess_values
from chiso.evaluate.dm.targets import TargetBook, catalogue_targets
from tests.evaluate.dm.conftest import make_indicator, make_values

T = Thresholds(on_track=0.95, at_risk=0.85)


@pytest.mark.parametrize("value, target, polarity, ratio, status", [
    # higher is better: value / target
    (100, 100, "higher", 1.0, "achieved"),
    (120, 100, "higher", 1.2, "achieved"),
    (95, 100, "higher", 0.95, "on_track"),
    (90, 100, "higher", 0.9, "at_risk"),
    (85, 100, "higher", 0.85, "at_risk"),
    (84, 100, "higher", 0.84, "off_track"),
    (-10, 100, "higher", -0.1, "off_track"),
    # lower is better: target / value
    (4, 5, "lower", 1.25, "achieved"),
    (5, 5, "lower", 1.0, "achieved"),
    (5.2, 5, "lower", 5 / 5.2, "on_track"),
    (5.5, 5, "lower", 5 / 5.5, "at_risk"),
    (10, 5, "lower", 0.5, "off_track"),
    # negative targets: 1 + d·(value − target)/|target|
    (-2.1, -2, "higher", 0.95, "on_track"),
    (-1, -2, "higher", 1.5, "achieved"),
    (-4, -2, "higher", 0.0, "off_track"),
    (-3, -2, "lower", 1.5, "achieved"),
    (-1.8, -2, "lower", 0.9, "at_risk"),
])
def test_achievement_and_status(value, target, polarity, ratio, status):
    got_ratio, got_status = assess(value, target, polarity, T)
    assert got_ratio == pytest.approx(ratio)
    assert got_status == status


@pytest.mark.parametrize("value, target, polarity, status", [
    (0, 0, "higher", "achieved"), (3, 0, "higher", "achieved"), (-1, 0, "higher", "off_track"),
    (0, 0, "lower", "achieved"), (-1, 0, "lower", "achieved"), (2, 0, "lower", "off_track"),
    (0, 5, "lower", "achieved"),      # no overdue dossiers left against a positive ceiling
])
def test_no_ratio_where_it_would_mislead(value, target, polarity, status):
    assert achievement(value, target, polarity) is None
    assert assess(value, target, polarity, T) == (None, status)


def test_missing_value_or_target():
    assert assess(None, 100, "higher") == (None, "no_data")
    assert assess(80, None, "higher") == (None, "no_target")


def test_thresholds_come_from_the_indicator():
    strict = Thresholds(on_track=0.99, at_risk=0.97)
    assert assess(98, 100, "higher", strict)[1] == "at_risk"
    assert assess(98, 100, "higher", T)[1] == "on_track"


def test_cumulative_values_are_compared_with_the_path_target():
    revenue = make_indicator("NS.THU", cumulative=True, targets=(Target(period="2026", value=1200.0),))
    overdue = make_indicator("HC.QUA_HAN", polarity="lower", unit="hồ sơ", targets=(Target(period="2026", value=50),))
    inds = {"NS.THU": revenue, "HC.QUA_HAN": overdue}
    book = TargetBook(inds, catalogue_targets(inds, "24"), province="24")
    rel = make_values([
        ("NS.THU", "24", "2026-06", 600.0),     # path 600: achieved
        ("NS.THU", "24", "2026-08", 700.0),     # path 800: 0.875 at risk
        ("NS.THU", "24", "2026-09", 700.0),     # path 900: 0.778 off track
        ("NS.THU", "07210", "2026-09", 10.0),   # an additive indicator's commune: no target
        ("HC.QUA_HAN", "24", "2026-09", 52.0),  # 50/52 = 0.9615 on track
        ("HC.QUA_HAN", "24", "2026-10", None),
        ("OTHER", "24", "2026-10", 1.0),        # not an indicator given: dropped
    ])
    out = assess_values(inds, rel, book)
    got = {(r["indicator"], r["unit_code"], r["period"]): (r["target"], r["status"], r["target_method"])
           for r in out.to_dicts()}
    assert got == {
        ("NS.THU", "24", "2026-06"): (pytest.approx(600.0), "achieved", "path_linear"),
        ("NS.THU", "24", "2026-08"): (pytest.approx(800.0), "at_risk", "path_linear"),
        ("NS.THU", "24", "2026-09"): (pytest.approx(900.0), "off_track", "path_linear"),
        ("NS.THU", "07210", "2026-09"): (None, "no_target", None),
        ("HC.QUA_HAN", "24", "2026-09"): (50.0, "on_track", "as_is"),
        ("HC.QUA_HAN", "24", "2026-10"): (50.0, "no_data", "as_is"),
    }
    assert out.filter(out["period"] == "2026-08")["achievement"][0] == pytest.approx(700 / 800)
