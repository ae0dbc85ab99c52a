"""Spark, run: the same compiled count and drill-down SQL over the same Parquet gives, on
Spark (local mode), the counts, scores and drill-downs DuckDB and PostgreSQL give.

The records: a few thousand dossiers generated for Bắc Ninh over 20 July – 5 September 2026
(``chiso.demo.generate``) plus the hand-built edge cases and filler of the other engine
tests (``tests/records_data.py``), written as Parquet in the layout ``chiso score --engine
spark --records`` reads. DuckDB reads the same files; PostgreSQL gets them loaded. One Spark
session serves the module (starting the JVM takes seconds). Never skipped: without Java or
pyspark the session fails to start and the tests fail (PostgreSQL follows the suite's rule:
skipped without a server unless CI=true).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.catalog.records import RECORD_KINDS
from chiso.demo.generate import generate_for
from chiso.engine.counts import CountsPlan, compile_counts
from chiso.engine.dialects import dialect
from chiso.engine.records import compile_records, distinct_key
from chiso.engine.spark import SparkRecords, record_paths, spark_session
from chiso.errors import StoreError
from chiso.evaluate.counts import compute_counts, compute_series
from chiso.evaluate.service import explain, score_records
from chiso.periods.windows import parse_window
from chiso.store.records import open_records, parquet_records
from chiso.units import load_units
from tests.factories import drop_postgres_schema, make_postgres_schema, postgres_records_url
from tests.records_data import dataset, frame, load

pytestmark = pytest.mark.slow

DEF = load_index_definition(DEFAULT_INDEX)
D = dt.date
FIRST, LAST = D(2026, 7, 20), D(2026, 9, 5)
WINDOWS = ["2026-W32", "2026-W34", "2026-08", "2026-08-03..2026-08-23", "2026-08-18"]
GENERATED = 3000


@pytest.fixture(scope="module")
def records_dir(tmp_path_factory) -> Path:
    """Generated records plus the hand-built dataset, one folder per record kind."""
    root = tmp_path_factory.mktemp("spark-records")
    generate_for(root, provinces=["24"], dossiers=GENERATED, year=2026, seed=15, start=FIRST, end=LAST,
                 chunk_rows=1000)
    for kind, rows in dataset().items():
        # the column types of the generated files (Spark merges one kind's schemas; an INT
        # and a BIGINT of one column do not merge)
        like = pq.read_schema(next((root / kind).glob("*.parquet")))
        table = frame(kind, rows).to_arrow()
        pq.write_table(table.select(like.names).cast(like), root / kind / "hand.parquet")
    return root


@pytest.fixture(scope="module")
def session():
    s = spark_session("local[2]")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def stores(records_dir, session) -> Iterator[dict]:
    """The same records on Spark, DuckDB (views over the same Parquet) and PostgreSQL."""
    paths = record_paths(records_dir)
    spark = SparkRecords(session, paths)
    duck = parquet_records({k: f"{p}/*.parquet" for k, p in paths.items()})
    schema = make_postgres_schema()
    try:
        pg = open_records(postgres_records_url(schema))
        try:
            load(pg, {k: pl.read_parquet(f"{p}/*.parquet").to_dicts() for k, p in paths.items()})
            yield {"spark": spark, "duckdb": duck, "postgres": pg}
        finally:
            pg.close()
    finally:
        drop_postgres_schema(schema)
        duck.close()
        spark.close()


@pytest.fixture(scope="module")
def tree():
    return load_units(["24"])


def _rows(f: pl.DataFrame) -> list[dict]:
    return f.sort(f.columns[:2]).to_dicts()


def test_the_records_are_the_same_everywhere(stores):
    for kind in RECORD_KINDS:
        n = stores["duckdb"].count(kind)
        assert n == stores["spark"].count(kind) == stores["postgres"].count(kind)
    assert stores["spark"].count("dossiers") > GENERATED  # generated plus hand-built


@pytest.mark.postgres
def test_counts_are_identical_for_every_measure_unit_and_window(stores):
    windows = [parse_window(w) for w in WINDOWS]
    got = {name: compute_counts(DEF, s, windows) for name, s in stores.items()}
    spark = got["spark"].frame
    assert spark.columns == got["duckdb"].frame.columns == got["postgres"].frame.columns
    assert _rows(spark) == _rows(got["duckdb"].frame) == _rows(got["postgres"].frame)
    # the comparison means something: every measure counts something, units and the province
    for m in DEF.measures:
        assert spark[m].sum() > 0, m
    assert spark["is_province"].any() and (~spark["is_province"]).sum() > 50


@pytest.mark.postgres
def test_weekly_series_are_identical(stores):
    whole = parse_window("2026-07-27..2026-08-30")
    got = {name: compute_series(DEF, s, whole.start, whole.end, whole=whole) for name, s in stores.items()}
    labels = [w.label for w in got["spark"].windows]
    assert labels == [w.label for w in got["duckdb"].windows] == [w.label for w in got["postgres"].windows]
    assert len(labels) == 6  # five weeks and the whole range
    assert _rows(got["spark"].frame) == _rows(got["duckdb"].frame) == _rows(got["postgres"].frame)


def _raw(store, kind: str, plan: CountsPlan, distinct: bool) -> list[dict] | None:
    tgt = dialect(store.dialect)
    tree = compile_counts(DEF, kind, tgt, store.relation(kind), plan, distinct=distinct)
    if tree is None:
        return None
    rows = store.query_arrow(tgt.render(tree)).to_pylist()
    return sorted(({k: (int(v) if k not in ("province_code", "unit_code") and v is not None else v)
                    for k, v in r.items()} for r in rows),
                  key=lambda r: (r.get("bucket") or 0, r["unit_code"] or "", r.get("province_code") or ""))


@pytest.mark.postgres
@pytest.mark.parametrize("grain, start, end, outer", [
    ("all", D(2026, 8, 1), D(2026, 8, 31), False),
    ("day", D(2026, 8, 15), D(2026, 8, 24), False),
    ("week", D(2026, 7, 27), D(2026, 8, 30), True),
    ("week", D(2026, 8, 5), D(2026, 8, 26), True),  # mid-week start: a short first bucket
    ("month", D(2026, 7, 20), D(2026, 9, 5), True),
])
def test_compiled_counts_queries_are_identical(stores, grain, start, end, outer):
    """Every record kind's compiled query (plain and distinct), at every grain: unit × bucket
    rows, the province's rows among them, the same on the three engines."""
    plan = CountsPlan(start, end, grain, outer=outer)
    ran = 0
    for kind in RECORD_KINDS:
        for distinct in (False, True):
            results = {name: _raw(s, kind, plan, distinct) for name, s in stores.items()}
            if results["duckdb"] is None:
                assert results["spark"] is None and results["postgres"] is None
                continue
            assert results["duckdb"], (kind, distinct)
            assert results["spark"] == results["duckdb"] == results["postgres"], (kind, distinct)
            ran += 1
    assert ran == 5


