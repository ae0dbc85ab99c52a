"""The state of a task instance at a date — computed from its deadline and its events, never typed.

At a date ``d`` an instance that exists (``opens_on <= d``) is in exactly one of four states:

- **done on time** / **done late**: its completion report has been accepted and the work was
  completed on or before ``d``; on time when completed on or before the deadline (the deadline
  day itself is on time);
- **open within deadline** / **open overdue**: not done by ``d``; overdue from the day after
  the deadline. An instance with no deadline is never late or overdue.

Which deadline judges it is a setting (``CHISO_TASK_ON_TIME_AGAINST``): ``approved`` (the
default) — the deadline as extended by the office's approvals decided by then — or
``original``. Overdue age is counted in calendar days past that deadline and bucketed
1–30, 31–60, 61–120, > 120 days; "due soon" is an open instance whose deadline is at most
``CHISO_TASK_DUE_SOON_DAYS`` days away; an open instance is "updated" when its lead unit
reported progress in the last ``CHISO_TASK_UPDATE_DAYS`` days (up to ``d``).

``state_at`` says it for one instance and date (the reference); ``classify`` for many
instances at many dates at once (polars joins, no Python loop per row); a test holds them equal.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from chiso import settings
from chiso.errors import SettingsError
from chiso.tasks.model import BUCKETS, Instance, Life

AGAINST = ("approved", "original")


@dataclass(frozen=True)
class Policy:
    """The settings that judge states: which deadline, and the two windows in days."""

    against: str = "approved"
    due_soon_days: int = 7
    update_days: int = 7

    @classmethod
    def from_settings(cls, env: dict[str, str] | None = None) -> Policy:
        against = (settings.get("CHISO_TASK_ON_TIME_AGAINST", env) or "approved").strip()
        if against not in AGAINST:
            raise SettingsError(f"CHISO_TASK_ON_TIME_AGAINST must be one of {', '.join(AGAINST)}, not {against!r}")
        return cls(against, settings.whole_number("CHISO_TASK_DUE_SOON_DAYS", env, minimum=0),
                   settings.whole_number("CHISO_TASK_UPDATE_DAYS", env, minimum=1))


@dataclass(frozen=True)
class State:
    state: str
    deadline: dt.date | None      # the deadline that judged it
    overdue_days: int             # open overdue: days past the deadline; done late: days late; else 0
    bucket: str | None            # the overdue age bucket of an open overdue instance
    due_soon: bool
    updated: bool                 # open, with a progress update in the last ``update_days`` days


def bucket_of(days: int) -> str | None:
    """The overdue age bucket of ``days`` past the deadline (None for 0 or fewer)."""
    for code, first, last in BUCKETS:
        if days >= first and (last is None or days <= last):
            return code
    return None


def deadline_at(instance: Instance, life: Life, day: dt.date, policy: Policy) -> dt.date | None:
    """The deadline that holds on ``day``: the original, or the last extension decided by then."""
    if policy.against == "original":
        return instance.deadline
    granted = [(decided, new) for decided, new in life.extensions if decided <= day]
    return max(granted)[1] if granted else instance.deadline


def state_at(instance: Instance, life: Life, day: dt.date, policy: Policy = Policy()) -> State | None:
    """The instance's state on ``day``; None before it exists."""
    if instance.opens_on > day:
        return None
    if life.completed_on is not None and life.accepted_on is not None and life.completed_on <= day:
        deadline = deadline_at(instance, life, life.completed_on, policy)
        late = 0 if deadline is None else max(0, (life.completed_on - deadline).days)
        return State("done_late" if late else "done_on_time", deadline, late, None, False, False)
    deadline = deadline_at(instance, life, day, policy)
    updated = any(day - dt.timedelta(days=policy.update_days) < u <= day for u in life.updates)
    if deadline is None or day <= deadline:
        soon = deadline is not None and (deadline - day).days <= policy.due_soon_days
        return State("open_in_time", deadline, 0, None, soon, updated)
    days = (day - deadline).days
    return State("open_overdue", deadline, days, bucket_of(days), False, updated)


# ---------------------------------------------------------------- many at once
INSTANCES = {"id": pl.String, "task": pl.String, "key": pl.String, "lead_unit": pl.String,
             "opens_on": pl.Date, "deadline": pl.Date, "starred": pl.Boolean, "completed_on": pl.Date}
EXTENSIONS = {"id": pl.String, "decided_on": pl.Date, "granted": pl.Date}
UPDATES = {"id": pl.String, "on": pl.Date}


