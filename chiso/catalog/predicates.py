"""Predicates (điều kiện đếm) over records, as written in definition files.

A predicate is a small SQL-like boolean expression: ``finished_date <= window_end AND
supplement_count <= 1``. It is parsed with SQLGlot into a tree and checked against a
whitelist of node kinds, the record schema's columns and the definition's settings:
nothing in it is ever evaluated as Python. The engine later rewrites the checked tree
for each SQL target.

Names a predicate may use:

- the record kind's fields (``docs/records.md``);
- ``window_start`` and ``window_end``: the first and last day of the window being scored
  (an unfinished dossier is judged at the end of the window);
- the definition's ``settings`` (numbers), e.g. ``max_supplement_requests``.

Functions: ``COALESCE``, ``LEAST``, ``GREATEST``, ``ABS`` and ``WORKDAYS(a, b)`` — the
number of working days after ``a`` up to and including ``b``: Monday to Friday less the
public holidays and days off, plus the make-up Saturdays, of the holiday calendar
(docs/holidays.md).

>>> from chiso.catalog.records import DOSSIERS
>>> tree = parse_predicate("supplement_count <= limit", DOSSIERS, settings={"limit": 1})
>>> tree.sql()
'supplement_count <= 1'
"""
from __future__ import annotations

from collections.abc import Mapping

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from chiso.catalog.records import RecordKind
from chiso.errors import PredicateError

WINDOW_NAMES = ("window_start", "window_end")
FUNCTIONS = {"COALESCE", "LEAST", "GREATEST", "ABS", "WORKDAYS"}

_ALLOWED_NODES: tuple[type[exp.Expression], ...] = (
    exp.And, exp.Or, exp.Not, exp.Paren,
    exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.Is, exp.In, exp.Between,
    exp.Add, exp.Sub, exp.Mul, exp.Neg,
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null,
    exp.Coalesce, exp.Greatest, exp.Least, exp.Abs, exp.Anonymous,
    exp.Case, exp.If,
)


def _function_name(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Anonymous):
        return str(node.this).upper()
    if isinstance(node, exp.Coalesce):
        return "COALESCE"
    if isinstance(node, exp.Greatest):
        return "GREATEST"
    if isinstance(node, exp.Least):
        return "LEAST"
    if isinstance(node, exp.Abs):
        return "ABS"
    return None


def parse_predicate(
    text: str,
    kind: RecordKind,
    *,
    settings: Mapping[str, float | int] | None = None,
    where: str | None = None,
) -> exp.Expression:
    """Parse and check one predicate; settings are substituted as literals.

    Raises ``PredicateError`` naming the offending part.
    """
    settings = dict(settings or {})
    text = " ".join(str(text).split())
    if not text:
        raise PredicateError("the predicate is empty", where=where)
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except ParseError as err:  # sqlglot names line and column
        raise PredicateError(f"cannot parse {text!r}: {err.errors[0]['description'] if err.errors else err}",
                             where=where) from None
    for node in tree.walk():
        if not isinstance(node, _ALLOWED_NODES):
            raise PredicateError(
                f"{type(node).__name__.lower()} is not allowed in a predicate ({node.sql()!r})", where=where)
        if isinstance(node, exp.Anonymous) and _function_name(node) not in FUNCTIONS:
            raise PredicateError(
                f"unknown function {node.this!r}; functions: {', '.join(sorted(FUNCTIONS))}", where=where)
        if isinstance(node, exp.Column):
            if node.table:
                raise PredicateError(f"qualified names are not allowed: {node.sql()!r}", where=where)
            name = node.name
            if kind.has(name) or name in WINDOW_NAMES:
                continue
            if name in settings:
                continue
            raise PredicateError(
                f"unknown name {name!r} for {kind.name}; fields: {', '.join(kind.columns)}"
                + (f"; settings: {', '.join(sorted(settings))}" if settings else ""),
                where=where,
            )
    if isinstance(tree, exp.Anonymous) and _function_name(tree) == "WORKDAYS" and len(tree.expressions) != 2:
        raise PredicateError("WORKDAYS takes two dates", where=where)
    for node in tree.find_all(exp.Anonymous):
        if _function_name(node) == "WORKDAYS" and len(node.expressions) != 2:
            raise PredicateError("WORKDAYS takes two dates", where=where)

    def substitute(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not kind.has(node.name) and node.name in settings:
            value = settings[node.name]
            if float(value).is_integer():
                value = int(value)
            return exp.Literal.number(value)
        return node

    return tree.transform(substitute)


def uses_window(tree: exp.Expression) -> bool:
    """Whether the predicate depends on the window (so it must be evaluated per window end)."""
    return any(isinstance(n, exp.Column) and n.name in WINDOW_NAMES for n in tree.walk())


def parse_measure_expression(text: str, measures: Mapping[str, object], *, where: str | None = None
                             ) -> tuple[tuple[int, str], ...]:
    """Parse ``on_time - complained`` into signed measure terms ``((1, 'on_time'), (-1, 'complained'))``.

    >>> parse_measure_expression("a - b + c", {"a": 1, "b": 1, "c": 1})
    ((1, 'a'), (-1, 'b'), (1, 'c'))
    """
    tokens = str(text).replace("+", " + ").replace("-", " - ").split()
    if not tokens:
        raise PredicateError("empty measure expression", where=where)
    terms: list[tuple[int, str]] = []
    sign = 1
    expect_name = True
    for tok in tokens:
        if expect_name:
            if tok in "+-":
                sign = sign * (-1 if tok == "-" else 1)
                continue
            if tok not in measures:
                raise PredicateError(f"unknown measure {tok!r}; measures: {', '.join(measures)}", where=where)
            terms.append((sign, tok))
            sign, expect_name = 1, False
        else:
            if tok not in "+-":
                raise PredicateError(f"expected + or - before {tok!r} in {text!r}", where=where)
            sign = -1 if tok == "-" else 1
            expect_name = True
    if expect_name:
        raise PredicateError(f"{text!r} ends with an operator", where=where)
    return tuple(terms)
