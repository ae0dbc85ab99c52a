"""WORKDAYS(a, b) in SQL counts real working days: Monday–Friday, minus the days off of the
public-holiday calendar, plus its make-up Saturdays (docs/holidays.md).

The SQL value, on DuckDB and on PostgreSQL, is compared with the Python reference
``WorkingDays.count`` (and ``HolidayCalendar.workdays``, which extends it to the years the
file does not list: Monday–Friday there): by hand around Tết, 30/4–1/5, 2/9, make-up
Saturdays and year boundaries; for every pair of days at most 40 days apart from late 2023
to early 2028; by a hypothesis property over random pairs and over random calendars; and at
the counts level, where a holiday in the window changes a publication criterion.
"""
from __future__ import annotations

import datetime as dt
import doctest

import duckdb
import numpy as np
import psycopg
import pytest
import sqlglot
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlglot import exp

from chiso.catalog.index_definition import DEFAULT_INDEX, parse_index_definition
from chiso.catalog.predicates import parse_predicate
from chiso.catalog.records import PUBLICATIONS
from chiso.engine import predicates as predicates_module
from chiso.engine.dialects import day_number, dialect
from chiso.engine.predicates import PredicateCompiler, correction_through
from chiso.evaluate.counts import compute_counts
from chiso.periods.holidays import (
    DEFAULT_HOLIDAYS,
    DayOff,
    EstimateRule,
    HolidayCalendar,
    HolidayYear,
    MakeUpDay,
    load_holidays,
)
from chiso.periods.windows import parse_window
from chiso.store.records import open_records
from tests.factories import postgres_connect, postgres_unavailable

D = dt.date
CAL = load_holidays(DEFAULT_HOLIDAYS)
DAYS = CAL.working_days()  # the listed years, 2024–2027
FIRST, LAST = D(CAL.first_year, 1, 1), D(CAL.last_year, 12, 31)
DAY_COLUMNS = {"decision_date": "a", "legal_effective_date": "b", "public_date": "p"}


def _days(values) -> np.ndarray:
    return np.array([np.datetime64(v, "D") for v in values], dtype="datetime64[D]")


def compile_sql(tgt_name: str, text: str = "WORKDAYS(decision_date, legal_effective_date)",
                calendar: HolidayCalendar | None = CAL, window_end: int = 0) -> str:
    """The predicate expression over columns a, b, p (day numbers), rendered for a target."""
    tgt = dialect(tgt_name)
    compiler = PredicateCompiler(PUBLICATIONS, tgt, window_start=exp.Literal.number(0),
                                 window_end=exp.Literal.number(window_end), day_columns=DAY_COLUMNS,
                                 calendar=calendar)
    return tgt.render(compiler.compile(parse_predicate(text, PUBLICATIONS)))


def _values(pairs) -> str:
    """Pairs of dates (or None) as a VALUES list of day numbers, with their position."""
    def n(d):
        return "CAST(NULL AS INTEGER)" if d is None else str(day_number(d))
    return ", ".join(f"({i}, {n(a)}, {n(b)})" for i, (a, b) in enumerate(pairs))


def duck_workdays(pairs, *, calendar: HolidayCalendar | None = CAL, con=None) -> list[int | None]:
    con = con or duckdb.connect()
    sql = (f"SELECT i, {compile_sql('duckdb', calendar=calendar)} AS w "
           f"FROM (VALUES {_values(pairs)}) t(i, a, b) ORDER BY i")
    return [w for _, w in con.execute(sql).fetchall()]


def test_doctests():
    assert doctest.testmod(predicates_module).failed == 0


