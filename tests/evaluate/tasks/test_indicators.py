"""The task-fed indicators: the register's counts as values, hand-computed on a small register.

The register (province 24, built through ``repo_tasks`` as every import and page does):

====  ==========  ==========  ==========  ================================================
task  lead        assigned    deadline    life
====  ==========  ==========  ==========  ================================================
A     24-SXD      05/01/2026  30/01/2026  completed 28/01, accepted 29/01 → on time
B     24-SXD      05/01/2026  30/01/2026  completed 10/02, accepted 11/02 → late
C     24-STC      12/01/2026  27/02/2026  progress 25/02 and 09/03, still open
D     07210       02/02/2026  none        nothing (open, never overdue)
E     24-STC      02/06/2025  31/07/2025  nothing: open, overdue > 120 days by 2026
F     24-SXD      03/03/2025  30/04/2025  completed 20/04/2025, accepted: done in 2025
====  ==========  ==========  ==========  ================================================

Counted up to 10/03/2026 with the default windows (7 days for "updated" and "due soon").
"""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from chiso.catalog.catalogue import load_catalogue
from chiso.catalog.indicator import TASK_MEASURES, Aggregation, Indicator, TaskSource
from chiso.demo.indicators import CATALOGUE_PATH
from chiso.evaluate.dm.derived import all_values
from chiso.evaluate.tasks import register
from chiso.evaluate.tasks.indicators import task_periods, task_values
from chiso.store import repo_tasks
from chiso.store.database import init_store
from chiso.tasks.states import Policy
from chiso.units import load_units
from tests.factories import value_of

D = dt.date
THROUGH = D(2026, 3, 10)
POLICY = Policy("approved", 7, 7)
SXD, STC, COMMUNE = "24-SXD", "24-STC", "07210"


def _task(session, code, lead, assigned, deadline=None):
    row, _ = repo_tasks.upsert_task(session, {
        "doc_number": f"{code}/TB-UBND", "content": f"Nhiệm vụ {code}", "assigned_on": assigned, "lead_unit": lead,
        "deadline_kind": "date" if deadline else "none", "deadline": deadline}, province="24", source="file",
        by="test", code=code, external_id=f"ext-{code}")
    return row


def _done(session, row, completed, accepted):
    repo_tasks.add_event(session, row, "completion", by="head", unit_code=row.lead_unit, day=completed)
    repo_tasks.add_event(session, row, "acceptance", by="office", unit_code="24-VPUBND", day=accepted,
                         decision="accepted")


def build_register(session):
    a = _task(session, "A", SXD, D(2026, 1, 5), D(2026, 1, 30))
    _done(session, a, D(2026, 1, 28), D(2026, 1, 29))
    b = _task(session, "B", SXD, D(2026, 1, 5), D(2026, 1, 30))
    _done(session, b, D(2026, 2, 10), D(2026, 2, 11))
    c = _task(session, "C", STC, D(2026, 1, 12), D(2026, 2, 27))
    for day in (D(2026, 2, 25), D(2026, 3, 9)):
        repo_tasks.add_event(session, c, "progress", by="officer", unit_code=STC, day=day, percent=50)
    _task(session, "D", COMMUNE, D(2026, 2, 2))
    _task(session, "E", STC, D(2025, 6, 2), D(2025, 7, 31))
    f = _task(session, "F", SXD, D(2025, 3, 3), D(2025, 4, 30))
    _done(session, f, D(2025, 4, 20), D(2025, 4, 21))


CODES = {m: f"T.{m.upper()}" for m in TASK_MEASURES}


def _fed(measure: str, levels=("province", "department", "commune"), frequency="weekly") -> Indicator:
    return Indicator(code=CODES[measure], name=f"Số {measure}", name_en=measure, definition="thử nghiệm",
                     group="process", field="ADMINISTRATION", unit="nhiệm vụ", source_system="sổ nhiệm vụ",
                     owner="24-VPUBND", levels=levels, tasks=TaskSource(measure=measure), frequency=frequency,
                     aggregation=Aggregation(units="sum", periods="last"))


