"""chiso.text: one number formatter with one rounding rule (half up on the decimal value),
and one search key (``fold``) for the unit finder, the indicator search and the check of a
submission's unit of measure."""
import decimal
import random
import re
import unicodedata
from decimal import Decimal

import jinja2
import numpy as np
import pytest
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_percent

from chiso.reports.numformat import FORMATS
from chiso.text import EMPTY, fold, format_number, format_percent, rounded
from chiso.units import ascii_name, load_units
from chiso.web import i18n


# ---------------------------------------------------------------- numbers
@pytest.mark.parametrize("value, decimals, vi, en", [
    (92.285, 2, "92,29", "92.29"),          # half up: half to even wrote 92,28
    (0.125, 2, "0,13", "0.13"),
    (2.5, 0, "3", "3"),
    (3.5, 0, "4", "4"),
    (-2.5, 0, "-3", "-3"),                  # halves go away from zero
    (2.675, 2, "2,68", "2.68"),             # the float is 2.67499…; its decimal is 2.675
    (1.005, 2, "1,01", "1.01"),
    (-92.285, 2, "-92,29", "-92.29"),
    (0, 2, "0,00", "0.00"),
    (0.0, 0, "0", "0"),
    (-0.0, 2, "0,00", "0.00"),              # never a signed zero
    (-0.001, 2, "0,00", "0.00"),
    (-0.004, 2, "0,00", "0.00"),
    (-0.005, 2, "-0,01", "-0.01"),
    (47026, 0, "47.026", "47,026"),
    (1234567.891, 3, "1.234.567,891", "1,234,567.891"),
    (-1234567.891, 1, "-1.234.567,9", "-1,234,567.9"),
    (999.995, 2, "1.000,00", "1,000.00"),   # rounding carries into a new group
    (1e15, 2, "1.000.000.000.000.000,00", "1,000,000,000,000,000.00"),
    (1e30, 0, "1" + ".000" * 10, "1" + ",000" * 10),    # beyond the 28 digits of the default context
    (12345678901234567890123456789, 2, "12.345.678.901.234.567.890.123.456.789,00",
     "12,345,678,901,234,567,890,123,456,789.00"),
    (Decimal("-1234.5650"), 2, "-1.234,57", "-1,234.57"),
    (Decimal("1.005"), 2, "1,01", "1.01"),
    (np.float64(92.285), 2, "92,29", "92.29"),
    (np.int64(47026), 0, "47.026", "47,026"),
    (float("inf"), 2, "∞", "∞"),
    (float("-inf"), 2, "-∞", "-∞"),
    (None, 2, "—", "—"),
    (float("nan"), 2, "—", "—"),
    (Decimal("NaN"), 1, "—", "—"),
])
def test_format_number_in_both_languages(value, decimals, vi, en):
    assert format_number(value, decimals) == format_number(value, decimals, "vi") == vi
    assert format_number(value, decimals, "en") == en


@pytest.mark.parametrize("value, decimals, vi, en", [
    (1.5, 2, "1,5", "1.5"),
    (2.0, 2, "2", "2"),
    (1234.5, 2, "1.234,5", "1,234.5"),
    (90.001, 2, "90", "90"),
    (-0.001, 2, "0", "0"),
    (0.125, 2, "0,13", "0.13"),
    (7, 0, "7", "7"),
])
def test_trim_drops_trailing_zeros_after_rounding(value, decimals, vi, en):
    assert format_number(value, decimals, "vi", trim=True) == vi
    assert format_number(value, decimals, "en", trim=True) == en


@pytest.mark.parametrize("share, decimals, vi, en", [
    (0.707, 1, "70,7%", "70.7%"),
    (8.48 / 12, 1, "70,7%", "70.7%"),
    (0.70705, 2, "70,71%", "70.71%"),       # half up on 70.705
    (0.125, 0, "13%", "13%"),
    (0.005, 0, "1%", "1%"),
    (-0.0125, 1, "-1,3%", "-1.3%"),
    (-0.00001, 1, "0,0%", "0.0%"),
    (0, 1, "0,0%", "0.0%"),
    (12.3456, 1, "1.234,6%", "1,234.6%"),
    (Decimal("0.92345"), 2, "92,35%", "92.35%"),
    (float("inf"), 1, "∞%", "∞%"),
    (None, 1, "—", "—"),
    (float("nan"), 1, "—", "—"),
])
def test_format_percent(share, decimals, vi, en):
    assert format_percent(share, decimals) == vi
    assert format_percent(share, decimals, "en") == en


def test_rounded_is_the_rule_itself():
    assert rounded(92.285, 2) == Decimal("92.29")
    assert rounded(0.125, 2) == Decimal("0.13")
    assert rounded(2.5, 0) == 3 and rounded(-2.5, 0) == -3
    assert rounded(None, 2) is None and rounded(float("nan"), 2) is None
    assert rounded(float("inf"), 2) == Decimal("Infinity")


