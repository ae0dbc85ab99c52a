"""The reference evaluator: a formula's value, by walking its tree in plain Python.

It is the yardstick the SQL engines are tested against (same NULL, division and rounding
rules: semantics.py) and a quick way to evaluate a formula on a handful of numbers. It
never calls Python's ``eval``: each node kind has one small method.

>>> from chiso.formula import parse_formula
>>> f = parse_formula("round(NS_THU / NS_DU_TOAN * 100, 1)")
>>> evaluate(f.tree, {"NS_THU": 10_250.0, "NS_DU_TOAN": 32_000.0})
32.0
>>> evaluate(parse_formula("(KT.GRDP / last_year(KT.GRDP) - 1) * 100").tree,
...          {"KT.GRDP": 110.0, ("last_year", "KT.GRDP"): 100.0})
10.000000000000009
"""
from __future__ import annotations

import operator
from collections.abc import Callable, Mapping

from chiso.formula import semantics
from chiso.formula.ast import Arith, Call, Compare, Logic, Neg, Node, Not, Number, PeriodRef, Ref

Value = float | bool | None
#: A leaf's value: ``Ref`` → the indicator's value this period; ``PeriodRef`` → its
#: value in the other period (or the year-to-date sum).
Leaves = Mapping[object, float | None] | Callable[[Node], float | None]

_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "=": operator.eq, "!=": operator.ne}


class Evaluator:
    """One method per node kind, found by the node's key (as the SQL compiler does)."""

    def __init__(self, leaves: Leaves):
        if callable(leaves):
            self._leaf = leaves
        else:
            def _leaf(node: Node) -> float | None:
                key = node.code if isinstance(node, Ref) else (node.function, node.code)
                v = leaves.get(key)
                return None if v is None else float(v)
            self._leaf = _leaf

    def value(self, node: Node) -> Value:
        # "not" is a Python keyword: its method is not_
        method = getattr(self, node.key, None) or getattr(self, node.key + "_", None)
        if method is None:
            raise TypeError(f"the reference evaluator has no rule for {type(node).__name__}")
        return method(node)

    def number(self, node: Number) -> float:
        return float(node.value)

    def ref(self, node: Ref) -> float | None:
        return self._leaf(node)

    def periodref(self, node: PeriodRef) -> float | None:
        return self._leaf(node)

    def neg(self, node: Neg) -> float | None:
        v = self.value(node.operand)
        return None if v is None else -v

    def arith(self, node: Arith) -> float | None:
        a, b = self.value(node.left), self.value(node.right)
        if node.op == "/":
            return semantics.divide(a, b)
        if a is None or b is None:
            return None
        return a + b if node.op == "+" else a - b if node.op == "-" else a * b

    def compare(self, node: Compare) -> bool | None:
        a, b = self.value(node.left), self.value(node.right)
        if a is None or b is None:
            return None
        return _COMPARE[node.op](a, b)

    def logic(self, node: Logic) -> bool | None:
        a, b = self.value(node.left), self.value(node.right)
        return semantics.both_and(a, b) if node.op == "and" else semantics.either_or(a, b)

    def not_(self, node: Not) -> bool | None:
        v = self.value(node.operand)
        return None if v is None else not v

    def call(self, node: Call) -> float | None:
        if node.name == "if":
            cond = self.value(node.args[0])
            if cond is None:
                return None
            return self.value(node.args[1] if cond else node.args[2])
        args = [self.value(a) for a in node.args]
        if node.name == "min":
            return semantics.least(args)
        if node.name == "max":
            return semantics.greatest(args)
        if node.name == "coalesce":
            return semantics.coalesce(args)
        if node.name == "abs":
            return None if args[0] is None else abs(args[0])
        if node.name == "round":
            digits = int(args[1]) if len(args) == 2 else 0
            return semantics.round_half_away(args[0], digits)
        raise TypeError(f"the reference evaluator has no rule for function {node.name!r}")


def evaluate(tree: Node, leaves: Leaves) -> float | None:
    """The value of a formula tree given its leaves' values (a mapping or a function).

    A mapping is keyed by indicator code for plain references and by
    ``(function, code)`` for period functions; a missing key is NULL.
    """
    return Evaluator(leaves).value(tree)
