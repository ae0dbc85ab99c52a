"""The life of an assigned task in headless Chromium, as people live it: the office (vanphong,
an officer of Văn phòng UBND tỉnh) imports the document-management system's export on the
import page; Sở Y tế's officer opens the task, reports progress with its evidence, and finds no
completion form (only the head reports completion — a direct post is refused); the head
reports it done; the office tries to return it without a comment (refused, said in the page),
then accepts; the task page says "hoàn thành đúng hạn". Screenshots at 1440×900 and 390×844
(``Watched.shots``) and 1920×1080; no page wider than a phone."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid

import pytest

from chiso.collect.values.submit import local_today
from chiso.store import repo_accounts, repo_tasks
from chiso.web.security import accounts
from tests.web.browser.conftest import sign_in, watch
from tests.web.site import PASSWORD

pytestmark = pytest.mark.browser

WALL = {"width": 1920, "height": 1080}
HEADER = ["Mã nhiệm vụ", "Số ký hiệu văn bản", "Ngày văn bản", "Trích yếu", "Cơ quan ban hành", "Liên kết văn bản",
          "Nội dung nhiệm vụ", "Người giao", "Ngày giao", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn",
          "Trọng tâm", "Lĩnh vực", "Chỉ số liên quan"]


def export(path, prefix: str) -> None:
    today = local_today()
    given = (today - dt.timedelta(days=12)).strftime("%d/%m/%Y")
    rows = [
        [f"{prefix}-01", "418/TB-UBND", given, "Kết luận của Chủ tịch UBND tỉnh tại phiên họp thường kỳ tháng 11",
         "UBND tỉnh", "https://qlvb.example.vn/vb/418-tb-ubnd",
         "Tổ chức chiến dịch tiêm chủng bổ sung vắc xin sởi – rubella cho trẻ dưới 5 tuổi", "Chủ tịch UBND tỉnh",
         given, "24-SYT", "Sở Công Thương; Sở Tài chính", (today + dt.timedelta(days=25)).strftime("%d/%m/%Y"),
         "x", "", "XH.TIEM_CHUNG"],
        [f"{prefix}-02", "419/UBND-VX", given, "Về việc bảo đảm an toàn thực phẩm dịp Tết", "UBND tỉnh", "",
         "Kiểm tra an toàn thực phẩm tại các chợ đầu mối", "Phó Chủ tịch UBND tỉnh", given, "Sở Y tế", "",
         "30 ngày", "", "", ""],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([HEADER, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def office_account(site) -> None:
    """The office's officer in the demo site (as ``chiso serve`` makes ``vanphong``)."""
    with site.db.session() as s:
        exists = repo_accounts.get_account(s, "vanphong") is not None
    if not exists:
        accounts.create_account(site.db, "thiết lập", username="vanphong", password=PASSWORD, role="officer",
                                unit_code="24-VPUBND", tree=site.tree, display_name="Chuyên viên Văn phòng UBND tỉnh")


def board_row(page, unit: str) -> dict[str, int]:
    """The scoreboard's counts of ``unit`` as the page shows them (departments, today)."""
    page.goto("/tasks/scoreboard?level=department")
    cells = page.locator(f"tr[data-unit='{unit}'] td").all_inner_texts()
    if not cells:
        return {"total": 0, "done_on_time": 0, "open_in_time": 0}
    return {"total": int(cells[2]), "done_on_time": int(cells[3]), "open_in_time": int(cells[5])}


def indicator_value(page, base_url: str, code: str, unit: str) -> tuple[str, float]:
    """The current period and value of a task-fed indicator for ``unit``, as the status API answers
    the signed-in page (waits while a derivation is under way)."""
    for _ in range(60):
        doc = page.request.get(f"{base_url}/api/v1/status?unit={unit}").json()
        if not doc.get("refreshing"):
            row = next(r for r in doc["indicators"] if r["indicator"] == code)
            return row["period"], row["value"] or 0.0
        page.wait_for_timeout(1000)
    raise AssertionError("the status was still refreshing after a minute")


def width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def wall_shot(w, name: str) -> None:
    w.page.set_viewport_size(WALL)
    w.screenshot(f"{name}-1920")
    assert width(w.page) <= WALL["width"]


