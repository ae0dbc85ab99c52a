"""The formula tree (cây công thức): small immutable nodes that declare their children.

Every node lists the names of its child fields in ``CHILDREN`` so walkers (the printer,
the reference evaluator, the SQL compiler, the reference collector) stay generic, as in
sqlglot's expression classes. ``column`` (1-based, where the node starts in the written
formula) is kept for error messages and is not part of a node's identity: two formulas
written differently but meaning the same thing have equal trees.

>>> Arith("+", Ref("A"), Number(Decimal(1))) == Arith("+", Ref("A", column=9), Number(Decimal("1.0")))
True
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

#: Node kinds a formula's value can have: a number, or a truth value (inside ``if``).
NUMERIC, BOOLEAN = "numeric", "boolean"


@dataclass(frozen=True)
class Node:
    """Root of formula nodes."""

    CHILDREN: ClassVar[tuple[str, ...]] = ()
    KIND: ClassVar[str] = NUMERIC

    def children(self) -> Iterator[Node]:
        for name in self.CHILDREN:
            value = getattr(self, name)
            if isinstance(value, tuple):
                yield from value
            else:
                yield value

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, depth first (no recursion)."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(list(node.children())))

    @property
    def key(self) -> str:
        """The node's kind name (``arith``, ``call``…): the compiler dispatches on it."""
        return type(self).__name__.lower()


@dataclass(frozen=True)
class Number(Node):
    """A number written in the formula (always non-negative; ``-2`` is ``Neg(2)``)."""

    value: Decimal
    column: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Ref(Node):
    """The value of an indicator (or data element) for the same unit and period."""

    code: str
    column: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PeriodRef(Node):
    """The value of an indicator for the same unit in another period, or summed over
    periods: ``previous``, ``last_year``, ``ytd`` or ``annual`` (see functions.py)."""

    function: str
    code: str
    column: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Neg(Node):
    """Unary minus."""

    CHILDREN: ClassVar[tuple[str, ...]] = ("operand",)
    operand: Node
    column: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Arith(Node):
    """``left op right`` with op one of ``+ - * /`` (÷ by zero gives NULL)."""

    CHILDREN: ClassVar[tuple[str, ...]] = ("left", "right")
    op: str
    left: Node
    right: Node
    column: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Compare(Node):
    """``left op right`` with op one of ``< <= > >= = !=``; a truth value."""

    CHILDREN: ClassVar[tuple[str, ...]] = ("left", "right")
    KIND: ClassVar[str] = BOOLEAN
    op: str
    left: Node
    right: Node
    column: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Logic(Node):
    """``left and right`` / ``left or right`` over truth values (three-valued, as SQL)."""

    CHILDREN: ClassVar[tuple[str, ...]] = ("left", "right")
    KIND: ClassVar[str] = BOOLEAN
    op: str
    left: Node
    right: Node
    column: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Not(Node):
    """``not operand`` over a truth value."""

    CHILDREN: ClassVar[tuple[str, ...]] = ("operand",)
    KIND: ClassVar[str] = BOOLEAN
    operand: Node
    column: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Call(Node):
    """A function of values: ``min``, ``max``, ``abs``, ``round``, ``coalesce``, ``if``."""

    CHILDREN: ClassVar[tuple[str, ...]] = ("args",)
    name: str
    args: tuple[Node, ...]
    column: int | None = field(default=None, compare=False, repr=False)


def depth(node: Node) -> int:
    """How many levels the tree has (a number alone: 1)."""
    best, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in n.children())
    return best
