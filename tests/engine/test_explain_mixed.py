"""Drill-down for criteria counting distinct procedures from several record kinds
(PROCEDURE_PAID_ONLINE: procedures with an online payment among the window's dossiers over
procedures with a fee in the catalogue), and exactness of every drill-down: what a list adds
up to is what the score pipeline counted."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition, parse_index_definition
from chiso.catalog.records import RECORD_KINDS
from chiso.collect.load import load_paths
from chiso.demo.generate import generate_for
from chiso.engine.dialects import dialect
from chiso.engine.records import compile_distinct, distinct_key
from chiso.errors import ChisoError
from chiso.evaluate.service import explain, score_records
from chiso.periods.windows import parse_window
from chiso.store.records import open_records
from chiso.units import load_units

DEF = load_index_definition(DEFAULT_INDEX)
D = dt.date
P1, P2, P3 = "1.000001", "1.000002", "1.000003"
COUNTED = [c for c in DEF.criteria if c.attested is None]
DISTINCT = [c.code for c in COUNTED if distinct_key(DEF, c)]


@pytest.fixture(scope="module")
def tree():
    return load_units(["24"])


def _crit(table, unit: str, code: str) -> dict:
    return {c["criterion"]: c for c in table.unit_criteria(unit).to_dicts()}[code]


# ------------------------------------------------------------------ hand-built records (07210, W34)
def test_procedures_paid_online_lost_first_with_evidence(duck_store, tree):
    result = explain(DEF, duck_store, tree, "07210", "PROCEDURE_PAID_ONLINE", "2026-W34", only_lost=False)
    assert {k: result[k] for k in ("records", "distinct", "sources", "scope")} == {
        "records": "procedures", "distinct": "procedure_code", "sources": ["dossiers", "procedures"],
        "scope": "unit_code"}
    # the catalogue of 07210 has a fee for P1 and P2; D01 and D02 (P1) were paid online
    p2, p1 = result["rows"]
    assert (p2["procedure_code"], p2["_counted"], p2["_in_denominator"], p2["_records"], p2["_first_id"]) == (
        P2, False, True, 0, None)
    assert p2["_seen"] == 2 and p2["_listed"] == 1 and p2["name"] == f"Thủ tục {P2}"  # D03, D04: not paid online
    assert (p1["procedure_code"], p1["_counted"], p1["_records"], p1["_first_id"], p1["_first_unit"],
            p1["_first_date"]) == (P1, True, 2, "D01", "07210", D(2026, 8, 17))
    assert result["totals"] == {"rows": 2, "counted": 1, "numerator": 1, "denominator": 2}
    lost = explain(DEF, duck_store, tree, "07210", "PROCEDURE_PAID_ONLINE", "2026-W34")
    assert [r["procedure_code"] for r in lost["rows"]] == [P2] and lost["only_lost"] is True
    assert lost["totals"] == result["totals"]  # totals describe the whole list, not the page


def test_citizen_procedures_using_the_population_database(duck_store, tree):
    rows = explain(DEF, duck_store, tree, "07210", "CITIZEN_DATA_CONNECTED_FORMALITY", "2026-W34",
                   only_lost=False)["rows"]
    # P1..P3 have citizens as subjects (P4 not, and no P4 dossier used the database);
    # D01, D02 (P1) and D03 (P2) used the population database
    assert [(r["procedure_code"], r["_counted"], r["_records"], r["_first_id"]) for r in rows] == [
        (P3, False, 0, None), (P1, True, 2, "D01"), (P2, True, 1, "D03")]


def _reference(ref, criterion, window, unit: str | None) -> dict[str, tuple]:
    """procedure -> (counted, in denominator, qualifying records, first id) from the
    plain-Python measures; ``unit`` None is the whole province (any of its units)."""
    data, settings = ref.dataset(), DEF.settings
    hits: dict[str, dict[str, list]] = {}
    for _, name in criterion.numerator + criterion.denominator:
        kind, pred, field = ref.REFERENCE_MEASURES[name]
        wf = RECORD_KINDS[kind].window_field
        for r in data[kind]:
            if (unit is not None and r["unit_code"] != unit) or (wf and not window.contains(r[wf])):
                continue
            if pred(r, window.end, settings):
                hits.setdefault(r[field], {}).setdefault(name, []).append(r)
    num = {m for s, m in criterion.numerator if s > 0}
    den = {m for s, m in criterion.denominator if s > 0}
    out = {}
    for proc, by in hits.items():
        qualifying = sorted({r.get("id") or r["unit_code"]: r for m in num for r in by.get(m, [])}.values(),
                            key=lambda r: (r.get("received_date") or D(9999, 1, 1), r.get("id") or ""))
        out[proc] = (bool(qualifying), any(m in by for m in den), len(qualifying),
                     qualifying[0].get("id") if qualifying else None)
    return out


@pytest.mark.parametrize("code", DISTINCT)
@pytest.mark.parametrize("unit, window", [("24", "2026-W34"), ("24", "2026-08"), ("24-SYT", "2026-W33"),
                                          ("24-STP", "2026-08"), ("07228", "2026-W32"), ("07246", "2026-08")])
def test_distinct_drill_downs_match_the_reference(duck_store, tree, ref, code, unit, window):
    w = parse_window(window)
    criterion = DEF.criterion(code)
    result = explain(DEF, duck_store, tree, unit, code, w, only_lost=False, limit=None)
    got = {r["procedure_code"]: (r["_counted"], r["_in_denominator"], r["_records"], r["_first_id"])
           for r in result["rows"]}
    assert got == _reference(ref, criterion, w, None if unit == "24" else unit)
    assert len(got) == len(result["rows"])  # one row per procedure


def test_a_province_counts_a_procedure_any_of_its_units_counts(duck_store, tree, ref):
    w = parse_window("2026-08")
    units = sorted({r["unit_code"] for r in ref.dataset()["dossiers"]} - {"24"})
    by_unit = set()
    for u in units:
        rows = explain(DEF, duck_store, tree, u, "PROCEDURE_PAID_ONLINE", w, only_lost=False, limit=None)["rows"]
        by_unit |= {r["procedure_code"] for r in rows if r["_counted"]}
    province = explain(DEF, duck_store, tree, "24", "PROCEDURE_PAID_ONLINE", w, only_lost=False, limit=None)
    mine = {r["procedure_code"] for r in province["rows"] if r["_counted"]}
    # the province's own dossiers count too: those filed under "24" itself
    own = {r["procedure_code"] for r in ref.dataset()["dossiers"] if r["unit_code"] == "24"
           and w.contains(r["received_date"]) and r["financial_obligation"] and r["paid_online"]}
    assert mine == by_unit | own and len(mine) > 1
    assert _crit(score_records(DEF, duck_store, tree, w), "24", "PROCEDURE_PAID_ONLINE")["numerator"] == len(mine)


def test_procedures_outside_the_denominator_are_listed_last(duck_store, tree, ref):
    # a unit paid online for a procedure its catalogue does not list with a fee: counted in the
    # numerator (as the portal's counts do), marked outside the denominator
    w = parse_window("2026-08")
    found = []
    for unit in ("24-SYT", "24-STP", "07228", "07246"):
        rows = explain(DEF, duck_store, tree, unit, "PROCEDURE_PAID_ONLINE", w, only_lost=False, limit=None)["rows"]
        outside = [i for i, r in enumerate(rows) if not r["_in_denominator"]]
        assert all(rows[i]["_counted"] and rows[i]["_denominator"] == 0 for i in outside)
        assert outside == list(range(len(rows) - len(outside), len(rows)))  # at the end
        found += outside
    assert found, "the test data must have such a procedure"


def test_paging_procedures(duck_store, tree):
    everything = explain(DEF, duck_store, tree, "24", "CITIZEN_DATA_CONNECTED_FORMALITY", "2026-08",
                         only_lost=False, limit=None)["rows"]
    pages = [explain(DEF, duck_store, tree, "24", "CITIZEN_DATA_CONNECTED_FORMALITY", "2026-08", only_lost=False,
                     limit=2, offset=o)["rows"] for o in range(0, len(everything) + 2, 2)]
    assert sum(pages, []) == everything and len(everything) > 2
    assert [r["_counted"] for r in everything] == sorted(r["_counted"] for r in everything)  # lost first


def test_refusals(duck_store, tree):
    with pytest.raises(ChisoError, match="negative"):
        explain(DEF, duck_store, tree, "07210", "PROCEDURE_PAID_ONLINE", "2026-W34", limit=-1)
    with pytest.raises(ValueError, match="counts records"):
        compile_distinct(DEF, DEF.criterion("ON_TIME"), dialect("duckdb"), {"dossiers": "dossiers"},
                         start=D(2026, 8, 17), end=D(2026, 8, 23), unit_column="unit_code", unit_code="07210")
    # a (changed) definition whose criterion counts records over distinct procedures
    text = DEFAULT_INDEX.read_text(encoding="utf-8")
    old = "        numerator: procedures_paid_online\n"
    assert text.count(old) == 1
    mixed = parse_index_definition(text.replace(old, "        numerator: paid_online\n"), path="mixed.yaml")
    with pytest.raises(ChisoError, match="mixes counts of records and of distinct values"):
        explain(mixed, duck_store, tree, "07210", "PROCEDURE_PAID_ONLINE", "2026-W34")
    old = "        numerator: synced\n"
    two_kinds = parse_index_definition(text.replace(old, "        numerator: petitions_on_time\n"), path="k.yaml")
    with pytest.raises(ChisoError, match="dossiers and petitions"):
        explain(two_kinds, duck_store, tree, "07210", "DOSSIER_SYNC", "2026-W34")


# ------------------------------------------------------------------ generated records: every criterion adds up
GENERATED_WINDOWS = ("2026-W34", "2026-08-10..2026-08-23")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("generated")
    files = generate_for(root / "files", provinces=["24"], dossiers=12_000, seed=11, start=D(2026, 8, 3),
                         end=D(2026, 8, 23))
    return root, [str(p) for k in ("procedures", "publications", "petitions", "dossiers") for p in files[k]]


def _load(url: str, paths: list[str], tree):
    store = open_records(url)
    load_paths(paths, store, tree)
    return store


@pytest.fixture(scope="module")
def gen_duck(generated, tree):
    root, paths = generated
    store = _load(f"duckdb:///{(root / 'records.duckdb').as_posix()}", paths, tree)
    yield store
    store.close()


def _sample_units(tree, store) -> list[str]:
    """The province, the four departments and five communes with the most dossiers, and two communes with few."""
    rows = store.query_arrow(f"SELECT unit_code, COUNT(*) AS n FROM {store.relation('dossiers')} "
                             "GROUP BY unit_code ORDER BY n DESC, unit_code").to_pylist()
    communes = [r["unit_code"] for r in rows if tree.get(r["unit_code"]).level == "commune"]
    departments = [r["unit_code"] for r in rows if tree.get(r["unit_code"]).level == "department"]
    return ["24", *departments[:4], *communes[:5], *communes[-2:]]


@pytest.mark.slow
@pytest.mark.parametrize("window", GENERATED_WINDOWS)
def test_every_criterion_s_list_adds_up_to_its_counts(gen_duck, tree, window):
    table = score_records(DEF, gen_duck, tree, window)
    checked = 0
    units = _sample_units(tree, gen_duck)
    for unit in units:
        for c in COUNTED:
            crit = _crit(table, unit, c.code)
            result = explain(DEF, gen_duck, tree, unit, c.code, window, only_lost=False, limit=None)
            rows, where = result["rows"], (unit, c.code, window)
            assert sum(r["_numerator"] for r in rows) == crit["numerator"], where
            assert sum(r["_denominator"] for r in rows) == crit["denominator"], where
            assert sum(r["_in_denominator"] for r in rows) == crit["denominator"], where
            if [s for s, _ in c.numerator] == [1]:  # one positive term: counted rows are the numerator
                assert sum(r["_counted"] for r in rows) == crit["numerator"], where
            assert result["totals"] == {"rows": len(rows), "counted": sum(r["_counted"] for r in rows),
                                        "numerator": crit["numerator"], "denominator": crit["denominator"]}, where
            if unit in ("24", units[-1]):
                lost = explain(DEF, gen_duck, tree, unit, c.code, window, limit=None)["rows"]
                assert lost == [r for r in rows if not r["_counted"]], where
            checked += 1
    assert checked == len(COUNTED) * len(units) == 18 * 12
    # the data exercise the lists: procedures lost and counted at every level
    province = explain(DEF, gen_duck, tree, "24", "PROCEDURE_PAID_ONLINE", window, only_lost=False, limit=None)
    assert 0 < province["totals"]["counted"] < province["totals"]["denominator"]


@pytest.mark.slow
@pytest.mark.postgres
def test_generated_drill_downs_are_identical_on_postgresql(generated, gen_duck, tree, ref):
    _, paths = generated
    schema = ref.make_postgres_schema()
    try:
        pg = _load(ref.postgres_records_url(schema), paths, tree)
        try:
            units = [u for i, u in enumerate(_sample_units(tree, gen_duck)) if i in (0, 1, 5, 11)]
            for unit in units:
                for c in COUNTED:
                    duck = explain(DEF, gen_duck, tree, unit, c.code, "2026-W34", only_lost=False, limit=None)
                    other = explain(DEF, pg, tree, unit, c.code, "2026-W34", only_lost=False, limit=None)
                    assert duck["rows"] == other["rows"], (unit, c.code)
                    assert duck["totals"] == other["totals"], (unit, c.code)
            paged = [explain(DEF, pg, tree, "24", "PROCEDURE_PAID_ONLINE", "2026-W34", only_lost=False, limit=25,
                             offset=o)["rows"] for o in (0, 25)]
            full = explain(DEF, gen_duck, tree, "24", "PROCEDURE_PAID_ONLINE", "2026-W34", only_lost=False,
                           limit=50)["rows"]
            assert paged[0] + paged[1] == full
        finally:
            pg.close()
    finally:
        ref.drop_postgres_schema(schema)


@pytest.mark.postgres
@pytest.mark.parametrize("unit", ["24", "07210", "24-SYT"])
def test_hand_drill_downs_are_identical_on_postgresql(duck_store, pg_store, tree, unit):
    for code in DISTINCT:
        duck = explain(DEF, duck_store, tree, unit, code, "2026-08", only_lost=False, limit=None)
        pg = explain(DEF, pg_store, tree, unit, code, "2026-08", only_lost=False, limit=None)
        assert duck["rows"] and duck["rows"] == pg["rows"] and duck["totals"] == pg["totals"]
