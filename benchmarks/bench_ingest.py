"""Benchmark: ingest-to-visible — a batch of changed dossiers pushed to
``POST /api/v1/records/dossiers``, then the next score read shows it.

    .venv/bin/python benchmarks/bench_ingest.py --dossiers 1000000 --batch 10000 --repeat 20
    .venv/bin/python benchmarks/bench_ingest.py --dossiers 1000000 --records postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python benchmarks/bench_ingest.py --dossiers 1000000 --kept   # counts kept by day
    .venv/bin/python benchmarks/bench_ingest.py --dossiers 100000000 --kept --keep-store  # loaded once, reused
    .venv/bin/python benchmarks/bench_ingest.py --dossiers 10000000 --kept --keep-store --one-province

N generated dossiers of the nation's year (``chiso.demo.generate``) are loaded once through
``chiso load``'s path into a record store (DuckDB under benchmarks/out/, or the PostgreSQL
URL given, in a fresh schema dropped afterwards); the web application (``create_app``,
in-process through Starlette's test client: no network, the same routing, security,
validation and scoring) holds it writable, as ``CHISO_INGEST_WRITER=web`` does, with the
garbage collector tuned as ``chiso serve`` tunes it (``settle_memory``). Each repeat
takes ``--batch`` stored dossiers of one week, flips their ``synced_national``, pushes them
as JSON lines with an ``ingest`` token and reads ``/api/v1/scores`` for that week right
after: the read must show the province's DOSSIER_SYNC numerator the store now holds
(checked every time). The week's scores are read once before each push, so the read after
it is never a cold first read of the process. After the read the next repeat waits for the
web's background checkpoint (the store's log folded into its file once pushes go quiet,
CHISO_CHECKPOINT_QUIET_SECONDS, 1 s here), as a province's batches come minutes apart.
Reported: the POST alone, the read after it and the two together (ingest-to-visible), p50
and p99 over the repeats, and the background checkpoint's time, as Markdown.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from fastapi.testclient import TestClient

from chiso.catalog.index_definition import load_index_definition
from chiso.collect.load import load_paths
from chiso.demo.generate import generate_for
from chiso.evaluate import kept
from chiso.store.database import init_store
from chiso.store.records import open_records
from chiso.store.records_postgres import connect_kwargs
from chiso.units import load_units
from chiso.web.api import records as ingest_api
from chiso.web.app import create_app, settle_memory
from chiso.web.security import accounts, tokens

ROOT = Path(__file__).resolve().parent
YEAR = 2026
WEEK_START = dt.date(2026, 5, 11)  # 2026-W20
WINDOW = "2026-W20"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _stored(n: int, url: str | None, folder: Path, keep_store: bool = False):
    """The record store holding n generated dossiers, loaded through ``chiso load``'s path.
    ``keep_store``: the DuckDB store lives in benchmarks/out/ingest-N/ and a later run with the
    flag opens it as it is (at 100M the load takes most of an hour); the load time is then 0."""
    data = ROOT / "out" / f"ingest-{n}"
    if not (data / "dossiers").exists():
        t0 = time.perf_counter()
        generate_for(data, provinces=None, dossiers=n, year=YEAR, seed=1)
        print(f"  generated {n:,} dossiers in {time.perf_counter() - t0:.1f} s", flush=True)
    files = [str(p) for kind in ("procedures", "publications", "dossiers", "petitions")
             for p in sorted((data / kind).glob("*.parquet"))]
    if keep_store and not url:
        path, done = data / "records.duckdb", data / "records.loaded"
        if done.exists():
            return open_records(f"duckdb:///{path.as_posix()}"), 0.0
        path.unlink(missing_ok=True)
        store = open_records(f"duckdb:///{path.as_posix()}")
    else:
        store, done = open_records(url or f"duckdb:///{(folder / 'records.duckdb').as_posix()}"), None
    t0 = time.perf_counter()
    if n > 20_000_000:  # one load a file: all of 100M validated in memory at once does not fit 24 GiB
        tree = load_units()
        for i, path in enumerate(files):
            load_paths([path], store, tree, kind=None)
            print(f"    {i + 1}/{len(files)} files, {time.perf_counter() - t0:.0f} s", flush=True)
    else:
        load_paths(files, store, load_units(), kind=None)
    seconds = time.perf_counter() - t0
    print(f"  loaded {n:,} dossiers in {seconds:.1f} s", flush=True)
    if done is not None:
        done.write_text(f"{seconds:.1f}\n")
    return store, seconds


def _postgres_schema(base: str) -> tuple[str, str]:
    import psycopg


    schema = f"chiso_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(autocommit=True, **connect_kwargs(base)) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


def _drop_schema(base: str, schema: str) -> None:
    import psycopg


    with psycopg.connect(autocommit=True, **connect_kwargs(base)) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _sync_numerator(client: TestClient, auth: dict, province: str) -> float:
    answer = client.get("/api/v1/scores", params={"window": WINDOW, "province": province}, headers=auth)
    answer.raise_for_status()
    row = next(u for u in answer.json()["units"] if u["code"] == province)
    return row["criteria"]["DOSSIER_SYNC"]["numerator"]


def _profile_next_load(path: str, store) -> None:
    """Profile the next batch's work (it runs in the server's worker thread, which a profiler
    started here would not see), write the statistics to ``path`` and print the record store's
    statements by time."""

    plain, execute, query = ingest_api._load, store._execute, store.query_arrow
    spent: list[tuple[float, str]] = []

    def timed(run):
        def call(sql, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return run(sql, *args, **kwargs)
            finally:
                spent.append((time.perf_counter() - t0, " ".join(str(sql).split())[:150]))
        return call

    def profiled(*args):
        profiler = cProfile.Profile()
        store._execute, store.query_arrow = timed(execute), timed(query)
        try:
            return profiler.runcall(plain, *args)
        finally:
            profiler.dump_stats(path)
            ingest_api._load = plain
            del store._execute, store.query_arrow
            print(f"  statements: {len(spent)}, {sum(s for s, _ in spent):.3f} s; the slowest:")
            for seconds, sql in sorted(spent, reverse=True)[:15]:
                print(f"    {seconds:.3f} s  {sql}")

    ingest_api._load = profiled


def run(n: int, batch: int, repeat: int, records_url: str | None, keep: bool = False,
        profile: str | None = None, keep_store: bool = False, one_province: bool = False) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="chiso-bench-ingest-"))
    os.environ.setdefault("CHISO_CHECKPOINT_QUIET_SECONDS", "1")  # the repeats wait for it; default 3
    schema = None
    url = None
    if records_url:
        url, schema = _postgres_schema(records_url)
    try:
        store, load_seconds = _stored(n, url, folder, keep_store)
        tree = load_units()
        keep_seconds = None
        if keep:  # counts kept by day over the year: the POST recounts the batch's days, the read uses them
            t0 = time.perf_counter()
            kept.keep_days(load_index_definition(), store, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
            keep_seconds = time.perf_counter() - t0
        week = store.query_arrow(
            "SELECT province_code, count(*) AS n FROM dossiers WHERE received_date BETWEEN $1 AND $2 "
            "GROUP BY province_code ORDER BY n DESC LIMIT 1", [WEEK_START, WEEK_START + dt.timedelta(days=6)]
        ).to_pylist()[0]
        province = week["province_code"]
        if one_province:  # as a province's one-stop system pushes: its own dossiers only
            rows = store.fetch("dossiers", "received_date BETWEEN $1 AND $2 AND province_code = $3",
                               [WEEK_START, WEEK_START + dt.timedelta(days=6), province], limit=batch)
        else:
            rows = store.fetch("dossiers", "received_date BETWEEN $1 AND $2",
                               [WEEK_START, WEEK_START + dt.timedelta(days=6)], limit=batch)
        db_url = f"sqlite:///{(folder / 'chiso.sqlite').as_posix()}"
        db = init_store(db_url)
        accounts.create_account(db, "bench", username="quantri", password="Bench-ingest-2026!", role="admin",
                                unit_code="24", tree=tree, display_name="bench")
        push = {"Authorization": f"Bearer {tokens.create(db, 'bench', 'quantri', 'push', 'read ingest').secret}",
                "Content-Type": "application/x-ndjson"}
        read = {"Authorization": f"Bearer {tokens.create(db, 'bench', 'quantri', 'read', 'read').secret}"}
        app = create_app(store=store, tree=tree, database_url=db_url)
        settle_memory()  # the garbage collector tuned as in a serving process (chiso serve)
        posts, reads, visible, folds = [], [], [], []
        with TestClient(app) as client:
            for i in range(repeat):
                for r in rows:
                    r["synced_national"] = not r["synced_national"]
                body = "".join(json.dumps({k: v for k, v in r.items() if not k.startswith("_")}, default=str) + "\n"
                               for r in rows).encode()
                _sync_numerator(client, read, province)  # the week is read (and cached) before the push
                if profile and i == repeat - 1:
                    _profile_next_load(profile, store)
                t0 = time.perf_counter()
                answer = client.post("/api/v1/records/dossiers", content=body, headers=push)
                t1 = time.perf_counter()
                answer.raise_for_status()
                shown = _sync_numerator(client, read, province)
                t2 = time.perf_counter()
                stamp = answer.json()
                assert stamp["updated"] == len(rows), stamp
                truth = store.query_arrow(
                    "SELECT count(*) AS n FROM dossiers WHERE province_code = $1 AND synced_national "
                    "AND received_date BETWEEN $2 AND $3",
                    [province, WEEK_START, WEEK_START + dt.timedelta(days=6)]).to_pylist()[0]["n"]
                assert shown == truth, (shown, truth)
                posts.append(t1 - t0)
                reads.append(t2 - t1)
                visible.append(t2 - t0)
                # the web folds the store's log into its file once pushes go quiet: the next
                # batch comes after that, as a province's pushes do (minutes apart)
                done = app.state.ctx.checkpoints.done
                while app.state.ctx.checkpoints.done == done and not url:
                    time.sleep(0.05)
                folds.append(app.state.ctx.checkpoints.last_seconds if not url else 0.0)
                print(f"  repeat {i + 1}: POST {t1 - t0:.3f} s, read {t2 - t1:.3f} s, "
                      f"then the checkpoint in the background {folds[-1]:.3f} s", flush=True)
        db.dispose()
        store.close()
        return {"dossiers": n, "batch": len(rows), "repeat": repeat, "store": "postgres" if url else "duckdb",
                "load_seconds": load_seconds, "province": province, "body_bytes": len(body),
                "post": posts, "read": reads, "visible": visible, "checkpoint": folds, "cpus": os.cpu_count(), "keep_seconds": keep_seconds}
    finally:
        if schema is not None:
            _drop_schema(records_url, schema)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dossiers", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--records", help="a postgresql+psycopg:// URL (a fresh schema is made in it); default DuckDB")
    ap.add_argument("--kept", action="store_true", help="keep the year's counts by day before the pushes")
    ap.add_argument("--profile", metavar="FILE", help="write a cProfile of the last repeat's POST to FILE "
                    "(read it with python -m pstats FILE)")
    ap.add_argument("--keep-store", action="store_true", help="DuckDB: load into benchmarks/out/ingest-N/ once "
                    "and open it as it is on later runs")
    ap.add_argument("--one-province", action="store_true", help="the batch holds one province's dossiers (the "
                    "one read), as a province's own system pushes them; default: the week's first, of every province")
    a = ap.parse_args()
    result = run(a.dossiers, a.batch, a.repeat, a.records, a.kept, a.profile, a.keep_store, a.one_province)
    print(f"\nstored {result['dossiers']:,} dossiers ({result['store']}, loaded in {result['load_seconds']:.1f} s); "
          f"batch {result['batch']:,} changed dossiers ({result['body_bytes'] / 1e6:.1f} MB JSON lines), "
          f"{result['repeat']} repeats, {result['cpus']} CPUs, load average {os.getloadavg()[0]:.2f}"
          + (f"; counts kept by day ({result['keep_seconds']:.1f} s to keep)" if result["keep_seconds"] else "")
          + "\n")
    print("| step | p50 s | p99 s | max s |")
    print("|---|---:|---:|---:|")
    for name, key in (("POST (validate, derive, upsert, log, register, audit)", "post"),
                      ("score read right after (week, all units)", "read"),
                      ("ingest-to-visible (POST + read)", "visible"),
                      ("checkpoint, in the background once pushes go quiet", "checkpoint")):
        v = result[key]
        print(f"| {name} | {statistics.median(v):.3f} | {_pct(v, 0.99):.3f} | {max(v):.3f} |")


if __name__ == "__main__":
    main()
