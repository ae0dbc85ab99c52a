"""Crash tests: ``chiso load`` and ``chiso values submit`` killed with SIGKILL at random points.

Each command runs as a real subprocess on a copy of a prepared store — SQLite + DuckDB, and
PostgreSQL for both stores (a database made from a template) — and is killed with SIGKILL
at a point a seeded RNG picks over its writes, as timed by an uninterrupted run: from a
quarter of the way before they begin to just after they commit. The
store must then hold the old state or the new one entirely (row counts and a digest of the
content the command writes); running the command again must reach the new state; a third
run must change nothing.

To tell where a kill landed, the subprocess is started through ``LAUNCH``: it marks on
stderr the moments the command's writes begin and commit (wrapping, not changing, the
functions that write), then runs the ``chiso`` command itself. The re-runs use the
``chiso`` executable unchanged. Where the kills landed is printed (``pytest -s``).

Records and load register are two databases: the register is written before the records
commit and committed just after them, so a kill between the two commits may leave the
records new and the register old (never the reverse); the next load first registers the
interrupted one from the record store's load log, with its own counts, then itself.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from chiso.catalog.records import RECORD_KINDS
from chiso.collect.load import complete_register, load_and_record, load_paths
from chiso.demo.generate import generate_for, generate_indicator_submissions
from chiso.store.database import init_store, open_database
from chiso.store.records import open_records
from chiso.store.repositories import load_batches
from tests.factories import POSTGRES_URL, postgres_connect, postgres_unavailable

KILLS = 5  # per command and store: 10 kills of each command in all
SEED = 20261205
CHISO = Path(sys.executable).with_name("chiso")
CATALOGUE = Path(__file__).parents[2] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
OWNER = "24-TTPVHCC"  # the agency with the largest history: five weekly indicators × 99 communes

# Marks where the command is; the functions wrapped are called exactly as before.
LAUNCH = r"""
import sys
from contextlib import contextmanager


def mark(what):
    print("CRASH-TRACE " + what, file=sys.stderr, flush=True)


import chiso.collect.load as load
import chiso.collect.values as values
import chiso.store.records_base as records_base
import chiso.store.repo_values as repo_values

transaction = records_base.RecordStore.transaction


@contextmanager
def traced_transaction(self):
    outer = self._depth == 0
    if outer:
        mark("write-begin")
    with transaction(self) as store:
        yield store
    if outer:
        mark("records-committed")


records_base.RecordStore.transaction = traced_transaction
load_and_record = load.load_and_record


def traced_load_and_record(*args, **kwargs):
    report = load_and_record(*args, **kwargs)
    mark("registered")
    return report


load.load_and_record = traced_load_and_record
add_submission = repo_values.add_submission


def traced_add_submission(*args, **kwargs):
    mark("write-begin")
    return add_submission(*args, **kwargs)


repo_values.add_submission = traced_add_submission
submit_batch = values.submit_batch


def traced_submit_batch(*args, **kwargs):
    result = submit_batch(*args, **kwargs)
    mark("committed")
    return result


values.submit_batch = traced_submit_batch
from chiso.cli.app import app

