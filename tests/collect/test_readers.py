"""Reading CSV, Parquet, JSON lines and .xlsx the same way, and telling what a file holds."""
from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
import xlsxwriter

from chiso.collect.load import load_paths
from chiso.collect.readers import ROW, detect_kind, read_source
from chiso.collect.validate import Problems, validate
from chiso.errors import LoadError
from chiso.store.records import open_records
from tests.files.corpus import cp1258

ROWS = [
    # id, unit, procedure, received, appointment, channel, supplements, fully online, rating
    ("D1", "07210", "P1", date(2026, 8, 14), date(2026, 8, 19), "online", 0, True, "satisfied"),
    ("D2", "24-SYT", "P2", date(2026, 8, 17), date(2026, 8, 24), "direct", 2, False, None),
    ("D3", "07210", "P1", date(2026, 9, 1), date(2026, 9, 4), "post", 1, False, "neutral"),
]
COLUMNS = ["id", "unit_code", "procedure_code", "received_date", "appointment_date", "channel",
           "supplement_count", "fully_online", "rating"]


def native_frame() -> pl.DataFrame:
    return pl.DataFrame(ROWS, schema=COLUMNS, orient="row")


def write_all_formats(tmp_path) -> dict[str, str]:
    df = native_frame()
    paths = {}
    csv = tmp_path / "dossiers.csv"
    lines = [",".join(COLUMNS)] + [
        ",".join("" if v is None else (v.strftime("%d/%m/%Y") if isinstance(v, date) else str(v).lower()
                                       if isinstance(v, bool) else str(v)) for v in row)
        for row in ROWS]
    csv.write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode())  # with a BOM, DD/MM/YYYY dates
    paths["csv"] = str(csv)
    paths["parquet"] = str(tmp_path / "dossiers.parquet")
    df.write_parquet(paths["parquet"])
    paths["jsonl"] = str(tmp_path / "dossiers.jsonl")
    df.write_ndjson(paths["jsonl"])
    paths["xlsx"] = str(tmp_path / "dossiers.xlsx")
    with xlsxwriter.Workbook(paths["xlsx"]) as wb:
        ws = wb.add_worksheet()
        datefmt = wb.add_format({"num_format": "dd/mm/yyyy"})
        ws.write_row(0, 0, COLUMNS)
        for r, row in enumerate(ROWS, start=1):
            for c, v in enumerate(row):
                if isinstance(v, date):
                    ws.write_datetime(r, c, datetime(v.year, v.month, v.day), datefmt)
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, int):
                    ws.write_number(r, c, v)
                elif v is not None:
                    ws.write_string(r, c, v)
    return paths


def test_all_four_formats_read_and_load_identically(tmp_path, units):
    paths = write_all_formats(tmp_path)
    typed, stored = {}, {}
    for fmt, path in paths.items():
        src = read_source(path)
        assert src.kind.name == "dossiers" and src.format == fmt and src.rows == 3
        sink = Problems()
        typed[fmt] = validate(src, units, sink)
        assert not sink, sink.sorted()
        with open_records(f"duckdb:///{(tmp_path / (fmt + '.duckdb')).as_posix()}") as store:
            # the dossiers carry their appointment dates, so no procedure catalogue is needed
            report = load_paths([path], store, units)
            assert report.inserted == 3
            stored[fmt] = [{k: v for k, v in r.items() if k != "_batch"} for r in store.fetch("dossiers")]
    # rows as each format's own program numbers them: a sheet's rows under its header, a
    # record's position, a line
    assert {fmt: typed[fmt][ROW].to_list() for fmt in typed} == {
        "csv": [2, 3, 4], "xlsx": [2, 3, 4], "parquet": [1, 2, 3], "jsonl": [1, 2, 3]}
    for fmt in ("parquet", "jsonl", "xlsx"):
        assert typed[fmt].drop(ROW).equals(typed["csv"].drop(ROW)), fmt
        assert stored[fmt] == stored["csv"], fmt
    first = stored["csv"][0]
    assert first["unit_code"] == "07210" and first["received_date"] == date(2026, 8, 14)
    assert first["province_code"] == "24" and first["fully_online"] is True
    assert stored["csv"][1]["supplement_count"] == 2 and stored["csv"][1]["rating"] is None


