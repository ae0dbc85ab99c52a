"""Reading a formula: Lark (LALR) grammar → chiso tree, checked as it is built.

The tree is built bottom-up inside the LALR parser (no recursion, whatever the input),
and every rule is checked on the way: operand kinds (a number, or a condition inside
``if``), function names and arities, period functions taking an indicator code,
``round``'s digits, indicator codes. Anything wrong is a ``FormulaError`` naming the
1-based column; no other exception leaves ``parse_formula`` (a property test holds it
to that). Formulas are never evaluated as Python.
"""
from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from chiso.errors import FormulaError
from chiso.formula import functions
from chiso.formula.ast import (
    BOOLEAN,
    NUMERIC,
    Arith,
    Call,
    Compare,
    Logic,
    Neg,
    Node,
    Not,
    Number,
    PeriodRef,
    Ref,
    depth,
)
from chiso.formula.printer import to_text

GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")
#: Limits that keep every later walk (printer, evaluator, SQL compiler) shallow.
MAX_LENGTH = 4000
MAX_DEPTH = 100

#: Indicator codes: upper-case letters, digits, underscore and dot (KT.GRDP_GROWTH).
CODE_PATTERN = r"^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)*$"
_CODE = re.compile(CODE_PATTERN)
_OPS = {"×": "*", "·": "*", "÷": "/", "−": "-", "–": "-",
        "==": "=", "<>": "!=", "≠": "!=", "≤": "<=", "≥": ">="}
_LOGIC = {"hoặc": "or", "và": "and", "không": "not"}
_TERMINALS = {
    "NUMBER": "a number", "NAME": "an indicator code or a function", "LPAR": "'('",
    "RPAR": "')'", "COMMA": "','", "ADD": "'+'", "SUB": "'-'", "MUL": "'*'", "DIV": "'/'",
    "COMPARE": "a comparison (<, <=, =, !=, >=, >)", "AND": "'and'", "OR": "'or'",
    "NOT": "'not'", "$END": "the end of the formula",
}


@dataclass(frozen=True)
class Formula:
    """A checked formula: its normalised ``text``, its ``tree`` and the indicator codes
    it ``references`` (directly or through a period function)."""

    text: str
    tree: Node = field(repr=False)
    references: frozenset[str] = field(repr=False)

    @property
    def period_references(self) -> frozenset[tuple[str, str]]:
        """(function, code) of every period function used: {("previous", "KT.GRDP")}."""
        return frozenset((n.function, n.code) for n in self.tree.walk() if isinstance(n, PeriodRef))

    def __str__(self) -> str:
        return self.text


def _column(token: Token) -> int:
    return (token.start_pos or 0) + 1


def _col(node: Node) -> int | None:
    return getattr(node, "column", None)


class _Problem(Exception):
    """Raised by a callback; parse_formula turns it into a FormulaError with the text."""

    def __init__(self, message: str, column: int | None):
        super().__init__(message)
        self.message, self.column = message, column


