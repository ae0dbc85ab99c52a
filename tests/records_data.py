"""Records for the engine and evaluate tests (their conftest files import the fixtures from here).

- a hand-built Bắc Ninh dataset: every edge case of the on-time rules for commune 07210 in
  ISO week 2026-W34 (counted by hand in test_counts.py), dossiers whose verdict changes with
  the window end (commune 07264), publications around weekends and the make-up Saturday
  22/8/2026, a procedure catalogue shared between units, plus deterministic filler records
  for several departments and communes over weeks 2026-W31..W35 and a few days outside them;
- a plain-Python reference implementation of the Decision 766 measures, written from the
  rules in shared/domain/service-index-766.md (no SQL, no predicate parsing), to compare the
  engine's counts with;
- stores holding the dataset: DuckDB (a file in tmp_path) and PostgreSQL (a fresh schema,
  dropped afterwards; skipped when the server is unreachable unless CI=true).

tests/evaluate/conftest.py loads this file by path, so both folders share one dataset.
"""
from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from chiso.catalog.records import RECORD_KINDS
from chiso.periods.holidays import load_holidays
from chiso.store.records import open_records
from chiso.store.records_base import POLARS_TYPES, RecordStore
from tests.factories import (  # noqa: F401  (postgres_unavailable: the tests reach it through ``ref``)
    drop_postgres_schema,
    make_postgres_schema,
    postgres_records_url,
    postgres_unavailable,
)

D = dt.date
PROVINCE = "24"
P1, P2, P3, P4, P5, P6 = "1.000001", "1.000002", "1.000003", "1.000004", "1.000005", "1.000006"
PROCEDURE_POOL = (P1, P2, P3, P4, P5, P6)
FILLER_UNITS = ("24", "24-SYT", "24-STP", "07228", "07246")



# ------------------------------------------------------------------ record builders
def dossier(id: str, unit: str, proc: str, received: dt.date, appointment: dt.date | None,
            finished: dt.date | None = None, *, supp: int = 0, supp_days: int = 0, **flags) -> dict:
    row = {
        "id": id, "unit_code": unit, "province_code": PROVINCE, "procedure_code": proc,
        "received_date": received, "appointment_date": appointment, "finished_date": finished,
        "supplement_count": supp, "supplement_days": supp_days, "channel": flags.pop("channel", "online"),
        "fully_online": False, "full_online_eligible": False, "synced_national": False,
        "financial_obligation": False, "paid_online": False, "digitized": False, "result_paper": False,
        "result_electronic": False, "reused_data": False, "personal_store_linked": False,
        "population_db_used": False, "rating": None, "complaint": False,
    }
    unknown = set(flags) - set(row)
    assert not unknown, unknown
    row.update(flags)
    return row


def petition(id: str, unit: str, received: dt.date, due: dt.date | None, handled: dt.date | None = None,
             *, dissatisfied: bool = False, recomplained: bool = False) -> dict:
    return {"id": id, "unit_code": unit, "province_code": PROVINCE, "received_date": received,
            "due_date": due, "handled_date": handled, "dissatisfied": dissatisfied, "recomplained": recomplained}


def publication(id: str, unit: str, proc: str, decision: dt.date, effective: dt.date,
                public: dt.date | None, complete: bool) -> dict:
    return {"id": id, "unit_code": unit, "province_code": PROVINCE, "procedure_code": proc,
            "legal_effective_date": effective, "decision_date": decision, "public_date": public,
            "content_complete": complete}


def procedure(unit: str, proc: str, *, has_fee: bool = False, integrated: bool = False,
              citizen: bool = True, eligible: bool = False) -> dict:
    return {"unit_code": unit, "province_code": PROVINCE, "procedure_code": proc, "name": f"Thủ tục {proc}",
            "statutory_days": 5, "has_fee": has_fee, "fee_payment_integrated": integrated,
            "online_service": eligible, "full_online_eligible": eligible, "paper_result": True,
            "citizen_subject": citizen}


