"""SQL dialects: where compiled definitions run (DuckDB, PostgreSQL, Spark SQL).

Dialects differ only by a few flags and small overrides; the compiler never asks which
dialect it is. Dates are compared as whole day numbers (days since 1970-01-01), the one
representation every engine handles the same way, so ``appointment_date + supplement_days``
and per-window end days need no dialect-specific interval arithmetic.
"""
from __future__ import annotations

import datetime as dt

from sqlglot import exp

EPOCH = dt.date(1970, 1, 1)


def day_number(d: dt.date) -> int:
    """Days since 1970-01-01.

    >>> day_number(dt.date(1970, 1, 2))
    1
    """
    return (d - EPOCH).days


def date_literal(d: dt.date) -> exp.Expression:
    return exp.cast(exp.Literal.string(d.isoformat()), exp.DataType.Type.DATE)


class Dialect:
    """A SQL engine the compiler renders for."""

    name = "generic"
    dialect = ""
    # WITH x AS MATERIALIZED: compute a CTE read several times only once
    MATERIALIZE_CTE = True

    def days(self, column: exp.Expression) -> exp.Expression:
        """Whole days since 1970-01-01 of a DATE expression."""
        return exp.Sub(this=column, expression=date_literal(EPOCH))

    def int_div(self, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        """Integer division of non-negative whole numbers, parenthesised (sqlglot renders
        DuckDB's ``//`` without brackets, which ``*`` would otherwise bind wrongly)."""
        return exp.Paren(this=exp.IntDiv(this=a, expression=b))

    def count_if(self, cond: exp.Expression | None) -> exp.Expression:
        """How many rows of the group meet ``cond`` (all rows when None): ``COUNT(*) FILTER
        (WHERE cond)``, standard SQL that PostgreSQL and Spark take, measured 1.8× faster
        than ``SUM(CASE …)`` on PostgreSQL and DuckDB."""
        if cond is None:
            return exp.Count(this=exp.Star())
        return exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=cond))

    def render(self, tree: exp.Expression, pretty: bool = False) -> str:
        return tree.sql(dialect=self.dialect, pretty=pretty)


class DuckDBDialect(Dialect):
    name = "duckdb"
    dialect = "duckdb"

    def count_if(self, cond: exp.Expression | None) -> exp.Expression:
        # COUNT_IF takes the condition as a plain boolean input: no selection vector per
        # aggregate. The dossier counts of a national year of 10M dossiers: 0.83 / 0.88 s
        # against 1.09 / 1.11 s with FILTER, best / median of five (decision 187). It is NULL
        # for a group whose condition is never true or false (all NULL), hence the COALESCE.
        if cond is None:
            return exp.Count(this=exp.Star())
        return exp.Coalesce(this=exp.CountIf(this=cond), expressions=[exp.Literal.number(0)])


class PostgresDialect(Dialect):
    name = "postgres"
    dialect = "postgres"

    def int_div(self, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        # DIV() returns numeric in PostgreSQL; integer / integer truncates, which for
        # non-negative operands is the floor we want, and stays an integer.
        return exp.Paren(this=exp.Div(this=a, expression=b, typed=True))


class SparkDialect(Dialect):
    name = "spark"
    dialect = "spark"
    MATERIALIZE_CTE = False  # Spark SQL has no MATERIALIZED hint

    def days(self, column: exp.Expression) -> exp.Expression:
        # Spark subtracts dates into an interval; DATEDIFF gives the whole days.
        return exp.Anonymous(this="DATEDIFF", expressions=[column, date_literal(EPOCH)])


DIALECTS: dict[str, Dialect] = {t.name: t for t in (DuckDBDialect(), PostgresDialect(), SparkDialect())}


def dialect(name: str) -> Dialect:
    """The dialect called ``name``: duckdb, postgres or spark."""
    try:
        return DIALECTS[name]
    except KeyError:
        raise KeyError(f"unknown SQL target {name!r}; known: {', '.join(DIALECTS)}") from None
