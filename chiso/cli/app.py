"""The ``chiso`` command. Thin: each command gathers options and calls one function."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer

from chiso import __version__, settings
from chiso.cli.catalog import app as catalog_app
from chiso.cli.common import ComposedArgs, Format, Level, definition, echo, emit, err, handled
from chiso.cli.composite import composite_app
from chiso.cli.counts import app as counts_app
from chiso.cli.definitions import app as definitions_app
from chiso.cli.dm import status_app, targets_app, warnings_app
from chiso.cli.exchange import export_app, import_app
from chiso.cli.formula import app as formula_app
from chiso.cli.output import arrow, print_table, to_csv, to_json
from chiso.cli.regimes import app as regimes_app
from chiso.cli.reminders import app as reminders_app
from chiso.cli.reports import app as bulletins_app
from chiso.cli.reports import report
from chiso.cli.scoring import score_table
from chiso.cli.tasks import app as tasks_app
from chiso.cli.units import app as units_app
from chiso.cli.users import app as users_app
from chiso.cli.values import app as values_app
from chiso.cli.values import connectors_app
from chiso.errors import ChisoError
from chiso.store.database import open_database
from chiso.text import format_number, format_percent

app = typer.Typer(help="chiso — chỉ số chỉ đạo, điều hành và chất lượng phục vụ (Quyết định 766/QĐ-TTg).",
                  no_args_is_help=True, pretty_exceptions_enable=False, cls=ComposedArgs)


WindowOpt = Annotated[Optional[str], typer.Option("--window", "-w", help="2026-W34, 2026-08, 2026-Q3, 2026, "
                                                  "ytd:2026-08-17, 2026-08-17 or 2026-08-01..2026-08-17; "
                                                  "default: the week of the latest dossier")]
CountsOpt = Annotated[Optional[Path], typer.Option("--counts", help="score a portal counts CSV instead of records")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f")]


@app.command()
def version() -> None:
    """Print the chiso version."""
    echo(__version__)


def _score_parquet(window: str | None, engine: str, records: str, kept: str | None = None):
    """Score from the Parquet under ``records`` (docs/scale.md: ``<kind>/`` folders or
    ``<kind>.parquet`` files) on DuckDB in process or on Spark (CHISO_SPARK_MASTER) — on
    Spark from the counts kept by day under ``kept`` (default ``records/_kept``) when they
    are current and hold the window."""
    # lazy: only --records needs these, and Spark only --engine spark (decision 44)
    from chiso.engine.spark import record_paths
    from chiso.evaluate.service import score_records
    from chiso.units import load_units

    d, tree = definition(), load_units()
    if engine == "duckdb":
        # lazy: as above
        from chiso.store.records import parquet_records

        paths = record_paths(records)
        store = parquet_records({k: f"{p}/*.parquet" if Path(p).is_dir() else p for k, p in paths.items()})
        try:
            return score_records(d, store, tree, window)
        finally:
            store.close()
    # lazy: pyspark starts a JVM; only --engine spark pays for it
    from chiso.engine.spark import SparkRecords, spark

    with spark() as session, SparkRecords.from_root(session, records, kept=kept) as store:
        if store.kept_note:
            err.print(store.kept_note, markup=False, highlight=False, soft_wrap=True)
        return score_records(d, store, tree, window)


@app.command()
@handled
def score(province: Annotated[Optional[str], typer.Option(help="only this province and its units")] = None,
          window: WindowOpt = None, counts: CountsOpt = None,
          level: Annotated[Optional[Level], typer.Option()] = None,
          format: FormatOpt = Format.table,
          view: Annotated[Optional[str], typer.Option(
              "--view", help="groups shown: six (online services /12 + online payment /10) or five "
              "(online service provision /22); default CHISO_GROUP_VIEW")] = None,
          engine: Annotated[str, typer.Option(help="with --records: duckdb (in process) or spark "
                                              "(CHISO_SPARK_MASTER, or spark-submit's master)")] = "duckdb",
          records: Annotated[Optional[str], typer.Option(
              "--records", help="score the Parquet under this folder or URI (<kind>/ folders or "
              "<kind>.parquet files; docs/scale.md) instead of the record store")] = None,
          kept: Annotated[Optional[str], typer.Option(
              "--kept", help="with --engine spark: the counts kept by day (`chiso counts keep --by-day "
              "--engine spark`; default RECORDS/_kept)")] = None) -> None:
    """Score every unit for a window: total, groups, criteria, rank, band, changes."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.documents import score_document, score_rows

    if engine not in ("duckdb", "spark"):
        raise ChisoError(f"--engine takes duckdb or spark, not {engine!r}")
    if records is not None and counts is not None:
        raise ChisoError("give --records or --counts, not both")
    if engine == "spark" and records is None:
        raise ChisoError("--engine spark reads Parquet: give --records PATH (docs/scale.md)")
    if kept is not None and engine != "spark":
        raise ChisoError("--kept goes with --engine spark (docs/scale.md)")
    table = score_table(window, counts) if records is None else _score_parquet(window, engine, records, kept)
    note = table.method_note("vi")
    if note:  # standard error: --format json|csv stays clean (the JSON carries it as `method`)
        err.print(note, markup=False, highlight=False, soft_wrap=True)
    lv = level.value if level else None
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.catalog.presentation import group_view

    shown = group_view(table.definition, view)
    if format == Format.json:
        echo(to_json(score_document(table, province=province, level=lv, view=shown)))
    elif format == Format.csv:
        echo(to_csv(score_rows(table, province=province, level=lv, view=shown)))
    else:
        print_table(score_rows(table, province=province, level=lv, view=shown),
                    title=f"{table.definition.name} — {table.window}")


