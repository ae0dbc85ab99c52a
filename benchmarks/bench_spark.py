"""Benchmark: DuckDB (in process) beside Spark (local mode) scoring the same national year
from the same generated Parquet, in one run.

    .venv/bin/python benchmarks/bench_spark.py --dossiers 1000000 --repeat 2
    CHISO_SPARK_MASTER='local[2]' .venv/bin/python benchmarks/bench_spark.py --dossiers 10000000

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

from chiso.catalog.index_definition import load_index_definition
from chiso.demo.generate import generate_for
from chiso.engine.spark import SparkRecords, record_paths, spark_session
from chiso.evaluate.counts import compute_series
from chiso.evaluate.scores import score_counts
from chiso.evaluate.service import scored_units
from chiso.periods.windows import year
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dossiers", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    n, out = args.dossiers, _out(args.dossiers)
    if not (out / "dossiers").is_dir():
        t0 = time.perf_counter()
        generate_for(out, provinces=None, dossiers=n, year=YEAR, seed=1)
        print(f"generated {n:,} dossiers in {time.perf_counter() - t0:.1f} s into {out}")
    d, tree = load_index_definition(), load_units()
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
