"""``chiso init [--demo]``: prepare the stores, and build the Bắc Ninh demo through the
same path real data takes (generate files → collect → store → evaluate → store).

The demo is Bắc Ninh in full (its departments and 99 communes, a realistic volume) and
the other 33 provinces at a lighter volume, so that national ranks mean something. The
year ends on the last Sunday before ``today``: a weekly series of 52 ISO weeks.

The demo is built in nine steps (``STEPS``): generate the record files, load them, keep
the weeks' counts, score the weeks, import the sample catalogue, submit its values, import
the task register's export and enter its tasks' lives (``chiso.demo.tasks``), compute the
composite indicators month by month (``chiso.demo.composite``), run the warning rules. Each finished step is recorded in the relational store
(``chiso.store.repo_setup``) with what it was made from and what it made, in the same
transaction as its last write there when it has one. A re-run skips the steps recorded done
whose output is still there, runs the first one missing, and runs again every later step
whose input that changed; a step killed half-way is simply run again — each is one
transaction, or (the values) a sequence of transactions it resumes. A store that cannot
be completed is an error naming the steps not done: never "ready" on half a demo.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console

from chiso import settings
from chiso.catalog.index_definition import load_index_definition
from chiso.catalog.records import RECORD_KINDS
from chiso.collect.load import complete_register, load_paths, register_load
from chiso.demo.composite import build_demo_composites, demo_composite_values
from chiso.demo.dm import DEMO_ACTOR, import_demo_catalogue, refresh_demo_warnings, submit_demo_history
from chiso.demo.generate import generate_for
from chiso.demo.indicators import CATALOGUE_PATH
from chiso.demo.tasks import TASKS_FILE, build_demo_tasks, demo_task_count
from chiso.engine.counts import CountsPlan
from chiso.errors import ChisoError, StoreError
from chiso.evaluate import kept
from chiso.evaluate.service import score_series
from chiso.store import repo_setup
from chiso.store import repositories as repo
from chiso.store.database import init_store
from chiso.store.records import open_records
from chiso.store.repo_catalogue import current_catalogue, live_indicators
from chiso.units import load_units

DEMO_PROVINCE = "24"
DEMO_DOSSIERS = 400_000  # Bắc Ninh's dossiers in the year
OTHER_PROVINCES_DOSSIERS = 25_000  # per province, a lighter volume for the national ranking
DEMO_SEED = 7
SAVED_CRITERIA_WEEKS = 2  # criterion rows are kept for the latest weeks; unit rows for all

#: The steps of the demo in the order they run, and the steps whose output each is made from.
STEPS = ("generate", "load", "keep", "score", "catalogue", "values", "tasks", "composite", "warnings")
NEEDS: dict[str, tuple[str, ...]] = {
    "generate": (), "load": ("generate",), "keep": ("load",), "score": ("load", "keep"),
    "catalogue": (), "values": ("catalogue",), "tasks": ("catalogue",), "composite": ("catalogue", "values", "tasks"),
    "warnings": ("catalogue", "values", "tasks", "composite"),
}


def demo_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """52 full ISO weeks ending on the last Sunday before ``today``."""
    end = today - dt.timedelta(days=today.isoweekday())  # the Sunday before (today itself if Sunday → last week)
    start = end - dt.timedelta(days=52 * 7 - 1)
    return start, end


@dataclass(frozen=True)
class DemoOptions:
    """What a demo is built from: its sizes, its seed and the day its year ends before."""

    dossiers: int
    others: int
    seed: int
    today: dt.date

    def document(self) -> dict[str, Any]:
        return {"dossiers": self.dossiers, "others": self.others, "seed": self.seed,
                "today": self.today.isoformat()}

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> DemoOptions | None:
        try:
            return cls(int(doc["dossiers"]), int(doc["others"]), int(doc["seed"]),
                       dt.date.fromisoformat(doc["today"]))
        except (KeyError, TypeError, ValueError):
            return None

    def flags(self) -> str:
        return (f"--dossiers {self.dossiers} --others {self.others} --seed {self.seed} "
                f"--today {self.today.isoformat()}")


def resolve_options(*, dossiers: int | None, others: int | None, seed: int | None, today: dt.date | None,
                    begun: DemoOptions | None) -> DemoOptions:
    """The options given; each one not given is the begun build's, else the default."""
    base = begun or DemoOptions(DEMO_DOSSIERS, OTHER_PROVINCES_DOSSIERS, DEMO_SEED, dt.date.today())
    return DemoOptions(base.dossiers if dossiers is None else dossiers, base.others if others is None else others,
                       base.seed if seed is None else seed, base.today if today is None else today)


