"""Every refusal names the file, the row (as a spreadsheet shows it: the header is row 1), the column
and the reason."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from chiso.catalog.records import DOSSIERS
from chiso.collect.readers import read_source
from chiso.collect.validate import Problems, as_text, check_across_files, validate
from chiso.errors import Problem

HEADER = "id,unit_code,procedure_code,received_date,appointment_date,channel"
GOOD = "D1,24-SYT,P1,2026-08-14,2026-08-19,online"


@pytest.fixture
def problems_of(write, units):
    """problems_of(body, header=…, name=…) → (sorted problems, total, typed frame)."""

    def run(body: str, header: str = HEADER, name: str = "dossiers.csv", cap: int = 1000):
        path = write(name, header + "\n" + body + "\n")
        sink = Problems(cap=cap)
        typed = validate(read_source(path), units, sink)
        return sink.sorted(), sink.total, typed, str(path)

    return run


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_a_good_file_has_no_problems(problems_of):
    problems, total, typed, _ = problems_of(GOOD + "\nD2,07210,P1,14/08/2026,19/08/2026,Post")
    assert problems == [] and total == 0
    assert typed["received_date"].to_list() == [date(2026, 8, 14)] * 2
    assert typed["channel"].to_list() == ["online", "post"]


def test_missing_required_column(problems_of):
    problems, _, _, path = problems_of("D1,24-SYT,P1,2026-08-14,online",
                                       header="id,unit_code,procedure_code,received_date,channel_x")
    missing = [p for p in problems if p.column == "channel"]
    assert missing == [Problem(path, None, "channel", "required column missing from this dossiers file")]


def test_unknown_column_is_refused_with_the_expected_list(problems_of):
    problems, _, _, path = problems_of(GOOD + ",x", header=HEADER + ",chanel_note")
    p = only(problems)
    assert (p.file, p.row, p.column) == (path, None, "chanel_note")
    assert "unknown column" in p.reason and "received_date" in p.reason


@pytest.mark.parametrize("cell, reason", [
    ("2026-13-01", "not a date"),
    ("31/02/2026", "not a date"),
    ("14.08.2026", "not a date"),
    ("1999-12-31", "impossible date"),
    ("01/01/2101", "impossible date"),
])
def test_bad_dates(problems_of, cell, reason):
    problems, _, _, path = problems_of(GOOD + f"\nD2,24-SYT,P1,{cell},,online")
    p = only(problems)
    assert (p.file, p.row, p.column) == (path, 3, "received_date")
    assert p.reason.startswith(reason) and p.value in (cell, "1999-12-31", "2101-01-01")


def test_midnight_timestamps_are_dates(problems_of):
    problems, _, typed, _ = problems_of("D1,24-SYT,P1,2026-08-14 00:00:00,2026-08-19T00:00:00,online")
    assert problems == []
    assert typed["appointment_date"].to_list() == [date(2026, 8, 19)]


@pytest.mark.parametrize("cell, ok", [("3", True), (" 4 ", True), ("3.5", False), ("ba", False),
                                      ("99999999999", False)])
def test_integers(problems_of, cell, ok):
    problems, _, typed, _ = problems_of(GOOD + f",{cell}", header=HEADER + ",supplement_count")
    if ok:
        assert problems == [] and typed["supplement_count"].to_list() == [int(cell)]
    else:
        p = only(problems)
        assert (p.row, p.column, p.reason, p.value) == (2, "supplement_count", "not a whole number",
                                                        cell.strip())


def test_booleans_accept_vietnamese_and_refuse_others(problems_of):
    cells = ["true", "FALSE", "1", "0", "yes", "No", "có", "Không", "co\u0301"]  # last: decomposed "có"
    body = "\n".join(f"D{i},24-SYT,P1,2026-08-14,2026-08-19,online,{c}" for i, c in enumerate(cells))
    problems, _, typed, _ = problems_of(body, header=HEADER + ",fully_online")
    assert problems == []
    assert typed["fully_online"].to_list() == [True, False, True, False, True, False, True, False, True]
    problems, *_ = problems_of(GOOD + ",maybe", header=HEADER + ",fully_online")
    p = only(problems)
    assert (p.row, p.column, p.value) == (2, "fully_online", "maybe") and "yes/no" in p.reason


def test_empty_required_cell(problems_of):
    problems, _, _, path = problems_of(GOOD + "\nD2,24-SYT,,2026-08-14,2026-08-19,online")
    assert only(problems) == Problem(path, 3, "procedure_code", "required value is empty")


def test_value_not_among_choices(problems_of):
    problems, *_ = problems_of("D1,24-SYT,P1,2026-08-14,2026-08-19,fax")
    p = only(problems)
    assert (p.row, p.column, p.value) == (2, "channel", "fax")
    assert p.reason == "not one of the allowed values: direct, online, post"


def test_below_minimum(problems_of):
    problems, *_ = problems_of(GOOD + ",-1", header=HEADER + ",supplement_days")
    p = only(problems)
    assert (p.row, p.column, p.reason, p.value) == (2, "supplement_days", "below the minimum 0", "-1")


def test_unknown_unit(problems_of):
    problems, *_ = problems_of(GOOD + "\nD2,24-XYZ,P1,2026-08-14,2026-08-19,online")
    p = only(problems)
    assert (p.row, p.column, p.value) == (3, "unit_code", "24-XYZ") and "unknown unit" in p.reason


def test_province_code_must_be_the_units(problems_of):
    body = "D1,24-SYT,P1,2026-08-14,2026-08-19,online,24\nD2,00004,P1,2026-08-14,2026-08-19,online,24"
    problems, *_ = problems_of(body, header=HEADER + ",province_code")
    p = only(problems)
    assert (p.row, p.column, p.value) == (3, "province_code", "24")
    assert p.reason == "unit 00004 belongs to province 01, not 24"


def test_duplicate_key_names_both_rows(problems_of):
    body = "\n".join([GOOD, "D2,24-SYT,P1,2026-08-14,2026-08-19,online", GOOD])
    problems, *_ = problems_of(body)
    p = only(problems)
    assert (p.row, p.column, p.value) == (4, "id", "D1")
    assert p.reason == "duplicate key id='D1': row 2 has the same key"


def test_duplicate_composite_key(problems_of):
    header = "unit_code,procedure_code,name,statutory_days"
    problems, *_ = problems_of("24-SYT,P1,A,3\n07210,P1,A,3\n24-SYT,P1,B,4", header=header,
                               name="procedures.csv")
    p = only(problems)
    assert (p.row, p.column) == (4, "unit_code, procedure_code")
    assert "row 2" in p.reason and p.value == "unit_code=24-SYT, procedure_code=P1"


def test_duplicate_key_across_files(write, units):
    a = write("dossiers_a.csv", HEADER + "\n" + GOOD + "\n")
    b = write("dossiers_b.csv", HEADER + "\nD9,24-SYT,P1,2026-08-14,2026-08-19,online\n" + GOOD + "\n")
    sink = Problems()
    frames = [(str(p), validate(read_source(p), units, sink)) for p in (a, b)]
    check_across_files(DOSSIERS, frames, sink)
    p = only(sink.sorted())
    assert (p.file, p.row, p.column, p.value) == (str(b), 3, "id", "D1")
    assert p.reason == f"duplicate key id='D1': also in {a} row 2 of this load"


def test_dates_out_of_order(problems_of):
    body = GOOD + ",2026-08-13\nD2,24-SYT,P1,2026-08-14,2026-08-12,online,"
    problems, *_ = problems_of(body, header=HEADER + ",finished_date")
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "finished_date", "2026-08-13"), (3, "appointment_date", "2026-08-12")]
    assert problems[0].reason == "finished_date is before received_date (2026-08-14)"


def test_all_problems_are_counted_but_only_the_first_kept(problems_of):
    body = "\n".join(f"D{i},24-SYT,P1,2026-08-14,2026-08-19,fax" for i in range(30))
    problems, total, *_ = problems_of(body, cap=10)
    assert total == 30 and len(problems) == 10
    assert [p.row for p in problems] == list(range(2, 12))  # the spreadsheet's rows: the header is row 1


def test_many_kinds_of_problem_in_one_pass(problems_of):
    body = "D1,24-XYZ,,2026-02-30,,fax\nD1,24-SYT,P1,2026-08-14,2026-08-19,online"
    problems, total, *_ = problems_of(body)
    assert total == 5
    assert {(p.row, p.column) for p in problems} == {
        (2, "unit_code"), (2, "procedure_code"), (2, "received_date"), (2, "channel"), (3, "id")}


def test_native_types_from_parquet_are_checked_too(tmp_path, units):
    path = tmp_path / "dossiers.parquet"
    pl.DataFrame({"id": ["D1", "D2"], "unit_code": ["24-SYT", "24-SYT"], "procedure_code": [1, 2],
                  "received_date": [date(2026, 8, 14), date(1990, 1, 1)],
                  "appointment_date": [date(2026, 8, 19), date(2026, 8, 19)],
                  "channel": ["online", "online"], "supplement_count": [1.0, 2.5]}).write_parquet(path)
    sink = Problems()
    typed = validate(read_source(path), units, sink)
    assert typed["procedure_code"].to_list() == ["1", "2"]  # numbers become codes
    assert {(p.row, p.column, p.reason.split(":")[0]) for p in sink.sorted()} == {
        (2, "received_date", "impossible date"), (2, "supplement_count", "not a whole number")}


def test_as_text_trims_and_normalises():
    s = as_text(pl.Series("x", [" a ", "", None, "co\u0301"]))
    assert s.to_list() == ["a", None, None, "có"]
    assert as_text(pl.Series("x", [1.0, 2.5, None])).to_list() == ["1", "2.5", None]
