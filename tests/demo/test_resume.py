"""``chiso init --demo`` interrupted for real (``kill -9``) at every step, then finished.

The demo is small (a few thousand dossiers; the year ending 2026-01-18, so the DM history
is just over a year). Each interrupted build is a ``chiso init --demo`` subprocess killed
with SIGKILL once its output says a step has started (and, for the long steps, once it is
well inside them); the next run must skip what was recorded done, finish the rest, and
leave exactly what one uninterrupted build with the same options leaves.
"""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from chiso.demo.setup import STEPS
from chiso.store.database import open_database
from chiso.store.records import open_records
from chiso.store.repo_setup import setup_state

SIZES = ("--dossiers", "2000", "--others", "60", "--seed", "7", "--today", "2026-01-20")
CHISO = Path(sys.executable).with_name("chiso")
RELATIONAL = ("score_runs", "unit_results", "criterion_results", "catalogue_imports", "indicator_versions",
              "lifecycle_transitions", "indicator_values", "indicator_value_history", "value_periods",
              "tasks", "task_events", "warnings", "warning_events")
RECORDS = ("dossiers", "petitions", "procedures", "publications", "dossiers_history", "_kept_counts")


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CHISO_DATABASE_URL", "CHISO_RECORDS_URL")}
    return {**env, "CHISO_DATA_DIR": str(data), "COLUMNS": "200"}


@dataclass
class Run:
    code: int
    output: str
    killed: bool