app(prog_name="chiso")
"""


# ------------------------------------------------------------------------------ stores
class Stores:
    """A prepared store (the template) and fresh copies of it, one per trial."""

    name = ""

    def template_env(self) -> dict[str, str]:
        raise NotImplementedError

    def copy(self) -> dict[str, str]:
        """The environment of a new copy of the template."""
        raise NotImplementedError

    def drop(self, env: dict[str, str]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _base_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CHISO_DATABASE_URL", "CHISO_RECORDS_URL")}
    return {**env, "CHISO_DATA_DIR": str(data), "COLUMNS": "200"}


def database_url(env: dict[str, str]) -> str:
    return env.get("CHISO_DATABASE_URL") or f"sqlite:///{Path(env['CHISO_DATA_DIR']) / 'chiso.sqlite'}"


def records_url(env: dict[str, str]) -> str:
    return env.get("CHISO_RECORDS_URL") or f"duckdb:///{Path(env['CHISO_DATA_DIR']) / 'records.duckdb'}"


class SqliteStores(Stores):
    name = "sqlite+duckdb"

    def __init__(self, root: Path):
        self.root, self.n = root, 0

    def template_env(self) -> dict[str, str]:
        return _base_env(self.root / "template")

    def copy(self) -> dict[str, str]:
        self.n += 1
        target = self.root / f"copy-{self.n}"
        shutil.copytree(self.root / "template", target)
        return _base_env(target)

    def drop(self, env: dict[str, str]) -> None:
        shutil.rmtree(env["CHISO_DATA_DIR"], ignore_errors=True)


class PostgresStores(Stores):
    """Relational and record stores in two schemas of one database; copies are databases
    created from the template database (a file copy on the server)."""

    name = "postgresql"

    def __init__(self, root: Path):
        self.root, self.n = root, 0
        self.prefix = f"chiso_crash_{uuid.uuid4().hex[:10]}"
        self.template = f"{self.prefix}_t"
        self.made = [self.template]
        try:
            with postgres_connect() as conn:
                conn.execute(f'CREATE DATABASE "{self.template}"')
        except psycopg.OperationalError as exc:
            postgres_unavailable(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
        with psycopg.connect(**self._kwargs(self.template), autocommit=True) as conn:
            conn.execute("CREATE SCHEMA rel")
            conn.execute("CREATE SCHEMA rec")

    @staticmethod
    def _kwargs(database: str) -> dict:
        url = make_url(POSTGRES_URL)
        return {"host": url.host, "port": url.port or 5432, "user": url.username, "password": url.password,
                "dbname": database, "connect_timeout": 5}

    def _env(self, database: str) -> dict[str, str]:
        url = make_url(POSTGRES_URL).set(database=database)
        base = url.render_as_string(hide_password=False)
        env = _base_env(self.root / database)
        env["CHISO_DATABASE_URL"] = f"{base}?options=-csearch_path%3Drel"
        env["CHISO_RECORDS_URL"] = f"{base}?options=-csearch_path%3Drec"
        return env

    def template_env(self) -> dict[str, str]:
        return self._env(self.template)

    def copy(self) -> dict[str, str]:
        self.n += 1
        name = f"{self.prefix}_{self.n}"
        with postgres_connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.made.append(name)
        return self._env(name)

    def drop(self, env: dict[str, str]) -> None:
        name = make_url(env["CHISO_DATABASE_URL"]).database
        with postgres_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        with postgres_connect() as conn:
            for name in self.made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def stores(request, tmp_path) -> Iterator[Stores]:
    made = SqliteStores(tmp_path) if request.param == "sqlite" else PostgresStores(tmp_path)
    try:
        yield made
    finally:
        made.close()


# ------------------------------------------------------------------------------ running
@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    marks: dict[str, float] = field(default_factory=dict)  # mark → seconds after the start
    killed_at: float | None = None


def run(env: dict[str, str], *args: str, kill_after: float | None = None, anchor: str | None = None,
        traced: bool = False, timeout: float = 600) -> Run:
    """``chiso ARGS`` in a subprocess; with ``kill_after``, SIGKILL that many seconds after the
    start — or, with ``anchor``, after the run marks ``anchor`` (if it ever does)."""
    if traced:
        command = [sys.executable, "-c", LAUNCH, *args]
    else:
        command = [str(CHISO), *args] if CHISO.exists() else [sys.executable, "-m", "chiso.cli.app", *args]
    out: list[str] = []
    err: list[str] = []
    marks: dict[str, float] = {}
    anchored = threading.Event()
    start = time.monotonic()
    with subprocess.Popen(command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:

        def read_err() -> None:
            for line in proc.stderr:
                err.append(line)
                if line.startswith("CRASH-TRACE "):
                    marks.setdefault(line.split()[1], time.monotonic() - start)
                    if line.split()[1] == anchor:
                        anchored.set()
            anchored.set()  # the run ended

        def read_out() -> None:
            out.append(proc.stdout.read())

        readers = [threading.Thread(target=read_err, daemon=True), threading.Thread(target=read_out, daemon=True)]
        for r in readers:
            r.start()
        killed_at = None
        if kill_after is not None:
            if anchor is not None:
                anchored.wait(timeout)
            try:
                proc.wait(kill_after)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                killed_at = time.monotonic() - start
        code = proc.wait(timeout)
        for r in readers:
            r.join(10)
    return Run(code, "".join(out), "".join(err), marks, killed_at)


def ok(result: Run) -> Run:
    assert result.code == 0, f"exit {result.code}\n{result.stdout}\n{result.stderr}"
    return result


# ------------------------------------------------------------------------------ digests
def _digest(frame: pl.DataFrame, drop: tuple[str, ...] = ()) -> tuple[int, str]:
    """(rows, SHA-256 of the rows in a fixed order) of a frame, without the ``drop`` columns."""
    frame = frame.drop([c for c in drop if c in frame.columns])
    frame = frame.select(sorted(frame.columns))
    frame = frame.sort(frame.columns, nulls_last=True)
    return frame.height, hashlib.sha256(frame.write_csv().encode()).hexdigest()


def records_state(env: dict[str, str]) -> dict[str, tuple[int, str]]:
    """Every record table, its history and the change log (batch names and times aside: a
    batch is named after the moment it loads)."""
    out = {}
    with open_records(records_url(env), read_only=True) as store:
        for kind in RECORD_KINDS:
            for table, drop in ((kind, ("_batch",)),
                                (f"{kind}_history", ("_batch", "_replaced_at", "_replaced_by_batch"))):
                out[table] = _digest(pl.from_arrow(store.query_arrow(f'SELECT * FROM "{table}"')), drop)
        out["_record_changes"] = _digest(pl.from_arrow(store.query_arrow("SELECT * FROM _record_changes")))
    return out


def relational(env: dict[str, str], query: str) -> list[tuple]:
    engine = create_engine(database_url(env))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(query))]
    finally:
        engine.dispose()


def register(env: dict[str, str]) -> list[tuple]:
    """The load register: each file's kind, name and counts, in order."""
    return relational(env, "SELECT record_kind, file_name, rows, inserted, updated, unchanged, status "
                           "FROM load_batches ORDER BY id")


