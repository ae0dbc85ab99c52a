"""Parity: the same records in DuckDB and in PostgreSQL give identical counts (every measure,
unit and window), identical scores and identical drill-downs; the Spark rendering parses."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlglot
from sqlglot import exp

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.catalog.predicates import parse_predicate
from chiso.catalog.records import PUBLICATIONS, RECORD_KINDS
from chiso.engine.counts import CountsPlan, compile_counts
from chiso.engine.dialects import DIALECTS, EPOCH, dialect
from chiso.engine.predicates import PredicateCompiler
from chiso.engine.records import compile_records
from chiso.evaluate.counts import compute_counts, compute_series
from chiso.evaluate.service import explain, score_records
from chiso.periods.windows import parse_window
from chiso.units import load_units

DEF = load_index_definition(DEFAULT_INDEX)
D = dt.date
WINDOWS = ["2026-W31", "2026-W32", "2026-W33", "2026-W34", "2026-W35", "2026-08", "2026-08-03..2026-08-23",
           "2026-08-18"]


@pytest.fixture(scope="module")
def tree():
    return load_units(["24"])


def _rows(frame: pl.DataFrame) -> list[dict]:
    return frame.sort(frame.columns[:2]).to_dicts()


@pytest.mark.postgres
def test_counts_are_identical(duck_store, pg_store):
    windows = [parse_window(w) for w in WINDOWS]
    duck, pg = compute_counts(DEF, duck_store, windows), compute_counts(DEF, pg_store, windows)
    assert duck.frame.columns == pg.frame.columns
    assert duck.frame.height > 50
    assert _rows(duck.frame) == _rows(pg.frame)


@pytest.mark.postgres
def test_series_are_identical(duck_store, pg_store):
    whole = parse_window("2026-08-03..2026-08-30")
    duck = compute_series(DEF, duck_store, whole.start, whole.end, whole=whole)
    pg = compute_series(DEF, pg_store, whole.start, whole.end, whole=whole)
    assert [w.label for w in duck.windows] == [w.label for w in pg.windows]
    assert _rows(duck.frame) == _rows(pg.frame)


@pytest.mark.postgres
@pytest.mark.parametrize("grain, start, end, outer", [
    ("day", D(2026, 8, 15), D(2026, 8, 24), False),
    ("month", D(2026, 7, 20), D(2026, 9, 5), True),
    ("week", D(2026, 7, 27), D(2026, 8, 26), True),
    ("week", D(2026, 8, 5), D(2026, 8, 26), True),  # mid-week start: a short first bucket
])
def test_raw_counts_queries_are_identical(duck_store, pg_store, grain, start, end, outer):
    plan = CountsPlan(start, end, grain, outer=outer)
    for kind in RECORD_KINDS:
        for distinct in (False, True):
            results = []
            for store in (duck_store, pg_store):
                tgt = dialect(store.dialect)
                tree = compile_counts(DEF, kind, tgt, store.relation(kind), plan, distinct=distinct)
                if tree is None:
                    break
                rows = store.query_arrow(tgt.render(tree)).to_pylist()
                results.append(sorted(({k: (int(v) if k not in ("province_code", "unit_code") and v is not None
                                             else v) for k, v in r.items()} for r in rows),
                                      key=lambda r: (r["bucket"], r["unit_code"] or "")))
            if results:
                assert results[0] == results[1], (kind, distinct)
                assert results[0], (kind, distinct)


@pytest.mark.postgres
@pytest.mark.parametrize("window", ["2026-W34", "2026-08"])
def test_scores_are_identical(duck_store, pg_store, tree, window):
    duck = score_records(DEF, duck_store, tree, window)
    pg = score_records(DEF, pg_store, tree, window)
    assert duck.units.height == pg.units.height == 119
    assert duck.units.to_dicts() == pg.units.to_dicts()
    assert duck.criteria.to_dicts() == pg.criteria.to_dicts()


@pytest.mark.postgres
@pytest.mark.parametrize("unit, criterion", [("07210", "ON_TIME"), ("07210", "PUBLISH_ON_TIME"),
                                             ("24", "DOSSIER_RECEIVING_SATISFACTION"),
                                             ("24-SYT", "PETITION_HANDLING_SATISFACTION")])
def test_drill_downs_are_identical(duck_store, pg_store, tree, unit, criterion):
    duck = explain(DEF, duck_store, tree, unit, criterion, "2026-W34", only_lost=False)
    pg = explain(DEF, pg_store, tree, unit, criterion, "2026-W34", only_lost=False)
    assert duck["rows"] and duck["rows"] == pg["rows"]


@pytest.mark.postgres
def test_workdays_in_postgres_match_the_reference(pg_store, ref):
    tgt = dialect("postgres")
    compiled = PredicateCompiler(PUBLICATIONS, tgt, window_start=exp.Literal.number(0),
                                 window_end=exp.Literal.number(0),
                                 day_columns={"decision_date": "a", "legal_effective_date": "b"}).compile(
        parse_predicate("WORKDAYS(decision_date, legal_effective_date)", PUBLICATIONS))
    a0 = (D(2026, 7, 27) - EPOCH).days
    sql = (f"SELECT a, b, {tgt.render(compiled)} AS w FROM generate_series({a0}, {a0 + 20}) x(a), "
           f"generate_series({a0 - 3}, {a0 + 39}) y(b)")
    rows = pg_store.query_arrow(sql).to_pylist()
    assert len(rows) == 21 * 43
    wrong = [r for r in rows
             if r["w"] != ref.workdays(EPOCH + dt.timedelta(days=r["a"]), EPOCH + dt.timedelta(days=r["b"]))]
    assert wrong == []


# ------------------------------------------------------------------ Spark (rendered, not run)
def _spark_parses(sql: str) -> exp.Expression:
    tree = sqlglot.parse_one(sql, read="spark")
    assert isinstance(tree, exp.Query)
    return tree


@pytest.mark.parametrize("grain, start", [("all", D(2026, 8, 1)), ("week", D(2026, 8, 3)),
                                          ("day", D(2026, 8, 17)), ("month", D(2026, 7, 20))])
@pytest.mark.parametrize("outer", [False, True])
def test_spark_counts_render_and_parse(grain, start, outer):
    spark = dialect("spark")
    plan = CountsPlan(start, D(2026, 8, 30), grain, outer=outer and grain != "all")
    rendered = 0
    for kind in RECORD_KINDS:
        for distinct in (False, True):
            tree = compile_counts(DEF, kind, spark, f"records.{kind}", plan, distinct=distinct)
            if tree is None:
                continue
            sql = spark.render(tree)
            parsed = _spark_parses(sql)
            if RECORD_KINDS[kind].window_field is not None and grain != "all":
                assert "DATEDIFF(" in sql  # dates become day numbers through DATEDIFF (buckets)
            assert "- CAST('1970-01-01' AS DATE)" not in sql  # never Spark date subtraction
            assert "::" not in sql
            # what was rendered is what was compiled
            assert parsed.sql(dialect="spark") == sql
            rendered += 1
    assert rendered == 5  # dossiers (+ distinct), petitions, publications, procedures (distinct)


def test_spark_drill_downs_render_and_parse():
    spark = dialect("spark")
    rendered = 0
    for c in DEF.criteria:
        kinds = {DEF.measures[m].records for m in c.measures}
        if c.attested is not None or len(kinds) != 1:
            continue  # attested, or numerator and denominator over different kinds (no single list)
        sql = spark.render(compile_records(DEF, c, spark, f"records.{kinds.pop()}", start=D(2026, 8, 17),
                                           end=D(2026, 8, 23), unit_column="unit_code", unit_code="07210"))
        _spark_parses(sql)
        rendered += 1
    assert rendered == 16


def test_targets_are_registered():
    assert set(DIALECTS) == {"duckdb", "postgres", "spark"}
    with pytest.raises(KeyError, match="unknown SQL target"):
        dialect("oracle")