def _rate(code: str, formula: str) -> Indicator:
    return Indicator(code=code, name=code, name_en=code, definition="thử nghiệm", group="output",
                     field="ADMINISTRATION", unit="%", source_system="sổ nhiệm vụ", owner="24-VPUBND",
                     formula=formula, levels=("province", "department", "commune"),
                     aggregation=Aggregation(units="none", periods="none"))


INDICATORS = {CODES[m]: _fed(m) for m in TASK_MEASURES}
RATES = {
    "T.ON_TIME_RATE": _rate("T.ON_TIME_RATE", "T.DONE_ON_TIME / (T.DONE_ON_TIME + T.DONE_LATE + T.OPEN_OVERDUE) * 100"),
    "T.UPDATE_RATE": _rate("T.UPDATE_RATE", "T.UPDATED / T.OPEN * 100"),
}


@pytest.fixture
def values(db):
    with db.session() as s:
        build_register(s)
    with db.session() as s:
        return task_values(s, INDICATORS, load_units(), "24", THROUGH, policy=POLICY)


def _counts(frame: pl.DataFrame, unit: str, period: str) -> dict[str, float]:
    rows = frame.filter((pl.col("unit_code") == unit) & (pl.col("period") == period))
    return {m: rows.filter(pl.col("indicator") == CODES[m])["value"].item() for m in TASK_MEASURES}


def _expect(**given) -> dict[str, float]:
    return {m: float(given.get(m, 0)) for m in TASK_MEASURES}


def test_the_measures_are_the_registers_counts():
    assert tuple(TASK_MEASURES) == tuple(register.COUNTS)


def test_january_at_its_last_day(values):
    # A done on time; B one day overdue; C in time (27 days left); E 184 days overdue; D not yet
    assert _counts(values, SXD, "2026-01") == _expect(total=2, done_on_time=1, open_overdue=1, open=1)
    assert _counts(values, STC, "2026-01") == _expect(total=2, open_in_time=1, open_overdue=1, overdue_120=1,
                                                      open=2)
    assert _counts(values, COMMUNE, "2026-01") == _expect()
    assert _counts(values, "24", "2026-01") == _expect(total=4, done_on_time=1, open_overdue=2, open_in_time=1,
                                                       overdue_120=1, open=3)


def test_february_and_the_current_month_counted_at_through(values):
    # B now done late; C one day overdue on 28/02, updated on 25/02 (3 days before)
    feb = _expect(total=5, done_on_time=1, done_late=1, open_in_time=1, open_overdue=2, overdue_120=1, open=3,
                  updated=1)
    assert _counts(values, "24", "2026-02") == feb
    assert _counts(values, STC, "2026-02") == _expect(total=2, open_overdue=2, overdue_120=1, open=2, updated=1)
    assert _counts(values, COMMUNE, "2026-02") == _expect(total=1, open_in_time=1, open=1)
    # March is counted at 10/03 (C updated on 09/03): the same as February's end
    assert _counts(values, "24", "2026-03") == feb
    assert _counts(values, "24", "2026-Q1") == feb
    march = values.filter((pl.col("period") == "2026-03") & (pl.col("unit_code") == "24")).row(0, named=True)
    assert (march["period_start"], march["period_end"], march["period_kind"]) == (D(2026, 3, 1), D(2026, 3, 31),
                                                                                  "month")


def test_a_task_done_in_an_earlier_year_leaves_the_count(values):
    # F (done 20/04/2025) counts in 2025, not in 2026; E is open across the year end
    assert _counts(values, SXD, "2025") == _expect(total=1, done_on_time=1)
    assert _counts(values, SXD, "2025-Q2") == _expect(total=1, done_on_time=1)
    assert _counts(values, SXD, "2025-Q1") == _expect(total=1, open_in_time=1, open=1)
    assert _counts(values, "24", "2025") == _expect(total=2, done_on_time=1, open_overdue=1, overdue_120=1, open=1)
    assert _counts(values, SXD, "2026") == _expect(total=2, done_on_time=1, done_late=1)