def test_row_numbers_survive_blank_rows_and_trailing_separators(write):
    path = write("petitions.csv", "ID , Unit_Code,received_date,\nP1,24,2026-01-05,\n,,,\nP2,24,2026-01-06,\n")
    src = read_source(path)
    assert src.kind.name == "petitions"
    assert src.frame.columns == [ROW, "id", "unit_code", "received_date"]
    assert src.frame[ROW].to_list() == [2, 4]  # the spreadsheet's rows: the header is row 1


def test_kind_from_argument_name_or_columns(write):
    assert detect_kind("x.csv", ["id"], "procedures").name == "procedures"
    assert detect_kind("data/Publications_2026.csv", []).name == "publications"
    cols = ["id", "unit_code", "received_date", "due_date"]
    assert detect_kind("export.csv", cols).name == "petitions"
    cols = ["unit_code", "procedure_code", "name", "statutory_days"]
    assert detect_kind("export.csv", cols).name == "procedures"
    with pytest.raises(LoadError) as err:
        detect_kind("export.csv", ["id", "unit_code"])
    [p] = err.value.problems
    assert p.file == "export.csv" and p.row is None and "fit no record kind" in p.reason
    with pytest.raises(LoadError) as err:
        # both dossiers' and petitions' required columns are present, and neither holds all
        detect_kind("export.csv", ["id", "unit_code", "procedure_code", "received_date", "channel", "due_date"])
    assert "dossiers and petitions" in err.value.problems[0].reason
    with pytest.raises(LoadError, match="unknown record kind"):
        detect_kind("x.csv", [], "letters")


@pytest.mark.parametrize("name, content, reason", [
    ("dossiers.txt", "id\n1\n", "unsupported file type"),
    ("dossiers.csv", None, "file not found"),
    ("dossiers.xlsx", "not a workbook", "not an Excel workbook (.xlsx)"),
    ("dossiers.parquet", "not parquet", "cannot read this parquet file"),
])
def test_unreadable_files_are_refused_by_name(tmp_path, write, name, content, reason):
    path = write(name, content) if content is not None else tmp_path / name
    with pytest.raises(LoadError) as err:
        read_source(path)
    [p] = err.value.problems
    assert p.file == str(path) and p.row is None and reason in p.reason


def test_utf16_with_a_byte_order_mark_is_read(write):
    path = write("dossiers.csv", "id,unit_code\nD1,Phường Kinh Bắc\n", encoding="utf-16")
    assert read_source(path).frame["unit_code"].to_list() == ["Phường Kinh Bắc"]


def test_a_legacy_vietnamese_code_page_is_named(tmp_path):
    path = tmp_path / "dossiers.csv"
    text = "id,unit_code,note\n" + "".join(f"D{i},Phường Kinh Bắc,Hồ sơ của ông Nguyễn Văn Hưởng\n" for i in range(40))
    path.write_bytes(cp1258(text))
    with pytest.raises(LoadError) as err:
        read_source(path)
    [p] = err.value.problems
    assert "not UTF-8" in p.reason and "cp1258" in p.reason and "line 2" in p.reason


def test_duplicate_and_nameless_headers_are_refused(write):
    with pytest.raises(LoadError) as err:
        read_source(write("dossiers.csv", "id,ID\n1,2\n"))
    assert "column appears twice" in err.value.problems[0].reason
    with pytest.raises(LoadError) as err:
        read_source(write("dossiers.csv", "id,,unit_code\n1,x,24\n"))
    assert err.value.problems[0].reason == "a column has values but no header"