def values_state(env: dict[str, str]) -> dict[str, tuple[int, str]]:
    """Values, their history, period states and accepted batches (ids and times aside)."""
    queries = {
        "indicator_values": "SELECT indicator, unit_code, period, breakdown, value, note, source, state, late, "
                            "recorded_by FROM indicator_values",
        "indicator_value_history": "SELECT indicator, unit_code, period, breakdown, value, note, state, "
                                   "replaced_by, reason FROM indicator_value_history",
        "value_periods": "SELECT indicator, period, owner, state, changed_by FROM value_periods",
        "value_submissions": "SELECT file_name, status, rows, inserted, corrected, unchanged, late "
                             "FROM value_submissions",
    }
    out = {}
    for name, query in queries.items():
        rows = relational(env, query)
        out[name] = (len(rows), hashlib.sha256(repr(sorted(rows, key=repr)).encode()).hexdigest())
    return out


# ------------------------------------------------------------------------------ the trials
@dataclass(frozen=True)
class Kill:
    """When to kill: ``after`` seconds after the start, or after the mark ``anchor``."""

    after: float
    anchor: str | None

    def __str__(self) -> str:
        return f"{self.after:.2f} s after {self.anchor or 'the start'}"


def kills(calibration: Run, begin: str, end: str, key: str) -> list[Kill]:
    """KILLS kill times from the RNG seeded with SEED and ``key``: a fraction f of the
    calibrated write, from a quarter before it begins to just after it commits. f < 0
    kills before the write (counted from the start: the fraction of the way to where the
    write began); 0 <= f <= 1 kills f × the write's length after the run marks that its
    write began; f > 1 kills up to 50 ms after it marks the commit (before it exits)."""
    t_begin, t_end = calibration.marks[begin], calibration.marks[end]
    rng = random.Random(f"{SEED} {key}")
    out = []
    for _ in range(KILLS):
        f = rng.uniform(-0.25, 1.25)
        if f < 0:
            out.append(Kill(round((1 + f) * t_begin, 3), None))
        elif f <= 1:
            out.append(Kill(round(f * (t_end - t_begin), 3), begin))
        else:
            out.append(Kill(round((f - 1) * 0.2, 3), end))
    return out


PLACES = {None: "before the writes", "write-begin": "inside the writes",
          "records-committed": "between the records' commit and the register's",
          "registered": "after the writes", "committed": "after the writes"}


def landing(result: Run, order: tuple[str, ...]) -> str:
    """Where a kill landed: before the first mark, or after the last mark the run reached."""
    if result.killed_at is None:
        return "after the end (not killed)"
    reached = [m for m in order if m in result.marks]
    return PLACES[reached[-1] if reached else None]


def report(command: str, stores: Stores, calibration: Run, landings: list[tuple[Kill, str]]) -> None:
    tally = Counter(where for _, where in landings)
    marks = ", ".join(f"{m} {t:.2f} s" for m, t in calibration.marks.items())
    print(f"\n{command} on {stores.name} (uninterrupted: {marks}): kills "
          f"{'; '.join(f'{k} → {where}' for k, where in landings)}; in all {dict(tally)}")