# ------------------------------------------------------------------ the hand-built part
# Commune 07210 (Phường Bắc Giang), week 2026-W34 = 17..23 August 2026 (window end: Sun 23).
# Verdict at the window end in the comment; test_counts.py counts these by hand.
HAND_DOSSIERS = [
    dossier("D01", "07210", P1, D(2026, 8, 17), D(2026, 8, 20), D(2026, 8, 19),  # on time: before
            synced_national=True, full_online_eligible=True, fully_online=True, financial_obligation=True,
            paid_online=True, result_paper=True, result_electronic=True, digitized=True, reused_data=True,
            personal_store_linked=True, population_db_used=True, rating="satisfied"),
    dossier("D02", "07210", P1, D(2026, 8, 17), D(2026, 8, 20), D(2026, 8, 20),  # on time: on the day
            synced_national=True, full_online_eligible=True, fully_online=True, financial_obligation=True,
            paid_online=True, result_paper=True, result_electronic=True, digitized=True, reused_data=True,
            personal_store_linked=True, population_db_used=True),
    # on time: 2 days late but the citizen spent 2 days supplementing (one request)
    dossier("D03", "07210", P2, D(2026, 8, 17), D(2026, 8, 19), D(2026, 8, 21), supp=1, supp_days=2,
            synced_national=True, full_online_eligible=True, fully_online=True, financial_obligation=True,
            result_paper=True, digitized=True, reused_data=True, personal_store_linked=True,
            population_db_used=True),
    # late: one day beyond appointment + supplementation days
    dossier("D04", "07210", P2, D(2026, 8, 17), D(2026, 8, 19), D(2026, 8, 22), supp=1, supp_days=2,
            synced_national=True, full_online_eligible=True, financial_obligation=True, result_paper=True,
            digitized=True, reused_data=True, personal_store_linked=True, rating="dissatisfied"),
    # late: two supplementation requests, although finished well before the appointment
    dossier("D05", "07210", P3, D(2026, 8, 17), D(2026, 8, 25), D(2026, 8, 19), supp=2, supp_days=3,
            synced_national=True, full_online_eligible=True, paid_online=True, result_paper=True,
            digitized=True, personal_store_linked=True),
    # on time: unfinished, appointment after the window end
    dossier("D06", "07210", P3, D(2026, 8, 18), D(2026, 8, 28), None,
            synced_national=True, full_online_eligible=True, result_paper=True, result_electronic=True,
            digitized=True, personal_store_linked=True),
    # on time: unfinished, appointment on the window's last day
    dossier("D07", "07210", P3, D(2026, 8, 18), D(2026, 8, 23), None,
            synced_national=True, fully_online=True, result_paper=True, digitized=True),
    # late: unfinished, appointment passed
    dossier("D08", "07210", P3, D(2026, 8, 18), D(2026, 8, 21), None,
            synced_national=True, result_paper=True, digitized=True, rating="dissatisfied"),
    # late: finished after the window, judged unfinished at its end with the appointment passed
    dossier("D09", "07210", P3, D(2026, 8, 18), D(2026, 8, 21), D(2026, 8, 26),
            synced_national=True, result_electronic=True, digitized=True),
    # on time: finished after the window (late by then), but still within time at the window end
    dossier("D10", "07210", P3, D(2026, 8, 19), D(2026, 8, 22), D(2026, 8, 26), supp=1, supp_days=3,
            synced_national=True),
    # on time: unfinished, appointment passed but supplementation days cover the window end
    dossier("D11", "07210", P4, D(2026, 8, 19), D(2026, 8, 20), None, supp=1, supp_days=5),
    # on time, with a complaint
    dossier("D12", "07210", P4, D(2026, 8, 20), D(2026, 8, 21), D(2026, 8, 21), complaint=True),
    # outside W34: the Sunday before and the Monday after
    dossier("D00", "07210", P1, D(2026, 8, 16), D(2026, 8, 18), D(2026, 8, 17), synced_national=True),
    dossier("D13", "07210", P1, D(2026, 8, 24), D(2026, 8, 26), None, synced_national=True),
]
HAND_07210_W34 = {  # the counts of the hand-built dossiers, by hand
    "received": 12, "on_time": 8, "synced": 10, "eligible_full_online": 6, "fully_online": 3,
    "with_obligation": 4, "paid_online": 2, "finished_paper_result": 5, "electronic_result": 2,
    "digitized": 9, "reused_data": 4, "personal_store": 6, "population_db": 3, "complained": 3,
    "procedures_paid_online": 1, "procedures_population_db": 2,
    # petitions
    "petitions": 7, "petitions_on_time": 5, "petitions_satisfied": 3,
    # catalogue of 07210
    "procedures_with_fee": 2, "procedures_fee_integrated": 1, "procedures_citizen": 3,
}
HAND_PETITIONS = [
    petition("T01", "07210", D(2026, 8, 17), D(2026, 8, 21), D(2026, 8, 20)),  # on time, satisfied
    petition("T02", "07210", D(2026, 8, 17), D(2026, 8, 21), D(2026, 8, 21), dissatisfied=True),  # on time
    petition("T03", "07210", D(2026, 8, 17), D(2026, 8, 20), D(2026, 8, 22)),  # late
    petition("T04", "07210", D(2026, 8, 18), D(2026, 8, 28), None),  # on time (open, within), satisfied
    petition("T05", "07210", D(2026, 8, 18), D(2026, 8, 21), None),  # late (open, overdue)
    petition("T06", "07210", D(2026, 8, 19), D(2026, 8, 25), D(2026, 8, 24)),  # on time at window end
    petition("T07", "07210", D(2026, 8, 19), D(2026, 8, 22), D(2026, 8, 20), recomplained=True),  # on time
    petition("T08", "07210", D(2026, 8, 24), D(2026, 8, 28), None),  # W35: outside W34
]
# The province's publications in W34 (inherited by every unit): decision, effective, public.
# Saturday 22 August 2026 is a make-up working day (làm bù for Monday 31 August, a swapped
# day off before 1–2 September): it counts as a working day, 31/8, 1/9 and 2/9 do not.
HAND_PUBLICATIONS = [
    # Mon 17 → Mon 24: 6 working days with Sat 22 (on time); public Fri 21: 4 (on time); complete
    publication("U01", "24", P1, D(2026, 8, 17), D(2026, 8, 24), D(2026, 8, 21), True),
    # Fri 21 → Fri 28: 6 (on time); public Mon 31 (a day off): 6 (late); incomplete
    publication("U02", "24", P2, D(2026, 8, 21), D(2026, 8, 28), D(2026, 8, 31), False),
    # Wed 19 → Mon 24: 4 (late); not made public; complete
    publication("U03", "24-STP", P3, D(2026, 8, 19), D(2026, 8, 24), None, True),
    # Sat 22 → Sat 29: 5 (on time); public Sun 23: 0 (on time); complete
    publication("U04", "24-STP", P4, D(2026, 8, 22), D(2026, 8, 29), D(2026, 8, 23), True),
    # Thu 20 → Wed 26: 5 with Sat 22 (on time; 4 Monday–Friday); public Thu 27: 6 (late; 5
    # Monday–Friday); incomplete
    publication("U05", "24", P5, D(2026, 8, 20), D(2026, 8, 26), D(2026, 8, 27), False),
]
HAND_PROVINCE_PUBLICATIONS_W34 = {"published": 5, "published_on_time": 4, "made_public_on_time": 2,
                                  "published_complete": 3}
