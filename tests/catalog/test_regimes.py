"""Reporting regimes: the file's validation, the cut-off's data windows, versions (chiso.catalog.regimes)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chiso.catalog.catalogue import DEFINITIONS_CATALOGUE, load_catalogue
from chiso.catalog.regimes import (
    SHIPPED_DIR,
    Cutoff,
    DataWindow,
    data_window,
    due_date,
    find_regime,
    load_regime,
    load_regimes,
    parse_regime,
    report_period,
)
from chiso.errors import LoadError, NotFoundError, WindowError
from chiso.units import load_units

SHIPPED = SHIPPED_DIR / "bc-ktxh-thang.yaml"

MINIMAL = """\
code: BC_THU
version: "1"
valid_from: 2026-01-01
name: Báo cáo thử
legal_basis:
  - {document: Nghị định 09/2019/NĐ-CP, article: "Điều 12"}
frequency: monthly
cutoff: {day: 14, basis: "Nghị định 09/2019/NĐ-CP, Điều 12"}
reporter: UBND tỉnh
recipient: Văn phòng Chính phủ
template: {outline: Tình hình thử, form: Biểu số 01, form_title: Chỉ tiêu thử}
document:
  issuer: UBND TỈNH BẮC NINH
  symbol: BC-UBND
  signer_title: CHỦ TỊCH
  recipients: ["Lưu: VT"]
sections:
  - number: I
    title: Kinh tế
    rows:
      - {number: "1", label: Bán lẻ, indicator: KT.BAN_LE}
