"""The task-fed indicators' values: the register's counts as rows of the values relation.

An indicator with ``tasks: {measure: …}`` (``chiso.catalog.indicator.TaskSource``) is not typed
by anyone: for every period of its frequency's kind and the longer ones (a monthly indicator:
months, quarters and years; a weekly one: weeks too) from the first task's assignment up to
``through``, its value is ``chiso.evaluate.tasks.register.counts``' measure at
the period's last day (the current period: at ``through``), over the year-to-date population
(``register.year_to_date``). Units:

- the province: every task of the province (the sum over lead units — additive, never an
  average);
- each department or commune of the indicator's levels: the tasks it leads (0 when none).

Every instance is classified once per distinct date (``register.states_at``: one polars pass),
then counted and spread over units, periods and indicators with joins — no Python loop per row.
Formula indicators over these counts (the on-time and update rates) are computed downstream like
any other (``chiso.evaluate.dm.derived.all_values``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chiso.catalog.indicator import Indicator
from chiso.engine.relation import SCHEMA, empty_values
from chiso.evaluate.tasks.register import COUNTS, counts, states_at
from chiso.periods.reporting import window_containing
from chiso.periods.windows import Window
from chiso.store.models_tasks import TaskRow
from chiso.tasks.states import Policy
from chiso.units.registry import UnitTree

#: The period kinds task-fed values are given for (the rates compute at each of them too).
PERIOD_KINDS = ("week", "month", "quarter", "year")
#: An indicator's values: at its frequency's kind and every longer one.
KINDS_OF = {"weekly": PERIOD_KINDS, "monthly": PERIOD_KINDS[1:], "quarterly": PERIOD_KINDS[2:],
            "yearly": PERIOD_KINDS[3:]}


def task_periods(first: dt.date, through: dt.date, kinds=PERIOD_KINDS) -> list[Window]:
    """Every period of ``kinds`` that ends on or after ``first`` and has begun by ``through``."""
    out: list[Window] = []
    for kind in kinds:
        w = window_containing(kind, through)
        while w.end >= first:
            out.append(w)
            w = w.previous()
    return sorted(out, key=lambda w: (PERIOD_KINDS.index(w.kind), w.start))


def first_assigned(session: Session, province: str) -> dt.date | None:
    """The day the province's first task was assigned (None: the register is empty)."""
    return session.scalar(select(func.min(TaskRow.assigned_on)).where(TaskRow.province_code == province))


def task_values(session: Session, indicators: Mapping[str, Indicator], tree: UnitTree, province: str,
                through: dt.date, *, policy: Policy | None = None) -> pl.DataFrame:
    """Rows of the values relation for every task-fed indicator of ``indicators``: each unit of its
    levels (the province: all its tasks; a department or commune: the tasks it leads) and each
    period of its frequency's kind and the longer ones (``KINDS_OF``) from the first task's
    assignment up to ``through``."""
    fed = {code: ind for code, ind in indicators.items() if ind.tasks is not None}
    first = first_assigned(session, province) if fed else None
    if not fed or first is None or first > through:
        return empty_values()
    periods = task_periods(first, through, tuple(k for k in PERIOD_KINDS
                                                 if any(k in KINDS_OF[i.frequency] for i in fed.values())))
    dates = pl.DataFrame({"date": sorted({min(w.end, through) for w in periods})}, schema={"date": pl.Date})
    states = states_at(session, province, dates["date"].to_list(), policy=policy)
    measures = list(COUNTS)
    per_unit = counts(states).select("date", "lead_unit", *measures)
    whole = dates.join(per_unit.group_by("date").agg(pl.col(m).sum() for m in measures), on="date", how="left")
    unit_rows = _units(tree, province, {lvl for ind in fed.values() for lvl in ind.levels})
    parts = unit_rows.filter(pl.col("level") != "province").join(dates, how="cross").join(
        per_unit.rename({"lead_unit": "unit_code"}), on=["unit_code", "date"], how="left")
    whole = whole.with_columns(pl.lit(province).alias("unit_code"), pl.lit("province").alias("level"))
    table = pl.concat([whole.select(parts.columns), parts], how="vertical")
    table = table.with_columns(pl.col(m).fill_null(0) for m in measures)
    long = table.unpivot(index=["unit_code", "level", "date"], on=measures, variable_name="measure",
                         value_name="value")
    frame = pl.DataFrame(
        [(w.label, w.kind, w.start, w.end, min(w.end, through)) for w in periods],
        schema={"period": pl.String, "period_kind": pl.String, "period_start": pl.Date, "period_end": pl.Date,
                "date": pl.Date}, orient="row")
    wanted = pl.DataFrame(
        [(code, ind.tasks.measure, lvl, ind.version, kind) for code, ind in fed.items() for lvl in ind.levels
         for kind in KINDS_OF[ind.frequency]],
        schema={"indicator": pl.String, "measure": pl.String, "level": pl.String, "indicator_version": pl.Int64,
                "period_kind": pl.String}, orient="row")
    out = (wanted.join(long, on=["measure", "level"]).join(frame, on=["date", "period_kind"])
           .with_columns(pl.col("value").cast(pl.Float64)))
    return out.select(list(SCHEMA)).sort("indicator", "unit_code", "period_kind", "period_start")


def _units(tree: UnitTree, province: str, levels: set[str]) -> pl.DataFrame:
    """The province and its units of ``levels``: ``unit_code, level``."""
    rows = [(province, "province")]
    rows += [(u.code, u.level) for u in tree.children(province) if u.level in levels and u.level != "province"]
    return pl.DataFrame(rows, schema={"unit_code": pl.String, "level": pl.String}, orient="row")
