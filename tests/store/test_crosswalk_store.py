"""Crosswalk rows imported into the store, on SQLite and PostgreSQL, and the commands
``chiso units crosswalk import | show``: a file kept all or nothing with who, when and from
which file; a re-import writing nothing; a changed mapping refused unless it is a new version;
a bad file naming file, row, column and reason and writing nothing; each import audited. Both
layouts: rows in columns (the portal's ids) and the official conversion table as published (a
hand-written fixture in its layout, tests/fixtures/crosswalk), CSV and a workbook."""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
import xlsxwriter
from sqlalchemy import func, select
from typer.testing import CliRunner

from chiso.cli.crosswalk import app as crosswalk_app
from chiso.cli.crosswalk import crosswalk_in_force
from chiso.errors import ChisoError, LoadError
from chiso.store.database import Database, init_store
from chiso.store.models_crosswalk import CrosswalkEntry
from chiso.store.repo_audit import audit_entries
from chiso.store.repo_crosswalk import crosswalk_rows, entries, import_file, load
from chiso.units import load_units

TREE = load_units()
#: A hand-written table in the official conversion table's layout (made-up old units; see its README).
TABLE = Path(__file__).parents[1] / "fixtures" / "crosswalk" / "bang_chuyen_doi_thu.csv"
HEADER = "scheme,code,target,relation,valid_from,version,level,name\n"
PHU_THO = ("portal,H44,25,same,2026-01-01,,province,Phú Thọ\n"
           "portal,H44.23,25-SYT,same,2026-01-01,,department,Sở Y tế\n")


def write(path: Path, body: str, header: str = HEADER) -> Path:
    path.write_text(header + body, encoding="utf-8")
    return path


def run(db: Database, path: Path, actor: str = "Văn phòng UBND", **options):
    with db.session() as s:
        return import_file(s, path, actor=actor, is_unit=TREE.__contains__, **options)


def stored(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(CrosswalkEntry))


def test_import_keeps_rows_with_who_when_and_file_and_reimport_writes_nothing(db: Database, tmp_path: Path):
    path = write(tmp_path / "ma-cong.csv", PHU_THO)
    first = run(db, path)
    assert (first.rows, first.inserted, first.unchanged, first.versions) == (2, 2, 0, ("2026-01-01",))
    with db.session() as s:
        rows = entries(s)
        assert [(e.code, e.target, e.imported_by, e.source_file) for e in rows] == [
            ("H44", "25", "Văn phòng UBND", "ma-cong.csv"), ("H44.23", "25-SYT", "Văn phòng UBND", "ma-cong.csv")]
        assert rows[0].file_sha256 == first.sha256 and rows[0].imported_at.tzinfo is not None
        assert load(s, communes=False).translate("H44", "portal").target == "25"
        assert [e.code for e in entries(s, "25-SYT")] == ["H44.23"]
        logged = audit_entries(s, action="crosswalk.import")
        assert len(logged) == 1 and logged[0].detail["inserted"] == 2 and logged[0].actor == "Văn phòng UBND"
    again = run(db, path)
    assert (again.inserted, again.unchanged) == (0, 2)
    assert stored(db) == 2
    with db.session() as s:
        assert len(audit_entries(s, action="crosswalk.import")) == 1  # nothing written, nothing audited


def test_a_changed_mapping_is_refused_and_a_new_version_accepted(db: Database, tmp_path: Path):
    run(db, write(tmp_path / "v1.csv", PHU_THO))
    changed = write(tmp_path / "doi.csv", "portal,H44,24,same,2026-01-01,,province,Phú Thọ\n"
                                          "portal,H45,24,same,2026-01-01,,province,Bắc Ninh\n")
    with pytest.raises(LoadError) as info:
        run(db, changed)
    [problem] = info.value.problems
    assert str(problem).startswith("doi.csv, dòng 2, cột 'version': mã H44 (portal) phiên bản 2026-01-01 đã có "
                                   "ánh xạ khác: 25 (same)")
    assert stored(db) == 2  # all or nothing: H45 was not kept either
    newer = write(tmp_path / "v2.csv", "portal,H44,24,renamed,2026-09-01,2026-09,province,Phú Thọ\n")
    assert run(db, newer).inserted == 1
    with db.session() as s:
        cw = load(s, communes=False)
        assert cw.translate("H44", "portal").target == "24"
        assert cw.translate("H44", "portal", dt.date(2026, 3, 1)).target == "25"
        assert len(crosswalk_rows(s, "portal")) == 3


