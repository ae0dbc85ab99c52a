"""``chiso counts``: keep the index counts between refreshes, refresh them, list them, drop them.

Thin: each command opens the record store and calls one function of ``chiso.evaluate.kept``.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

import typer

from chiso.cli.common import definition, handled
from chiso.cli.output import print_table

app = typer.Typer(help="Số đếm lưu sẵn / counts kept between refreshes (keep, refresh, list, forget).",
                  no_args_is_help=True)


def _run(fn):
    """Run ``fn`` under the shared error handling."""
    return handled(fn)()


def _rows(entries) -> list[dict]:
    return [{"table": e.table, "kind": e.kind, "distinct": e.distinct, "start": e.plan.start.isoformat(),
             "end": e.plan.end.isoformat(), "grain": e.plan.grain, "judged_at_end": e.plan.outer,
             "stamp": e.stamp, "rows": e.rows} for e in entries]


def _keep_on_spark(start: dt.date, end: dt.date, records: str, out: Optional[str]) -> None:
    """Keep by day on Spark: the relations as Parquet under ``out`` (default ``records/_kept``)."""
    # lazy: pyspark starts a JVM; only --engine spark pays for it (decision 44)
    from chiso.engine.spark import KEPT_FOLDER, SparkRecords, spark
    from chiso.evaluate.kept_spark import keep_days_on_spark

    target = out or f"{records.rstrip('/')}/{KEPT_FOLDER}"
    with spark() as session, SparkRecords.from_root(session, records, kept=False) as store:
        made = keep_days_on_spark(definition(), store, start, end, target)
    print_table(_rows(made), title=f"số đếm lưu sẵn theo ngày / kept counts by day — {target}")


@app.command("keep")
def keep_cmd(year: Annotated[Optional[int], typer.Option(help="a calendar year: its weeks and the year")] = None,
             start: Annotated[Optional[str], typer.Option(help="or a range's first day (YYYY-MM-DD)")] = None,
             end: Annotated[Optional[str], typer.Option(help="… and last day")] = None,
             by_day: Annotated[bool, typer.Option("--by-day", help="keep by day instead: any window inside "
                                                  "the range (month, quarter, year to date, a date range) is "
                                                  "then counted without the records")] = False,
             engine: Annotated[Optional[str], typer.Option(
                 help="spark: keep by day from the Parquet under --records, as Parquet (docs/scale.md); "
                      "default: in the record store")] = None,
             records: Annotated[Optional[str], typer.Option(
                 "--records", help="with --engine spark: the records' folder or URI (<kind>/ folders or "
                 "<kind>.parquet files)")] = None,
             out: Annotated[Optional[str], typer.Option(
                 "--out", help="with --engine spark: where the kept counts go (default RECORDS/_kept)")] = None
             ) -> None:
    """Tính và lưu số đếm theo tuần hoặc theo ngày / keep the counts of a year or a range, by week or by day."""
    def go():
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.engine.counts import CountsPlan
        from chiso.evaluate import kept
        from chiso.store.records import open_records

        by_year, by_range = year is not None, start is not None and end is not None
        if by_year == by_range or (by_year and (start or end)):
            raise ValueError("give --year, or --start and --end")
        first, last = ((dt.date(year, 1, 1), dt.date(year, 12, 31)) if year is not None
                       else (dt.date.fromisoformat(start), dt.date.fromisoformat(end)))
        if first > last:
            raise ValueError(f"khoảng ngày rỗng: {first} sau {last} / the range is empty: {first} is after {last}")
        plan = CountsPlan(first, last, "week", outer=True)
        if engine not in (None, "spark"):
            raise ValueError(f"--engine takes spark (or nothing: the record store), not {engine!r}")
        if engine == "spark":
            if records is None:
                raise ValueError("--engine spark đọc Parquet: hãy cho --records PATH / --engine spark reads "
                                 "Parquet: give --records PATH (docs/scale.md)")
            if not by_day:
                raise ValueError("trên Spark số đếm chỉ lưu theo ngày: thêm --by-day / on Spark counts are kept "
                                 "by day only: add --by-day")
            _keep_on_spark(plan.start, plan.end, records, out)
            return
        if records is not None or out is not None:
            raise ValueError("--records and --out go with --engine spark")
        with open_records() as store:
            made = (kept.keep_days(definition(), store, plan.start, plan.end) if by_day
                    else kept.keep(definition(), store, plan))
            print_table(_rows(made), title="kept counts")
    _run(go)


@app.command("refresh")
def refresh_cmd() -> None:
    """Cập nhật số đếm theo thay đổi / recompute the buckets whose records changed since."""
    def go():
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.evaluate import kept
        from chiso.store.records import open_records

        with open_records() as store:
            done = kept.refresh(definition(), store)
        print_table([{"table": r.table, "kind": r.kind, "distinct": r.distinct, "by_day": r.by_day,
                      "buckets": r.buckets,
                      "rows": r.rows, "seconds": round(r.seconds, 3)} for r in done], title="refreshed")
    _run(go)


@app.command("list")
def list_cmd() -> None:
    """Danh sách số đếm lưu sẵn / the kept tables, their plans and stamps."""
    def go():
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.evaluate import kept
        from chiso.store.records import open_records

        with open_records(read_only=True) as store:
            print_table(_rows(kept.entries(store)), title=f"kept counts (store stamp {store.stamp()})")
    _run(go)


@app.command("forget")
def forget_cmd() -> None:
    """Xoá số đếm lưu sẵn / drop every kept table (scores then scan the records)."""
    def go():
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.evaluate import kept
        from chiso.store.records import open_records

        with open_records() as store:
            n = kept.forget(store)
        typer.echo(f"dropped {n} kept table(s)")
    _run(go)
