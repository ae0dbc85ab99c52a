"""``chiso counts`` and ``chiso load`` together: kept counts follow loads, week by week."""
from __future__ import annotations

import datetime as dt

import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.cli.app import app
from chiso.engine.counts import CountsPlan
from chiso.evaluate import kept
from chiso.evaluate.counts import compute_counts, compute_series
from chiso.periods.windows import date_range, parse_window
from chiso.store.records import open_records

DEF = load_index_definition(DEFAULT_INDEX)
START, END = dt.date(2026, 7, 1), dt.date(2026, 9, 30)


@pytest.fixture
def loaded(tmp_path, monkeypatch, ref):
    """An embedded store in ``tmp_path`` with the reference records loaded by ``chiso load``:
    (runner, the records)."""
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CHISO_DATABASE_URL", raising=False)
    monkeypatch.delenv("CHISO_RECORDS_URL", raising=False)
    runner = CliRunner()
    data = ref.dataset()
    files = []
    for kind, rows in data.items():
        path = tmp_path / f"{kind}.parquet"
        ref.frame(kind, rows).write_parquet(path)
        files.append(str(path))
    r = runner.invoke(app, ["load", *files])
    assert r.exit_code == 0, r.output
    return runner, data


def test_load_refreshes_only_the_changed_weeks(tmp_path, loaded, ref):
    runner, data = loaded

    r = runner.invoke(app, ["counts", "keep", "--start", START.isoformat(), "--end", END.isoformat()])
    assert r.exit_code == 0, r.output
    assert "kept counts" in r.stdout
    with open_records(read_only=True) as store:
        assert {(e.kind, e.distinct) for e in kept.entries(store)} == {
            ("dossiers", False), ("dossiers", True), ("petitions", False), ("publications", False)}
        stamp = store.stamp()

    # one dossier finished later than first recorded: only its week is recounted
    d = dict(data["dossiers"][0])
    d["finished_date"] = d["received_date"] + dt.timedelta(days=30)
    path = tmp_path / "dossiers-update.parquet"
    ref.frame("dossiers", [d]).write_parquet(path)
    r = runner.invoke(app, ["load", str(path)])
    assert r.exit_code == 0, r.output
    assert "kept counts dossiers: 1 bucket(s) recomputed" in r.stderr
    assert "kept counts petitions: 0 bucket(s) recomputed" in r.stderr

    r = runner.invoke(app, ["counts", "list"])
    assert r.exit_code == 0, r.output
    assert f"store stamp {stamp + 1}" in r.stdout

    with open_records() as store:
        entries = kept.entries(store)
        assert entries and all(e.stamp == store.stamp() for e in entries)
        got = compute_series(DEF, store, START, END, whole=date_range(START, END))
        kept.forget(store)
        assert_frame_equal(got.frame, compute_series(DEF, store, START, END, whole=date_range(START, END)).frame)

    r = runner.invoke(app, ["counts", "keep", "--year", "2026", "--start", "2026-01-01"])
    assert r.exit_code == 2 and "give --year, or --start and --end" in r.stderr
    r = runner.invoke(app, ["counts", "forget"])
    assert r.exit_code == 0 and "dropped 0 kept table(s)" in r.stdout


def test_counts_kept_by_day_follow_loads_and_serve_a_month(tmp_path, loaded, ref):
    runner, data = loaded
    r = runner.invoke(app, ["counts", "keep", "--by-day", "--start", START.isoformat(), "--end", END.isoformat()])
    assert r.exit_code == 0, r.output
    with open_records(read_only=True) as store:
        assert {(e.kind, e.plan.grain, e.distinct) for e in kept.entries(store)} >= {
            ("dossiers", "daily", False), ("dossiers", "changes", False), ("dossiers", "daily", True)}

    d = dict(data["dossiers"][0])
    d["finished_date"] = d["received_date"] + dt.timedelta(days=30)
    path = tmp_path / "dossiers-update.parquet"
    ref.frame("dossiers", [d]).write_parquet(path)
    r = runner.invoke(app, ["load", str(path)])
    assert r.exit_code == 0, r.output
    assert "kept counts dossiers by day: 1 day(s) recomputed" in r.stderr

    month = parse_window("2026-08")
    with open_records() as store:
        assert kept.covers_days(DEF, store, CountsPlan(month.start, month.end))
        got = compute_counts(DEF, store, [month])
        kept.forget(store)
        assert_frame_equal(got.frame, compute_counts(DEF, store, [month]).frame)
