"""Computing formula indicators (tính chỉ số theo công thức) over the values relation.

For every formula indicator, in dependency order, one SQL statement computes its value
for every unit × period in its *domain* and adds the rows to the working table, so the
indicators after it can use them. The domain is every unit × period at which one of
the indicators it reads this period (plainly, or through ``previous``, ``last_year`` or
``ytd``) has a row; a formula that only reads ``annual(X)`` follows X's rows. Inputs
missing there are NULL and the value follows the NULL rules (NULL rows are kept: the
inputs were there, the value is not defined). Values supplied for a formula indicator
are not inputs: the computed ones take their place.

The statement is one SQLGlot tree rendered for the engine's target, so DuckDB and
PostgreSQL run the same query; ``reference.py`` computes the same thing in plain Python.

>>> import datetime as dt
>>> from chiso.catalog.indicator import Indicator
>>> def ind(code, formula=None):
...     return Indicator(code=code, name=code, name_en=code, definition="-", group="output",
...                      field="FINANCE", unit="%", source_system="-", owner="24", formula=formula)
>>> values = pl.DataFrame({"indicator": ["NS_THU", "NS_DU_TOAN"], "unit_code": ["24", "24"],
...     "period": ["2026-08", "2026"], "period_kind": ["month", "year"],
...     "period_start": [dt.date(2026, 8, 1), dt.date(2026, 1, 1)],
...     "period_end": [dt.date(2026, 8, 31), dt.date(2026, 12, 31)],
...     "value": [2500.0, 40000.0], "indicator_version": [1, 1]})
>>> indicators = {c.code: c for c in (ind("NS_THU"), ind("NS_DU_TOAN"),
...               ind("NS_TIEN_DO", "round(ytd(NS_THU) / annual(NS_DU_TOAN) * 100, 2)"))}
>>> compute(indicators, values).select("indicator", "period", "value").rows()
[('NS_TIEN_DO', '2026-08', 6.25)]
"""
from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from sqlalchemy import Connection, Engine
from sqlglot import exp

from chiso.catalog.indicator import Indicator
from chiso.engine.relation import SCHEMA, calendar, check_values, empty_values
from chiso.engine.runners import SQLEngine, open_engine
from chiso.formula.ast import Node, PeriodRef, Ref
from chiso.formula.graph import dependency_order, indicator_formulas
from chiso.formula.parse import Formula
from chiso.formula.sql import compile_formula, layered_select

#: Columns of the working table: the relation's, less the version, plus the period's year.
WORK_COLUMNS = ("indicator", "unit_code", "period", "period_kind", "period_start", "period_end",
                "value", "period_year")
_PERIOD_COLUMNS = ("unit_code", "period", "period_kind", "period_start", "period_end")
#: Same-kind period functions: the calendar column naming the period each one reads.
_SHIFT = {"previous": "previous", "last_year": "last_year"}


def domain_codes(formula: Formula) -> frozenset[str]:
    """The indicators whose rows make a formula's domain (see the module docstring)."""
    same_kind = frozenset(n.code for n in formula.tree.walk()
                          if isinstance(n, Ref) or (isinstance(n, PeriodRef) and n.function != "annual"))
    return same_kind or formula.references


def _col(name: str, table: str) -> exp.Column:
    return exp.column(name, table=table)


