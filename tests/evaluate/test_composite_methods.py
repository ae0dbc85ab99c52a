"""The composite builder's methods against figures worked out by hand, and against published
worked examples:

- min-max over fixed goalposts and geometric aggregation: UNDP, *Human Development Report 2016*,
  Technical notes, Technical note 1 "Human Development Index", the worked example for Ghana
  (life expectancy 61.5 years, mean years of schooling 7.0, expected years 11.5, GNI per capita
  3,839 PPP$; goalposts 20–85 years, 0–15, 0–18, 100–75,000 $ on the logarithm): health index
  0.638, education index 0.553 (the arithmetic mean of 7.0/15 and 11.5/18), income index 0.551,
  HDI = (0.638 · 0.553 · 0.551)^(1/3) = 0.579 — the figure Table 1 of the report gives Ghana for
  2015;
- skewness and kurtosis: the examples of Microsoft's Excel function reference for ``SKEW`` and
  ``KURT`` (data 3, 4, 5, 2, 3, 4, 5, 6, 4, 7: 0.359543 and −0.151799637), the statistics COINr's
  skew/kurtosis rule uses.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from chiso.catalog.composite import COMPOSITES_DIR, book_of, check_against_catalogue, load_composites, parse_composite
from chiso.catalog.indicator import Aggregation, Indicator
from chiso.errors import DefinitionError
from chiso.evaluate.composite import (
    CompositeError,
    aggregate,
    compute,
    impute,
    kurtosis,
    normalise,
    pca_weights,
    ranks,
    sensitivity,
    skewness,
    winsorise_limits,
    winsorise_skew_kurtosis,
)
from chiso.evaluate.composite_run import weeks_into
from chiso.periods.windows import parse_window
from chiso.store.repo_values import VALUES_SCHEMA

HDI = """
code: HDI
target: XH.HDI
version: 1
valid_from: 2015-01-01
name: Chỉ số phát triển con người
normalisation: {method: goalposts, low: 0, high: 1}
aggregation: geometric
pillars:
  - {code: HEALTH, name: Sức khoẻ}
  - {code: EDUCATION, name: Giáo dục, aggregation: arithmetic}
  - {code: INCOME, name: Thu nhập}
components:
  - {indicator: XH.LE, pillar: HEALTH, goalposts: {low: 20, high: 85}}
  - {indicator: XH.MYS, pillar: EDUCATION, goalposts: {low: 0, high: 15}}
  - {indicator: XH.EYS, pillar: EDUCATION, goalposts: {low: 0, high: 18}}
  - {indicator: XH.GNI, pillar: INCOME, goalposts: {low: 100, high: 75000}, transform: log}
"""

SMALL = """
code: SMALL
target: HC.TONG_HOP
version: 1
valid_from: 2026-01-01
name: Chỉ số thử
normalisation: {method: minmax, low: 0, high: 100}
pillars:
  - {code: A, name: Trụ cột A}
  - {code: B, name: Trụ cột B}
components:
  - {indicator: X.A1, pillar: A}
  - {indicator: X.A2, pillar: A, direction: lower}
  - {indicator: X.B1, pillar: B}