HAND_PROCEDURES = [
    procedure("07210", P1, has_fee=True, integrated=True),
    procedure("07210", P2, has_fee=True),
    procedure("07210", P3),
    procedure("07210", P4, citizen=False),
]
# Commune 07264 (no filler records): verdicts that change with the window end (W32 ends
# Sun 9, W33 ends Sun 16, the range W32..W34 ends Sun 23).
CROSS_WINDOW_DOSSIERS = [
    dossier("X01", "07264", P1, D(2026, 8, 4), D(2026, 8, 12), None),  # W32: on time; range: late
    dossier("X02", "07264", P1, D(2026, 8, 5), D(2026, 8, 7), D(2026, 8, 11)),  # late in both
    dossier("X03", "07264", P2, D(2026, 8, 6), D(2026, 8, 14), D(2026, 8, 13)),  # on time in both
    dossier("X04", "07264", P2, D(2026, 8, 10), D(2026, 8, 20), D(2026, 8, 22)),  # W33: on time; range: late
]
CROSS_WINDOW_PETITIONS = [
    petition("Y01", "07264", D(2026, 8, 4), D(2026, 8, 12), None),  # W32: on time; range: late
    petition("Y02", "07264", D(2026, 8, 11), D(2026, 8, 18), D(2026, 8, 17)),  # on time in both
]


