"""Messages and locale formats (chiso.web.i18n) — no site needed."""
import datetime as dt

import pytest

from chiso.errors import DefinitionError
from chiso.web import i18n


def test_both_languages_have_the_same_keys():
    vi, en = i18n.catalogue("vi"), i18n.catalogue("en")
    assert set(vi) == set(en), sorted(set(vi) ^ set(en))


def test_vietnamese_texts_keep_their_diacritics():
    assert i18n.translate("vi", "nav.overview") == "Tổng quan"
    assert i18n.translate("vi", "nav.submissions") == "Nộp số liệu"
    assert i18n.translate("en", "nav.rankings") == "Rankings"
    assert i18n.translate("vi", "common.rank_of", rank=3, peers=34) == "Hạng 3/34"


def test_a_missing_key_names_itself():
    with pytest.raises(KeyError, match="no.such.key"):
        i18n.translate("vi", "no.such.key")


@pytest.mark.parametrize("lang, number, ratio, day, signed", [
    ("vi", "92,28", "70,7%", "21/11/2026", "−0,50"),
    ("en", "92.28", "70.7%", "21 Nov 2026", "−0.50"),
])
def test_number_percentage_and_date_formats(lang, number, ratio, day, signed):
    assert i18n.format_number(92.28, lang) == number
    assert i18n.format_ratio(0.707, lang) == ratio
    assert i18n.format_day(dt.date(2026, 11, 21), lang) == day
    assert i18n.format_signed(-0.5, lang) == signed
    assert i18n.format_number(1234567.891, lang, 3) == ("1.234.567,891" if lang == "vi" else "1,234,567.891")
    assert i18n.format_number(None, lang) == "—"


def test_duplicate_and_malformed_message_files_are_refused(tmp_path):
    (tmp_path / "vi.yaml").write_text("nav:\n  overview: Tổng quan\n", encoding="utf-8")
    (tmp_path / "dm.vi.yaml").write_text("nav:\n  overview: Lần nữa\n", encoding="utf-8")
    files = i18n.message_files("vi", tmp_path)
    assert [p.name for p in files] == ["vi.yaml", "dm.vi.yaml"]
    out, where = {}, {}
    i18n._flatten("", {"nav": {"overview": "Tổng quan"}}, out, where, files[0])
    with pytest.raises(DefinitionError, match="already defined in vi.yaml"):
        i18n._flatten("", {"nav": {"overview": "Lần nữa"}}, out, where, files[1])
    with pytest.raises(DefinitionError, match="must be text"):
        i18n._flatten("", {"x": [1, 2]}, {}, {}, files[0])


def test_fast_number_formatting_writes_exactly_what_babel_writes():
    """``format_number`` / ``format_ratio`` no longer call Babel for every number; they must still
    write what Babel writes: rounding half to even on the decimal text, separators, minus."""
    import random
    from decimal import Decimal

    from babel.numbers import format_decimal, format_percent

    rng = random.Random(7)
    values = [0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.125, 2.675, 1.005, -0.001, -0.005, -0.0, 1e-9, 123456789.987654,
              1e15, -1e15, 7, -7, Decimal("1.005"), Decimal("-1234.5650")]
    values += [rng.uniform(-1e6, 1e6) for _ in range(400)] + [round(rng.uniform(-100, 100), 3) for _ in range(400)]
    values += [rng.randint(-10**7, 10**7) for _ in range(100)]
    for lang in i18n.LANGUAGES:
        locale = i18n.LOCALES[lang]
        for digits in (0, 1, 2, 3):
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            for v in values:
                assert i18n.format_number(v, lang, digits) == format_decimal(v, format=pattern, locale=locale), v
                assert i18n.format_ratio(v, lang, digits) == format_percent(v, format=pattern + "%", locale=locale), v
    assert i18n.format_number(float("inf"), "vi") == format_decimal(float("inf"), format="#,##0.00", locale="vi_VN")
    assert i18n.format_number(float("nan"), "vi") == i18n.format_number(None, "en") == "—"


@pytest.mark.parametrize("label, vi, en", [
    ("2026-W34", "Tuần 34/2026", "Week 34, 2026"),
    ("2026-08", "08/2026", "Aug 2026"),
    ("2026-Q3", "Quý 3/2026", "Q3 2026"),
    ("2026", "2026", "2026"),
    ("2026-08-17", "17/08/2026", "17 Aug 2026"),
    ("2026-08-01..2026-08-17", "01/08/2026–17/08/2026", "1 Aug 2026–17 Aug 2026"),
    ("không phải kỳ", "không phải kỳ", "không phải kỳ"),
])
def test_periods_in_each_language(label, vi, en):
    assert i18n.format_period(label, "vi") == vi and i18n.format_period(label, "en") == en


def test_chart_options_name_localised_formatters_and_periods():
    from chiso.web.pages import charts

    rows = [{"window": "2026-W33", "total": 80.5, "rank": 3}, {"window": "2026-W34", "total": 81.25, "rank": 2}]
    vi, en = charts.trend(rows, "vi", with_rank=True), charts.trend(rows, "en", with_rank=True)
    assert vi["xAxis"]["data"] == ["Tuần 33/2026", "Tuần 34/2026"]
    assert en["xAxis"]["data"] == ["Week 33, 2026", "Week 34, 2026"]
    assert vi["series"][0]["tooltip"]["valueFormatter"] == charts.NUM == "chiso:num:2"
    assert vi["yAxis"][1]["axisLabel"]["formatter"] == charts.INT
    bars = charts.group_bars([{"name": "Công khai", "name_en": "Publicity", "max": 18, "score": 16.5}], "en")
    assert bars["yAxis"]["data"] == ["Publicity"] and bars["series"][1]["label"]["formatter"] == charts.NUM
    assert charts.gauge("x", 16.5, 18)["series"][0]["detail"]["formatter"] == charts.NUM
    # chiso.js turns those names into functions with the page's locale
    from chiso.web.pages.render import STATIC_DIR

    script = (STATIC_DIR / "chiso.js").read_text(encoding="utf-8")
    assert 'vi: "vi-VN", en: "en-GB"' in script and "Intl.NumberFormat" in script and '"chiso:"' in script