def frames(pairs: list[tuple[Instance, Life]]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The three frames ``classify`` reads, from instances and their lives (``completed_on`` only
    when the completion was accepted)."""
    inst, ext, upd = [], [], []
    for i, life in pairs:
        ident = f"{i.task}|{i.key}"
        done = life.completed_on if life.accepted_on is not None else None
        inst.append((ident, i.task, i.key, i.lead_unit, i.opens_on, i.deadline, i.starred, done))
        ext += [(ident, decided, new) for decided, new in life.extensions]
        upd += [(ident, u) for u in life.updates]
    return (pl.DataFrame(inst, schema=INSTANCES, orient="row"), pl.DataFrame(ext, schema=EXTENSIONS, orient="row"),
            pl.DataFrame(upd, schema=UPDATES, orient="row"))


def _as_of(grid: pl.DataFrame, right: pl.DataFrame, on: str, right_on: str, value: str, name: str) -> pl.DataFrame:
    """``grid`` with column ``name``: the ``value`` of ``right``'s last row (by ``right_on``) of the
    same instance on or before ``grid[on]``; ties on ``right_on`` take the largest value."""
    if right.is_empty():
        return grid.with_columns(pl.lit(None, dtype=right.schema[value]).alias(name))
    r = (right.group_by("id", right_on).agg(pl.col(value).max()).rename({value: name})
         .sort(right_on))
    g = grid.with_row_index("_row").sort(on)
    out = g.join_asof(r, left_on=on, right_on=right_on, by="id", strategy="backward", check_sortedness=False)
    extra = [c for c in out.columns if c not in grid.columns and c != name]
    return out.sort("_row").drop(extra)


def classify(instances: pl.DataFrame, extensions: pl.DataFrame, updates: pl.DataFrame,
             dates: list[dt.date], policy: Policy = Policy()) -> pl.DataFrame:
    """Every instance at every date it exists: ``date, id, task, key, lead_unit, starred, state,
    deadline, overdue_days, bucket, due_soon, updated, completed_on`` (the completion date of a done
    instance) — the same answers as ``state_at``."""
    days = pl.DataFrame({"date": sorted(set(dates))}, schema={"date": pl.Date})
    grid = instances.join(days, how="cross").filter(pl.col("opens_on") <= pl.col("date"))
    if grid.is_empty():
        return _empty()
    if policy.against == "approved":
        grid = _as_of(grid, extensions, "date", "decided_on", "granted", "ext_now")
        grid = grid.with_columns(pl.coalesce(pl.col("completed_on"), pl.col("date")).alias("_judged"))
        grid = _as_of(grid, extensions, "_judged", "decided_on", "granted", "ext_done")
        now_dl = pl.coalesce("ext_now", "deadline")
        done_dl = pl.coalesce("ext_done", "deadline")
    else:
        now_dl = done_dl = pl.col("deadline")
    upd = updates.rename({"on": "_on"}).with_columns(pl.col("_on").alias("_last"))
    grid = _as_of(grid, upd, "date", "_on", "_last", "last_update")
    done = pl.col("completed_on").is_not_null() & (pl.col("completed_on") <= pl.col("date"))
    late_days = (pl.col("completed_on") - done_dl).dt.total_days()
    over_days = (pl.col("date") - now_dl).dt.total_days()
    state = (pl.when(done & (done_dl.is_null() | (late_days <= 0))).then(pl.lit("done_on_time"))
             .when(done).then(pl.lit("done_late"))
             .when(now_dl.is_null() | (over_days <= 0)).then(pl.lit("open_in_time"))
             .otherwise(pl.lit("open_overdue")))
    out = grid.with_columns(
        state.alias("state"),
        pl.when(done).then(done_dl).otherwise(now_dl).alias("judged_deadline"),
        pl.when(done & (late_days > 0)).then(late_days).when(~done & (over_days > 0)).then(over_days)
        .otherwise(0).cast(pl.Int64).alias("overdue_days"),
        (~done & now_dl.is_not_null() & (over_days <= 0) & (-over_days <= policy.due_soon_days)).alias("due_soon"),
        (~done & pl.col("last_update").is_not_null()
         & ((pl.col("date") - pl.col("last_update")).dt.total_days() < policy.update_days)).alias("updated"),
    )
    bucket = pl.lit(None, dtype=pl.String)
    for code, first, last in reversed(BUCKETS):
        cond = (pl.col("state") == "open_overdue") & (pl.col("overdue_days") >= first)
        if last is not None:
            cond = cond & (pl.col("overdue_days") <= last)
        bucket = pl.when(cond).then(pl.lit(code)).otherwise(bucket)
    out = out.with_columns(bucket.alias("bucket"), pl.col("due_soon").fill_null(False),
                           pl.col("updated").fill_null(False))
    return out.select("date", "id", "task", "key", "lead_unit", "starred", "state",
                      pl.col("judged_deadline").alias("deadline"), "overdue_days", "bucket", "due_soon", "updated",
                      pl.when(done).then(pl.col("completed_on")).alias("completed_on"))


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={"date": pl.Date, "id": pl.String, "task": pl.String, "key": pl.String,
                                "lead_unit": pl.String, "starred": pl.Boolean, "state": pl.String,
                                "deadline": pl.Date, "overdue_days": pl.Int64, "bucket": pl.String,
                                "due_soon": pl.Boolean, "updated": pl.Boolean, "completed_on": pl.Date})