# ------------------------------------------------------------------ deterministic filler
def filler(seed: int = 766) -> dict[str, list[dict]]:
    """Records for the other units over 2026-W31..W35 (27 Jul .. 30 Aug) and a few days around."""
    rnd = random.Random(seed)
    first, days = D(2026, 7, 20), 48  # 20 Jul .. 5 Sep
    out: dict[str, list[dict]] = {k: [] for k in RECORD_KINDS}
    for i in range(90):
        unit = rnd.choice(FILLER_UNITS)
        received = first + dt.timedelta(days=rnd.randrange(days))
        appointment = received + dt.timedelta(days=rnd.randint(0, 10))
        finished = None if rnd.random() < 0.3 else received + dt.timedelta(days=rnd.randint(0, 14))
        flag = lambda p=0.5: rnd.random() < p  # noqa: E731
        out["dossiers"].append(dossier(
            f"F{i:03d}", unit, rnd.choice(PROCEDURE_POOL), received, appointment, finished,
            supp=rnd.choice((0, 0, 0, 1, 1, 2)), supp_days=rnd.randint(0, 4),
            channel=rnd.choice(("direct", "online", "post")),
            fully_online=flag(), full_online_eligible=flag(0.6), synced_national=flag(0.8),
            financial_obligation=flag(0.4), paid_online=flag(), digitized=flag(0.7), result_paper=flag(0.7),
            result_electronic=flag(), reused_data=flag(0.3), personal_store_linked=flag(),
            population_db_used=flag(0.4), rating=rnd.choice((None, None, "satisfied", "neutral", "dissatisfied")),
            complaint=flag(0.1)))
    for i in range(30):
        received = first + dt.timedelta(days=rnd.randrange(days))
        due = received + dt.timedelta(days=rnd.randint(0, 12))
        handled = None if rnd.random() < 0.3 else received + dt.timedelta(days=rnd.randint(0, 16))
        out["petitions"].append(petition(f"G{i:03d}", rnd.choice(FILLER_UNITS), received, due, handled,
                                         dissatisfied=rnd.random() < 0.2, recomplained=rnd.random() < 0.1))
    for i in range(20):
        decision = first + dt.timedelta(days=rnd.randrange(days))
        effective = decision + dt.timedelta(days=rnd.randint(-2, 16))
        public = None if rnd.random() < 0.25 else decision + dt.timedelta(days=rnd.randint(0, 12))
        out["publications"].append(publication(f"H{i:03d}", rnd.choice(("24", "24-STP", "24-SYT")),
                                               rnd.choice(PROCEDURE_POOL), decision, effective, public,
                                               rnd.random() < 0.7))
    for unit in FILLER_UNITS:
        for proc in rnd.sample(PROCEDURE_POOL, rnd.randint(2, 5)):
            fee = rnd.random() < 0.6
            out["procedures"].append(procedure(unit, proc, has_fee=fee, integrated=fee and rnd.random() < 0.6,
                                               citizen=rnd.random() < 0.8, eligible=rnd.random() < 0.5))
    return out


def dataset() -> dict[str, list[dict]]:
    """The whole test dataset, by record kind."""
    data = filler()
    data["dossiers"] += HAND_DOSSIERS + CROSS_WINDOW_DOSSIERS
    data["petitions"] += HAND_PETITIONS + CROSS_WINDOW_PETITIONS
    data["publications"] += HAND_PUBLICATIONS
    data["procedures"] += HAND_PROCEDURES
    return data