def test_a_bad_file_names_every_problem_and_writes_nothing(db: Database, tmp_path: Path):
    path = write(tmp_path / "sai.csv", "portal,H44,25,same,2026-01-01,,,\n"
                                       "portal,H46,99,same,2026-01-01,,,\n"
                                       "portal,,25,giống,2026-13-01,,,\n")
    with pytest.raises(LoadError) as info:
        run(db, path)
    got = [str(p) for p in info.value.problems]
    assert got == ["sai.csv, dòng 3, cột 'target': không phải mã một đơn vị hiện nay (Quyết định 19/2025/QĐ-TTg) "
                   "(giá trị '99')",
                   "sai.csv, dòng 4, cột 'code': trống",
                   "sai.csv, dòng 4, cột 'relation': phải là một trong same, renamed, merged_into, part_of, "
                   "split_from (giá trị 'giống')",
                   "sai.csv, dòng 4, cột 'valid_from': không phải một ngày (YYYY-MM-DD) (giá trị '2026-13-01')"]
    assert stored(db) == 0
    with pytest.raises(LoadError, match="thiếu cột"):
        run(db, write(tmp_path / "cot.csv", "portal,H44\n", header="scheme,code\n"))
    with pytest.raises(LoadError, match="cột không có"):
        run(db, write(tmp_path / "thua.csv", "portal,H44,25,same,2026-01-01,x\n",
                      header="scheme,code,target,relation,valid_from,ghi_chu\n"))


def test_a_workbook_is_read_with_its_rows_numbered_as_excel_shows_them(db: Database, tmp_path: Path):
    path = tmp_path / "ma.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("Mã")
        ws.write_row(0, 0, ["scheme", "code", "target", "relation", "valid_from"])
        ws.write_row(1, 0, ["portal", "H44", "25", "same", "2026-01-01"])
        ws.write_row(2, 0, ["portal", "H27", 24, "same", "2026-01-01"])  # a number cell: 24, not 24.0
        ws.write_row(3, 0, ["portal", "H01", 1, "same", "2026-01-01"])   # a number that lost its 0
    with pytest.raises(LoadError) as info:
        run(db, path)
    [problem] = info.value.problems
    assert str(problem).startswith("ma.xlsx, dòng 4, cột 'target'") and "có phải 01?" in str(problem)
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["scheme", "code", "target", "relation", "valid_from"])
        ws.write_row(1, 0, ["portal", "H27", 24, "same", "2026-01-01"])
    assert run(db, path).inserted == 1
    with db.session() as s:
        assert load(s, communes=False).translate("H27", "portal").target == "24"


def test_old_units_a_province_adds_are_checked_against_the_shipped_ones(db: Database, tmp_path: Path):
    same = write(tmp_path / "cu.csv", "before_2025,26,25,merged_into,2025-07-01,2025-07-01,province,Vĩnh Phúc\n")
    assert (run(db, same).inserted, run(db, same).unchanged) == (0, 1)  # shipped already: nothing stored
    with pytest.raises(LoadError, match="đã có ánh xạ khác"):
        run(db, write(tmp_path / "sai.csv", "before_2025,26,24,merged_into,2025-07-01,2025-07-01,province,\n"))
    assert stored(db) == 0


