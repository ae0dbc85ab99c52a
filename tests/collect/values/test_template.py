"""The values template (chiso.collect.values.template): the rows an agency owes for a period,
pre-filled, that the ordinary upload reads back — and the report of a filled-in template
naming the sheet's own row and the wrong character."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from chiso.collect.values import Submitter, read_batch, submit_batch
from chiso.collect.values.template import GUIDE, LISTS, SHEET, TemplateError, build_template, period_window
from chiso.errors import LoadError

from .conftest import NOW

TODAY = dt.date(2026, 9, 3)
SNNMT = Submitter(as_unit="24-SNNMT", by="Trần Thị Bình")
STC = Submitter(as_unit="24-STC", by="Nguyễn Văn An")


def make(db, catalogue, units, agency, period):
    with db.session() as s:
        return build_template(s, catalogue, units, agency, period, today=TODAY, now=NOW)


def fill(data: bytes, values: dict[int, object], path) -> None:
    """Write ``values`` into the value column ("Giá trị") by sheet row, as a person would."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    column = [c.value for c in ws[1]].index("Giá trị") + 1
    for row, value in values.items():
        ws.cell(row=row, column=column, value=value)
    wb.save(path)


def test_the_template_holds_the_rows_the_agency_owes_with_lists_and_a_guide(sqlite_db, catalogue, units, tmp_path):
    data, rows, window = make(sqlite_db, catalogue, units, "24-SNNMT", "2025")
    communes = [u.code for u in units.units(province="24") if u.level == "commune"]
    assert window.label == "2025" and len(rows) == len(communes) == 99
    assert {r.indicator for r in rows} == {"XH.HO_NGHEO"} and sorted(r.unit for r in rows) == sorted(communes)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [SHEET, LISTS, GUIDE]  # the upload reads the first sheet
    ws = wb[SHEET]
    assert ws.freeze_panes == "B2"
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Mã chỉ số", "Tên chỉ số (tham khảo)", "Mã đơn vị", "Tên đơn vị (tham khảo)", "Kỳ"]
    assert [ws.cell(2, 1).value, ws.cell(2, 5).value, ws.cell(2, header.index("Giá trị") + 1).value] == [
        "XH.HO_NGHEO", "2025", None]
    kinds = sorted(v.type for v in ws.data_validations.dataValidation)
    assert kinds == ["decimal", "list", "list", "list"]
    assert wb[LISTS].sheet_state == "hidden"
    guide = " ".join(str(c.value) for c in wb[GUIDE]["A"] if c.value)
    assert "Năm 2025" in guide and "dòng 1 là tiêu đề" in guide and "Sở Nông nghiệp" in guide
    # the Sở Tài chính owes its monthly indicator for a month, its weekly one for a week
    assert [r.indicator for r in make(sqlite_db, catalogue, units, "24-STC", "2026-08")[1]] == ["TC.THU_NSNN"]
    assert [r.indicator for r in make(sqlite_db, catalogue, units, "24-STC", "2026-W34")[1]] == ["DN.THANH_LAP"]


def test_a_filled_template_is_accepted_by_the_ordinary_upload_and_a_slip_is_named(sqlite_db, catalogue, units,
                                                                                   tmp_path):
    data, rows, _ = make(sqlite_db, catalogue, units, "24-SNNMT", "2025")
    path = tmp_path / "ho-ngheo-2025.xlsx"
    filled = {r: round(1 + r / 10, 1) for r in range(2, len(rows) + 2)}
    fill(data, {**filled, 6: "3.1O8,2"}, path)
    with pytest.raises(LoadError) as refused:
        submit_batch(sqlite_db, read_batch(path), SNNMT, catalogue, units, now=NOW)
    # the wrong row, and (the batch checked whole) the commune it leaves without a value
    [problem] = [p for p in refused.value.problems if p.row is not None]
    # the sheet's own row: header row 1, so the fifth commune is row 6
    assert (problem.row, problem.column, problem.value) == (6, "value", "3.1O8,2")
    assert problem.reason == "character 'O' at position 4 is not a digit: 3.1O8,2"
    assert read_batch(path).sheet == SHEET
    fill(data, {**filled, 6: 3.108}, path)
    result = submit_batch(sqlite_db, read_batch(path), SNNMT, catalogue, units, now=NOW)
    assert (result.status, result.inserted) == ("accepted", 99)
    # the next template shows the values in force for reference
    again = make(sqlite_db, catalogue, units, "24-SNNMT", "2025")[1]
    assert sorted(r.current for r in again)[:2] == [1.2, 1.3] and all(r.previous is None for r in again)


def test_rows_left_empty_in_a_template_are_not_sent(sqlite_db, catalogue, units, tmp_path):
    before = submit_batch(sqlite_db, read_batch(_csv(tmp_path, "TC.THU_NSNN,24,2026-07,1520.5")), STC,
                          catalogue, units, now=NOW)
    assert before.status == "accepted"
    data, rows, _ = make(sqlite_db, catalogue, units, "24-STC", "2026-08")
    assert [(r.unit, r.previous, r.current) for r in rows] == [("24", 1520.5, None)]
    path = tmp_path / "thu.xlsx"
    fill(data, {}, path)
    assert len(read_batch(path)) == 0  # nothing filled in: nothing to send (refused as empty)
    fill(data, {2: 1610}, path)
    batch = read_batch(path)
    assert [(r.row, r.get("indicator"), r.get("period"), r.get("value")) for r in batch.rows] == [
        (2, "TC.THU_NSNN", "2026-08", "1610")]
    assert "tên chỉ số (tham khảo)" not in batch.columns


def _csv(tmp_path, *lines):
    path = tmp_path / "thu.csv"
    path.write_text("indicator,unit,period,value\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("period, words", [("2026-13", "no month 13"), ("2026-08-01..2026-08-09", "one period"),
                                           ("2027-01", "has not begun")])
def test_a_period_that_is_not_one_is_refused(period, words):
    with pytest.raises(TemplateError, match=words):
        period_window(period, TODAY)
