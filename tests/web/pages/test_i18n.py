"""Messages and locale formats (chiso.web.i18n) — no site needed."""
import datetime as dt

import jinja2
import pytest

from chiso.errors import DefinitionError
from chiso.web import i18n
from chiso.web.pages import charts
from chiso.web.pages.render import STATIC_DIR


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
    env = jinja2.Environment()
    i18n.install(env)
    page = env.from_string("{{ a|num }} {{ r|pct }} {{ s|signed }} {{ big|num(3) }} {{ none|num }}")
    big = "1.234.567,891" if lang == "vi" else "1,234,567.891"
    assert page.render(lang=lang, a=92.28, r=0.707, s=-0.5, big=1234567.891) == f"{number} {ratio} {signed} {big} —"
    assert i18n.format_day(dt.date(2026, 11, 21), lang) == day
    assert i18n.format_signed(-0.5, lang) == signed


@pytest.mark.parametrize("lang, num, pct, signed", [
    ("vi", "92,29 0,13 3 -3", "70,71% 13%", "+0,01 ±0,00 −0,01 +92,29 — +∞"),
    ("en", "92.29 0.13 3 -3", "70.71% 13%", "+0.01 ±0.00 −0.01 +92.29 — +∞"),
])
def test_pages_round_half_up_as_bulletins_do(lang, num, pct, signed):
    """The filters write ``chiso.text``'s numbers: half up on the decimal value (92.285 → 92,29;
    it was 92,28, half to even, before one rule was chosen), the sign of ``signed`` decided on
    the rounded change."""
    env = jinja2.Environment()
    i18n.install(env)
    values = {"a": 92.285, "b": 0.125, "c": 2.5, "d": -2.5, "r": 0.707050, "q": 0.125,
              "s": [0.005, -0.004, -0.005, 92.285, None, float("inf")]}
    page = env.from_string("{{ a|num }} {{ b|num }} {{ c|num(0) }} {{ d|num(0) }}|{{ r|pct(2) }} {{ q|pct(0) }}|"
                           "{% for x in s %}{{ x|signed }}{{ ' ' if not loop.last }}{% endfor %}")
    assert page.render(lang=lang, **values) == f"{num}|{pct}|{signed}"


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
    script = (STATIC_DIR / "chiso.js").read_text(encoding="utf-8")
    assert 'vi: "vi-VN", en: "en-GB"' in script and "Intl.NumberFormat" in script and '"chiso:"' in script