sensitivity: {runs: 200, seed: 7, normalisation: [zscore, rank], aggregation: [geometric]}
"""


def comp(**kw):
    doc = {"indicator": "X.A", "pillar": "A", **kw}
    spec = parse_composite(SMALL.replace("  - {indicator: X.A1, pillar: A}",
                                         "  - " + _flow(doc)), "t.yaml").spec
    return spec.components[0]


def _flow(doc: dict) -> str:
    def v(x):
        return "{" + ", ".join(f"{k}: {v(y)}" for k, y in x.items()) + "}" if isinstance(x, dict) else str(x)
    return v(doc)


# ---------------------------------------------------------------- the published worked example
def test_hdi_worked_example_goalposts_and_geometric_mean():
    hdi = parse_composite(HDI, "hdi.yaml")
    result = compute(hdi, ["GHA"], np.array([[61.5, 7.0, 11.5, 3839.0]]))
    nodes = result.scores.nodes
    assert round(nodes["HEALTH"][0], 3) == 0.638
    assert round(nodes["EDUCATION"][0], 3) == 0.553
    assert round(nodes["INCOME"][0], 3) == 0.551
    assert round(result.scores.index[0], 3) == 0.579
    # the geometric mean of the three dimension indices, exactly
    assert result.scores.index[0] == pytest.approx(
        (nodes["HEALTH"][0] * nodes["EDUCATION"][0] * nodes["INCOME"][0]) ** (1 / 3), rel=1e-12)


def test_excel_skew_and_kurt_examples():
    data = np.array([3, 4, 5, 2, 3, 4, 5, 6, 4, 7], dtype=float)
    assert skewness(data) == pytest.approx(0.359543, abs=1e-6)
    assert kurtosis(data) == pytest.approx(-0.151799637, abs=1e-9)


# ---------------------------------------------------------------- normalisation, by hand
def test_minmax_both_directions():
    x = np.array([2.0, 4.0, 6.0, 10.0, np.nan])
    assert normalise(x, "minmax", comp()).tolist()[:4] == [0.0, 25.0, 50.0, 100.0]
    assert normalise(x, "minmax", comp(direction="lower")).tolist()[:4] == [100.0, 75.0, 50.0, 0.0]
    assert math.isnan(normalise(x, "minmax", comp())[4])
    # onto 1–100: 1 + 99 × share
    assert normalise(x, "minmax", comp(), low=1, high=100).tolist()[:4] == [1.0, 25.75, 50.5, 100.0]
    # every unit the same: the middle of the scale
    assert normalise(np.array([5.0, 5.0]), "minmax", comp()).tolist() == [50.0, 50.0]


def test_zscore_uses_the_sample_sd():
    z = normalise(np.array([2.0, 4.0, 6.0, 8.0]), "zscore", comp())
    sd = math.sqrt(((3 ** 2) + 1 + 1 + (3 ** 2)) / 3)        # 2.5820
    assert z.tolist() == pytest.approx([-3 / sd, -1 / sd, 1 / sd, 3 / sd])
    assert normalise(np.array([2.0, 4.0, 6.0, 8.0]), "zscore", comp(), mean=10, sd=2).tolist() == \
        pytest.approx([10 - 6 / sd, 10 - 2 / sd, 10 + 2 / sd, 10 + 6 / sd])


def test_goalposts_clip_and_turn_round():
    c = comp(goalposts={"low": 0, "high": 100})
    assert normalise(np.array([50.0, 120.0, -10.0]), "goalposts", c).tolist() == [50.0, 100.0, 0.0]
    lower = comp(goalposts={"low": 0, "high": 200}, direction="lower")
    assert normalise(np.array([50.0, 250.0]), "goalposts", lower, low=0, high=1).tolist() == [0.75, 0.0]


def test_distance_to_target():
    c = comp(target=100, cap=1.1)
    assert normalise(np.array([90.0, 100.0, 120.0]), "distance_to_target", c).tolist() == \
        pytest.approx([90.0, 100.0, 110.0])
    lower = comp(target=10, direction="lower")
    assert normalise(np.array([5.0, 20.0]), "distance_to_target", lower).tolist() == [200.0, 50.0]
    with pytest.raises(CompositeError, match="cap"):
        normalise(np.array([0.0]), "distance_to_target", lower, units=["24-STC"])


def test_rank_averages_ties():
    assert normalise(np.array([3.0, 1.0, 3.0, 2.0]), "rank", comp()).tolist() == [3.5, 1.0, 3.5, 2.0]
    assert normalise(np.array([3.0, 1.0, 2.0]), "rank", comp(direction="lower")).tolist() == [1.0, 3.0, 2.0]


# ---------------------------------------------------------------- imputation, outliers
def test_mean_and_group_mean_imputation():
    x = np.array([[1.0, 10.0], [np.nan, 20.0], [5.0, np.nan], [np.nan, 40.0]])
    filled, mask = impute(x, "mean")
    assert filled[:, 0].tolist() == [1.0, 3.0, 5.0, 3.0]
    assert filled[2, 1] == pytest.approx(70 / 3)
    assert mask.tolist() == [[False, False], [True, False], [False, True], [True, False]]
    filled, mask = impute(x, "group_mean", ["A", "A", "B", "B"])
    assert filled[:, 0].tolist() == [1.0, 1.0, 5.0, 5.0]
    assert filled[:, 1].tolist() == [10.0, 20.0, 40.0, 40.0]
    untouched, none = impute(x, "none")
    assert np.isnan(untouched[1, 0]) and not none.any()


def test_winsorise_by_limits():
    out, changed = winsorise_limits(np.array([1.0, 2.0, 3.0, 4.0, 100.0]), 0.25, 0.75)
    assert out.tolist() == [2.0, 2.0, 3.0, 4.0, 4.0] and changed == 2


def test_winsorise_by_skew_and_kurtosis():
    data = np.array([1.0] * 9 + [50.0])
    assert skewness(data) > 2 and kurtosis(data) > 3.5
    out, changed = winsorise_skew_kurtosis(data)
    assert out.tolist() == [1.0] * 10 and changed == 1
    calm = np.array([3, 4, 5, 2, 3, 4, 5, 6, 4, 7], dtype=float)
    assert winsorise_skew_kurtosis(calm)[1] == 0


# ---------------------------------------------------------------- weights, aggregation, ranks
def test_arithmetic_geometric_and_coverage():
    assert aggregate(np.array([[50.0, 100.0]]), np.array([1.0, 3.0]), "arithmetic").tolist() == [87.5]
    assert aggregate(np.array([[10.0, 1000.0]]), np.array([1.0, 1.0]), "geometric").tolist() == pytest.approx([100.0])
    part = np.array([[np.nan, 80.0, 40.0]])
    assert aggregate(part, np.ones(3), "arithmetic", min_coverage=0.6).tolist() == [60.0]
    assert math.isnan(aggregate(part, np.ones(3), "arithmetic", min_coverage=1.0)[0])
    assert aggregate(np.array([[0.0, 50.0]]), np.ones(2), "geometric").tolist() == [0.0]
    with pytest.raises(CompositeError, match="X.B của đơn vị 24-STC"):
        aggregate(np.array([[1.0, -1.0]]), np.ones(2), "geometric", names=["X.A", "X.B"], units=["24-STC"])


def test_pca_weights_squared_loadings_of_the_first_component():
    a = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    b = np.array([2.0, -1.0, -2.0, -1.0, 2.0])             # uncorrelated with a
    w = pca_weights(np.column_stack([a, 2 * a + 3, b]))
    assert w.tolist() == pytest.approx([0.5, 0.5, 0.0], abs=1e-12)
    assert pca_weights(np.column_stack([a, np.ones(5)])) is None   # a constant column


def test_ranks_one_is_best_and_ties_share():
    r = ranks(np.array([10.0, 30.0, 20.0, 30.0, np.nan]))
    assert r[:4].tolist() == [4.0, 1.0, 3.0, 1.0] and math.isnan(r[4])


def test_small_composite_by_hand():
    small = parse_composite(SMALL, "small.yaml")
    units = ["U1", "U2", "U3"]
    raw = np.array([[10.0, 5.0, 1.0], [20.0, 1.0, 3.0], [30.0, 3.0, 2.0]])
    result = compute(small, units, raw)
    # A1 min-max: 0, 50, 100; A2 (lower): 0, 100, 50; B1: 0, 100, 50
    assert result.scores.nodes["A"].tolist() == [0.0, 75.0, 75.0]
    assert result.scores.nodes["B"].tolist() == [0.0, 100.0, 50.0]
    assert result.scores.index.tolist() == [0.0, 87.5, 62.5]
    assert [r["unit"] for r in result.rows()] == ["U2", "U3", "U1"]


# ---------------------------------------------------------------- sensitivity
def test_sensitivity_is_seeded_and_holds_the_nominal_rank():
    small = parse_composite(SMALL, "small.yaml")
    rng = np.random.default_rng(1)
    units = [f"U{i}" for i in range(12)]
    raw = np.column_stack([rng.normal(50, 10, 12), rng.normal(20, 5, 12), rng.normal(5, 2, 12)])
    first = sensitivity(small, units, raw)
    again = sensitivity(small, units, raw)
    assert np.array_equal(first.ranks, again.ranks)
    assert first.runs == 200 and len(first.pairs) == 5          # (minmax, zscore, rank) × 2, less zscore×geo
    for i in first.intervals:
        assert i.p05 <= i.nominal <= i.p95, i
        assert i.best <= i.p05 <= i.median <= i.p95 <= i.worst
    other = sensitivity(small, units, raw, seed=8)
    assert not np.array_equal(first.ranks, other.ranks)


# ---------------------------------------------------------------- the definition file
def test_errors_name_the_file_and_the_field():
    bad = SMALL.replace("direction: lower", "direction: down")
    with pytest.raises(DefinitionError) as err:
        parse_composite(bad, "so-nganh.yaml")
    assert err.value.path == "so-nganh.yaml" and err.value.where == "components[1].direction"
    with pytest.raises(DefinitionError, match="trụ cột C không có") as err:
        parse_composite(SMALL.replace("{indicator: X.B1, pillar: B}", "{indicator: X.B1, pillar: C}"), "f.yaml")
    assert err.value.where == "components[2].pillar"
    with pytest.raises(DefinitionError, match="goalposts") as err:
        parse_composite(SMALL.replace("method: minmax", "method: goalposts"), "f.yaml")
    assert err.value.where == "components[0].goalposts"
    with pytest.raises(DefinitionError, match="điểm chuẩn z") as err:
        parse_composite(SMALL.replace("method: minmax", "method: zscore") + "aggregation: geometric\n", "f.yaml")
    assert err.value.where == "aggregation"
    with pytest.raises(DefinitionError, match="vòng tròn"):
        parse_composite(SMALL.replace("{code: A, name: Trụ cột A}", "{code: A, name: Trụ cột A, parent: P}")
                        .replace("  - {code: B, name: Trụ cột B}",
                                 "  - {code: B, name: Trụ cột B}\n  - {code: P, name: P, parent: Q}\n"
                                 "  - {code: Q, name: Q, parent: P}"), "f.yaml")


def test_versions_in_force_and_their_order():
    one = parse_composite(SMALL, "v1.yaml")
    two = parse_composite(SMALL.replace("version: 1", "version: 2").replace("2026-01-01", "2026-07-01"), "v2.yaml")
    book = book_of([two, one])
    assert book.in_force("SMALL", dt.date(2026, 6, 30)).version == 1
    assert book.in_force("HC.TONG_HOP", dt.date(2026, 7, 1)).version == 2
    with pytest.raises(DefinitionError, match="chưa có phiên bản"):
        book.in_force("SMALL", dt.date(2025, 12, 31))
    backwards = parse_composite(SMALL.replace("version: 1", "version: 3").replace("2026-01-01", "2025-01-01"), "v3.yaml")
    with pytest.raises(DefinitionError) as err:
        book_of([one, backwards])
    assert err.value.path == "v3.yaml" and err.value.where == "valid_from"


def test_the_shipped_definitions_load():
    book = load_composites()
    assert Path(book.get("CHI_SO_SO_NGANH")[0].path).parent == COMPOSITES_DIR
    shipped = book.in_force("HC.CHI_SO_SO_NGANH", dt.date(2026, 10, 1))
    assert shipped.spec.level == "department" and len(shipped.components) == 7


# ---------------------------------------------------------------- weeks into a month
def _indicator(code: str, **aggregation):
    return Indicator(code=code, name=code, name_en=code, definition="thử", group="output", field="ADMINISTRATION",
                     unit="hồ sơ", frequency="weekly", source_system="thử", owner="24-TTPVHCC",
                     levels=("province", "department"), aggregation=Aggregation(**aggregation))


def test_weeks_ending_in_the_month_by_each_rule():
    weeks = ["2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"]   # W44 ends on 1 November
    rows = []
    for code, values in {"X.SUM": [1, 2, 3, 4, 100], "X.LAST": [5, 6, 7, 8, 100], "X.MEAN": [2, 4, 6, 8, 100],
                         "X.NUM": [9, 9, 8, 10, 1], "X.DEN": [10, 10, 10, 10, 1], "X.W": [1, 1, 1, 5, 1]}.items():
        for label, v in zip(weeks, values, strict=True):
            w = parse_window(label)
            rows.append((code, "24-STC", w.label, "week", w.start, w.end, float(v), 1))
    values = pl.DataFrame(rows, schema=VALUES_SCHEMA, orient="row")
    indicators = {"X.SUM": _indicator("X.SUM"), "X.LAST": _indicator("X.LAST", units="sum", periods="last"),
                  "X.MEAN": _indicator("X.MEAN", units="mean", periods="mean"),
                  "X.RATE": _indicator("X.RATE", units="ratio_of_sums", periods="ratio_of_sums", numerator="X.NUM",
                                       denominator="X.DEN", scale=100),
                  "X.WMEAN": _indicator("X.WMEAN", units="weighted_mean", periods="weighted_mean", weight="X.W"),
                  "X.NONE": _indicator("X.NONE", units="none", periods="none")}
    values = pl.concat([values, values.filter(pl.col("indicator") == "X.MEAN").with_columns(
        pl.lit("X.WMEAN").alias("indicator"))])
    october = parse_window("2026-10")
    got = {code: weeks_into(values, indicators, code, october).get("24-STC") for code in indicators}
    assert got == {"X.SUM": 10.0, "X.LAST": 8.0, "X.MEAN": 5.0, "X.RATE": 36 / 40 * 100,
                   "X.WMEAN": (2 + 4 + 6 + 8 * 5) / 8, "X.NONE": None}


def test_checked_against_the_catalogue():
    small = parse_composite(SMALL.replace("target: HC.TONG_HOP", "target: HC.TONG_HOP\nlevel: department"), "s.yaml")
    parts = {c: _indicator(c) for c in ("X.A1", "X.A2", "X.B1")}
    target = _indicator("HC.TONG_HOP").model_copy(update={"group": "synthetic", "levels": ("department",)})
    check_against_catalogue(small, {**parts, "HC.TONG_HOP": target})
    with pytest.raises(DefinitionError, match="nhóm chỉ số tổng hợp") as err:
        check_against_catalogue(small, {**parts, "HC.TONG_HOP": _indicator("HC.TONG_HOP")})
    assert err.value.where == "target" and err.value.path == "s.yaml"
    with pytest.raises(DefinitionError, match="X.B1 không có trong bộ chỉ số") as err:
        check_against_catalogue(small, {"X.A1": parts["X.A1"], "X.A2": parts["X.A2"], "HC.TONG_HOP": target})
    assert err.value.where == "components[2].indicator"
    provincial = parts["X.A2"].model_copy(update={"levels": ("province",)})
    with pytest.raises(DefinitionError, match="cấp department") as err:
        check_against_catalogue(small, {**parts, "X.A2": provincial, "HC.TONG_HOP": target})
    assert err.value.where == "components[1].indicator"


def test_a_provinces_own_folder_is_read_besides_the_shipped_one(tmp_path, monkeypatch):
    (tmp_path / "small.yaml").write_text(SMALL, encoding="utf-8")
    monkeypatch.setenv("CHISO_COMPOSITES_DIR", str(tmp_path))
    assert load_composites().codes() == ["CHI_SO_SO_NGANH", "SMALL"]
    (tmp_path / "twice.yaml").write_text(SMALL.replace("code: SMALL", "code: OTHER"), encoding="utf-8")
    with pytest.raises(DefinitionError, match="đã do chỉ số tổng hợp"):
        load_composites()
    monkeypatch.setenv("CHISO_COMPOSITES_DIR", str(tmp_path / "khong-co"))
    with pytest.raises(DefinitionError, match="không tồn tại"):
        load_composites()
