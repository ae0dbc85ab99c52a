"""Properties over generated small record sets (hypothesis), each loaded into a fresh in-memory
DuckDB record store and scored for two ISO weeks and the range they make (one scan):

- the engine's counts equal the plain-Python reference's (tests/records_data.py);
- every criterion's points lie in [0, max], every group in [0, its max], every total in [0, 100];
- additive measures: the province row is the sum of its units; distinct measures: the
  province value lies between the largest unit value and the sum;
- one more dossier finished on or before its appointment never lowers its unit's (nor its
  province's) progress score.
"""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.evaluate.counts import compute_series
from chiso.evaluate.service import score_from_counts
from chiso.periods.windows import date_range, parse_window
from chiso.store.records import open_records
from chiso.units import load_units

DEF = load_index_definition(DEFAULT_INDEX)
TREE = load_units(["24"])
START, END = dt.date(2026, 8, 10), dt.date(2026, 8, 23)  # 2026-W33 and 2026-W34
WHOLE = date_range(START, END)
UNITS = ("24-SYT", "24-STP", "07210", "07228", "07246")
PROCS = ("1.000001", "1.000002", "1.000003", "1.000004")
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=True)


def day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


@st.composite
def dossiers(draw, unit=st.sampled_from(UNITS)):
    received = draw(st.integers(-3, 16))
    finished = draw(st.none() | st.integers(0, 14))
    return dict(
        unit=draw(unit), proc=draw(st.sampled_from(PROCS)), received=day(received),
        appointment=day(received + draw(st.integers(0, 10))),
        finished=None if finished is None else day(received + finished),
        supp=draw(st.integers(0, 2)), supp_days=draw(st.integers(0, 4)),
        flags={f: draw(st.booleans()) for f in (
            "fully_online", "full_online_eligible", "synced_national", "financial_obligation", "paid_online",
            "digitized", "result_paper", "result_electronic", "reused_data", "personal_store_linked",
            "population_db_used", "complaint")}
        | {"rating": draw(st.sampled_from([None, "satisfied", "dissatisfied"]))},
    )


@st.composite
def petitions(draw):
    received = draw(st.integers(-3, 16))
    handled = draw(st.none() | st.integers(0, 16))
    return dict(unit=draw(st.sampled_from(UNITS)), received=day(received),
                due=day(received + draw(st.integers(0, 12))),
                handled=None if handled is None else day(received + handled),
                dissatisfied=draw(st.booleans()), recomplained=draw(st.booleans()))


@st.composite
def publications(draw):
    decision = draw(st.integers(-3, 16))
    public = draw(st.none() | st.integers(0, 12))
    return dict(unit=draw(st.sampled_from(UNITS)), proc=draw(st.sampled_from(PROCS)), decision=day(decision),
                effective=day(decision + draw(st.integers(-2, 14))),
                public=None if public is None else day(decision + public),
                complete=draw(st.booleans()))


procedures = st.lists(st.tuples(st.sampled_from(UNITS), st.sampled_from(PROCS), st.booleans(), st.booleans(),
                                st.booleans()), max_size=12, unique_by=lambda t: (t[0], t[1]))

records = st.fixed_dictionaries({
    "dossiers": st.lists(dossiers(), max_size=25),
    "petitions": st.lists(petitions(), max_size=10),
    "publications": st.lists(publications(), max_size=6),
    "procedures": procedures,
})


def build(ref, drawn: dict) -> dict[str, list[dict]]:
    return {
        "dossiers": [ref.dossier(f"D{i}", d["unit"], d["proc"], d["received"], d["appointment"], d["finished"],
                                 supp=d["supp"], supp_days=d["supp_days"], **d["flags"])
                     for i, d in enumerate(drawn["dossiers"])],
        "petitions": [ref.petition(f"P{i}", p["unit"], p["received"], p["due"], p["handled"],
                                   dissatisfied=p["dissatisfied"], recomplained=p["recomplained"])
                      for i, p in enumerate(drawn["petitions"])],
        "publications": [ref.publication(f"U{i}", p["unit"], p["proc"], p["decision"], p["effective"], p["public"],
                                         p["complete"]) for i, p in enumerate(drawn["publications"])],
        "procedures": [ref.procedure(u, p, has_fee=fee, integrated=integ, citizen=cit)
                       for u, p, fee, integ, cit in drawn["procedures"]],
    }


