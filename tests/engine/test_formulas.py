"""Formula indicators over the values relation: hand-computed cases on both engines, the
dependency order and its errors, and parity DuckDB = PostgreSQL = reference on generated
formulas and values."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiso.engine.formulas import compute
from chiso.engine.reference import compute_reference
from chiso.engine.relation import SCHEMA
from chiso.errors import FormulaError, LoadError
from chiso.formula.printer import to_text
from tests.factories import catalogue, indicator, relation, value_of
from tests.formula.strategies import leaf_values, trees

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def budget():
    """Bắc Ninh's budget revenue by month (NS_THU) and the year's estimate (NS_DU_TOAN)."""
    rows = [("NS_THU", "24", p, v) for p, v in zip(MONTHS[:8], (3000, 2800, 3100, 2900, 3300, 3200, 3400, 3500))]
    rows += [("NS_THU", "24", "2025-08", 3000.0), ("NS_DU_TOAN", "24", "2026", 50000.0)]
    return relation(rows)


def test_budget_revenue_as_a_share_of_the_year_estimate(on):
    cat = catalogue(indicator("NS_THU"), indicator("NS_DU_TOAN"),
                    indicator("NS_TIEN_DO", "round(ytd(NS_THU) / annual(NS_DU_TOAN) * 100, 2)", version=3))
    out = compute(cat, budget(), on=on)
    assert out.schema == SCHEMA
    # Jan–Aug: 3000+2800+3100+2900+3300+3200+3400+3500 = 25200; 25200 / 50000 = 50.4 %
    assert value_of(out, "NS_TIEN_DO", "24", "2026-08") == 50.4
    assert value_of(out, "NS_TIEN_DO", "24", "2026-02") == 11.6       # 5800 / 50000
    assert value_of(out, "NS_TIEN_DO", "24", "2025-08") is None       # no 2025 estimate
    assert set(out["indicator_version"]) == {3}
    assert out.height == 9                                             # NS_THU's months only


def test_previous_and_same_period_last_year(on):
    cat = catalogue(indicator("NS_THU"), indicator("NS_DU_TOAN"),
                    indicator("TANG_THANG", "NS_THU - previous(NS_THU)"),
                    indicator("TANG_NAM", "round((NS_THU / last_year(NS_THU) - 1) * 100, 1)"))
    out = compute(cat, budget(), on=on)
    assert value_of(out, "TANG_THANG", "24", "2026-08") == 100.0       # 3500 - 3400
    assert value_of(out, "TANG_THANG", "24", "2026-01") is None        # no 2025-12
    assert value_of(out, "TANG_NAM", "24", "2026-08") == 16.7          # 3500 / 3000 - 1
    assert value_of(out, "TANG_NAM", "24", "2026-07") is None


def test_grdp_growth_from_the_previous_year(on):
    values = relation([("KT.GRDP", "24", "2025", 260_000.0), ("KT.GRDP", "24", "2026", 284_700.0),
                       ("KT.GRDP", "24", "2026-Q3", 75_000.0), ("KT.GRDP", "24", "2025-Q3", 70_000.0)])
    cat = catalogue(indicator("KT.GRDP"),
                    indicator("KT.GRDP_GROWTH", "round((KT.GRDP / cùng_kỳ(KT.GRDP) - 1) × 100, 2)"))
    out = compute(cat, values, on=on)
    assert value_of(out, "KT.GRDP_GROWTH", "24", "2026") == 9.5
    assert value_of(out, "KT.GRDP_GROWTH", "24", "2026-Q3") == 7.14   # 75/70 - 1 = 7.142…
    assert value_of(out, "KT.GRDP_GROWTH", "24", "2025") is None


def test_weeks_days_and_missing_last_year(on):
    values = relation([("X", "24", "2026-W53", 5.0), ("X", "24", "2026-W52", 4.0),
                       ("X", "24", "2025-W52", 2.0), ("X", "24", "2028-02-29", 1.0),
                       ("X", "24", "2026-W01", 1.0), ("X", "24", "2025-W01", 9.0)])
    cat = catalogue(indicator("X"), indicator("Y", "coalesce(last_year(X), -1) + ytd(X) * 0"),
                    indicator("Z", "ytd(X)"), indicator("P", "previous(X)"))
    out = compute(cat, values, on=on)
    assert value_of(out, "Y", "24", "2026-W52") == 2.0
    assert value_of(out, "Y", "24", "2026-W53") == -1.0     # 2025 has no week 53
    assert value_of(out, "Y", "24", "2028-02-29") == -1.0   # 2027 has no 29 February
    assert value_of(out, "Z", "24", "2026-W53") == 10.0     # W01 + W52 + W53 of ISO year 2026
    assert value_of(out, "P", "24", "2026-W53") == 4.0
    assert value_of(out, "P", "24", "2026-W01") == 2.0      # 2025-W52
    assert value_of(out, "P", "24", "2025-W01") is None


def test_formula_over_formulas_in_dependency_order(on):
    values = relation([("A", "24", "2026-08", 10.0), ("B", "24", "2026-08", 4.0),
                       ("A", "07210", "2026-08", 6.0), ("B", "07210", "2026-08", 0.0),
                       ("A", "24-SYT", "2026-08", 1.0)])
    cat = catalogue(indicator("A"), indicator("B"), indicator("D", "C * 2 + B"), indicator("C", "A / B"),
                    indicator("E", "if(coalesce(D, 0) > 5, 1, 0)"))
    out = compute(cat, values, on=on)
    assert value_of(out, "C", "24", "2026-08") == 2.5
    assert value_of(out, "D", "24", "2026-08") == 9.0
    assert value_of(out, "C", "07210", "2026-08") is None     # ÷ 0
    assert value_of(out, "D", "07210", "2026-08") is None
    assert value_of(out, "C", "24-SYT", "2026-08") is None    # B not reported
    assert value_of(out, "E", "24", "2026-08") == 1.0
    assert value_of(out, "E", "07210", "2026-08") == 0.0


def test_supplied_values_of_formula_indicators_are_replaced(on):
    values = relation([("A", "24", "2026-08", 10.0), ("C", "24", "2026-08", 999.0)])
    out = compute(catalogue(indicator("A"), indicator("C", "A + 1")), values, on=on)
    assert out.rows() == [("C", "24", "2026-08", "month", *relation([("C", "24", "2026-08", 0)]).row(0)[4:6],
                           11.0, 1)]


def test_no_formula_indicators_gives_an_empty_relation():
    out = compute(catalogue(indicator("A")), relation([("A", "24", "2026-08", 1.0)]))
    assert out.height == 0 and out.schema == SCHEMA


@pytest.mark.parametrize(("formulas", "message"), [
    ({"X": "Y + 1", "Y": "X * 2"}, "cycle: X → Y → X"),
    ({"X": "previous(X) + A"}, "cycle: X → X"),
    ({"X": "A + NOPE"}, "indicator X: unknown indicator NOPE"),
    ({"X": "A +"}, "indicator X: the formula ends too early"),
])
def test_formula_errors(formulas, message):
    cat = catalogue(indicator("A"), *(indicator(c, f) for c, f in formulas.items()))
    with pytest.raises(FormulaError, match=message):
        compute(cat, relation([("A", "24", "2026-08", 1.0)]))


def test_a_relation_that_breaks_the_contract_is_refused_with_rows():
    values = relation([("A", "24", "2026-08", 1.0), ("A", "24", "2026-08", 2.0), ("A", "24", "2026-07", 1.0)])
    values = values.with_columns(period_kind=values["period_kind"].scatter(2, "quarter"))
    with pytest.raises(LoadError) as caught:
        compute(catalogue(indicator("A"), indicator("B", "A")), values)
    text = str(caught.value)
    assert "row 1, column 'period': the same indicator, unit and period appear more than once" in text
    assert "row 3, column 'period': '2026-07' is a month, not a quarter" in text
    with pytest.raises(LoadError, match="column 'value': column missing"):
        compute(catalogue(indicator("A")), values.drop("value"))


# ------------------------------------------------------------------ parity
PERIODS = ("2025-07", "2025-08", "2026-07", "2026-08", "2026", "2025")
UNITS = ("24", "07210")


@st.composite
def scenarios(draw):
    """A catalogue of two to three generated formulas (the later may read the earlier)
    over data elements A, B, KT.C, and values for some units × periods."""
    formulas = {}
    for i in range(draw(st.integers(1, 3))):
        codes = ("A", "B", "KT.C", *formulas)
        formulas[f"F{i}"] = to_text(draw(trees(codes=codes, max_leaves=6)))
    cells = draw(st.lists(st.tuples(st.sampled_from(("A", "B", "KT.C")), st.sampled_from(UNITS),
                                    st.sampled_from(PERIODS), leaf_values),
                          min_size=1, max_size=25, unique_by=lambda c: c[:3]))
    cat = catalogue(indicator("A"), indicator("B"), indicator("KT.C"),
                    *(indicator(c, f) for c, f in formulas.items()))
    return cat, relation(cells)


def same(a, b) -> bool:
    assert a.select(list(SCHEMA)[:6]).rows() == b.select(list(SCHEMA)[:6]).rows()
    for x, y in zip(a["value"], b["value"]):
        # sums (ytd) may add in another order: equal up to the last binary digits
        assert (x is None and y is None) or (x is not None and y is not None and
                                             (x == y or abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y)))), (x, y)
    return True


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenarios())
def test_duckdb_matches_the_reference(scenario):
    cat, values = scenario
    assert same(compute(cat, values), compute_reference(cat, values))


@pytest.mark.slow
@pytest.mark.postgres
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenarios())
def test_postgres_matches_duckdb_and_the_reference(pg_engine, scenario):
    cat, values = scenario
    with pg_engine.connect() as connection:
        on_postgres = compute(cat, values, on=connection)
    assert same(on_postgres, compute_reference(cat, values))
    assert same(on_postgres, compute(cat, values))
