"""Numbers as text, and search keys: the one place both are decided.

**Numbers.** Vietnamese writes a decimal comma and groups thousands with a dot
(``92,29``; ``47.026``; ``70,7%``), English the other way round (``92.29``; ``47,026``;
``70.7%``). ``format_number`` writes a value with a fixed number of decimals (or up to
that many, ``trim=True``), ``format_percent`` a share (0.707) as a percentage.

*One rounding rule* — half up on the decimal value: the number is read as the decimal
Python writes for it (``Decimal(str(x))``: the float 92.285 is 92.285, not the binary
92.28499…; a ``Decimal`` as it is) and rounded half away from zero with ``ROUND_HALF_UP``:
92.285 → ``92,29``, 0.125 → ``0,13``, 2.5 → ``3``, −2.5 → ``-3``. This is how official
documents and the 766 methodology round, and it is the rule of every number shown — web
pages, bulletins, command-line texts and warnings (docs/decisions.md, "Text"). A float
that arithmetic left a hair below a half is rounded as Python writes it: 92.30 − 91.95 is
0.3499999999999943, ``0,3`` with one decimal.

Further conventions: the minus is ``-``; a value that rounds to zero has no sign
(−0.001 → ``0,00``, never ``-0,00``); nothing (``None``) and NaN are ``—``; infinities
``∞`` and ``-∞``.

>>> format_number(92.285, 2), format_number(92.285, 2, "en"), format_number(2.5, 0)
('92,29', '92.29', '3')
>>> format_number(1234567.891, 1), format_number(1234567.891, 1, "en")
('1.234.567,9', '1,234,567.9')
>>> format_number(1.50, 2, trim=True), format_number(-0.001, 2), format_number(None, 2)
('1,5', '0,00', '—')
>>> format_number(92.30 - 91.95, 1), format_number(0.1 + 0.2, 17, "en")
('0,3', '0.30000000000000004')
>>> format_percent(0.707, 1), format_percent(0.707, 1, "en"), format_percent(0.92345, 2)
('70,7%', '70.7%', '92,35%')

**Search keys.** ``fold`` makes the key that searches compare, so that ``"dung han"``
finds ``"Đúng hạn"``: case and diacritics ignored (``đ`` → ``d``); letters, digits and
symbols kept — ``%``, ``‰`` and ``‱`` count as symbols, so units of measure keep their
meaning — while every run of spaces and other punctuation (dashes, dots, commas, slashes,
brackets, quotes, ``_``…) becomes one space, none at either end.

>>> fold("  Phường Việt Yên ")
'phuong viet yen'
>>> fold("Sở Quy hoạch – Kiến trúc"), fold("Tỷ lệ hồ sơ ĐÚNG HẠN"), fold("TC.THU_NSNN")
('so quy hoach kien truc', 'ty le ho so dung han', 'tc thu nsnn')
>>> fold("Triệu đồng/người"), fold(" % "), fold("‰"), fold(None)
('trieu dong nguoi', '%', '‰', '')
"""
from __future__ import annotations

import re
import unicodedata
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import lru_cache

#: What a number that is not there is written as.
EMPTY = "—"
#: Decimal and thousands separators of each language.
SEPARATORS: dict[str, tuple[str, str]] = {"vi": (",", "."), "en": (".", ",")}

# Precision only caps the digits an operation may keep; unbounded, quantize never refuses
# a large number (the default 28 digits would refuse 1e30 with 2 decimals).
_CONTEXT = Context(prec=MAX_PREC, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN)
_VI_SEPARATORS = str.maketrans(",.", ".,")
_KEPT_PUNCTUATION = frozenset("%‰‱")


