"""Counts from records (DuckDB): the compiled counts queries against hand counts and against a
plain-Python reference implementation of the rules (tests/engine/conftest.py).

Rules exercised: on time including supplementation days, more than one supplementation
request = late, an unfinished dossier judged at the window end, petitions on time, WORKDAYS for
publications, distinct procedures per unit and per province, catalogue (non-windowed) counts,
records filed under the province code itself, weekly series with the whole range in one scan.
"""
from __future__ import annotations

import datetime as dt
import doctest

import polars as pl
import pytest
import sqlglot

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.catalog.predicates import parse_predicate
from chiso.catalog.records import PUBLICATIONS, RECORD_KINDS
from chiso.engine import counts as counts_module
from chiso.engine.counts import OUTER_BUCKET, CountsPlan, compile_counts
from chiso.engine.dialects import EPOCH, dialect
from chiso.engine.predicates import PredicateCompiler
from chiso.evaluate.counts import compute_counts, compute_series
from chiso.periods.windows import parse_window

DEF = load_index_definition(DEFAULT_INDEX)
D = dt.date
WEEKS = ["2026-W31", "2026-W32", "2026-W33", "2026-W34", "2026-W35"]


def _diff(got: dict, expected: dict) -> dict:
    out = {}
    for u in sorted(set(got) | set(expected)):
        g, e = got.get(u, {}), expected.get(u, {})
        bad = {m: (g.get(m), e.get(m)) for m in set(g) | set(e) if g.get(m) != e.get(m)}
        if bad:
            out[u] = bad
    return out


def test_doctests():
    assert doctest.testmod(counts_module).failed == 0


# ------------------------------------------------------------------ by hand
def test_commune_week_counted_by_hand(duck_store, ref):
    w = parse_window("2026-W34")
    counts = compute_counts(DEF, duck_store, [w])
    got = {m: counts.value(w, "07210", m) for m in ref.HAND_07210_W34}
    assert got == ref.HAND_07210_W34
    row = counts.for_window(w).filter(pl.col("unit_code") == "07210").to_dicts()[0]
    assert row["province_code"] == "24" and row["is_province"] is False


def test_province_publications_counted_by_hand(hand_store, ref):
    w = parse_window("2026-W34")
    counts = compute_counts(DEF, hand_store, [w])
    got = {m: counts.value(w, "24", m) for m in ref.HAND_PROVINCE_PUBLICATIONS_W34}
    assert got == ref.HAND_PROVINCE_PUBLICATIONS_W34
    # the department's own publications: U03 (late, not public, complete), U04 (on time, public, complete)
    assert {m: counts.value(w, "24-STP", m) for m in ref.HAND_PROVINCE_PUBLICATIONS_W34} == {
        "published": 2, "published_on_time": 1, "made_public_on_time": 1, "published_complete": 2}


def test_province_row_holds_its_own_records_and_its_units(hand_store):
    w = parse_window("2026-W34")
    frame = compute_counts(DEF, hand_store, [w]).for_window(w)
    province = frame.filter(pl.col("unit_code") == "24").to_dicts()
    assert len(province) == 1 and province[0]["is_province"] is True
    # 12 dossiers of 07210 in W34; nothing else in W34 among the hand records
    assert province[0]["received"] == 12
    assert province[0]["on_time"] == 8
    # publications filed under the province code itself (U01, U02, U05) plus 24-STP's
    assert province[0]["published"] == 5
    assert set(frame["unit_code"]) == {"24", "24-STP", "07210"}


def test_window_end_changes_the_verdict(hand_store):
    """07264: X01 is on time at the end of W32 but late at the end of W32..W34; X04 likewise in W33."""
    w32, w33, rng = parse_window("2026-W32"), parse_window("2026-W33"), parse_window("2026-08-03..2026-08-23")
    counts = compute_counts(DEF, hand_store, [w32, w33, rng])
    assert [counts.value(w, "07264", "received") for w in (w32, w33, rng)] == [3, 1, 4]
    assert [counts.value(w, "07264", "on_time") for w in (w32, w33, rng)] == [2, 1, 1]
    assert [counts.value(w, "07264", "petitions_on_time") for w in (w32, w33, rng)] == [1, 1, 1]
    assert [counts.value(w, "07264", "petitions") for w in (w32, w33, rng)] == [1, 1, 2]


