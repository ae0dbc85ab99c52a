"""Benchmark: any window scored from counts kept by day, beside a scan of the records in the
same run — a month, a quarter, a year to date and a 17-day range of a national year of N
generated dossiers (the data of benchmarks/bench_index.py, generated once into benchmarks/out/).

    .venv/bin/python benchmarks/bench_windows.py --dossiers 10000000 --repeat 3

Steps, each in a fresh process: **keep** — count the year by day and keep it in a DuckDB file
beside the Parquet records (``kept.keep_days``; what ``chiso counts keep --by-day`` does);
**windows** — in one process, each window's counts and every unit's scores, read from the
kept counts (first read, then the best of ``--reads`` reads again: the warm process a server
is); **scan** — the same windows from the records (Parquet scanned by DuckDB). The counts of
every window are compared between the two. Results print as Markdown for docs/performance.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_index import YEAR, _files, _load, _out, step_generate  # the same data and machine record

from chiso.catalog.index_definition import load_index_definition
from chiso.evaluate import kept
from chiso.evaluate.counts import compute_counts
from chiso.evaluate.scores import score_counts
from chiso.evaluate.service import scored_units
from chiso.periods.windows import date_range, parse_window
from chiso.store.records import parquet_records
from chiso.units import load_units

WINDOWS = {"month 2026-08": parse_window("2026-08"), "quarter 2026-Q3": parse_window("2026-Q3"),
           "year to date 01/01–30/11": date_range(dt.date(YEAR, 1, 1), dt.date(YEAR, 11, 30)),
           "17 days 10/08–26/08": date_range(dt.date(YEAR, 8, 10), dt.date(YEAR, 8, 26))}
CHECKED = ("received", "on_time", "synced", "paid_online", "finished_paper_result", "electronic_result",
           "complained", "procedures_paid_online", "procedures_population_db", "petitions_on_time")


def _db(n: int) -> Path:
    return _out(n) / "kept-days.duckdb"


def step_keep(n: int) -> dict:
    _db(n).unlink(missing_ok=True)
    store = parquet_records(_files(n), database=str(_db(n)))
    t0 = time.perf_counter()
    made = kept.keep_days(load_index_definition(), store, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    seconds = time.perf_counter() - t0
    store.close()
    return {"seconds": seconds, "rows": {f"{e.kind}/{e.plan.grain}{'/distinct' if e.distinct else ''}": e.rows
                                         for e in made}}


def _score(d, tree, w) -> tuple[float, dict]:
    t0 = time.perf_counter()
    counts = compute_counts(d, STORE, [w])
    units = scored_units(tree, counts)
    score_counts(d, counts.frame, units, [w.label])
    seconds = time.perf_counter() - t0
    f = counts.frame.filter(~counts.frame["is_province"])
    return seconds, {m: int(f[m].sum()) for m in CHECKED}


STORE = None


def _windows(n: int, database: str | None, reads: int) -> dict:
    global STORE
    d, tree = load_index_definition(), load_units()
    STORE = parquet_records(_files(n), database=database or ":memory:")
    out = {}
    for name, w in WINDOWS.items():
        first, checks = _score(d, tree, w)
        again = min(_score(d, tree, w)[0] for _ in range(reads))
        out[name] = {"first": first, "warm": again, "checks": checks}
    STORE.close()
    return out


def step_windows(n: int, reads: int) -> dict:
    return {"windows": _windows(n, str(_db(n)), reads)}


def step_scan(n: int, reads: int) -> dict:
    return {"windows": _windows(n, None, reads)}


def run_child(step: str, n: int, reads: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", step, "--dossiers", str(n), "--reads", str(reads)],
                          capture_output=True, text=True, env=dict(os.environ))
    if proc.returncode != 0:
        raise SystemExit(f"{step} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dossiers", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of the kept and scan steps (interleaved)")
    ap.add_argument("--reads", type=int, default=3, help="warm reads of each window after the first")
    ap.add_argument("--child")
    args = ap.parse_args()
    n = args.dossiers
    if args.child:
        step = args.child
        result = (step_generate(n) if step == "generate" else step_keep(n) if step == "keep"
                  else step_windows(n, args.reads) if step == "windows" else step_scan(n, args.reads))
        result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    if not (_out(n) / "dossiers").exists():
        g = run_child("generate", n, 0)
        print(f"generated {n:,} dossiers in {g['seconds']:.1f} s", file=sys.stderr)
    load = _load()
    keep = run_child("keep", n, 0)
    print(f"keep by day: {keep['seconds']:.2f} s (load {load}); rows {keep['rows']}", file=sys.stderr)
    runs: dict[str, list[dict]] = {"windows": [], "scan": []}
    loads: dict[str, list[str]] = {"windows": [], "scan": []}
    for _ in range(args.repeat):
        for step in runs:
            loads[step].append(_load())
            runs[step].append(run_child(step, n, args.reads))
            print(f"{step}: " + ", ".join(f"{k} {v['warm']:.2f} s" for k, v in runs[step][-1]["windows"].items()),
                  file=sys.stderr)
    print(f"\n{n:,} dossiers, national year {YEAR}, {os.cpu_count()} cores; keep by day {keep['seconds']:.2f} s "
          f"(load {load}; {sum(keep['rows'].values()):,} kept rows); {args.repeat} runs of each, "
          f"1-min load before each: kept {', '.join(loads['windows'])}; scan {', '.join(loads['scan'])}\n")
    print("| window | kept by day, first read s | kept, warm s (best / median) | scan, warm s (best) "
          "| scan ÷ kept (warm, best) | counts equal |")
    print("|---|---:|---:|---:|---:|---|")
    for name in WINDOWS:
        k = [r["windows"][name] for r in runs["windows"]]
        s = [r["windows"][name] for r in runs["scan"]]
        kw = sorted(x["warm"] for x in k)
        sw = min(x["warm"] for x in s)
        equal = all(x["checks"] == s[0]["checks"] for x in k + s)
        print(f"| {name} | {min(x['first'] for x in k):.2f} | {kw[0]:.2f} / {statistics.median(kw):.2f} | "
              f"{sw:.2f} | {sw / kw[0]:.1f}× | {equal} |")


if __name__ == "__main__":
    main()