def init(data: Path, *args: str, kill_at: str | None = None,
         when: Callable[[], bool] = lambda: True, timeout: float = 600) -> Run:
    """``chiso init --demo SIZES ARGS``; with ``kill_at``, SIGKILL once that step has started
    and ``when()`` holds (polled every 50 ms)."""
    command = [str(CHISO)] if CHISO.exists() else [sys.executable, "-m", "chiso.cli.app"]
    lines: list[str] = []
    started = threading.Event()
    pattern = re.compile(rf"demo step \d/\d {kill_at}: started") if kill_at else None
    with subprocess.Popen([*command, "init", "--demo", *SIZES, *args], env=_env(data), text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:

        def read() -> None:
            for line in proc.stdout:
                lines.append(line)
                if pattern is not None and pattern.search(line):
                    started.set()
            started.set()  # the output ended: stop waiting

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        killed = False
        if pattern is not None:
            assert started.wait(timeout), f"step {kill_at} never started:\n{''.join(lines)}"
            deadline = time.monotonic() + timeout
            while proc.poll() is None and not when():
                assert time.monotonic() < deadline, "the kill condition never held"
                time.sleep(0.05)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
        code = proc.wait(timeout)
        reader.join(10)
    return Run(code, "".join(lines), killed)


def recorded(data: Path) -> list[str]:
    """The steps recorded done, in build order."""
    db = open_database(f"sqlite:///{data / 'chiso.sqlite'}")
    try:
        with db.session() as s:
            state = setup_state(s)
    finally:
        db.dispose()
    return [] if state is None else [n for n in STEPS if n in state.steps]


def sql(data: Path, query: str) -> int:
    con = sqlite3.connect(f"file:{data / 'chiso.sqlite'}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(query).fetchone()[0]
    finally:
        con.close()


def counts(data: Path) -> dict[str, int]:
    """Row counts of everything the demo writes (audit and load register aside: a resumed
    build rightly logs its attempts)."""
    out = {t: sql(data, f"SELECT count(*) FROM {t}") for t in RELATIONAL}
    for status in ("accepted", "refused"):
        out[f"value_submissions {status}"] = sql(
            data, f"SELECT count(*) FROM value_submissions WHERE status = '{status}'")
    with open_records(f"duckdb:///{data / 'records.duckdb'}", read_only=True) as store:
        for t in RECORDS:
            out[t] = store.query_arrow(f"SELECT count(*) AS n FROM {t}").to_pylist()[0]["n"]
    return out


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict[str, int]:
    data = tmp_path_factory.mktemp("whole")
    run = init(data)
    assert run.code == 0, run.output
    assert recorded(data) == list(STEPS)
    return counts(data)


def accepted_batches(data: Path) -> int:
    try:
        return sql(data, "SELECT count(*) FROM value_submissions WHERE status = 'accepted'")
    except sqlite3.OperationalError:  # a writer holds the lock a moment
        return 0


@pytest.mark.slow
def test_a_demo_killed_at_every_step_is_finished_by_the_next_run(tmp_path, uninterrupted):
    data = tmp_path / "data"
    t0 = time.monotonic()
    # (step to kill in, when inside it) — the long steps are killed well inside their work
    kills: list[tuple[str, Callable[[], bool]]] = [
        ("generate", lambda: time.sleep(0.3) or True),
        ("load", lambda: time.sleep(1.0) or True),
        ("keep", lambda: True),
        ("score", lambda: time.sleep(2.0) or True),
        ("catalogue", lambda: True),
        ("values", lambda: accepted_batches(data) >= 30),
        ("tasks", lambda: time.sleep(1.0) or True),
        ("composite", lambda: True),
        ("warnings", lambda: time.sleep(2.0) or True),
    ]
    before: list[str] = []
    landed = {}
    for step, when in kills:
        run = init(data, kill_at=step, when=when)
        assert run.killed, f"the build ended before it could be killed in {step}:\n{run.output}"
        for done in before:  # what was recorded is not done again
            assert re.search(rf"{done}: skipped", run.output), run.output
        after = recorded(data)
        index = STEPS.index(step)
        # the steps before the killed one are recorded, nothing after it, in order
        assert after == list(STEPS[:len(after)]) and index <= len(after) <= index + 1, (step, after)
        landed[step] = "inside" if len(after) == index else "after its record"
        if step == "values":  # killed between two batches of values: some accepted, not all
            assert landed[step] == "inside"
            assert 30 <= accepted_batches(data) < uninterrupted["value_submissions accepted"]
        before = after

    final = init(data)
    assert final.code == 0, final.output
    for done in before:
        assert re.search(rf"{done}: skipped", final.output), final.output
    assert "demo complete" in final.output and "store ready" in final.output
    assert recorded(data) == list(STEPS)
    assert counts(data) == uninterrupted
    print(f"killed in: {landed}; {time.monotonic() - t0:.0f} s")

    again = init(data)
    assert again.code == 0 and "demo already loaded" in again.output
    assert all(f"{s}: skipped" in again.output for s in STEPS)

    # --force rebuilds every step, replacing the runs rather than adding to them
    forced = init(data, "--force")
    assert forced.code == 0, forced.output
    assert all(f"{s}: done" in forced.output for s in STEPS)
    assert counts(data) == uninterrupted


@pytest.mark.slow
def test_what_cannot_be_finished_fails_and_names_the_steps(tmp_path):
    # an unfinished demo and other options: refused, naming the options it was begun with
    data = tmp_path / "other-options"
    run = init(data, kill_at="load")
    assert run.killed and recorded(data) == ["generate"]
    other = init(data, "--seed", "8")
    assert other.code == 2
    said = " ".join(other.output.split())
    assert "not done: load, keep, score, catalogue, values, tasks, composite, warnings" in said
    assert "--seed 7" in said and "store ready" not in said
    plain = subprocess.run([str(CHISO), "init"], env=_env(data), text=True, capture_output=True, timeout=300)
    assert plain.returncode == 0
    assert "not finished (not done: load, keep, score, catalogue, values, tasks, composite, warnings)" in " ".join(plain.stderr.split())

    # a step that fails: generating into a file that is in the way
    data = tmp_path / "in-the-way"
    data.mkdir()
    (data / "demo").write_text("not a folder")
    failed = init(data)
    assert failed.code == 2
    said = " ".join(failed.output.split())
    assert "demo step generate failed" in said
    assert "not done: generate, load, keep, score, catalogue, values, tasks, composite, warnings" in said
    assert "store ready" not in said and recorded(data) == []

    # records loaded before builds were recorded (or by hand), nothing else: not "loaded"
    data = tmp_path / "unrecorded"
    made = subprocess.run([str(CHISO), "generate", "--out", str(tmp_path / "files"), "--dossiers", "500"],
                          env=_env(data), text=True, capture_output=True, timeout=300)
    assert made.returncode == 0, made.stderr
    files = sorted(str(p) for p in (tmp_path / "files").rglob("*.parquet"))
    assert subprocess.run([str(CHISO), "init"], env=_env(data), capture_output=True, timeout=300).returncode == 0
    loaded = subprocess.run([str(CHISO), "load", *files], env=_env(data), text=True, capture_output=True,
                            timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    legacy = init(data)
    assert legacy.code == 2
    said = " ".join(legacy.output.split())
    for step in ("keep", "score", "catalogue", "values", "warnings"):
        assert f"{step} (no " in said
    assert "load (no" not in said and "--force" in said and "store ready" not in said
