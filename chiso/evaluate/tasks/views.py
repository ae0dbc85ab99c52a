"""What the task pages show (danh sách, Gantt, bảng xếp hạng, bảng nhắc việc) — computed from the
register's states, never typed.

Every function here reads ``chiso.evaluate.tasks.register`` (``states_at``, ``year_to_date``,
``counts``, ``on_time_rate``, ``instances_and_lives``) and keeps its definitions; it only filters,
sorts, pages and ranks. Which tasks a person may read is the web layer's rule: the functions take
the task rows already allowed (``tasks``), or all of the province's when ``None``.

- ``register_rows``: the year-to-date population at a date (as ``counts`` counts it: the instances
  open then, and those completed from 1 January) with each task's own fields and the last
  progress percent reported by then — the rows of the list, the panels and the Gantt.
- ``task_list``: the list's filters, the four state counts (of every filter but the state),
  sorting and paging.
- ``gantt_rows``: a unit's or a leader's open instances as bars (assigned → deadline, the original
  deadline when an extension moved it, the overdue part up to the date).
- ``scoreboard``: per lead unit of one level the four counts, the on-time rate, the number more than
  120 days overdue, the update rate, the rank by on-time rate (ties: fewer overdue first) and the
  change of rank and rate since an earlier date (the previous month's end).
- ``panels``: the longest-overdue open instances and those due soon.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.evaluate.paging import page_of
from chiso.evaluate.tasks.register import counts, instances_and_lives, on_time_rate, states_at, year_to_date
from chiso.store import repo_tasks
from chiso.store.models_tasks import TaskEvent, TaskRow
from chiso.tasks.model import BUCKETS, OPEN_STATES, STATES
from chiso.tasks.states import Policy
from chiso.text import fold

#: Rows on one page of the list.
PAGE_SIZE = 25
#: The list's orders: the default (most overdue first, then due soonest) and one per sortable column.
SORTS: tuple[str, ...] = ("default", "code", "unit", "deadline", "state", "overdue", "progress")
#: The overdue age buckets' codes (``chiso.tasks.model.BUCKETS``).
BUCKET_CODES: tuple[str, ...] = tuple(code for code, _first, _last in BUCKETS)
#: Open more than this many days past the deadline: the long-overdue count of the scoreboard
#: (``register.COUNTS['overdue_120']``).
LONG_OVERDUE_DAYS = 120

_ROWS_SCHEMA = {"id": pl.String, "task": pl.String, "key": pl.String, "lead_unit": pl.String,
                "starred": pl.Boolean, "state": pl.String, "deadline": pl.Date, "overdue_days": pl.Int64,
                "bucket": pl.String, "due_soon": pl.Boolean, "updated": pl.Boolean, "completed_on": pl.Date,
                "content": pl.String, "assigned_by": pl.String, "assigned_on": pl.Date, "field": pl.String,
                "co_units": pl.List(pl.String), "doc_number": pl.String, "percent": pl.Int64}


def _tasks(session: Session, province: str, tasks: Iterable[TaskRow] | None) -> list[TaskRow]:
    return list(tasks) if tasks is not None else repo_tasks.all_tasks(session, province)


def last_progress(session: Session, rows: list[TaskRow], at: dt.date) -> pl.DataFrame:
    """``id`` (``task|instance``) → ``percent``: the percent of each instance's last progress update
    (by its as-of day, then when it was written) on or before ``at``."""
    codes = {r.id: r.code for r in rows}
    found: dict[str, tuple] = {}
    if codes:
        query = (select(TaskEvent.task_id, TaskEvent.instance, TaskEvent.day, TaskEvent.at, TaskEvent.id,
                        TaskEvent.percent)
                 .where(TaskEvent.kind == "progress", TaskEvent.percent.is_not(None), TaskEvent.day <= at,
                        TaskEvent.task_id.in_(list(codes))))
        for task_id, instance, day, at_, ident, percent in session.execute(query):
            key = f"{codes[task_id]}|{instance}"
            order = (day, at_, ident)
            if key not in found or found[key][0] < order:
                found[key] = (order, percent)
    return pl.DataFrame({"id": list(found), "percent": [v[1] for v in found.values()]},
                        schema={"id": pl.String, "percent": pl.Int64})


def register_rows(session: Session, province: str, at: dt.date, *, tasks: Iterable[TaskRow] | None = None,
                  policy: Policy | None = None) -> pl.DataFrame:
    """The year-to-date population at ``at`` (``register.year_to_date``), one row per instance, with
    its task's content, leader, assignment day, field, co-operating units, document number and the
    last progress percent by ``at`` (null when none)."""
    rows = _tasks(session, province, tasks)
    if not rows:
        return pl.DataFrame(schema=_ROWS_SCHEMA)
    states = year_to_date(states_at(session, province, [at], policy=policy, tasks=rows)).drop("date")
    info = pl.DataFrame({
        "task": [r.code for r in rows], "content": [r.content for r in rows],
        "assigned_by": [r.assigned_by or "" for r in rows], "assigned_on": [r.assigned_on for r in rows],
        "field": [r.field for r in rows], "co_units": [list(r.co_units or ()) for r in rows],
        "doc_number": [r.doc_number for r in rows]},
        schema={"task": pl.String, "content": pl.String, "assigned_by": pl.String, "assigned_on": pl.Date,
                "field": pl.String, "co_units": pl.List(pl.String), "doc_number": pl.String})
    out = states.join(info, on="task", how="left").join(last_progress(session, rows, at), on="id", how="left")
    return out.select(list(_ROWS_SCHEMA))


# ---------------------------------------------------------------- the list
@dataclass(frozen=True)
class Filters:
    """The list's filters (each ``None``/``False``/empty: not filtered)."""

    unit: str | None = None          # the lead unit
    leader: str | None = None        # the leader who assigned it (người giao), as written
    field: str | None = None         # a catalogue field code
    state: str | None = None         # one of STATES
    starred: bool = False
    bucket: str | None = None        # an overdue age bucket (BUCKET_CODES)
    due_soon: bool = False
    q: str = ""                      # words of the code, content or document number (accents ignored)

    def __post_init__(self):
        if self.state is not None and self.state not in STATES:
            raise ValueError(f"unknown task state {self.state!r}; states are {', '.join(STATES)}")
        if self.bucket is not None and self.bucket not in BUCKET_CODES:
            raise ValueError(f"unknown overdue bucket {self.bucket!r}; buckets are {', '.join(BUCKET_CODES)}")

    def without_state(self) -> Filters:
        return dataclasses.replace(self, state=None)


