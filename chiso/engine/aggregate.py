"""Aggregation (tổng hợp) of indicator values up the unit hierarchy and across periods.

Each indicator says how (``Indicator.aggregation``): ``units`` for communes and
departments → province (→ nation), ``periods`` for finer → coarser periods (months →
quarter → year). The rules:

==================  ==========================================================
``sum``             Σ x (NULLs skipped; NULL when every value is NULL)
``mean``            the mean of the values that are not NULL
``weighted_mean``   Σ x·w ÷ Σ w over the parts where both x and the weight
                    indicator w have values
``ratio_of_sums``   Σ numerator ÷ Σ denominator × scale, over the parts where both
                    have values (÷ 0 → NULL)
``last``            across periods: the value of the latest part period; across
                    units it does not apply, like ``none``
``none``            not aggregated
==================  ==========================================================

The parts of a province are its units at the levels the indicator is reported for
(``Indicator.levels``); the parts of a quarter are the ``from_kind`` periods inside it,
and by default a period is only aggregated when all its parts are there (``complete``).
A value the relation already holds for the whole is kept: aggregation adds only the
missing ones (``missing_only``). Like formulas, each rule is one SQLGlot tree rendered
for the engine (DuckDB or PostgreSQL).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import polars as pl
from sqlalchemy import Connection, Engine
from sqlglot import exp

from chiso.catalog.indicator import Aggregation, AggregationRule, Indicator
from chiso.engine.relation import PERIOD_KINDS, SCHEMA, check_values, empty_values
from chiso.engine.runners import SQLEngine, open_engine
from chiso.errors import ChisoError
from chiso.formula.sql import double
from chiso.periods.windows import Window, day, month, parse_window, quarter, week_of, year
from chiso.units.registry import UnitTree

#: Which period kinds can be summed into which: a week fits in its ISO year only.
NESTS: dict[str, tuple[str, ...]] = {
    "day": ("week", "month", "quarter", "year"),
    "week": ("year",),
    "month": ("quarter", "year"),
    "quarter": ("year",),
    "year": (),
}
_PART = ("unit_code", "period", "period_kind", "period_start", "period_end")


# ------------------------------------------------------------------ rules → SQL
def _nullif0(e: exp.Expression) -> exp.Expression:
    return exp.Nullif(this=e, expression=exp.Literal.number(0))


def _when(cond: exp.Expression, value: exp.Expression) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=cond, true=value)])


def _present(name: str) -> exp.Expression:
    return exp.Not(this=exp.Is(this=exp.column(name), expression=exp.Null()))


def rule_sql(rule: AggregationRule, aggregation: Aggregation) -> exp.Expression | None:
    """The aggregate over part rows with columns x (the value), w (weight), n, d
    (numerator, denominator) and is_last; None for a rule that does not aggregate."""
    x, w, n, d = (exp.column(c) for c in "xwnd")
    if rule == "sum":
        return exp.Sum(this=x)
    if rule == "mean":
        return exp.Avg(this=x)
    if rule == "weighted_mean":
        return exp.Paren(this=exp.Div(
            this=exp.Sum(this=exp.Paren(this=exp.Mul(this=x, expression=w))),
            expression=_nullif0(exp.Sum(this=_when(_present("x"), w.copy())))))
    if rule == "ratio_of_sums":
        return exp.Paren(this=exp.Mul(this=exp.Paren(this=exp.Div(
            this=exp.Sum(this=_when(_present("d"), n)),
            expression=_nullif0(exp.Sum(this=_when(_present("n"), d))))),
            expression=double(aggregation.scale)))
    if rule == "last":
        return exp.Max(this=_when(exp.column("is_last"), x))
    return None


def _inputs(aggregation: Aggregation, rule: AggregationRule, code: str) -> dict[str, str]:
    """Column → indicator code the rule reads."""
    if rule == "ratio_of_sums":
        return {"n": aggregation.numerator, "d": aggregation.denominator}
    if rule == "weighted_mean":
        return {"x": code, "w": aggregation.weight}
    return {"x": code}


def _parts_select(values: str, inputs: dict[str, str]) -> exp.Select:
    """One row per part (unit × period) with the rule's inputs side by side; a part counts
    where the aggregated quantity itself (x, or the numerator or denominator) has a row —
    a weight alone makes no part."""
    def is_(refs) -> exp.Expression:
        return exp.In(this=exp.column("indicator"), expressions=[exp.Literal.string(r) for r in sorted(set(refs))])

    columns = [exp.alias_(exp.Max(this=_when(exp.EQ(this=exp.column("indicator"),
                                                    expression=exp.Literal.string(ref)),
                                             exp.column("value"))), col)
               for col, ref in inputs.items()]
    primary = [ref for col, ref in inputs.items() if col != "w"]
    counted = exp.Sum(this=exp.Case(ifs=[exp.If(this=is_(primary), true=exp.Literal.number(1))],
                                    default=exp.Literal.number(0)))
    return (exp.select(*_PART, *columns).from_(values).where(is_(inputs.values()))
            .group_by(*_PART).having(exp.GT(this=counted, expression=exp.Literal.number(0))))


def _whole_query(values: str, wholes: exp.Expression, rule_value: exp.Expression, inputs: dict[str, str],
                 join_on: list[str], whole: list[str], having: exp.Expression | None,
                 needs_last: bool) -> exp.Select:
    """Parts joined to the table naming their wholes (on ``join_on``), grouped by ``whole``."""
    parts = _parts_select(values, inputs)
    source = (exp.select(*[exp.column(c, table="p") for c in _PART],
                         *[exp.column(c, table="p") for c in inputs],
                         *[exp.column(c, table="m") for c in whole if c not in _PART])
              .from_(exp.alias_(exp.Subquery(this=parts), "p", table=True))
              .join(exp.alias_(wholes, "m", table=True), on=exp.and_(*[exp.EQ(this=exp.column(c, table="m"),
                                                             expression=exp.column(c, table="p"))
                                                     for c in join_on])))
    if needs_last:
        latest = exp.Window(this=exp.Max(this=exp.column("period_start")),
                            partition_by=[exp.column(c) for c in ("unit_code", *whole)])
        source = exp.select(exp.Star(), exp.alias_(
            exp.EQ(this=exp.column("period_start"), expression=latest), "is_last")).from_(
            exp.alias_(exp.Subquery(this=source), "s", table=True))
    query = (exp.select(*whole, exp.alias_(rule_value, "value"))
             .from_(exp.alias_(exp.Subquery(this=source), "q", table=True))
             .group_by(*whole))
    return query.having(having) if having is not None else query


# ------------------------------------------------------------------ the two directions
def _rules(indicators: Mapping[str, Indicator], attr: str) -> list[tuple[str, Indicator, AggregationRule]]:
    out = []
    for code in sorted(indicators):
        rule = getattr(indicators[code].aggregation, attr)
        if rule != "none" and not (attr == "units" and rule == "last"):
            out.append((code, indicators[code], rule))
    return out


def _finish(derived: pl.DataFrame, values: pl.DataFrame, missing_only: bool) -> pl.DataFrame:
    if missing_only and derived.height:
        derived = derived.join(values.select("indicator", "unit_code", "period", "period_kind"),
                               on=["indicator", "unit_code", "period", "period_kind"], how="anti")
    return derived.select(list(SCHEMA)).sort("indicator", "unit_code", "period_kind", "period_start")


def _unit_step(engine: SQLEngine, indicators: Mapping[str, Indicator], values: pl.DataFrame,
               parents: pl.DataFrame, levels_of: Mapping[str, set[str]]) -> pl.DataFrame:
    """One step up: every part's value into its parent's, per indicator."""
    table, parent_table = engine.table_name("values"), engine.table_name("parents")
    engine.load(table, values.drop("indicator_version"))
    engine.load(parent_table, parents)
    frames = []
    try:
        for code, indicator, rule in _rules(indicators, "units"):
            inputs = _inputs(indicator.aggregation, rule, code)
            levels = sorted(levels_of[code])
            if not levels:
                continue
            at_levels = exp.Subquery(this=exp.select("unit_code", "parent_code").from_(parent_table).where(
                exp.In(this=exp.column("level"), expressions=[exp.Literal.string(v) for v in levels])))
            query = _whole_query(table, at_levels,
                                 rule_sql(rule, indicator.aggregation), inputs, ["unit_code"],
                                 ["parent_code", "period", "period_kind", "period_start", "period_end"],
                                 None, False)
            frame = engine.fetch(engine.target.render(query), {
                "parent_code": pl.String, "period": pl.String, "period_kind": pl.String,
                "period_start": pl.Date, "period_end": pl.Date, "value": pl.Float64})
            frames.append(frame.rename({"parent_code": "unit_code"}).with_columns(
                indicator=pl.lit(code), indicator_version=pl.lit(indicator.version, pl.Int64)))
    finally:
        engine.drop(table)
        engine.drop(parent_table)
    return pl.concat([f.select(list(SCHEMA)) for f in frames]) if frames else empty_values()


def aggregate_units(indicators: Mapping[str, Indicator], values: pl.DataFrame, units: UnitTree, *,
                    to_level: str = "province", missing_only: bool = True,
                    on: str | Connection | Engine = "duckdb") -> pl.DataFrame:
    """Province values from their departments' and communes' values (and, with
    ``to_level="nation"``, the nation's from the provinces'), by each indicator's
    ``aggregation.units`` rule. Returns the derived rows as a values relation.
    """
    if to_level not in ("province", "nation"):
        raise ChisoError(f"units aggregate to 'province' or 'nation', not {to_level!r}")
    values = check_values(values)
    codes = set(values["unit_code"].unique().to_list())
    unknown = sorted(c for c in codes if c not in units)
    if unknown:
        raise ChisoError(f"values relation: unknown unit code{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(unknown[:10])}")
    rows = [(u.code, u.parent_code, u.level) for u in (units.get(c) for c in sorted(codes))
            if u.parent_code is not None]
    parents = pl.DataFrame(rows, schema={"unit_code": pl.String, "parent_code": pl.String,
                                         "level": pl.String}, orient="row")
    below = {c: set(ind.levels) & {"department", "commune"} for c, ind in indicators.items()}
    with open_engine(on) as engine:
        derived = _unit_step(engine, indicators, values, parents.filter(pl.col("level") != "province"), below)
        if to_level == "nation":
            known = pl.concat([values, _finish(derived, values, True)])
            province_rows = [(u.code, u.parent_code, u.level) for u in units.provinces()]
            national = pl.DataFrame(province_rows, schema=parents.schema, orient="row")
            derived = pl.concat([derived, _unit_step(engine, indicators, known, national,
                                                     {c: {"province"} for c in indicators})])
    return _finish(derived, values, missing_only)


def containing(window: Window, kind: str) -> Window:
    """The period of ``kind`` that holds a finer period.

    >>> containing(parse_window("2026-08"), "quarter").label
    '2026-Q3'
    >>> containing(parse_window("2026-W01"), "year").label   # ISO week-year
    '2026'
    """
    if window.kind == "week":
        return year(int(window.label[:4]))
    s = window.start
    return {"week": lambda: week_of(s), "month": lambda: month(s.year, s.month),
            "quarter": lambda: quarter(s.year, (s.month - 1) // 3 + 1), "year": lambda: year(s.year),
            "day": lambda: day(s)}[kind]()


def parts_in(window: Window, kind: str) -> int:
    """How many periods of ``kind`` make up ``window`` (weeks: ISO weeks of its year)."""
    if kind == "day":
        return window.days
    if kind == "week":
        return dt.date(int(window.label[:4]), 12, 28).isocalendar()[1]
    if kind == "month":
        return {"month": 1, "quarter": 3, "year": 12}[window.kind]
    if kind == "quarter":
        return {"quarter": 1, "year": 4}[window.kind]
    return 1


def period_map(periods: Iterable[str], from_kind: str, to_kind: str) -> pl.DataFrame:
    """period → the whole it belongs to (``target``…) and how many parts make a whole."""
    rows = []
    for label in sorted(set(periods)):
        whole = containing(parse_window(label), to_kind)
        rows.append((label, from_kind, whole.label, to_kind, whole.start, whole.end, parts_in(whole, from_kind)))
    return pl.DataFrame(rows, schema={"period": pl.String, "period_kind": pl.String, "target": pl.String,
                                      "target_kind": pl.String, "target_start": pl.Date,
                                      "target_end": pl.Date, "parts": pl.Int64}, orient="row")


def aggregate_periods(indicators: Mapping[str, Indicator], values: pl.DataFrame, from_kind: str,
                      to_kind: str, *, complete: bool = True, missing_only: bool = True,
                      on: str | Connection | Engine = "duckdb") -> pl.DataFrame:
    """Values of ``to_kind`` periods from the ``from_kind`` periods inside them (months →
    quarter…), per unit, by each indicator's ``aggregation.periods`` rule.

    With ``complete`` (the default) a whole is only given when every part period has a
    row; otherwise from the parts there are.
    """
    for k in (from_kind, to_kind):
        if k not in PERIOD_KINDS:
            raise ChisoError(f"period kind {k!r} is not one of {', '.join(PERIOD_KINDS)}")
    if to_kind not in NESTS[from_kind]:
        fits = ", ".join(NESTS[from_kind]) or "nothing larger"
        raise ChisoError(f"{from_kind} periods do not add up to {to_kind} periods "
                         f"(a {from_kind} fits in: {fits})")
    values = check_values(values)
    parts = values.filter(pl.col("period_kind") == from_kind)
    mapping = period_map(parts["period"].to_list(), from_kind, to_kind)
    whole = ["target", "target_kind", "target_start", "target_end", "parts"]
    frames = []
    with open_engine(on) as engine:
        table, map_table = engine.table_name("values"), engine.table_name("periods")
        engine.load(table, parts.drop("indicator_version"))
        engine.load(map_table, mapping)
        try:
            for code, indicator, rule in _rules(indicators, "periods"):
                inputs = _inputs(indicator.aggregation, rule, code)
                having = (exp.EQ(this=exp.Count(this=exp.Distinct(expressions=[exp.column("period")])),
                                 expression=exp.Max(this=exp.column("parts"))) if complete else None)
                query = _whole_query(table, exp.to_table(map_table), rule_sql(rule, indicator.aggregation), inputs,
                                     ["period", "period_kind"], whole, having, rule == "last")
                query = query.select("unit_code").group_by("unit_code")
                frame = engine.fetch(engine.target.render(query), {
                    "target": pl.String, "target_kind": pl.String, "target_start": pl.Date,
                    "target_end": pl.Date, "parts": pl.Int64, "value": pl.Float64, "unit_code": pl.String})
                frames.append(frame.select(
                    indicator=pl.lit(code), unit_code="unit_code", period="target", period_kind="target_kind",
                    period_start="target_start", period_end="target_end", value="value",
                    indicator_version=pl.lit(indicator.version, pl.Int64)))
        finally:
            engine.drop(table)
            engine.drop(map_table)
    derived = pl.concat(frames) if frames else empty_values()
    return _finish(derived, values, missing_only)
