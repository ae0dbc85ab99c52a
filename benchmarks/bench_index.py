"""Benchmark: score one national year — all units, all criteria, the year plus its weekly
snapshots — from N generated dossiers, side by side with a plain pandas implementation
of the same dossier counts.

    .venv/bin/python benchmarks/bench_index.py --dossiers 10000000 --pandas --kept --repeat 3
    .venv/bin/python benchmarks/bench_index.py --dossiers 100000000 --kept --repeat 2
    .venv/bin/python benchmarks/bench_index.py --dossiers 10000000 --by-unit --repeat 3

Each measured step runs in its own fresh process, so its peak memory (max RSS) is its
own; implementations alternate, ``--repeat`` times, and the best and median wall times,
the CPU seconds and the load average before each run are reported (the machine is
shared). Data is generated once into benchmarks/out/ (not timed with the scoring).
With ``--kept``, chiso also counts once and keeps the counts (``keep``), then, in a fresh
process, scores every window from them and times the weekly refresh (``kept``).
Year totals of ten measures and the provinces' distinct counts are compared between
chiso and pandas. Results are printed as a Markdown table for docs/performance.md.
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

import duckdb

from chiso.catalog.index_definition import load_index_definition
from chiso.demo.generate import generate_for
from chiso.evaluate import kept
from chiso.evaluate.counts import compute_counts, compute_series
from chiso.evaluate.scores import score_counts
from chiso.evaluate.service import scored_units
from chiso.periods.windows import year
from chiso.store.records import parquet_records
from chiso.units import load_units

ROOT = Path(__file__).resolve().parent
YEAR = 2026


#: ``--by-unit``: the same dossiers rewritten ordered by (unit_code, received_date) — the layout
#: docs/scale.md recommends for a national deployment's Parquet — in their own folder.
BY_UNIT = os.environ.get("CHISO_BENCH_BY_UNIT") == "1"


def _out(n: int) -> Path:
    if BY_UNIT:
        return ROOT / "out" / f"nation-{n}-by-unit"
    return ROOT / "out" / f"nation-{n}"


def _files(n: int) -> dict[str, str]:
    base = _out(n)
    return {k: str(base / k / "*.parquet") for k in ("dossiers", "petitions", "procedures", "publications")}


def step_generate(n: int) -> dict:
    t0 = time.perf_counter()
    if BY_UNIT:  # the generated set (made first if need be), its dossiers ordered by unit and day
        plain = ROOT / "out" / f"nation-{n}"
        if not (plain / "dossiers").exists():
            generate_for(plain, provinces=None, dossiers=n, year=YEAR, seed=1)
        out = _out(n)
        (out / "dossiers").mkdir(parents=True, exist_ok=True)
        for kind in ("petitions", "procedures", "publications"):
            if not (out / kind).exists():
                (out / kind).symlink_to(plain / kind, target_is_directory=True)
        con = duckdb.connect()
        con.execute(f"COPY (SELECT * FROM read_parquet('{plain / 'dossiers' / '*.parquet'}') "
                    f"ORDER BY unit_code, received_date) TO '{out / 'dossiers' / 'part-0.parquet'}' (FORMAT parquet)")
        con.close()
    else:
        generate_for(_out(n), provinces=None, dossiers=n, year=YEAR, seed=1)
    return {"seconds": time.perf_counter() - t0}


def step_chiso(n: int) -> dict:
    """chiso: counts for every unit × (53 weeks + the year) in one scan per record kind, then
    every score of every window in one vectorised pass (changes against the week before)."""
    d = load_index_definition()
    tree = load_units()
    store = parquet_records(_files(n))
    t0, c0 = time.perf_counter(), time.process_time()
    counts = compute_series(d, store, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), whole=year(YEAR))
    t_counts, c_counts = time.perf_counter() - t0, time.process_time() - c0
    units = scored_units(tree, counts)
    labels = [w.label for w in counts.windows]
    weeks = [w.label for w in counts.windows if w.label != str(YEAR)]
    series = score_counts(d, counts.frame, units, labels, previous=dict(zip(weeks[1:], weeks[:-1])))
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    year_rows = counts.frame.filter((counts.frame["window"] == str(YEAR)) & ~counts.frame["is_province"])
    return {"seconds": total, "cpu_seconds": cpu, "counts_seconds": t_counts, "counts_cpu_seconds": c_counts,
            "windows": len(counts.windows), "unit_scores": series.units.height,
            "checksum": int(year_rows["on_time"].sum()),
            "checks": {m: int(year_rows[m].sum()) for m in CHECKED},
            "province_year": {m: int(counts.frame.filter((counts.frame["window"] == str(YEAR))
                                                         & counts.frame["is_province"])[m].sum())
                              for m in ("procedures_paid_online", "procedures_population_db")}}


def step_year(n: int) -> dict:
    """chiso: the year alone (one window, no weeks) counted and scored from the records — what
    scoring one window from records costs when nothing is kept."""
    d = load_index_definition()
    tree = load_units()
    store = parquet_records(_files(n))
    t0, c0 = time.perf_counter(), time.process_time()
    counts = compute_counts(d, store, [year(YEAR)])
    t_counts = time.perf_counter() - t0
    table = score_counts(d, counts.frame, scored_units(tree, counts), [str(YEAR)])
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = counts.frame.filter(~counts.frame["is_province"])
    provinces = counts.frame.filter(counts.frame["is_province"])
    return {"seconds": total, "cpu_seconds": cpu, "counts_seconds": t_counts, "unit_scores": table.units.height,
            "checks": {m: int(rows[m].sum()) for m in CHECKED},
            "province_year": {m: int(provinces[m].sum()) for m in ("procedures_paid_online",
                                                                   "procedures_population_db")}}


# a weekly load: the new week's dossiers (1 week recounted), and updates to dossiers received
# up to 3 or 7 weeks before (4 or 8 weeks recounted)
REFRESH_WEEKS = (1, 4, 8)


def _kept_db(n: int) -> Path:
    return _out(n) / "kept.duckdb"


def _score_all(d, tree, counts) -> tuple[int, dict]:
    units = scored_units(tree, counts)
    labels = [w.label for w in counts.windows]
    weeks = [w.label for w in counts.windows if w.label != str(YEAR)]
    series = score_counts(d, counts.frame, units, labels, previous=dict(zip(weeks[1:], weeks[:-1])))
    f = counts.frame
    year_rows = f.filter((f["window"] == str(YEAR)) & ~f["is_province"])
    checks = {m: int(year_rows[m].sum()) for m in CHECKED}
    province = {m: int(f.filter((f["window"] == str(YEAR)) & f["is_province"])[m].sum())
                for m in ("procedures_paid_online", "procedures_population_db")}
    return series.units.height, {"checks": checks, "province_year": province}


def step_keep(n: int) -> dict:
    """chiso, once: count the year and keep the counts (what loading the records does when
    counts are kept) — the same scan as step_chiso, written to a DuckDB file."""
    _kept_db(n).unlink(missing_ok=True)
    d = load_index_definition()
    store = parquet_records(_files(n), database=str(_kept_db(n)))
    t0, c0 = time.perf_counter(), time.process_time()
    made = kept.keep_year(d, store, YEAR)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    store.close()
    return {"seconds": total, "cpu_seconds": cpu, "kept_rows": sum(e.rows for e in made)}


def step_kept(n: int) -> dict:
    """chiso with kept counts, in a fresh process: (1) score the year and its 53 weeks from
    the kept counts; (2) the weekly refresh — recompute the last REFRESH_WEEKS weeks' buckets
    from their records, then score every window again."""
    import datetime as _dt

    d = load_index_definition()
    tree = load_units()
    store = parquet_records(_files(n), database=str(_kept_db(n)))
    first, last = _dt.date(YEAR, 1, 1), _dt.date(YEAR, 12, 31)
    t0, c0 = time.perf_counter(), time.process_time()
    counts = compute_series(d, store, first, last, whole=year(YEAR))
    unit_scores, checks = _score_all(d, tree, counts)
    score_s, score_cpu = time.perf_counter() - t0, time.process_time() - c0
    plan_buckets = [i for i, _, _ in kept.entries(store)[0].plan.buckets()]
    weekly = {}
    for w in REFRESH_WEEKS:
        recent = plan_buckets[-w:]
        t1, c1 = time.perf_counter(), time.process_time()
        kept.refresh(d, store, buckets={k: recent for k in ("dossiers", "petitions", "publications")})
        recount = time.perf_counter() - t1
        counts2 = compute_series(d, store, first, last, whole=year(YEAR))
        _, checks2 = _score_all(d, tree, counts2)
        assert checks2 == checks, "a refresh of unchanged records changed the counts"
        weekly[w] = {"seconds": time.perf_counter() - t1, "cpu_seconds": time.process_time() - c1,
                     "recount_seconds": recount}
    store.close()
    return {"seconds": score_s, "cpu_seconds": score_cpu, "weekly": weekly, "unit_scores": unit_scores,
            "windows": len(counts.windows), "checksum": checks["checks"]["on_time"], **checks}

CHECKED = ("received", "on_time", "synced", "fully_online", "paid_online", "finished_paper_result",
           "electronic_result", "complained", "procedures_paid_online", "procedures_population_db")


def step_pandas(n: int) -> dict:
    """Plain pandas: the same dossier counts with the same rules — 14 additive measures (three
    of them judged at each week's end and at the year's end) per unit × ISO week and for the
    year, and the two distinct-procedure measures per unit and per province, per week and for
    the year. No petitions, publications or procedure catalogue (< 0.3 s of chiso's time)
    and no scoring."""
    import glob

    import numpy as np
    import pandas as pd

    t0, c0 = time.perf_counter(), time.process_time()
    cols = ["province_code", "unit_code", "procedure_code", "received_date", "appointment_date", "finished_date",
            "supplement_count", "supplement_days", "synced_national", "full_online_eligible", "fully_online",
            "financial_obligation", "paid_online", "result_paper", "result_electronic", "digitized", "reused_data",
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
    # distinct procedures: per unit and per province, each week and the year
    distinct = {}
    keys = df[["province_code", "unit_code", "procedure_code"]].assign(bucket=bucket)
    for name, cond in (("procedures_paid_online", b("financial_obligation") & b("paid_online")),
                       ("procedures_population_db", b("population_db_used"))):
        rows = keys[cond]
        distinct[name] = {
            "unit_week": rows.drop_duplicates(["unit_code", "procedure_code", "bucket"])
            .groupby(["unit_code", "bucket"]).size(),
            "unit_year": rows.drop_duplicates(["unit_code", "procedure_code"]).groupby("unit_code").size(),
            "province_week": rows.drop_duplicates(["province_code", "procedure_code", "bucket"])
            .groupby(["province_code", "bucket"]).size(),
            "province_year": rows.drop_duplicates(["province_code", "procedure_code"]).groupby("province_code").size(),
        }
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    units = yearly[yearly.index.get_level_values(0) != yearly.index.get_level_values(1)]
    outer = {"on_time": "on_time__outer", "finished_paper_result": "finished_paper_result__outer",
             "electronic_result": "electronic_result__outer"}
    checks = {m: int(units[outer.get(m, m)].sum()) for m in CHECKED if m in units.columns}
    for name, parts in distinct.items():
        unit_year = parts["unit_year"]
        checks[name] = int(unit_year[~unit_year.index.isin(df["province_code"].unique())].sum())
    return {"seconds": total, "cpu_seconds": cpu, "checksum": checks["on_time"], "rows": int(len(df)),
            "checks": checks, "province_year": {k: int(v["province_year"].sum()) for k, v in distinct.items()}}


def step_raw(n: int) -> dict:
    """The floor: DuckDB reading every column of the same dossier Parquet once (the maximum of
    each, so that every column is decoded); the same grouped by unit × week (what any count by
    unit and week must pay before its first measure); and a bare unit × week COUNT(*)."""
    store = parquet_records(_files(n))
    cols = store.query_arrow("SELECT * FROM dossiers LIMIT 0").column_names
    t0, c0 = time.perf_counter(), time.process_time()
    store.query_arrow("SELECT " + ", ".join(f"max({c})" for c in cols) + " FROM dossiers")
    scan, cpu = time.perf_counter() - t0, time.process_time() - c0
    t1 = time.perf_counter()
    store.query_arrow("SELECT unit_code, (received_date - DATE '2025-12-29') // 7 AS w, count(*) FROM dossiers "
                      "GROUP BY ALL")
    t2 = time.perf_counter()
    store.query_arrow("SELECT unit_code, (received_date - DATE '2025-12-29') // 7 AS w, "
                      + ", ".join(f"max({c})" for c in cols if c != "unit_code") + " FROM dossiers GROUP BY ALL")
    grouped = time.perf_counter() - t2
    store.close()
    return {"seconds": scan, "cpu_seconds": cpu, "columns": len(cols), "count_seconds": t2 - t1,
            "grouped_seconds": grouped}


STEPS = {"generate": step_generate, "chiso": step_chiso, "pandas": step_pandas, "keep": step_keep,
         "kept": step_kept, "raw": step_raw, "year": step_year}


def run_child(step: str, n: int) -> dict:
    """Run ``step`` in a fresh process; ``<step>@unit`` runs it on the dossiers ordered by unit."""
    env = dict(os.environ)
    step, _, layout = step.partition("@")
    env["CHISO_BENCH_BY_UNIT"] = "1" if layout == "unit" else "0"
    proc = subprocess.run([sys.executable, __file__, "--child", step, "--dossiers", str(n)], capture_output=True,
                          text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{step} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _load() -> str:
    """The 1-minute load average (other work on this shared machine), for the record."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def _summary(runs: list[dict]) -> dict:
    """Best and median wall time of repeated runs (the machine is shared: the best is the
    least disturbed, the median the typical)."""
    walls = sorted(r["seconds"] for r in runs)
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "best": walls[0], "median": statistics.median(walls), "runs": len(runs),
            "peak_mib": max(r["peak_mib"] for r in runs), "loads": [r["load"] for r in runs]}