@app.command()
@handled
def rank(province: Annotated[Optional[str], typer.Option(help="province code (peers of its departments or "
                                                          "communes); for --level province, all provinces")] = None,
         level: Annotated[Level, typer.Option()] = Level.province,
         window: WindowOpt = None, counts: CountsOpt = None, format: FormatOpt = Format.table) -> None:
    """Rank units among their peers, with score and rank changes against the previous window."""
    table = score_table(window, counts)
    df = table.ranking(level.value, province)
    rows = [{"rank": r["rank"], "code": r["unit_code"], "name": r["name"], "total": r["total"],
             "band": r["band_label"], "score_change": r["score_change"], "previous_rank": r["previous_rank"],
             "rank_change": r["rank_change"]} for r in df.to_dicts()]
    if format == Format.json:
        echo(to_json({"window": table.window, "previous_window": table.previous_window, "level": level.value,
                       "province": province, "units": rows}))
    elif format == Format.csv:
        echo(to_csv(rows))
    else:
        for r in rows:
            r["move"] = arrow(r["rank_change"])
        print_table(rows, title=f"{level.value} ranking — {table.window}")


@app.command()
@handled
def whatif(unit: Annotated[str, typer.Option(help="unit code")],
           set_: Annotated[list[str], typer.Option("--set", help="TARGET=RATIO: a criterion ratio or a group's "
                                                   "share of its maximum, e.g. ONLINE_SERVICE=0.9")],
           window: WindowOpt = None, counts: CountsOpt = None, format: FormatOpt = Format.table) -> None:
    """The points a unit gains if criteria or groups reached given ratios."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.whatif import parse_levels
    from chiso.evaluate.whatif import whatif as run

    result = run(score_table(window, counts), unit, parse_levels(set_))
    emit(format, result, result["changes"], f"{result['name']} ({result['unit']}) {result['window']}: "
                                             f"{format_number(result['before'], 2, 'en')} → "
                                             f"{format_number(result['after'], 2, 'en')} "
                                             f"(+{format_number(result['gain'], 2, 'en')})")


@app.command()
@handled
def levers(unit: Annotated[str, typer.Option(help="unit code")], window: WindowOpt = None, counts: CountsOpt = None,
           share: Annotated[float, typer.Option(help="the ratio each lever is imagined at")] = 0.9,
           top: int = 10, format: FormatOpt = Format.table) -> None:
    """A unit's top levers (đòn bẩy): the criteria and groups with the largest improvement potential."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.whatif import levers as run

    rows = run(score_table(window, counts), unit, share=share)[:top]
    emit(format, {"unit": unit, "share": share, "levers": rows}, rows, f"levers of {unit} at {format_percent(share, 0, 'en')}")