@pytest.mark.postgres
@pytest.mark.parametrize("window", ["2026-W34", "2026-08"])
def test_scores_are_identical(stores, tree, window):
    got = {name: score_records(DEF, s, tree, window) for name, s in stores.items()}
    spark = got["spark"]
    assert spark.units.height == 119
    for other in ("duckdb", "postgres"):
        assert spark.units.to_dicts() == got[other].units.to_dicts(), other
        assert spark.criteria.to_dicts() == got[other].criteria.to_dicts(), other
    assert spark.units["total"].drop_nulls().max() > 0


@pytest.mark.postgres
@pytest.mark.parametrize("unit, criterion", [("07210", "ON_TIME"), ("07210", "PUBLISH_ON_TIME"),
                                             ("24", "DOSSIER_RECEIVING_SATISFACTION"),
                                             ("24-SYT", "PETITION_HANDLING_SATISFACTION"),
                                             ("24", "PROCEDURE_PAID_ONLINE")])
def test_drill_downs_are_identical(stores, tree, unit, criterion):
    got = {name: explain(DEF, s, tree, unit, criterion, "2026-W34", only_lost=False, limit=None)
           for name, s in stores.items()}
    assert got["spark"]["rows"]
    for other in ("duckdb", "postgres"):
        assert got["spark"]["rows"] == got[other]["rows"], other
        assert got["spark"]["totals"] == got[other]["totals"], other


def test_compiled_record_lists_are_the_same_rows(stores):
    """compile_records for every criterion one record kind explains: the same row sets."""
    spark, duck = stores["spark"], stores["duckdb"]
    compared = 0
    for c in DEF.criteria:
        kinds = {DEF.measures[m].records for m in c.measures}
        if c.attested is not None or len(kinds) != 1:
            continue
        try:
            if distinct_key(DEF, c) is not None:
                continue  # a list of distinct values (compile_distinct: the drill-down test)
        except ValueError:
            continue  # no single list explains it
        kind = kinds.pop()
        rows = {}
        for name, store in (("spark", spark), ("duckdb", duck)):
            tgt = dialect(store.dialect)
            sql = tgt.render(compile_records(DEF, c, tgt, store.relation(kind), start=D(2026, 8, 1),
                                             end=D(2026, 8, 31), unit_column="province_code", unit_code="24",
                                             limit=None))
            rows[name] = sorted(store.query_arrow(sql).to_pylist(), key=lambda r: str(r.get("id")))
        assert rows["spark"], c.code
        assert rows["spark"] == rows["duckdb"], c.code
        compared += 1
    assert compared >= 10


def test_missing_kinds_are_empty_and_bad_layouts_are_named(tmp_path, session, records_dir):
    only = SparkRecords(session, {"dossiers": str(records_dir / "dossiers")})
    try:
        assert only.count("petitions") == 0
        assert only.count("dossiers") > GENERATED
    finally:
        only.close()
    with pytest.raises(StoreError, match="no records folder"):
        record_paths(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(StoreError, match="holds no record Parquet"):
        record_paths(tmp_path / "empty")
    both = tmp_path / "both"
    (both / "dossiers").mkdir(parents=True)
    (both / "dossiers.parquet").write_bytes(b"")
    with pytest.raises(StoreError, match="keep one"):
        record_paths(both)