def test_weeks_end_on_sunday(values):
    # 2026-W05 ends Sunday 01/02: B two days overdue, C 26 days from its deadline, D not assigned yet
    assert _counts(values, "24", "2026-W05") == _expect(total=4, done_on_time=1, open_overdue=2, open_in_time=1,
                                                        overdue_120=1, open=3)
    # 2026-W09 ends 01/03: C two days overdue; updated on 25/02 (4 days before)
    assert _counts(values, STC, "2026-W09")["updated"] == 1
    # 2026-W08 ends 22/02: C due on 27/02, five days away: due soon
    assert _counts(values, STC, "2026-W08")["due_soon"] == 1


def test_periods_from_the_first_assignment_to_through(values):
    weeks = values.filter((pl.col("period_kind") == "week") & (pl.col("unit_code") == "24")
                          & (pl.col("indicator") == CODES["total"]))["period"].to_list()
    assert weeks[0] == "2025-W10" and weeks[-1] == "2026-W11"  # F: assigned Monday 03/03/2025, of W10
    kinds = values.group_by("period_kind").agg(pl.col("period").n_unique()).sort("period_kind").rows()
    assert kinds == [("month", 13), ("quarter", 5), ("week", 43 + 11), ("year", 2)]
    assert [w.label for w in task_periods(D(2026, 3, 30), D(2026, 4, 2), ("month",))] == ["2026-03", "2026-04"]


def test_the_province_is_the_sum_of_its_units_in_every_period(values):
    units = values.filter(pl.col("unit_code") != "24").group_by("indicator", "period").agg(pl.col("value").sum())
    whole = values.filter(pl.col("unit_code") == "24").select("indicator", "period", "value")
    both = whole.join(units, on=["indicator", "period"], suffix="_units")
    assert both.height == whole.height > 0
    assert both.filter(pl.col("value") != pl.col("value_units")).is_empty()
    # every unit of the levels has a row (0 when it leads nothing): the province, 19 departments, 99 communes
    per = values.filter((pl.col("indicator") == CODES["total"]) & (pl.col("period") == "2026-02"))
    assert per.height == 1 + 118


def test_a_monthly_indicator_has_months_quarters_and_years(db):
    with db.session() as s:
        build_register(s)
        rows = task_values(s, {"T.OPEN": _fed("open", frequency="monthly"),
                               "T.TOTAL": _fed("total", frequency="yearly")}, load_units(), "24", THROUGH,
                           policy=POLICY)
    kinds = rows.group_by("indicator").agg(pl.col("period_kind").unique().sort()).sort("indicator").rows()
    assert kinds == [("T.OPEN", ["month", "quarter", "year"]), ("T.TOTAL", ["year"])]


def test_only_the_indicators_levels(db):
    with db.session() as s:
        build_register(s)
        rows = task_values(s, {"T.OPEN": _fed("open", levels=("province", "department"))}, load_units(), "24",
                           THROUGH, policy=POLICY)
    assert rows.filter(pl.col("period") == "2026-02").height == 1 + 19
    assert set(rows["indicator"]) == {"T.OPEN"}


def test_an_empty_register_gives_no_values(db):
    with db.session() as s:
        assert task_values(s, INDICATORS, load_units(), "24", THROUGH).is_empty()
        build_register(s)
        assert task_values(s, {}, load_units(), "24", THROUGH).is_empty()
        assert task_values(s, INDICATORS, load_units(), "24", D(2025, 1, 1)).is_empty()


