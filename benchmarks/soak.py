"""Soak: many clients for many minutes against a server on PostgreSQL, mixing reads and
uploads — then every value the server said it accepted is looked for in the store.

    # a PostgreSQL store with the demo (both stores in one database):
    export CHISO_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/chiso_soak
    export CHISO_RECORDS_URL=$CHISO_DATABASE_URL
    .venv/bin/chiso init --demo --dossiers 60000 --others 1500
    .venv/bin/python benchmarks/soak.py --clients 100 --minutes 10

The script starts ``chiso serve`` (``--workers``) on the store the environment names, makes
API tokens for the department officer, the head, a leader and a viewer, and runs
``--clients`` asynchronous clients for ``--minutes``. Each client loops: mostly reads (scores,
rankings, indicators, values, warnings, status — the viewer's and the leader's tokens), and
one request in ``--upload-share`` an upload of a small CSV of values by the officer or the
head — the same few indicators and weeks for everyone, so that writes collide on purpose.

An error is a 5xx, a broken connection, a timeout, or a refusal without its reason code.
Refusals the rules give (409 "being written", 422 outlier, a locked period …) are counted,
not errors. At the end every row of every accepted submission must be in
``indicator_values`` or, replaced by a later correction, in ``indicator_value_history``. Prints a Markdown summary.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import statistics
import subprocess
import sys
import time

import httpx2 as httpx
import psycopg
from serving import CHISO, token, wait_ready

#: Weekly indicators the finance department (24-STC) reports for the province, and the weeks written.
INDICATORS = ("DN.GIAI_THE", "DN.QUAY_LAI", "DN.TAM_NGUNG", "DT.GIAI_NGAN_DTC", "DT.DU_AN_CHAM")
WEEKS = tuple(f"2026-W{w}" for w in range(44, 49))

READS = (
    "/api/v1/status",
    "/api/v1/scores?level=province&province=24",
    "/api/v1/rank?level=commune&province=24",
    "/api/v1/rank?level=department&province=24",
    "/api/v1/indicators?limit=50",
    "/api/v1/warnings?limit=20",
    "/api/v1/values?indicator=DN.GIAI_THE&limit=50",
    "/api/v1/submissions?limit=20",
    "/api/v1/units/24",
)


class Tally:
    def __init__(self) -> None:
        self.status: collections.Counter = collections.Counter()
        self.errors: list[str] = []
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.accepted: list[tuple[int, list[tuple[str, str, str, float]]]] = []
        self.refusals: collections.Counter = collections.Counter()

    def error(self, what: str) -> None:
        if len(self.errors) < 50:
            self.errors.append(what)
        self.status["error"] += 1


def values_csv(rng: random.Random) -> tuple[bytes, list[tuple[str, str, str, float]]]:
    rows = []
    for code in rng.sample(INDICATORS, rng.randint(1, 3)):
        rows.append((code, "24", rng.choice(WEEKS), float(rng.randint(1, 400))))
    text = "indicator,unit,period,value,note\n" + "".join(
        f"{c},{u},{p},{v:g},kiểm thử tải (soak)\n" for c, u, p, v in rows)
    return text.encode("utf-8"), rows


async def client(n: int, base: str, tokens: dict[str, str], until: float, share: float, tally: Tally) -> None:
    rng = random.Random(n)
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        while time.monotonic() < until:
            upload = rng.random() < share
            t0 = time.perf_counter()
            kind = "upload"
            try:
                if upload:
                    who = rng.choice(("canbo", "thutruong"))
                    body, rows = values_csv(rng)
                    r = await http.post("/api/v1/submissions", headers={"Authorization": f"Bearer {tokens[who]}"},
                                        files={"file": (f"soak-{n}.csv", body, "text/csv")},
                                        data={"reason": "kiểm thử tải"})
                else:
                    path = rng.choice(READS)
                    kind = path
                    r = await http.get(path, headers={"Authorization": f"Bearer {tokens[rng.choice(('xem', 'lanhdao'))]}"})
            except httpx.HTTPError as exc:
                tally.error(f"{kind}: {type(exc).__name__} after {time.perf_counter() - t0:.0f} s {exc}")
                continue
            tally.latency["upload" if upload else "read"].append(time.perf_counter() - t0)
            tally.status[r.status_code] += 1
            if r.status_code >= 500:
                tally.error(f"{kind} → {r.status_code}: {r.text[:200]}")
            elif upload and r.status_code in (200, 201):
                doc = r.json()
                if doc.get("status") in ("accepted", "unchanged") and doc.get("submission_id") is not None:
                    tally.accepted.append((doc["submission_id"], rows) if doc["status"] == "accepted" else (-1, rows))
                tally.refusals[doc.get("status", "?")] += 1
            elif upload:
                doc = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
                codes = {p.get("code") for p in doc.get("problems", [])} - {None}
                if not codes and not doc.get("code"):
                    tally.error(f"upload → {r.status_code} without a reason code: {r.text[:200]}")
                tally.refusals[f"{r.status_code} {','.join(sorted(codes)) or doc.get('code')}"] += 1
            elif r.status_code >= 400:
                tally.error(f"{kind} → {r.status_code}: {r.text[:200]}")


def missing_rows(database_url: str, accepted: list[tuple[int, list]]) -> list[str]:
    """Accepted rows found neither current (indicator_values) nor replaced (indicator_value_history):
    each must be there with its value, written by its submission or — a row the batch left
    unchanged — by an earlier one."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    lost = []
    with psycopg.connect(url) as conn:
        for sid, rows in accepted:
            if sid < 0:
                continue
            for code, unit, period, value in rows:
                found = conn.execute(
                    "SELECT 1 FROM (SELECT indicator, unit_code, period, value, submission_id FROM indicator_values "
                    "UNION ALL SELECT indicator, unit_code, period, value, submission_id FROM indicator_value_history) v "
                    "WHERE indicator = %s AND unit_code = %s AND period = %s AND value = %s AND submission_id <= %s "
                    "LIMIT 1", (code, unit, period, value, sid)).fetchone()
                if found is None:
                    lost.append(f"submission {sid}: {code} {unit} {period} = {value:g}")
    return lost


