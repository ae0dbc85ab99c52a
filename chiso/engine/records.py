"""Compile the query that lists the records behind a criterion (drill-down).

Every number is explainable: a criterion's points come from its numerator and
denominator counts, and those from records. This query returns the records of one unit
and window that a criterion's denominator counts, each with ``_counted`` telling whether
it also counts in the numerator — the records behind lost points are those with
``_counted = FALSE``.
"""
from __future__ import annotations

import datetime as dt

from sqlglot import exp

from chiso.catalog.index_definition import Criterion, IndexDefinition
from chiso.catalog.records import RECORD_KINDS
from chiso.engine.predicates import PredicateCompiler
from chiso.engine.targets import Target, date_literal, day_number


def _true() -> exp.Expression:
    return exp.Boolean(this=True)


def compile_records(definition: IndexDefinition, criterion: Criterion, target: Target, relation: str, *,
                    start: dt.date, end: dt.date, unit_column: str, unit_code: str,
                    only_lost: bool = True, limit: int = 100, offset: int = 0) -> exp.Select:
    """Records of ``unit_column = unit_code`` in [start, end] behind ``criterion``.

    The denominator's (positive) measures select the records; the numerator's positive
    measures mark a record counted, its negative ones (e.g. complained) mark it lost.
    """
    den_measures = [definition.measures[m] for s, m in criterion.denominator if s > 0]
    num_pos = [definition.measures[m] for s, m in criterion.numerator if s > 0]
    num_neg = [definition.measures[m] for s, m in criterion.numerator if s < 0]
    kinds = {m.records for m in den_measures + num_pos + num_neg}
    if len(kinds) != 1:
        raise ValueError(f"{criterion.code} counts {' and '.join(sorted(kinds))}: list each kind's records "
                         "with its own measure")
    kind = RECORD_KINDS[kinds.pop()]
    dates = [f.name for f in kind.fields if f.type == "date"]
    day_cols = {n: f"_d_{n}" for n in dates}
    compiler = PredicateCompiler(kind, target, window_start=exp.Literal.number(day_number(start)),
                                 window_end=exp.Literal.number(day_number(end)), day_columns=day_cols)

    def cond(measures) -> exp.Expression | None:
        parts = [compiler.compile(m.where) if m.where is not None else _true() for m in measures]
        if not parts:
            return None
        out = exp.Paren(this=parts[0])
        for p in parts[1:]:
            out = exp.Or(this=out, expression=exp.Paren(this=p))
        return out

    inner = exp.select(*[exp.column(c) for c in kind.columns],
                       *[exp.alias_(target.days(exp.column(n)), day_cols[n]) for n in dates]
                       ).from_(exp.to_table(relation)).where(
        exp.EQ(this=exp.column(unit_column), expression=exp.Literal.string(unit_code)))
    if kind.window_field is not None:
        inner = inner.where(exp.Between(this=exp.column(kind.window_field), low=date_literal(start),
                                        high=date_literal(end)))
    counted = cond(num_pos) or exp.Boolean(this=False)
    negative = cond(num_neg)
    if negative is not None:
        counted = exp.And(this=exp.Paren(this=counted), expression=exp.Not(this=exp.Paren(this=negative)))
    counted_expr = exp.Case(ifs=[exp.If(this=exp.Paren(this=counted), true=exp.Boolean(this=True))],
                            default=exp.Boolean(this=False))
    q = exp.select(*[exp.column(c) for c in kind.columns], exp.alias_(counted_expr, "_counted")
                   ).from_(inner.subquery("r"))
    den = cond(den_measures)
    if den is not None:
        q = q.where(den)
    if only_lost:
        q = q.where(exp.Not(this=exp.Paren(this=counted.copy())))
    order = [exp.column(kind.window_field)] if kind.window_field else []
    order += [exp.column(k) for k in kind.key]
    return q.order_by(*order).limit(limit).offset(offset)
