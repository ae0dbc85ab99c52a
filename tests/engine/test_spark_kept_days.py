"""Counts kept by day, built and read on Spark (``chiso.evaluate.kept_spark``, ``SparkRecords``'
kept builds): a month, a quarter, a 17-day range and a weekly series with its whole counted from
Spark's Parquet build equal DuckDB's scan of the same Parquet; a changed record file, another
definition or a window beyond the range leaves the build unused (the records scanned); a build
over a URI goes through the cluster's file system; what cannot be kept is refused.

The records: dossiers generated for Bắc Ninh over the third quarter of 2026 plus the hand-built
edge cases of the other engine tests, in the layout ``chiso score --records`` reads. Never
skipped: without Java or pyspark the session fails to start and the tests fail.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.catalog.predicates import parse_predicate
from chiso.catalog.records import DOSSIERS
from chiso.demo.generate import generate_for
from chiso.engine.counts import CountsPlan
from chiso.engine.spark import KEPT_MANIFEST, SparkRecords, record_paths, spark_session
from chiso.errors import StoreError
from chiso.evaluate import kept
from chiso.evaluate.counts import compute_counts, compute_series
from chiso.evaluate.kept_spark import keep_days_on_spark
from chiso.periods.windows import date_range, parse_window
from chiso.store.records import parquet_records
from tests.records_data import dataset, frame

pytestmark = pytest.mark.slow

DEF = load_index_definition(DEFAULT_INDEX)
D = dt.date
START, END = D(2026, 7, 1), D(2026, 9, 30)
WINDOWS = ["2026-08", "2026-Q3", "2026-08-03..2026-08-19"]  # a month, the quarter, 17 days
GENERATED = 3000


@pytest.fixture(scope="module")
def records_dir(tmp_path_factory) -> Path:
    """Generated records plus the hand-built dataset, one folder per record kind."""
    root = tmp_path_factory.mktemp("spark-kept") / "records"
    generate_for(root, provinces=["24"], dossiers=GENERATED, year=2026, seed=21, start=START, end=END,
                 chunk_rows=1000)
    for kind, rows in dataset().items():
        like = pq.read_schema(next((root / kind).glob("*.parquet")))  # one writer's types per kind
        pq.write_table(frame(kind, rows).to_arrow().select(like.names).cast(like), root / kind / "hand.parquet")
    return root


@pytest.fixture(scope="module")
def session():
    s = spark_session("local[2]")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def built(records_dir, session) -> list[kept.KeptEntry]:
    """Kept by day over the quarter on Spark, into ``records/_kept``."""
    with SparkRecords.from_root(session, records_dir, kept=False) as store:
        return keep_days_on_spark(DEF, store, START, END, str(records_dir / "_kept"))


def _duck(root: Path):
    return parquet_records({k: f"{p}/*.parquet" for k, p in record_paths(root).items()})


@pytest.fixture(scope="module")
def duck(records_dir) -> Iterator:
    store = _duck(records_dir)
    yield store
    store.close()


@pytest.fixture(scope="module")
def spark_kept(built, records_dir, session) -> Iterator[SparkRecords]:
    store = SparkRecords.from_root(session, records_dir)
    yield store
    store.close()


def test_the_build_holds_every_relation_kept_by_day_and_its_record_files(built, records_dir, session):
    parts = {(e.kind, e.plan.grain, e.distinct) for e in built}
    assert parts == set(kept.day_parts(DEF))  # every relation keep_days keeps in a record store
    assert {("dossiers", "daily", False), ("dossiers", "changes", False), ("dossiers", "daily", True),
            ("petitions", "daily", False), ("publications", "daily", False)} <= parts
    assert all(e.rows > 0 for e in built if e.kind == "dossiers")
    assert all((e.plan.start, e.plan.end) == (START, END) for e in built)
    out = records_dir / "_kept"
    manifest = json.loads((out / KEPT_MANIFEST).read_text())
    assert sorted(r["name"] for r in manifest["relations"]) == sorted(e.table for e in built)
    for r in manifest["relations"]:
        assert set(r) >= {"kind", "part", "distinct", "start", "end", "name", "built_at", "rows"}
        assert pl.read_parquet(out / r["name"] / "*.parquet").height == r["rows"]
    names = {n for n, _, _ in manifest["records"]["dossiers"]}
    assert "hand.parquet" in names and len(names) >= 3
    assert not list(records_dir.glob("_kept.*"))  # no temporary or old folder left beside it
    # the names are kept.py's own: the same definition and relations name them alike
    with SparkRecords.from_root(session, records_dir, kept=False) as other:
        assert all(kept.day_name(DEF, other, e.kind, e.plan.grain, e.distinct, START, END) == e.table
                   for e in built)


def test_windows_counted_from_the_spark_build_equal_the_duckdb_scan(spark_kept, duck):
    assert spark_kept.kept_note is None and spark_kept.kept_path is not None
    windows = [parse_window(w) for w in WINDOWS]
    for w in windows:  # really read from the build, not scanned
        for distinct in (False, True):
            assert kept.read(DEF, spark_kept, CountsPlan(w.start, w.end), "dossiers", distinct) is not None
    assert kept.covers_days(DEF, spark_kept, CountsPlan(START, END))
    got = compute_counts(DEF, spark_kept, windows).frame
    assert_frame_equal(got, compute_counts(DEF, duck, windows).frame)
    for m in DEF.measures:  # the comparison means something: every measure counts something
        assert got[m].sum() > 0, m


def test_a_weekly_series_with_its_whole_from_the_spark_build_equals_the_duckdb_scan(spark_kept, duck):
    whole = date_range(D(2026, 7, 29), D(2026, 9, 13))  # a mid-week start: no kept plan's buckets
    assert kept.read(DEF, spark_kept, CountsPlan(whole.start, whole.end, "week", outer=True), "dossiers",
                     False) is not None
    got = compute_series(DEF, spark_kept, whole.start, whole.end, whole=whole)
    want = compute_series(DEF, duck, whole.start, whole.end, whole=whole)
    assert [w.label for w in got.windows] == [w.label for w in want.windows]
    assert len(got.windows) == 8  # seven ISO weeks (a short first one) and the whole
    assert_frame_equal(got.frame, want.frame)


def test_the_counts_really_come_from_the_build(built, records_dir, session, duck, tmp_path):
    """A build edited on purpose (its record files unchanged) gives other counts: it is read."""
    copy = tmp_path / "kept"
    shutil.copytree(records_dir / "_kept", copy)
    [e] = [e for e in built if e.kind == "dossiers" and e.plan.grain == "daily" and not e.distinct]
    days = pl.read_parquet(copy / e.table / "*.parquet").with_columns(pl.col("received") + 1)
    shutil.rmtree(copy / e.table)
    (copy / e.table).mkdir()
    days.write_parquet(copy / e.table / "part-0.parquet")
    w = parse_window("2026-08")
    with SparkRecords.from_root(session, records_dir, kept=str(copy)) as store:
        assert store.kept_path == str(copy)
        wrong = compute_counts(DEF, store, [w]).frame
    right = compute_counts(DEF, duck, [w]).frame
    assert int(wrong["received"].sum()) > int(right["received"].sum())


def test_a_changed_record_file_leaves_the_build_unused(built, records_dir, session, tmp_path):
    copy = tmp_path / "records"
    shutil.copytree(records_dir, copy)  # the build comes along: same names, sizes, times
    windows = [parse_window(w) for w in WINDOWS]
    with SparkRecords.from_root(session, copy) as store:
        assert store.kept_note is None and store.kept_path == str(copy / "_kept")
        before = compute_counts(DEF, store, windows).frame
    target = sorted((copy / "dossiers").glob("*.parquet"))[0]
    table = pq.read_table(target)
    pq.write_table(table.slice(200), target)  # 200 dossiers fewer in one file
    with SparkRecords.from_root(session, copy) as store:
        assert store.kept_path is None
        assert "dossiers" in store.kept_note and "changed since" in store.kept_note
        assert kept.read(DEF, store, CountsPlan(START, END), "dossiers", False) is None
        got = compute_counts(DEF, store, windows).frame
    duck = _duck(copy)
    try:
        assert_frame_equal(got, compute_counts(DEF, duck, windows).frame)
    finally:
        duck.close()
    assert int(got["received"].sum()) < int(before["received"].sum())


def test_a_touched_record_file_is_a_change_too(built, records_dir, session, tmp_path):
    """Same bytes, a new modification time: Parquet keeps no log, so the build is not used."""
    copy = tmp_path / "records"
    shutil.copytree(records_dir, copy)  # the build comes along, the files' times kept
    with SparkRecords.from_root(session, copy) as store:
        assert store.kept_note is None and store.kept_path is not None
    target = copy / "petitions" / "hand.parquet"  # a kind other than dossiers counts as well
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 5_000_000_000))
    with SparkRecords.from_root(session, copy) as store:
        assert store.kept_path is None and "(petitions)" in store.kept_note
    shutil.rmtree(copy / "petitions")  # a kind gone (its view empty) is a change too
    with SparkRecords.from_root(session, copy) as store:
        assert store.kept_path is None and "petitions" in store.kept_note


def test_another_definition_or_a_window_beyond_the_range_scans(spark_kept):
    m = DEF.measures["on_time"]
    changed = dataclasses.replace(DEF, measures={**DEF.measures, "on_time": dataclasses.replace(
        m, where=parse_predicate("finished_date IS NOT NULL AND finished_date <= window_end", DOSSIERS))})
    plan = CountsPlan(D(2026, 8, 1), D(2026, 8, 31))
    assert kept.read(changed, spark_kept, plan, "dossiers", False) is None
    assert kept.read(DEF, spark_kept, plan, "dossiers", False) is not None
    assert kept.read(DEF, spark_kept, CountsPlan(D(2026, 6, 30), D(2026, 7, 10)), "dossiers", False) is None
    assert not kept.covers_days(DEF, spark_kept, CountsPlan(D(2026, 9, 1), D(2026, 10, 1)))


def test_what_cannot_be_kept_is_refused(records_dir, session, tmp_path):
    with SparkRecords.from_root(session, records_dir, kept=False) as store:
        with pytest.raises(ValueError, match="the range is empty"):
            keep_days_on_spark(DEF, store, END, START, str(tmp_path / "a"))
        with pytest.raises(StoreError, match=r"no dossier was received in 2025-01-01\.\.2025-03-31"):
            keep_days_on_spark(DEF, store, D(2025, 1, 1), D(2025, 3, 31), str(tmp_path / "b"))
    only = tmp_path / "petitions-only"
    shutil.copytree(records_dir / "petitions", only / "petitions")
    with SparkRecords.from_root(session, only, kept=False) as store:
        with pytest.raises(StoreError, match="the records hold no dossiers"):
            keep_days_on_spark(DEF, store, START, END, str(only / "_kept"))
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists() and not (only / "_kept").exists()


def test_a_build_over_a_uri_goes_through_the_cluster_file_system(records_dir, session, duck, tmp_path):
    """``file://`` URIs take the Hadoop file system path (as ``hdfs://`` and ``s3a://`` do): the
    listing of record files, the manifest and the renames; a previous build is replaced whole."""
    copy = tmp_path / "records"
    shutil.copytree(records_dir, copy, ignore=shutil.ignore_patterns("_kept"))
    out = tmp_path / "elsewhere"
    out.mkdir()
    (out / "stale.txt").write_text("a previous build")
    root_uri, out_uri = f"file://{copy}", f"file://{out}"
    a, b = D(2026, 8, 1), D(2026, 8, 31)
    with SparkRecords.from_root(session, root_uri, kept=False) as store:
        made = keep_days_on_spark(DEF, store, a, b, out_uri)
    assert {"dossiers", "petitions", "publications"} <= {e.kind for e in made}
    assert not (out / "stale.txt").exists() and (out / KEPT_MANIFEST).is_file()
    assert not list(tmp_path.glob("elsewhere.*"))
    w = parse_window("2026-08")
    with SparkRecords.from_root(session, root_uri, kept=out_uri) as store:
        assert store.kept_note is None and store.kept_path == out_uri
        assert kept.read(DEF, store, CountsPlan(a, b), "dossiers", True) is not None
        assert_frame_equal(compute_counts(DEF, store, [w]).frame, compute_counts(DEF, duck, [w]).frame)


def test_a_kept_folder_named_but_missing_or_unreadable_is_said_and_not_used(records_dir, session, tmp_path):
    with SparkRecords.from_root(session, records_dir, kept=str(tmp_path / "none")) as store:
        assert store.kept_path is None and "no counts kept at" in store.kept_note
        assert not kept.covers_days(DEF, store, CountsPlan(START, END))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / KEPT_MANIFEST).write_text('{"format": 1, "relations": [{"name": "dossiers; DROP"}], "records": {}}')
    with SparkRecords.from_root(session, records_dir, kept=str(bad)) as store:
        assert store.kept_path is None and "cannot be read" in store.kept_note
    with SparkRecords.from_root(session, records_dir, kept=False) as store:  # none asked for: none said
        assert store.kept_path is None and store.kept_note is None
