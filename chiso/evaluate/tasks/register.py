"""The register's instances and their states at any dates — the one reader every task view uses.

``instances_and_lives`` turns the stored tasks and events into the frames of
``chiso.tasks.states.classify``; ``states_at`` classifies them at the dates asked (one date
for a page, every period end for the indicators).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl
from sqlalchemy.orm import Session

from chiso.periods.holidays import load_holidays
from chiso.store import repo_tasks
from chiso.tasks.deadlines import instances, roll_setting
from chiso.tasks.model import Life
from chiso.tasks.states import Policy, classify, frames


def instances_and_lives(session: Session, province: str, through: dt.date,
                        tasks: Iterable | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The frames of every instance of the province's tasks (or of ``tasks``) existing by ``through``."""
    rows = list(tasks) if tasks is not None else repo_tasks.all_tasks(session, province)
    cal, how = load_holidays(), roll_setting()
    lives = repo_tasks.lives(session, [r.id for r in rows]) if rows else {}
    pairs = []
    for row in rows:
        task = repo_tasks.domain_task(row)
        for inst in instances(task, through, cal, how):
            pairs.append((inst, lives.get((row.id, inst.key), Life())))
    return frames(pairs)


def states_at(session: Session, province: str, dates: Iterable[dt.date], *, policy: Policy | None = None,
              tasks: Iterable | None = None) -> pl.DataFrame:
    """Every instance's state at every date of ``dates`` (``chiso.tasks.states.classify``'s columns)."""
    dates = sorted(set(dates))
    if not dates:
        raise ValueError("no dates to compute task states at")
    inst, ext, upd = instances_and_lives(session, province, dates[-1], tasks)
    return classify(inst, ext, upd, dates, policy or Policy.from_settings())


# ---------------------------------------------------------------- the counts every view shares
#: The counts kept per lead unit and date (additive across units: a province's count is the sum
#: of its units'), and what each counts among the year-to-date population (``year_to_date``).
COUNTS: dict[str, str] = {
    "total": "instances in the year-to-date population",
    "done_on_time": "done on or before the deadline",
    "done_late": "done after the deadline",
    "open_in_time": "open, deadline not passed (or no deadline)",
    "open_overdue": "open, deadline passed",
    "overdue_120": "open and more than 120 days past the deadline",
    "due_soon": "open, deadline within CHISO_TASK_DUE_SOON_DAYS days",
    "open": "open (in time or overdue)",
    "updated": "open, with a progress update within CHISO_TASK_UPDATE_DAYS days",
    "starred_open_overdue": "starred (priority), open and overdue",
}


def year_to_date(states: pl.DataFrame) -> pl.DataFrame:
    """The population counted at each date (lũy kế từ đầu năm, as the Government Office reports):
    the instances open at that date, and those completed from 1 January of its year up to it.
    Instances done in an earlier year leave the count."""
    year_start = pl.date(pl.col("date").dt.year(), 1, 1)
    done_this_year = pl.col("state").is_in(["done_on_time", "done_late"]) & (pl.col("completed_on") >= year_start)
    return states.filter(pl.col("state").is_in(["open_in_time", "open_overdue"]) | done_this_year)


def counts(states: pl.DataFrame) -> pl.DataFrame:
    """``COUNTS`` per ``date`` and ``lead_unit`` of the year-to-date population of ``states``."""
    pop = year_to_date(states)
    is_ = lambda s: (pl.col("state") == s).sum().cast(pl.Int64)  # noqa: E731
    open_ = pl.col("state").is_in(["open_in_time", "open_overdue"])
    return pop.group_by("date", "lead_unit").agg(
        pl.len().cast(pl.Int64).alias("total"), is_("done_on_time").alias("done_on_time"),
        is_("done_late").alias("done_late"), is_("open_in_time").alias("open_in_time"),
        is_("open_overdue").alias("open_overdue"),
        ((pl.col("state") == "open_overdue") & (pl.col("overdue_days") > 120)).sum().cast(pl.Int64)
        .alias("overdue_120"),
        (open_ & pl.col("due_soon")).sum().cast(pl.Int64).alias("due_soon"),
        open_.sum().cast(pl.Int64).alias("open"),
        (open_ & pl.col("updated")).sum().cast(pl.Int64).alias("updated"),
        ((pl.col("state") == "open_overdue") & pl.col("starred")).sum().cast(pl.Int64)
        .alias("starred_open_overdue"),
    ).sort("date", "lead_unit")


def on_time_rate(done_on_time: float, done_late: float, open_overdue: float) -> float | None:
    """Tỷ lệ hoàn thành đúng hạn: done on time among the tasks that fell due (done, or overdue);
    None when none fell due."""
    due = done_on_time + done_late + open_overdue
    return None if due == 0 else 100.0 * done_on_time / due
