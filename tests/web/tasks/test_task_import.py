"""The office's import page (/tasks/import): a CSV or XLSX export of a document-management
system becomes tasks — created, then unchanged on a repeat, changed with history kept — or is
refused whole with its located problems and nothing written; only the office imports."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid

import openpyxl
import pytest

from chiso.collect.values.submit import local_today
from chiso.store import repo_tasks
from tests.web.tasks.test_task_page import csrf

HEADER = ["Mã nhiệm vụ", "Số ký hiệu văn bản", "Ngày văn bản", "Trích yếu", "Cơ quan ban hành", "Nội dung nhiệm vụ",
          "Người giao", "Ngày giao", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Trọng tâm", "Lĩnh vực"]


def rows(prefix: str) -> list[list[str]]:
    today = local_today()
    given = (today - dt.timedelta(days=10)).strftime("%d/%m/%Y")
    due = (today + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    return [
        [f"{prefix}-1", "210/TB-UBND", given, "Kết luận của Chủ tịch UBND tỉnh", "UBND tỉnh",
         "Triển khai chiến dịch tiêm chủng bổ sung", "Chủ tịch UBND tỉnh", given, "24-SYT", "Sở Công Thương",
         due, "x", ""],
        [f"{prefix}-2", "211/UBND-VX", given, "Về việc kiểm tra an toàn thực phẩm", "UBND tỉnh",
         "Kiểm tra an toàn thực phẩm dịp cuối năm", "Phó Chủ tịch UBND tỉnh", given, "Sở Y tế", "",
         "15 ngày làm việc", "", ""],
    ]


def csv_bytes(header: list[str], body: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *body])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(header: list[str], body: list[list[str]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append(header)
    for r in body:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, name: str, data: bytes):
    page = client.get("/tasks/import")
    assert page.status_code == 200
    return client.post("/tasks/import", data={"csrf_token": csrf(page.text)},
                       files={"file": (name, data, "application/octet-stream")})


def count(site, prefix: str) -> int:
    with site.db.session() as s:
        return sum(1 for t in repo_tasks.all_tasks(s, "24") if (t.external_id or "").startswith(prefix))


@pytest.mark.parametrize("username", ["vanphong", "chanhvanphong", "quantri"])
def test_the_office_opens_the_import_page(clients, username):
    r = clients[username].get("/tasks/import")
    assert r.status_code == 200
    for header in ("Mã nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Chỉ số liên quan"):
        assert header in r.text
    assert 'enctype="multipart/form-data"' in r.text


@pytest.mark.parametrize("username", ["canbo.syt", "giamdoc.syt", "lanhdao", "xem"])
def test_no_one_else_imports(task_site, clients, username):
    assert clients[username].get("/tasks/import").status_code == 403
    prefix = f"IMP-{uuid.uuid4().hex[:8]}"
    page = clients[username].get(f"/tasks/{task_site.task()}")
    r = clients[username].post("/tasks/import", data={"csrf_token": csrf(page.text)},
                               files={"file": ("nv.csv", csv_bytes(HEADER, rows(prefix)), "text/csv")})
    assert r.status_code == 403
    assert count(task_site, prefix) == 0


def test_import_then_again_then_a_change(task_site, clients):
    prefix = f"IMP-{uuid.uuid4().hex[:8]}"
    office = clients["vanphong"]
    body = rows(prefix)
    r = upload(office, "nhiem-vu.csv", csv_bytes(HEADER, body))
    assert r.status_code == 200
    assert "Đã nhập tệp nhiem-vu.csv" in r.text
    assert "2 nhiệm vụ mới, 0 nhiệm vụ được cập nhật, 0 nhiệm vụ không đổi." in r.text
    codes = re.findall(r'<li><a href="/tasks/(NV-[0-9-]+)">', r.text)
    assert len(codes) == 2 and count(task_site, prefix) == 2
    task = office.get(f"/tasks/{codes[0]}").text
    assert "Triển khai chiến dịch tiêm chủng bổ sung" in task and "nhập từ tệp" in task

    again = upload(office, "nhiem-vu.csv", csv_bytes(HEADER, body))
    assert "0 nhiệm vụ mới, 0 nhiệm vụ được cập nhật, 2 nhiệm vụ không đổi." in again.text

    body[0][HEADER.index("Nội dung nhiệm vụ")] = "Triển khai chiến dịch tiêm chủng bổ sung sởi – rubella"
    changed = upload(office, "nhiem-vu.csv", csv_bytes(HEADER, body))
    assert "0 nhiệm vụ mới, 1 nhiệm vụ được cập nhật, 1 nhiệm vụ không đổi." in changed.text
    task = office.get(f"/tasks/{codes[0]}").text
    assert "Sửa thông tin nhiệm vụ (phiên bản 2)" in task
    assert "Triển khai chiến dịch tiêm chủng bổ sung → Triển khai chiến dịch tiêm chủng bổ sung sởi – rubella" in task


def test_an_xlsx_export(task_site, clients):
    prefix = f"IMP-{uuid.uuid4().hex[:8]}"
    r = upload(clients["quantri"], "nhiem-vu.xlsx", xlsx_bytes(HEADER, rows(prefix)))
    assert "2 nhiệm vụ mới" in r.text
    assert count(task_site, prefix) == 2


def test_a_bad_file_is_refused_whole_with_its_problems(task_site, clients):
    prefix = f"IMP-{uuid.uuid4().hex[:8]}"
    body = rows(prefix)
    body[1][HEADER.index("Đơn vị chủ trì")] = "Sở Không Có"
    body[0][HEADER.index("Ngày giao")] = "31/02/2026"
    r = upload(clients["vanphong"], "nhiem-vu.csv", csv_bytes(HEADER, body))
    assert r.status_code == 200
    assert "Tệp nhiem-vu.csv bị từ chối, không ghi nhiệm vụ nào" in r.text
    report = r.text[r.text.index('id="refusal"'):]
    # the rows as a spreadsheet shows them: the header is row 1
    assert re.search(r'<td class="n">2</td><td>Ngày giao</td>', report)
    assert re.search(r'<td class="n">3</td><td>Đơn vị chủ trì</td>', report)
    assert count(task_site, prefix) == 0


def test_a_file_over_the_limit(task_site, clients, monkeypatch):
    monkeypatch.setenv("CHISO_UPLOAD_MAX_BYTES", "200")
    prefix = f"IMP-{uuid.uuid4().hex[:8]}"
    r = upload(clients["vanphong"], "nhiem-vu.csv", csv_bytes(HEADER, rows(prefix)))
    assert r.status_code == 413
    assert count(task_site, prefix) == 0