def series(store):
    return compute_series(DEF, store, START, END, whole=WHOLE)


WINDOWS = (parse_window("2026-W33"), parse_window("2026-W34"), WHOLE)


@pytest.mark.slow
@settings(SETTINGS, max_examples=20)
@given(drawn=records)
def test_counts_bounds_and_additivity(ref, drawn):
    data = build(ref, drawn)
    with open_records("duckdb:///:memory:") as store:
        ref.load(store, data)
        counts = series(store)
    assert [w.label for w in counts.windows] == [w.label for w in WINDOWS]
    additive = [m.name for m in DEF.measures.values() if m.distinct is None]
    distinct = [m.name for m in DEF.measures.values() if m.distinct is not None]
    for w in WINDOWS:
        frame = counts.for_window(w)
        # the engine agrees with the reference implementation
        assert ref.nonzero(frame, counts.measures) == ref.reference_counts(DEF, data, w.start, w.end), w.label
        units = frame.filter(~pl.col("is_province"))
        province = frame.filter(pl.col("is_province")).to_dicts()
        if not province:
            assert units.height == 0
            continue
        (province,) = province
        for m in additive:
            assert province[m] == units[m].sum(), (w.label, m)
        for m in distinct:
            values = units[m].to_list() or [0]
            assert max(values) <= province[m] <= sum(values), (w.label, m)

        table = score_from_counts(DEF, counts, TREE, w, None)
        crit = table.criteria
        assert crit.filter(pl.col("points").is_null()).height == 0  # the shipped rules never give null
        assert crit.filter((pl.col("points") < 0) | (pl.col("points") > pl.col("max"))).height == 0
        for g in DEF.groups:
            assert table.units.filter((pl.col(g.code) < 0) | (pl.col(g.code) > g.max + 1e-9)).height == 0, g.code
        assert table.units.filter((pl.col("total") < 0) | (pl.col("total") > 100 + 1e-9)).height == 0
        assert table.units.height == 119


@st.composite
def on_time_dossier(draw):
    """A dossier received in W34, finished on or before its appointment, at most one supplementation."""
    received = draw(st.integers(7, 13))
    appointment = received + draw(st.integers(0, 10))
    finished = received + draw(st.integers(0, appointment - received))
    return dict(unit=draw(st.sampled_from(UNITS)), proc=draw(st.sampled_from(PROCS)), received=day(received),
                appointment=day(appointment), finished=day(finished), supp=draw(st.integers(0, 1)),
                supp_days=draw(st.integers(0, 4)),
                flags={"complaint": draw(st.booleans()), "synced_national": draw(st.booleans())})


def _progress(table, unit: str) -> tuple[float, float]:
    points = {r["criterion"]: r["points"] for r in table.unit_criteria(unit).to_dicts()}
    return points["ON_TIME"], table.unit(unit)["PROGRESS"]


@pytest.mark.slow
@settings(SETTINGS)
@given(drawn=records, extra=on_time_dossier())
def test_one_more_on_time_dossier_never_lowers_progress(ref, drawn, extra):
    data = build(ref, drawn)
    new = ref.dossier("EXTRA", extra["unit"], extra["proc"], extra["received"], extra["appointment"],
                      extra["finished"], supp=extra["supp"], supp_days=extra["supp_days"], **extra["flags"])
    with open_records("duckdb:///:memory:") as store:
        ref.load(store, data)
        before = series(store)
        ref.load(store, {"dossiers": [new]}, batch="extra")
        after = series(store)
    for w in (parse_window("2026-W34"), WHOLE):
        for unit in (extra["unit"], "24"):
            assert after.value(w, unit, "received") == before.value(w, unit, "received") + 1
            assert after.value(w, unit, "on_time") == before.value(w, unit, "on_time") + 1
            old = (_progress(score_from_counts(DEF, before, TREE, w, None), unit) if before.frame.height
                   else (0.0, 0.0))  # nothing at all before: no unit is scored
            now = _progress(score_from_counts(DEF, after, TREE, w, None), unit)
            assert now[0] >= old[0] and now[1] >= old[1], (w.label, unit, old, now)