# ------------------------------------------------------------------------------ chiso load
PROCEDURES = "unit_code,procedure_code,name,statutory_days\n24-SYT,P1,Cấp giấy phép,3\n"
DOSSIERS = ("id,unit_code,procedure_code,received_date,channel,finished_date\n"
            "D1,24-SYT,P1,2026-08-14,online,2026-08-18\nD2,24-SYT,P1,2026-08-14,direct,\n")


def test_a_register_that_cannot_be_written_undoes_the_load(tmp_path, store, units, write):
    """The register is written before the records commit: when it fails (here a relational
    store never prepared, without its tables), no record is written either."""
    files = [write("procedures.csv", PROCEDURES), write("dossiers.csv", DOSSIERS)]
    unprepared = open_database(f"sqlite:///{tmp_path / 'unprepared.sqlite'}")
    try:
        with pytest.raises(OperationalError, match="load_batches"):
            load_and_record(files, store, units, unprepared, loaded_by="test")
    finally:
        unprepared.dispose()
    assert (store.count("procedures"), store.count("dossiers"), store.stamp()) == (0, 0, 0)

    prepared = init_store(f"sqlite:///{tmp_path / 'prepared.sqlite'}")
    try:
        report = load_and_record(files, store, units, prepared, loaded_by="test")
        with prepared.session() as s:
            registered = [(b.record_kind, b.file_name, b.inserted) for b in reversed(load_batches(s))]
    finally:
        prepared.dispose()
    assert (store.count("procedures"), store.count("dossiers")) == (1, 2)
    assert registered == [(f.kind, f.path, f.inserted) for f in report.files] == [
        ("procedures", str(files[0]), 1), ("dossiers", str(files[1]), 2)]


def test_a_load_killed_between_its_commits_is_registered_by_the_next(tmp_path, store, units, write):
    """Records committed, register not (what a kill between the two commits leaves: here
    the records are loaded without a register). The next load registers that load from the
    record store's log — its batch, counts and author — before registering itself."""
    files = [write("procedures.csv", PROCEDURES), write("dossiers.csv", DOSSIERS)]
    interrupted = load_paths(files, store, units, loaded_by="canbo")
    db = init_store(f"sqlite:///{tmp_path / 'register.sqlite'}")
    try:
        again = load_and_record(files, store, units, db, loaded_by="test")
        assert complete_register(store, db) == [], "registered once"
        with db.session() as s:
            rows = [(b.batch, b.file_name, b.inserted, b.unchanged, b.loaded_by) for b in reversed(load_batches(s))]
    finally:
        db.dispose()
    assert rows == [(interrupted.batch, str(files[0]), 1, 0, "canbo"), (interrupted.batch, str(files[1]), 2, 0, "canbo"),
                    (again.batch, str(files[0]), 0, 1, "test"), (again.batch, str(files[1]), 0, 2, "test")]


@pytest.fixture(scope="module")
def record_files(tmp_path_factory) -> tuple[list[str], list[str]]:
    """Old and new record files: 40,000 dossiers, then 44,000 with other values (seed)."""
    root = tmp_path_factory.mktemp("records")
    order = ("procedures", "publications", "dossiers", "petitions")
    out = []
    for name, dossiers, seed in (("old", 40_000, 1), ("new", 44_000, 2)):
        files = generate_for(root / name, dossiers=dossiers, seed=seed, year=2026)
        out.append([str(p) for kind in order for p in files[kind]])
    return out[0], out[1]


LOAD_MARKS = ("write-begin", "records-committed", "registered")


