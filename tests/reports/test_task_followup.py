"""The follow-up list of open tasks (XLSX), its command and its download, on the register of
``test_task_section`` counted on Sunday 16/11/2025.

Open then: T1 (Sở Xây dựng, 32 days overdue), T2 (Sở Tài chính, 138 days, starred), T3 (Sở Tài
chính, 4 days, progress 80% on 14/11), T6 (Sở Xây dựng, no deadline, progress 10% on 10/11) and
T8's November instance (Sở Nội vụ, due 20/11). T4, T5, T7 and T8's October instance are done.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chiso.catalog.index_definition import DEFAULT_INDEX, load_index_definition
from chiso.cli.app import app as cli
from chiso.reports.sources import CountsSource
from chiso.reports.task_followup import followup_rows, followup_workbook
from chiso.store.database import init_store
from chiso.units import load_units
from chiso.web.routes_reports import reports_router
from chiso.web.security.deps import current_principal
from chiso.web.security.principal import Principal
from tests.reports.conftest import SEED
from tests.reports.test_task_section import build

D = dt.date
DAY = D(2025, 11, 16)


@pytest.fixture
def db(tmp_path: Path):
    db = init_store(f"sqlite:///{(tmp_path / 'data' / 'chiso.sqlite').as_posix()}", actor="test")
    with db.session() as s:
        build(s)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def tree():
    return load_units()


def test_the_open_tasks_by_agency_most_overdue_first(db, tree):
    with db.session() as s:
        rows = followup_rows(s, "24", DAY, tree)
    assert [(r.unit_name, r.code, r.instance, r.state, r.days_overdue) for r in rows] == [
        ("Sở Nội vụ", "T8", "2025-11", "open_in_time", 0),
        ("Sở Tài chính", "T2", "", "open_overdue", 138),
        ("Sở Tài chính", "T3", "", "open_overdue", 4),
        ("Sở Xây dựng", "T1", "", "open_overdue", 32),
        ("Sở Xây dựng", "T6", "", "open_in_time", 0)]
    by = {r.code: r for r in rows}
    assert by["T3"].last_progress == "14/11/2025 — 80%" and by["T1"].last_progress == ""
    assert by["T8"].deadline == D(2025, 11, 20) and by["T6"].deadline is None
    assert by["T2"].starred and by["T2"].document == "2/TB-UBND" and by["T2"].content == "Nội dung nhiệm vụ T2"
    with db.session() as s:
        assert [r.code for r in followup_rows(s, "24", DAY, tree, unit="24-STC")] == ["T2", "T3"]
        assert followup_rows(s, "24", DAY, tree, unit="24-SYT") == []
        # a week before: T3 still in time, T5 (the commune's) overdue, T6 not updated yet
        before = {r.code: r for r in followup_rows(s, "24", D(2025, 11, 9), tree)}
    assert set(before) == {"T1", "T2", "T3", "T5", "T6", "T8"}
    assert (before["T3"].state, before["T5"].days_overdue, before["T6"].last_progress) == ("open_in_time", 2, "")


def _sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_the_workbook_in_the_official_style(db, tree):
    with db.session() as s:
        rows = followup_rows(s, "24", DAY, tree)
    wb = _sheet(followup_workbook(rows, province="24", as_of=DAY, tree=tree, office="24-VPUBND"))
    assert wb.sheetnames == ["Danh sách", "Tổng hợp"]
    ws = wb["Danh sách"]
    assert (ws["A1"].value, ws["A2"].value) == ("ỦY BAN NHÂN DÂN TỈNH BẮC NINH", "VĂN PHÒNG")
    assert (ws["E1"].value, ws["E2"].value) == ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    assert ws["E4"].value == "Bắc Ninh, ngày 16 tháng 11 năm 2025"
    assert ws["A5"].value == "DANH SÁCH NHIỆM VỤ UBND TỈNH, CHỦ TỊCH UBND TỈNH GIAO CHƯA HOÀN THÀNH"
    assert ws["A6"].value == "(Các sở, ban, ngành và xã, phường; tính đến ngày 16/11/2025)"
    header = [c.value for c in ws[8]]
    assert header[:5] == ["STT", "Đơn vị chủ trì", "Mã nhiệm vụ", "Văn bản giao nhiệm vụ", "Nội dung nhiệm vụ"]
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=9, max_row=13)]
    assert [r[0] for r in body] == [1, 2, 3, 4, 5]
    assert body[0][1:3] == ["Sở Nội vụ", "T8 (2025-11)"] and body[0][7] == "20/11/2025"
    assert body[1][2] == "T2" and body[1][8] == "đang thực hiện quá hạn" and body[1][9] == 138
    assert body[1][11] == "x" and body[0][9] is None
    assert body[2][10] == "14/11/2025 — 80%" and body[3][10] == "Chưa cập nhật"
    assert body[4][7] == "Không có thời hạn" and ws.freeze_panes == "A9" and ws.auto_filter.ref == "A8:L13"
    summary = wb["Tổng hợp"]
    rows_ = [[c.value for c in row] for row in summary.iter_rows(min_row=9, max_row=12)]
    assert rows_ == [[1, "Sở Tài chính", 2, 2, 1], [2, "Sở Xây dựng", 2, 1, 0], [3, "Sở Nội vụ", 1, 0, 0],
                     [None, "Tổng cộng", 5, 3, 1]]


def test_one_agencys_list_and_an_empty_one(db, tree):
    with db.session() as s:
        rows = followup_rows(s, "24", DAY, tree, unit="24-SXD")
    ws = _sheet(followup_workbook(rows, province="24", as_of=DAY, tree=tree, office="24-VPUBND",
                                  unit="24-SXD"))["Danh sách"]
    assert ws["A6"].value == "(Đơn vị chủ trì: Sở Xây dựng; tính đến ngày 16/11/2025)"
    assert [ws.cell(9, 3).value, ws.cell(10, 3).value, ws.cell(11, 3).value] == ["T1", "T6", None]
    empty = _sheet(followup_workbook([], province="24", as_of=DAY, tree=tree, office="24-VPUBND"))["Danh sách"]
    assert empty["A9"].value == "Không có nhiệm vụ chưa hoàn thành."


def test_the_command(db, tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CHISO_DATABASE_URL", raising=False)
    monkeypatch.setenv("CHISO_PROVINCE", "24")
    out = tmp_path / "ds.xlsx"
    r = CliRunner().invoke(cli, ["bulletins", "task-followup", "--unit", "24-STC", "--as-of", "2025-11-16",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "2 nhiệm vụ chưa hoàn thành, 2 quá hạn" in r.output
    assert [c.value for c in _sheet(out.read_bytes())["Danh sách"]["C"][8:10]] == ["T2", "T3"]
    r = CliRunner().invoke(cli, ["bulletins", "task-followup", "--unit", "01-SXD", "--out", str(out)])
    assert r.exit_code != 0 and "not a department or commune of province 24" in r.output
    r = CliRunner().invoke(cli, ["bulletins", "task-followup", "--as-of", "16/11/2025", "--out", str(out)])
    assert r.exit_code != 0 and "is not a date" in r.output


def _client(db, tree, principal: Principal) -> TestClient:
    app = FastAPI()
    router = reports_router(CountsSource(load_index_definition(DEFAULT_INDEX), SEED), tree=tree,
                            database=lambda: db)
    app.include_router(router)
    app.dependency_overrides[current_principal] = lambda: principal
    return TestClient(app)


def _who(role: str, unit: str, province: str = "24") -> Principal:
    return Principal(username=f"{role}.{unit}", display_name=role, role=role, unit_code=unit,
                     province_code=province)


@pytest.mark.parametrize("who, asked, codes", [
    (_who("leader", "24"), None, ["T8", "T2", "T3", "T1", "T6"]),
    (_who("admin", "24"), "24-SXD", ["T1", "T6"]),
    (_who("officer", "24-VPUBND"), "24-STC", ["T2", "T3"]),      # the office
    (_who("head", "24-STC"), None, ["T2", "T3"]),                # their own unit, without asking
    (_who("officer", "24-SXD"), "24-SXD", ["T1", "T6"]),
])
def test_the_download_by_role(db, tree, who, asked, codes):
    params = {"as_of": "2025-11-16"} | ({"unit": asked} if asked else {})
    r = _client(db, tree, who).get("/reports/24/tasks.xlsx", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    name = f"nhiem-vu-chua-hoan-thanh-{asked or (who.unit_code if who.role in ('head', 'officer') and who.unit_code != '24-VPUBND' else '24')}-2025-11-16.xlsx"  # noqa: E501
    assert f'filename="{name}"' in r.headers["content-disposition"]
    ws = _sheet(r.content)["Danh sách"]
    assert [ws.cell(9 + i, 3).value.split(" ")[0] for i in range(len(codes))] == codes
    assert ws.cell(9 + len(codes), 3).value is None


@pytest.mark.parametrize("who, asked, status", [
    (_who("head", "24-STC"), "24-SXD", 403),     # another unit's list
    (_who("viewer", "24"), None, 403),
    (_who("leader", "01", "01"), None, 403),     # another province's leader
    (_who("leader", "24"), "01-SXD", 404),       # a unit of another province
])
def test_the_download_refused(db, tree, who, asked, status):
    params = {"as_of": "2025-11-16"} | ({"unit": asked} if asked else {})
    r = _client(db, tree, who).get("/reports/24/tasks.xlsx", params=params)
    assert r.status_code == status, r.text
