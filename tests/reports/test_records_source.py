"""Bulletins from the record store: the same scores ``chiso score`` computes, with the trend."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from chiso.collect.load import load_paths
from chiso.demo.generate import generate_for
from chiso.evaluate.service import score_records
from chiso.reports.facts import build_bulletin
from chiso.reports.sources import RecordsSource
from chiso.store.records import open_records
from chiso.units import load_units


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("records")
    files = generate_for(tmp / "gen", provinces=["24"], dossiers=6_000, seed=5,
                         start=dt.date(2026, 6, 1), end=dt.date(2026, 8, 26))
    store = open_records(f"duckdb:///{tmp / 'records.duckdb'}")
    load_paths([str(p) for paths in files.values() for p in paths], store, load_units())
    yield store
    store.close()


def test_records_source_matches_score_records(store, definition):
    source = RecordsSource(definition, store, load_units())
    assert source.default_window().label == "2026-W34"  # the data end on Wednesday of W35
    scores = source.scores()
    assert scores.window == "2026-W34" and scores.table.previous_window == "2026-W33"
    assert [t.window for t in scores.series] == [f"2026-W{n}" for n in range(27, 35)]
    expected = score_records(definition, store, load_units(), "2026-W34")
    cols = ["unit_code", "total", "rank", "score_change", "rank_change"]
    assert scores.table.units.select(cols).sort("unit_code").equals(expected.units.select(cols).sort("unit_code"))
    b = build_bulletin(scores, "24")
    assert b.province.unit.total == expected.unit("24")["total"]
    assert len(b.communes.ranking) == 99 and len(b.departments.ranking) == 19
    assert [t.total for t in b.province.trend][-1] == b.province.unit.total
    synced = expected.criteria.filter(pl.col("criterion") == "DOSSIER_SYNC")
    low = set(synced.filter((pl.col("denominator") > 0) & (pl.col("numerator") / pl.col("denominator") < 0.9))
              .join(expected.select(province="24").select("unit_code"), on="unit_code")["unit_code"])
    assert {p.code for p in b.sync_problems} == low