def _few(values: pl.DataFrame) -> pl.DataFrame:
    """Months of the units the register names (what the rates are checked on: keeps PostgreSQL quick)."""
    return values.filter((pl.col("period_kind") == "month") & pl.col("unit_code").is_in(["24", SXD, STC, COMMUNE]))


def test_the_rates_compute_from_the_counts(values, on):
    values = _few(values)
    derived = all_values({**INDICATORS, **RATES}, values.clear(), load_units(), index_rows=values, on=on)
    # province, February: 1 on time of 1 + 1 + 2 fallen due; 1 of 3 open updated
    assert value_of(derived, "T.ON_TIME_RATE", "24", "2026-02") == pytest.approx(25.0)
    assert value_of(derived, "T.UPDATE_RATE", "24", "2026-02") == pytest.approx(100 / 3)
    assert value_of(derived, "T.ON_TIME_RATE", SXD, "2026-02") == pytest.approx(50.0)
    assert value_of(derived, "T.ON_TIME_RATE", "24", "2026-01") == pytest.approx(100 / 3)
    # the same as the register's own rate
    c = _counts(values, "24", "2026-02")
    assert register.on_time_rate(c["done_on_time"], c["done_late"], c["open_overdue"]) == pytest.approx(25.0)
    # nothing fell due for the commune: no rate (not 0, not an error)
    commune = derived.filter((pl.col("indicator") == "T.ON_TIME_RATE") & (pl.col("unit_code") == COMMUNE)
                             & (pl.col("period") == "2026-02"))
    assert commune.height == 0 or commune["value"].is_null().all()


def test_the_sample_catalogue_feeds_its_task_indicators_and_rates(values, on):
    catalogue = load_catalogue(CATALOGUE_PATH)
    fed = {i.code: i for i in catalogue if i.tasks is not None}
    assert {i.tasks.measure for i in fed.values()} >= {"total", "done_on_time", "done_late", "open_overdue",
                                                        "overdue_120", "open", "updated"}
    assert all(i.owner == "24-VPUBND" and not i.collected for i in fed.values())
    rates = {c: catalogue[c] for c in ("HC.NVG_DEN_HAN", "HC.NVG_TY_LE_DUNG_HAN", "HC.NVG_TY_LE_CAP_NHAT")}
    with_rates = {**fed, **rates}
    rows = _few(values).with_columns(pl.col("indicator").replace({CODES[i.tasks.measure]: c for c, i in fed.items()}))
    rows = rows.filter(pl.col("indicator").is_in(list(fed)))
    derived = all_values(with_rates, rows.clear(), load_units(), index_rows=rows, on=on)
    assert value_of(derived, "HC.NVG_DEN_HAN", "24", "2026-02") == 4
    assert value_of(derived, "HC.NVG_TY_LE_DUNG_HAN", "24", "2026-02") == pytest.approx(25.0)
    assert value_of(derived, "HC.NVG_TY_LE_CAP_NHAT", STC, "2026-02") == pytest.approx(50.0)


def test_a_demo_size_register_is_counted_for_every_week(sqlite_url):
    """~1,500 tasks over two years (a tenth recurring monthly), with events: every week of the two
    years gets its counts (the time it takes is measured in benchmarks/bench_tasks.py)."""
    import random

    db = init_store(sqlite_url, actor="test")
    rnd = random.Random(13)
    tree = load_units()
    leads = [u.code for u in tree.children("24")][:60]
    start = D(2024, 12, 2)
    with db.session() as s:
        for n in range(1500):
            assigned = start + dt.timedelta(days=rnd.randrange(0, 730))
            kind = "monthly" if n % 10 == 0 else "date"
            values = {"doc_number": f"{n}/TB-UBND", "content": f"Nhiệm vụ {n}", "assigned_on": assigned,
                      "lead_unit": rnd.choice(leads), "deadline_kind": kind}
            if kind == "date":
                values["deadline"] = assigned + dt.timedelta(days=rnd.randrange(10, 90))
            else:
                values["due_day"] = 20
            row, _ = repo_tasks.upsert_task(s, values, province="24", source="file", by="t", code=f"P{n:05d}")
            if kind == "date":
                repo_tasks.add_event(s, row, "progress", by="o", unit_code=row.lead_unit,
                                     day=assigned + dt.timedelta(days=5), percent=30)
                if rnd.random() < 0.7:
                    done = assigned + dt.timedelta(days=rnd.randrange(5, 100))
                    _done(s, row, done, done + dt.timedelta(days=1))
    with db.session() as s:
        rows = task_values(s, INDICATORS, tree, "24", D(2026, 12, 1), policy=POLICY)
    db.dispose()
    assert rows.filter(pl.col("period_kind") == "week")["period"].n_unique() >= 104
    province = rows.filter((pl.col("unit_code") == "24") & (pl.col("period_kind") == "week"))
    assert province["value"].sum() > 0


