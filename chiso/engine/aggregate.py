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
# Every indicator of a step is aggregated by one query: the rules are data (a table of
# indicator → rule, scale and the codes it reads), so the work grows with the values,
# not with the number of indicators (a query per indicator took seconds on a province's
# hundred indicators, most of it building and rendering the trees).
_INPUTS = ("x", "w", "n", "d")
_RULES = {"indicator": pl.String, "indicator_version": pl.Int64, "rule": pl.String, "scale": pl.Float64}
_READS = {"indicator": pl.String, "role": pl.String, "ref": pl.String}


def _nullif0(e: exp.Expression) -> exp.Expression:
    return exp.Nullif(this=e, expression=exp.Literal.number(0))


def _when(cond: exp.Expression, value: exp.Expression) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=cond, true=value)])


def _present(name: str) -> exp.Expression:
    return exp.Not(this=exp.Is(this=exp.column(name), expression=exp.Null()))


def _is(column: str, value: str, table: str | None = None) -> exp.Expression:
    return exp.EQ(this=exp.column(column, table=table), expression=exp.Literal.string(value))


def rule_sql(rule: AggregationRule, scale: exp.Expression) -> exp.Expression | None:
    """The aggregate over part rows with columns x (the value), w (weight), n, d
    (numerator, denominator) and is_last; None for a rule that does not aggregate.

    >>> from chiso.engine.dialects import dialect
    >>> dialect("duckdb").render(rule_sql("weighted_mean", exp.column("scale")))
    '(SUM((x * w)) / NULLIF(SUM(CASE WHEN NOT x IS NULL THEN w END), 0))'
    """
    x, w, n, d = (exp.column(c) for c in _INPUTS)
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
            expression=scale))
    if rule == "last":
        return exp.Max(this=_when(exp.column("is_last"), x))
    return None


def _any_rule(with_last: bool) -> exp.Expression:
    """The value of a whole under the rule its indicator names (column ``rule``)."""
    ifs = [exp.If(this=_is("rule", r), true=rule_sql(r, exp.column("scale")))
           for r in ("sum", "mean", "weighted_mean", "ratio_of_sums", "last")[:5 if with_last else 4]]
    return exp.Case(ifs=ifs)


def _reads(aggregation: Aggregation, rule: AggregationRule, code: str) -> dict[str, str]:
    """Input column → indicator code the rule reads."""
    if rule == "ratio_of_sums":
        return {"n": aggregation.numerator, "d": aggregation.denominator}
    if rule == "weighted_mean":
        return {"x": code, "w": aggregation.weight}
    return {"x": code}


