"""The drill-down query (compile_records): the records behind a criterion of one unit and window,
each marked ``_counted``; by default only those that lost points."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlglot
from sqlglot import exp

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition, parse_index_definition
from chiso.catalog.records import RECORD_KINDS
from chiso.engine.dialects import dialect
from chiso.engine.records import compile_distinct, compile_records, distinct_key

DEF = load_index_definition(DEFAULT_INDEX)
W34 = {"start": dt.date(2026, 8, 17), "end": dt.date(2026, 8, 23)}


def run(store, code: str, *, unit_column="unit_code", unit_code="07210", definition=DEF, **kw) -> list[dict]:
    tgt = dialect(store.dialect)
    criterion = definition.criterion(code)
    kind = definition.measures[criterion.denominator[0][1]].records
    sql = compile_records(definition, criterion, tgt, store.relation(kind), unit_column=unit_column,
                          unit_code=unit_code, **{**W34, **kw})
    return store.query_arrow(tgt.render(sql)).to_pylist()


def test_lost_on_time_dossiers(duck_store):
    rows = run(duck_store, "ON_TIME")
    assert [r["id"] for r in rows] == ["D04", "D05", "D08", "D09"]
    assert all(r["_counted"] is False for r in rows)
    assert all(r["unit_code"] == "07210" for r in rows)


def test_all_dossiers_with_counted(duck_store, ref):
    rows = run(duck_store, "ON_TIME", only_lost=False)
    counted = {r["id"]: r["_counted"] for r in rows}
    assert counted == {"D01": True, "D02": True, "D03": True, "D04": False, "D05": False, "D06": True,
                       "D07": True, "D08": False, "D09": False, "D10": True, "D11": True, "D12": True}
    # ordered by received date, then id
    assert [r["id"] for r in rows] == sorted(counted, key=lambda i: (next(
        d["received_date"] for d in ref.HAND_DOSSIERS if d["id"] == i), i))
    # every record column comes back
    assert {"appointment_date", "supplement_days", "rating"} <= set(rows[0])


def test_negative_numerator_terms_mark_records_lost(duck_store):
    # on time − complained: D12 is on time but complained about, so it is lost too
    rows = run(duck_store, "DOSSIER_RECEIVING_SATISFACTION")
    assert [r["id"] for r in rows] == ["D04", "D05", "D08", "D09", "D12"]


def test_denominator_with_a_condition(duck_store):
    # finished dossiers whose result is paper, by the window end: D01..D05; electronic: D01, D02
    rows = run(duck_store, "ORIGINAL_RESULT_AVAILABLE", only_lost=False)
    assert {r["id"]: r["_counted"] for r in rows} == {"D01": True, "D02": True, "D03": False, "D04": False,
                                                       "D05": False}


def test_petitions(duck_store):
    rows = run(duck_store, "PETITION_PROCESSING_ON_TIME")
    assert [r["id"] for r in rows] == ["T03", "T05"]
    rows = run(duck_store, "PETITION_HANDLING_SATISFACTION")
    assert [r["id"] for r in rows] == ["T02", "T03", "T05", "T07"]


def test_paging(duck_store):
    everything = [r["id"] for r in run(duck_store, "ON_TIME", only_lost=False)]
    pages = [[r["id"] for r in run(duck_store, "ON_TIME", only_lost=False, limit=5, offset=o)] for o in (0, 5, 10)]
    assert [len(p) for p in pages] == [5, 5, 2]
    assert sum(pages, []) == everything


def test_province_scope_lists_every_record_of_the_province(duck_store, ref):
    rows = run(duck_store, "PUBLISH_ON_TIME", unit_column="province_code", unit_code="24", only_lost=False)
    expected = {p["id"]: ref.workdays(p["decision_date"], p["legal_effective_date"]) >= 5
                for p in ref.dataset()["publications"]
                if W34["start"] <= p["decision_date"] <= W34["end"]}
    assert {r["id"]: r["_counted"] for r in rows} == expected
    assert {"U01", "U02", "U03", "U04", "U05"} <= set(expected)


def test_window_limits_the_records(duck_store):
    rows = run(duck_store, "DOSSIER_SYNC", only_lost=False)
    assert "D00" not in {r["id"] for r in rows} and "D13" not in {r["id"] for r in rows}
    assert len(rows) == 12


def test_a_criterion_mixing_record_kinds_is_refused():
    text = DEFAULT_INDEX.read_text(encoding="utf-8")
    old = "        numerator: synced\n"
    assert text.count(old) == 1
    d = parse_index_definition(text.replace(old, "        numerator: petitions_on_time\n"), path="mixed.yaml")
    with pytest.raises(ValueError, match="dossiers and petitions"):
        compile_records(d, d.criterion("DOSSIER_SYNC"), dialect("duckdb"), "dossiers", unit_column="unit_code",
                        unit_code="07210", **W34)


def test_contributions_explain_a_signed_numerator(duck_store):
    # on time − complained: a late dossier with a complaint or a dislike contributes −1
    rows = {r["id"]: r for r in run(duck_store, "DOSSIER_RECEIVING_SATISFACTION", only_lost=False)}
    assert {i: rows[i]["_numerator"] for i in ("D01", "D04", "D05", "D08", "D12")} == {
        "D01": 1, "D04": -1, "D05": 0, "D08": -1, "D12": 0}
    assert sum(r["_numerator"] for r in rows.values()) == 8 - 3  # on_time − complained, by hand
    assert sum(r["_denominator"] for r in rows.values()) == 12
    assert all(r["_in_denominator"] for r in rows.values())


def test_records_counted_only_by_the_numerator_are_listed(duck_store):
    # a (changed) definition whose numerator is not inside its denominator
    text = DEFAULT_INDEX.read_text(encoding="utf-8")
    old = "        numerator: electronic_result\n"
    assert text.count(old) == 1
    d = parse_index_definition(text.replace(old, "        numerator: digitized\n"), path="wide.yaml")
    rows = run(duck_store, "ORIGINAL_RESULT_AVAILABLE", definition=d, only_lost=False)
    # digitized: D01..D09 (9); finished paper results: D01..D05 (5)
    assert sum(r["_numerator"] for r in rows) == 9 and sum(r["_denominator"] for r in rows) == 5
    outside = {r["id"] for r in rows if not r["_in_denominator"]}
    assert outside == {"D06", "D07", "D08", "D09"} and all(r["_counted"] for r in rows if r["id"] in outside)


def test_distinct_drill_downs_render_for_spark():
    spark = dialect("spark")
    codes = [c.code for c in DEF.criteria if c.attested is None and distinct_key(DEF, c)]
    assert codes == ["FEE_PROCEDURE_INTEGRATED", "PROCEDURE_PAID_ONLINE", "CITIZEN_DATA_CONNECTED_FORMALITY"]
    for code in codes:
        sql = spark.render(compile_distinct(DEF, DEF.criterion(code), spark,
                                            {k: f"records.{k}" for k in RECORD_KINDS}, unit_column="unit_code",
                                            unit_code="07210", **W34))
        assert isinstance(sqlglot.parse_one(sql, read="spark"), exp.Query)
        assert "ROW_NUMBER() OVER (PARTITION BY _key, _q ORDER BY" in sql