# ------------------------------------------------------------------ by hand
# (a, b, working days after a up to and including b, Monday–Friday only)
HAND = [
    # Tết Bính Ngọ 2026: weekdays 16–20/2 off
    (D(2026, 2, 13), D(2026, 2, 24), 2, 7),  # Fri before Tết → Tue after: 23, 24
    (D(2026, 2, 13), D(2026, 2, 23), 1, 6),
    (D(2026, 2, 16), D(2026, 2, 20), 0, 4),  # inside the break
    (D(2026, 2, 24), D(2026, 2, 13), -2, -7),  # a > b
    (D(2026, 2, 16), D(2026, 2, 16), 0, 0),  # same day, a day off
    (D(2026, 2, 24), D(2026, 2, 24), 0, 0),  # same day, a working day
    # Tết Ất Tỵ 2025 (weekdays 27–31/1) and Giáp Thìn 2024 (8, 9, 12–14/2)
    (D(2025, 1, 24), D(2025, 2, 3), 1, 6),
    (D(2024, 2, 7), D(2024, 2, 15), 1, 6),
    # Tết Đinh Mùi 2027, computed: 4, 5, 8–10/2
    (D(2027, 2, 3), D(2027, 2, 11), 1, 6),
    # 30/4–1/5 2025: Sat 26/4 is worked for Fri 2/5
    (D(2025, 4, 25), D(2025, 5, 5), 4, 6),  # 26/4, 28/4, 29/4, 5/5
    (D(2025, 4, 25), D(2025, 4, 26), 1, 0),  # the make-up Saturday itself
    # 30/4–1/5 2024: Mon 29/4 swapped with Sat 4/5
    (D(2024, 4, 26), D(2024, 5, 6), 4, 6),  # 2/5, 3/5, 4/5, 6/5
    # Quốc khánh 2026: Mon 31/8 swapped with Sat 22/8, 1/9 and 2/9 off
    (D(2026, 8, 28), D(2026, 9, 7), 3, 6),  # 3, 4, 7 September
    (D(2026, 8, 21), D(2026, 8, 24), 2, 1),  # Fri → Mon through the make-up Saturday
    (D(2026, 9, 7), D(2026, 8, 21), -9, -11),  # 22/8, 24–28/8, 3, 4, 7/9
    # Sat 10/1/2026 is worked for Fri 2/1
    (D(2026, 1, 9), D(2026, 1, 12), 2, 1),
    (D(2026, 1, 10), D(2026, 1, 10), 0, 0),
    (D(2026, 1, 9), D(2026, 1, 10), 1, 0),
    (D(2026, 1, 10), D(2026, 1, 9), -1, 0),
    # year boundaries
    (D(2025, 12, 31), D(2026, 1, 2), 0, 2),  # 1/1 and 2/1/2026 off
    (D(2025, 12, 31), D(2026, 1, 5), 1, 3),
    (D(2026, 12, 31), D(2027, 1, 4), 1, 2),  # 1/1/2027 off
    (D(2023, 12, 29), D(2024, 1, 2), 1, 2),  # from a year not listed into 2024: 1/1/2024 off
]
# years the file does not list count Monday–Friday (docs/holidays.md)
OUTSIDE = [
    (D(2023, 1, 2), D(2023, 1, 30), 20),  # Tết Quý Mão 2023 is not in the file
    (D(2027, 12, 31), D(2028, 1, 4), 2),  # 2028 is not in the file
    (D(2028, 1, 4), D(2023, 12, 29), None),  # across the whole file: Monday–Friday plus its corrections
]
NULLS = [(None, D(2026, 2, 24)), (D(2026, 2, 13), None), (None, None)]


def _expected_outside(a, b, n):
    return n if n is not None else int(CAL.workdays(a, b)[0])


