"""Counts kept between refreshes: reading them gives exactly what a scan of the records gives —
right after they are kept, after random changes to the records (incremental refresh), for
sub-ranges of weeks, on DuckDB and PostgreSQL; stale or foreign kept tables are never used."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.catalog.predicates import parse_predicate
from chiso.catalog.records import DOSSIERS
from chiso.engine.counts import CountsPlan
from chiso.evaluate import kept
from chiso.evaluate.counts import compute_counts, compute_series
from chiso.periods.windows import date_range
from chiso.store.records import open_records

DEF = load_index_definition(DEFAULT_INDEX)
D = dt.date
START, END = D(2026, 7, 1), D(2026, 9, 30)  # a Wednesday: a short first week
PLAN = CountsPlan(START, END, "week", outer=True)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request):
    return request.getfixturevalue("duck_store" if request.param == "duckdb" else "pg_store")


def series(store, start=START, end=END, whole=True):
    return compute_series(DEF, store, start, end, whole=date_range(start, end) if whole else None)


def scanned(store, **kw):
    """The same series straight from the records, kept tables aside."""
    plans = {e.plan for e in kept.entries(store)}
    kept.forget(store)
    try:
        return series(store, **kw)
    finally:
        for p in plans:
            kept.keep(DEF, store, p)


def test_kept_counts_equal_the_scan(store):
    before = series(store)
    made = kept.keep(DEF, store, PLAN)
    assert {(e.kind, e.distinct) for e in made} == {("dossiers", False), ("dossiers", True), ("petitions", False),
                                                    ("publications", False)}
    assert all(e.rows > 0 and e.stamp == store.stamp() for e in made)
    for e in made:  # the series is read from the kept tables, not scanned
        assert kept.read(DEF, store, PLAN, e.kind, e.distinct) is not None
    assert_frame_equal(series(store).frame, before.frame)


def test_sub_ranges_of_weeks_read_kept_counts_other_ranges_scan(store):
    kept.keep(DEF, store, PLAN)
    weeks = CountsPlan(D(2026, 7, 27), D(2026, 8, 16), "week")
    assert kept.read(DEF, store, weeks, "dossiers", False) is not None
    got = series(store, start=weeks.start, end=weeks.end, whole=False)
    # the whole of another range is judged at its own end: not kept, scanned
    other = CountsPlan(D(2026, 7, 27), D(2026, 8, 16), "week", outer=True)
    assert kept.read(DEF, store, other, "dossiers", False) is None
    # buckets that are not the kept plan's buckets (a week cut mid-way) are scanned too
    assert kept.read(DEF, store, CountsPlan(D(2026, 7, 29), D(2026, 8, 16), "week"), "dossiers", False) is None
    kept.forget(store)
    assert kept.entries(store) == []
    assert_frame_equal(got.frame, series(store, start=weeks.start, end=weeks.end, whole=False).frame)


def _change(store, ref, rnd: random.Random, batch: str) -> set[dt.date]:
    """Random edits through the ordinary upsert: move, finish, flip flags, change the procedure
    or the unit, add. Returns the
    received days touched (old and new)."""
    rows = store.fetch("dossiers", limit=None)
    touched: set[dt.date] = set()
    out = []
    for r in rnd.sample(rows, 12):
        r = {k: v for k, v in r.items() if k in DOSSIERS.columns}
        touched.add(r["received_date"])
        what = rnd.choice(("move", "finish", "flag", "proc", "unit"))
        if what == "move":
            r["received_date"] = r["received_date"] + dt.timedelta(days=rnd.randint(-12, 12))
            r["appointment_date"] = r["received_date"] + dt.timedelta(days=rnd.randint(0, 9))
            r["finished_date"] = None
        elif what == "finish":
            r["finished_date"] = r["received_date"] + dt.timedelta(days=rnd.randint(0, 20))
        elif what == "flag":
            for f in ("paid_online", "financial_obligation", "population_db_used", "result_paper",
                      "result_electronic", "synced_national"):
                r[f] = rnd.random() < 0.5
        elif what == "proc":
            r["procedure_code"] = rnd.choice(ref.PROCEDURE_POOL)
            r["paid_online"] = r["financial_obligation"] = True
        else:  # handed to another unit: both units' counts change (the old unit's too)
            other = rnd.choice(rows)
            r["unit_code"], r["province_code"] = other["unit_code"], other["province_code"]
        touched.add(r["received_date"])
        out.append(r)
    for i in range(5):
        unit = rnd.choice(ref.FILLER_UNITS)
        received = START + dt.timedelta(days=rnd.randrange((END - START).days))
        out.append(ref.dossier(f"N{batch}{i}", unit, rnd.choice(ref.PROCEDURE_POOL), received,
                               received + dt.timedelta(days=3), None, financial_obligation=True,
                               paid_online=True, population_db_used=True, result_paper=True))
        touched.add(received)
    store.upsert("dossiers", ref.frame("dossiers", out), batch)
    return touched


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_refresh_equals_a_fresh_scan(duck_store, ref, seed):
    rnd = random.Random(seed)
    kept.keep(DEF, duck_store, PLAN)
    for round_ in range(3):
        touched = _change(duck_store, ref, rnd, f"r{seed}{round_}")
        stamp = duck_store.stamp()
        reports = {(r.kind, r.distinct): r for r in kept.refresh(DEF, duck_store)}
        # only the buckets of the touched days were recomputed
        buckets = {i for i, f, l in PLAN.buckets() if any(f <= d <= l for d in touched)}
        assert reports[("dossiers", False)].buckets == len(buckets) < len(PLAN.buckets())
        assert reports[("dossiers", True)].buckets == len(buckets)
        assert ("petitions", False) not in reports or reports[("petitions", False)].buckets == 0
        assert all(e.stamp == stamp for e in kept.entries(duck_store))
        assert_frame_equal(series(duck_store).frame, scanned(duck_store).frame)


@pytest.mark.postgres
def test_incremental_refresh_on_postgres(pg_store, ref):
    kept.keep(DEF, pg_store, PLAN)
    _change(pg_store, ref, random.Random(7), "pg")
    # reading refreshes first (a writable store), then answers from the kept tables
    got = series(pg_store)
    assert all(e.stamp == pg_store.stamp() for e in kept.entries(pg_store))
    assert_frame_equal(got.frame, scanned(pg_store).frame)


def test_a_read_only_store_scans_when_its_kept_counts_are_stale(tmp_path, ref):
    url = f"duckdb:///{(tmp_path / 'r.duckdb').as_posix()}"
    with open_records(url) as s:
        ref.load(s, ref.dataset())
        kept.keep(DEF, s, PLAN)
        _change(s, ref, random.Random(5), "late")  # not refreshed: the kept tables stay stale
        assert kept.entries(s)[0].stamp < s.stamp()
    with open_records(url, read_only=True) as ro:
        assert kept.read(DEF, ro, PLAN, "dossiers", False) is None
        got = series(ro)
    with open_records(url) as s:
        assert_frame_equal(got.frame, scanned(s).frame)


def test_another_definition_does_not_find_these_kept_counts(duck_store):
    kept.keep(DEF, duck_store, PLAN)
    m = DEF.measures["paid_online"]
    changed = dataclasses.replace(DEF, measures={**DEF.measures, "paid_online": dataclasses.replace(
        m, where=parse_predicate("paid_online", DOSSIERS))})
    assert kept.table_name(changed, duck_store, "dossiers", PLAN, False) != \
        kept.table_name(DEF, duck_store, "dossiers", PLAN, False)
    assert kept.read(changed, duck_store, PLAN, "dossiers", False) is None
    assert kept.read(DEF, duck_store, PLAN, "dossiers", False) is not None


def test_keep_refuses_a_plan_without_buckets_and_a_read_only_store(tmp_path, duck_store):
    with pytest.raises(ValueError, match="by bucket"):
        kept.keep(DEF, duck_store, CountsPlan(START, END, "all"))
    url = f"duckdb:///{(tmp_path / 'ro.duckdb').as_posix()}"
    open_records(url).close()
    with open_records(url, read_only=True) as ro:
        with pytest.raises(Exception, match="cannot keep counts"):
            kept.keep(DEF, ro, PLAN)


def test_kept_rows_are_the_scans_rows(duck_store):
    """The kept additive table is exactly the scan's per-(unit, week) rows."""
    kept.keep(DEF, duck_store, PLAN)
    [e] = [e for e in kept.entries(duck_store) if e.kind == "dossiers" and not e.distinct]
    table = pl.from_arrow(duck_store.query_arrow(f"SELECT * FROM {e.table}"))
    assert table.height == e.rows
    assert set(table["bucket"].unique()) <= {i for i, _, _ in PLAN.buckets()}
    assert int(table["received"].sum()) == duck_store.count("dossiers") - sum(
        1 for r in duck_store.fetch("dossiers", limit=None) if not START <= r["received_date"] <= END)


def test_a_window_that_is_a_kept_range_is_counted_from_the_kept_counts(store):
    whole = date_range(START, END)
    before = compute_counts(DEF, store, [whole])
    kept.keep(DEF, store, PLAN)
    assert kept.covers(DEF, store, CountsPlan(START, END, "week", outer=True))
    assert not kept.covers(DEF, store, CountsPlan(START, D(2026, 9, 29), "week", outer=True))
    assert_frame_equal(compute_counts(DEF, store, [whole]).frame, before.frame)
    # … and really from them: a (deliberately) wrong kept row shows through
    [e] = [e for e in kept.entries(store) if e.kind == "dossiers" and not e.distinct]
    store._execute(f"UPDATE {e.table} SET received = received + 1")
    after = compute_counts(DEF, store, [whole]).frame
    assert int(after["received"].sum()) > int(before.frame["received"].sum())