def _eq(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.EQ(this=a, expression=b)


def _str(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def formula_select(code: str, formula: Formula, work: str, cal: str) -> exp.Select:
    """The SELECT computing one formula indicator: key columns, ``value``, ``period_year``.

    ``work`` is the working table (WORK_COLUMNS) and ``cal`` the period calendar table.
    """
    domain = sorted(domain_codes(formula))
    keys = (exp.select(*_PERIOD_COLUMNS).distinct().from_(work)
            .where(exp.In(this=exp.column("indicator"), expressions=[_str(c) for c in domain])))
    base = (exp.select(*[_col(c, "k") for c in _PERIOD_COLUMNS], _col("period_year", "c"))
            .from_("keys AS k")
            .join(f"{cal} AS c", on=exp.and_(_eq(_col("period", "c"), _col("period", "k")),
                                              _eq(_col("period_kind", "c"), _col("period_kind", "k")))))
    aliases: dict[tuple[str, str], str] = {}
    leaves = sorted({(n.function if isinstance(n, PeriodRef) else "this", n.code)
                     for n in formula.tree.walk() if isinstance(n, (Ref, PeriodRef))})
    for i, (function, ref) in enumerate(leaves):
        alias, r = f"l{i}", f"r{i}"
        aliases[(function, ref)] = alias
        same_unit = [_eq(_col("unit_code", r), _col("unit_code", "k"))]
        if function == "ytd":
            sums = (exp.select(*[_col(c, "k2") for c in ("unit_code", "period", "period_kind")],
                               exp.alias_(exp.Sum(this=_col("value", "x")), "value"))
                    .from_("keys AS k2")
                    .join(f"{cal} AS c2", on=exp.and_(_eq(_col("period", "c2"), _col("period", "k2")),
                                                       _eq(_col("period_kind", "c2"), _col("period_kind", "k2"))))
                    .join(f"{work} AS x", on=exp.and_(
                        _eq(_col("indicator", "x"), _str(ref)),
                        _eq(_col("unit_code", "x"), _col("unit_code", "k2")),
                        _eq(_col("period_kind", "x"), _col("period_kind", "k2")),
                        _eq(_col("period_year", "x"), _col("period_year", "c2")),
                        exp.LTE(this=_col("period_start", "x"), expression=_col("period_start", "k2"))))
                    .group_by(*[_col(c, "k2") for c in ("unit_code", "period", "period_kind")]))
            on = exp.and_(*same_unit, _eq(_col("period", r), _col("period", "k")),
                          _eq(_col("period_kind", r), _col("period_kind", "k")))
            base = base.join(exp.alias_(exp.Subquery(this=sums), r, table=True), on=on, join_type="left", copy=False)
        else:
            if function == "annual":
                kind, period = _str("year"), _col("annual", "c")
            elif function == "this":
                kind, period = _col("period_kind", "k"), _col("period", "k")
            else:
                kind, period = _col("period_kind", "k"), _col(_SHIFT[function], "c")
            on = exp.and_(_eq(_col("indicator", r), _str(ref)), *same_unit,
                          _eq(_col("period_kind", r), kind), _eq(_col("period", r), period))
            base = base.join(f"{work} AS {r}", on=on, join_type="left", copy=False)
        base = base.select(exp.alias_(_col("value", r), alias), copy=False)

    def leaf(node: Node) -> exp.Expression:
        function = node.function if isinstance(node, PeriodRef) else "this"
        return exp.column(aliases[(function, node.code)])

    compiled = compile_formula(formula.tree, leaf)
    select = layered_select(compiled, base.with_("keys", as_=keys, copy=False), list(_PERIOD_COLUMNS))
    return select.select("period_year", copy=False)


def _work_frame(values: pl.DataFrame, cal: pl.DataFrame) -> pl.DataFrame:
    return (values.join(cal.select("period", "period_kind", "period_year"), on=["period", "period_kind"],
                        how="left")
            .select(WORK_COLUMNS))


def compute_on(engine: SQLEngine, indicators: Mapping[str, Indicator], values: pl.DataFrame) -> pl.DataFrame:
    """Compute every formula indicator on an open engine; the relation of computed values."""
    formulas = indicator_formulas(indicators)
    order = dependency_order(formulas)
    values = check_values(values)
    if not order:
        return empty_values()
    inputs = values.filter(~pl.col("indicator").is_in(order))
    cal = calendar(values)
    work, cal_table = engine.table_name("work"), engine.table_name("calendar")
    engine.load(work, _work_frame(inputs, cal))
    engine.load(cal_table, cal)
    try:
        for code in order:
            if not formulas[code].references:
                continue  # a constant has no domain: no unit or period to give it to
            select = formula_select(code, formulas[code], work, cal_table)
            rows = exp.select(exp.alias_(_str(code), "indicator"), *_PERIOD_COLUMNS, "value",
                              "period_year").from_(exp.alias_(exp.Subquery(this=select), "s", table=True))
            insert = exp.insert(rows, work, columns=list(WORK_COLUMNS))
            engine.execute(engine.target.render(insert))
        codes = ", ".join(f"'{c}'" for c in order)  # codes match CODE_PATTERN: no quotes inside
        result = engine.fetch(
            f"SELECT {', '.join(WORK_COLUMNS[:-1])} FROM {work} WHERE indicator IN ({codes})",
            {c: SCHEMA[c] for c in WORK_COLUMNS[:-1]})
    finally:
        engine.drop(work)
        engine.drop(cal_table)
    versions = pl.DataFrame({"indicator": order, "indicator_version": [indicators[c].version for c in order]},
                            schema={"indicator": pl.String, "indicator_version": pl.Int64})
    return (result.join(versions, on="indicator", how="left").select(list(SCHEMA))
            .sort("indicator", "unit_code", "period_kind", "period_start"))


def compute(indicators: Mapping[str, Indicator], values: pl.DataFrame,
            on: str | Connection | Engine = "duckdb") -> pl.DataFrame:
    """The values of every formula indicator, as a values relation.

    Args:
        indicators: the catalogue, by code (formula indicators and everything they read).
        values: the values relation (data elements and other indicators' values).
        on: ``"duckdb"`` (in process), a PostgreSQL URL, SQLAlchemy ``Engine`` or open
            ``Connection`` — the same SQL runs on each.

    Raises:
        FormulaError: a formula that cannot be read, names an unknown indicator, or a cycle.
        LoadError: a values relation that breaks the contract.
    """
    with open_engine(on) as engine:
        return compute_on(engine, indicators, values)