@app.command()
@handled
def explain(unit: Annotated[str, typer.Option(help="unit code")],
            criterion: Annotated[str, typer.Option(help="criterion code, e.g. ON_TIME")],
            window: WindowOpt = None,
            all_: Annotated[bool, typer.Option("--all", help="every record counted, not only those that lost "
                                                "points")] = False,
            limit: int = 100, offset: int = 0, format: FormatOpt = Format.table) -> None:
    """The records behind a unit's criterion: by default those that lost it points."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.service import explain as run
    from chiso.store.records import open_records
    from chiso.units import load_units

    with open_records(read_only=True) as store:
        result = run(definition(), store, load_units(), unit, criterion.upper(), window, only_lost=not all_,
                     limit=limit, offset=offset)
    cols = ("id", "unit_code", "procedure_code", "name", "received_date", "appointment_date", "finished_date",
            "supplement_count", "_records", "_first_id", "_first_unit", "_counted", "_reason")
    table_rows = [{k: r.get(k) for k in cols if k in r} for r in result["rows"]]
    emit(format, result, result["rows"], f"{result['name']} — {result['criterion']} — {result['window']}: "
                                          f"{len(table_rows)} {result['records']}", table_rows)


@app.command()
@handled
def load(paths: Annotated[list[Path], typer.Argument(help="CSV, Parquet, JSON lines or .xlsx files")],
         kind: Annotated[Optional[str], typer.Option(help="dossiers, petitions, procedures or publications "
                                                     "(default: from the file name)")] = None,
         by: Annotated[str, typer.Option(help="who loads (audit)")] = "cli") -> None:
    """Load record files into the store: all or nothing; loading the same file again changes nothing."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.collect.load import load_and_record
    from chiso.evaluate import kept
    from chiso.store.records import open_records
    from chiso.units import load_units

    # the batch is registered in the relational store when it has been prepared (chiso init)
    prepared = settings.get("CHISO_DATABASE_URL") is not None or (settings.data_dir() / "chiso.sqlite").exists()
    db = open_database() if prepared else None
    try:
        with open_records() as store:
            store.ensure_tables()
            report = load_and_record([str(p) for p in paths], store, load_units(), db, loaded_by=by, kind=kind)
            # counts kept between refreshes follow the records at once (only the changed buckets)
            refreshed = kept.refresh(definition(), store) if kept.entries(store) else []
    finally:
        if db is not None:
            db.dispose()
    for r in refreshed:
        err.print(f"kept counts {r.kind}{' (distinct)' if r.distinct else ''}{' by day' if r.by_day else ''}: "
                  f"{r.buckets} {'day' if r.by_day else 'bucket'}(s) recomputed in {r.seconds:.2f} s")
    print_table([{"file": f.path, "kind": f.kind, "rows": f.rows, "inserted": f.inserted, "updated": f.updated,
                  "unchanged": f.unchanged} for f in report.files], title=f"loaded (batch {report.batch})")