def _same_counts(a: dict, b: dict) -> bool:
    """Whether two steps' runs counted the same year totals."""
    return a["checks"] == b["checks"] and a["province_year"] == b["province_year"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dossiers", type=int, default=10_000_000)
    ap.add_argument("--pandas", action="store_true", help="also run the plain pandas implementation")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each implementation (best and median shown)")
    ap.add_argument("--kept", action="store_true",
                    help="also keep the counts once and time scoring from them and the weekly refresh")
    ap.add_argument("--by-unit", action="store_true",
                    help="the dossiers ordered by (unit_code, received_date), in benchmarks/out/nation-N-by-unit/")
    ap.add_argument("--year", action="store_true",
                    help="also score the year alone (one window) from the records, beside the year and its weeks")
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
    if args.by_unit and not (ROOT / "out" / f"nation-{n}-by-unit" / "dossiers").exists():
        g = run_child("generate@unit", n)
        print(f"rewrote {n:,} dossiers ordered by unit in {g['seconds']:.1f} s", file=sys.stderr)
    names = (["chiso", "raw"] + (["year"] if args.year else []) + (["chiso@unit", "raw@unit"] if args.by_unit else [])
             + (["pandas"] if args.pandas else []) + (["keep", "kept"] if args.kept else []))
    runs: dict[str, list[dict]] = {k: [] for k in names}
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        for k in names:
            load = _load()
            r = run_child(k, n)
            r["load"] = load
            runs[k].append(r)
            print(f"{k}: {r['seconds']:.2f} s wall, {r['cpu_seconds']:.2f} s CPU (load {load})", file=sys.stderr)
    rows = {k: _summary(v) for k, v in runs.items()}
    c = rows["chiso"]
    print(f"\n{n:,} dossiers, national year {YEAR} ({c['windows']} windows, {c['unit_scores']:,} unit scores), "
          f"{os.cpu_count()} cores, {args.repeat} runs each, 1-min load average before each run: "
          + "; ".join(f"{k} {', '.join(r['loads'])}" for k, r in rows.items()) + "\n")
    print("| implementation | best wall s | median wall s | CPU s (best run) | dossiers/s (best) | peak MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    labels = {"chiso": "chiso from records (DuckDB; all counts, all scores)",
              "pandas": "plain pandas (dossier counts only)",
              "keep": "chiso: count once and keep (what a load does)",
              "kept": "chiso from kept counts (all scores)",
              "raw": "DuckDB reading every dossier column once (the floor)",
              "year": "chiso from records, the year alone (one window)",
              "chiso@unit": "chiso from records, dossiers ordered by (unit, received day)",
              "raw@unit": "the floor, dossiers ordered by (unit, received day)"}
    for k, r in rows.items():
        print(f"| {labels[k]} | {r['best']:.2f} | {r['median']:.2f} | {r['cpu_seconds']:.2f} | "
              f"{n / r['best']:,.0f} | {r['peak_mib']:,.0f} |")
    print(f"\nchiso counts: best {c['counts_seconds']:.2f} s wall ({c['counts_cpu_seconds']:.2f} s CPU); "
          f"scoring {c['seconds'] - c['counts_seconds']:.2f} s")
    raw = rows["raw"]
    print(f"cold scoring ÷ reading every column ({raw['columns']}) of the same Parquet: "
          f"{c['best'] / raw['best']:.1f}× (best), {c['median'] / raw['median']:.1f}× (median); a bare unit × week "
          f"COUNT(*): {raw['count_seconds']:.2f} s; every column grouped by unit × week: "
          f"{raw['grouped_seconds']:.2f} s (chiso ÷ that: {c['best'] / raw['grouped_seconds']:.1f}×)")
    if args.year:
        y = rows["year"]
        same = _same_counts(y, c)
        print(f"the year alone from records: {y['best']:.2f} s best (counts {y['counts_seconds']:.2f} s), ÷ the floor "
              f"{y['best'] / raw['best']:.1f}× (best), {y['median'] / raw['median']:.1f}× (median); its counts equal "
              f"the series' year: {same}")
        if not same:
            print("WARNING: the year alone counts differently from the series' year", file=sys.stderr)
    if args.by_unit:
        cu, ru = rows["chiso@unit"], rows["raw@unit"]
        same = _same_counts(cu, c)
        print(f"ordered by unit: chiso {cu['best']:.2f} s best ({cu['best'] / c['best']:.2f}× the same dossiers as "
              f"generated), ÷ its floor {cu['best'] / ru['best']:.1f}× (best), {cu['median'] / ru['median']:.1f}× "
              f"(median); counts equal to the other order's: {same}")
        if not same:
            print("WARNING: the counts differ between the two orders of the same dossiers", file=sys.stderr)
    if args.kept:
        k = rows["kept"]
        agree = _same_counts(k, c)
        print(f"\nkept counts equal to the scan's: {agree}. Weekly refresh — the last weeks' buckets recounted "
              "from their records, then every window scored again from the kept counts (best run):\n")
        print("| weeks recounted | wall s | CPU s | of which the recount, wall s |")
        print("|---:|---:|---:|---:|")
        for w in REFRESH_WEEKS:
            best = min((r["weekly"][str(w)] for r in runs["kept"]), key=lambda x: x["seconds"])
            print(f"| {w} | {best['seconds']:.2f} | {best['cpu_seconds']:.2f} | {best['recount_seconds']:.2f} |")
        if not agree:
            print("WARNING: kept counts differ from the scan's", file=sys.stderr)
    if args.pandas:
        p = rows["pandas"]
        agree = _same_counts(p, c)
        if not agree:
            print(f"WARNING: counts differ: chiso {c['checks']} {c['province_year']} "
                  f"pandas {p['checks']} {p['province_year']}", file=sys.stderr)
        print(f"chiso is {p['best'] / c['best']:.1f}× faster than pandas (best), {p['median'] / c['median']:.1f}× "
              f"(median); {len(c['checks']) + len(c['province_year'])} year totals compared, all equal: {agree}")
        if args.kept:
            k = rows["kept"]
            print(f"from kept counts chiso scores the year {p['best'] / k['best']:.1f}× faster than pandas counts "
                  f"it (best), {p['median'] / k['median']:.1f}× (median)")


if __name__ == "__main__":
    main()
