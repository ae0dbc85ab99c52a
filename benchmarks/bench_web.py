"""Web benchmark: the commune ranking and the overview under 100 concurrent clients.

Not a timed test: it prints, and writes to ``benchmarks/out/web/``, latency percentiles
and requests per second measured by a loopback load generator (``wrk`` from Debian, with a
Lua script that sends the session cookie and prints the percentiles as JSON).

1. **Prepare** (once, cached under ``benchmarks/out/web/data``): a national generated
   year — all 34 provinces, 3,321 communes, Bắc Ninh at full volume — loaded and scored
   week by week the way ``chiso init --demo`` does, the Bắc Ninh DM demo (catalogue,
   two years of values, warnings) and the demo accounts.
2. **Serve**: ``chiso serve --workers N`` in its own process on 127.0.0.1.
3. **Sign in** as the leader (``lanhdao``) through ``POST /login``: the session cookie.
4. **Warm up** every target (scores and weekly series are computed once per window per
   worker), then **drive** each target with ``wrk -c 100`` for ``--seconds``.

Targets (every one a 200, checked during warm-up, non-2xx counted during the run):

- ``overview`` — ``/``, the province overview (the DM panel is a separate HTMX fragment);
- ``overview-dm`` — ``/overview/dm``, that fragment;
- ``rank-page-bn`` — ``/rankings?level=commune``, Bắc Ninh's 99 communes (a page of 50);
- ``rank-page-nation`` — ``/rankings?level=commune&province=all``, all 3,321 communes
  nationally (a page of 50);
- ``rank-json`` — ``/api/v1/rank?level=commune``, all 3,321 communes as JSON;
- ``rank-json-304`` — the same with ``If-None-Match`` (the ETag of the answer): 304.

Usage::

    .venv/bin/python benchmarks/bench_web.py                       # 1 and 2 workers, 30 s each
    .venv/bin/python benchmarks/bench_web.py --workers 1 --seconds 10 --targets overview rank-json
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "web"
DATA = OUT / "data"
BIN = ROOT / ".venv" / "bin"

TARGETS: dict[str, dict] = {
    "overview": {"path": "/"},
    "overview-dm": {"path": "/overview/dm"},
    "rank-page-bn": {"path": "/rankings?level=commune"},
    "rank-page-nation": {"path": "/rankings?level=commune&province=all"},
    "rank-json": {"path": "/api/v1/rank?level=commune"},
    "rank-json-304": {"path": "/api/v1/rank?level=commune", "etag": True},
}

# wrk prints its own report; ``done`` adds one JSON line we parse (latency in microseconds).
LUA = """
wrk.headers["Cookie"] = %(cookie)s
%(extra)s
done = function(summary, latency, requests)
  local s = summary.errors
  io.write(string.format(
    'CHISO_JSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "non2xx": %%d, "connect": %%d, '
    .. '"read": %%d, "write": %%d, "timeout": %%d, "p50": %%d, "p90": %%d, "p99": %%d, "max": %%d, "mean": %%f}\\n',
    summary.requests, summary.duration, summary.bytes, s.status, s.connect, s.read, s.write, s.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def prepare(dossiers: int, others: int, seed: int) -> dict:
    """The national demo store under ``DATA`` (built once; later runs reuse it)."""
    os.environ["CHISO_DATA_DIR"] = str(DATA)
    from chiso.demo.setup import init_store_and_demo
    from chiso.store.database import open_database
    from chiso.web.security.demo import ensure_demo_accounts

    t0 = time.perf_counter()
    summary = init_store_and_demo(demo=True, dossiers=dossiers, others=others, seed=seed, actor="bench")
    db = open_database()
    try:
        ensure_demo_accounts(db, "24")
    finally:
        db.dispose()
    print(f"store ready in {time.perf_counter() - t0:.1f} s: {DATA}", flush=True)
    return summary


def _get(url: str, headers: dict[str, str], timeout: float = 600) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: D102 - keep the 303 and its Set-Cookie
        return None


def sign_in(base: str, username: str, password: str) -> str:
    """The ``name=value`` session cookie of a fresh sign-in."""
    from chiso.web.security.sessions import COOKIE_NAME

    body = urllib.parse.urlencode({"username": username, "password": password, "next": "/"}).encode()
    req = urllib.request.Request(base + "/login", data=body, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": base})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(req, timeout=60)
        raise SystemExit("sign-in did not redirect: wrong demo password?")
    except urllib.error.HTTPError as e:
        if e.code != 303:
            raise SystemExit(f"sign-in failed: HTTP {e.code}: {e.read()[:300]!r}") from None
        for header in e.headers.get_all("Set-Cookie") or []:
            pair = header.split(";", 1)[0]
            if pair.startswith(COOKIE_NAME + "="):
                return pair
    raise SystemExit("sign-in answered without a session cookie")


def start_server(port: int, workers: int, source: Path | None = None) -> subprocess.Popen:
    """``chiso serve`` in its own process group; ``source``: serve the ``chiso`` package of
    another tree (e.g. ``git archive HEAD chiso | tar -x -C /tmp/before``) to measure before/after."""
    env = {**os.environ, "CHISO_DATA_DIR": str(DATA)}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    log = open(OUT / f"serve-{workers}w.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([str(BIN / "python"), "-m", "chiso.cli.app", "serve", "--port", str(port),
                             "--workers", str(workers)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            cwd=str(source or ROOT))
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"chiso serve exited ({proc.returncode}); see {log.name}")
        try:
            if _get(base + "/login", {}, timeout=5)[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(proc)
    raise SystemExit("chiso serve did not answer within 5 minutes")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def warm_up(base: str, cookie: str, names: list[str], rounds: int) -> dict[str, dict]:
    """Ask every target ``rounds`` times (every worker must compute its caches); check 200s."""
    info: dict[str, dict] = {}
    for name in names:
        t = TARGETS[name]
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            status, headers, body = _get(base + t["path"], {"Cookie": cookie})
            times.append(time.perf_counter() - t0)
            if status != 200:
                raise SystemExit(f"{name}: {t['path']} answered HTTP {status}: {body[:300]!r}")
        info[name] = {"first_s": round(times[0], 3), "last_s": round(times[-1], 4), "bytes": len(body),
                      "etag": headers.get("etag") or headers.get("ETag")}
        if t.get("etag"):
            status, _, _ = _get(base + t["path"], {"Cookie": cookie, "If-None-Match": info[name]["etag"] or ""})
            if status != 304:
                raise SystemExit(f"{name}: If-None-Match answered HTTP {status}, not 304")
        print(f"  warm {name:<17} first {times[0]:7.3f} s, last {times[-1] * 1000:7.1f} ms, "
              f"{len(body):,} bytes", flush=True)
    return info


def drive(base: str, cookie: str, name: str, etag: str | None, *, connections: int, seconds: int,
          threads: int) -> dict:
    """One ``wrk`` run against one target; its JSON summary plus the load average."""
    t = TARGETS[name]
    extra = f'wrk.headers["If-None-Match"] = {json.dumps(etag)}' if t.get("etag") else ""
    script = OUT / f"wrk-{name}.lua"
    script.write_text(LUA % {"cookie": json.dumps(cookie), "extra": extra})
    before = Path("/proc/loadavg").read_text().split()[:3]
    run = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
                          "--timeout", "10s", "-s", str(script), base + t["path"]],
                         capture_output=True, text=True, check=True)
    after = Path("/proc/loadavg").read_text().split()[:3]
    line = next(x for x in run.stdout.splitlines() if x.startswith("CHISO_JSON "))
    r = json.loads(line.removeprefix("CHISO_JSON "))
    rps = r["requests"] / (r["duration_us"] / 1e6)
    out = {"target": name, "path": t["path"], "requests": r["requests"], "rps": round(rps, 1),
           "p50_ms": r["p50"] / 1000, "p90_ms": r["p90"] / 1000, "p99_ms": r["p99"] / 1000,
           "max_ms": r["max"] / 1000, "non2xx": r["non2xx"],
           "errors": {k: r[k] for k in ("connect", "read", "write", "timeout") if r[k]},
           "kib_per_response": round(r["bytes"] / max(1, r["requests"]) / 1024, 1),
           "load_before": " ".join(before), "load_after": " ".join(after)}
    print(f"  {name:<17} {out['rps']:8.1f} req/s  p50 {out['p50_ms']:8.1f}  p90 {out['p90_ms']:8.1f}  "
          f"p99 {out['p99_ms']:8.1f} ms  non-2xx {r['non2xx']}  load {out['load_before']} → {out['load_after']}",
          flush=True)
    return out


def markdown(results: list[dict], meta: dict) -> str:
    lines = [f"{meta['when']} · {meta['connections']} connections · {meta['seconds']} s per target · "
             f"wrk {meta['wrk_threads']} thread(s)", "",
             "| workers | target | req/s | p50 ms | p90 ms | p99 ms | non-2xx | timeouts (10 s) | KiB/answer "
             "| load 1/5/15 (before → after) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| {r['workers']} | {r['target']} | {r['rps']:,.0f} | {r['p50_ms']:.1f} | {r['p90_ms']:.1f} | "
                     f"{r['p99_ms']:.1f} | {r['non2xx']} | {r['errors'].get('timeout', 0)} | {r['kib_per_response']} | "
                     f"{r['load_before']} → {r['load_after']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dossiers", type=int, default=400_000, help="Bắc Ninh's dossiers (prepare)")
    ap.add_argument("--others", type=int, default=50_000, help="each other province's dossiers (prepare)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--targets", nargs="+", default=list(TARGETS), choices=list(TARGETS))
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--wrk-threads", type=int, default=1)
    ap.add_argument("--port", type=int, default=8791)
    ap.add_argument("--user", default="lanhdao")
    ap.add_argument("--password", default="LanhDao@2026demo")
    ap.add_argument("--label", default="", help="a tag for the results file (e.g. before/after)")
    ap.add_argument("--source", type=Path, default=None,
                    help="serve the chiso package found in this folder instead (a before/after comparison)")
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    prepare(args.dossiers, args.others, args.seed)
    meta = {"when": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "connections": args.connections,
            "seconds": args.seconds, "wrk_threads": args.wrk_threads, "label": args.label,
            "source": str(args.source or ROOT)}
    results: list[dict] = []
    for workers in args.workers:
        print(f"chiso serve --workers {workers}", flush=True)
        proc = start_server(args.port, workers, args.source)
        try:
            base = f"http://127.0.0.1:{args.port}"
            cookie = sign_in(base, args.user, args.password)
            info = warm_up(base, cookie, args.targets, rounds=3 * workers + 2)
            for name in args.targets:
                r = drive(base, cookie, name, info[name]["etag"], connections=args.connections,
                          seconds=args.seconds, threads=args.wrk_threads)
                results.append({"workers": workers, **r, "warm_first_s": info[name]["first_s"]})
        finally:
            stop_server(proc)
    table = markdown(results, meta)
    print(table)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT / f"results-{stamp}{'-' + args.label if args.label else ''}.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=1, ensure_ascii=False))
    (OUT / f"results-{stamp}{'-' + args.label if args.label else ''}.md").write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
