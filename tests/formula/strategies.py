"""Hypothesis strategies: formula trees, their leaf values, and values relations."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from chiso.formula.ast import Arith, Call, Compare, Logic, Neg, Not, Number, PeriodRef, Ref

CODES = ("A", "B", "KT.C")
PERIOD_FUNCTIONS = ("previous", "last_year", "ytd", "annual")

#: Written numbers: whole or with up to two decimals, some on rounding edges (x.5, x.x5).
numbers = st.one_of(st.integers(0, 1000).map(Decimal),
                    st.integers(0, 100_000).map(lambda n: Decimal(n) / 100))
#: Leaf values: cents up to ±1e6, halves and eighths (exact rounding edges), zero, NULL.
leaf_values = st.one_of(st.none(), st.just(0.0),
                        st.integers(-100_000_000, 100_000_000).map(lambda n: n / 100),
                        st.integers(-4000, 4000).map(lambda n: n / 8))


def trees(codes=CODES, period_functions=PERIOD_FUNCTIONS, max_leaves: int = 10):
    leaves = st.one_of(numbers.map(Number), st.sampled_from(codes).map(Ref),
                       *([st.builds(PeriodRef, st.sampled_from(period_functions), st.sampled_from(codes))]
                         if period_functions else []))

    def grow(children):
        conditions = st.deferred(lambda: st.one_of(
            st.builds(Compare, st.sampled_from(["<", "<=", ">", ">=", "=", "!="]), children, children),
            st.builds(Logic, st.sampled_from(["and", "or"]), conditions, conditions),
            st.builds(Not, conditions)))
        return st.one_of(
            st.builds(Neg, children),
            st.builds(Arith, st.sampled_from("+-*/"), children, children),
            st.builds(lambda name, args: Call(name, tuple(args)), st.sampled_from(["min", "max", "coalesce"]),
                      st.lists(children, min_size=2, max_size=3)),
            st.builds(lambda a: Call("abs", (a,)), children),
            st.builds(lambda a, d: Call("round", (a,) if d is None else
                                        (a, Number(Decimal(d)) if d >= 0 else Neg(Number(Decimal(-d))))),
                      children, st.one_of(st.none(), st.integers(-2, 3))),
            st.builds(lambda c, a, b: Call("if", (c, a, b)), conditions, children, children),
        )

    return st.recursive(leaves, grow, max_leaves=max_leaves)
