"""Counts kept by day (chiso.engine.daily, ``kept.keep_days``): any window inside the kept range —
a month, a quarter, a year to date, an arbitrary range, a weekly or monthly series with its whole
— is counted from them exactly as a scan of the records counts it, right after keeping them and
after random edits refreshed from the change log, on DuckDB and PostgreSQL."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from polars.testing import assert_frame_equal

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.catalog.predicates import parse_predicate
from chiso.catalog.records import DOSSIERS
from chiso.engine import daily
from chiso.engine.counts import CountsPlan
from chiso.evaluate import kept
from chiso.evaluate.counts import compute_counts, compute_series
from chiso.periods.windows import date_range, parse_window
from tests.evaluate.test_kept import _change

DEF = load_index_definition(DEFAULT_INDEX)
D = dt.date
START, END = D(2026, 7, 1), D(2026, 9, 30)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request):
    return request.getfixturevalue("duck_store" if request.param == "duckdb" else "pg_store")


def _windows(rnd: random.Random, n: int = 6):
    """Named periods inside the range and random ranges (a day, a few days, most of it)."""
    out = [parse_window(w) for w in ("2026-08", "2026-09", "2026-Q3", "2026-W33")]
    for _ in range(n):
        a = START + dt.timedelta(days=rnd.randrange((END - START).days + 1))
        b = min(END, a + dt.timedelta(days=rnd.choice((0, 1, 16, 40, 91))))
        out.append(date_range(a, b))
    return out


def _scanned(store, fn):
    """``fn()`` with every kept table set aside (the records scanned), then kept again by day."""
    spans = {(e.plan.start, e.plan.end) for e in kept.entries(store) if e.by_day}
    kept.forget(store)
    try:
        return fn()
    finally:
        for a, b in spans:
            kept.keep_days(DEF, store, a, b)


def _same(store, fn):
    got = fn()
    assert_frame_equal(got.frame, _scanned(store, fn).frame)
    return got


def test_any_window_counted_from_counts_kept_by_day_equals_the_scan(store):
    made = kept.keep_days(DEF, store, START, END)
    assert {(e.kind, e.plan.grain, e.distinct) for e in made} == {
        ("dossiers", "daily", False), ("dossiers", "changes", False), ("dossiers", "daily", True),
        ("petitions", "daily", False), ("petitions", "changes", False), ("publications", "daily", False),
        ("procedures", "static", True)}  # the catalogue has no window: its counts are kept whole
    assert all(e.rows > 0 for e in made if e.kind == "dossiers")
    windows = _windows(random.Random(11))
    for w in windows:  # really read from the kept relations, not scanned
        assert kept.read(DEF, store, CountsPlan(w.start, w.end), "dossiers", False) is not None
        assert kept.read(DEF, store, CountsPlan(w.start, w.end), "dossiers", True) is not None
        assert kept.read(DEF, store, CountsPlan(w.start, w.end), "procedures", True) is not None
    _same(store, lambda: compute_counts(DEF, store, windows))
    # a series whose buckets are no kept plan's: a mid-week start, with its whole
    _same(store, lambda: compute_series(DEF, store, D(2026, 7, 29), D(2026, 9, 13),
                                        whole=date_range(D(2026, 7, 29), D(2026, 9, 13))))


@pytest.mark.parametrize("seed", [1, 2])
def test_refreshed_after_random_edits_any_window_equals_the_scan(store, ref, seed):
    rnd = random.Random(seed)
    kept.keep_days(DEF, store, START, END)
    for round_ in range(2):
        touched = _change(store, ref, rnd, f"d{seed}{round_}")
        counted, plain = [], store._scalar
        store._scalar = lambda sql, params=None: counted.append(sql) or plain(sql, params)
        try:
            reports = {(r.kind, r.table[:6]): r for r in kept.refresh(DEF, store)}
        finally:
            del store._scalar
        # the tables kept by day are not counted after a refresh: their rows follow from it
        assert not [q for q in counted if "count(*)" in q and ("_kday" in q or "_kchg" in q or "_kdst" in q)]
        # only received days touched were recomputed (an edit leaving a record as it was is no
        # change), the same days in every relation of the dossiers
        days = {d for d in touched if START <= d <= END}
        [n] = {r.buckets for (k, _), r in reports.items() if k == "dossiers"}
        assert 0 < n <= len(days)
        assert all(e.stamp == store.stamp() for e in kept.entries(store))
        # the rows a refresh records without counting the table (what it deleted and inserted)
        assert {e.table: e.rows for e in kept.entries(store)} == {
            e.table: store._scalar(f"SELECT count(*) FROM {e.table}") for e in kept.entries(store)}
        windows = _windows(rnd, 4)
        _same(store, lambda ws=windows: compute_counts(DEF, store, ws))


def test_reading_refreshes_a_stale_store_first(store, ref):
    kept.keep_days(DEF, store, START, END)
    _change(store, ref, random.Random(3), "stale")
    assert any(e.stamp < store.stamp() for e in kept.entries(store))
    w = parse_window("2026-Q3")
    got = compute_counts(DEF, store, [w])
    assert all(e.stamp == store.stamp() for e in kept.entries(store))
    assert_frame_equal(got.frame, _scanned(store, lambda: compute_counts(DEF, store, [w])).frame)


def test_a_window_beyond_the_kept_range_is_scanned(store):
    kept.keep_days(DEF, store, START, END)
    assert kept.read(DEF, store, CountsPlan(D(2026, 6, 30), D(2026, 7, 10)), "dossiers", False) is None
    assert not kept.covers_days(DEF, store, CountsPlan(D(2026, 9, 1), D(2026, 10, 1)))
    assert kept.covers_days(DEF, store, CountsPlan(D(2026, 9, 1), D(2026, 9, 30)))


def test_the_counts_really_come_from_the_kept_relations(duck_store):
    w = parse_window("2026-08")
    before = compute_counts(DEF, duck_store, [w])
    kept.keep_days(DEF, duck_store, START, END)
    [e] = [e for e in kept.entries(duck_store) if e.kind == "dossiers" and e.plan.grain == "daily" and not e.distinct]
    duck_store._execute(f"UPDATE {e.table} SET received = received + 1")  # deliberately wrong
    after = compute_counts(DEF, duck_store, [w]).frame
    assert int(after["received"].sum()) > int(before.frame["received"].sum())


def test_another_definition_does_not_find_these_counts(duck_store):
    kept.keep_days(DEF, duck_store, START, END)
    m = DEF.measures["on_time"]
    changed = dataclasses.replace(DEF, measures={**DEF.measures, "on_time": dataclasses.replace(
        m, where=parse_predicate("finished_date IS NOT NULL AND finished_date <= window_end", DOSSIERS))})
    plan = CountsPlan(D(2026, 8, 1), D(2026, 8, 31))
    assert kept.read(changed, duck_store, plan, "dossiers", False) is None
    assert kept.read(DEF, duck_store, plan, "dossiers", False) is not None


def test_what_cannot_be_kept_by_day():
    # window_end inside arithmetic or a function, or window_start: the steps are not known
    for text in ("WORKDAYS(received_date, window_end) <= 5", "finished_date >= window_start",
                 "window_end - received_date > 3"):
        tree = parse_predicate(text, DOSSIERS)
        assert daily.thresholds(tree) is None, text
    tree = parse_predicate("finished_date <= window_end AND window_end <= appointment_date + 2", DOSSIERS)
    assert [t.sql() for t in daily.thresholds(tree)] == ["finished_date", "appointment_date + 2"]


@pytest.mark.postgres
def test_postgres_keeps_an_index_on_the_day_of_the_additive_tables(pg_store):
    """A window reads a run of days from a kept table, and a batch's recount replaces some days'
    rows: PostgreSQL finds them by an index on the day (DuckDB by its row groups' min/max)."""
    made = kept.keep_days(DEF, pg_store, START, END)
    indexed = {r["tablename"]: r["indexdef"] for r in pg_store.query_arrow(
        "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename LIKE '\\_k%' AND indexname LIKE '%\\_idx'").to_pylist()}  # not the manifest's key
    additive = {e.table for e in made if not e.distinct and e.plan.grain in ("daily", "changes")}
    assert len(additive) == 5 and set(indexed) == additive  # dossiers and petitions twice, publications
    assert all(f"({daily.DAY})" in d for d in indexed.values())


@pytest.mark.postgres
def test_postgres_merges_a_batch_into_the_day_masks_by_their_key(pg_store):
    """The day masks of a distinct measure hold a row per (unit, value): a batch's masks are
    merged into theirs through a unique index on that key, not a hash of the whole table — and
    every kept table has its planner statistics from the start (no guess of its size)."""
    made = kept.keep_days(DEF, pg_store, START, END)
    keys = {r["tablename"]: r["indexdef"] for r in pg_store.query_arrow(
        "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename LIKE '\\_kdst%' AND indexname LIKE '%\\_key'").to_pylist()}
    masks = {e.table for e in made if e.distinct and e.plan.grain == "daily"}
    assert masks and set(keys) == masks
    assert all("UNIQUE" in d and "(unit_code, procedure_code)" in d for d in keys.values())
    never = pg_store.query_arrow(
        "SELECT relname FROM pg_class WHERE relnamespace = CAST(current_schema() AS regnamespace) "
        "AND relkind = 'r' AND relname LIKE '\\_k%' AND relname <> '_kept_counts' AND reltuples < 0").to_pylist()
    assert never == []  # reltuples is -1 until a table is analysed (the merges: the random edits' test)