def _rule_tables(rules: list[tuple[str, Indicator, AggregationRule]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rules as two tables: indicator → rule and scale, and (indicator, role, code read)."""
    head = [(code, ind.version, rule, float(ind.aggregation.scale)) for code, ind, rule in rules]
    reads = [(code, role, ref) for code, ind, rule in rules
             for role, ref in _reads(ind.aggregation, rule, code).items()]
    return (pl.DataFrame(head, schema=_RULES, orient="row"),
            pl.DataFrame(reads, schema=_READS, orient="row"))


def _parts_select(values: str, reads: str) -> exp.Select:
    """One row per indicator × part (unit × period) with the rule's inputs side by side; a
    part counts where the aggregated quantity itself (x, or the numerator or denominator)
    has a row — a weight alone makes no part."""
    columns = [exp.alias_(exp.Max(this=_when(_is("role", c, "r"), exp.column("value", table="v"))), c)
               for c in _INPUTS]
    counted = exp.Sum(this=exp.Case(ifs=[exp.If(this=exp.NEQ(this=exp.column("role", table="r"),
                                                             expression=exp.Literal.string("w")),
                                                true=exp.Literal.number(1))],
                                    default=exp.Literal.number(0)))
    keys = [exp.column("indicator", table="r"), *[exp.column(c, table="v") for c in _PART]]
    return (exp.select(*keys, *columns)
            .from_(exp.alias_(exp.to_table(values), "v", table=True))
            .join(exp.alias_(exp.to_table(reads), "r", table=True),
                  on=exp.EQ(this=exp.column("ref", table="r"), expression=exp.column("indicator", table="v")))
            .group_by(*[k.copy() for k in keys])
            .having(exp.GT(this=counted, expression=exp.Literal.number(0))))


def _whole_query(values: str, reads: str, rules: str, wholes: exp.Expression, join_on: exp.Expression,
                 whole: list[str], having: exp.Expression | None, needs_last: bool) -> exp.Select:
    """Parts (``p``) joined to the rules and to the table naming their wholes (``m``,
    on ``join_on``), grouped by indicator and ``whole``."""
    parts = _parts_select(values, reads)
    source = (exp.select(exp.column("indicator", table="p"), exp.column("rule", table="k"),
                         exp.column("scale", table="k"), exp.column("indicator_version", table="k"),
                         *[exp.column(c, table="p") for c in (*_PART, *_INPUTS)],
                         *[exp.column(c, table="m") for c in whole if c not in _PART])
              .from_(exp.alias_(exp.Subquery(this=parts), "p", table=True))
              .join(exp.alias_(exp.to_table(rules), "k", table=True),
                    on=exp.EQ(this=exp.column("indicator", table="k"), expression=exp.column("indicator", table="p")))
              .join(exp.alias_(wholes, "m", table=True), on=join_on))
    if needs_last:
        latest = exp.Window(this=exp.Max(this=exp.column("period_start")),
                            partition_by=[exp.column(c) for c in dict.fromkeys(("indicator", "unit_code", *whole))])
        source = exp.select(exp.Star(), exp.alias_(
            exp.EQ(this=exp.column("period_start"), expression=latest), "is_last")).from_(
            exp.alias_(exp.Subquery(this=source), "s", table=True))
    group = ["indicator", "indicator_version", "rule", "scale", *whole]
    query = (exp.select(*group, exp.alias_(_any_rule(needs_last), "value"))
             .from_(exp.alias_(exp.Subquery(this=source), "q", table=True))
             .group_by(*group))
    return query.having(having) if having is not None else query


def _on(pairs: Iterable[tuple[str, str, str, str]]) -> exp.Expression:
    return exp.and_(*[exp.EQ(this=exp.column(a, table=ta), expression=exp.column(b, table=tb))
                      for ta, a, tb, b in pairs])


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


class _Step:
    """The tables of one aggregation step on an engine, dropped when it ends."""

    def __init__(self, engine: SQLEngine, **frames: pl.DataFrame):
        self.engine, self.names = engine, {stem: engine.table_name(stem) for stem in frames}
        self.frames = frames

    def __enter__(self) -> dict[str, str]:
        for stem, frame in self.frames.items():
            self.engine.load(self.names[stem], frame)
        return self.names

    def __exit__(self, *exc) -> None:
        for name in self.names.values():
            self.engine.drop(name)


def _unit_step(engine: SQLEngine, indicators: Mapping[str, Indicator], values: pl.DataFrame,
               parents: pl.DataFrame, levels_of: Mapping[str, set[str]]) -> pl.DataFrame:
    """One step up: every part's value into its parent's, for every indicator at once."""
    rules = [(code, ind, rule) for code, ind, rule in _rules(indicators, "units") if levels_of[code]]
    if not rules or values.is_empty():
        return empty_values()
    head, reads = _rule_tables(rules)
    levels = pl.DataFrame([(code, lvl) for code, _, _ in rules for lvl in sorted(levels_of[code])],
                          schema={"indicator": pl.String, "level": pl.String}, orient="row")
    wholes = levels.join(parents, on="level").select("indicator", "unit_code", "parent_code")
    whole = ["parent_code", "period", "period_kind", "period_start", "period_end"]
    with _Step(engine, values=values.drop("indicator_version"), reads=reads, rules=head, wholes=wholes) as t:
        query = _whole_query(t["values"], t["reads"], t["rules"], exp.to_table(t["wholes"]),
                             _on([("m", "indicator", "p", "indicator"), ("m", "unit_code", "p", "unit_code")]),
                             whole, None, False)
        frame = engine.fetch(engine.target.render(query), {
            "indicator": pl.String, "indicator_version": pl.Int64, "rule": pl.String, "scale": pl.Float64,
            "parent_code": pl.String, "period": pl.String, "period_kind": pl.String,
            "period_start": pl.Date, "period_end": pl.Date, "value": pl.Float64})
    return frame.rename({"parent_code": "unit_code"}).select(list(SCHEMA))


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
    rules = _rules(indicators, "periods")
    if not rules or parts.is_empty():
        return _finish(empty_values(), values, missing_only)
    head, reads = _rule_tables(rules)
    mapping = period_map(parts["period"].to_list(), from_kind, to_kind)
    whole = ["unit_code", "target", "target_kind", "target_start", "target_end", "parts"]
    having = (exp.EQ(this=exp.Count(this=exp.Distinct(expressions=[exp.column("period")])),
                     expression=exp.Max(this=exp.column("parts"))) if complete else None)
    with open_engine(on) as engine, _Step(engine, values=parts.drop("indicator_version"), reads=reads,
                                          rules=head, periods=mapping) as t:
        query = _whole_query(t["values"], t["reads"], t["rules"], exp.to_table(t["periods"]),
                             _on([("m", "period", "p", "period"), ("m", "period_kind", "p", "period_kind")]),
                             whole, having, True)
        frame = engine.fetch(engine.target.render(query), {
            "indicator": pl.String, "indicator_version": pl.Int64, "rule": pl.String, "scale": pl.Float64,
            "unit_code": pl.String, "target": pl.String, "target_kind": pl.String, "target_start": pl.Date,
            "target_end": pl.Date, "parts": pl.Int64, "value": pl.Float64})
    derived = frame.select(
        "indicator", "unit_code", period="target", period_kind="target_kind", period_start="target_start",
        period_end="target_end", value="value", indicator_version="indicator_version")
    return _finish(derived, values, missing_only)