def test_import_progress_completion_acceptance(site, browser, base_url, as_user, tmp_path):
    office_account(site)
    prefix = f"BR-{uuid.uuid4().hex[:8]}"
    path = tmp_path / "nhiem-vu-thang-12.csv"
    export(path, prefix)

    office = watch(browser, base_url)
    try:
        sign_in(office, "vanphong")
        page = office.page
        page.goto("/tasks/import")
        assert page.locator("main h1").inner_text().strip() == "Nhập nhiệm vụ từ tệp"
        office.shots("tasks-import")
        page.set_input_files("form.upload input[name=file]", str(path))
        with page.expect_navigation():
            page.click("form.upload button[type=submit]")
        page.wait_for_selector("#accepted")
        assert "2 nhiệm vụ mới, 0 nhiệm vụ được cập nhật, 0 nhiệm vụ không đổi." in page.inner_text("#accepted")
        office.shots("tasks-import-done")
        links = page.locator("#imported a")
        assert links.count() == 2
        code = links.first.inner_text().strip()
        with page.expect_navigation():
            links.first.click()
        assert "Tổ chức chiến dịch tiêm chủng bổ sung" in page.inner_text("main")
        assert page.locator("form.tform").count() == 0  # the office has nothing to decide yet
        assert office.problems == [], office.problems
    finally:
        office.close()

    officer = as_user("canbo.syt")
    page = officer.page
    page.goto(f"/tasks/{code}")
    assert "đang thực hiện trong hạn" in page.inner_text("#state")
    form = page.locator("form.tform.progress")
    form.locator("input[name=percent]").fill("60")
    form.locator("textarea[name=text]").fill("Đã tổ chức tiêm tại 72/99 xã, phường; đạt 61% kế hoạch")
    form.locator("input[name=ev_number]").fill("512/BC-SYT")
    form.locator("input[name=ev_summary]").fill("Báo cáo tiến độ chiến dịch tiêm chủng")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/tasks/{code}\?done=progress"))
    assert "Đã ghi cập nhật tiến độ." in page.inner_text("#notice")
    timeline = page.inner_text("#timeline")
    assert "Tiến độ 60%" in timeline and "Văn bản số 512/BC-SYT" in timeline
    # the officer reports progress, not completion: no form, and a direct post is refused
    assert page.locator("form.tform.completion").count() == 0
    assert "Chỉ thủ trưởng đơn vị chủ trì báo cáo hoàn thành" in page.inner_text("#head-only")
    token = page.locator("form.tform.progress input[name=csrf_token]").get_attribute("value")
    refused = page.request.post(f"{base_url}/tasks/{code}/completion",
                                form={"csrf_token": token, "instance": "", "text": "Xong", "day": ""},
                                headers={"Origin": base_url})
    assert refused.status == 403
    officer.shots("task-progress")
    assert officer.problems == [], officer.problems

    head = as_user("giamdoc.syt")
    page = head.page
    before = board_row(page, "24-SYT")
    period, done_before = indicator_value(page, base_url, "HC.NVG_HT_DUNG_HAN", "24-SYT")
    page.goto(f"/tasks/{code}")
    form = page.locator("form.tform.completion")
    form.locator("textarea[name=text]").fill("Hoàn thành chiến dịch: 98,6% trẻ dưới 5 tuổi được tiêm")
    form.locator("input[name=ev_number]").fill("530/BC-SYT")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "Đã gửi báo cáo hoàn thành" in page.inner_text("#notice")
    assert "đang chờ Văn phòng UBND tỉnh xác nhận" in page.inner_text("#state")
    head.shots("task-completion-reported")
    assert head.problems == [], head.problems

    office = watch(browser, base_url)
    try:
        sign_in(office, "vanphong")
        page = office.page
        page.goto(f"/tasks/{code}")
        form = page.locator("form.tform.acceptance")
        assert "530/BC-SYT" in form.inner_text()
        with page.expect_navigation():
            form.locator("button[value=returned]").click()
        assert "Trả lại báo cáo hoàn thành cần ghi ý kiến" in page.inner_text("#form-error")
        office.shots("task-return-needs-comment")
        form = page.locator("form.tform.acceptance")
        with page.expect_navigation():
            form.locator("button[value=accepted]").click()
        assert "Đã xác nhận hoàn thành nhiệm vụ." in page.inner_text("#notice")
        state = page.inner_text("#state")
        assert "hoàn thành đúng hạn" in state and "Đã được xác nhận hoàn thành" in state
        office.shots("task-accepted")
        wall_shot(office, "task-accepted")
        assert office.problems == [], office.problems
    finally:
        office.close()

    # the scoreboard and the indicator count it: one more done on time, one fewer open
    page = head.page
    after = board_row(page, "24-SYT")
    assert after["done_on_time"] == before["done_on_time"] + 1
    assert after["open_in_time"] == before["open_in_time"] - 1 and after["total"] == before["total"]
    head.shots("tasks-scoreboard-after")
    assert indicator_value(page, base_url, "HC.NVG_HT_DUNG_HAN", "24-SYT") == (period, done_before + 1)
    assert head.problems == [], head.problems


