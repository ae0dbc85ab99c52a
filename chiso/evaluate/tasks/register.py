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