def _register_units_and_definition(db, definition, actor: str) -> int:
    tree = load_units()
    official = [u for u in tree if u.level in ("nation", "province", "commune")]
    departments = [u for u in tree if u.level == "department"]
    with db.session() as s:
        repo.save_units(s, official, source="official", actor=actor)
        repo.save_units(s, departments, source="yaml", actor=actor)
        row = repo.add_definition(s, "index", definition.code, definition.version, definition.valid_from,
                                  definition.source, loaded_by=actor)
        return row.id


def init_store_and_demo(*, demo: bool, dossiers: int | None = None, seed: int | None = None,
                        today: dt.date | None = None, force: bool = False, console: Console | None = None,
                        actor: str = "init", others: int | None = None) -> dict:
    """Prepare the relational store (migrations, units, definition) and the record store;
    with ``demo``, build the demo year — or finish the one begun — step by step. Options
    left None are those of the demo begun in the store (resuming it), else the defaults.
    Returns a summary; raises ``StoreError`` naming the steps not done when the demo cannot
    be completed."""
    console = console or Console(stderr=True)
    definition = load_index_definition()
    settings.data_dir().mkdir(parents=True, exist_ok=True)
    db = init_store(actor=actor)
    try:
        definition_id = _register_units_and_definition(db, definition, actor)
        summary = {"database": db.url, "records": settings.records_url(), "definition_id": definition_id}
        with open_records() as store:
            store.ensure_tables()
            if demo:
                summary.update(build_demo(db, store, definition, definition_id, dossiers=dossiers, others=others,
                                          seed=seed, today=today, force=force, console=console, actor=actor))
            else:
                _note_unfinished(db, console)
        console.print(f"store ready: {summary['database']}")
        return summary
    finally:
        db.dispose()


def _sayer(console: Console) -> Callable[[str], None]:
    # one line per message, whatever the width: the lines are read (and waited for) by scripts
    return lambda text: console.print(text, soft_wrap=True, highlight=False, markup=False)