def test_hand_cases_by_the_python_reference():
    a, b = _days(p[0] for p in HAND), _days(p[1] for p in HAND)
    inside = [i for i, (x, y, _, _) in enumerate(HAND) if FIRST <= min(x, y) and max(x, y) <= LAST]
    assert len(inside) == len(HAND) - 1
    assert DAYS.count(a[inside], b[inside]).tolist() == [HAND[i][2] for i in inside]
    assert CAL.workdays(a, b).tolist() == [p[2] for p in HAND]
    # the Monday–Friday count the calendar corrects
    assert [int(np.sign((y - x).days)) * int(np.busday_count(min(x, y) + dt.timedelta(1), max(x, y) + dt.timedelta(1)))
            for x, y, _, _ in HAND] == [p[3] for p in HAND]
    # outside: 20 weekdays from 2 to 30 January 2023, 1/1/2028 is a Saturday
    assert CAL.workdays(_days([OUTSIDE[0][0]]), _days([OUTSIDE[0][1]])).tolist() == [20]
    total = sum(delta for _, delta in CAL.adjustments())
    assert int(CAL.workdays(OUTSIDE[2][0], OUTSIDE[2][1])[0]) == -(
        int(np.busday_count(D(2023, 12, 30), D(2028, 1, 5))) + total)


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_hand_cases_in_sql(engine, ref):
    pairs = [(a, b) for a, b, _, _ in HAND] + [(a, b) for a, b, _ in OUTSIDE] + NULLS
    expected = ([p[2] for p in HAND] + [_expected_outside(*p) for p in OUTSIDE] + [None] * len(NULLS))
    sql = (f"SELECT i, {compile_sql(engine)} AS w FROM (VALUES {_values(pairs)}) t(i, a, b) ORDER BY i")
    if engine == "duckdb":
        got = [w for _, w in duckdb.connect().execute(sql).fetchall()]
    else:
        with _pg(ref) as conn:
            got = [w for _, w in conn.execute(sql).fetchall()]
    assert got == expected


# ------------------------------------------------------------------ every pair of nearby days
GRID_FIRST, GRID_LAST, SPREAD = D(2023, 11, 1), D(2028, 2, 29), 40


def _grid_sql(engine: str) -> str:
    lo, hi = day_number(GRID_FIRST), day_number(GRID_LAST)
    series = "range({lo}, {hi})" if engine == "duckdb" else "generate_series({lo}, {hi} - 1)"
    return (f"SELECT a, b, {compile_sql(engine)} AS w FROM (SELECT x.a, x.a + k.k AS b FROM "
            f"{series.format(lo=lo, hi=hi + 1)} AS x(a), {series.format(lo=-SPREAD, hi=SPREAD + 1)} AS k(k)) t")


def _check_grid(rows: list[tuple[int, int, int]]) -> None:
    assert len(rows) == ((GRID_LAST - GRID_FIRST).days + 1) * (2 * SPREAD + 1)
    a = np.array([r[0] for r in rows], dtype="datetime64[D]")  # day numbers are days since 1970-01-01
    b = np.array([r[1] for r in rows], dtype="datetime64[D]")
    got = np.array([r[2] for r in rows])
    assert (got == CAL.workdays(a, b)).all()
    inside = (np.minimum(a, b) >= np.datetime64(FIRST)) & (np.maximum(a, b) <= np.datetime64(LAST))
    assert inside.sum() > 100_000
    assert (got[inside] == DAYS.count(a[inside], b[inside])).all()
    # the holidays matter: Monday–Friday arithmetic differs on many of these pairs
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    monfri = np.where(b >= a, 1, -1) * np.busday_count(lo + 1, hi + 1)
    assert (got[inside] != monfri[inside]).sum() > 20_000
    assert (got[~inside] != monfri[~inside]).any()  # a span from outside into the file


def test_every_nearby_pair_in_duckdb():
    _check_grid(duckdb.connect().execute(_grid_sql("duckdb")).fetchall())


@pytest.mark.postgres
def test_every_nearby_pair_in_postgres(ref):
    with _pg(ref) as conn:
        _check_grid(conn.execute(_grid_sql("postgres")).fetchall())


def test_spark_rendering_counts_the_same():
    """Spark is rendered, not run: the Spark SQL, read back as Spark and run on DuckDB, gives
    the reference values (the day arithmetic and the CASE tree survive the dialect)."""
    spark = compile_sql("spark")
    assert "DIV" in spark and "CASE WHEN" in spark
    duck = sqlglot.transpile(spark, read="spark", write="duckdb")[0]
    lo = day_number(D(2025, 12, 1))
    rows = duckdb.connect().execute(
        f"SELECT a, b, {duck} AS w FROM range({lo}, {lo + 120}) x(a), range({lo - 10}, {lo + 130}) y(b)").fetchall()
    a = np.array([r[0] for r in rows], dtype="datetime64[D]")
    b = np.array([r[1] for r in rows], dtype="datetime64[D]")
    assert (np.array([r[2] for r in rows]) == DAYS.count(a, b)).all()


