"""``chiso init [--demo]``: prepare the stores, and build the Bắc Ninh demo through the
same path real data takes (generate files → collect → store → evaluate → store).

The demo is Bắc Ninh in full (its departments and 99 communes, a realistic volume) and
the other 33 provinces at a lighter volume, so that national ranks mean something. The
year ends on the last Sunday before ``today``: a weekly series of 52 ISO weeks.
"""
from __future__ import annotations

import datetime as dt
import shutil
import time

import polars as pl
from rich.console import Console

from chiso import settings
from chiso.catalog.index_definition import load_index_definition
from chiso.collect.load import load_and_record
from chiso.demo.dm import build_dm_demo
from chiso.demo.generate import generate_for
from chiso.engine.counts import CountsPlan
from chiso.evaluate import kept
from chiso.evaluate.service import score_series
from chiso.store import repositories as repo
from chiso.store.database import init_store
from chiso.store.records import open_records
from chiso.units import load_units

DEMO_PROVINCE = "24"
OTHER_PROVINCES_DOSSIERS = 25_000  # per province, a lighter volume for the national ranking
SAVED_CRITERIA_WEEKS = 2  # criterion rows are kept for the latest weeks; unit rows for all


def demo_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """52 full ISO weeks ending on the last Sunday before ``today``."""
    end = today - dt.timedelta(days=today.isoweekday())  # the Sunday before (today itself if Sunday → last week)
    start = end - dt.timedelta(days=52 * 7 - 1)
    return start, end


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


def init_store_and_demo(*, demo: bool, dossiers: int = 400_000, seed: int = 7, today: dt.date | None = None,
                        force: bool = False, console: Console | None = None, actor: str = "init",
                        others: int = OTHER_PROVINCES_DOSSIERS) -> dict:
    """Prepare the relational store (migrations, units, definition) and the record store;
    with ``demo``, generate, load and score the demo year. Returns a summary."""
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
                if store.count("dossiers") and not force:
                    console.print(f"demo already loaded ({store.count('dossiers'):,} dossiers); "
                                  "use --force to rebuild it")
                else:
                    summary.update(_build_demo(db, store, definition, definition_id, dossiers=dossiers, seed=seed,
                                               today=today or dt.date.today(), console=console, actor=actor,
                                               others=others))
        console.print(f"store ready: {summary['database']}")
        return summary
    finally:
        db.dispose()


def _build_demo(db, store, definition, definition_id: int, *, dossiers: int, seed: int, today: dt.date,
                console: Console, actor: str, others: int) -> dict:
    from rich.progress import Progress

    start, end = demo_period(today)
    tree = load_units()
    other_codes = [p.code for p in tree.provinces() if p.code != DEMO_PROVINCE]
    out = settings.data_dir() / "demo"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("generating Bắc Ninh", total=dossiers)
        files_bn = generate_for(out / "bac-ninh", provinces=[DEMO_PROVINCE], dossiers=dossiers, seed=seed,
                                start=start, end=end,
                                progress=lambda d, t: progress.update(task, completed=d, total=t))
        n_others = others * len(other_codes)
        task2 = progress.add_task("generating 33 other provinces", total=n_others)
        files_other = generate_for(out / "others", provinces=other_codes, dossiers=n_others, seed=seed + 1,
                                   start=start, end=end,
                                   progress=lambda d, t: progress.update(task2, completed=d, total=t))
    console.print(f"generated {dossiers + n_others:,} dossiers in {time.perf_counter() - t0:.1f} s")
    paths = [str(p) for files in (files_bn, files_other) for kind in ("procedures", "publications", "petitions",
                                                                      "dossiers") for p in files.get(kind, [])]
    t0 = time.perf_counter()
    report = load_and_record(paths, store, tree, db, loaded_by=actor)
    console.print(f"loaded {sum(f.rows for f in report.files):,} records in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    # the weeks' counts are kept in the record store: scoring and the web read them, and
    # `chiso load` refreshes only the buckets whose records change
    kept.keep(definition, store, CountsPlan(start, end, "week"))
    console.print(f"counted and kept {len(CountsPlan(start, end, 'week').buckets())} weeks' counts "
                  f"in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    runs = persist_weekly_series(db, store, definition, definition_id, tree, start, end)
    console.print(f"scored {runs} weeks in {time.perf_counter() - t0:.1f} s")
    dm = build_dm_demo(db, start=dt.date(end.year - 1, 1, 1), end=end, seed=seed, say=console.print)
    return {"demo_start": start.isoformat(), "demo_end": end.isoformat(), "runs": runs,
            "indicator_values": dm["values"], "warnings": dm["warnings"]}


def persist_weekly_series(db, store, definition, definition_id: int, tree, start: dt.date, end: dt.date) -> int:
    """Score every week of [start, end] from one scan and store the runs."""
    # every week scored in one pass, each against the week before
    scored = score_series(definition, store, tree, start, end, weeks_only=True)
    weeks, series = scored.windows, scored.scores
    n = 0
    for i, w in enumerate(weeks):
        table = series.table(w.label)
        units = table.units.select(
            "unit_code", "level", "total", "rank", "peers", "band", "score_change", "rank_change").to_dicts()
        crit = []
        if i >= len(weeks) - SAVED_CRITERIA_WEEKS:
            crit = (table.criteria.select("unit_code", "criterion", "numerator", "denominator", "ratio", "points",
                                          pl.col("max").alias("max_points"))
                    .with_columns(pl.col("ratio").fill_nan(None)).to_dicts())
        with db.session() as s:
            repo.save_score_run(s, definition_id=definition_id, window=w.label, window_start=w.start,
                                window_end=w.end, source="records", criterion_rows=crit, unit_rows=units)
        n += 1
    return n