def test_a_recurring_task_and_an_extension(site, browser, base_url, as_user):
    """A monthly report task: its periods with their states, one period's own timeline; the lead
    unit asks to extend the latest period, the office approves with the day asked."""
    office_account(site)
    today = local_today()
    start = (today.replace(day=1) - dt.timedelta(days=70)).replace(day=1)
    with site.db.session() as s:
        row, _ = repo_tasks.upsert_task(s, {
            "doc_number": "77/KH-UBND", "doc_date": start, "doc_summary": "Kế hoạch theo dõi tiêm chủng năm 2026",
            "doc_issuer": "UBND tỉnh", "content": "Báo cáo kết quả tiêm chủng mở rộng hằng tháng",
            "assigned_by": "Phó Chủ tịch UBND tỉnh", "assigned_on": start, "lead_unit": "24-SYT", "co_units": [],
            "deadline_kind": "monthly", "due_day": 5, "deadline_text": "hằng tháng ngày 5", "starred": False},
            province="24", source="web", by="vanphong", external_id=f"BR-{uuid.uuid4().hex[:8]}")
        code = row.code
    first = f"{start.year}-{start.month:02d}"
    latest = f"{today.year}-{today.month:02d}"
    officer = as_user("canbo.syt")
    page = officer.page
    page.goto(f"/tasks/{code}")
    table = page.inner_text("#instances")
    assert f"Tháng {start.month}/{start.year}" in table and f"Tháng {today.month}/{today.year}" in table
    assert "đang thực hiện quá hạn" in table  # the first months were never reported
    page.click(f"#instances a[href='/tasks/{code}?instance={first}#state']")
    page.wait_for_url(re.compile(rf"instance={first}"))
    assert f"Diễn biến kỳ Tháng {start.month}/{start.year}" in page.inner_text("#timeline")
    page.goto(f"/tasks/{code}?instance={latest}")
    state = page.inner_text("#state")
    form = page.locator("form.tform.extension")
    asked = today + dt.timedelta(days=40)
    form.locator("input[name=requested]").fill(asked.isoformat())
    form.locator("textarea[name=text]").fill("Chờ số liệu tổng hợp của Bộ Y tế")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "Đã gửi đề nghị gia hạn" in page.inner_text("#notice")
    officer.shots("task-recurring")
    assert officer.problems == [], officer.problems

    office = watch(browser, base_url)
    try:
        sign_in(office, "vanphong")
        page = office.page
        page.goto(f"/tasks/{code}?instance={latest}")
        form = page.locator("form.tform.decision")
        assert "Chờ số liệu tổng hợp của Bộ Y tế" in form.inner_text()
        assert form.locator("input[name=granted]").input_value() == asked.isoformat()
        office.shots("task-extension-decision")
        with page.expect_navigation():
            form.locator("button[value=approved]").click()
        assert "Đã đồng ý gia hạn." in page.inner_text("#notice")
        assert asked.strftime("%d/%m/%Y") in page.inner_text("#state")
        assert state != page.inner_text("#state")
        assert office.problems == [], office.problems
    finally:
        office.close()