@pytest.mark.parametrize("change, reason", [
    ({"formula": "T.OPEN * 2"}, "has no formula"),
    ({"aggregation": Aggregation(units="mean", periods="last")}, "{units: sum, periods: last}"),
    ({"aggregation": Aggregation(units="sum", periods="sum")}, "{units: sum, periods: last}"),
    ({"frequency": "daily"}, "not daily"),
    ({"tasks": {"measure": "overdue_30"}}, "unknown task measure 'overdue_30'"),
])
def test_a_task_fed_entry_is_checked(change, reason):
    entry = _fed("open").model_dump() | change
    with pytest.raises(ValueError, match=reason.replace("{", r"\{").replace("}", r"\}")):
        Indicator.model_validate(entry)


def test_a_task_fed_entry_is_not_collected_and_keeps_its_group():
    ind = Indicator.model_validate(_fed("open").model_dump() | {"group": "output"})
    assert ind.tasks.measure == "open" and not ind.collected and ind.group == "output"
    with pytest.raises(ValueError, match="index engine or by the task register"):
        Indicator.model_validate(_fed("open").model_dump() | {"group": "synthetic", "index": {"group": None}})


def test_the_values_the_pages_read_include_the_registers_and_follow_it(db):
    """``current_values`` (status, warnings, the overview, the wall) adds the task-fed rows and
    computes the rates; a new event of the register gives new values (the cache's stamp)."""
    from chiso.evaluate.dm.service import current_values, live_indicators
    from chiso.store.repo_catalogue import import_catalogue

    with db.session() as s:
        import_catalogue(s, CATALOGUE_PATH, by="test", today=D(2024, 1, 2))
        build_register(s)
    with db.session() as s:
        live = live_indicators(s, "24")
        values = current_values(s, "24", live)
        assert value_of(values, "HC.NVG_QUA_HAN", "24", "2026-02") == 2
        assert value_of(values, "HC.NVG_TY_LE_DUNG_HAN", "24", "2026-02") == pytest.approx(25.0)
        assert value_of(values, "HC.NVG_TY_LE_CAP_NHAT", STC, "2026-02") == pytest.approx(50.0)
        assert value_of(values, "HC.NVG_QUA_HAN", STC, "2026-Q1") == 2
        assert values.filter(pl.col("indicator").str.starts_with("HC.NVG_") & (pl.col("period_kind") == "week")) \
            .is_empty()  # monthly indicators: months, quarters, years
        c = repo_tasks.get_task(s, "C")
        _done(s, c, D(2026, 3, 9), D(2026, 3, 10))
    with db.session() as s:
        after = current_values(s, "24", live_indicators(s, "24"))
    assert value_of(after, "HC.NVG_QUA_HAN", STC, "2026-03") == 1          # C done (late) on 09/03
    assert value_of(after, "HC.NVG_HT_QUA_HAN", "24", "2026-03") == 2
    assert value_of(after, "HC.NVG_QUA_HAN", STC, "2026-02") == 2          # February's end unchanged
