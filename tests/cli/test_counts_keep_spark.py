"""`chiso counts keep --by-day --engine spark --records PATH` then `chiso score --engine spark
--records PATH`: the quarter scored from Spark's build equals DuckDB's scan of the same Parquet;
a changed record file leaves the build unused (said on standard error, the scores unchanged);
the options' errors."""
from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.demo.generate import generate_for
from chiso.engine.spark import spark_session

pytestmark = pytest.mark.slow
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    root = tmp_path_factory.mktemp("records")
    generate_for(root, provinces=["24"], dossiers=2500, year=2026, seed=9,
                 start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30), chunk_rows=1000)
    return root


@pytest.fixture(scope="module", autouse=True)
def session():
    """One Spark session for the module: the commands join it instead of starting their own."""
    s = spark_session("local[2]")
    yield s
    s.stop()


def _score(engine: str, records, *extra: str) -> tuple[dict, str]:
    r = run("score", "--engine", engine, "--records", str(records), "--window", "2026-Q3", "--format", "json",
            *extra)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout), r.stderr


def test_keep_by_day_on_spark_then_score_from_it(records):
    r = run("counts", "keep", "--by-day", "--engine", "spark", "--records", str(records),
            "--start", "2026-07-01", "--end", "2026-09-30")
    assert r.exit_code == 0, r.output
    manifest = json.loads((records / "_kept" / "manifest.json").read_text())
    assert {x["kind"] for x in manifest["relations"]} >= {"dossiers", "petitions", "publications"}
    assert all((records / "_kept" / x["name"]).is_dir() for x in manifest["relations"])
    assert "kept counts by day" in r.stdout
    spark, note = _score("spark", records)
    assert note.strip() == ""  # the build is current: nothing to say
    duck, _ = _score("duckdb", records)
    assert spark == duck
    province = next(u for u in spark["units"] if u["code"] == "24")
    assert province["criteria"]["ON_TIME"]["denominator"] > 1000  # the quarter's dossiers

    # a record file rewritten (here: touched) since the build: not used, said so, same scores
    part = sorted((records / "dossiers").glob("*.parquet"))[0]
    st = part.stat()
    os.utime(part, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    again, note = _score("spark", records)
    assert "changed since" in note and "dossiers" in note
    assert again == duck


def test_keep_on_spark_into_another_folder_and_score_from_it(records, tmp_path):
    out = tmp_path / "kept"
    r = run("counts", "keep", "--by-day", "--engine", "spark", "--records", str(records), "--year", "2026",
            "--out", str(out))
    assert r.exit_code == 0, r.output
    assert (out / "manifest.json").is_file()
    spark, note = _score("spark", records, "--kept", str(out))
    assert note.strip() == ""
    assert spark == _score("duckdb", records)[0]


def test_the_options_errors(records, tmp_path):
    r = run("counts", "keep", "--by-day", "--engine", "spark", "--start", "2026-07-01", "--end", "2026-09-30")
    assert r.exit_code == 2 and "--records" in r.stderr
    r = run("counts", "keep", "--engine", "spark", "--records", str(records), "--year", "2026")
    assert r.exit_code == 2 and "--by-day" in r.stderr
    r = run("counts", "keep", "--by-day", "--engine", "spark", "--records", str(records),
            "--start", "2026-09-30", "--end", "2026-07-01")
    assert r.exit_code == 2 and "the range is empty" in r.stderr
    r = run("counts", "keep", "--by-day", "--engine", "spark", "--records", str(records),
            "--start", "2025-01-01", "--end", "2025-01-31")
    assert r.exit_code == 2 and "no dossier was received" in r.stderr
    r = run("counts", "keep", "--by-day", "--engine", "oracle", "--records", str(records), "--year", "2026")
    assert r.exit_code == 2 and "--engine takes spark" in r.stderr
    r = run("counts", "keep", "--by-day", "--records", str(records), "--year", "2026")
    assert r.exit_code == 2 and "go with --engine spark" in r.stderr
    r = run("score", "--engine", "duckdb", "--records", str(records), "--kept", str(tmp_path))
    assert r.exit_code == 2 and "--kept goes with --engine spark" in r.stderr