def apply(frame: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """The rows of ``frame`` (``register_rows``) that pass every filter."""
    f = frame
    if filters.unit:
        f = f.filter(pl.col("lead_unit") == filters.unit)
    if filters.leader:
        f = f.filter(pl.col("assigned_by") == filters.leader)
    if filters.field:
        f = f.filter(pl.col("field") == filters.field)
    if filters.state:
        f = f.filter(pl.col("state") == filters.state)
    if filters.starred:
        f = f.filter(pl.col("starred"))
    if filters.bucket:
        f = f.filter(pl.col("bucket") == filters.bucket)
    if filters.due_soon:
        f = f.filter(pl.col("due_soon") & pl.col("state").is_in(list(OPEN_STATES)))
    if filters.q.strip():
        needles = fold(filters.q.strip()).split()
        text = pl.concat_str([pl.col("task"), pl.col("content"), pl.col("doc_number").fill_null("")], separator=" ")
        f = f.with_columns(text.map_elements(fold, return_dtype=pl.String).alias("_text"))
        for needle in needles:
            f = f.filter(pl.col("_text").str.contains(needle, literal=True))
        f = f.drop("_text")
    return f


def state_counts(frame: pl.DataFrame) -> dict[str, int]:
    """How many rows are in each of the four states (every state named, zero included)."""
    found = dict(frame.group_by("state").len().iter_rows()) if frame.height else {}
    return {s: int(found.get(s, 0)) for s in STATES}


def sort(frame: pl.DataFrame, how: str = "default", unit_names: dict[str, str] | None = None) -> pl.DataFrame:
    """``frame`` in the order ``how`` (``SORTS``). The default: open overdue first, the most days
    overdue first; then open within deadline, the soonest deadline first (none last); then done
    (late, then on time), the latest deadline first; ties by code and instance."""
    if how not in SORTS:
        raise ValueError(f"unknown order {how!r}; orders are {', '.join(SORTS)}")
    state_rank = pl.col("state").replace_strict({s: i for i, s in enumerate(
        ("open_overdue", "open_in_time", "done_late", "done_on_time"))}, return_dtype=pl.Int64)
    f = frame.with_columns(state_rank.alias("_s"))
    ties = ["task", "key"]
    if how == "default":
        f = f.with_columns(
            pl.when(pl.col("_s") == 0).then(-pl.col("overdue_days")).otherwise(0).alias("_o"),
            pl.when(pl.col("_s") >= 2).then(-(pl.col("deadline").cast(pl.Int64))).otherwise(
                pl.col("deadline").cast(pl.Int64)).alias("_d"))
        f = f.sort(["_s", "_o", "_d", *ties], nulls_last=True)
    elif how == "code":
        f = f.sort(ties)
    elif how == "unit":
        names = unit_names or {}
        f = f.with_columns(pl.col("lead_unit").replace_strict(names, default=pl.col("lead_unit"),
                                                              return_dtype=pl.String)
                           .map_elements(fold, return_dtype=pl.String).alias("_u"))
        f = f.sort(["_u", *ties])
    elif how == "deadline":
        f = f.sort(["deadline", *ties], nulls_last=True)
    elif how == "state":
        f = f.with_columns(pl.col("state").replace_strict({s: i for i, s in enumerate(STATES)},
                                                          return_dtype=pl.Int64).alias("_st"))
        f = f.sort(["_st", *ties])
    elif how == "overdue":
        f = f.sort(["overdue_days", *ties], descending=[True, False, False])
    elif how == "progress":
        f = f.sort(["percent", *ties], descending=[True, False, False], nulls_last=True)
    return f.drop([c for c in f.columns if c.startswith("_")])


def task_list(frame: pl.DataFrame, filters: Filters, *, order: str = "default", page: int = 1,
              unit_names: dict[str, str] | None = None, size: int = PAGE_SIZE) -> dict:
    """The list: ``counts`` of the four states among the rows that pass every filter but the
    state (the clickable counts at the top), and the page of the rows that pass them all."""
    unstated = apply(frame, filters.without_state())
    shown = unstated.filter(pl.col("state") == filters.state) if filters.state else unstated
    return {"counts": state_counts(unstated), "all": unstated.height,
            "paged": page_of(sort(shown, order, unit_names), page, size)}


def leaders(frame: pl.DataFrame) -> list[str]:
    """The leaders who assigned the rows' tasks, alphabetically (accents ignored)."""
    names = {n for n in frame.get_column("assigned_by").to_list() if n} if frame.height else set()
    return sorted(names, key=lambda n: (fold(n), n))


# ---------------------------------------------------------------- the Gantt chart
def gantt_rows(session: Session, province: str, at: dt.date, *, tasks: Iterable[TaskRow] | None = None,
               unit: str | None = None, leader: str | None = None, policy: Policy | None = None) -> dict:
    """The instances open at ``at`` of ``unit``'s tasks (as the lead unit) or ``leader``'s (assigned
    by), as bars: ``start`` (the day the instance opened), ``original`` (its own deadline),
    ``deadline`` (the deadline that holds at ``at``: extended when the office approved an
    extension and the policy judges against it), ``state``, ``overdue_days``, ``starred``,
    ``due_soon``; the most overdue first, then the soonest deadline. Open instances without a
    deadline have no bar end: ``undated`` lists them."""
    rows = [r for r in _tasks(session, province, tasks)
            if (unit is None or r.lead_unit == unit) and (leader is None or (r.assigned_by or "") == leader)]
    if not rows:
        return {"bars": [], "undated": []}
    frame = register_rows(session, province, at, tasks=rows, policy=policy).filter(
        pl.col("state").is_in(list(OPEN_STATES)))
    inst, _ext, _upd = instances_and_lives(session, province, at, rows)
    opened = inst.select("id", pl.col("opens_on").alias("start"), pl.col("deadline").alias("original"))
    frame = sort(frame.join(opened, on="id", how="left"))
    dated = frame.filter(pl.col("deadline").is_not_null())
    bars = [{"id": r["id"], "task": r["task"], "key": r["key"], "content": r["content"],
             "lead_unit": r["lead_unit"], "start": r["start"], "original": r["original"],
             "deadline": r["deadline"], "state": r["state"], "overdue_days": r["overdue_days"],
             "starred": r["starred"], "due_soon": r["due_soon"], "percent": r["percent"],
             "extended": r["original"] is not None and r["deadline"] != r["original"]}
            for r in dated.iter_rows(named=True)]
    undated = frame.filter(pl.col("deadline").is_null()).select("id", "task", "key", "content", "lead_unit",
                                                                 "starred").to_dicts()
    return {"bars": bars, "undated": undated}


# ---------------------------------------------------------------- the scoreboard
def previous_month_end(day: dt.date) -> dt.date:
    """The last day of the month before ``day``'s month."""
    return day.replace(day=1) - dt.timedelta(days=1)


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else 100.0 * numerator / denominator


def _ranks(rows: list[dict], prefix: str = "") -> dict[str, int]:
    """lead unit → rank by on-time rate (highest first; ties: fewer open overdue first; rows with
    the same rate and overdue count share a rank, the next rank skips: 1, 2, 2, 4). Units where
    nothing fell due have no rate and no rank."""
    keyed = []
    for r in rows:
        due = r[prefix + "done_on_time"] + r[prefix + "done_late"] + r[prefix + "open_overdue"]
        if due:
            keyed.append((-Fraction(r[prefix + "done_on_time"], due), r[prefix + "open_overdue"], r["lead_unit"]))
    keyed.sort()
    ranks: dict[str, int] = {}
    for i, (rate, overdue, unit) in enumerate(keyed):
        if i and (rate, overdue) == keyed[i - 1][:2]:
            ranks[unit] = ranks[keyed[i - 1][2]]
        else:
            ranks[unit] = i + 1
    return ranks


#: The counts the scoreboard shows of each unit (``register.COUNTS``' keys).
SCORE_COUNTS = ("total", "done_on_time", "done_late", "open_in_time", "open_overdue", "overdue_120", "open",
                "updated")


def scoreboard(session: Session, province: str, at: dt.date, before: dt.date, units: Iterable[str], *,
               tasks: Iterable[TaskRow] | None = None, policy: Policy | None = None) -> dict:
    """Per unit of ``units`` that leads a task counted at ``at`` or ``before``: the year-to-date
    ``counts`` at ``at``, the on-time rate (``on_time_rate``), the update rate (updated / open × 100),
    the rank by on-time rate and, at ``before``, the rate and rank again with the change
    (``rank_change`` = rank before − rank now: positive climbed; ``rate_change`` in percentage
    points). Ranked best first, then the unranked by name order of ``units``. ``province_row``: the
    sums over every lead unit of the province (counts add up across units)."""
    wanted = list(dict.fromkeys(units))
    rows_in = _tasks(session, province, tasks)
    dates = sorted({at, before})
    c = counts(states_at(session, province, dates, policy=policy, tasks=rows_in)) if rows_in else None
    zero = {k: 0 for k in SCORE_COUNTS}

    def at_date(day: dt.date) -> dict[str, dict]:
        if c is None:
            return {}
        return {r["lead_unit"]: r for r in c.filter(pl.col("date") == day).to_dicts()}

    now, then = at_date(at), at_date(before)
    rows = []
    for unit in wanted:
        if unit not in now and unit not in then:
            continue
        n, b = {**zero, **now.get(unit, {})}, {**zero, **then.get(unit, {})}
        row = {"lead_unit": unit, **{k: int(n[k]) for k in SCORE_COUNTS},
               **{"before_" + k: int(b[k]) for k in SCORE_COUNTS}}
        rows.append(row)
    for r in rows:
        r["due"] = r["done_on_time"] + r["done_late"] + r["open_overdue"]
        r["rate"] = on_time_rate(r["done_on_time"], r["done_late"], r["open_overdue"])
        r["before_rate"] = on_time_rate(r["before_done_on_time"], r["before_done_late"], r["before_open_overdue"])
        r["update_rate"] = _rate(r["updated"], r["open"])
        r["rate_change"] = None if r["rate"] is None or r["before_rate"] is None else r["rate"] - r["before_rate"]
    ranks, before_ranks = _ranks(rows), _ranks(rows, "before_")
    order = {u: i for i, u in enumerate(wanted)}
    for r in rows:
        r["rank"], r["before_rank"] = ranks.get(r["lead_unit"]), before_ranks.get(r["lead_unit"])
        r["rank_change"] = None if r["rank"] is None or r["before_rank"] is None else r["before_rank"] - r["rank"]
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, order[r["lead_unit"]]))
    total = {k: int(sum(r[k] for r in now.values())) for k in SCORE_COUNTS}
    total["rate"] = on_time_rate(total["done_on_time"], total["done_late"], total["open_overdue"])
    total["due"] = total["done_on_time"] + total["done_late"] + total["open_overdue"]
    total["update_rate"] = _rate(total["updated"], total["open"])
    return {"at": at, "before": before, "rows": rows, "province_row": total,
            "ranked": sum(1 for r in rows if r["rank"] is not None)}


