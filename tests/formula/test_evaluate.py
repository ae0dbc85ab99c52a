"""The reference evaluator and the rules it shares with SQL (semantics.py), by hand."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiso.formula import parse_formula
from chiso.formula.evaluate import evaluate
from chiso.formula.semantics import HALF, round_half_away


def ev(text: str, **leaves):
    return evaluate(parse_formula(text).tree, {k.replace("__", "."): v for k, v in leaves.items()})


@pytest.mark.parametrize(("text", "leaves", "expected"), [
    ("1 + 2 * 3", {}, 7.0),
    ("A / B", {"A": 1.0, "B": 0.0}, None),          # ÷ 0 → NULL
    ("A / B", {"A": 1.0, "B": -0.0}, None),
    ("A + B", {"A": 1.0}, None),                     # NULL propagates
    ("coalesce(B, 0) + A", {"A": 1.0}, 1.0),
    ("coalesce(A / B, -1)", {"A": 1.0, "B": 0.0}, -1.0),
    ("min(A, B, 7)", {"A": 3.0}, 3.0),               # min/max skip NULL
    ("max(A, B)", {}, None),
    ("abs(-A)", {"A": 2.5}, 2.5),
    ("-A", {"A": None}, None),
    ("if(A > 1, 10, 20)", {"A": 2.0}, 10.0),
    ("if(A > 1, 10, 20)", {"A": 1.0}, 20.0),
    ("if(A > 1, 10, 20)", {}, None),                 # unknown condition → NULL
    ("if(A > 1 or B > 1, 10, 20)", {"B": 5.0}, 10.0),  # unknown or true = true
    ("if(A > 1 and B > 1, 10, 20)", {"B": 0.0}, 20.0),  # unknown and false = false
    ("if(not A > 1, 10, 20)", {}, None),
    ("if(A = 2 and B != 3, 1, 0)", {"A": 2.0, "B": 4.0}, 1.0),
    ("if(A <= 2 and A >= 2 and A < 3, 1, 0)", {"A": 2.0}, 1.0),
    ("round(2.675, 2)", {}, 2.68),                   # decimal intuition, not binary
    ("round(-2.5)", {}, -3.0),                       # half away from zero
    ("round(2.5)", {}, 3.0),
    ("round(1.005, 2)", {}, 1.01),
    ("round(1234.5, -2)", {}, 1200.0),
    ("round(1250, -2)", {}, 1300.0),
    ("round(-0.4)", {}, -0.0),
    ("round(A, 1)", {}, None),
])
def test_rules(text, leaves, expected):
    got = evaluate(parse_formula(text).tree, leaves)
    assert got == expected if expected is not None else got is None


def test_period_functions_read_their_own_leaves():
    tree = parse_formula("(KT.GRDP / last_year(KT.GRDP) - 1) * 100").tree
    assert evaluate(tree, {"KT.GRDP": 107.0, ("last_year", "KT.GRDP"): 100.0}) == pytest.approx(7.0)
    assert evaluate(tree, {"KT.GRDP": 107.0}) is None


@given(st.integers(-10**9, 10**9), st.integers(0, 4))
def test_round_agrees_with_decimal_half_up_on_written_decimals(n, digits):
    """A number written with digits + 1 decimals rounds as decimal arithmetic says."""
    from decimal import ROUND_HALF_UP, Decimal

    written = Decimal(n).scaleb(-(digits + 1))
    expected = float(written.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
    assert round_half_away(float(written), digits) == expected


def test_half_is_documented_value():
    assert HALF == 0.5 + 1e-9
    assert math.isclose(round_half_away(0.285, 2), 0.29)
