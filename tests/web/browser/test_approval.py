"""The weekly cycle in headless Chromium, by clicking: the officer submits, the head finds the
batch at the top of the approval inbox and approves it; in a second flow the head returns it
with a comment and the officer sees why on the desk. Screenshots at 1440×900 and 390×844; no
page is wider than a 390 px phone."""
from __future__ import annotations

import re

import pytest

from tests.web.site import period_state

pytestmark = pytest.mark.browser



def submit_file(w, tmp_path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page = w.page
    page.goto("/submissions")
    page.set_input_files("form[enctype] input[name=file]", str(path))
    with page.expect_navigation():
        page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#accepted")


def test_the_officer_submits_and_the_head_approves_from_the_top_of_the_inbox(as_user, site, tmp_path):
    officer = as_user("canbo.syt")
    submit_file(officer, tmp_path, "tiem-chung-10.csv", "indicator,unit,period,value\nXH.TIEM_CHUNG,24,2026-10,79.1\n")
    officer.page.goto("/desk")
    assert officer.page.locator("main h1").inner_text().strip() == "Việc của đơn vị"
    officer.shots("approval-desk")
    assert officer.problems == [], officer.problems

    head = as_user("giamdoc.syt")
    page = head.page
    page.goto("/")
    page.wait_for_load_state("networkidle")  # the overview's panels, read anew after the submission
    page.click("nav.mainnav >> text=Chờ duyệt")
    page.wait_for_url(re.compile(r"/inbox$"))
    first = page.locator("article.inbox-item").first
    assert first.get_attribute("id") == "item-XH-TIEM_CHUNG-2026-10"
    text = first.inner_text()
    assert "Tháng 10/2026" in text and "79,10" in text and "so với Tháng " in text
    head.shots("approval-inbox")
    first.locator("input[name=item]").check()
    with page.expect_navigation():
        page.click("fieldset.inbox-actions button[value=approve]")
    page.wait_for_selector("#done")
    assert "Đã duyệt 1 mục." in page.inner_text("#done")
    assert period_state(site, "XH.TIEM_CHUNG", "2026-10") == "approved"
    assert page.locator("#item-XH-TIEM_CHUNG-2026-10").count() == 0
    assert head.problems == [], head.problems


def test_the_head_returns_with_a_comment_and_the_officer_sees_why_on_the_desk(as_user, site, tmp_path):
    officer = as_user("canbo.syt")
    submit_file(officer, tmp_path, "tiem-chung-09.csv", "indicator,unit,period,value\nXH.TIEM_CHUNG,24,2026-09,71.5\n")
    head = as_user("giamdoc.syt")
    page = head.page
    page.goto("/inbox")
    item = page.locator("#item-XH-TIEM_CHUNG-2026-09")
    item.locator("input[name=item]").check()
    # returning without a comment is refused, nothing moves
    with page.expect_navigation():
        page.click("fieldset.inbox-actions button[value=return]")
    assert "Trả lại cần ghi ý kiến" in page.inner_text("#errors")
    assert period_state(site, "XH.TIEM_CHUNG", "2026-09") == "submitted"
    comment = "Tỷ lệ tiêm chủng tháng 9 chưa khớp báo cáo của Trung tâm Kiểm soát bệnh tật, đề nghị rà soát"
    page.locator("#item-XH-TIEM_CHUNG-2026-09 input[name=item]").check()
    page.fill("fieldset.inbox-actions textarea[name=comment]", comment)
    with page.expect_navigation():
        page.click("fieldset.inbox-actions button[value=return]")
    page.wait_for_selector("#done")
    assert "Đã trả lại 1 mục cho cán bộ." in page.inner_text("#done")
    assert period_state(site, "XH.TIEM_CHUNG", "2026-09") == "returned"
    assert head.problems == [], head.problems

    desk = officer.page
    desk.goto("/")
    desk.wait_for_load_state("networkidle")  # the home's panels, read anew after the approval
    desk.click("nav.mainnav >> text=Việc của đơn vị")
    desk.wait_for_url(re.compile(r"/desk$"))
    returned = desk.locator("#returned-XH-TIEM_CHUNG-2026-09")
    assert comment in returned.inner_text() and "Tháng 9/2026" in returned.inner_text()
    assert "Bị trả lại" in returned.inner_text()
    officer.shots("approval-desk-returned")
    desk.goto("/desk?lang=en")
    english = desk.locator("main").inner_text()
    assert "Returned — fix and submit again" in english and comment in english
    assert not any(word in english for word in ("Bị trả lại", "Chưa nộp", "Hạn nộp", "Tháng 9/2026"))
    officer.shots("approval-desk-en")
    desk.goto("/desk?lang=vi")
    assert returned.locator("a", has_text="Mẫu Tháng 9/2026").get_attribute("href") == \
        "/submissions/template?period=2026-09"
    # the officer checks, fixes the figure and submits again: the period awaits approval again
    submit_file(officer, tmp_path, "tiem-chung-09-sua.csv", "indicator,unit,period,value\nXH.TIEM_CHUNG,24,2026-09,70.8\n")
    assert period_state(site, "XH.TIEM_CHUNG", "2026-09") == "submitted"
    officer.page.goto("/desk")
    assert officer.page.locator("#returned-XH-TIEM_CHUNG-2026-09").count() == 0
    assert officer.problems == [], officer.problems
