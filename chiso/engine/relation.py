"""The values relation (quan hệ giá trị) as formulas and aggregation read it, and its
period calendar.

The relation is the shared contract: current accepted values, one row per indicator ×
unit × period, columns ``indicator, unit_code, period, period_kind, period_start,
period_end, value, indicator_version``. ``check_values`` refuses a frame that breaks it
(every problem with its row and column); ``calendar`` gives, for each period present,
the periods the period functions look at.
"""
from __future__ import annotations

import datetime as dt

import polars as pl

from chiso.errors import LoadError, Problem, WindowError
from chiso.periods.windows import Window, month, parse_window, quarter, week, year

SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.String, "unit_code": pl.String, "period": pl.String,
    "period_kind": pl.String, "period_start": pl.Date, "period_end": pl.Date,
    "value": pl.Float64, "indicator_version": pl.Int64,
}
KEY = ("indicator", "unit_code", "period", "period_kind")
PERIOD_KINDS = ("day", "week", "month", "quarter", "year")
#: The name problems are reported under.
SOURCE = "values relation"
_MAX_PROBLEMS = 50


def empty_values() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def check_values(values: pl.DataFrame, *, source: str = SOURCE) -> pl.DataFrame:
    """The frame with the contract's columns and types, or LoadError listing what is wrong.

    Rows are checked for: a missing key field, a period kind other than
    day/week/month/quarter/year, a period label that does not read as its kind, start and
    end dates that are not the period's, and the same indicator × unit × period twice.
    """
    missing = [c for c in SCHEMA if c not in values.columns]
    if missing:
        raise LoadError([Problem(source, None, c, "column missing") for c in missing])
    try:
        frame = values.select([pl.col(c).cast(t, strict=True) for c, t in SCHEMA.items()])
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as e:
        raise LoadError([Problem(source, None, None, f"a column has the wrong type: {e}")]) from None
    problems: list[Problem] = []
    frame = frame.with_row_index("_row", offset=1)
    for c in KEY + ("period_start", "period_end"):
        for row in frame.filter(pl.col(c).is_null())["_row"].head(_MAX_PROBLEMS):
            problems.append(Problem(source, row, c, "is empty"))
    for period, kind, start, end in frame.select("period", "period_kind", "period_start", "period_end") \
            .unique().drop_nulls().iter_rows():
        reason = _period_problem(period, kind, start, end)
        if reason:
            rows = frame.filter((pl.col("period") == period) & (pl.col("period_kind") == kind))["_row"]
            problems.append(Problem(source, int(rows[0]), "period", reason, period))
    dup = frame.filter(pl.struct(list(KEY)).is_duplicated())
    for row in dup["_row"].head(_MAX_PROBLEMS):
        problems.append(Problem(source, int(row), "period",
                                "the same indicator, unit and period appear more than once"))
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise LoadError(problems[:_MAX_PROBLEMS], total=len(problems))
    return frame.drop("_row")


def _period_problem(period: str, kind: str, start: dt.date, end: dt.date) -> str | None:
    if kind not in PERIOD_KINDS:
        return f"period kind {kind!r} is not one of {', '.join(PERIOD_KINDS)}"
    try:
        window = parse_window(period)
    except WindowError as e:
        return str(e)
    if window.kind != kind:
        return f"{period!r} is a {window.kind}, not a {kind}"
    if (window.start, window.end) != (start, end):
        return (f"{period!r} runs {window.start}..{window.end}, not "
                f"{start}..{end} (period_start..period_end)")
    return None


# ------------------------------------------------------------------ period calendar
def period_year(window: Window) -> int:
    """The year a period counts in: its label's year (an ISO week's year for a week)."""
    return int(window.label[:4])


def same_period_last_year(window: Window) -> Window | None:
    """The same period one year earlier; None when it does not exist (29 February, week 53).

    >>> same_period_last_year(parse_window("2026-Q3")).label
    '2025-Q3'
    >>> same_period_last_year(parse_window("2028-02-29")) is None
    True
    """
    y = period_year(window) - 1
    try:
        if window.kind == "week":
            return week(y, int(window.label[6:]))
        if window.kind == "month":
            return month(y, window.start.month)
        if window.kind == "quarter":
            return quarter(y, int(window.label[-1]))
        if window.kind == "year":
            return year(y)
        return parse_window(window.start.replace(year=y).isoformat())
    except (WindowError, ValueError):
        return None


CALENDAR_SCHEMA: dict[str, pl.DataType] = {
    "period": pl.String, "period_kind": pl.String, "period_year": pl.Int64,
    "previous": pl.String, "last_year": pl.String, "annual": pl.String,
}


def calendar(values: pl.DataFrame) -> pl.DataFrame:
    """For each (period, period_kind) present: its year, the previous period of the same
    kind, the same period last year and the whole year's label.

    >>> calendar(pl.DataFrame({"period": ["2026-08"], "period_kind": ["month"]})).row(0)
    ('2026-08', 'month', 2026, '2026-07', '2025-08', '2026')
    """
    rows = []
    for period, kind in values.select("period", "period_kind").unique().sort("period", "period_kind").iter_rows():
        w = parse_window(period)
        ly = same_period_last_year(w)
        rows.append((period, kind, period_year(w), w.previous().label, ly.label if ly else None,
                     str(period_year(w))))
    return pl.DataFrame(rows, schema=CALENDAR_SCHEMA, orient="row")
