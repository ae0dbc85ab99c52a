"""All values of a province: submitted, index-fed, aggregated up units and periods, computed."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from chiso.catalog.index_definition import load_index_definition
from chiso.catalog.indicator import Aggregation, IndexSource
from chiso.evaluate.dm.derived import all_values, index_values
from chiso.store.database import init_store
from chiso.units import load_units

from .conftest import make_indicator, make_values


@pytest.fixture(scope="module")
def tree():
    return load_units()


def _value(rel: pl.DataFrame, indicator: str, unit: str, period: str) -> float | None:
    hit = rel.filter((pl.col("indicator") == indicator) & (pl.col("unit_code") == unit)
                     & (pl.col("period") == period))
    assert hit.height == 1, (indicator, unit, period, hit)
    return hit["value"][0]


def test_units_sum_to_the_province_then_formula_runs(tree):
    communes = [u.code for u in tree.children("24", level="commune")][:3]
    enterprises = make_indicator("DN.MOI", levels=("province", "commune"), field="ENTERPRISE",
                                 aggregation=Aggregation(units="sum", periods="sum"))
    target = make_indicator("DN.KE_HOACH", field="ENTERPRISE")
    share = make_indicator("DN.TY_LE", field="ENTERPRISE", unit="%", formula="DN.MOI / DN.KE_HOACH * 100",
                           aggregation=Aggregation(units="none", periods="none"))
    indicators = {i.code: i for i in (enterprises, target, share)}
    rel = make_values([("DN.MOI", communes[0], "2026-08", 10.0), ("DN.MOI", communes[1], "2026-08", 20.0),
                       ("DN.MOI", communes[2], "2026-08", 30.0), ("DN.KE_HOACH", "24", "2026-08", 80.0)])
    out = all_values(indicators, rel, tree)
    assert _value(out, "DN.MOI", "24", "2026-08") == 60.0          # the communes' sum
    assert _value(out, "DN.TY_LE", "24", "2026-08") == pytest.approx(75.0)


def test_a_submitted_province_value_is_never_replaced(tree):
    communes = [u.code for u in tree.children("24", level="commune")][:2]
    enterprises = make_indicator("DN.MOI", levels=("province", "commune"))
    rel = make_values([("DN.MOI", communes[0], "2026-08", 10.0), ("DN.MOI", communes[1], "2026-08", 20.0),
                       ("DN.MOI", "24", "2026-08", 99.0)])
    out = all_values({"DN.MOI": enterprises}, rel, tree)
    assert _value(out, "DN.MOI", "24", "2026-08") == 99.0


def test_months_make_quarters_and_a_year(tree):
    revenue = make_indicator("NS.THU", aggregation=Aggregation(units="sum", periods="sum"))
    rel = make_values([("NS.THU", "24", f"2025-{m:02d}", float(m)) for m in range(1, 13)])
    out = all_values({"NS.THU": revenue}, rel, tree)
    assert _value(out, "NS.THU", "24", "2025-Q1") == 6.0
    assert _value(out, "NS.THU", "24", "2025") == 78.0


def test_index_fed_indicators_come_from_the_latest_weekly_run(tmp_path, tree):
    from chiso.store import repositories as repo

    definition = load_index_definition()
    total = make_indicator("HC.CHI_SO_766", group="synthetic", field="ADMINISTRATION", unit="điểm",
                           index=IndexSource(group=None), aggregation=Aggregation(units="none", periods="none"))
    progress = make_indicator("HC.TIEN_DO", group="synthetic", field="ADMINISTRATION", unit="điểm",
                              index=IndexSource(group="PROGRESS"), aggregation=Aggregation(units="none",
                                                                                           periods="none"))
    db = init_store(f"sqlite:///{tmp_path / 'chiso.sqlite'}")
    progress_criteria = [c for g in definition.groups if g.code == "PROGRESS" for c in g.criteria]
    try:
        with db.session() as s:
            repo.save_units(s, list(tree), source="official")
            d = repo.add_definition(s, "index", definition.code, definition.version, definition.valid_from,
                                    definition.source)
            for total_points, note in ((80.0, "first"), (91.5, "recomputed")):
                repo.save_score_run(
                    s, definition_id=d.id, window="2026-W34", window_start=dt.date(2026, 8, 17),
                    window_end=dt.date(2026, 8, 23), source="records", note=note,
                    unit_rows=[{"unit_code": "24", "level": "province", "total": total_points, "peers": 34}],
                    criterion_rows=[{"unit_code": "24", "criterion": c.code, "max_points": c.max,
                                     "points": c.max / 2} for c in progress_criteria])
        with db.session() as s:
            rows = index_values(s, {"HC.CHI_SO_766": total, "HC.TIEN_DO": progress}, tree, "24", definition)
    finally:
        db.dispose()
    assert _value(rows, "HC.CHI_SO_766", "24", "2026-W34") == 91.5   # the later run of the window
    half = sum(c.max for c in progress_criteria) / 2
    assert _value(rows, "HC.TIEN_DO", "24", "2026-W34") == pytest.approx(half)
