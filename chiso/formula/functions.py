"""The formula functions (hàm), with their Vietnamese names, arities and meanings.

One table: the parser resolves names through it, the docs test checks every entry is
described in docs/formulas.md, and ``chiso formula check`` prints canonical names.
Names are case-insensitive; a Vietnamese name may be written with or without
diacritics (``kỳ_trước`` or ``ky_truoc``).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Function:
    name: str                        # canonical (printed) name
    aliases: tuple[str, ...]         # Vietnamese names
    min_args: int
    max_args: int | None             # None: any number from min_args
    period: bool                     # takes one indicator code and looks at other periods
    summary: str                     # one line, Vietnamese then English


FUNCTIONS: tuple[Function, ...] = (
    Function("min", ("nhỏ_nhất",), 2, None, False,
             "giá trị nhỏ nhất / the smallest argument (NULL if any is NULL)"),
    Function("max", ("lớn_nhất",), 2, None, False,
             "giá trị lớn nhất / the largest argument (NULL if any is NULL)"),
    Function("abs", ("trị_tuyệt_đối",), 1, 1, False, "giá trị tuyệt đối / absolute value"),
    Function("round", ("làm_tròn",), 1, 2, False,
             "làm tròn nửa lên (xa số 0) đến n chữ số thập phân / round half away from zero "
             "to n decimals (n a whole number from -9 to 9, default 0)"),
    Function("coalesce", ("nếu_trống",), 2, None, False,
             "giá trị đầu tiên không trống / the first argument that is not NULL"),
    Function("if", ("nếu",), 3, 3, False,
             "nếu điều kiện đúng thì a, sai thì b / a when the condition holds, b when it "
             "does not, NULL when it is unknown"),
    Function("previous", ("kỳ_trước",), 1, 1, True,
             "giá trị kỳ trước (cùng loại kỳ) / value in the previous period of the same kind"),
    Function("last_year", ("cùng_kỳ",), 1, 1, True,
             "giá trị cùng kỳ năm trước / value in the same period one year earlier"),
    Function("ytd", ("lũy_kế", "luỹ_kế"), 1, 1, True,
             "lũy kế từ đầu năm đến kỳ này / sum over the periods of the same kind from the "
             "start of the year through this one"),
    Function("annual", ("cả_năm",), 1, 1, True,
             "giá trị của cả năm chứa kỳ này / value for the whole year this period is in "
             "(e.g. the year's budget estimate)"),
)

PERIOD_FUNCTIONS = frozenset(f.name for f in FUNCTIONS if f.period)
#: round(x, n): n from -9 to 9, written as a whole number.
ROUND_DIGITS = range(-9, 10)


def _plain(name: str) -> str:
    """Lower case, NFC, without diacritics (đ → d): the key names are looked up by."""
    text = unicodedata.normalize("NFC", name).lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


_BY_NAME: dict[str, Function] = {}
for _f in FUNCTIONS:
    for _n in (_f.name, *_f.aliases):
        _BY_NAME[_plain(_n)] = _f


def lookup(name: str) -> Function | None:
    """The function a name written in a formula means, or None.

    >>> lookup("Kỳ_Trước").name, lookup("luy_ke").name, lookup("sqrt")
    ('previous', 'ytd', None)
    """
    return _BY_NAME.get(_plain(name))


def known_names() -> list[str]:
    return [f.name for f in FUNCTIONS]