def hand_dataset() -> dict[str, list[dict]]:
    """Only the hand-built records."""
    return {"dossiers": HAND_DOSSIERS + CROSS_WINDOW_DOSSIERS, "petitions": HAND_PETITIONS + CROSS_WINDOW_PETITIONS,
            "publications": list(HAND_PUBLICATIONS), "procedures": list(HAND_PROCEDURES)}


def frame(kind: str, rows: list[dict]) -> pl.DataFrame:
    rk = RECORD_KINDS[kind]
    return pl.DataFrame(rows, schema={f.name: POLARS_TYPES[f.type] for f in rk.fields}, orient="row"
                        ) if rows else pl.DataFrame(schema={f.name: POLARS_TYPES[f.type] for f in rk.fields})


def load(store: RecordStore, data: dict[str, list[dict]], batch: str = "test") -> None:
    with store.transaction():
        for kind, rows in data.items():
            if rows:
                store.upsert(kind, frame(kind, rows), batch)


# ------------------------------------------------------------------ reference implementation
_CALENDAR = load_holidays()
DAYS_OFF = {d for y in _CALENDAR.years.values() for d in y.off()}
MAKE_UP_DAYS = {m.day for y in _CALENDAR.years.values() for m in y.make_up_days}


def workdays(a: dt.date, b: dt.date) -> int:
    """Working days after ``a`` up to and including ``b`` (negative when b < a): Monday–Friday
    except the calendar's days off, plus its make-up days (docs/holidays.md), day by day."""
    sign, lo, hi = (1, a, b) if a <= b else (-1, b, a)
    n, d = 0, lo + dt.timedelta(days=1)
    while d <= hi:
        n += (d.weekday() < 5 and d not in DAYS_OFF) or d in MAKE_UP_DAYS
        d += dt.timedelta(days=1)
    return sign * n


def _in_time(done: dt.date | None, deadline: dt.date | None, we: dt.date) -> bool:
    """Done by the deadline (and within the window), or still open at the window end and not yet overdue."""
    if deadline is None:
        return False
    if done is not None and done <= we:
        return done <= deadline
    return we <= deadline


def dossier_on_time(r: dict, we: dt.date, s: dict) -> bool:
    if r["supplement_count"] > s["max_supplement_requests"] or r["appointment_date"] is None:
        return False
    return _in_time(r["finished_date"], r["appointment_date"] + dt.timedelta(days=r["supplement_days"]), we)


def _finished_by(r: dict, we: dt.date) -> bool:
    return r["finished_date"] is not None and r["finished_date"] <= we


# name -> (record kind, predicate(record, window_end, settings), distinct field)
REFERENCE_MEASURES = {
    "received": ("dossiers", lambda r, we, s: True, None),
    "on_time": ("dossiers", dossier_on_time, None),
    "synced": ("dossiers", lambda r, we, s: r["synced_national"], None),
    "eligible_full_online": ("dossiers", lambda r, we, s: r["full_online_eligible"], None),
    "fully_online": ("dossiers", lambda r, we, s: r["full_online_eligible"] and r["fully_online"], None),
    "with_obligation": ("dossiers", lambda r, we, s: r["financial_obligation"], None),
    "paid_online": ("dossiers", lambda r, we, s: r["financial_obligation"] and r["paid_online"], None),
    "finished_paper_result": ("dossiers", lambda r, we, s: r["result_paper"] and _finished_by(r, we), None),
    "electronic_result": ("dossiers", lambda r, we, s: r["result_paper"] and r["result_electronic"]
                          and _finished_by(r, we), None),
    "digitized": ("dossiers", lambda r, we, s: r["digitized"], None),
    "reused_data": ("dossiers", lambda r, we, s: r["reused_data"], None),
    "personal_store": ("dossiers", lambda r, we, s: r["personal_store_linked"], None),
    "population_db": ("dossiers", lambda r, we, s: r["population_db_used"], None),
    "complained": ("dossiers", lambda r, we, s: r["complaint"] or r["rating"] == "dissatisfied", None),
    "procedures_paid_online": ("dossiers", lambda r, we, s: r["financial_obligation"] and r["paid_online"],
                               "procedure_code"),
    "procedures_population_db": ("dossiers", lambda r, we, s: r["population_db_used"], "procedure_code"),
    "procedures_with_fee": ("procedures", lambda r, we, s: r["has_fee"], "procedure_code"),
    "procedures_fee_integrated": ("procedures", lambda r, we, s: r["has_fee"] and r["fee_payment_integrated"],
                                  "procedure_code"),
    "procedures_citizen": ("procedures", lambda r, we, s: r["citizen_subject"], "procedure_code"),
    "petitions": ("petitions", lambda r, we, s: True, None),
    "petitions_on_time": ("petitions", lambda r, we, s: _in_time(r["handled_date"], r["due_date"], we), None),
    "petitions_satisfied": ("petitions", lambda r, we, s: not r["dissatisfied"] and not r["recomplained"]
                            and _in_time(r["handled_date"], r["due_date"], we), None),
    "published": ("publications", lambda r, we, s: True, None),
    "published_on_time": ("publications", lambda r, we, s: workdays(r["decision_date"], r["legal_effective_date"])
                          >= s["publish_lead_working_days"], None),
    "made_public_on_time": ("publications", lambda r, we, s: r["public_date"] is not None and workdays(
        r["decision_date"], r["public_date"]) <= s["public_update_working_days"], None),
    "published_complete": ("publications", lambda r, we, s: r["content_complete"], None),
}


