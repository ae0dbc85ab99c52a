"""Rewrite a checked predicate tree (``chiso.catalog.predicates``) for a target.

One method per node kind that needs rewriting, found by name (``_rewrite_column``,
``_rewrite_anonymous``); every other node passes through unchanged. Date fields become
day numbers, ``window_start``/``window_end`` become the expressions the counts query
provides, and ``WORKDAYS`` becomes integer arithmetic.
"""
from __future__ import annotations

from sqlglot import exp

from chiso.catalog.records import RecordKind
from chiso.engine.targets import Target


def _int(n: int) -> exp.Expression:
    return exp.Literal.number(n)


def weekdays_through(day: exp.Expression, target: Target) -> exp.Expression:
    """Working days (Mon–Fri) counted from a fixed Monday up to ``day`` (a day number).

    Day 0 (1970-01-01) is a Thursday, so ``day + 3`` counts from Monday 1969-12-29.
    WORKDAYS(a, b) = weekdays_through(b) - weekdays_through(a).
    """
    e = exp.Paren(this=exp.Add(this=day, expression=_int(3)))
    full_weeks = exp.Mul(this=_int(5), expression=target.int_div(e.copy(), _int(7)))
    weekday = exp.Paren(this=exp.Mod(this=e.copy(), expression=_int(7)))  # 0 = Monday
    rest = exp.Case(ifs=[exp.If(this=exp.GTE(this=weekday, expression=_int(5)), true=_int(5))],
                    default=exp.Add(this=weekday.copy(), expression=_int(1)))
    return exp.Paren(this=exp.Add(this=full_weeks, expression=rest))


class PredicateCompiler:
    """Rewrites predicates over one record kind, reading columns from ``source`` alias."""

    def __init__(self, kind: RecordKind, target: Target, *, window_start: exp.Expression,
                 window_end: exp.Expression, day_columns: dict[str, str]):
        self.kind = kind
        self.target = target
        self.window = {"window_start": window_start, "window_end": window_end}
        # date field -> name of the column that carries it as a day number
        self.day_columns = day_columns

    def compile(self, tree: exp.Expression) -> exp.Expression:
        return tree.copy().transform(self._rewrite)

    def _rewrite(self, node: exp.Expression) -> exp.Expression:
        method = getattr(self, f"_rewrite_{node.key}", None)
        return method(node) if method else node

    def _rewrite_column(self, node: exp.Column) -> exp.Expression:
        name = node.name
        if name in self.window:
            return self.window[name].copy()
        if self.kind.has(name) and self.kind.field(name).type == "date":
            return exp.column(self.day_columns[name])
        return exp.column(name)

    def _rewrite_anonymous(self, node: exp.Anonymous) -> exp.Expression:
        if str(node.this).upper() == "WORKDAYS":
            a, b = (self._rewrite_column(x) if isinstance(x, exp.Column) else x for x in node.expressions)
            return exp.Paren(this=exp.Sub(this=weekdays_through(b, self.target),
                                          expression=weekdays_through(a, self.target)))
        return node