@pytest.mark.slow
def test_chiso_load_killed_at_random_points(stores, record_files):
    old_files, new_files = record_files
    template = stores.template_env()
    ok(run(template, "init"))
    ok(run(template, "load", *old_files))

    def state(env):
        return records_state(env), register(env)

    env = stores.copy()
    old = state(env)
    calibration = ok(run(env, "load", *new_files, traced=True))
    new = state(env)
    stores.drop(env)
    assert old[0] != new[0] and len(new[1]) == len(old[1]) + len(new_files)
    changed = sum(r[3] + r[4] for r in new[1][len(old[1]):])
    assert changed > 40_000, "the new files change most records: the write is long enough to land in"

    landings = []
    for kill in kills(calibration, "write-begin", "records-committed", f"load {stores.name}"):
        env = stores.copy()
        killed = run(env, "load", *new_files, kill_after=kill.after, anchor=kill.anchor, traced=True)
        where = landing(killed, LOAD_MARKS)
        landings.append((kill, where))
        records, batches = state(env)
        # each store holds its old or its new state entirely; the register is never ahead
        assert records in (old[0], new[0]), where
        assert batches in (old[1], new[1]), where
        if records == old[0]:
            assert batches == old[1] and "records-committed" not in killed.marks, where
        if "write-begin" not in killed.marks:
            assert records == old[0], where
        if "registered" in killed.marks:
            assert (records, batches) == new, where
        # the command run again reaches the new state; once more, it changes nothing
        again = ok(run(env, "load", *new_files))
        assert records_state(env) == new[0], where
        after = register(env)
        assert after[:len(batches)] == batches
        if records == new[0] and batches == old[1]:  # killed between the two commits
            recovered = after[len(batches):len(batches) + len(new_files)]
            assert recovered == new[1][len(old[1]):], "the interrupted load registered with its own counts"
            after = after[:len(batches)] + after[len(batches) + len(new_files):]
        assert len(after) == len(batches) + len(new_files)
        if records == old[0]:
            assert after == new[1], "the files the kill interrupted are registered as one uninterrupted load"
        third = ok(run(env, "load", *new_files))
        assert records_state(env) == new[0]
        last = register(env)[-len(new_files):]
        assert [(r[3], r[4], r[5]) for r in last] == [(0, 0, r[2]) for r in last], "nothing inserted or updated"
        assert "inserted" in again.stdout and "inserted" in third.stdout
        stores.drop(env)
    report("chiso load", stores, calibration, landings)


# ------------------------------------------------------------------------------ chiso values submit
@pytest.fixture(scope="module")
def value_files(tmp_path_factory) -> tuple[Path, Path]:
    """The first half of 2024 of one agency's weekly history, then its second half with the
    values of the second quarter corrected (every period whole, every unit present)."""
    root = tmp_path_factory.mktemp("values")
    [history] = [p for p in generate_indicator_submissions(root, year=2025, seed=1, today=dt.date(2026, 1, 20))
                 if p.stem == OWNER]
    with history.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    first = [r for r in rows if "2024-W01" <= r["period"] <= "2024-W26"]
    second = [dict(r) for r in rows if "2024-W14" <= r["period"] <= "2024-W52"]
    for r in second:
        if r["period"] <= "2024-W26" and r["value"]:
            r["value"] = str(float(r["value"]) + 1)
    paths = []
    for name, part in (("old.csv", first), ("new.csv", second)):
        path = root / name
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(part)
        paths.append(path)
    return paths[0], paths[1]


SUBMIT_MARKS = ("write-begin", "committed")


@pytest.mark.slow
def test_chiso_values_submit_killed_at_random_points(stores, value_files):
    old_file, new_file = value_files
    submit: Callable[[Path], tuple[str, ...]] = lambda path: (
        "values", "submit", str(path), "--as", OWNER, "--by", "crash-test", "--outlier-k", "1000",
        "--reason", "đối soát lại số liệu quý II", "--format", "json")
    template = stores.template_env()
    ok(run(template, "init"))
    ok(run(template, "catalog", "import", str(CATALOGUE), "--by", "crash-test"))
    assert '"status": "accepted"' in ok(run(template, *submit(old_file))).stdout

    env = stores.copy()
    old = values_state(env)
    calibration = ok(run(env, *submit(new_file), traced=True))
    assert '"status": "accepted"' in calibration.stdout and '"corrected": ' in calibration.stdout
    new = values_state(env)
    stores.drop(env)
    assert old != new and new["indicator_value_history"][0] > 5_000

    landings = []
    for kill in kills(calibration, "write-begin", "committed", f"submit {stores.name}"):
        env = stores.copy()
        killed = run(env, *submit(new_file), kill_after=kill.after, anchor=kill.anchor, traced=True)
        where = landing(killed, SUBMIT_MARKS)
        landings.append((kill, where))
        state = values_state(env)
        assert state in (old, new), where
        if "committed" in killed.marks:
            assert state == new, where
        if "write-begin" not in killed.marks:
            assert state == old, where
        again = ok(run(env, *submit(new_file)))
        assert values_state(env) == new, where
        assert ('"status": "accepted"' in again.stdout) == (state == old)
        third = ok(run(env, *submit(new_file)))
        assert '"status": "unchanged"' in third.stdout
        assert values_state(env) == new
        stores.drop(env)
    report("chiso values submit", stores, calibration, landings)
