"""Benchmark: score one national year — all units, all criteria, the year plus its weekly
snapshots — from N generated dossiers, side by side with a plain pandas implementation
of the same dossier counts.

    .venv/bin/python benchmarks/bench_index.py --dossiers 10000000 --pandas
    .venv/bin/python benchmarks/bench_index.py --dossiers 100000000

Each measured step runs in its own fresh process, so its peak memory (max RSS) is its
own. Data is generated once into benchmarks/out/ (not timed with the scoring).
Results are printed as a Markdown table for docs/performance.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
YEAR = 2026


def _out(n: int) -> Path:
    return ROOT / "out" / f"nation-{n}"


def _files(n: int) -> dict[str, str]:
    base = _out(n)
    return {k: str(base / k / "*.parquet") for k in ("dossiers", "petitions", "procedures", "publications")}


def step_generate(n: int) -> dict:
    from chiso.demo.generate import generate_for

    t0 = time.perf_counter()
    generate_for(_out(n), provinces=None, dossiers=n, year=YEAR, seed=1)
    return {"seconds": time.perf_counter() - t0}


def step_chiso(n: int) -> dict:
    """chiso: counts for every unit × (52 weeks + the year) in one scan, then every score."""
    from chiso.catalog.index_definition import load_index_definition
    from chiso.evaluate.counts import compute_series
    from chiso.evaluate.scores import inputs_from_counts, score_window
    from chiso.evaluate.service import scored_units
    from chiso.evaluate.windows import year
    from chiso.store.records import parquet_records
    from chiso.units import load_units

    d = load_index_definition()
    tree = load_units()
    store = parquet_records(_files(n))
    t0 = time.perf_counter()
    counts = compute_series(d, store, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), whole=year(YEAR))
    t_counts = time.perf_counter() - t0
    units = scored_units(tree, counts)
    n_scores = 0
    for w in counts.windows:
        table = score_window(d, w.label, inputs_from_counts(d, counts.for_window(w), units), units)
        n_scores += table.units.height
    total = time.perf_counter() - t0
    return {"seconds": total, "counts_seconds": t_counts, "windows": len(counts.windows), "unit_scores": n_scores,
            "checksum": int(counts.frame.filter((counts.frame["window"] == str(YEAR)) & ~counts.frame["is_province"])
                            ["on_time"].sum())}


def step_pandas(n: int) -> dict:
    """Plain pandas: the same dossier counts (per unit × week, and the year) with the same rules."""
    import glob

    import numpy as np
    import pandas as pd

    t0 = time.perf_counter()
    cols = ["province_code", "unit_code", "received_date", "appointment_date", "finished_date", "supplement_count",
            "supplement_days", "synced_national", "full_online_eligible", "fully_online", "financial_obligation",
            "paid_online", "result_paper", "result_electronic", "digitized", "reused_data",
            "personal_store_linked", "population_db_used", "complaint", "rating"]
    df = pd.concat([pd.read_parquet(f, columns=cols) for f in sorted(glob.glob(_files(n)["dossiers"]))],
                   ignore_index=True)
    epoch = np.datetime64("1970-01-01")

    def days(c):
        v = pd.to_datetime(df[c]).values.astype("datetime64[D]")
        return np.where(np.isnat(v), np.nan, (v - epoch).astype("float64"))

    first = dt.date(YEAR, 1, 1)
    d0 = (np.datetime64(first - dt.timedelta(days=first.isoweekday() - 1)) - epoch).astype(int)
    dn = (np.datetime64(dt.date(YEAR, 12, 31)) - epoch).astype(int)
    rec = days("received_date")
    keep = (rec >= (np.datetime64(first) - epoch).astype(int)) & (rec <= dn)
    df = df[keep].reset_index(drop=True)
    rec = rec[keep]
    fin = days("finished_date")
    app = days("appointment_date") + df["supplement_days"].to_numpy()
    bucket = (rec - d0) // 7
    we = np.minimum(d0 + 7 * bucket + 6, dn)
    sup_ok = df["supplement_count"].to_numpy() <= 1
    fin_ok = ~np.isnan(fin)

    def on_time(t):
        return sup_ok & ((fin_ok & (fin <= t) & (fin <= app)) | ((~fin_ok | (fin > t)) & (t <= app)))

    b = lambda c: df[c].fillna(False).to_numpy(bool)  # noqa: E731
    out = pd.DataFrame({
        "province_code": df["province_code"], "unit_code": df["unit_code"], "bucket": bucket,
        "received": 1, "on_time": on_time(we), "on_time__outer": on_time(dn),
        "synced": b("synced_national"), "eligible_full_online": b("full_online_eligible"),
        "fully_online": b("full_online_eligible") & b("fully_online"),
        "with_obligation": b("financial_obligation"), "paid_online": b("financial_obligation") & b("paid_online"),
        "finished_paper_result": b("result_paper") & fin_ok & (fin <= we),
        "finished_paper_result__outer": b("result_paper") & fin_ok & (fin <= dn),
        "electronic_result": b("result_paper") & b("result_electronic") & fin_ok & (fin <= we),
        "electronic_result__outer": b("result_paper") & b("result_electronic") & fin_ok & (fin <= dn),
        "digitized": b("digitized"), "reused_data": b("reused_data"), "personal_store": b("personal_store_linked"),
        "population_db": b("population_db_used"),
        "complained": b("complaint") | (df["rating"] == "dissatisfied").to_numpy(),
    })
    weekly = out.groupby(["province_code", "unit_code", "bucket"], observed=True).sum()
    yearly = weekly.groupby(level=[0, 1]).sum()
    total = time.perf_counter() - t0
    return {"seconds": total, "checksum": int(yearly["on_time__outer"].sum()), "rows": int(len(df))}


STEPS = {"generate": step_generate, "chiso": step_chiso, "pandas": step_pandas}


def run_child(step: str, n: int) -> dict:
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, __file__, "--child", step, "--dossiers", str(n)], capture_output=True,
                          text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{step} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dossiers", type=int, default=10_000_000)
    ap.add_argument("--pandas", action="store_true", help="also run the plain pandas implementation")
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        result = STEPS[args.child](args.dossiers)
        result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    n = args.dossiers
    if not (_out(n) / "dossiers").exists():
        g = run_child("generate", n)
        print(f"generated {n:,} dossiers in {g['seconds']:.1f} s (peak {g['peak_mib']:.0f} MiB)", file=sys.stderr)
    rows = []
    c = run_child("chiso", n)
    rows.append(("chiso (DuckDB, one scan)", c))
    if args.pandas:
        p = run_child("pandas", n)
        rows.append(("plain pandas (dossier counts only)", p))
        if p["checksum"] != c["checksum"]:
            print(f"WARNING: checksums differ: chiso {c['checksum']} pandas {p['checksum']}", file=sys.stderr)
    print(f"\n{n:,} dossiers, national year {YEAR} ({c['windows']} windows, {c['unit_scores']:,} unit scores), "
          f"{os.cpu_count()} cores\n")
    print("| implementation | wall s | dossiers/s | peak MiB |")
    print("|---|---:|---:|---:|")
    for name, r in rows:
        print(f"| {name} | {r['seconds']:.2f} | {n / r['seconds']:,.0f} | {r['peak_mib']:,.0f} |")
    if args.pandas:
        print(f"\nchiso is {rows[1][1]['seconds'] / rows[0][1]['seconds']:.1f}× faster than pandas; "
              f"counts agree: {rows[1][1]['checksum'] == rows[0][1]['checksum']}")


if __name__ == "__main__":
    main()
