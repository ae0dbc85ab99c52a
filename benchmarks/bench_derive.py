"""Benchmark: deriving a province's values (what `/status`, warnings and the overview read).

    .venv/bin/python benchmarks/bench_derive.py --data ./data --repeat 3
    # side by side with another checkout of chiso (e.g. `git worktree add /tmp/old <commit>`):
    .venv/bin/python benchmarks/bench_derive.py --data ./data --repeat 3 --code /tmp/old --code .

Each run is a fresh process (``--code`` puts that checkout first on the path; the runs of the
checkouts alternate) that opens the demo store read as it is, takes the province's live
indicators and submitted values, then times ``chiso.evaluate.dm.derived.all_values`` cold —
province values from units, longer periods from shorter ones, formulas — and its
aggregation steps alone. Prints a Markdown table with medians and the ratio to the first
checkout. Nothing is written.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import json, time
import chiso
from chiso.catalog.index_definition import load_index_definition
from chiso.engine import aggregate
from chiso.evaluate.dm import derived
from chiso.evaluate.dm.service import live_indicators
from chiso.store.database import open_database
from chiso.store.repo_values import current_values
from chiso.units import load_units

spent = {"aggregate": 0.0}
for name in ("aggregate_units", "aggregate_periods"):
    real = getattr(derived, name)
    def timed(*a, _real=real, **k):
        t = time.perf_counter()
        try:
            return _real(*a, **k)
        finally:
            spent["aggregate"] += time.perf_counter() - t
    setattr(derived, name, timed)
db = open_database()
with db.session() as s:
    indicators = live_indicators(s, PROVINCE)
    tree = load_units()
    submitted = current_values(s, province=PROVINCE, indicators=list(indicators))
    fed = derived.index_values(s, indicators, tree, PROVINCE, load_index_definition())
t = time.perf_counter()
out = derived.all_values(indicators, submitted, tree, index_rows=fed)
total = time.perf_counter() - t
print(json.dumps({"code": chiso.__file__, "rows": out.height, "total": total, "aggregate": spent["aggregate"],
                  "indicators": len(indicators)}))
"""


def run(code: Path, data: Path, province: str) -> dict:
    env = dict(os.environ, CHISO_DATA_DIR=str(data), PYTHONPATH=str(code))
    probe = PROBE.replace("PROVINCE", repr(province))
    done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=code, capture_output=True, text=True,
                          check=True)  # run from the checkout: its package comes first on the path
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("data"), help="a store built by `chiso init --demo`")
    parser.add_argument("--province", default="24")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--code", type=Path, action="append", help="a checkout of chiso (repeatable; default: this one)")
    args = parser.parse_args()
    codes = [c.resolve() for c in (args.code or [Path(__file__).resolve().parents[1]])]
    runs: dict[Path, list[dict]] = {c: [] for c in codes}
    for i in range(args.repeat):
        for code in (codes if i % 2 == 0 else codes[::-1]):
            runs[code].append(run(code, args.data.resolve(), args.province))
    first = statistics.median(r["total"] for r in runs[codes[0]])
    print(f"province {args.province}, {runs[codes[0]][0]['indicators']} live indicators, "
          f"median of {args.repeat} cold runs, load average {os.getloadavg()[0]:.1f}\n")
    print("| checkout | derived rows | all_values s | of which aggregation s | ratio |")
    print("|---|---:|---:|---:|---:|")
    for code in codes:
        total = statistics.median(r["total"] for r in runs[code])
        agg = statistics.median(r["aggregate"] for r in runs[code])
        assert all(r["code"].startswith(str(code)) for r in runs[code]), runs[code][0]["code"]
        print(f"| {code} | {runs[code][0]['rows']:,} | {total:.2f} | {agg:.2f} | {total / first:.2f}× |")


if __name__ == "__main__":
    main()