def percentile(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100)[q - 1] if len(xs) >= 100 else max(xs or [0.0])


async def soak(base: str, tokens: dict[str, str], clients: int, minutes: float, share: float) -> Tally:
    tally = Tally()
    until = time.monotonic() + minutes * 60
    await asyncio.gather(*(client(n, base, tokens, until, share, tally) for n in range(clients)))
    return tally


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--upload-share", type=float, default=0.1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=8797)
    args = ap.parse_args()
    database = os.environ.get("CHISO_DATABASE_URL", "")
    if not database.startswith("postgresql"):
        sys.exit("set CHISO_DATABASE_URL (and CHISO_RECORDS_URL) to the PostgreSQL store to soak")
    server = subprocess.Popen([str(CHISO), "serve", "--port", str(args.port), "--workers", str(args.workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_ready(base, 120)
        # the demo's sign-ins exist once the server has started (``chiso serve`` makes them)
        tokens = {"canbo": token("canbo", "read write"), "thutruong": token("thutruong", "read write"),
                  "lanhdao": token("lanhdao", "read"), "xem": token("xem", "read")}
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        tally = asyncio.run(soak(base, tokens, args.clients, args.minutes, args.upload_share))
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(60)
    lost = missing_rows(database, tally.accepted)
    reads, uploads = tally.latency["read"], tally.latency["upload"]
    print(f"\n{args.clients} clients × {args.minutes:g} min against {args.workers} worker(s) on PostgreSQL "
          f"(load average {load0:.1f} at start; {wall:.0f} s)\n")
    print("| requests | reads | uploads | errors | accepted submissions | accepted rows missing |")
    print("|---:|---:|---:|---:|---:|---:|")
    accepted = [a for a in tally.accepted if a[0] >= 0]
    print(f"| {sum(len(v) for v in tally.latency.values()):,} | {len(reads):,} | {len(uploads):,} | "
          f"{tally.status['error']} | {len(accepted):,} | {len(lost)} |")
    print("\n| | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|")
    for name, xs in (("read", reads), ("upload", uploads)):
        if xs:
            print(f"| {name} | {statistics.median(xs) * 1000:.0f} | {percentile(xs, 99) * 1000:.0f} | "
                  f"{max(xs) * 1000:.0f} |")
    print("\nanswers:", dict(sorted(((str(k), v) for k, v in tally.status.items()))))
    print("upload outcomes:", dict(tally.refusals.most_common()))
    for e in tally.errors[:20]:
        print("ERROR", e)
    for line in lost[:20]:
        print("LOST", line)
    sys.exit(1 if tally.status["error"] or lost else 0)


if __name__ == "__main__":
    main()
