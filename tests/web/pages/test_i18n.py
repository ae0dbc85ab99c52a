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
    ("2026-W48", "Tuần 48/2026", "Week 48, 2026"),
    ("2026-11", "Tháng 11/2026", "November 2026"),
    ("2026-08", "Tháng 8/2026", "August 2026"),
    ("2026-Q3", "Quý III/2026", "Q3 2026"),
    ("2026-Q4", "Quý IV/2026", "Q4 2026"),
    ("2026", "Năm 2026", "2026"),
    ("2026-08-17", "17/08/2026", "17 Aug 2026"),
    ("2026-08-01..2026-08-17", "01/08/2026–17/08/2026", "1 Aug 2026 – 17 Aug 2026"),
    ("ytd:2026-08-17", "Từ đầu năm đến 17/08/2026", "Year to 17 Aug 2026"),
    ("không phải kỳ", "không phải kỳ", "không phải kỳ"),
])
def test_periods_in_each_language(label, vi, en):
    assert i18n.format_period(label, "vi") == vi and i18n.format_period(label, "en") == en


@pytest.mark.parametrize("label, vi, en", [
    ("2026-W48", "Tuần 48/2026 (23–29/11)", "Week 48, 2026 (23–29 Nov)"),
    ("2026-W49", "Tuần 49/2026 (30/11–06/12)", "Week 49, 2026 (30 Nov – 6 Dec)"),
    ("2026-W01", "Tuần 1/2026 (29/12/2025–04/01/2026)", "Week 1, 2026 (29 Dec 2025 – 4 Jan 2026)"),
    ("2026-11", "Tháng 11/2026", "November 2026"),
])
def test_a_week_with_its_days_where_a_picker_or_title_needs_them(label, vi, en):
    env = jinja2.Environment()
    i18n.install(env)
    page = env.from_string("{{ w|period(dates=True) }}")
    assert page.render(lang="vi", w=label) == vi and page.render(lang="en", w=label) == en


def test_inside_a_sentence_a_period_starts_in_lower_case():
    from chiso.periods.spoken import spoken_period

    assert spoken_period("2026-11", "vi", capital=False) == "tháng 11/2026"
    assert spoken_period("2026-W48", "vi", capital=False) == "tuần 48/2026"
    assert spoken_period("2026-11", "en", capital=False) == "November 2026"


def test_times_are_shown_in_the_local_zone(monkeypatch):
    """Stored times are UTC (with or without a zone); pages show them in CHISO_TIMEZONE."""
    monkeypatch.delenv("CHISO_TIMEZONE", raising=False)
    utc = dt.datetime(2026, 11, 23, 20, 5, tzinfo=dt.UTC)  # 03:05 the next day in Hà Nội
    naive = dt.datetime(2026, 11, 23, 20, 5)
    assert i18n.format_moment(utc, "vi") == "24/11/2026 03:05"
    assert i18n.format_moment(naive, "vi") == "24/11/2026 03:05"
    assert i18n.format_moment("2026-11-23T20:05:00+00:00", "en") == "24 Nov 2026, 03:05"
    assert i18n.format_day(utc, "vi") == "24/11/2026"
    assert i18n.format_day(dt.date(2026, 11, 23), "vi") == "23/11/2026"  # a date is a date: no zone
    assert i18n.iso_local(utc) == "2026-11-24T03:05:00+07:00"
    assert i18n.zone_label("vi") == "giờ Việt Nam, UTC+7"
    monkeypatch.setenv("CHISO_TIMEZONE", "Europe/Paris")
    assert i18n.format_moment(utc, "vi") == "23/11/2026 21:05"
    assert i18n.iso_local(naive) == "2026-11-23T21:05:00+01:00"
    monkeypatch.setenv("CHISO_TIMEZONE", "Mars/Olympus")
    from chiso.errors import SettingsError
    with pytest.raises(SettingsError, match="CHISO_TIMEZONE"):
        i18n.format_moment(utc, "vi")


@pytest.mark.parametrize("kind, code, vi, en", [
    ("role", "officer", "cán bộ", "officer"),
    ("role", "head", "thủ trưởng", "agency head"),
    ("pstate", "approved", "đã duyệt", "approved"),
    ("aggregation", "sum", "tổng", "sum"),
    ("aggregation", "last", "giá trị cuối kỳ", "last value of the period"),
    ("target_method", "path_linear", "lộ trình đều theo kỳ", "even path over the periods"),
    ("status", "off_track", "Chậm tiến độ", "Off track"),
    ("measure", "hồ sơ", "hồ sơ", "dossiers"),
    ("measure", "điểm", "điểm", "points"),
    ("role", "astronaut", "astronaut", "astronaut"),  # an unknown code is shown as it is
])
def test_codes_in_the_page_language(kind, code, vi, en):
    env = jinja2.Environment()
    i18n.install(env)
    page = env.from_string("{{ term(kind, code) }}")
    assert page.render(lang="vi", kind=kind, code=code) == vi
    assert page.render(lang="en", kind=kind, code=code) == en


