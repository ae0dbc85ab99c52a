"""All values of a province's indicators: submitted, fed by the index engine, aggregated, computed.

The values relation from collection holds what owners submitted. Status, warnings, the
dashboard and bulletins need more: the synthetic indicators fed by the index engine (the
766 total and its groups, from the stored weekly score runs), province values built from
their units' values and years from their months (each indicator's aggregation rule), and
the formula indicators computed from all of these. ``all_values`` assembles them in that
order; a submitted value is never replaced by a derived one.
"""
from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.catalog.indicator import Indicator
from chiso.engine.aggregate import NESTS, aggregate_periods, aggregate_units
from chiso.engine.formulas import compute
from chiso.engine.relation import SCHEMA, check_values, empty_values
from chiso.periods.windows import parse_window
from chiso.store.models import CriterionResult, ScoreRun, UnitResult
from chiso.units.registry import UnitTree

#: Period aggregations tried, smallest first, so that months make quarters before years.
PERIOD_STEPS = tuple((a, b) for a in ("day", "week", "month", "quarter") for b in NESTS[a])


def index_values(session: Session, indicators: Mapping[str, Indicator], tree: UnitTree,
                 province: str, definition) -> pl.DataFrame:
    """Values of the index-fed indicators from the latest stored run of each weekly window."""
    fed = {code: ind for code, ind in indicators.items() if ind.index is not None}
    if not fed:
        return empty_values()
    latest: dict[str, ScoreRun] = {}
    for run in session.scalars(select(ScoreRun).order_by(ScoreRun.computed_at, ScoreRun.id)):
        if run.window.count("-W") == 1:
            latest[run.window] = run  # later runs of a window replace earlier ones
    if not latest:
        return empty_values()
    levels = {lvl for ind in fed.values() for lvl in ind.levels}
    wanted = {u.code for u in _units_at(tree, province, levels)}
    group_of = {c.code: g.code for g in definition.groups for c in g.criteria}
    run_ids = {run.id: window for window, run in latest.items()}
    totals = session.execute(select(UnitResult.run_id, UnitResult.unit_code, UnitResult.total)
                             .where(UnitResult.run_id.in_(run_ids), UnitResult.unit_code.in_(wanted))).all()
    points = session.execute(select(CriterionResult.run_id, CriterionResult.unit_code, CriterionResult.criterion,
                                    CriterionResult.points)
                             .where(CriterionResult.run_id.in_(run_ids),
                                    CriterionResult.unit_code.in_(wanted))).all()
    groups: dict[tuple[int, str, str], float] = {}
    for run_id, unit, criterion, pts in points:
        key = (run_id, unit, group_of.get(criterion, ""))
        groups[key] = groups.get(key, 0.0) + (pts or 0.0)
    rows = []
    for code, ind in fed.items():
        level_units = {u.code for u in _units_at(tree, province, set(ind.levels))}
        source = totals if ind.index.group is None else [
            (r, u, round(v, 2)) for (r, u, g), v in groups.items() if g == ind.index.group]
        for run_id, unit, value in source:
            if unit not in level_units:
                continue
            w = parse_window(run_ids[run_id])
            rows.append({"indicator": code, "unit_code": unit, "period": w.label, "period_kind": "week",
                         "period_start": w.start, "period_end": w.end, "value": float(value),
                         "indicator_version": ind.version})
    return pl.DataFrame(rows, schema=SCHEMA) if rows else empty_values()


def _units_at(tree: UnitTree, province: str, levels: set[str]):
    out = []
    if "province" in levels:
        out.append(tree.get(province))
    for unit in tree.children(province):
        if unit.level in levels:
            out.append(unit)
    return out


def _add_missing(values: pl.DataFrame, extra: pl.DataFrame) -> pl.DataFrame:
    """``values`` plus the rows of ``extra`` whose key it does not have yet."""
    if extra.is_empty():
        return values
    key = ["indicator", "unit_code", "period", "period_kind"]
    fresh = extra.join(values.select(key), on=key, how="anti")
    return pl.concat([values, check_values(fresh)], how="vertical") if not fresh.is_empty() else values


def all_values(indicators: Mapping[str, Indicator], values: pl.DataFrame, tree: UnitTree, *,
               index_rows: pl.DataFrame | None = None, on="duckdb") -> pl.DataFrame:
    """Submitted values, then index-fed rows, province and longer-period aggregates, then the
    formula indicators computed from all of them (DuckDB by default; a PostgreSQL URL,
    engine or connection runs the same SQL there)."""
    rel = check_values(values)
    if index_rows is not None:
        rel = _add_missing(rel, index_rows)
    if rel.is_empty():
        return rel
    rel = _add_missing(rel, aggregate_units(indicators, rel, tree, to_level="province", on=on))
    for small, large in PERIOD_STEPS:
        if rel.filter(pl.col("period_kind") == small).is_empty():
            continue
        rel = _add_missing(rel, aggregate_periods(indicators, rel, small, large, on=on))
    formulas = [code for code, ind in indicators.items() if ind.formula]
    if not formulas:
        return rel
    computed = compute(indicators, rel, on=on)
    return pl.concat([rel.filter(~pl.col("indicator").is_in(formulas)), check_values(computed)],
                     how="vertical")