def test_distinct_procedures_are_counted_once_per_unit_and_per_province(hand_store, ref):
    # 07264 has no catalogue; the province's catalogue is 07210's: P1, P2 with fees, P4 not citizen
    w = parse_window("2026-W34")
    counts = compute_counts(DEF, hand_store, [w])
    assert counts.value(w, "24", "procedures_with_fee") == 2
    assert counts.value(w, "24", "procedures_citizen") == 3
    # D01 and D02 are both P1: one procedure paid online
    assert counts.value(w, "07210", "procedures_paid_online") == 1
    assert counts.value(w, "24", "procedures_paid_online") == 1


# ------------------------------------------------------------------ against the reference
def test_every_window_matches_the_reference(duck_store, ref):
    data = ref.dataset()
    windows = [parse_window(w) for w in WEEKS + ["2026-08", "2026-08-03..2026-08-23", "2026-08-18", "2026-07"]]
    counts = compute_counts(DEF, duck_store, windows)
    assert counts.measures == tuple(DEF.measures)
    for w in windows:
        got = ref.nonzero(counts.for_window(w), counts.measures)
        expected = ref.reference_counts(DEF, data, w.start, w.end)
        assert _diff(got, expected) == {}, w.label


def test_every_unit_row_is_in_its_province(duck_store):
    counts = compute_counts(DEF, duck_store, [parse_window("2026-08")])
    assert set(counts.frame["province_code"]) == {"24"}
    flags = dict(zip(counts.frame["unit_code"], counts.frame["is_province"]))
    assert flags.pop("24") is True and not any(flags.values())
    assert counts.value("2026-08", "99999", "received") == 0


def test_weekly_series_with_the_whole_range(duck_store, ref):
    """One scan gives each ISO week (judged at its own end) and the whole range (judged at the
    range's end): each equals compute_counts for that window."""
    data = ref.dataset()
    whole = parse_window("2026-08-03..2026-08-23")
    series = compute_series(DEF, duck_store, whole.start, whole.end, whole=whole)
    assert [w.label for w in series.windows] == ["2026-W32", "2026-W33", "2026-W34", whole.label]
    direct = compute_counts(DEF, duck_store, list(series.windows))
    for w in series.windows:
        got = ref.nonzero(series.for_window(w), series.measures)
        assert got == ref.nonzero(direct.for_window(w), direct.measures), w.label
        assert _diff(got, ref.reference_counts(DEF, data, w.start, w.end)) == {}, w.label
    # window-end dependent measures are not additive over the weeks, and the whole range knows it
    weekly = sum(series.value(w, "07264", "on_time") for w in series.windows[:3])
    assert (weekly, series.value(whole, "07264", "on_time")) == (3, 1)
    # additive ones are
    for m in ("received", "synced", "petitions", "published"):
        assert sum(series.value(w, "24", m) for w in series.windows[:3]) == series.value(whole, "24", m)


def test_series_without_whole_and_cut_first_and_last_weeks(duck_store, ref):
    data = ref.dataset()
    series = compute_series(DEF, duck_store, D(2026, 8, 5), D(2026, 8, 19))
    # ISO weeks; the partial first and last weeks are labelled as date ranges
    assert [w.label for w in series.windows] == ["2026-08-05..2026-08-09", "2026-W33", "2026-08-17..2026-08-19"]
    for w in series.windows:
        got = ref.nonzero(series.for_window(w), series.measures)
        assert _diff(got, ref.reference_counts(DEF, data, w.start, w.end)) == {}, w.label


@pytest.mark.parametrize("whole", ["2026-08", "2026-08-05..2026-08-23"])
def test_series_whole_window_not_starting_on_a_monday(duck_store, ref, whole):
    """``compute_series(…, whole=2026-08)`` (the docstring's "e.g. the year" — years and
    months rarely start on a Monday): the whole window's counts must be that window's counts,
    not those of the range moved back to its Monday."""
    data = ref.dataset()
    w = parse_window(whole)
    series = compute_series(DEF, duck_store, w.start, w.end, whole=w)
    got = ref.nonzero(series.for_window(w), series.measures)
    assert got == ref.nonzero(compute_counts(DEF, duck_store, [w]).for_window(w), series.measures)
    assert _diff(got, ref.reference_counts(DEF, data, w.start, w.end)) == {}


