"""The normalised form of a formula (dạng chuẩn): one spelling per meaning.

ASCII operators with single spaces, canonical (English) function names, numbers without
superfluous zeros, and only the brackets the grammar needs — so reading the printed form
back gives the same tree: ``parse_formula(f.text).tree == f.tree``.

>>> from chiso.formula import parse_formula
>>> parse_formula("( KT.A×100 )÷KT.B − nếu(KT.B ≥ 1.50, 1, 0)").text
'KT.A * 100 / KT.B - if(KT.B >= 1.5, 1, 0)'
"""
from __future__ import annotations

from decimal import Decimal

from chiso.formula.ast import Arith, Call, Compare, Logic, Neg, Node, Not, Number, PeriodRef, Ref

# Binding strength, loosest first (grammar.lark); atoms bind tightest.
_OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _NEG, _ATOM = range(1, 9)


def number_text(value: Decimal) -> str:
    """A number without superfluous zeros or exponent.

    >>> number_text(Decimal("012.500")), number_text(Decimal("1E+2"))
    ('12.5', '100')
    """
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _strength(node: Node) -> int:
    if isinstance(node, Logic):
        return _OR if node.op == "or" else _AND
    if isinstance(node, Not):
        return _NOT
    if isinstance(node, Compare):
        return _COMPARE
    if isinstance(node, Arith):
        return _SUM if node.op in "+-" else _PRODUCT
    if isinstance(node, Neg):
        return _NEG
    return _ATOM


def _at_least(node: Node, strength: int) -> str:
    text = to_text(node)
    return text if _strength(node) >= strength else f"({text})"


def to_text(node: Node) -> str:
    """The normalised text of a tree."""
    if isinstance(node, Number):
        return number_text(node.value)
    if isinstance(node, Ref):
        return node.code
    if isinstance(node, PeriodRef):
        return f"{node.function}({node.code})"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_text(a) for a in node.args)})"
    if isinstance(node, Neg):
        # -(-x) rather than --x; a number or a call needs no brackets
        return "-" + _at_least(node.operand, _ATOM)
    if isinstance(node, Not):
        return "not " + _at_least(node.operand, _NOT)
    if isinstance(node, Compare):
        return f"{_at_least(node.left, _SUM)} {node.op} {_at_least(node.right, _SUM)}"
    if isinstance(node, (Arith, Logic)):
        own = _strength(node)
        # left-associative: an operand of the same strength on the right keeps its brackets
        return f"{_at_least(node.left, own)} {node.op} {_at_least(node.right, own + 1)}"
    raise TypeError(f"no printer for formula node {type(node).__name__}")