def test_the_vocabulary_names_every_code_chiso_uses():
    """Every role, period state, aggregation rule, status and trend chiso knows has its words."""
    from chiso.catalog.indicator import AggregationRule
    from chiso.evaluate.dm.status import STATUS_LABELS
    from chiso.evaluate.dm.trend import TREND_LABELS
    from chiso.web.security.principal import ROLES

    codes = {"role": ROLES, "aggregation": AggregationRule.__args__, "status": STATUS_LABELS,
             "trend": TREND_LABELS}
    for lang in ("vi", "en"):
        words = i18n.catalogue(lang)
        for kind, known in codes.items():
            missing = [c for c in known if f"term.{kind}.{c}" not in words]
            assert not missing, (lang, kind, missing)
    for code, (vi, en) in STATUS_LABELS.items():  # one wording with the evaluation's own labels
        assert i18n.term("vi", "status", code) == vi and i18n.term("en", "status", code) == en


def test_catalogue_units_have_english_words():
    """English pages say "dossiers", not "hồ sơ": every unit of measure of the sample catalogue."""
    import yaml

    from chiso.web.pages.render import TEMPLATE_DIR
    catalogue = TEMPLATE_DIR.parent.parent / "catalog" / "definitions" / "catalogue-24.yaml"
    units = {ind.get("unit") for ind in yaml.safe_load(catalogue.read_text(encoding="utf-8"))["indicators"]}
    untranslated = sorted(u for u in units - {None, "%", "ha"} if i18n.term("en", "measure", u) == u)
    assert not untranslated, untranslated


@pytest.mark.parametrize("text, vi, en", [
    ("Nhập danh mục từ tệp c.yaml (phiên bản 2) / entered the catalogue by import",
     "Nhập danh mục từ tệp c.yaml (phiên bản 2)", "entered the catalogue by import"),
    ("Đồng ý / chuyển bước", "Đồng ý / chuyển bước", "Đồng ý / chuyển bước"),  # a person's comment: whole
    ("ok / fine", "ok / fine", "ok / fine"),
    ("Phát hiện điều kiện cảnh báo — condition found", "Phát hiện điều kiện cảnh báo", "condition found"),
    ("Đồng ý", "Đồng ý", "Đồng ý"),
])
def test_texts_written_in_both_languages_show_one_side(text, vi, en):
    assert i18n.bilingual(text, "vi") == vi and i18n.bilingual(text, "en") == en


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


# ---------------------------------------------------------------- on the demo site's pages
def visible(html: str) -> str:
    """A page's text as a reader sees it (no tags, no attribute values, no script)."""
    import re

    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


RAW_PERIOD = r"\b\d{4}-(?:W\d{2}|Q[1-4]|\d{2})\b"


def test_the_period_box_offers_periods_as_people_say_them(site):
    """The header's period box is a list to choose from (no code to type), each period in words,
    the chosen one selected; the page's title says the period the same way."""
    import re

    page = site.client("lanhdao").get("/", params={"window": "2026-W34"}).text
    box = re.search(r'<select id="window-input" name="window"[^>]*>(.*?)</select>', page, re.S)
    assert box, "the period box is not a <select>"
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', box.group(1))
    assert ("2026-W34", " selected", "Tuần 34/2026 (17–23/08)") in options
    labels = [text for _, _, text in options]
    assert "Tháng 8/2026" in labels and "Quý III/2026" in labels and "Năm 2026" in labels
    assert not [text for text in labels if re.search(RAW_PERIOD, text)]
    assert "<datalist" not in page and 'list="window-list"' not in page
    assert "Tuần 34/2026 (17–23/08)" in visible(page) and "so với Tuần 33/2026" in visible(page)
    english = site.client("lanhdao").get("/", params={"window": "2026-W34", "lang": "en"}).text
    assert "Week 34, 2026 (17–23 Aug)" in english and "August 2026" in english and "Q3 2026" in english


def test_score_pages_show_no_period_codes(site):
    for path in ("/", "/rankings", "/units/24", "/wall", "/indicators/NS.CHI_NSDP"):
        text = visible(site.client("lanhdao").get(path, params={"window": "2026-W34"}).text)
        import re
        assert not re.findall(RAW_PERIOD, text), (path, re.findall(RAW_PERIOD, text)[:5])


def test_the_indicator_page_says_its_rules_in_words(site):
    """Aggregation, periods, the catalogue import's note and units of measure in the page's language."""
    vi = visible(site.client("lanhdao").get("/indicators/NS.CHI_NSDP").text)
    assert "tổng / tổng" in vi and "sum" not in vi.split("Cách tổng hợp")[1][:40]
    assert "Tháng 6/2026" in vi
    assert "entered the catalogue by import" not in vi and "Nhập danh mục từ tệp" in vi
    en = visible(site.client("lanhdao").get("/indicators/NS.CHI_NSDP", params={"lang": "en"}).text)
    assert "June 2026" in en and "entered the catalogue by import" in en and "Nhập danh mục" not in en
    assert "billion VND" in en and "tỷ đồng" not in en


def test_english_pages_name_bands_and_criteria_in_english(site):
    en = visible(site.client("lanhdao").get("/units/24", params={"window": "2026-W34", "lang": "en"}).text)
    assert "Dossiers handled on time" in en and "Hồ sơ giải quyết đúng hạn" not in en
    ranking = visible(site.client("lanhdao").get("/rankings", params={"level": "department", "lang": "en"}).text)
    assert "Tốt" not in ranking and "Nhóm" not in ranking
    vi = visible(site.client("lanhdao").get("/rankings", params={"level": "department"}).text)
    assert "Nhóm" in vi


def test_record_columns_are_headed_in_words(site):
    html = site.client("quantri").get("/units/24/records", params={"criterion": "ON_TIME", "window": "2026-W34"}).text
    assert "Ngày tiếp nhận" in html and ">received_date<" not in html