@app.command()
@handled
def generate(out: Annotated[Path, typer.Option(help="folder for the Parquet files")],
             province: Annotated[list[str], typer.Option(help="province code(s); default 24 (Bắc Ninh)")] = None,
             nation: Annotated[bool, typer.Option("--nation", help="all 34 provinces")] = False,
             dossiers: Annotated[int, typer.Option(help="dossiers in all, up to 100 million")] = 500_000,
             year: int = dt.date.today().year,
             seed: int = 0,
             indicators: Annotated[bool, typer.Option("--indicators", help="also Bắc Ninh's DM indicator "
                                                      "submissions (the sample catalogue's history for "
                                                      "--year and the two years before): one CSV per owner "
                                                      "agency in OUT/indicators")] = False) -> None:
    """Generate realistic synthetic records (deterministic with --seed), streaming to Parquet."""
    from rich.progress import Progress

    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.demo.generate import generate_for, generate_indicator_submissions
    from chiso.demo.setup import DEMO_PROVINCE

    provinces = None if nation else (province or [DEMO_PROVINCE])
    if indicators and provinces is not None and DEMO_PROVINCE not in provinces:
        raise ChisoError("--indicators: the sample indicator catalogue is Bắc Ninh's; include --province 24")
    with Progress(console=err) as progress:
        task = progress.add_task("generating dossiers", total=dossiers)
        files = generate_for(out, provinces=provinces, dossiers=dossiers, year=year, seed=seed,
                             progress=lambda done, total: progress.update(task, completed=done, total=total))
    if indicators:
        files["indicators"] = generate_indicator_submissions(out, year=year, seed=seed)
    for kind, paths in files.items():
        echo(f"{kind}: {len(paths)} file(s) in {out / kind}")


@app.command()
@handled
def init(demo: Annotated[bool, typer.Option("--demo", help="with the Bắc Ninh demo: units, one year of "
                                            "generated records, scores")] = False,
         dossiers: Annotated[Optional[int], typer.Option(help="demo: Bắc Ninh's dossiers in the year "
                                                         "\\[default: 400000]", show_default=False)] = None,
         others: Annotated[Optional[int], typer.Option(help="demo: dossiers of each other province "
                                                       "\\[default: 25000]", show_default=False)] = None,
         seed: Annotated[Optional[int], typer.Option(help="\\[default: 7]", show_default=False)] = None,
         today: Annotated[Optional[str], typer.Option(help="demo: the day the year ends (YYYY-MM-DD)")] = None,
         force: Annotated[bool, typer.Option(help="demo: rebuild even if the demo is there")] = False) -> None:
    """Prepare the store (migrations, units, the index definition); --demo adds the Bắc Ninh demo."""
    # An interrupted demo is finished by running the command again: each step done is kept,
    # and an option left out (None) is the one the demo was begun with, so the defaults of a
    # new demo are written in the help (chiso.demo.setup).
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.demo.setup import init_store_and_demo

    init_store_and_demo(demo=demo, dossiers=dossiers, others=others, seed=seed,
                        today=dt.date.fromisoformat(today) if today else None, force=force, console=err)


@app.command()
@handled
def serve(host: str = "127.0.0.1", port: int = 8766,
          workers: Annotated[int, typer.Option(min=1, help="worker processes (each opens the record "
                                                           "store read-only)")] = 1) -> None:
    """Serve chiso's web pages and JSON API."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.web.app import serve as run

    run(host=host, port=port, workers=workers)


# ---------------------------------------------------------------- command groups by concern
# One line each: every concern keeps its commands in a module of its own beside this one.
app.add_typer(catalog_app, name="catalog")
app.add_typer(formula_app, name="formula")
app.add_typer(warnings_app, name="warnings")
app.add_typer(targets_app, name="targets")
app.add_typer(status_app, name="status")
app.command("report")(report)
app.add_typer(bulletins_app, name="bulletins")
app.add_typer(values_app, name="values")
app.add_typer(connectors_app, name="connectors")
app.add_typer(counts_app, name="counts")
app.add_typer(users_app, name="users")
app.add_typer(reminders_app, name="reminders")
app.add_typer(tasks_app, name="tasks")
app.add_typer(units_app, name="units")
app.add_typer(definitions_app, name="definitions")
app.add_typer(regimes_app, name="regimes")
app.add_typer(composite_app, name="composite")
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")


if __name__ == "__main__":  # pragma: no cover
    app()
