"""Refusal reasons in Vietnamese and English, each with a stable code (chiso.collect.values.reasons).

The English text (what ``Problem.reason`` holds, what is stored and printed) is unchanged; the
code and the Vietnamese text are read back from it — for every reason the rules give on real
refusals, and for reports stored before the codes existed."""
from __future__ import annotations

import re
import string

import pytest

from chiso.collect.values import read_batch, reasons, submit_batch
from chiso.errors import ChisoError, LoadError
from chiso.periods.windows import parse_window

from .conftest import NOW
from .test_submit import STC

VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("reason", reasons.REASONS, ids=lambda r: r.code)
def test_every_reason_has_both_languages_and_reads_back_to_its_code(reason):
    assert reason.vi != reason.en and VIETNAMESE.search(reason.vi), reason.code
    assert fields(reason.vi) == fields(reason.en), reason.code
    sample = {name: f"<{name}-{i}>" for i, name in enumerate(sorted(fields(reason.en)))}
    english = reasons.text(reason.code, **sample)
    assert reasons.explain(english) == (reason.code, sample)
    assert reasons.code_of(english) == reason.code
    assert reasons.localise(english, "en") == english
    assert reasons.localise(english, "vi") == reason.vi.format(**sample)


def test_codes_are_unique_and_stable():
    codes = [r.code for r in reasons.REASONS]
    assert len(codes) == len(set(codes))
    assert {"value.range", "owner.not_owner", "period.locked", "unit.incomplete", "value.outlier",
            "value.correction", "file.missing"} <= set(codes)


def test_words_inside_a_reason_are_translated_too():
    english = ("XH.HO_NGHEO is reported for commune units; 24 (Tỉnh Bắc Ninh) is a province")
    assert reasons.localise(english, "vi") == (
        "XH.HO_NGHEO được báo cáo cho đơn vị cấp xã/phường; 24 (Tỉnh Bắc Ninh) là cấp tỉnh")
    monthly = "TC.THU_NSNN is reported monthly: write the period as a month, e.g. 2026-08"
    assert reasons.localise(monthly, "vi") == "TC.THU_NSNN được báo cáo hằng tháng: ghi kỳ theo tháng, ví dụ 2026-08"


def test_the_more_specific_reason_wins():
    plain = "row 1 already gives X for 24 in 2026-08"
    split = "row 1 already gives X for 24 in 2026-08 (sector=A)"
    assert reasons.code_of(plain) == "row.duplicate"
    assert reasons.explain(split) == ("row.duplicate_breakdown", {"first": "1", "code": "X", "unit": "24",
                                                                  "period": "2026-08", "breakdown": "sector=A"})
    hinted = ("incomplete: 2 expected unit(s) have no value of X for 2026: a, b; submit them too, "
              "or send this batch as a draft (--draft)")
    assert reasons.code_of(hinted) == "unit.incomplete"
    assert reasons.code_of(hinted.split("; submit")[0]) == "unit.incomplete_flag"


def test_a_message_that_is_not_a_reason_is_left_as_it_is():
    assert reasons.explain("quản trị viên nộp thay phải ghi lý do") is None
    assert reasons.localise("quản trị viên nộp thay phải ghi lý do", "vi") == "quản trị viên nộp thay phải ghi lý do"
    # the window parser's own message, recognised by the period column
    assert reasons.localise("no month 13", "vi", column="period") == "không đọc được kỳ báo cáo: không có tháng 13"
    assert reasons.code_of("no month 13", column="period") == "period.unreadable"
    with pytest.raises(ValueError, match="unknown language"):
        reasons.localise("file not found", "fr")