class _FoldTable(dict):
    """``str.translate`` table of ``fold``, filled one character at a time: marks dropped,
    letters, digits, symbols (and ``%‰‱``) kept, anything else a space."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        kind = unicodedata.category(ch)[0]
        self[code] = kept = "" if kind == "M" else ch if kind in "LNS" or ch in _KEPT_PUNCTUATION else " "
        return kept


_FOLD = _FoldTable()


@lru_cache(maxsize=None)
def _quantum(decimals: int) -> Decimal:
    if not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals must be a whole number, 0 or more, not {decimals!r}")
    return Decimal(1).scaleb(-decimals)


def _round(number: Decimal, decimals: int) -> Decimal:
    """The rule itself: half up (away from zero) to ``decimals`` decimals."""
    return number.quantize(_quantum(decimals), context=_CONTEXT)


def _decimal(value) -> Decimal | None:
    """``value`` as a Decimal, read from the text Python writes for it (``None`` for no value
    or NaN); a clear error for what is not a number."""
    if value is None:
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    return None if number.is_nan() else number


def rounded(value, decimals: int) -> Decimal | None:
    """``value`` rounded by the one rule (half up on the decimal value); ``None`` stays ``None``.

    >>> rounded(92.285, 2), rounded(-2.5, 0), rounded(0.125, 2)
    (Decimal('92.29'), Decimal('-3'), Decimal('0.13'))
    """
    _quantum(decimals)  # refuses a negative or fractional number of decimals
    number = _decimal(value)
    if number is None or number.is_infinite():
        return number
    return _round(number, decimals)


def _written(number: Decimal | None, decimals: int, lang: str, trim: bool) -> str:
    _quantum(decimals)  # refuses a negative or fractional number of decimals
    if lang not in SEPARATORS:
        raise ValueError(f"unknown language {lang!r}; languages are {', '.join(SEPARATORS)}")
    if number is None:
        return EMPTY
    if number.is_infinite():
        return "-∞" if number.is_signed() else "∞"
    number = _round(number, decimals)
    text = format(number.copy_abs(), f",.{decimals}f")
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang == "vi":
        text = text.translate(_VI_SEPARATORS)
    return "-" + text if number.is_signed() and not number.is_zero() else text


def format_number(value, decimals: int, lang: str = "vi", *, trim: bool = False) -> str:
    """``value`` with ``decimals`` decimals in the language's way, rounded half up.

    ``trim=True`` drops trailing zeros of the decimals (``1,50`` → ``1,5``; ``2,00`` → ``2``).

    >>> format_number(47026, 0), format_number(47026, 0, "en"), format_number(-1234.5, 2, "en")
    ('47.026', '47,026', '-1,234.50')
    """
    return _written(_decimal(value), decimals, lang, trim)


def format_percent(share, decimals: int, lang: str = "vi", *, trim: bool = False) -> str:
    """A share as a percentage: 0.707 → ``70,7%`` (vi) / ``70.7%`` (en); the share × 100 is
    rounded half up, as ``format_number`` rounds.

    >>> format_percent(0.5, 0), format_percent(-0.0125, 1, "en"), format_percent(12.3456, 1)
    ('50%', '-1.3%', '1.234,6%')
    """
    number = _decimal(share)
    if number is not None and number.is_finite():
        number = number.scaleb(2)
    text = _written(number, decimals, lang, trim)
    return text if number is None else text + "%"


def fold(text: str | None) -> str:
    """The search key of ``text``: no case, no diacritics, punctuation as single spaces
    (``%``, ``‰``, ``‱`` and other symbols kept); ``None`` is ``""``.

    >>> fold("Đặc khu  Phú Quốc (mới)")
    'dac khu phu quoc moi'
    """
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFD", text.casefold().replace("đ", "d")).translate(_FOLD).split())


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A number as a spreadsheet reads it, sign and exponent allowed: ``-5``, ``-0.25``, ``+1e-05``.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: Characters that make a field quoted: the separator, the quote, line ends, and the ``;``
#: and tab that spreadsheets set to other locales (Vietnamese Excel among them) split cells on.
_QUOTED = frozenset(',";\t\r\n')


def csv_field(value) -> str:
    """``value`` as one field of a CSV file, safe to open in a spreadsheet — every CSV chiso
    writes goes through here (``chiso.cli.output.to_csv``).

    - ``None`` is the empty field; anything else is written as ``str(value)``.
    - **Formula injection.** A field whose text starts with ``=``, ``+``, ``-``, ``@``, a tab
      or a carriage return would be run as a formula by Excel or LibreOffice
      (``=HYPERLINK(…)``, ``-2+3``, ``@SUM(…)``): it gets a leading ``'``, which makes the
      spreadsheet show it as text (OWASP). A **plain number** — ``-5``, ``-0.25``, ``+3``,
      ``-1e-05``, as a number or as text — is a number, not a formula: it stays as it is,
      so negative values remain numbers. ``-inf`` is not a plain number and is escaped.
    - **Quoting.** A field holding ``,``, ``"``, ``;``, a tab or a line end is quoted (``"``
      doubled inside): also where a spreadsheet splits cells on ``;`` or tabs, no part of
      the field starts a cell of its own.

    >>> print(csv_field('=HYPERLINK("http://x.example","Bấm")'))
    "'=HYPERLINK(""http://x.example"",""Bấm"")"
    >>> csv_field("-5"), csv_field(-0.25), csv_field("-2+3"), csv_field("@SUM(A1)"), csv_field(None)
    ('-5', '-0.25', "'-2+3", "'@SUM(A1)", '')
    >>> csv_field("Sở Tài chính; =1+1"), csv_field(float("-inf"))
    ('"Sở Tài chính; =1+1"', "'-inf")
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        text = "'" + text
    if _QUOTED.isdisjoint(text):
        return text
    return '"' + text.replace('"', '""') + '"'


__all__ = ["EMPTY", "FORMULA_STARTS", "SEPARATORS", "csv_field", "fold", "format_number", "format_percent",
           "rounded"]