def _when(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def _note_unfinished(db, console: Console) -> None:
    with db.session() as s:
        state = repo_setup.setup_state(s)
    if state is not None and (missing := [n for n in STEPS if n not in state.steps]):
        _sayer(console)(f"note: the demo begun {_when(state.begun_at)} is not finished (not done: "
                        f"{', '.join(missing)}); run `chiso init --demo` to finish it")


def build_demo(db, store, definition, definition_id: int, *, dossiers: int | None = None,
               others: int | None = None, seed: int | None = None, today: dt.date | None = None,
               force: bool = False, console: Console, actor: str) -> dict:
    """Build the demo, or finish the one begun (see the module's docstring)."""
    say = _sayer(console)
    with db.session() as s:
        state = None if force else repo_setup.setup_state(s)
    if state is None and not force and _holds_data(db, store):
        return _unrecorded_store(db, store, say)
    begun = None
    if state is not None:
        begun = DemoOptions.from_document(state.options)
        if begun is None:
            raise StoreError("the demo begun in this store has no readable options; run "
                             "`chiso init --demo --force` to rebuild it")
    options = resolve_options(dossiers=dossiers, others=others, seed=seed, today=today, begun=begun)
    build = _DemoBuild(db, store, definition, definition_id, options, console, actor)
    if state is not None and begun is not None:
        missing = build.unfinished(state.steps)
        if options != begun:
            if not missing:
                say(f"demo already loaded (built with {begun.flags()}); use --force to rebuild it")
                return {"demo": "already loaded"}
            raise StoreError(f"the store holds a demo begun {_when(state.begun_at)} with {begun.flags()} and not "
                             f"finished (not done: {', '.join(missing)}). Run `chiso init --demo` to finish "
                             "it with the options it was begun with, or add --force to build another")
        if missing:
            say(f"resuming the demo begun {_when(state.begun_at)} with {options.flags()} "
                f"(not done: {', '.join(missing)})")
        recorded = state.steps
    else:
        with db.session() as s:
            repo_setup.begin_setup(s, options.document(), force=force, actor=actor)
        recorded = {}
    return build.run(recorded)


def _holds_data(db, store) -> bool:
    """Whether the store holds records, runs, a catalogue or values (a demo built before
    its steps were recorded, or a store that is not a demo)."""
    if store.count("dossiers"):
        return True
    with db.session() as s:
        return bool(repo.list_runs(s, limit=1) or repo_setup.catalogue_versions(s, DEMO_PROVINCE)
                    or any(repo_setup.submitted_values(s, "")))


def _unrecorded_store(db, store, say: Callable[[str], None]) -> dict:
    """A store holding data but no recorded build: fine if every part of a demo is there."""
    missing = []
    if not store.count("dossiers"):
        missing.append("load (no dossiers)")
    if not kept.entries(store):
        missing.append("keep (no kept counts)")
    with db.session() as s:
        if not repo.list_runs(s, limit=1):
            missing.append("score (no score runs)")
        if not repo_setup.catalogue_versions(s, DEMO_PROVINCE):
            missing.append("catalogue (no indicator catalogue)")
        if not repo_setup.submitted_values(s, f"{DEMO_ACTOR}:")[0]:
            missing.append("values (no demo values)")
        if not repo_setup.warnings_of(s, DEMO_PROVINCE):
            missing.append("warnings (no warnings)")
    if not missing:
        say("demo already loaded (built before its steps were recorded); use --force to rebuild it")
        return {"demo": "already loaded"}
    raise StoreError("the store holds data but no recorded demo build, and the demo is incomplete: not done: "
                     f"{', '.join(missing)}. The options it was built with are unknown, so it cannot be finished; "
                     "run `chiso init --demo --force` to build the demo over it")


def _fingerprint(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text if isinstance(exc, ChisoError) and text else f"{type(exc).__name__}: {text}"


class _DemoBuild:
    """The nine steps of one demo, how to run each, and how to check what each left."""

    def __init__(self, db, store, definition, definition_id: int, options: DemoOptions, console: Console,
                 actor: str):
        self.db, self.store, self.definition, self.definition_id = db, store, definition, definition_id
        self.options, self.console, self.actor = options, console, actor
        self.say = _sayer(console)
        self.start, self.end = demo_period(options.today)
        self.dm_start = dt.date(self.end.year - 1, 1, 1)
        self.plan = CountsPlan(self.start, self.end, "week")
        self.tree = load_units()
        self.out = settings.data_dir() / "demo"

    # ------------------------------------------------------------------ the run
    def run(self, recorded: dict[str, repo_setup.StepRecord]) -> dict:
        outputs: dict[str, str] = {}
        done: dict[str, repo_setup.StepRecord] = {}
        status: dict[str, str] = {}
        for i, name in enumerate(STEPS, 1):
            label = f"demo step {i}/{len(STEPS)} {name}"
            fingerprint = self._input(name, outputs)
            rec, why = recorded.get(name), None
            if rec is not None and rec.input != fingerprint:
                why = "what it is made from changed"
            elif rec is not None and (missing := self._verify(name, rec)) is not None:
                why = f"its output is missing: {missing}"
            elif rec is not None:
                self.say(f"{label}: skipped, done {_when(rec.finished_at)} ({self._describe(name, rec.summary)})")
                outputs[name], done[name], status[name] = rec.output, rec, "skipped"
                continue
            self.say(f"{label}: started" + (f" again ({why})" if why else ""))
            t0 = time.perf_counter()
            try:
                rec = getattr(self, f"_run_{name}")(lambda s, summary, output, n=name, f=fingerprint:
                                                    self._record(s, n, f, summary, output), done)
            except Exception as exc:
                self.say(f"{label}: failed")
                message = (f"demo step {name} failed: {_reason(exc)}\nThe demo is incomplete; not done: "
                           f"{', '.join(STEPS[i - 1:])}. Run `chiso init --demo` again to finish it "
                           "(the steps done are kept)")
                if isinstance(exc, ChisoError | OSError):
                    raise StoreError(message) from exc
                raise
            outputs[name], done[name] = rec.output, rec
            status[name] = "redone" if name in recorded else "done"
            self.say(f"{label}: {status[name]} in {time.perf_counter() - t0:.1f} s "
                     f"({self._describe(name, rec.summary)})")
        self._check_complete()
        if all(s == "skipped" for s in status.values()):
            self.say("demo already loaded: every step was done earlier; use --force to rebuild it")
        else:
            counted = {s: sum(v == s for v in status.values()) for s in ("skipped", "done", "redone")}
            self.say("demo complete: " + ", ".join(f"{n} step(s) {s}" for s, n in counted.items() if n))
        return {"demo_start": self.start.isoformat(), "demo_end": self.end.isoformat(),
                "runs": len(done["score"].summary["runs"]), "indicator_values": done["values"].summary["values"],
                "warnings": done["warnings"].summary["open"], "steps": status}

    def unfinished(self, recorded: dict[str, repo_setup.StepRecord]) -> list[str]:
        """The steps not recorded, or recorded but whose output is gone."""
        return [n for n in STEPS if n not in recorded or self._verify(n, recorded[n]) is not None]

    def _check_complete(self) -> None:
        with self.db.session() as s:
            state = repo_setup.setup_state(s)
        missing = self.unfinished(state.steps if state else {})
        if missing:  # a step reported done but not found: never call this store ready
            raise StoreError(f"the demo is incomplete after its build; not done: {', '.join(missing)}")

    def _record(self, session, name: str, fingerprint: str, summary: dict, output: Any) -> repo_setup.StepRecord:
        return repo_setup.record_step(session, name, input=fingerprint, output=_fingerprint(output),
                                      summary=summary, actor=self.actor)

    def _input(self, name: str, outputs: dict[str, str]) -> str:
        """What a step is made from: its parameters and the output of the steps it needs."""
        o = self.options
        params = {
            "generate": {"province": DEMO_PROVINCE, "dossiers": o.dossiers, "others": o.others, "seed": o.seed,
                         "start": self.start, "end": self.end},
            "load": {},
            "keep": {"definition": self.definition_id, "plan": [self.start, self.end, "week"]},
            "score": {"definition": self.definition_id, "start": self.start, "end": self.end,
                      "criteria_weeks": SAVED_CRITERIA_WEEKS},
            "catalogue": {"province": DEMO_PROVINCE, "file": _file_sha256(CATALOGUE_PATH), "start": self.dm_start},
            "values": {"seed": o.seed, "start": self.dm_start, "end": self.end},
            "tasks": {"province": DEMO_PROVINCE, "seed": o.seed, "today": o.today, "file": TASKS_FILE},
            "composite": {"province": DEMO_PROVINCE, "start": self.dm_start.isoformat(), "end": self.end.isoformat()},
            "warnings": {"end": self.end},
        }[name]
        return _fingerprint({"step": name, "params": params, "needs": {n: outputs[n] for n in NEEDS[name]}})

    # ------------------------------------------------------------------ checks: None = the output is there
    def _verify(self, name: str, rec: repo_setup.StepRecord) -> str | None:
        summary = rec.summary
        try:
            if name == "generate":
                gone = [f for f in summary["files"] if not (self.out / f["path"]).is_file()
                        or (self.out / f["path"]).stat().st_size != f["bytes"]]
                return f"{len(gone)} of {len(summary['files'])} generated files are gone or changed" if gone else None
            if name == "load":
                for kind, want in summary["records"].items():
                    if (have := self.store.count(kind)) < want:
                        return f"the record store holds {have:,} {kind}, {want:,} were loaded"
                return None
            if name == "keep":
                there = {e.table for e in kept.entries(self.store)}
                return "the kept counts are gone" if not set(summary["tables"]) <= there else None
            with self.db.session() as s:
                if name == "score":
                    have = repo_setup.existing_runs(s, summary["runs"])
                    return f"{have} of {len(summary['runs'])} score runs are left" if have < len(summary["runs"]) else None
                if name == "catalogue":
                    have = len(repo_setup.catalogue_versions(s, DEMO_PROVINCE))
                    return f"{have} catalogue entries, {summary['entries']} were imported" if have < summary["entries"] \
                        else None
                if name == "values":
                    have = repo_setup.submitted_values(s, f"{DEMO_ACTOR}:")[0]
                    return f"{have} value batches, {summary['batches']} were accepted" if have < summary["batches"] \
                        else None
                if name == "tasks":
                    if not (self.out / summary["file"]).is_file():
                        return "the task register's export file is gone"
                    have = demo_task_count(s, DEMO_PROVINCE)
                    return f"{have} tasks, {summary['tasks']} were imported" if have < summary["tasks"] else None
                if name == "composite":
                    have = demo_composite_values(s)
                    return f"{have} composite values, {summary['values']} were kept" if have < summary["values"] \
                        else None
                have = repo_setup.warnings_of(s, DEMO_PROVINCE)
                return f"{have} warnings, {summary['open']} were opened" if have < summary["open"] else None
        except (KeyError, TypeError) as exc:
            return f"its record cannot be read ({exc!r})"

    @staticmethod
    def _describe(name: str, summary: dict) -> str:
        try:
            return {
                "generate": lambda: f"{summary['dossiers']:,} dossiers in {len(summary['files'])} files",
                "load": lambda: f"{sum(summary['records'].values()):,} records",
                "keep": lambda: f"{summary['weeks']} weeks' counts",
                "score": lambda: f"{len(summary['runs'])} weeks scored",
                "catalogue": lambda: f"{summary['entries']} indicator versions, {summary['live']} live",
                "values": lambda: f"{summary['values']:,} values in {summary['batches']} batches",
                "tasks": lambda: f"{summary['tasks']:,} tasks imported from a file, {summary['events']:,} events",
                "composite": lambda: f"{summary['values']:,} composite values over {summary['months']} months",
                "warnings": lambda: f"{summary['open']} open warnings",
            }[name]()
        except (KeyError, TypeError):
            return "no summary"

    # ------------------------------------------------------------------ the steps
    # Each takes ``record(session, summary, output)``, to call in the session of its last
    # write to the relational store, and the records of the steps before it.
    def _run_generate(self, record, done) -> repo_setup.StepRecord:
        from rich.progress import Progress

        o = self.options
        other_codes = [p.code for p in self.tree.provinces() if p.code != DEMO_PROVINCE]
        shutil.rmtree(self.out, ignore_errors=True)
        n_others = o.others * len(other_codes)
        with Progress(console=self.console, transient=True) as progress:
            task = progress.add_task("generating Bắc Ninh", total=o.dossiers)
            files_bn = generate_for(self.out / "bac-ninh", provinces=[DEMO_PROVINCE], dossiers=o.dossiers,
                                    seed=o.seed, start=self.start, end=self.end,
                                    progress=lambda d, t: progress.update(task, completed=d, total=t))
            task2 = progress.add_task("generating 33 other provinces", total=n_others)
            files_other = generate_for(self.out / "others", provinces=other_codes, dossiers=n_others,
                                       seed=o.seed + 1, start=self.start, end=self.end,
                                       progress=lambda d, t: progress.update(task2, completed=d, total=t))
        paths = [p for files in (files_bn, files_other)
                 for kind in ("procedures", "publications", "petitions", "dossiers") for p in files.get(kind, [])]
        listing = [{"path": p.relative_to(self.out).as_posix(), "bytes": p.stat().st_size,
                    "sha256": _file_sha256(p)} for p in paths]
        with self.db.session() as s:
            return record(s, {"dossiers": o.dossiers + n_others, "files": listing},
                          [(f["path"], f["sha256"]) for f in listing])

    def _run_load(self, record, done) -> repo_setup.StepRecord:
        # one record-store transaction for every file (load_paths); the register of the files
        # and this step's record are written before it commits, and committed right after it
        files = done["generate"].summary["files"]
        complete_register(self.store, self.db)   # an earlier run killed between the two commits
        finished: list[repo_setup.StepRecord] = []
        with self.db.session() as s:

            def register(report) -> None:
                register_load(s, report, loaded_by=self.actor)
                counts = {kind: self.store.count(kind) for kind in RECORD_KINDS}
                stamp = self.store.stamp()
                finished.append(record(s, {"rows": report.rows, "inserted": report.inserted,
                                           "updated": report.updated, "unchanged": report.unchanged,
                                           "records": counts, "stamp": stamp},
                                       {"records": counts, "stamp": stamp}))

            load_paths([str(self.out / f["path"]) for f in files], self.store, self.tree, before_commit=register,
                       loaded_by=self.actor)
        return finished[0]

    def _run_keep(self, record, done) -> repo_setup.StepRecord:
        # the weeks' counts are kept in the record store: scoring and the web read them, and
        # `chiso load` refreshes only the buckets whose records change (one transaction)
        entries = kept.keep(self.definition, self.store, self.plan)
        # … and by day: any other window (a month, a quarter, a date range) without the records
        entries += kept.keep_days(self.definition, self.store, self.start, self.end)
        tables, stamp = sorted(e.table for e in entries), self.store.stamp()
        with self.db.session() as s:
            return record(s, {"weeks": len(self.plan.buckets()), "tables": tables, "stamp": stamp},
                          {"tables": tables, "stamp": stamp})

    def _run_score(self, record, done) -> repo_setup.StepRecord:
        # every week scored in one pass, each against the week before; all runs saved in one
        # transaction, replacing the runs of the same weeks an earlier build left
        scored = score_series(self.definition, self.store, self.tree, self.start, self.end, weeks_only=True)
        with self.db.session() as s:
            replaced = repo_setup.runs_of_windows(s, [w.label for w in scored.windows], "records")
            for run_id in replaced:
                repo.delete_run(s, run_id, actor=self.actor)
            runs = persist_weekly_series(s, scored, self.definition_id)
            return record(s, {"runs": runs, "replaced": len(replaced)}, {"runs": runs})

    def _run_catalogue(self, record, done) -> repo_setup.StepRecord:
        with self.db.session() as s:
            report = import_demo_catalogue(s, start=self.dm_start, province=DEMO_PROVINCE)
            versions = repo_setup.catalogue_versions(s, DEMO_PROVINCE)
            live = live_indicators(s, DEMO_PROVINCE)
            return record(s, {"entries": len(versions), "live": len(live), "created": len(report.created),
                              "versioned": len(report.versioned)}, {"versions": versions})

    def _run_values(self, record, done) -> repo_setup.StepRecord:
        # one transaction per batch; a resumed run skips the batches accepted before
        result = submit_demo_history(self.db, start=self.dm_start, end=self.end, seed=self.options.seed,
                                     province=DEMO_PROVINCE, tree=self.tree, say=self.say)
        with self.db.session() as s:
            batches, values = repo_setup.submitted_values(s, f"{DEMO_ACTOR}:")
            return record(s, {"batches": batches, "values": values, "submitted": result["batches"] - result["skipped"],
                              "skipped": result["skipped"], "late": result["late"], "explained": result["explained"]},
                          {"batches": batches, "values": values})

    def _run_tasks(self, record, done) -> repo_setup.StepRecord:
        # the register's export written and imported as a province's file, each task's life
        # entered as the pages enter it: one transaction
        with self.db.session() as s:
            summary = build_demo_tasks(s, today=self.options.today, seed=self.options.seed, province=DEMO_PROVINCE,
                                       tree=self.tree, catalogue=current_catalogue(s, DEMO_PROVINCE), out=self.out)
            return record(s, summary, {k: summary[k] for k in ("tasks", "events", "bytes")})

    def _run_composite(self, record, done) -> repo_setup.StepRecord:
        # every composite of the province, month by month, kept as its target's values (one
        # transaction per month; a month computed before and unchanged writes nothing)
        summary = build_demo_composites(self.db, province=DEMO_PROVINCE, start=self.dm_start, end=self.end,
                                        say=self.say)
        with self.db.session() as s:
            return record(s, summary, {k: summary[k] for k in ("batches", "values")})

    def _run_warnings(self, record, done) -> repo_setup.StepRecord:
        with self.db.session() as s:
            n = refresh_demo_warnings(s, end=self.end, province=DEMO_PROVINCE, tree=self.tree)
            return record(s, {"open": n}, {"open": n})


def persist_weekly_series(session, scored, definition_id: int) -> list[int]:
    """Store the runs of a scored weekly series in ``session``; their ids, week by week."""
    weeks, series = scored.windows, scored.scores
    ids = []
    for i, w in enumerate(weeks):
        table = series.table(w.label)
        units = table.units.select(
            "unit_code", "level", "total", "rank", "peers", "band", "score_change", "rank_change").to_dicts()
        crit = []
        if i >= len(weeks) - SAVED_CRITERIA_WEEKS:
            crit = (table.criteria.select("unit_code", "criterion", "numerator", "denominator", "ratio", "points",
                                          pl.col("max").alias("max_points"))
                    .with_columns(pl.col("ratio").fill_nan(None)).to_dicts())
        ids.append(repo.save_score_run(session, definition_id=definition_id, window=w.label, window_start=w.start,
                                       window_end=w.end, source="records", criterion_rows=crit, unit_rows=units))
    return ids