def test_series_whole_must_be_the_series_range(duck_store):
    with pytest.raises(ValueError, match="whole window"):
        compute_series(DEF, duck_store, D(2026, 8, 3), D(2026, 8, 23), whole=parse_window("2026-08"))
    with pytest.raises(ValueError, match="whole window"):
        compute_series(DEF, duck_store, D(2026, 8, 1), D(2026, 8, 31), whole=parse_window("2026-08-03..2026-08-31"))


# ------------------------------------------------------------------ the compiled query itself
def test_counts_plan_buckets():
    plan = CountsPlan(D(2026, 8, 3), D(2026, 8, 19), "week")
    assert plan.buckets() == [(0, D(2026, 8, 3), D(2026, 8, 9)), (1, D(2026, 8, 10), D(2026, 8, 16)),
                              (2, D(2026, 8, 17), D(2026, 8, 19))]
    months = CountsPlan(D(2026, 7, 20), D(2026, 9, 5), "month").buckets()
    assert months == [(0, D(2026, 7, 20), D(2026, 7, 31)), (1, D(2026, 8, 1), D(2026, 8, 31)),
                      (2, D(2026, 9, 1), D(2026, 9, 5))]
    assert CountsPlan(D(2026, 12, 30), D(2027, 1, 2), "month").buckets()[-1] == (1, D(2027, 1, 1), D(2027, 1, 2))
    assert len(CountsPlan(D(2026, 8, 1), D(2026, 8, 31), "day").buckets()) == 31
    assert CountsPlan(D(2026, 8, 1), D(2026, 8, 31)).buckets() == [(0, D(2026, 8, 1), D(2026, 8, 31))]
    with pytest.raises(ValueError):
        CountsPlan(D(2026, 8, 5), D(2026, 8, 4))
    # weekly buckets are ISO weeks: a range starting mid-week has a short first bucket
    assert CountsPlan(D(2026, 8, 5), D(2026, 8, 19), "week").buckets() == [
        (0, D(2026, 8, 5), D(2026, 8, 9)), (1, D(2026, 8, 10), D(2026, 8, 16)), (2, D(2026, 8, 17), D(2026, 8, 19))]


def test_kinds_without_measures_of_a_sort_compile_to_nothing():
    plan = CountsPlan(D(2026, 8, 3), D(2026, 8, 9))
    tgt = dialect("duckdb")
    assert compile_counts(DEF, "petitions", tgt, "petitions", plan, distinct=True) is None
    assert compile_counts(DEF, "publications", tgt, "publications", plan, distinct=True) is None
    assert compile_counts(DEF, "procedures", tgt, "procedures", plan, distinct=False) is None


def _run_plan(store, plan: CountsPlan) -> dict[tuple[int, str], dict[str, int]]:
    """{(bucket, unit): {measure: count}} from the raw counts queries (additive and distinct)."""
    tgt = dialect(store.dialect)
    out: dict[tuple[int, str], dict[str, int]] = {}
    for kind in RECORD_KINDS:
        for distinct in (False, True):
            tree = compile_counts(DEF, kind, tgt, store.relation(kind), plan, distinct=distinct)
            if tree is None:
                continue
            for row in store.query_arrow(tgt.render(tree)).to_pylist():
                unit = row["unit_code"] if row["unit_code"] is not None else row["province_code"]
                slot = out.setdefault((int(row["bucket"]), unit), {})
                for m in DEF.measures_of(kind):
                    if (m.distinct is not None) == distinct and row[m.name]:
                        if not distinct and unit == row["province_code"]:
                            continue  # the additive query has no province totals; records filed there
                        slot[m.name] = int(row[m.name])
    return out


