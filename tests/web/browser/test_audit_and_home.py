"""In headless Chromium: an officer submits a value; the administrator opens the audit log from
the admin menu and reads that line in Vietnamese — the action's name, the officer's role, local
time, the change as old → new; the agency's head signs in and sees the agency home (score, rank
among departments, the band table, the period awaiting approval). The workflow board and the
catalogue are short and fit a phone. Screenshots at 1440×900 and 390×844."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.web.browser.conftest import WIDE, sign_in, watch

pytestmark = pytest.mark.browser


#: Sở Công Thương's monthly electricity figure: no other browser test submits it.
INDICATOR, PERIOD, SAID = "KT.DIEN_CN_XD", "2026-10", "Tháng 10/2026"
VIETNAM = dt.timezone(dt.timedelta(hours=7))


def test_the_admin_reads_the_submission_in_the_audit_log_and_the_head_sees_the_agency_home(
        browser, base_url, as_user, tmp_path):
    officer = watch(browser, base_url)
    try:
        sign_in(officer, "canbo.sct")
        path = tmp_path / "dien-10.csv"
        path.write_text(f"indicator,unit,period,value\n{INDICATOR},24,{PERIOD},812.5\n", encoding="utf-8")
        page = officer.page
        page.goto("/submissions")
        page.set_input_files("form[enctype] input[name=file]", str(path))
        with page.expect_navigation():
            page.click("form[enctype] button[type=submit]")
        page.wait_for_selector("#accepted")
        submitted_at = dt.datetime.now(VIETNAM)
        assert officer.problems == [], officer.problems
    finally:
        officer.close()

    admin = as_user("quantri")
    page = admin.page
    page.goto("/")
    # the overview's panels load after the page (HTMX); the new value made them be read anew:
    # wait for them rather than abort them by leaving at once
    page.wait_for_load_state("networkidle")
    page.click("nav.mainnav >> text=Nhật ký")
    page.wait_for_url(re.compile(r"/admin/audit$"))
    page.select_option("select[name=actor]", "canbo.sct")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    line = page.locator("li.audit-line", has_text="Gửi kỳ số liệu").first
    text = line.inner_text()
    assert "cán bộ" in text and INDICATOR in text and SAID in text, text
    assert re.search(r"đã gửi", text) and "\\u" not in text
    assert line.locator("dl.audit-diff ins").first.inner_text() == "đã gửi"
    shown = line.locator("time").inner_text()
    local = dt.datetime.strptime(shown, "%d/%m/%Y %H:%M").replace(tzinfo=VIETNAM)
    assert abs((local - submitted_at).total_seconds()) < 180, (shown, submitted_at)  # local time, not UTC
    submission = page.locator("li.audit-line", has_text="Nộp số liệu (được nhận)").first
    assert "dien-10.csv" in submission.inner_text()
    admin.shots("audit-log")
    assert admin.problems == [], admin.problems

    head = watch(browser, base_url)
    try:
        sign_in(head, "giamdoc.sct")
        page = head.page
        assert page.locator("main h1").inner_text().strip() == "Trang của Sở Công Thương"
        score = page.locator("#home-score").inner_text()
        assert re.search(r"Hạng \d+/\d+ sở, ban, ngành", score), score
        assert "thang riêng của tỉnh" in score
        pending = page.locator("#home-pending").inner_text()
        assert INDICATOR in pending and SAID in pending, pending
        assert page.locator("#home-pending a[href='/inbox']").count() == 1
        assert page.locator("#home-indicators li").count() >= 1
        head.shots("agency-home")
        assert head.problems == [], head.problems
    finally:
        head.close()


@pytest.mark.parametrize("user, name, path", [("lanhdao", "workflow", "/workflow"),
                                              ("quantri", "workflow-operating", "/workflow?state=in_operation"),
                                              ("lanhdao", "catalogue", "/indicators")])
def test_the_workflow_board_and_the_catalogue_are_short_and_fit_a_phone(as_user, user, name, path):
    w = as_user(user)
    w.page.goto(path)
    w.page.set_viewport_size(WIDE)
    height = w.page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, f"{path} is {height} px tall"
    if name == "workflow-operating":  # no forward move from the last step: going back is behind a closed "other moves"
        card = w.page.locator(".card-ind").first
        assert card.locator("button", has_text="Chuyển tiếp").count() == 0
        assert not card.locator("details.wf-other select").is_visible()
        card.locator("details.wf-other summary").click()
        options = card.locator("select[name=to_state] option").all_inner_texts()
        assert options[0] == "— Chọn thao tác —" and options[1].startswith("↩ Trả lại 5.")
    w.shots(name)
    assert w.problems == [], w.problems
