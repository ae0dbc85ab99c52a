"""The task import on both stores: a document-management system's export (CSV and XLSX) and
API items into the register — every problem named, nothing written on a refusal, a repeated
import idempotent, a changed row kept in history."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select

from chiso.collect.tasks import TaskImport, import_items, import_tasks
from chiso.collect.tasks.columns import HEADERS, KEYS
from chiso.collect.tasks.reasons import code_of, localise
from chiso.errors import LoadError
from chiso.store import repo_tasks
from chiso.store.database import init_store
from chiso.store.models import AuditEntry
from chiso.store.models_tasks import TaskChange, TaskRow
from tests.files import corpus

from .conftest import EXPORT, export_rows, register, with_cells, write_csv, write_xlsx

D = dt.date


def run(db, path, tree, catalogue, *, name=None, province="24", by="vanphong"):
    with db.session() as s:
        return import_tasks(s, path, name=name, province=province, tree=tree, catalogue=catalogue, by=by)


def refused(db, path, tree, catalogue, **kw) -> LoadError:
    with pytest.raises(LoadError) as caught:
        run(db, path, tree, catalogue, **kw)
    return caught.value


def stored(db) -> tuple[int, int, int]:
    """Tasks, history rows and audit entries in the store."""
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(TaskRow)),
                s.scalar(select(func.count()).select_from(TaskChange)),
                s.scalar(select(func.count()).select_from(AuditEntry)))


def found(error: LoadError, row, column, words: str) -> bool:
    return any(p.row == row and p.column == column and words in p.reason for p in error.problems)


# ------------------------------------------------------------------ a good export
def test_a_good_export_is_imported_with_every_rule_applied(db, tree, catalogue):
    result = run(db, EXPORT, tree, catalogue)
    assert result == TaskImport(5, 0, 0, tuple(f"NV-2026-0000{i}" for i in range(1, 6)))
    with db.session() as s:
        tasks = {t.external_id: t for t in repo_tasks.all_tasks(s, "24")}
        one = tasks["QLVB-2026-0001"]
        assert (one.doc_number, one.doc_date, one.doc_issuer, one.doc_link) == (
            "125/TB-UBND", D(2026, 10, 5), "UBND tỉnh", "https://qlvb.example.vn/vb/125-tb-ubnd")
        assert (one.assigned_on, one.lead_unit, one.co_units) == (D(2026, 10, 6), "24-STC", ["24-SXD", "24-SNNMT"])
        assert (one.deadline_kind, one.deadline, one.deadline_text) == ("date", D(2026, 11, 30), "30/11/2026")
        assert (one.starred, one.field, one.indicators, one.source) == (True, "FINANCE", ["NS.THU_NSNN"], "file")
        # the lead unit by its exact name; the field by its Vietnamese name; monthly until 31/12
        two = tasks["QLVB-2026-0002"]
        assert (two.lead_unit, two.field, two.deadline_kind, two.due_day, two.until, two.deadline) == (
            "24-STC", "FINANCE", "monthly", 20, D(2026, 12, 31), None)
        assert (two.doc_link, two.co_units, two.indicators, two.starred) == (None, [], [], False)
        # a commune by its name; 10 working days from Tuesday 13/10/2026: 14, 15, 16, 19–23, 26, 27
        three = tasks["QLVB-2026-0003"]
        assert (three.lead_unit, three.assigned_on, three.deadline, three.deadline_text) == (
            "07210", D(2026, 10, 13), D(2026, 10, 27), "10 ngày làm việc")
        four = tasks["QLVB-2026-0004"]
        assert (four.deadline_kind, four.deadline, four.starred, four.field) == ("none", None, True, "ADMINISTRATION")
        five = tasks["QLVB-2026-0005"]
        assert (five.deadline_kind, five.due_day, five.until, five.field) == ("quarterly", 15, None, None)
        assert all(repo_tasks.history(s, t.id) == [] for t in tasks.values())


def test_a_workbook_with_excel_dates_gives_the_same_register_as_the_csv(db, tree, catalogue, tmp_path):
    header, rows = export_rows()
    # one document date written as the number Excel keeps (46300 = 05/10/2026)
    book = write_xlsx(tmp_path / "nhiem-vu.xlsx", header, rows)
    wb = openpyxl.load_workbook(book)
    wb.active.cell(row=3, column=header.index("Ngày văn bản") + 1).value = 46300
    wb.save(book)
    assert run(db, book, tree, catalogue) == TaskImport(5, 0, 0, tuple(f"NV-2026-0000{i}" for i in range(1, 6)))
    with db.session() as s:
        from_book = register(s)
    # the CSV of the same tasks changes nothing: dates are dates however they were written
    assert run(db, EXPORT, tree, catalogue).unchanged == 5
    with db.session() as s:
        assert register(s) == from_book
        assert from_book[0]["deadline_text"] == "30/11/2026" and from_book[1]["doc_date"] == D(2026, 10, 5)


def test_headers_are_matched_without_case_or_accents_and_in_english(db, tree, catalogue, tmp_path):
    header, rows = export_rows()
    loose = ["MA NHIEM VU", "document_number", "ngay van ban", "Trích yếu văn bản", "co quan ban hanh",
             "Liên kết", "noi dung nhiem vu", "assigned_by", "NGÀY GIAO", "lead unit", "Đơn vị phối hợp",
             "deadline", "hạn kết thúc", "trong tam", "Field", "Chỉ số liên quan"]
    # a semicolon-separated file, as Excel writes CSV in a Vietnamese locale, with an extra column
    text = "\n".join(";".join(f'"{c}"' for c in [*cells, extra]) for cells, extra in
                     [(loose, "STT"), *[(r, str(i)) for i, r in enumerate(rows, 1)]]) + "\n"
    path = tmp_path / "xuat.csv"
    path.write_text(text, encoding="utf-8-sig")
    assert run(db, path, tree, catalogue).created == 5
    assert run(db, EXPORT, tree, catalogue).unchanged == 5


# ------------------------------------------------------------------ idempotence and history
def test_a_repeated_import_changes_nothing_and_a_changed_row_keeps_its_history(db, tree, catalogue, tmp_path):
    run(db, EXPORT, tree, catalogue)
    before = stored(db)
    with db.session() as s:
        first = register(s)
    assert run(db, EXPORT, tree, catalogue, by="someone else") == TaskImport(0, 0, 5, tuple(t["code"] for t in first))
    assert stored(db) == before
    with db.session() as s:
        assert register(s) == first
    header, rows = export_rows()
    changed = with_cells(rows, header, {(0, "Thời hạn"): "15/12/2026", (0, "Nội dung nhiệm vụ"): "Rà soát lại",
                                        (3, "Trọng tâm"): ""})
    result = run(db, write_csv(tmp_path / "sua.csv", header, changed), tree, catalogue, by="vanphong.b")
    assert (result.created, result.changed, result.unchanged) == (0, 2, 3)
    with db.session() as s:
        one = repo_tasks.find_task(s, external_id="QLVB-2026-0001")
        assert (one.revision, one.deadline, one.content, one.updated_by) == (2, D(2026, 12, 15), "Rà soát lại",
                                                                             "vanphong.b")
        [change] = repo_tasks.history(s, one.id)
        assert (change.revision, change.by, change.source) == (2, "vanphong.b", "file")
        assert change.change == {"content": [first[0]["content"], "Rà soát lại"],
                                 "deadline": ["2026-11-30", "2026-12-15"], "deadline_text": ["30/11/2026", "15/12/2026"]}
        four = repo_tasks.find_task(s, external_id="QLVB-2026-0004")
        assert [c.change for c in repo_tasks.history(s, four.id)] == [{"starred": [True, False]}]
    # and that changed file again: nothing more
    assert run(db, tmp_path / "sua.csv", tree, catalogue).unchanged == 5


# ------------------------------------------------------------------ bad rows
BAD = {
    # (row index from 0 → the sheet row is index + 2): changes, and the problems they must give
    0: ({"Mã nhiệm vụ": ""}, [("Mã nhiệm vụ", "ô bắt buộc đang để trống")]),
    1: ({"Nội dung nhiệm vụ": "  ", "Ngày giao": "31/02/2026"},
        [("Nội dung nhiệm vụ", "ô bắt buộc đang để trống"), ("Ngày giao", "ngày không có trong lịch")]),
    2: ({"Ngày giao": "hôm qua", "Đơn vị chủ trì": "Sở Không Có"},
        [("Ngày giao", "không phải ngày"), ("Đơn vị chủ trì", "không có đơn vị nào của tỉnh 24")]),
    3: ({"Đơn vị chủ trì": "01-STC", "Đơn vị phối hợp": "24-STC; Sở Ma"},
        [("Đơn vị chủ trì", "không có đơn vị nào của tỉnh 24"), ("Đơn vị phối hợp", "không có đơn vị nào")]),
    4: ({"Đơn vị chủ trì": "24", "Thời hạn": "sớm nhất có thể"},
        [("Đơn vị chủ trì", "là cấp province"), ("Thời hạn", "không hiểu thời hạn")]),
    5: ({"Thời hạn": "01/10/2026"}, [("Thời hạn", "thời hạn (01/10/2026) trước ngày giao (06/10/2026)")]),
    6: ({"Hạn kết thúc": "31/12/2026"}, [("Hạn kết thúc", "chỉ dùng cho nhiệm vụ định kỳ")]),
    7: ({"Trọng tâm": "có lẽ", "Lĩnh vực": "Thể thao"},
        [("Trọng tâm", "ghi x, có, ✓ hoặc 1"), ("Lĩnh vực", "không phải lĩnh vực của danh mục")]),
    8: ({"Chỉ số liên quan": "NS.THU_NSNN; XX.KHONG_CO", "Liên kết văn bản": "javascript:alert(1)"},
        [("Chỉ số liên quan", "XX.KHONG_CO không có trong danh mục"), ("Liên kết văn bản", "http:// hoặc https://")]),
    9: ({"Mã nhiệm vụ": "QLVB-2026-0102"}, [("Mã nhiệm vụ", "trùng với dòng 4")]),
    10: ({"Ngày văn bản": "07/10/2026"}, [("Ngày giao", "ngày giao trước ngày văn bản (07/10/2026)")]),
    11: ({"Mã nhiệm vụ": "Q" * 129}, [("Mã nhiệm vụ", "dài quá 128 ký tự")]),
    12: ({"Ngày giao": "06/10/1999"}, [("Ngày giao", "năm phải từ 2000 đến 2100")]),
    13: ({"Thời hạn": "hằng tháng ngày 32"}, [("Thời hạn", "ngày 32 không có trong tháng")]),
    14: ({"Thời hạn": "0 ngày"}, [("Thời hạn", "số ngày của thời hạn phải từ 1 trở lên")]),
    15: ({"Thời hạn": "31/11/2026"}, [("Thời hạn", "ngày không có trong lịch")]),
    16: ({"Hạn kết thúc": "01/10/2026", "Thời hạn": "hằng tháng ngày 5"},
         [("Hạn kết thúc", "hạn kết thúc trước ngày giao (06/10/2026)")]),
}


def bad_file(tmp_path, name="sai.csv"):
    header, rows = export_rows()
    base = rows[0]
    many = []
    for i in range(len(BAD) + 2):  # the last two rows are good
        row = list(base)
        row[0] = f"QLVB-2026-{100 + i:04d}"
        for column, value in BAD.get(i, ({}, []))[0].items():
            row[header.index(column)] = value
        many.append(row)
    return write_csv(tmp_path / name, header, many)


def test_every_bad_row_is_named_by_file_row_column_and_reason_and_nothing_is_written(db, tree, catalogue, tmp_path):
    before = stored(db)
    error = refused(db, bad_file(tmp_path), tree, catalogue, name="nhiem-vu-thang-10.csv")
    assert stored(db) == before
    expected = [(i + 2, column, words) for i, (_, problems) in BAD.items() for column, words in problems]
    for row, column, words in expected:
        assert found(error, row, column, words), (row, column, words, [str(p) for p in error.problems])
    assert all(p.file == "nhiem-vu-thang-10.csv" for p in error.problems)
    assert error.total == len(error.problems) == len(expected)
    assert not any(p.row in (len(BAD) + 2, len(BAD) + 3) for p in error.problems)  # the good rows
    # each reason in both languages, Vietnamese first; one language each when localised
    p = next(p for p in error.problems if p.column == "Lĩnh vực")
    assert code_of(p.reason) == "field.unknown"
    assert localise(p.reason, "vi").startswith("không phải lĩnh vực của danh mục; các lĩnh vực: ECONOMY (Kinh tế)")
    assert localise(p.reason, "en").startswith("not a field of the catalogue")
    deadline = next(p for p in error.problems if p.column == "Thời hạn" and "không hiểu" in p.reason)
    assert localise(deadline.reason, "en").startswith("cannot read the deadline")
    assert "row 6, column 'Thời hạn'" in str(error)


def test_a_file_with_good_rows_and_one_bad_row_writes_nothing(db, tree, catalogue, tmp_path):
    header, rows = export_rows()
    path = write_csv(tmp_path / "mot-dong-sai.csv", header, with_cells(rows, header, {(4, "Ngày giao"): "32/10/2026"}))
    before = stored(db)
    error = refused(db, path, tree, catalogue)
    assert [(p.row, p.column) for p in error.problems] == [(6, "Ngày giao")]
    assert stored(db) == before and before[0] == 0
    # once fixed it goes in whole
    assert run(db, EXPORT, tree, catalogue).created == 5


def test_problems_stop_at_the_limit_but_are_all_counted(db, tree, catalogue, tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO_FILE_MAX_PROBLEMS", "3")
    error = refused(db, bad_file(tmp_path), tree, catalogue)
    assert len(error.problems) == 3 and error.total == sum(len(p) for _, p in BAD.values())
    assert [p.row for p in error.problems] == [2, 3, 3]


def test_missing_and_repeated_columns_are_named(db, tree, catalogue, tmp_path):
    header, rows = export_rows()
    keep = [i for i, h in enumerate(header) if h not in ("Đơn vị chủ trì", "Ngày giao")]
    path = write_csv(tmp_path / "thieu.csv", [header[i] for i in keep] + ["lead_unit ", "Ma nhiem vu"],
                     [[r[i] for i in keep] + ["24-STC", "X"] for r in rows])
    error = refused(db, path, tree, catalogue)
    assert {(p.row, p.column, code_of(p.reason)) for p in error.problems} == {
        (None, "Mã nhiệm vụ", "column.twice"), (None, "Ngày giao", "column.missing")}
    assert "Mã nhiệm vụ, Số ký hiệu văn bản" in next(p.reason for p in error.problems if p.column == "Ngày giao")
    empty = write_csv(tmp_path / "rong.csv", header, [])
    assert code_of(refused(db, empty, tree, catalogue).problems[0].reason) == "tasks.empty"


def test_a_task_id_of_another_province_is_refused(db, tree, catalogue, tmp_path):
    run(db, EXPORT, tree, catalogue)
    header, rows = export_rows()
    hanoi = with_cells(rows[:1], header, {(0, "Đơn vị chủ trì"): "01-STC", (0, "Đơn vị phối hợp"): "",
                                          (0, "Chỉ số liên quan"): ""})
    error = refused(db, write_csv(tmp_path / "ha-noi.csv", header, hanoi), tree, {}, province="01")
    assert [(p.row, p.column, code_of(p.reason)) for p in error.problems] == [(2, "Mã nhiệm vụ", "id.province")]
    assert "thuộc tỉnh 24" in error.problems[0].reason
    assert stored(db)[0] == 5


# ------------------------------------------------------------------ hostile files: the one reader's limits
HOSTILE = {
    "cp1258.csv": lambda: corpus.cp1258(EXPORT.read_text(encoding="utf-8")),
    "utf16.csv": lambda: corpus.utf16_without_bom(EXPORT.read_text(encoding="utf-8")),
    "anh.xlsx": lambda: corpus.garbage(),
    "bom.xlsx": lambda: corpus.bomb(),
    "thu-muc.xlsx": lambda: corpus.zip_without_workbook(),
    "nhiem-vu.json": lambda: b"[]",
    "ngoac.csv": lambda: (EXPORT.read_text(encoding="utf-8") + 'QLVB-9,"125/TB-UBND,x\n').encode(),
}
WORDS = {"cp1258.csv": "not UTF-8", "utf16.csv": "UTF-16", "anh.xlsx": "not an Excel workbook",
         "bom.xlsx": "unpack", "thu-muc.xlsx": "not an Excel workbook", "nhiem-vu.json": "unsupported file type",
         "ngoac.csv": "never closed"}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_refused_by_the_one_reader(sqlite_url, tree, catalogue, tmp_path, name):
    db = init_store(sqlite_url, actor="test")
    try:
        path = tmp_path / name
        path.write_bytes(HOSTILE[name]())
        error = refused(db, path, tree, catalogue)
        assert WORDS[name] in str(error), str(error)
        assert stored(db)[0] == 0
    finally:
        db.dispose()


def test_the_file_limits_hold(db, tree, catalogue, monkeypatch):
    monkeypatch.setenv("CHISO_FILE_MAX_ROWS", "4")
    assert "more than 4 data rows" in str(refused(db, EXPORT, tree, catalogue))
    monkeypatch.setenv("CHISO_FILE_MAX_ROWS", "1000")
    monkeypatch.setenv("CHISO_FILE_MAX_BYTES", "100")
    assert "more than the 100 bytes" in str(refused(db, EXPORT, tree, catalogue))
    monkeypatch.setenv("CHISO_FILE_MAX_BYTES", "10000000")
    monkeypatch.setenv("CHISO_FILE_MAX_CELL_CHARS", "40")
    error = refused(db, EXPORT, tree, catalogue)
    assert found(error, 2, "trích yếu", "more than 40")
    assert stored(db)[0] == 0


# ------------------------------------------------------------------ items (the API, a connector)
def item(**changes):
    base = {"external_id": "API-1", "doc_number": "88/UBND-TH", "doc_date": "2026-11-02",
            "content": "Tổng hợp báo cáo kết quả thực hiện nhiệm vụ", "assigned_by": "Chủ tịch UBND tỉnh",
            "assigned_on": "03/11/2026", "lead_unit": "24-SNV", "co_units": ["24-STC", "Sở Tư pháp"],
            "deadline": "15 ngày", "starred": True, "field": "administration", "indicators": ["HC.CAI_CACH"]}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def items(db, tree, catalogue, xs, **kw):
    with db.session() as s:
        return import_items(s, xs, province="24", tree=tree, catalogue=catalogue, by="api:token", **kw)


def test_items_are_imported_and_again_change_nothing(db, tree, catalogue):
    xs = [item(), item(external_id=2, deadline="hằng quý ngày 10", until="2027-12-31", starred="x", co_units="",
                       indicators=None, field=None)]
    assert items(db, tree, catalogue, xs) == TaskImport(2, 0, 0, ("NV-2026-00001", "NV-2026-00002"))
    assert items(db, tree, catalogue, xs).unchanged == 2
    with db.session() as s:
        one, two = repo_tasks.all_tasks(s, "24")
        assert (one.deadline, one.co_units, one.field, one.indicators, one.source) == (
            D(2026, 11, 18), ["24-STC", "24-STP"], "ADMINISTRATION", ["HC.CAI_CACH"], "api")
        assert (two.external_id, two.deadline_kind, two.due_day, two.until, two.starred) == (
            "2", "quarterly", 10, D(2027, 12, 31), True)
    assert items(db, tree, catalogue, [item(deadline="2026-11-30")], source="connector").changed == 1


def test_item_problems_name_the_item_and_the_key(db, tree, catalogue):
    xs = [item(), "not a task", item(external_id="API-2", colour="red"),
          item(external_id="API-3", lead_unit=None, starred="maybe", co_units=[1]),
          item(external_id="API-5", assigned_on="2026-13-01")]
    with pytest.raises(LoadError) as caught:
        items(db, tree, catalogue, xs, what="POST /api/v1/tasks")
    got = {(p.file, p.row, p.column, code_of(p.reason)) for p in caught.value.problems}
    assert got == {("POST /api/v1/tasks", 2, None, "item.not_object"),
                   ("POST /api/v1/tasks", 3, "colour", "item.unknown_key"),
                   ("POST /api/v1/tasks", 4, "lead_unit", "cell.empty"),
                   ("POST /api/v1/tasks", 4, "starred", "starred.unreadable"),
                   ("POST /api/v1/tasks", 4, "co_units", "cell.not_text"),
                   ("POST /api/v1/tasks", 5, "assigned_on", "date.calendar")}
    assert ", ".join(KEYS) in next(p.reason for p in caught.value.problems if p.column == "colour")
    assert stored(db)[0] == 0
    for empty in ([], {"external_id": "x"}):
        with pytest.raises(LoadError):
            items(db, tree, catalogue, empty)


def test_the_columns_and_the_keys_are_one_list():
    assert len(HEADERS) == len(KEYS) == 16
    assert HEADERS[0] == "Mã nhiệm vụ" and KEYS[0] == "external_id"
    assert export_rows()[0] == list(HEADERS)