@pytest.mark.parametrize("grain, start, end", [
    ("day", D(2026, 8, 15), D(2026, 8, 24)),
    ("month", D(2026, 7, 20), D(2026, 9, 5)),
    ("week", D(2026, 8, 5), D(2026, 8, 26)),
])
def test_day_week_and_month_buckets_match_the_reference(duck_store, ref, grain, start, end):
    """Unit rows of the raw query, per bucket, each bucket judged at its own end."""
    data = ref.dataset()
    plan = CountsPlan(start, end, grain)
    got = _run_plan(duck_store, plan)
    for i, first, last in plan.buckets():
        expected = ref.reference_counts(DEF, data, first, last)
        for unit, measures in expected.items():
            if unit == "24":
                continue
            windowed = {m: v for m, v in measures.items() if RECORD_KINDS[DEF.measures[m].records].window_field}
            mine = {m: v for m, v in got.get((i, unit), {}).items()
                    if RECORD_KINDS[DEF.measures[m].records].window_field}
            assert mine == windowed, (grain, first, unit)


def test_outer_columns_evaluate_at_the_range_end(duck_store, ref):
    plan = CountsPlan(D(2026, 8, 3), D(2026, 8, 23), "week", outer=True)
    tgt = dialect("duckdb")
    tree = compile_counts(DEF, "dossiers", tgt, duck_store.relation("dossiers"), plan)
    rows = [r for r in duck_store.query_arrow(tgt.render(tree)).to_pylist() if r["unit_code"] == "07264"]
    # bucket 0 (W32): X01, X03 on time at the week's end; only X03 still at the range's end
    assert {int(r["bucket"]): (int(r["on_time"]), int(r["on_time__outer"])) for r in rows} == {0: (2, 1), 1: (1, 0)}
    assert "received__outer" not in rows[0]  # only window-dependent measures get an outer column
    distinct = compile_counts(DEF, "dossiers", tgt, duck_store.relation("dossiers"), plan, distinct=True)
    buckets = {r["bucket"] for r in duck_store.query_arrow(tgt.render(distinct)).to_pylist()}
    assert OUTER_BUCKET in buckets


# ------------------------------------------------------------------ WORKDAYS
def test_workdays_reference_by_hand(ref):
    assert ref.workdays(D(2026, 8, 3), D(2026, 8, 10)) == 5  # Mon → next Mon
    assert ref.workdays(D(2026, 8, 7), D(2026, 8, 10)) == 1  # Fri → Mon
    assert ref.workdays(D(2026, 8, 8), D(2026, 8, 9)) == 0  # Sat → Sun
    assert ref.workdays(D(2026, 8, 10), D(2026, 8, 3)) == -5
    # the week of Saturday 22 August 2026, a make-up working day: one more than Monday–Friday
    assert ref.workdays(D(2026, 8, 17), D(2026, 8, 24)) == 6  # Mon → next Mon
    assert ref.workdays(D(2026, 8, 21), D(2026, 8, 24)) == 2  # Fri → Mon, through Sat 22
    assert ref.workdays(D(2026, 8, 22), D(2026, 8, 23)) == 0  # Sat → Sun
    assert ref.workdays(D(2026, 8, 24), D(2026, 8, 17)) == -6
    # Mon 31 August (swapped), 1 and 2 September are off
    assert ref.workdays(D(2026, 8, 28), D(2026, 9, 7)) == 3  # 3, 4, 7 September


def test_workdays_compiled_for_duckdb_matches_the_reference(ref):
    import duckdb

    tgt = dialect("duckdb")
    tree = parse_predicate("WORKDAYS(decision_date, legal_effective_date)", PUBLICATIONS)
    compiled = PredicateCompiler(PUBLICATIONS, tgt, window_start=sqlglot.exp.Literal.number(0),
                                 window_end=sqlglot.exp.Literal.number(0),
                                 day_columns={"decision_date": "a", "legal_effective_date": "b"}).compile(tree)
    a0 = (D(2026, 7, 27) - EPOCH).days
    sql = (f"SELECT a, b, {tgt.render(compiled)} AS w FROM range({a0}, {a0 + 21}) x(a), "
           f"range({a0 - 3}, {a0 + 40}) y(b)")
    rows = duckdb.connect().execute(sql).fetchall()
    assert len(rows) == 21 * 43
    wrong = [(a, b, w) for a, b, w in rows
             if w != ref.workdays(EPOCH + dt.timedelta(days=a), EPOCH + dt.timedelta(days=b))]
    assert wrong == []
