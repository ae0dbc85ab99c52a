"""Reading formulas: the grammar, the checks, the normalised form, and the errors."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiso.errors import FormulaError
from chiso.formula import parse_formula, references
from chiso.formula.ast import Arith, Call, Neg, Number, PeriodRef, Ref
from chiso.formula.parse import MAX_DEPTH, MAX_LENGTH
from chiso.formula.printer import to_text
from tests.formula.strategies import trees


@pytest.mark.parametrize(("written", "normalised"), [
    ("1+2*3", "1 + 2 * 3"),
    ("(1+2)*3", "(1 + 2) * 3"),
    ("A - (B - C)", "A - (B - C)"),
    ("(A - B) - C", "A - B - C"),
    ("A / (B * C)", "A / (B * C)"),
    ("KT.A×100÷KT.B − 1", "KT.A * 100 / KT.B - 1"),
    ("-(-A)", "-(-A)"),
    ("-(A + B)", "-(A + B)"),
    ("2 * -A", "2 * -A"),
    ("0012.500 + .5 + 3.", "12.5 + 0.5 + 3"),
    ("MIN(A, B)", "min(A, B)"),
    ("nếu(A ≥ 1 và B ≠ 2 hoặc không C < 0, 1, 0)", "if(A >= 1 and B != 2 or not C < 0, 1, 0)"),
    ("if(A == 1 or B <> 2, A, B)", "if(A = 1 or B != 2, A, B)"),
    ("if((A > 1 or B > 1) and C > 1, 1, 0)", "if((A > 1 or B > 1) and C > 1, 1, 0)"),
    ("kỳ_trước(X) + ky_truoc(Y) + cùng_kỳ(Z) + lũy_kế(W) + cả_năm(V)",
     "previous(X) + previous(Y) + last_year(Z) + ytd(W) + annual(V)"),
    ("làm_tròn(A, -2)", "round(A, -2)"),
    ("A +\n\tB", "A + B"),
    ("OR_RATE + AND.X", "OR_RATE + AND.X"),
])
def test_normalised_form(written, normalised):
    f = parse_formula(written)
    assert f.text == normalised
    assert parse_formula(f.text) == f


def test_tree_and_references():
    f = parse_formula("(KT.GRDP / last_year(KT.GRDP) - 1) * 100")
    assert f.tree == Arith("*", Arith("-", Arith("/", Ref("KT.GRDP"), PeriodRef("last_year", "KT.GRDP")),
                                      Number(1)), Number(100))
    assert f.references == frozenset({"KT.GRDP"})
    assert f.period_references == frozenset({("last_year", "KT.GRDP")})
    assert references("ytd(NS_THU) / annual(NS_DU_TOAN) * 100") == {"NS_THU", "NS_DU_TOAN"}
    assert references("round(1 / 3, 2)") == frozenset()
    assert parse_formula("round(A, -1)").tree == Call("round", (Ref("A"), Neg(Number(1))))


@pytest.mark.parametrize(("written", "column", "reason"), [
    ("KT.A + * 2", 8, "unexpected '*'"),
    ("A +", 4, "ends too early"),
    ("(A", 3, "ends too early"),
    ("A)", 2, "unexpected ')'"),
    ("2 @ 3", 3, "unexpected character '@'"),
    ("A B", 3, "operator"),
    ("1 < 2 < 3", 7, "cannot be chained"),
    ("A < 2", 1, "must give a number"),
    ("if(A, 1, 2)", 4, "must be a condition"),
    ("A + (B > 1)", 6, "must be a number"),
    ("A and B", 1, "must be a condition"),
    ("min(A)", 1, "min takes 2 or more arguments, not 1"),
    ("abs(A, B)", 1, "abs takes 1 argument, not 2"),
    ("round(A, 1.5)", 10, "whole number from -9 to 9"),
    ("round(A, 10)", 10, "whole number"),
    ("round(A, B)", 10, "whole number"),
    ("sqrt(A)", 1, "unknown function 'sqrt'"),
    ("mni(A, B)", 1, "did you mean min?"),
    ("previous(A + B)", 10, "takes an indicator code"),
    ("ytd(3)", 5, "takes an indicator code"),
    ("kt.grdp + 1", 1, "did you mean KT.GRDP?"),
    ("A + min", 5, "min is a function"),
    ("A.", 2, "unexpected character '.'"),
    ("1e5", 2, "operator"),
    ("   ", 1, "empty"),
])
def test_errors_point_at_the_column(written, column, reason):
    with pytest.raises(FormulaError) as caught:
        parse_formula(written)
    e = caught.value
    assert e.column == column, str(e)
    assert reason in e.reason
    assert "^" in str(e)


def test_error_caret_sits_under_the_column():
    with pytest.raises(FormulaError) as caught:
        parse_formula("KT.A + * 2")
    formula_line, caret_line = str(caught.value).splitlines()[1:]
    assert caret_line.index("^") == formula_line.index("*")


def test_limits():
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse_formula("+".join(["A"] * (MAX_DEPTH + 5)))
    with pytest.raises(FormulaError, match="longer than"):
        parse_formula("A + " * MAX_LENGTH)
    with pytest.raises(FormulaError, match="too large"):
        parse_formula("9" * 400)
    # deep brackets alone make no node: fine
    assert parse_formula("(" * 200 + "A" + ")" * 200).text == "A"
    with pytest.raises(FormulaError):
        parse_formula("(" * 5000)
    with pytest.raises(FormulaError, match="is text"):
        parse_formula(None)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=" ()+-*/×÷−,<>=!.0123456789ABC_xyznotadifmrunđếkỳ")))
def test_any_text_is_a_formula_or_a_clear_error(text):
    try:
        f = parse_formula(text)
    except FormulaError as e:
        assert e.reason
        assert e.column is None or 1 <= e.column <= len(text) + 1
    else:
        assert parse_formula(f.text) == f


@settings(max_examples=150, deadline=None)
@given(trees())
def test_printing_then_reading_gives_the_same_tree(tree):
    text = to_text(tree)
    f = parse_formula(text)
    assert f.tree == tree
    assert f.text == text
