"""Benchmark: DuckDB (in process) beside Spark (local mode) scoring the same national year
from the same generated Parquet, in one run.

    .venv/bin/python benchmarks/bench_spark.py --dossiers 1000000 --repeat 2
    CHISO_SPARK_MASTER='local[2]' .venv/bin/python benchmarks/bench_spark.py --dossiers 10000000

With ``--kept``, counts kept by day instead: Spark's build over the year (Parquet beside the
records, ``chiso.evaluate.kept_spark``) beside DuckDB's (``kept.keep_days``, tables of an
in-memory DuckDB over the same Parquet), then the third quarter counted from each build and
scanned from the records, the quarter's counts compared between the engines:

    .venv/bin/python benchmarks/bench_spark.py --dossiers 1000000 --kept --repeat 2

Data is generated once into benchmarks/out/nation-N/ (the layout ``chiso score --records``
reads: one folder per record kind; shared with bench_index.py), not timed. Each engine
counts every unit × (53 weeks + the year) in one scan per record kind
(``compute_series``) and scores every window; both run the same compiled SQL, rendered
for their dialect. Spark's session start (the JVM) is timed apart. The year's counts of
ten measures are compared between the engines (they must be equal). Results are printed as
a Markdown table for docs/performance.md (via docs/scale.md).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from pathlib import Path

from polars.testing import assert_frame_equal

from chiso.catalog.index_definition import load_index_definition
from chiso.demo.generate import generate_for
from chiso.engine.counts import CountsPlan
from chiso.engine.spark import SparkRecords, record_paths, spark_session
from chiso.evaluate import kept
from chiso.evaluate.counts import compute_counts, compute_series
from chiso.evaluate.kept_spark import keep_days_on_spark
from chiso.evaluate.scores import score_counts
from chiso.evaluate.service import scored_units
from chiso.periods.windows import parse_window, year
from chiso.store.records import parquet_records
from chiso.units import load_units

ROOT = Path(__file__).resolve().parent
YEAR = 2026
CHECKED = ("received", "on_time", "synced", "fully_online", "paid_online", "digitized", "petitions",
           "petitions_on_time", "published", "published_on_time")


def _out(n: int) -> Path:
    return ROOT / "out" / f"nation-{n}"


def _score_year(d, tree, store) -> tuple[float, dict]:
    t0 = time.perf_counter()
    counts = compute_series(d, store, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), whole=year(YEAR))
    units = scored_units(tree, counts)
    labels = [w.label for w in counts.windows]
    weeks = [w.label for w in counts.windows if w.label != str(YEAR)]
    series = score_counts(d, counts.frame, units, labels, previous=dict(zip(weeks[1:], weeks[:-1])))
    seconds = time.perf_counter() - t0
    f = counts.frame
    rows = f.filter((f["window"] == str(YEAR)) & ~f["is_province"])
    return seconds, {"checks": {m: int(rows[m].sum()) for m in CHECKED}, "unit_scores": series.units.height}


def _timed(fn) -> tuple[float, float, object]:
    """(seconds, load average at the start, result) of ``fn()``."""
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, load, result


def _kept(d, out, repeat: int) -> None:
    """Counts kept by day over the year on both engines, and the third quarter read from them."""
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    quarter = parse_window(f"{YEAR}-Q3")
    paths = record_paths(out)
    kept_dir = out / "_kept"
    duck = parquet_records({k: f"{p}/*.parquet" for k, p in paths.items()})
    t0 = time.perf_counter()
    session = spark_session()
    start_s = time.perf_counter() - t0
    rows: list[tuple[str, str, float, float]] = []  # (engine, step, seconds, load)

    def note(engine: str, step: str, seconds: float, load: float) -> None:
        rows.append((engine, step, seconds, load))
        print(f"{engine}: {step} {seconds:.2f} s (load {load:.2f})", flush=True)

    frames = {}
    # the scans first, with no kept counts anywhere
    scanning = SparkRecords(session, paths)
    for _ in range(repeat):
        s, load, f = _timed(lambda: compute_counts(d, duck, [quarter]))
        note("duckdb", "quarter, scanned", s, load)
        frames["duckdb scan"] = f.frame
        s, load, f = _timed(lambda: compute_counts(d, scanning, [quarter]))
        note("spark", "quarter, scanned", s, load)
        frames["spark scan"] = f.frame
    # the builds
    s, load, made = _timed(lambda: kept.keep_days(d, duck, start, end))
    note("duckdb", "build by day (the year)", s, load)
    duck_rows = sum(e.rows for e in made)
    s, load, made = _timed(lambda: keep_days_on_spark(d, scanning, start, end, str(kept_dir)))
    note("spark", "build by day (the year)", s, load)
    spark_rows = sum(e.rows for e in made)
    scanning.close()
    # the quarter from each build
    spark = SparkRecords(session, paths, kept=str(kept_dir))
    assert spark.kept_path is not None, spark.kept_note
    for _ in range(repeat):
        s, load, f = _timed(lambda: compute_counts(d, duck, [quarter]))
        note("duckdb", "quarter, from the build", s, load)
        frames["duckdb kept"] = f.frame
        s, load, f = _timed(lambda: compute_counts(d, spark, [quarter]))
        note("spark", "quarter, from the build", s, load)
        frames["spark kept"] = f.frame
    assert kept.read(d, spark, CountsPlan(quarter.start, quarter.end), "dossiers", False) is not None
    for f in frames.values():
        assert_frame_equal(f, frames["duckdb scan"])
    master = session.sparkContext.master
    spark.close()
    session.stop()
    duck.close()
    print(f"\n{out.name}: Spark master {master}, JVM start {start_s:.1f} s (not included); kept rows "
          f"{duck_rows:,} (DuckDB) and {spark_rows:,} (Spark); the quarter's counts equal on both engines, "
          f"scanned and from the builds ({int(frames['duckdb scan']['received'].sum()):,} received, "
          f"province rows included)\n")
    print("| engine | step | best (s) | median (s) | load |")
    print("|---|---|---:|---:|---:|")
    for engine in ("duckdb", "spark"):
        for step in dict.fromkeys(st for e, st, _, _ in rows if e == engine):
            times = [x for e, st, x, _ in rows if e == engine and st == step]
            loads = [ld for e, st, _, ld in rows if e == engine and st == step]
            print(f"| {engine} | {step} | {min(times):.2f} | {statistics.median(times):.2f} | "
                  f"{min(loads):.1f}–{max(loads):.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dossiers", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--kept", action="store_true", help="counts kept by day: the builds and a quarter read "
                                                        "from them, on both engines")
    args = ap.parse_args()
    n, out = args.dossiers, _out(args.dossiers)
    if not (out / "dossiers").is_dir():
        t0 = time.perf_counter()
        generate_for(out, provinces=None, dossiers=n, year=YEAR, seed=1)
        print(f"generated {n:,} dossiers in {time.perf_counter() - t0:.1f} s into {out}")
    d, tree = load_index_definition(), load_units()
    if args.kept:
        _kept(d, out, args.repeat)
        return
    paths = record_paths(out)
    duck = parquet_records({k: f"{p}/*.parquet" for k, p in paths.items()})
    t0 = time.perf_counter()
    session = spark_session()
    start_s = time.perf_counter() - t0
    spark = SparkRecords(session, paths)
    times: dict[str, list[float]] = {"duckdb": [], "spark": []}
    results = {}
    for _ in range(args.repeat):  # alternate, so a busy moment of the shared machine hits both
        for name, store in (("duckdb", duck), ("spark", spark)):
            load = os.getloadavg()[0]
            seconds, result = _score_year(d, tree, store)
            times[name].append(seconds)
            results[name] = result
            print(f"{name}: {seconds:.2f} s (load {load:.2f})", flush=True)
    assert results["duckdb"] == results["spark"], (results["duckdb"], results["spark"])
    master = session.sparkContext.master
    spark.close()
    session.stop()
    duck.close()
    best = {k: min(v) for k, v in times.items()}
    print(f"\n{n:,} generated dossiers, national year ({results['duckdb']['unit_scores']:,} unit scores, "
          f"53 weeks + the year); Spark master {master}, JVM start {start_s:.1f} s (not included); "
          f"year counts equal: {results['duckdb']['checks']['received']:,} dossiers received\n")
    print("| engine | best (s) | median (s) | ÷ DuckDB |")
    print("|---|---:|---:|---:|")
    for name in ("duckdb", "spark"):
        print(f"| {name} | {best[name]:.2f} | {statistics.median(times[name]):.2f} | "
              f"{best[name] / best['duckdb']:.1f}× |")


if __name__ == "__main__":
    main()