"""


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(DEFINITIONS_CATALOGUE).indicators


def _problems(text: str, path: str = "thu.yaml") -> list:
    with pytest.raises(LoadError) as exc:
        parse_regime(text, path)
    return exc.value.problems


def test_the_shipped_monthly_report_loads_and_maps_to_the_shipped_catalogue(catalogue):
    regime = load_regime(SHIPPED)
    assert regime.code == "BC_KTXH_THANG" and regime.spec.frequency == "monthly"
    assert regime.spec.cutoff.day == 14 and "Điều 12" in regime.spec.legal_basis[0].article
    rows = list(regime.rows())
    assert len(rows) == 41 and len({r.number for *_, r in rows}) == 41
    regime.check(catalogue, province="24", units=load_units())  # every row maps to a catalogue indicator
    assert {r.aggregation for *_, r in rows} == {"latest", "window", "year_to_date"}
    assert [r.code for r in load_regimes()] == ["BC_KTXH_THANG"]


@pytest.mark.parametrize(("frequency", "label", "start", "end"), [
    # Nghị định 09/2019/NĐ-CP, Điều 12: from the 15th of the month before to the 14th of the last month
    ("monthly", "2026-11", "2026-10-15", "2026-11-14"),
    ("monthly", "2026-01", "2025-12-15", "2026-01-14"),   # across the year
    ("monthly", "2026-03", "2026-02-15", "2026-03-14"),
    ("quarterly", "2026-Q3", "2026-06-15", "2026-09-14"),
    ("quarterly", "2026-Q1", "2025-12-15", "2026-03-14"),
    ("half_yearly", "2026-H1", "2025-12-15", "2026-06-14"),
    ("half_yearly", "2026-H2", "2026-06-15", "2026-12-14"),
    ("yearly", "2026", "2025-12-15", "2026-12-14"),
])
def test_the_data_window_of_a_cut_off_on_the_14th(frequency, label, start, end):
    w = data_window(Cutoff(day=14, basis="NĐ 09/2019, Điều 12"), report_period(frequency, label))
    assert w == DataWindow(dt.date.fromisoformat(start), dt.date.fromisoformat(end))


@pytest.mark.parametrize(("cutoff", "label", "start", "end"), [
    (Cutoff(rule="calendar", basis="kỳ lịch"), "2026-02", "2026-02-01", "2026-02-28"),
    (Cutoff(rule="calendar", basis="kỳ lịch"), "2024-02", "2024-02-01", "2024-02-29"),
    # a cut-off on the 28th: the day after 28 February is 1 March, or 29 February in a leap year
    (Cutoff(day=28, basis="thử"), "2026-03", "2026-03-01", "2026-03-28"),
    (Cutoff(day=28, basis="thử"), "2024-03", "2024-02-29", "2024-03-28"),
    (Cutoff(day=20, basis="thử"), "2026-05", "2026-04-21", "2026-05-20"),
])
def test_other_cut_off_rules(cutoff, label, start, end):
    w = data_window(cutoff, report_period("monthly", label))
    assert (w.start.isoformat(), w.end.isoformat()) == (start, end)


def test_the_due_date_is_days_after_the_cut_off():
    regime = load_regime(SHIPPED)
    w = data_window(regime.spec.cutoff, report_period("monthly", "2026-11"))
    assert due_date(regime, w) == dt.date(2026, 11, 20)   # 14 + 6 days
    w = data_window(regime.spec.cutoff, report_period("monthly", "2026-12"))
    assert due_date(regime, w) == dt.date(2026, 12, 20)


@pytest.mark.parametrize(("frequency", "label", "words"), [
    ("monthly", "2026-Q3", "viết như 2026-11"), ("monthly", "2026-13", "không có tháng 13"),
    ("quarterly", "2026-11", "viết như 2026-Q3"), ("half_yearly", "2026-H3", "viết như 2026-H1"),
    ("yearly", "2026-01", "viết như 2026"),
])
def test_a_period_the_regime_does_not_have_is_refused(frequency, label, words):
    with pytest.raises(WindowError, match=words):
        report_period(frequency, label)


def test_period_words():
    assert report_period("monthly", "2026-11").spoken() == "tháng 11 năm 2026"
    assert report_period("quarterly", "2026-Q3").spoken() == "quý III năm 2026"
    assert report_period("half_yearly", "2026-H2").spoken() == "6 tháng cuối năm 2026"
    assert report_period("yearly", "2026").spoken() == "năm 2026"


def test_every_problem_of_a_file_is_named_by_file_line_and_field():
    text = (MINIMAL.replace("name: Báo cáo thử\n", "")                       # missing name
            .replace("frequency: monthly", "frequency: weekly")               # not a regime frequency
            .replace("cutoff: {day: 14,", "cutoff: {day: 31,")                # beyond 28
            .replace("reporter: UBND tỉnh", "reporter: UBND tỉnh\nsender: ai đó")  # unknown key
            + '      - {number: "1", label: Trùng, indicator: KT.IIP}\n')      # valid, but see below
    problems = _problems(text, "bc-thu.yaml")
    by_field = {p.column: p for p in problems}
    assert set(by_field) == {"name", "frequency", "cutoff.day", "sender"}
    assert all(p.file == "bc-thu.yaml" for p in problems)
    assert by_field["frequency"].row == 6 and "monthly" in by_field["frequency"].reason
    assert by_field["cutoff.day"].row == 7 and by_field["cutoff.day"].reason == "phải ≤ 28"
    assert by_field["sender"].row == 9 and "không có trong mẫu" in by_field["sender"].reason
    assert by_field["name"].reason == "bắt buộc nhưng chưa có"
    text = str(LoadError(problems))
    assert "bc-thu.yaml, dòng 6, trường 'frequency'" in text and "(giá trị 'weekly')" in text


def test_duplicate_row_numbers_and_rules_across_fields():
    text = MINIMAL + '      - {number: "1", label: Trùng, indicator: KT.IIP}\n'
    [p] = _problems(text)
    assert (p.row, p.column) == (22, "sections[0].rows[1].number") and "trùng với sections[0].rows[0].number" in p.reason
    [p] = _problems(MINIMAL.replace("cutoff: {day: 14,", "cutoff: {rule: calendar, day: 14,"))
    assert p.column == "cutoff" and "calendar" in p.reason
    [p] = _problems(MINIMAL.replace("valid_from: 2026-01-01", "valid_from: 2026-01-01\nvalid_to: 2025-12-31"))
    assert "trước valid_from" in p.reason
    [p] = _problems(MINIMAL.replace("code: BC_THU", "code: bc thu"))
    assert p.column == "code" and p.row == 1
    empty = _problems(MINIMAL.replace('      - {number: "1", label: Bán lẻ, indicator: KT.BAN_LE}\n', ""))
    assert [(p.column, p.reason) for p in empty] == [("sections[0].rows", "phải là một danh sách")]


def test_rows_are_checked_against_the_catalogue(catalogue, tmp_path: Path):
    text = MINIMAL + (
        '      - {number: "2", label: Không có, indicator: KT.KHONG_CO}\n'
        '      - {number: "3", label: Tháng trong tháng, indicator: KT.XUAT_KHAU, aggregation: window}\n'
        '      - {number: "4", label: Không cộng dồn, indicator: KT.TANG_XUAT_KHAU, aggregation: year_to_date}\n'
        '      - {number: "5", label: Tỉnh khác, indicator: KT.BAN_LE, unit: "01"}\n'
        '      - {number: "6", label: Cấp xã, indicator: KT.BAN_LE, unit: "24-STC"}\n'
        '      - {number: "7", label: Năm lũy kế, indicator: XH.DAN_SO, aggregation: year_to_date}\n')
    path = tmp_path / "bc-thu.yaml"
    path.write_text(text, encoding="utf-8")
    regime = load_regime(path)
    with pytest.raises(LoadError) as exc:
        regime.check(catalogue, province="24", units=load_units())
    found = {(p.row, p.column): p.reason for p in exc.value.problems}
    assert found[(22, "sections[0].rows[1].indicator")] == "không có chỉ số này trong danh mục của tỉnh"
    assert "không nhỏ hơn kỳ báo cáo" in found[(23, "sections[0].rows[2].aggregation")]
    assert "aggregation.periods: none" in found[(24, "sections[0].rows[3].aggregation")]
    assert found[(25, "sections[0].rows[4].unit")] == "không phải đơn vị của tỉnh 24"
    assert "không được báo cáo ở cấp department" in found[(26, "sections[0].rows[5].unit")]
    assert "không có lũy kế trong năm" in found[(27, "sections[0].rows[6].aggregation")]
    assert len(found) == 6 and all(p.file == str(path) for p in exc.value.problems)
    with pytest.raises(LoadError, match="không phải tỉnh 01"):
        load_regime(SHIPPED).check(catalogue, province="01", units=load_units())


def test_versions_are_chosen_by_the_period_and_may_not_overlap(tmp_path: Path):
    (tmp_path / "v1.yaml").write_text(MINIMAL.replace("valid_from: 2026-01-01",
                                                      "valid_from: 2025-01-01\nvalid_to: 2026-06-30"), encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(MINIMAL.replace('version: "1"', 'version: "2"')
                                      .replace("valid_from: 2026-01-01", "valid_from: 2026-07-01"), encoding="utf-8")
    regimes = load_regimes([tmp_path])
    assert find_regime(regimes, "BC_THU", "2026-06").version == "1"
    assert find_regime(regimes, "BC_THU", "2026-07").version == "2"
    assert find_regime(regimes, "BC_THU").version == "2"
    with pytest.raises(WindowError, match="không có phiên bản nào của BC_THU có hiệu lực cho kỳ 2024-12"):
        find_regime(regimes, "BC_THU", "2024-12")
    with pytest.raises(NotFoundError, match="không có chế độ báo cáo 'BC_KHAC'"):
        find_regime(regimes, "BC_KHAC")
    (tmp_path / "v3.yaml").write_text(MINIMAL.replace('version: "1"', 'version: "3"')
                                      .replace("valid_from: 2026-01-01", "valid_from: 2026-09-01"), encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_regimes([tmp_path])
    [p] = exc.value.problems
    assert p.file.endswith("v3.yaml") and p.column == "valid_from" and "phiên bản 2" in p.reason


def test_a_broken_yaml_file_names_its_line(tmp_path: Path):
    path = tmp_path / "hong.yaml"
    path.write_text("code: BC\nname: [chưa đóng\n", encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_regime(path)
    assert exc.value.problems[0].file == str(path) and exc.value.problems[0].row is not None


def test_a_provinces_own_file_replaces_the_shipped_versions_of_its_code(tmp_path: Path):
    own = SHIPPED.read_text(encoding="utf-8").replace("days_after_cutoff: 6", "days_after_cutoff: 8")
    (tmp_path / "bc-ktxh-thang.yaml").write_text(own, encoding="utf-8")
    regimes = load_regimes([SHIPPED_DIR, tmp_path])
    [regime] = [r for r in regimes if r.code == "BC_KTXH_THANG"]
    assert regime.path == str(tmp_path / "bc-ktxh-thang.yaml") and regime.spec.deadline.days_after_cutoff == 8
    # two files of one code outside the shipped folder still may not overlap
    (tmp_path / "ban-sao.yaml").write_text(own.replace('version: "2026.1"', 'version: "2026.2"'), encoding="utf-8")
    with pytest.raises(LoadError, match="còn hiệu lực"):
        load_regimes([SHIPPED_DIR, tmp_path])
