"""Benchmark: reading a values workbook — the Excel reader chiso uses (fastexcel, calamine)
beside openpyxl's streaming mode (``read_only=True``), time and peak memory.

    .venv/bin/python benchmarks/bench_excel.py --rows 200000 --repeat 2

Builds ``benchmarks/out/excel/values-<rows>.xlsx`` (five columns, as a values file: indicator,
unit, period, value, note), then reads it in a fresh process per run, the readers
alternating: wall time and the process's peak memory (max RSS), beside a process that only
imports both (the baseline). Prints a Markdown table (decision 51, docs/performance.md).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out" / "excel"

READ = r"""
import json, resource, sys, time
import fastexcel, openpyxl
path, how = sys.argv[1], sys.argv[2]
t = time.perf_counter()
rows = 0
if how == "fastexcel":
    rows = fastexcel.read_excel(path).load_sheet(0).to_polars().height
elif how == "openpyxl":
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _ in book.worksheets[0].iter_rows(min_row=2, values_only=True))
    book.close()
print(json.dumps({"rows": rows, "seconds": time.perf_counter() - t,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def build(rows: int) -> Path:
    from openpyxl import Workbook

    path = OUT / f"values-{rows}.xlsx"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Số liệu")
    sheet.append(["indicator", "unit", "period", "value", "note"])
    for i in range(rows):
        sheet.append(["NS.CHI_NSDP", "07210", f"2026-{i % 12 + 1:02d}", i * 1.5, "số liệu đối chiếu Kho bạc"])
    book.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    path = build(args.rows)
    readers = ["imports only", "fastexcel", "openpyxl"]
    runs: dict[str, list[dict]] = {r: [] for r in readers}
    for i in range(args.repeat):
        for how in (readers if i % 2 == 0 else readers[::-1]):
            done = subprocess.run([sys.executable, "-c", READ, str(path), how], capture_output=True, text=True,
                                  check=True)
            runs[how].append(json.loads(done.stdout))
    base = statistics.median(r["peak_mb"] for r in runs["imports only"])
    fast = statistics.median(r["seconds"] for r in runs["fastexcel"])
    print(f"{path.name}: {args.rows:,} data rows, {path.stat().st_size / 1e6:.1f} MB; median of {args.repeat}\n")
    print("| reader | rows read | s | × fastexcel | peak MB | over the imports MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for how in readers[1:]:
        s = statistics.median(r["seconds"] for r in runs[how])
        peak = max(r["peak_mb"] for r in runs[how])
        print(f"| {how} | {runs[how][0]['rows']:,} | {s:.2f} | {s / fast:.1f}× | {peak:.0f} | {peak - base:.0f} |")


if __name__ == "__main__":
    main()