# ---------------------------------------------------------------- the panels
def panels(frame: pl.DataFrame, *, lead_unit: str | None = None, limit: int = 5) -> dict:
    """From ``register_rows``: the ``limit`` longest-overdue open instances (most days first) and the
    ``limit`` open instances due soonest (``due_soon``: within ``CHISO_TASK_DUE_SOON_DAYS``), with
    how many there are of each; of ``lead_unit``'s tasks only when given."""
    f = frame if lead_unit is None else frame.filter(pl.col("lead_unit") == lead_unit)
    overdue = f.filter(pl.col("state") == "open_overdue").sort(
        ["overdue_days", "starred", "task", "key"], descending=[True, True, False, False])
    soon = f.filter((pl.col("state") == "open_in_time") & pl.col("due_soon")).sort(
        ["deadline", "starred", "task", "key"], descending=[False, True, False, False])
    keep = ["id", "task", "key", "content", "lead_unit", "deadline", "overdue_days", "starred", "percent"]
    return {"overdue": overdue.head(limit).select(keep).to_dicts(), "overdue_total": overdue.height,
            "long_overdue": overdue.filter(pl.col("overdue_days") > LONG_OVERDUE_DAYS).height,
            "due_soon": soon.head(limit).select(keep).to_dicts(), "due_soon_total": soon.height}