def test_what_is_not_a_number_or_a_language_is_refused():
    with pytest.raises(ValueError, match="not a number: 'abc'"):
        format_number("abc", 2)
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        format_number(1, 2, "fr")
    with pytest.raises(ValueError, match="0 or more"):
        format_number(1, -1)
    with pytest.raises(ValueError, match="0 or more"):
        format_percent(None, -1)
    with pytest.raises(ValueError, match="whole number"):
        rounded(1, 1.5)
    assert format_number("92.285", 2) == "92,29"    # a number written as text is still a number


def test_separators_and_rounding_are_babels_with_half_up():
    """Babel, told to round half up, writes exactly what ``format_number`` writes (separators,
    grouping, minus) — except that a value rounding to zero keeps no minus here."""
    rng = random.Random(7)
    values = [0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.125, 2.675, 1.005, 92.285, -0.001, -0.005, 1e-9,
              123456789.987654, 1e15, -1e15, 7, -7, Decimal("1.005"), Decimal("-1234.5650")]
    values += [rng.uniform(-1e6, 1e6) for _ in range(300)] + [round(rng.uniform(-100, 100), 3) for _ in range(300)]
    values += [rng.randint(-10**7, 10**7) for _ in range(100)]
    with decimal.localcontext() as ctx:
        ctx.rounding = decimal.ROUND_HALF_UP
        for lang, locale in (("vi", "vi_VN"), ("en", "en_GB")):
            for digits in (0, 1, 2, 3):
                pattern = "#,##0" + ("." + "0" * digits if digits else "")
                for v in values:
                    number = format_decimal(v, format=pattern, locale=locale)
                    share = babel_percent(v, format=pattern + "%", locale=locale)
                    if not re.search("[1-9]", number):
                        number = number.lstrip("-")
                    if not re.search("[1-9]", share):
                        share = share.lstrip("-")
                    assert format_number(v, digits, lang) == number, (v, digits, lang)
                    assert format_percent(v, digits, lang) == share, (v, digits, lang)


def test_a_number_is_the_same_text_on_a_page_in_a_bulletin_and_in_a_warning():
    env = jinja2.Environment()
    i18n.install(env)
    for lang in ("vi", "en"):
        page = env.from_string("{{ x|num }} {{ s|pct }}").render(lang=lang, x=92.285, s=0.70705)
        bulletin = f"{FORMATS[lang].points(92.285)} {FORMATS[lang].pct(0.70705)}"
        assert page == bulletin == f"{format_number(92.285, 2, lang)} {format_percent(0.70705, 1, lang)}"
    assert FORMATS["vi"].points(92.285) == "92,29" and FORMATS["en"].bound(90.5) == "90.5"
    assert EMPTY == "—"


# ---------------------------------------------------------------- search keys
@pytest.mark.parametrize("text, key", [
    # the unit finder (chiso.units)
    ("  Phường Việt Yên ", "phuong viet yen"),
    ("Sở Quy hoạch – Kiến trúc", "so quy hoach kien truc"),
    ("Đặc khu Phú Quốc", "dac khu phu quoc"),
    ("VIỆT   yên", "viet yen"),
    # the indicator search (/indicators)
    ("Tỷ lệ hồ sơ ĐÚNG HẠN", "ty le ho so dung han"),
    ("Đúng hạn", "dung han"),
    ("TC.THU_NSNN", "tc thu nsnn"),
    ("Tỷ lệ (%) hồ sơ, “đúng hạn”", "ty le % ho so dung han"),
    # units of measure (the submission check)
    ("  Tỷ Đồng ", "ty dong"),
    ("triệu đồng/người", "trieu dong nguoi"),
    ("bác sĩ/vạn dân", "bac si van dan"),
    ("%", "%"),
    ("‰", "‰"),
    ("m²", "m²"),
    ("", ""),
    ("   ", ""),
    (None, ""),
])
def test_fold(text, key):
    assert fold(text) == key


def test_fold_ignores_how_the_text_was_composed_and_cased():
    composed = "Hồ sơ đúng hạn"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed and fold(decomposed) == fold(composed) == fold("HỒ SƠ ĐÚNG HẠN")
    assert fold("Straße") == "strasse"


def test_units_of_measure_stay_apart_where_they_differ():
    """The submission check compares folded units: case, marks and spacing do not matter,
    the unit itself does."""
    assert fold("%") != fold("‰") and fold("%") != fold("") and fold("%") != fold("điểm")
    assert fold("tỷ đồng") != fold("triệu đồng")
    assert fold("Tỷ  đồng") == fold("tỷ đồng") == fold("ty dong")


def test_fold_keys_every_unit_name_as_the_unit_finder_did():
    """The unit finder's own fold (ASCII letters and digits, anything else a space) and the
    shared one agree on every unit name of the country."""
    def before(text: str) -> str:
        return re.sub(r"[^0-9a-z]+", " ", ascii_name(text).casefold()).strip()

    tree = load_units()
    names = [n for u in tree.units() for n in (u.name, u.name_en) if n]
    assert len(names) > 3000
    assert [n for n in names if fold(n) != before(n)] == []