def reference_counts(definition, data: dict[str, list[dict]], start: dt.date, end: dt.date
                     ) -> dict[str, dict[str, int]]:
    """{unit_code: {measure: count}} for the window [start, end]; province rows count all the
    province's records (its own distinct values for distinct measures). Zero counts are left out."""
    assert set(REFERENCE_MEASURES) == set(definition.measures), "the reference must cover every measure"
    settings = definition.settings
    values: dict[str, dict[str, set | int]] = {}
    for name, (kind, pred, distinct) in REFERENCE_MEASURES.items():
        wf = RECORD_KINDS[kind].window_field
        for r in data.get(kind, []):
            if wf is not None and not start <= r[wf] <= end:
                continue
            if not pred(r, end, settings):
                continue
            units = {r["unit_code"], r["province_code"]}
            for u in units:
                slot = values.setdefault(u, {})
                if distinct:
                    slot.setdefault(name, set()).add(r[distinct])
                else:
                    slot[name] = slot.get(name, 0) + 1
    return {u: {m: (len(v) if isinstance(v, set) else v) for m, v in ms.items()} for u, ms in values.items()}


def nonzero(counts_frame: pl.DataFrame, measures) -> dict[str, dict[str, int]]:
    """An engine counts frame (one window) as {unit: {measure: count}} without zeros."""
    out: dict[str, dict[str, int]] = {}
    for row in counts_frame.to_dicts():
        vals = {m: int(row[m]) for m in measures if row[m]}
        if vals:
            assert row["unit_code"] not in out, f"two rows for unit {row['unit_code']}"
            out[row["unit_code"]] = vals
    return out


# ------------------------------------------------------------------ stores


_THIS = sys.modules[__name__]


@pytest.fixture(scope="session")
def ref():
    """This module: the dataset builders and the reference implementation."""
    return _THIS


@pytest.fixture
def duck_store(tmp_path: Path) -> Iterator[RecordStore]:
    """A DuckDB record store holding the whole dataset."""
    store = open_records(f"duckdb:///{(tmp_path / 'records.duckdb').as_posix()}")
    try:
        load(store, dataset())
        yield store
    finally:
        store.close()


@pytest.fixture
def hand_store(tmp_path: Path) -> Iterator[RecordStore]:
    """A DuckDB record store holding only the hand-built records (no filler)."""
    store = open_records(f"duckdb:///{(tmp_path / 'hand.duckdb').as_posix()}")
    try:
        load(store, hand_dataset())
        yield store
    finally:
        store.close()


@pytest.fixture
def pg_store() -> Iterator[RecordStore]:
    """A PostgreSQL record store in a fresh schema holding the whole dataset; dropped afterwards."""
    schema = make_postgres_schema()
    try:
        store = open_records(postgres_records_url(schema))
        try:
            load(store, dataset())
            yield store
        finally:
            store.close()
    finally:
        drop_postgres_schema(schema)
