"""Benchmark: what refusing a hostile file costs — time and peak memory — beside accepting a
good one, through the CLI (a fresh process each) and through a running server's API.

    .venv/bin/python benchmarks/bench_files.py --data ./data --repeat 3

The demo store (``--data``, built by ``chiso init --demo``) is copied to a temporary folder
first: nothing is written to it. The files are built in ``benchmarks/out/files/``:

- ``values-bomb.xlsx`` / ``dossiers-bomb.xlsx`` / ``catalogue-bomb.xlsx``: a workbook of a
  megabyte whose sheet unpacks to ``--bomb-gb`` GB (the issue's was 5.3 MB → 12 GB);
- ``values-1.5M.csv``: 1.5 million identical rows, 40 MB;
- ``values-deep.json``, ``catalogue-deep.yaml``, ``catalogue-laughs.yaml``: nesting 100,000
  deep, and the "billion laughs" of YAML aliases;
- ``values-good.csv``: one good row — the baseline (the cost of starting chiso at all).

CLI: each file in its own process, the order alternating over ``--repeat`` runs; wall time
and the process's peak memory (max RSS, from ``wait4``). API: one server (``chiso serve``)
on the copy; each file uploaded with the officer's token (catalogues: the administrator's); the answer's time and the growth of
the server's peak memory (``VmHWM``) are reported. A Markdown table for docs/performance.md.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import httpx2 as httpx
from serving import CHISO, token, wait_ready

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out" / "files"

SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_ROW = b'<row><c t="inlineStr"><is><t>KT.DIEN_CN_XD</t></is></c><c><v>1</v></c></row>'
WORKBOOK_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                           b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                           b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                           b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
                           b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                           b'worksheet+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
                       b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                       b'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                                  b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
                                  b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                                  b'Target="worksheets/sheet1.xml"/></Relationships>',
}


def workbook_bomb(path: Path, unpacked_bytes: int) -> None:
    """A valid workbook whose one sheet unpacks to ``unpacked_bytes`` of identical rows."""
    block = SHEET_ROW * ((1 << 20) // len(SHEET_ROW))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in WORKBOOK_PARTS.items():
            z.writestr(name, data)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_HEAD)
            written = 0
            while written < unpacked_bytes:
                sheet.write(block)
                written += len(block)
            sheet.write(b"</sheetData></worksheet>")


def build_files(bomb_gb: float) -> dict[str, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    files = {name: OUT / name for name in (
        "values-good.csv", "values-bomb.xlsx", "dossiers-bomb.xlsx", "catalogue-bomb.xlsx", "values-1.5M.csv",
        "values-deep.json", "catalogue-deep.yaml", "catalogue-laughs.yaml")}
    files["values-good.csv"].write_text("indicator,unit,period,value\nDT.GIAI_NGAN_DTC,24,2026-W48,646\n")
    bomb = OUT / f"bomb-{bomb_gb:g}GB.xlsx"
    if not bomb.exists():
        workbook_bomb(bomb, int(bomb_gb * 1e9))
    for name in ("values-bomb.xlsx", "dossiers-bomb.xlsx", "catalogue-bomb.xlsx"):
        shutil.copyfile(bomb, files[name])
    if not files["values-1.5M.csv"].exists():
        with files["values-1.5M.csv"].open("w") as f:
            f.write("indicator,unit,period,value\n")
            f.write("KT.DIEN_CN_XD,24-SCT,2026-10,12\n" * 1_500_000)
    files["values-deep.json"].write_text("[" * 100_000 + "]" * 100_000)
    files["catalogue-deep.yaml"].write_text("indicators: " + "[" * 100_000 + "]" * 100_000 + "\n")
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        laughs.append(f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    files["catalogue-laughs.yaml"].write_text("\n".join(laughs) + "\nindicators: *i\n")
    return files


def command(name: str, path: Path) -> list[str]:
    if name.startswith("dossiers"):
        return [str(CHISO), "load", str(path)]
    if name.startswith("catalogue"):
        return [str(CHISO), "catalog", "import", str(path)]
    return [str(CHISO), "values", "submit", str(path), "--as", "24-STC", "--reason", "benchmark"]


def run_cli(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall seconds, peak MB, exit code, first line of stderr) of one fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode("utf-8", "replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in err.splitlines() if line.strip()]
    return wall, usage.ru_maxrss / 1024, proc.returncode, (lines[1] if len(lines) > 1 else (lines or [""])[0])[:110]


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_api(files: dict[str, Path], env: dict[str, str], port: int) -> list[tuple]:
    server = subprocess.Popen([str(CHISO), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    rows = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, 60)
        officer = {"Authorization": f"Bearer {token('canbo', 'read write', env)}"}
        admin = {"Authorization": f"Bearer {token('quantri', 'read write', env)}"}
        for name, path in files.items():
            if name.startswith("dossiers"):
                continue  # records come in by `chiso load` only
            catalogue = name.startswith("catalogue")
            url = base + ("/api/v1/catalogue/imports" if catalogue else "/api/v1/submissions")
            before = rss_mb(server.pid)
            t0 = time.perf_counter()
            with path.open("rb") as fh:
                r = httpx.post(url, headers=admin if catalogue else officer, files={"file": (path.name, fh)},
                               data={} if catalogue else {"reason": "benchmark"}, timeout=600)
            wall = time.perf_counter() - t0
            rows.append((name, path.stat().st_size, r.status_code, wall, before, peak_mb(server.pid),
                         str(r.json().get("problems", [{}])[0].get("reason", r.json().get("detail", "")))[:110]
                         if r.headers.get("content-type", "").startswith("application/json") else r.text[:110]))
    finally:
        server.terminate()
        server.wait(30)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="./data", help="a demo store (chiso init --demo), copied first")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bomb-gb", type=float, default=5.0)
    ap.add_argument("--port", type=int, default=8799)
    ap.add_argument("--no-api", action="store_true")
    args = ap.parse_args()
    files = build_files(args.bomb_gb)
    with tempfile.TemporaryDirectory(prefix="chiso-bench-files-") as tmp:
        store = Path(tmp) / "data"
        shutil.copytree(args.data, store, ignore=shutil.ignore_patterns("demo"))
        env = dict(os.environ, CHISO_DATA_DIR=str(store))
        print(f"load average {os.getloadavg()[0]:.2f}; files in {OUT}")
        results: dict[str, list[tuple]] = {name: [] for name in files}
        for r in range(args.repeat):
            order = list(files) if r % 2 == 0 else list(reversed(files))
            for name in order:
                results[name].append(run_cli(command(name, files[name]), env))
        print("\n| file | size | CLI exit | wall s (median of %d) | peak MB (max) | answer |" % args.repeat)
        print("|---|---:|---:|---:|---:|---|")
        base = statistics.median(w for w, *_ in results["values-good.csv"])
        for name, runs in results.items():
            wall = statistics.median(w for w, *_ in runs)
            print(f"| {name} | {files[name].stat().st_size / 1e6:,.1f} MB | {runs[0][2]} | {wall:.2f} "
                  f"({wall / base:.2f}×) | {max(m for _, m, *_ in runs):,.0f} | {runs[0][3]} |")
        if not args.no_api:
            rows = bench_api(files, env, args.port)
            print("\n| file (API) | status | answer s | server MB before → peak | reason |")
            print("|---|---:|---:|---:|---|")
            for name, _size, status, wall, before, peak, reason in rows:
                print(f"| {name} | {status} | {wall:.2f} | {before:,.0f} → {peak:,.0f} | {reason} |")


if __name__ == "__main__":
    main()