class _Build:
    """Callbacks for the LALR parser: one per grammar alias, each returns a checked node."""

    def fail(self, message: str, column: int | None) -> _Problem:
        return _Problem(message, column)

    def _deep(self, node: Node) -> Node:
        # built bottom-up: a node's depth is one more than its deepest child's (kept aside
        # on the node, outside its fields)
        levels = 1 + max((getattr(c, "_depth", None) or depth(c) for c in node.children()), default=0)
        object.__setattr__(node, "_depth", levels)
        if levels > MAX_DEPTH:
            raise self.fail(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)",
                            _col(node))
        return node

    def _numeric(self, node: Node, role: str) -> Node:
        if node.KIND != NUMERIC:
            raise self.fail(f"{role} must be a number, not a condition "
                            "(a condition goes first inside if(…))", _col(node))
        return node

    def _condition(self, node: Node, role: str) -> Node:
        if node.KIND != BOOLEAN:
            raise self.fail(f"{role} must be a condition, such as A > 0 "
                            f"(found {to_text(node)!r})", _col(node))
        return node

    # ---------------------------------------------------------------- leaves
    def number(self, children) -> Node:
        (token,) = children
        value = Decimal(str(token))
        if not math.isfinite(float(value)):
            raise self.fail(f"the number {str(token)[:20]}… is too large", _column(token))
        return Number(value, column=_column(token))

    def reference(self, children) -> Node:
        (token,) = children
        name = str(token)
        if functions.lookup(name) is not None:
            raise self.fail(f"{name} is a function: write {name}(…) with its arguments",
                            _column(token))
        if not _CODE.match(name):
            upper = name.upper()
            hint = (f"; did you mean {upper}?" if _CODE.match(upper) else "")
            raise self.fail(f"{name!r} is not an indicator code (codes are upper-case letters, "
                            f"digits, '_' and '.', like KT.GRDP){hint}", _column(token))
        return Ref(name, column=_column(token))

    def group(self, children) -> Node:
        return children[1]

    # ---------------------------------------------------------------- operators
    def negate(self, children) -> Node:
        sign, operand = children
        self._numeric(operand, "what '-' applies to")
        return self._deep(Neg(operand, column=_column(sign)))

    def arith(self, children) -> Node:
        left, op, right = children
        symbol = _OPS.get(str(op), str(op))
        self._numeric(left, f"the left side of '{symbol}'")
        self._numeric(right, f"the right side of '{symbol}'")
        return self._deep(Arith(symbol, left, right, column=_col(left)))

    def compare(self, children) -> Node:
        left, op, right = children
        symbol = _OPS.get(str(op), str(op))
        self._numeric(left, f"the left side of '{symbol}'")
        self._numeric(right, f"the right side of '{symbol}'")
        return self._deep(Compare(symbol, left, right, column=_col(left)))

    def logic(self, children) -> Node:
        left, op, right = children
        word = _LOGIC.get(str(op), str(op))
        self._condition(left, f"the left side of '{word}'")
        self._condition(right, f"the right side of '{word}'")
        return self._deep(Logic(word, left, right, column=_col(left)))

    def not_(self, children) -> Node:
        word, operand = children
        self._condition(operand, "what 'not' applies to")
        return self._deep(Not(operand, column=_column(word)))

    # ---------------------------------------------------------------- calls
    def arguments(self, children) -> tuple[Node, ...]:
        return tuple(c for c in children if isinstance(c, Node))

    def call(self, children) -> Node:
        name_token = children[0]
        args = children[2] if isinstance(children[2], tuple) else ()
        column = _column(name_token)
        written = str(name_token)
        fn = functions.lookup(written)
        if fn is None:
            close = difflib.get_close_matches(written.lower(), functions.known_names(), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise self.fail(f"unknown function {written!r} (known: "
                            f"{', '.join(functions.known_names())}){hint}", column)
        n = len(args)
        if n < fn.min_args or (fn.max_args is not None and n > fn.max_args):
            want = (str(fn.min_args) if fn.max_args == fn.min_args
                    else f"{fn.min_args} or more" if fn.max_args is None
                    else f"{fn.min_args} to {fn.max_args}")
            raise self.fail(f"{fn.name} takes {want} argument{'s' if want != '1' else ''}, "
                            f"not {n}", column)
        if fn.period:
            (arg,) = args
            if not isinstance(arg, Ref):
                raise self.fail(f"{fn.name}(…) takes an indicator code, such as "
                                f"{fn.name}(KT.GRDP)", _col(arg) or column)
            return PeriodRef(fn.name, arg.code, column=column)
        if fn.name == "if":
            self._condition(args[0], "the first argument of if")
            self._numeric(args[1], "the second argument of if")
            self._numeric(args[2], "the third argument of if")
        else:
            for i, a in enumerate(args, 1):
                self._numeric(a, f"argument {i} of {fn.name}")
        if fn.name == "round" and n == 2:
            self._digits(args[1])
        return self._deep(Call(fn.name, tuple(args), column=column))

    def _digits(self, node: Node) -> None:
        value = None
        if isinstance(node, Number):
            value = node.value
        elif isinstance(node, Neg) and isinstance(node.operand, Number):
            value = -node.operand.value
        if value is None or value != value.to_integral_value() or int(value) not in functions.ROUND_DIGITS:
            raise self.fail("the digits of round(x, n) must be a whole number from "
                            f"{functions.ROUND_DIGITS.start} to {functions.ROUND_DIGITS.stop - 1}",
                            _col(node))


@cache
def _parser() -> Lark:
    # the callbacks build the tree inside the parser: bottom-up, iterative, checked
    return Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                transformer=_Build(), maybe_placeholders=False)