# ------------------------------------------------------------------ properties
COVERED = st.dates(min_value=FIRST, max_value=LAST)


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    yield c
    c.close()


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(COVERED, COVERED), min_size=1, max_size=40))
def test_random_pairs_in_the_listed_years(con, pairs):
    a, b = _days(p[0] for p in pairs), _days(p[1] for p in pairs)
    assert duck_workdays(pairs, con=con) == DAYS.count(a, b).tolist()


WEEKDAYS_2030 = [D(2030, 1, 1) + dt.timedelta(days=i) for i in range(730)]


def _calendar(off: set[dt.date], make_up: set[dt.date]) -> HolidayCalendar:
    years = {y: HolidayYear(y, tuple(DayOff(d, "other", "announced", "test") for d in sorted(off) if d.year == y),
                            tuple(MakeUpDay(d, d, "announced") for d in sorted(make_up) if d.year == y))
             for y in (2030, 2031)}
    return HolidayCalendar("test", years, EstimateRule({}, {}, {}), "<test>")


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_calendars(con, data):
    """Any set of days off and make-up days (so any number of steps, none included) gives
    the day-by-day count."""
    off = set(data.draw(st.lists(st.sampled_from([d for d in WEEKDAYS_2030 if d.weekday() < 5]), max_size=30)))
    make_up = set(data.draw(st.lists(st.sampled_from([d for d in WEEKDAYS_2030 if d.weekday() >= 5]),
                                     max_size=6)))
    cal = _calendar(off, make_up)
    day = st.dates(min_value=D(2029, 12, 1), max_value=D(2032, 1, 31))
    pairs = data.draw(st.lists(st.tuples(day, day), min_size=1, max_size=25))

    def by_day(a, b):
        sign, lo, hi = (1, a, b) if a <= b else (-1, b, a)
        days = [lo + dt.timedelta(days=i) for i in range(1, (hi - lo).days + 1)]
        return sign * sum((d.weekday() < 5 and d not in off) or d in make_up for d in days)

    assert duck_workdays(pairs, calendar=cal, con=con) == [by_day(a, b) for a, b in pairs]


def test_the_correction_tree_is_balanced():
    steps = CAL.correction_steps()
    assert len(steps) == len(CAL.adjustments()) == 52
    tree = correction_through(exp.column("d"), steps)
    # comparisons on the way to the deepest value: ⌈log2(53)⌉ = 6 a row, not 52
    def cases_above(node: exp.Expression) -> int:
        n = 0
        while node is not None:
            n += isinstance(node, exp.Case)
            node = node.parent
        return n

    assert max(cases_above(lt) for lt in tree.find_all(exp.LT)) == 6
    assert len(list(tree.find_all(exp.LT))) == 52


# ------------------------------------------------------------------ which calendar
def test_arguments_may_be_expressions_and_the_window(con):
    """WORKDAYS of shifted dates and of the window end: every column inside is rewritten."""
    sql = compile_sql("duckdb", "WORKDAYS(decision_date + 2, window_end)", window_end=day_number(D(2026, 2, 24)))
    got = con.execute(f"SELECT {sql} FROM (VALUES ({day_number(D(2026, 2, 11))}, 0)) t(a, b)").fetchone()[0]
    assert got == int(CAL.workdays(D(2026, 2, 13), D(2026, 2, 24))[0]) == 2


def test_chiso_holidays_is_honoured(con, tmp_path, monkeypatch):
    """A province's own copy with a day off of its own: WORKDAYS counts it once compiled
    without an explicit calendar (the default reads CHISO_HOLIDAYS)."""
    text = DEFAULT_HOLIDAYS.read_text(encoding="utf-8")
    line = "      - {date: 2026-01-01, holiday: new_year, basis: statutory}\n"
    assert text.count(line) == 1
    own = tmp_path / "holidays.yaml"
    own.write_text(text.replace(line, line + '      - {date: 2026-03-10, holiday: other, basis: announced, '
                                              'name: "Ngày nghỉ riêng của tỉnh"}\n'), encoding="utf-8")
    pairs = [(D(2026, 3, 6), D(2026, 3, 13))]
    monkeypatch.delenv("CHISO_HOLIDAYS", raising=False)
    assert duck_workdays(pairs, calendar=None, con=con) == [5]
    monkeypatch.setenv("CHISO_HOLIDAYS", str(own))
    assert duck_workdays(pairs, calendar=None, con=con) == [4]
    assert duck_workdays(pairs, con=con) == [5]  # an explicit calendar wins


