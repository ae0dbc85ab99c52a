"""Distinct counts through bucket masks (one row per unit × value, a BIGINT bit per bucket)
give exactly what the generic route (one row per unit × value × bucket) gives, for every
grain; plans with more buckets than a mask holds take the generic route."""
from __future__ import annotations

import datetime as dt

import pytest

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.catalog.records import RECORD_KINDS
from chiso.engine import counts as counts_module
from chiso.engine.counts import MASK_BUCKETS, CountsPlan, compile_counts
from chiso.engine.dialects import dialect

DEF = load_index_definition(DEFAULT_INDEX)
D = dt.date


def _distinct_rows(store, plan: CountsPlan) -> list[tuple]:
    tgt = dialect(store.dialect)
    tree = compile_counts(DEF, "dossiers", tgt, store.relation("dossiers"), plan, distinct=True)
    rows = store.query_arrow(tgt.render(tree)).to_pylist()
    out = [tuple(int(v) if k not in ("province_code", "unit_code") and v is not None else v for k, v in r.items())
           for r in rows]
    return sorted(out, key=lambda r: tuple("" if v is None else v for v in r))


def _sql(plan: CountsPlan) -> str:
    tgt = dialect("duckdb")
    return tgt.render(compile_counts(DEF, "dossiers", tgt, "dossiers", plan, distinct=True))


@pytest.mark.parametrize("grain, start, end, outer", [
    ("week", D(2026, 7, 27), D(2026, 8, 30), True),
    ("week", D(2026, 8, 5), D(2026, 8, 26), True),  # short first and last buckets
    ("week", D(2026, 8, 5), D(2026, 8, 26), False),
    ("day", D(2026, 8, 10), D(2026, 8, 31), True),
    ("month", D(2026, 6, 20), D(2026, 9, 5), True),
])
def test_masks_equal_the_generic_route(duck_store, monkeypatch, grain, start, end, outer):
    plan = CountsPlan(start, end, grain, outer=outer)
    assert "BIT_OR" in _sql(plan)
    masks = _distinct_rows(duck_store, plan)
    monkeypatch.setattr(counts_module, "MASK_BUCKETS", 0)
    assert "BIT_OR" not in _sql(plan)
    generic = _distinct_rows(duck_store, plan)
    assert masks == generic
    assert any(r[3] or r[4] for r in masks)  # the dataset does have such procedures


def test_more_buckets_than_a_mask_holds_take_the_generic_route(duck_store, ref):
    start = D(2026, 6, 1)
    plan = CountsPlan(start, start + dt.timedelta(days=MASK_BUCKETS), "day", outer=True)
    assert len(plan.buckets()) == MASK_BUCKETS + 1
    assert "BIT_OR" not in _sql(plan)
    assert "BIT_OR" in _sql(CountsPlan(start, start + dt.timedelta(days=MASK_BUCKETS - 1), "day"))
    # still right: the unit rows of each bucket against the reference
    data = ref.dataset()
    names = [m.name for m in DEF.measures_of("dossiers") if m.distinct]
    got = {(r[2], r[1]): dict(zip(names, r[3:])) for r in _distinct_rows(duck_store, plan) if r[1] is not None}
    for i, first, last in plan.buckets()[50:60]:
        expected = ref.reference_counts(DEF, data, first, last)
        for unit, measures in expected.items():
            if unit == "24" or not any(measures.get(n) for n in names):
                continue
            assert {n: got.get((i, unit), {}).get(n, 0) for n in names} == {n: measures.get(n, 0) for n in names}


def test_a_whole_year_of_weeks_fits_one_mask():
    year = CountsPlan(D(2026, 1, 1), D(2026, 12, 31), "week", outer=True)
    assert len(year.buckets()) == 53 <= MASK_BUCKETS
    assert "BIT_OR" in _sql(year)
    assert all(RECORD_KINDS["dossiers"].has(m.distinct) for m in DEF.measures_of("dossiers") if m.distinct)
