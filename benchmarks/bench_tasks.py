"""Benchmark: the task register's states and indicators on a demo-size store.

    .venv/bin/python benchmarks/bench_tasks.py --data ./data --repeat 3

Reads the register of a store built by ``chiso init --demo`` (≈1,500 tasks, two years, ≈6,400
events) and times, in one process, side by side:

- ``classify`` (polars joins) against the reference ``state_at`` called per instance and date,
  on the same instances at the same period ends (every month end of the two years) — the
  ratio says what vectorising buys;
- ``states_at`` for one date (what a page asks: read the register, classify today);
- ``task_values`` (every task-fed indicator of the catalogue, every unit, months, quarters and
  years up to today — what the derived values add).

Prints a Markdown table: minimum and median of ``--repeat`` runs (docs/performance.md).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

from chiso import settings
from chiso.collect.values.submit import local_today
from chiso.evaluate.tasks.indicators import task_values
from chiso.evaluate.tasks.register import instances_and_lives, states_at
from chiso.periods.holidays import load_holidays
from chiso.store.database import open_database
from chiso.store.repo_catalogue import current_catalogue
from chiso.store.repo_tasks import all_tasks, domain_task, lives
from chiso.tasks.deadlines import instances, roll_setting
from chiso.tasks.model import Life
from chiso.tasks.states import Policy, classify, state_at
from chiso.units import load_units


def timed(fn, repeat: int) -> tuple[float, float, object]:
    took, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        took.append(time.perf_counter() - t)
    return min(took), statistics.median(took), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="./data", help="a demo store's folder (CHISO_DATA_DIR)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--province", default="24")
    args = ap.parse_args(argv)
    os.environ["CHISO_DATA_DIR"] = str(Path(args.data).resolve())  # settings read it when called


    db = open_database(settings.database_url())
    tree = load_units([args.province])
    today = local_today()
    month_ends = sorted({(dt.date(y, m, 1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
                         for y in (today.year - 2, today.year - 1, today.year) for m in range(1, 13)
                         if dt.date(y, m, 1) <= today})
    policy = Policy.from_settings()
    with db.session() as s:
        rows = all_tasks(s, args.province)
        frames = instances_and_lives(s, args.province, today)
        cal, how = load_holidays(), roll_setting()
        by_id = lives(s, [r.id for r in rows])
        pairs = [(inst, by_id.get((r.id, inst.key), Life())) for r in rows
                 for inst in instances(domain_task(r), today, cal, how)]
        catalogue = current_catalogue(s, args.province)
        fed = {c: i for c, i in catalogue.indicators.items() if getattr(i, "tasks", None) is not None}

    def reference():
        return sum(1 for d in month_ends for i, life in pairs if state_at(i, life, d, policy) is not None)

    def vectorised():
        return classify(*frames, month_ends, policy).height

    results = []
    lo_r, med_r, n_r = timed(reference, args.repeat)
    lo_v, med_v, n_v = timed(vectorised, args.repeat)
    assert n_r == n_v, (n_r, n_v)
    results.append((f"states of {len(pairs):,} instances at {len(month_ends)} month ends "
                    f"({n_v:,} answers): `state_at` per instance", lo_r, med_r))
    results.append(("the same: `classify` (polars)", lo_v, med_v))
    with db.session() as s:
        lo, med, out = timed(lambda: states_at(s, args.province, [today], policy=policy), args.repeat)
        results.append((f"`states_at` today (a page; {out.height:,} instances)", lo, med))
        lo, med, out = timed(lambda: task_values(s, fed, tree, args.province, today, policy=policy), args.repeat)
        results.append((f"`task_values`: {len(fed)} indicators, every unit and period ({out.height:,} rows)", lo, med))
    db.dispose()
    print(f"{len(rows):,} tasks; repeat {args.repeat}; {dt.datetime.now():%Y-%m-%d %H:%M}\n")
    print("| what | min (s) | median (s) |\n|---|---:|---:|")
    for what, lo, med in results:
        print(f"| {what} | {lo:.3f} | {med:.3f} |")
    print(f"\nclassify ÷ state_at (medians): {med_v / med_r:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
