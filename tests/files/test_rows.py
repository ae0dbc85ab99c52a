"""One convention for row numbers, in the one reader: the number the user's own program shows
(chiso.files.tables.ROW_CONVENTION) — a workbook's sheet row, a spreadsheet's CSV row (the
header is row 1), a JSON lines line, a Parquet record's position."""
from __future__ import annotations

import polars as pl
import pytest
import xlsxwriter

from chiso.errors import LoadError
from chiso.files.tables import FIRST_DATA_ROW, ROW, ROW_CONVENTION, read_table


def workbook(path, rows: dict[int, list[str]], sheet: str = "Số liệu") -> None:
    """Cells by 0-based sheet row (row 0 is the sheet's row 1)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    for r, cells in rows.items():
        ws.write_row(r, 0, cells)
    wb.close()


def test_a_workbook_numbers_rows_as_the_sheet_does_and_names_the_sheet(tmp_path):
    path = tmp_path / "v.xlsx"
    workbook(path, {0: ["indicator", "value"], 1: ["A", "1"], 3: ["B", "2"]})
    table = read_table(path)
    assert table.sheet == "Số liệu" and table.frame[ROW].to_list() == [2, 4] == [FIRST_DATA_ROW, 4]
    assert table.frame["indicator"].to_list() == ["A", "B"]


def test_blank_rows_above_a_workbooks_header_are_counted(tmp_path):
    path = tmp_path / "v.xlsx"
    workbook(path, {2: ["indicator", "value"], 3: ["A", "1"], 5: ["B", "x"]}, sheet="Tháng 11")
    table = read_table(path)
    assert table.sheet == "Tháng 11" and table.frame[ROW].to_list() == [4, 6]
    assert table.frame.columns == [ROW, "indicator", "value"]


def test_an_empty_workbook_and_a_workbook_of_a_header_only(tmp_path):
    path = tmp_path / "v.xlsx"
    workbook(path, {0: ["indicator", "value"]})
    assert read_table(path).frame.height == 0
    workbook(path, {})
    assert read_table(path).frame.height == 0


def test_csv_rows_are_the_spreadsheets_even_with_a_cell_over_two_lines(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text('indicator,note\nA,"hai\ndòng"\n\nB,x\n', encoding="utf-8")
    assert read_table(path).frame[ROW].to_list() == [2, 4]


@pytest.mark.parametrize("text, row", [("a,b\n1,2\n3,4,5\n", 3), ('a,b\n1,2\n3,"4\n', 3)])
def test_a_row_polars_cannot_read_is_named_by_the_spreadsheets_number(tmp_path, text, row):
    path = tmp_path / "v.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        read_table(path)
    assert caught.value.problems[0].row == row


def test_json_lines_and_parquet_keep_their_own_numbers(tmp_path):
    lines = tmp_path / "v.jsonl"
    lines.write_text('{"a": 1}\n\n{"a": 2}\n', encoding="utf-8")
    assert read_table(lines).frame[ROW].to_list() == [1, 3]
    parquet = tmp_path / "v.parquet"
    pl.DataFrame({"a": [1, 2]}).write_parquet(parquet)
    assert read_table(parquet).frame[ROW].to_list() == [1, 2]
    assert set(ROW_CONVENTION) == {"xlsx", "csv", "jsonl", "parquet", "json"}
