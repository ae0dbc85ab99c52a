"""The catalogue workbook: export then import gives the same catalogue; the layout is what a
provincial office needs (headers, frozen panes, drop-down lists, fields, history); cells that
cannot be read are refused at their sheet row and column."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from chiso.catalog.catalogue import load_catalogue, parse_catalogue
from chiso.catalog.indicator import Target
from chiso.catalog.workbook import (
    COLUMNS,
    SHEET_FIELDS,
    SHEET_HISTORY,
    SHEET_INDICATORS,
    SHEET_INFO,
    SHEET_UNITS,
    decode_bool,
    decode_date,
    decode_list,
    decode_targets,
    encode_list,
    encode_targets,
    number_text,
    write_workbook,
)
from chiso.errors import ChisoError, LoadError
from tests.catalog.test_catalogue import as_yaml, catalogue_doc, entry, finance

HISTORY = [{"code": "TC.THU_NSNN", "version": 1, "from_state": None, "to_state": "approved",
            "at": dt.datetime(2026, 9, 15, 2, 30, tzinfo=dt.UTC), "by": "Văn phòng UBND tỉnh",
            "comment": "Quyết định ban hành bộ chỉ số"}]


@pytest.fixture
def catalogue():
    return parse_catalogue(as_yaml(catalogue_doc(*finance())), "danh-muc.yaml")


@pytest.fixture
def book(tmp_path: Path, catalogue) -> Path:
    return write_workbook(catalogue, tmp_path / "danh-muc.xlsx", history=HISTORY)


def column_of(key: str) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(next(i for i, c in enumerate(COLUMNS) if c.key == key))


def test_export_then_import_gives_the_same_catalogue(book: Path, catalogue) -> None:
    again = load_catalogue(book)
    assert again == catalogue
    assert again["TC.THU_NSNN"].targets == catalogue["TC.THU_NSNN"].targets
    assert again["TC.DU_TOAN"].valid_from == dt.date(2026, 1, 1)


def test_the_indicators_sheet_has_two_header_rows_and_one_row_per_indicator(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == [SHEET_INDICATORS, SHEET_FIELDS, SHEET_INFO, "Hướng dẫn", SHEET_UNITS, SHEET_HISTORY]
    ws = wb[SHEET_INDICATORS]
    assert [c.value for c in ws[1]][:3] == ["Mã chỉ số", "Tên chỉ số", "Tên tiếng Anh"]
    assert [c.value for c in ws[2]] == [c.key for c in COLUMNS]
    assert ws.freeze_panes == "B3"
    assert [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)] == [
        "TC.THU_NSNN", "TC.DU_TOAN", "TC.TY_LE_THU", "HC.CHI_SO_766"]
    assert ws.column_dimensions["D"].width > ws.column_dimensions["H"].width  # definition wider than polarity
    assert ws[f"{column_of('targets')}3"].value == ("2026: 62000 (Nghị quyết HĐND tỉnh)\n"
                                                    "2026-Q3 @24-STC: 45000.5")
    assert ws[f"{column_of('cumulative')}3"].value == "có"
    assert ws[f"{column_of('levels')}3"].value == "province; commune"
    assert ws[f"{column_of('thresholds.on_track')}5"].value == 0.9


def test_coded_columns_have_drop_down_lists(book: Path) -> None:
    ws = openpyxl.load_workbook(book)[SHEET_INDICATORS]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists[f"{column_of('group')}3"] == '"input,process,output,outcome,synthetic"'
    assert lists[f"{column_of('status')}3"].startswith('"needs_identified,candidate,')
    assert lists[f"{column_of('field')}3"] == "'Lĩnh vực'!$A$3:$A$8"
    assert lists[f"{column_of('owner')}3"].startswith("'Đơn vị'!$A$3:$A$")
    assert {f"{column_of(k)}3" for k in ("polarity", "frequency", "cumulative", "aggregation.units")} <= set(lists)


def test_fields_units_information_and_history_sheets(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    assert [r for r in wb[SHEET_FIELDS].iter_rows(min_row=3, max_row=4, values_only=True)] == [
        ("ECONOMY", "Kinh tế", "Economy"), ("FINANCE", "Tài chính – Ngân sách nhà nước", "Finance – State budget")]
    info = {r[0]: r[1] for r in wb[SHEET_INFO].iter_rows(min_row=3, values_only=True) if r[0]}
    assert (info["province"], info["version"]) == ("24", "2025.1")
    assert info["status: approved"] == "5. Phê duyệt, ban hành"
    units = [r[0] for r in wb[SHEET_UNITS].iter_rows(min_row=3, values_only=True)]
    assert units[0] == "24" and "24-STC" in units and "07210" in units
    history = list(wb[SHEET_HISTORY].iter_rows(min_row=3, values_only=True))
    assert history == [("TC.THU_NSNN", 1, None, "approved", "2026-09-15 02:30", "Văn phòng UBND tỉnh",
                        "Quyết định ban hành bộ chỉ số")]


def edit(book: Path, cells: dict[str, Any], sheet: str = SHEET_INDICATORS) -> Path:
    wb = openpyxl.load_workbook(book)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(book)
    return book


def test_an_office_edit_in_excel_reads_back(book: Path) -> None:
    edit(book, {f"{column_of('name')}4": "Dự toán thu ngân sách nhà nước năm",
                f"{column_of('deadline_days')}4": 10,
                f"{column_of('valid_to')}4": dt.datetime(2026, 12, 31),  # typed as a date by Excel
                f"{column_of('cumulative')}4": "không"})
    c = load_catalogue(book)
    ind = c["TC.DU_TOAN"]
    assert (ind.name, ind.deadline_days, ind.valid_to) == ("Dự toán thu ngân sách nhà nước năm", 10,
                                                           dt.date(2026, 12, 31))


def test_moved_columns_are_found_by_their_key(book: Path, catalogue) -> None:
    wb = openpyxl.load_workbook(book)
    wb[SHEET_INDICATORS].move_range("A1:A6", cols=len(COLUMNS))   # the code column to the far right
    wb.save(book)
    assert load_catalogue(book) == catalogue


@pytest.mark.parametrize("key, value, reason", [
    ("targets", "2026 = 5", "target line 1 '2026 = 5' is not PERIOD[ @UNIT]: VALUE[ (BASIS)]"),
    ("targets", "2026: nhiều", "target line 1: 'nhiều' is not a number"),
    ("cumulative", "có lẽ", "write có or không"),
    ("valid_from", "01/01/2026", "write a date as YYYY-MM-DD"),
])
def test_unreadable_cells_are_refused_at_their_row_and_column(book: Path, key: str, value: str,
                                                               reason: str) -> None:
    edit(book, {f"{column_of(key)}4": value})
    with pytest.raises(LoadError) as caught:
        load_catalogue(book)
    (p,) = caught.value.problems
    assert (p.file, p.row, p.column, p.reason, p.value) == (
        str(book), 4, f"{SHEET_INDICATORS}!{column_of(key)} {key}", reason, value)


def test_validation_problems_name_the_sheet_row_and_column(book: Path) -> None:
    edit(book, {f"{column_of('owner')}6": "24-XYZ", f"{column_of('formula')}5": "TC.KHONG_CO + 1",
                "A4": "TC.THU_NSNN"})
    with pytest.raises(LoadError) as caught:
        load_catalogue(book)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(4, f"{SHEET_INDICATORS}!A code"),
                     (5, f"{SHEET_INDICATORS}!{column_of('formula')} formula"),
                     # row 4 no longer holds TC.DU_TOAN, which row 5 divides by
                     (5, f"{SHEET_INDICATORS}!{column_of('aggregation.denominator')} aggregation.denominator"),
                     (6, f"{SHEET_INDICATORS}!{column_of('owner')} owner")}
    message = str(caught.value)
    assert "row 4" in message and "duplicate code 'TC.THU_NSNN' (first at row 3)" in message


def test_unknown_and_missing_column_keys_are_refused(book: Path) -> None:
    edit(book, {"B2": "ten"})
    with pytest.raises(LoadError, match="unknown column key 'ten' in row 2"):
        load_catalogue(book)
    edit(book, {"A2": "ma"})
    with pytest.raises(LoadError, match="no column with key 'code' in row 2"):
        load_catalogue(book)


def test_a_workbook_without_the_indicators_sheet_is_refused(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(tmp_path / "trong.xlsx")
    with pytest.raises(LoadError, match="no sheet 'Chỉ số'"):
        load_catalogue(tmp_path / "trong.xlsx")


def test_a_broken_workbook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "hong.xlsx").write_bytes(b"not a zip")
    with pytest.raises(LoadError, match="not an Excel workbook"):
        load_catalogue(tmp_path / "hong.xlsx")


def test_the_province_comes_from_the_information_sheet(book: Path) -> None:
    edit(book, {"B3": "99"}, sheet=SHEET_INFO)
    with pytest.raises(LoadError) as caught:
        load_catalogue(book)
    (p,) = caught.value.problems
    assert (p.row, p.column, p.reason) == (3, f"{SHEET_INFO}!B province", "'99' is not a province code")


# ---------------------------------------------------------------- cell encodings
def test_targets_encode_and_decode() -> None:
    targets = (Target(period="2026", value=13.6, basis="Nghị quyết 25/NQ-CP (điều 1)"),
               Target(period="2026-W34", value=-2.5e-7, unit="07210"), Target(period="2027", value=1e20))
    text = encode_targets(targets)
    assert text.splitlines() == ["2026: 13.6 (Nghị quyết 25/NQ-CP (điều 1))", "2026-W34 @07210: -2.5e-07",
                                 "2027: 1e+20"]
    assert [Target(**t) for t in decode_targets(text)] == list(targets)
    assert decode_targets("2026 :  5,5 \n\n 2026-Q1@24-STC:1") == [
        {"period": "2026", "value": 5.5}, {"period": "2026-Q1", "unit": "24-STC", "value": 1.0}]


def test_lists_booleans_dates_and_numbers() -> None:
    assert encode_list(("giới tính", "độ tuổi")) == "giới tính; độ tuổi"
    assert decode_list("giới tính;độ tuổi\nvùng ;") == ["giới tính", "độ tuổi", "vùng"]
    with pytest.raises(ChisoError, match="cannot contain ';'"):
        encode_list(("a;b",))
    assert [decode_bool(t) for t in ("có", "Không", "TRUE", "0", "x")] == [True, False, True, False, True]
    assert decode_date("2026-01-01 00:00:00") == decode_date("2026-01-01") == "2026-01-01"
    with pytest.raises(ValueError):
        decode_date("2026-02-30")
    assert [number_text(v) for v in (62000.0, 13.6, 0.95, 1e20)] == ["62000", "13.6", "0.95", "1e+20"]


def test_an_empty_catalogue_still_writes_a_usable_template(tmp_path: Path) -> None:
    c = parse_catalogue(as_yaml(catalogue_doc(entry("TC.A"))))
    path = write_workbook(c, tmp_path / "mau.xlsx", units=[])
    assert load_catalogue(path) == c
