"""The Open SDG / Statistics Canada growth-rate method, with hand-computed cases."""
from __future__ import annotations

import math

import pytest

from chiso.evaluate.dm.trend import TrendSettings, series_trend, trend
from chiso.periods.reporting import time_in_years
from chiso.periods.windows import parse_window as w

BASE = (2020.0, 100.0)
NOW = (2022.0, 110.25)            # 5 % a year for two years


def target_at(rate: float, base: float = 100.0, years: int = 5) -> tuple[float, float]:
    """The level a target must have for the required growth to be ``rate`` a year from 2020 to 2025."""
    return (2025.0, base * (1 + rate) ** years)


@pytest.mark.parametrize("rate, ratio, status", [
    (0.05, 1.0, "on_track"),                    # R = 0.05 / 0.05
    (0.05 / 0.95, 0.95, "on_track"),            # exactly the on-track threshold
    (0.0625, 0.8, "acceleration_needed"),       # 0.05 / 0.0625
    (0.05 / 0.6, 0.6, "acceleration_needed"),   # exactly the medium threshold
    (0.1, 0.5, "limited_progress"),             # 0.05 / 0.1
])
def test_with_a_target_higher_is_better(rate, ratio, status):
    t = trend(base=BASE, current=NOW, polarity="higher", target=target_at(rate))
    assert t.ratio == pytest.approx(ratio, rel=1e-9)
    assert t.status == status
    assert t.cagr_observed == pytest.approx(0.05)
    assert t.cagr_required == pytest.approx(rate)


def test_deterioration_and_target_achieved():
    falling = trend(base=BASE, current=(2022.0, 90.25), polarity="higher", target=target_at(0.1))
    assert (falling.status, falling.ratio) == ("deterioration", pytest.approx(-0.5))
    done = trend(base=BASE, current=(2022.0, 170.0), polarity="higher", target=target_at(0.1))
    assert (done.status, done.ratio) == ("target_achieved", None)


@pytest.mark.parametrize("current, status, ratio", [
    (18.05, "limited_progress", 0.5),          # −5 %/yr against −10 %/yr required
    (22.05, "deterioration", -0.5),            # +5 %/yr: the wrong way
    (11.0, "target_achieved", None),           # at or below the target
])
def test_with_a_target_lower_is_better(current, status, ratio):
    t = trend(base=(2020.0, 20.0), current=(2022.0, current), polarity="lower", target=(2025.0, 20 * 0.9 ** 5))
    assert t.status == status
    assert t.ratio == (None if ratio is None else pytest.approx(ratio))


def test_negative_values_run_on_their_mirror():
    # a deficit shrinking from −100 to −90.25 (−5 %/yr in size) against −59.049 by 2025 (−10 %/yr)
    t = trend(base=(2020.0, -100.0), current=(2022.0, -90.25), polarity="higher",
              target=(2025.0, -100 * 0.9 ** 5))
    assert (t.status, t.ratio) == ("limited_progress", pytest.approx(0.5))


def test_zero_target_is_replaced_by_a_thousandth():
    # overdue dossiers 10 → 5 in a year, target 0 by 2025: CAGR_r = (0.001/10)^(1/5) − 1
    t = trend(base=(2020.0, 10.0), current=(2021.0, 5.0), polarity="lower", target=(2025.0, 0.0))
    required = 10 ** (-4 / 5) - 1
    assert t.cagr_required == pytest.approx(required)
    assert t.ratio == pytest.approx(0.5 / -required)       # 0.594…
    assert t.status == "limited_progress"


@pytest.mark.parametrize("base, current, reason", [
    ((2020.0, -5.0), (2022.0, 3.0), "sign"),
    ((2022.0, 5.0), (2022.0, 6.0), "two observations"),
])
def test_unable_to_assess(base, current, reason):
    t = trend(base=base, current=current, polarity="higher")
    assert t.status == "unable_to_assess"
    assert reason in t.reason


def test_target_before_the_base_cannot_be_assessed():
    t = trend(base=(2020.0, 100.0), current=(2022.0, 105.0), polarity="higher", target=(2019.0, 120.0))
    assert t.status == "unable_to_assess"


def test_base_on_the_target_and_moving_away_is_deterioration():
    t = trend(base=(2020.0, 100.0), current=(2022.0, 95.0), polarity="higher", target=(2025.0, 100.0))
    assert t.status == "deterioration"
    assert t.as_dict()["ratio"] is None     # −∞ is not JSON