def _describe(token: Token) -> str:
    if token.type == "$END":
        return "the end of the formula"
    return repr(str(token))


def _expected(names) -> str:
    wanted = sorted({_TERMINALS.get(n, n) for n in names})
    return ", ".join(wanted[:6])


def _syntax_error(text: str, e: UnexpectedInput) -> FormulaError:
    if isinstance(e, UnexpectedCharacters):
        char = text[e.pos_in_stream] if e.pos_in_stream < len(text) else ""
        return FormulaError(f"unexpected character {char!r}", formula=text, column=e.pos_in_stream + 1)
    if isinstance(e, UnexpectedEOF):
        return FormulaError(f"the formula ends too early; expected {_expected(e.expected)}",
                            formula=text, column=len(text) + 1)
    if isinstance(e, UnexpectedToken):
        token = e.token
        if token.type == "$END":
            return FormulaError(f"the formula ends too early; expected {_expected(e.expected)}",
                                formula=text, column=len(text.rstrip()) + 1)
        if token.type == "COMPARE" and "COMPARE" not in e.expected:
            reason = "comparisons cannot be chained; join them with 'and'"
        elif token.type in ("NAME", "NUMBER", "LPAR") and {"ADD", "MUL"} & set(e.expected):
            reason = f"unexpected {_describe(token)}; is an operator (+ - * /) missing before it?"
        else:
            reason = f"unexpected {_describe(token)}; expected {_expected(e.expected)}"
        return FormulaError(reason, formula=text, column=_column(token))
    return FormulaError(str(e).splitlines()[0], formula=text)


def _prepare(text: object) -> str:
    if not isinstance(text, str):
        raise FormulaError(f"a formula is text, not {type(text).__name__}")
    # NFC so that a decomposed "ỳ" reads as one letter; every whitespace character becomes
    # one space, so columns still count from the start of one line
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if c.isspace() else c for c in text)
    if not text.strip():
        raise FormulaError("the formula is empty", formula=text, column=1)
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_LENGTH} characters", formula=text[:60] + "…")
    return text


def parse_formula(text: str) -> Formula:
    """Read and check a formula.

    Args:
        text: the formula as written (ASCII or Unicode operators, Vietnamese names allowed).

    Returns:
        The ``Formula``: normalised text, tree and referenced indicator codes.

    Raises:
        FormulaError: with the reason and the 1-based column.

    >>> f = parse_formula("ytd(NS_THU) ÷ annual(NS_DU_TOAN) × 100")
    >>> f.text, sorted(f.references)
    ('ytd(NS_THU) / annual(NS_DU_TOAN) * 100', ['NS_DU_TOAN', 'NS_THU'])
    >>> parse_formula("KT.A + * 2")
    Traceback (most recent call last):
    ...
    chiso.errors.FormulaError: formula 'KT.A + * 2' at column 8: unexpected '*'; expected ...
    """
    text = _prepare(text)
    try:
        tree = _parser().parse(text)
    except _Problem as e:
        raise FormulaError(e.message, formula=text, column=e.column) from None
    except UnexpectedInput as e:
        raise _syntax_error(text, e) from None
    if not isinstance(tree, Node):  # pragma: no cover - the grammar always yields a node
        raise FormulaError("cannot read the formula", formula=text)
    if tree.KIND != NUMERIC:
        raise FormulaError("a formula must give a number; a condition goes inside if(…)",
                           formula=text, column=_col(tree))
    refs = frozenset(n.code for n in tree.walk() if isinstance(n, (Ref, PeriodRef)))
    return Formula(to_text(tree), tree, refs)


def references(text: str) -> frozenset[str]:
    """The indicator codes a formula uses.

    >>> sorted(references("(KT.GRDP / last_year(KT.GRDP) - 1) * 100"))
    ['KT.GRDP']
    """
    return parse_formula(text).references