# ------------------------------------------------------------------ the official conversion table
def test_the_conversion_table_is_imported_as_versioned_rows(db: Database, tmp_path: Path):
    first = run(db, TABLE, "Sở Nội vụ")
    # 9 old communes (a split one twice: 10 rows) and 4 old districts; the area without a code: none
    assert (first.rows, first.inserted, first.unchanged, first.versions) == (14, 14, 0, ("2025-07-01",))
    with db.session() as s:
        cw = load(s)
        assert cw.translate("90001", "before_2025").target == "00004"
        split = cw.translate("90003", "before_2025")
        assert split.status == "ambiguous" and split.targets == ("00004", "00008")
        assert cw.translate("901", "before_2025").target == "01"
        assert cw.translate("26", "before_2025").target == "25"  # the shipped provinces are still there
        assert load(s, communes=False).translate("90001", "before_2025").status == "unknown"
        assert len(crosswalk_rows(s, communes=False)) == 0
        kept = entries(s, "90006")
        assert [(e.target, e.relation, e.level, e.source_file, e.imported_by) for e in kept] == [
            ("04831", "renamed", "commune", TABLE.name, "Sở Nội vụ")]
        logged = audit_entries(s, action="crosswalk.import")
        assert len(logged) == 1 and logged[0].detail["layout"] == "conversion_table"
        assert logged[0].detail["inserted"] == 14
    again = run(db, TABLE)  # idempotent
    assert (again.inserted, again.unchanged) == (0, 14) and stored(db) == 14