@pytest.mark.parametrize("years, current, polarity, status", [
    (1, 102.0, "higher", "on_track"),                   # +2 %/yr ≥ 1.5 %
    (2, 102.01, "higher", "acceleration_needed"),       # +1 %/yr
    (2, 101.0, "higher", "limited_progress"),           # +0.499 %/yr < 0.5 %
    (2, 99.0, "higher", "deterioration"),
    (2, 96.0, "lower", "on_track"),                     # −2.02 %/yr, less is better
    (2, 101.0, "lower", "deterioration"),
])
def test_without_a_target(years, current, polarity, status):
    t = trend(base=(2020.0, 100.0), current=(2020.0 + years, current), polarity=polarity)
    assert t.method == "no_target"
    assert t.status == status
    d = 1 if polarity == "higher" else -1
    assert t.ratio == pytest.approx(d * ((current / 100) ** (1 / years) - 1))


def test_a_natural_limit_scales_the_growth_thresholds():
    # 90 % → 90·1.006² in two years (+0.6 %/yr); C = 1 − 0.9^4.44 = 0.37362; 1.5 %·C = 0.560 %
    current = (2022.0, 90 * 1.006 ** 2)
    plain = trend(base=(2020.0, 90.0), current=current, polarity="higher")
    limited = trend(base=(2020.0, 90.0), current=current, polarity="higher", limit=100.0)
    assert plain.status == "acceleration_needed"
    assert limited.status == "on_track"
    assert limited.coefficient == pytest.approx(1 - math.exp(4.44 * math.log(0.9)))
    at_limit = trend(base=(2020.0, 100.0), current=(2022.0, 100.0), polarity="higher", limit=100.0)
    assert (at_limit.coefficient, at_limit.status) == (0.0, "on_track")


def test_a_growth_target_replaces_the_required_rate():
    t = trend(base=BASE, current=NOW, polarity="higher", growth_target=0.08)
    assert (t.method, t.status, t.ratio) == ("growth_target", "acceleration_needed", pytest.approx(0.625))


def test_thresholds_are_settings():
    brief = TrendSettings(medium=0.5)
    t = trend(base=BASE, current=NOW, polarity="higher", target=target_at(0.0925), settings=brief)
    assert t.ratio == pytest.approx(0.05 / 0.0925)    # 0.54: acceleration needed at 0.5, limited at 0.6
    assert t.status == "acceleration_needed"
    assert trend(base=BASE, current=NOW, polarity="higher", target=target_at(0.0925)).status == "limited_progress"


def test_time_axis_is_years_between_period_ends():
    assert time_in_years(w("2026")) == 2027.0
    assert time_in_years(w("2026-06")) == 2026.5
    assert time_in_years(w("2026-Q1")) == 2026.25


def test_series_trend_of_a_cumulative_indicator_uses_complete_years_only():
    obs = [(w("2024-12"), 1000.0), (w("2025-06"), 500.0), (w("2025-12"), 1100.0), (w("2026-08"), 700.0)]
    t = series_trend(obs, polarity="higher", cumulative=True,
                     targets=[(w("2026-Q3"), 900.0), (w("2026"), 1300.0)])
    # base end of 2024 (t = 2025), current end of 2025 (t = 2026), target end of 2026 (t = 2027)
    assert (t.base_value, t.current_value, t.target_value) == (1000.0, 1100.0, 1300.0)
    assert t.ratio == pytest.approx(0.1 / (1.3 ** 0.5 - 1))
    assert t.status == "acceleration_needed"


def test_series_trend_picks_base_current_and_target():
    obs = [(w("2026-01"), 80.0), (w("2026-02"), None), (w("2026-07"), 90.0)]
    t = series_trend(obs, polarity="higher", targets=[(w("2025"), 85.0), (w("2026"), 95.0)])
    assert (t.base_value, t.current_value, t.target_value) == (80.0, 90.0, 95.0)
    assert t.current_time - t.base_time == pytest.approx(0.5)
    assert series_trend(obs[:1], polarity="higher").status == "unable_to_assess"
    later = series_trend(obs, polarity="higher", base_period=w("2026-03"))
    assert later.status == "unable_to_assess"
