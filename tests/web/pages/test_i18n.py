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