def test_a_changed_table_needs_a_new_version(db: Database, tmp_path: Path):
    run(db, TABLE)
    changed = tmp_path / "bang-sua.csv"
    changed.write_text(TABLE.read_text(encoding="utf-8").replace(
        "Phường Ngọc Hà,00008,Phường Thử Bốn,90004", "Phường Ba Đình,00004,Phường Thử Bốn,90004"), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        run(db, changed)
    [problem] = info.value.problems
    assert str(problem).startswith("bang-sua.csv, dòng 9: mã 90004 (before_2025) phiên bản 2025-07-01 đã có ánh xạ "
                                   "khác: 00008 (merged_into); một ánh xạ thay đổi cần một phiên bản mới (lệnh nhập "
                                   "với --version và --valid-from)")
    assert stored(db) == 14
    newer = run(db, changed, version="2026-01-01", valid_from=dt.date(2026, 1, 1))
    assert newer.inserted == 14 and newer.versions == ("2026-01-01",)
    with db.session() as s:
        cw = load(s)
        assert cw.translate("90004", "before_2025").target == "00004"
        assert cw.translate("90004", "before_2025", dt.date(2025, 9, 1)).target == "00008"
    with pytest.raises(ChisoError, match="chỉ dùng cho bảng chuyển đổi"):
        run(db, write(tmp_path / "ma.csv", PHU_THO), version="v2")


def test_a_bad_table_writes_nothing(db: Database, tmp_path: Path):
    bad = tmp_path / "bang-sai.csv"
    bad.write_text(TABLE.read_text(encoding="utf-8").replace("Tỉnh Phú Thọ (25),Xã Đà Bắc", "Tỉnh Phú Thọ (25),Xã Đà Bắcc"),
                   encoding="utf-8")
    with pytest.raises(LoadError) as info:
        run(db, bad)
    assert [(p.row, p.column) for p in info.value.problems] == [(13, "Tên Xã mới")]
    assert stored(db) == 0


def test_the_table_as_a_workbook_with_merged_cells(db: Database, tmp_path: Path):
    rows = list(csv.reader(TABLE.read_text(encoding="utf-8").splitlines(keepends=True)))
    path = tmp_path / "bang.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("Bảng chuyển đổi")
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                # the new commune written once over its old communes, as merged cells read
                if c < 3 and r > 0 and rows[r - 1][:3] == cells[:3] and cells[4]:
                    continue
                if value:
                    ws.write_string(r, c, value)
    assert run(db, path).inserted == 14
    with db.session() as s:
        assert {r.code: r.target for r in crosswalk_rows(s) if r.relation != "split_from"}["90002"] == "00004"
        assert run(db, TABLE).unchanged == 14  # the same table, as CSV: nothing new


# ------------------------------------------------------------------ the commands
runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CHISO_DATABASE_URL", raising=False)
    init_store(f"sqlite:///{(tmp_path / 'data' / 'chiso.sqlite').as_posix()}").dispose()
    return tmp_path


def test_commands_import_and_show(store: Path):
    path = write(store / "ma.csv", PHU_THO)
    r = runner.invoke(crosswalk_app, ["import", str(path), "--by", "Sở Nội vụ"])
    assert r.exit_code == 0, r.output
    empty = runner.invoke(crosswalk_app, ["show"])
    assert "chưa có xã, phường, quận, huyện trước 01/7/2025" in empty.stdout
    table = runner.invoke(crosswalk_app, ["import", str(TABLE), "--by", "Sở Nội vụ"])
    assert table.exit_code == 0 and "14 dòng / rows — 14 mới / new" in table.stdout
    assert "ma.csv: 2 dòng / rows — 2 mới / new, 0 đã có / already there" in r.stdout
    again = json.loads(runner.invoke(crosswalk_app, ["import", str(path), "--format", "json"]).stdout)
    assert (again["inserted"], again["unchanged"]) == (0, 2)
    shown = json.loads(runner.invoke(crosswalk_app, ["show", "H44", "--format", "json"]).stdout)
    assert [(r["target"], r["target_name"], r["imported_by"]) for r in shown["rows"]] == [("25", "Phú Thọ", "Sở Nội vụ")]
    made_of = json.loads(runner.invoke(crosswalk_app, ["show", "25", "--format", "json"]).stdout)["rows"]
    assert {(r["scheme"], r["code"]) for r in made_of if r["direction"] == "from"
            and r["level"] == "province"} == {("portal", "H44"), ("before_2025", "25"), ("before_2025", "26"),
                                              ("before_2025", "17")}
    # the old districts the table places in Phú Thọ
    assert {r["code"] for r in made_of if r["level"] == "district"} == {"903", "904"}
    split = runner.invoke(crosswalk_app, ["show", "90003", "--scheme", "before_2025"])
    assert split.exit_code == 0 and "đã bị chia" in split.stdout
    summary = json.loads(runner.invoke(crosswalk_app, ["show", "--format", "json"]).stdout)
    assert summary["imported"] == 2 + 14
    assert {"scheme": "before_2025", "level": "commune", "relation": "split_from", "rows": 3} in summary["rows"]
    assert {"scheme": "portal", "level": "province", "relation": "same", "rows": 1} in summary["rows"]


def test_a_bad_file_exits_1_and_an_unknown_code_2(store: Path):
    path = write(store / "sai.csv", "portal,H44,99,same,2026-01-01,,,\n")
    r = runner.invoke(crosswalk_app, ["import", str(path)])
    assert r.exit_code == 1 and "sai.csv, dòng 2, cột 'target'" in r.stderr
    unknown = runner.invoke(crosswalk_app, ["show", "H77"])
    assert unknown.exit_code != 0 and "không có trong bảng chuyển đổi" in unknown.stderr
    day = runner.invoke(crosswalk_app, ["import", str(TABLE), "--valid-from", "1/7/2025"])
    assert day.exit_code != 0 and "--valid-from: một ngày YYYY-MM-DD" in day.stderr


def test_commands_reading_foreign_codes_use_the_store_s_crosswalk_when_there_is_one(store: Path, tmp_path: Path,
                                                                                    monkeypatch: pytest.MonkeyPatch):
    assert crosswalk_in_force().translate("H44", "portal").status == "unknown"
    runner.invoke(crosswalk_app, ["import", str(write(store / "ma.csv", PHU_THO))])
    assert crosswalk_in_force().translate("H44", "portal").target == "25"
    nowhere = tmp_path / "khong-co"
    monkeypatch.setenv("CHISO_DATA_DIR", str(nowhere))
    assert crosswalk_in_force().translate("H44", "portal").status == "unknown"  # the shipped rows alone
    assert not nowhere.exists()  # scoring a file never creates a store
