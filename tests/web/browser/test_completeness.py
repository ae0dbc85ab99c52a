"""The completeness board in a real browser: the office sees Sở Tài chính's spending missing, the
agency's officer sends it through the submissions page, and the board shows what came in: the
overdue month as late (trễ hạn — it came after its deadline) and the current month as on time
(đúng hạn). Screenshots at 1440×900 and 390×844; no page wider than a phone.
"""
from __future__ import annotations

import pytest

from chiso.collect.values.submit import local_today
from chiso.evaluate.reminders import send_reminders
from chiso.settings import SmtpSettings
from tests.web.browser.conftest import sign_in, watch
from tests.web.site import SPENDING

pytestmark = pytest.mark.browser

LATE_MONTH = "2026-08"       # the site has Sở Tài chính's spending for 2026-01 … 2026-06 only
MONTHS = "?months=24"


def _cell(w, month: str) -> str:
    return w.page.locator(f'tr[data-unit="24-STC"] td[data-month="{month}"]').get_attribute("data-status")


def _period(w, period: str) -> str:
    return w.page.locator(f'li[data-indicator="{SPENDING}"] li[data-period="{period}"]').get_attribute("data-status")


def test_the_office_sees_a_missing_month_and_then_the_values_the_officer_sent(browser, base_url, as_user,
                                                                             tmp_path) -> None:
    current = local_today().strftime("%Y-%m")
    leader = as_user("lanhdao")
    leader.page.goto("/completeness" + MONTHS)
    assert leader.page.locator("h1").inner_text() == "Tình hình nộp số liệu"
    assert _cell(leader, LATE_MONTH) == "missing"
    assert "Chưa nộp" in leader.page.locator(f'tr[data-unit="24-STC"] td[data-month="{LATE_MONTH}"]').inner_text()
    leader.page.wait_for_selector(".chart canvas, .chart svg")
    leader.shots("completeness-board")
    leader.page.set_viewport_size({"width": 1440, "height": 900})
    leader.page.click('tr[data-unit="24-STC"] th a')
    leader.page.wait_for_url("**/completeness/24-STC**")
    assert _period(leader, LATE_MONTH) == "missing"
    assert _period(leader, current) == "not_due"
    leader.page.click(f'li[data-indicator="{SPENDING}"] summary')      # its periods, one chip each
    assert "Tháng 8/2026: Chưa nộp" in leader.page.locator(f'li[data-indicator="{SPENDING}"]').inner_text()
    leader.shots("completeness-agency-before")

    officer = watch(browser, base_url)
    try:
        sign_in(officer, "canbo.stc")
        values = tmp_path / "chi-ngan-sach.csv"
        values.write_text(f"indicator,unit,period,value\n{SPENDING},24,{LATE_MONTH},480\n{SPENDING},24,{current},520\n",
                          encoding="utf-8")
        officer.page.goto("/submissions")
        form = officer.page.locator("form[action='/submissions'][enctype='multipart/form-data']")
        form.locator("input[type=file]").set_input_files(str(values))
        with officer.page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert officer.page.locator("a[href^='/submissions/']").count() > 0
        officer.page.goto("/completeness")
        assert officer.page.locator("tr[data-unit]").count() == 1      # the officer sees their own agency
        assert officer.problems == [], officer.problems
    finally:
        officer.close()

    leader.page.goto("/completeness/24-STC" + MONTHS)
    assert _period(leader, LATE_MONTH) == "late"        # sent after its deadline
    assert _period(leader, current) == "on_time"        # sent before its deadline
    leader.page.click(f'li[data-indicator="{SPENDING}"] summary')
    assert "Tháng 8/2026: Trễ hạn" in leader.page.locator(f'li[data-indicator="{SPENDING}"]').inner_text()
    leader.shots("completeness-agency-after")
    leader.page.goto("/completeness" + MONTHS)
    assert _cell(leader, LATE_MONTH) in ("late", "missing")   # other indicators of August may still be owed
    assert leader.problems == [], leader.problems


def test_reminders_show_in_the_bell_and_are_marked_read(site, as_user) -> None:
    no_mail = SmtpSettings(host=None, port=25, user=None, password=None, sender="chiso@localhost", starttls=False)
    with site.db.session() as s:
        send_reminders(s, "24", site.tree, local_today(), no_mail, days_before=40, overdue_days=400)
    head = as_user("giamdoc.syt")
    head.page.goto("/completeness")
    bell = head.page.locator("a.bell .bell-count")
    bell.wait_for()
    before = int(bell.inner_text())
    assert before > 0
    head.page.click("a.bell")
    head.page.wait_for_url("**/notifications")
    assert head.page.locator("h1").inner_text().startswith("Thông báo")
    first = head.page.locator("li.notice.is-unread").first
    assert first.locator(".cp-badge").inner_text() in ("Quá hạn", "Sắp đến hạn")
    head.shots("notifications")
    head.page.set_viewport_size({"width": 1440, "height": 900})
    with head.page.expect_navigation():
        first.locator("form button").click()
    assert "Đã đánh dấu 1 thông báo là đã đọc." in head.page.locator("main").inner_text()
    head.page.locator("a.bell .bell-count").wait_for()
    assert int(head.page.locator("a.bell .bell-count").inner_text()) == before - 1
    assert head.problems == [], head.problems
