"""`chiso score --engine spark --records PATH`: a window scored by Spark (local mode) from a
small generated Parquet set, identical to the same command on DuckDB; the layout's errors."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.demo.generate import generate_for

pytestmark = pytest.mark.slow
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    root = tmp_path_factory.mktemp("records")
    generate_for(root, provinces=["24"], dossiers=2500, year=2026, seed=7,
                 start=dt.date(2026, 8, 3), end=dt.date(2026, 8, 30), chunk_rows=1000)
    return root


def test_spark_scores_a_window_from_parquet_as_duckdb_does(records):
    docs = {}
    for engine in ("spark", "duckdb"):
        r = run("score", "--engine", engine, "--records", str(records), "--window", "2026-W34",
                "--format", "json")
        assert r.exit_code == 0, r.output
        docs[engine] = json.loads(r.stdout)
    spark = docs["spark"]
    assert spark == docs["duckdb"]
    units = spark["units"]
    assert len(units) == 119  # Bắc Ninh, its departments and communes
    province = next(u for u in units if u["code"] == "24")
    on_time = province["criteria"]["ON_TIME"]
    assert on_time["denominator"] > 300  # a quarter of 2,500 dossiers fall in the week
    assert 0 < on_time["numerator"] <= on_time["denominator"]


def test_spark_needs_records_and_a_records_folder(tmp_path):
    r = run("score", "--engine", "spark")
    assert r.exit_code == 2 and "--records" in r.stderr
    r = run("score", "--engine", "spark", "--records", str(tmp_path / "nowhere"))
    assert r.exit_code == 2 and "no records folder" in r.stderr
    r = run("score", "--engine", "oracle", "--records", str(tmp_path))
    assert r.exit_code == 2 and "duckdb or spark" in r.stderr