BAD = [
    "indicator,unit,period,value\nKT.KHONG_CO,24,2026-08,1\n",
    "indicator,unit,period,value\nTC.THU_NSNN,99,2026-08,1\n",
    "indicator,unit,period,value\nTC.THU_NSNN,07210,2026-08,1\n",
    "indicator,unit,period,value\nTC.THU_NSNN,01,2026-08,1\n",
    "indicator,unit,period,value\nTC.THU_NSNN,24,2026-Q3,1\n",
    "indicator,unit,period,value\nTC.THU_NSNN,24,tháng 8,1\n",
    "indicator,unit,period,value\nTC.THU_NSNN,24,2026-12,1\n",
    "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,mười\n",
    "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,\"3.1O8,2\"\n",
    "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,-5\n",
    "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,5%\n",
    "indicator,unit,period,value,measure\nTC.THU_NSNN,24,2026-08,5,triệu đồng\n",
    "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,\n",
    "indicator,unit,period,value\nTC.TY_LE_THU,24,2026-08,5\n",
    "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1\nTC.THU_NSNN,24,2026-08,2\n",
    "indicator,unit,period,value,breakdown\nTC.THU_NSNN,24,2026-08,1,sector=A\n",
    "indicator,unit,period,value,breakdown\nDN.THANH_LAP,24,2026-W34,1,vùng=A\n",
    "indicator,unit,period\nTC.THU_NSNN,24,2026-08\n",
    "indicator,unit,period,value,colour\nTC.THU_NSNN,24,2026-08,1,red\n",
    "indicator,unit,period,value\nXH.HO_NGHEO,07210,2025,5\n",  # not Sở Tài chính's indicator
]


@pytest.mark.parametrize("text", BAD)
def test_every_refusal_of_the_rules_has_a_code_and_a_vietnamese_text(sqlite_db, catalogue, units, write, text):
    with pytest.raises(Exception) as caught:
        submit_batch(sqlite_db, read_batch(write("bad.csv", text)), STC, catalogue, units, now=NOW)
    problems = getattr(caught.value, "problems", None)
    assert problems, caught.value
    for p in problems:
        code = reasons.code_of(p.reason, p.column)
        assert code is not None, p.reason
        vi = reasons.localise(p.reason, "vi", p.column)
        assert vi != p.reason and VIETNAMESE.search(vi), (code, vi)


@pytest.mark.parametrize("name, text, code", [
    ("v.txt", "x", "file.type"), ("broken.json", "[{", "file.bad_json"), ("object.json", '{"a": 1}', "file.json_shape"),
    ("empty.csv", "indicator,unit,period,value\n", "file.empty"), ("list.json", "[1]", "entry.not_object"),
])
def test_file_level_reasons_have_codes(sqlite_db, catalogue, units, write, name, text, code):
    with pytest.raises(LoadError) as caught:
        submit_batch(sqlite_db, read_batch(write(name, text)), STC, catalogue, units, now=NOW)
    assert reasons.code_of(caught.value.problems[0].reason) == code


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "2026-W60", "tháng 8", "2026-08-20..2026-08-01",
                                    "2026-02-30"])
def test_the_window_parsers_messages_read_in_vietnamese(period):
    with pytest.raises(ChisoError) as e:
        parse_window(period)
    message = str(e.value)
    vi = reasons.localise(message, "vi", column="period")
    assert vi.startswith("không đọc được kỳ báo cáo: ")
    # no English sentence left inside: every parser message has a Vietnamese form
    assert vi != f"không đọc được kỳ báo cáo: {message}", message


@pytest.mark.parametrize("written, found", [
    ("3.1O8,2", ("O", 4)),      # the letter O for a zero
    ("12l5", ("l", 3)),         # the letter l for a one
    ("1\u200b234", ("\u200b", 2)),  # a zero-width space pasted from a web page
    ("45%%", ("%", 3)),
    ("mười", None),             # a word: not a number at all
    ("sai12", None),            # mostly letters
    ("1.234,5", None),          # every character may be in a number; they just do not make one
    ("", None),
])
def test_the_wrong_character_of_a_number_with_a_slip(written, found):
    assert reasons.wrong_character(written) == found


def test_a_slip_is_refused_naming_the_character_in_both_languages(sqlite_db, catalogue, units, write):
    path = write("thu.csv", 'indicator,unit,period,value\nTC.THU_NSNN,24,2026-07,1520\nTC.THU_NSNN,24,2026-08,"3.1O8,2"\n')
    with pytest.raises(LoadError) as caught:
        submit_batch(sqlite_db, read_batch(path), STC, catalogue, units, now=NOW)
    [p] = caught.value.problems
    assert (p.row, p.column, p.value) == (3, "value", "3.1O8,2")  # the spreadsheet's row: the header is row 1
    assert p.reason == "character 'O' at position 4 is not a digit: 3.1O8,2"
    assert reasons.code_of(p.reason, p.column) == "value.character"
    assert reasons.localise(p.reason, "vi", p.column) == "ký tự 'O' ở vị trí 4 không phải chữ số: 3.1O8,2"