# ------------------------------------------------------------------ counts
# Public update within 2 working days (the shipped definition says 5), published at least 5
# working days before the legal basis takes effect. Tết Bính Ngọ: weekdays 16–20/2/2026 off.
LIMIT_TWO = parse_index_definition(DEFAULT_INDEX.read_text(encoding="utf-8").replace(
    "public_update_working_days: 5", "public_update_working_days: 2"), path="two-days.yaml")


def _tet_publications(ref) -> list[dict]:
    p = ref.publication
    return [
        # decided Fri 13/2, made public Tue 24/2, the 2nd working day after Tết (7 weekdays later):
        # public on time; effective the same day, 2 working days: not published on time
        p("T1", "24-STP", ref.P1, D(2026, 2, 13), D(2026, 2, 24), D(2026, 2, 24), True),
        # before Tết, no holiday: 2 working days to public (on time), 5 to effect (on time)
        p("T2", "24-STP", ref.P2, D(2026, 2, 6), D(2026, 2, 13), D(2026, 2, 10), True),
        # 3 working days to public (late), 4 to effect (late)
        p("T3", "24-STP", ref.P3, D(2026, 2, 6), D(2026, 2, 12), D(2026, 2, 11), True),
        # decided Fri 13/2, effective Fri 27/2: 5 working days across Tết (10 weekdays): on
        # time; public Wed 25/2: 3 (late)
        p("T4", "24-STP", ref.P4, D(2026, 2, 13), D(2026, 2, 27), D(2026, 2, 25), True),
    ]


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def tet_store(request, tmp_path, ref):
    data = {"publications": _tet_publications(ref)}
    if request.param == "duckdb":
        store = open_records(f"duckdb:///{(tmp_path / 'tet.duckdb').as_posix()}")
        try:
            ref.load(store, data)
            yield store
        finally:
            store.close()
        return
    schema = ref.make_postgres_schema()
    try:
        store = open_records(ref.postgres_records_url(schema))
        try:
            ref.load(store, data)
            yield store
        finally:
            store.close()
    finally:
        ref.drop_postgres_schema(schema)


def test_a_holiday_in_the_window_changes_the_publication_criteria(tet_store, ref):
    w = parse_window("2026-02")
    counts = compute_counts(LIMIT_TWO, tet_store, [w])
    got = {m: counts.value(w, "24-STP", m) for m in ("published", "published_on_time", "made_public_on_time")}
    assert got == {"published": 4, "published_on_time": 2, "made_public_on_time": 2}  # T2, T4 / T1, T2
    # Monday–Friday arithmetic would have said T1, T2, T4 published on time and only T2 public on time
    pubs = _tet_publications(ref)
    monfri = [int(np.busday_count(p["decision_date"] + dt.timedelta(1), p[f] + dt.timedelta(1)))
              for p in pubs for f in ("legal_effective_date", "public_date")]
    assert monfri == [7, 7, 5, 2, 4, 3, 10, 8]
    # and the plain-Python reference agrees with the engine on every measure
    reference = ref.reference_counts(LIMIT_TWO, {"publications": pubs}, w.start, w.end)
    assert {m: counts.value(w, "24-STP", m) for m in reference["24-STP"]} == reference["24-STP"]


# ------------------------------------------------------------------ PostgreSQL connection
class _pg:
    """A plain PostgreSQL connection to the test server (skipped, or failed under CI, when
    the server is unreachable)."""

    def __init__(self, ref):
        self.ref = ref

    def __enter__(self):
        try:
            self.conn = postgres_connect()
        except psycopg.OperationalError as exc:
            postgres_unavailable(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
        return self.conn

    def __exit__(self, *exc):
        self.conn.close()
