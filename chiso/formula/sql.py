"""Formula tree → SQLGlot expression tree, rendered per target (DuckDB, PostgreSQL, Spark).

The same compiler as the index engine's in spirit and in parts: targets come from
``chiso.engine.dialects`` and a tree is rendered with ``Dialect.render``. Every number is
a DOUBLE, so all engines do the same binary floating-point arithmetic as the reference
evaluator; the NULL, division and rounding rules are those of ``semantics.py``:

- ``a / b`` → ``a / NULLIF(b, 0)``;
- ``min``/``max`` → ``LEAST``/``GREATEST`` (they skip NULLs on every target);
- ``if(c, a, b)`` → ``CASE c WHEN TRUE THEN a WHEN FALSE THEN b END`` (NULL when c is);
- ``round(x, n)`` → ``CASE WHEN x < 0 THEN -r ELSE r END`` with
  ``r = FLOOR(ABS(x) * 10ⁿ + HALF) / 10ⁿ``.

``round`` uses its argument more than once; an argument that is not a plain column is
first *bound*: given a name in a lower SELECT layer (see ``Compiled.layers``), so nested
``round`` calls never copy SQL exponentially.

>>> from chiso.formula import parse_formula
>>> from chiso.engine.dialects import dialect
>>> c = compile_formula(parse_formula("A / (B - 1)").tree, lambda n: exp.column("v_" + n.code))
>>> dialect("duckdb").render(c.value)
'(v_A / NULLIF((v_B - CAST(1.0 AS DOUBLE)), 0))'
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp

from chiso.errors import FormulaError
from chiso.formula import semantics
from chiso.formula.ast import Arith, Call, Compare, Logic, Neg, Node, Not, Number, PeriodRef, Ref

#: How a leaf (an indicator's value this period, or in another) is read: a column.
LeafSQL = Callable[[Node], exp.Expression]

DOUBLE = exp.DataType.Type.DOUBLE
_ARITH = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul, "/": exp.Div}
_COMPARE = {"<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE, "=": exp.EQ, "!=": exp.NEQ}


def double(value: float) -> exp.Expression:
    """A DOUBLE literal; ``repr`` is the shortest text that reads back as the same double.

    >>> double(0.1).sql("duckdb")
    'CAST(0.1 AS DOUBLE)'
    """
    return exp.cast(exp.Literal.number(repr(float(value))), DOUBLE)


@dataclass
class Compiled:
    """A compiled formula: ``value`` over the leaf columns and the bound columns.

    ``layers[i]`` lists ``(name, expression)`` pairs computed in SELECT layer i + 1,
    each using only leaf columns and names of lower layers.
    """

    value: exp.Expression
    layers: list[list[tuple[str, exp.Expression]]] = field(default_factory=list)


class FormulaCompiler:
    """One method per node kind (``number``, ``ref``, ``arith``…), found by the node's key."""

    def __init__(self, leaf: LeafSQL, prefix: str = "b"):
        self._leaf = leaf
        self._prefix = prefix
        self._layers: list[list[tuple[str, exp.Expression]]] = []
        self._layer_of: dict[str, int] = {}   # bound name → its layer (1-based)
        self._count = 0

    def compile(self, tree: Node) -> Compiled:
        value = self.sql(tree)
        return Compiled(value, [list(layer) for layer in self._layers])

    def sql(self, node: Node) -> exp.Expression:
        method = getattr(self, node.key, None) or getattr(self, node.key + "_", None)
        if method is None:
            raise FormulaError(f"the SQL compiler has no rule for {type(node).__name__}")
        return method(node)

    # ---------------------------------------------------------------- binding
    def _bind(self, expression: exp.Expression) -> exp.Expression:
        """A plain column with the expression's value, computed in a lower layer."""
        if isinstance(expression, (exp.Column, exp.Literal, exp.Cast)):
            return expression  # a column or a number: cheap to repeat
        used = [self._layer_of[c.name] for c in expression.find_all(exp.Column) if c.name in self._layer_of]
        layer = max(used, default=0) + 1
        while len(self._layers) < layer:
            self._layers.append([])
        self._count += 1
        name = f"{self._prefix}{self._count}"
        self._layers[layer - 1].append((name, expression))
        self._layer_of[name] = layer
        return exp.column(name)

    # ---------------------------------------------------------------- leaves
    def number(self, node: Number) -> exp.Expression:
        return double(float(node.value))

    def ref(self, node: Ref) -> exp.Expression:
        return self._leaf(node)

    def periodref(self, node: PeriodRef) -> exp.Expression:
        return self._leaf(node)

    # ---------------------------------------------------------------- operators
    def neg(self, node: Neg) -> exp.Expression:
        return exp.Paren(this=exp.Neg(this=self.sql(node.operand)))

    def arith(self, node: Arith) -> exp.Expression:
        left, right = self.sql(node.left), self.sql(node.right)
        if node.op == "/":
            right = exp.Nullif(this=right, expression=exp.Literal.number(0))
        return exp.Paren(this=_ARITH[node.op](this=left, expression=right))

    def compare(self, node: Compare) -> exp.Expression:
        return exp.Paren(this=_COMPARE[node.op](this=self.sql(node.left), expression=self.sql(node.right)))

    def logic(self, node: Logic) -> exp.Expression:
        kind = exp.And if node.op == "and" else exp.Or
        return exp.Paren(this=kind(this=self.sql(node.left), expression=self.sql(node.right)))

    def not_(self, node: Not) -> exp.Expression:
        return exp.Paren(this=exp.Not(this=self.sql(node.operand)))

    # ---------------------------------------------------------------- functions
    def call(self, node: Call) -> exp.Expression:
        method = getattr(self, f"call_{node.name}", None)
        if method is None:
            raise FormulaError(f"the SQL compiler has no rule for function {node.name!r}")
        return method(node)

    def call_min(self, node: Call) -> exp.Expression:
        first, *rest = (self.sql(a) for a in node.args)
        return exp.Least(this=first, expressions=rest, ignore_nulls=True)

    def call_max(self, node: Call) -> exp.Expression:
        first, *rest = (self.sql(a) for a in node.args)
        return exp.Greatest(this=first, expressions=rest, ignore_nulls=True)

    def call_abs(self, node: Call) -> exp.Expression:
        return exp.Abs(this=self.sql(node.args[0]))

    def call_coalesce(self, node: Call) -> exp.Expression:
        first, *rest = (self.sql(a) for a in node.args)
        return exp.Coalesce(this=first, expressions=rest)

    def call_if(self, node: Call) -> exp.Expression:
        cond, a, b = (self.sql(x) for x in node.args)
        return exp.Case(this=cond, ifs=[exp.If(this=exp.true(), true=a),
                                         exp.If(this=exp.false(), true=b)])

    def call_round(self, node: Call) -> exp.Expression:
        digits = 0
        if len(node.args) == 2:
            d = node.args[1]
            digits = int(d.value) if isinstance(d, Number) else -int(d.operand.value)
        x = self._bind(self.sql(node.args[0]))
        f = double(semantics.scale(digits))
        magnitude = exp.Abs(this=x.copy())
        shifted = exp.Mul(this=magnitude, expression=f) if digits >= 0 else exp.Div(this=magnitude, expression=f)
        floor = exp.Floor(this=exp.Add(this=shifted, expression=double(semantics.HALF)))
        r = exp.Paren(this=exp.Div(this=floor, expression=f.copy()) if digits >= 0
                      else exp.Mul(this=floor, expression=f.copy()))
        negative = exp.LT(this=x.copy(), expression=double(0.0))
        return exp.Case(ifs=[exp.If(this=negative, true=exp.Paren(this=exp.Neg(this=r.copy())))], default=r)


def layered_select(compiled: Compiled, base: exp.Select, keep: list[str]) -> exp.Select:
    """``SELECT keep…, value`` over ``base`` (which gives the leaf columns), with a
    subquery layer for each layer of bound columns in between."""
    query = base
    for depth, layer in enumerate(compiled.layers, 1):
        query = (exp.select(exp.Star(), *[exp.alias_(e, name) for name, e in layer])
                 .from_(exp.alias_(exp.Subquery(this=query), f"layer{depth}", table=True)))
    return exp.select(*keep, exp.alias_(compiled.value, "value")).from_(
        exp.alias_(exp.Subquery(this=query), "f", table=True))


def compile_formula(tree: Node, leaf: LeafSQL, prefix: str = "b") -> Compiled:
    """Compile a formula tree; ``leaf`` gives the SQL for each indicator reference."""
    return FormulaCompiler(leaf, prefix).compile(tree)
