"""The weekly follow-up of warnings in headless Chromium, as people do it: the leader opens the
warnings centre, goes to "Cần chỉ đạo" (the most important first), picks Sở Công Thương's top
warning, gives it to the agency's officer with a due date; the officer signs in, finds it under
"Giao cho tôi / đơn vị tôi" and answers in its thread. Screenshots at 1440×900 and 390×844; at 390 px no
page is wider than the screen."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from chiso.collect.values.submit import local_today
from tests.web.browser.conftest import sign_in, watch

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def importance(card) -> float:
    text = card.locator(".wc-score").inner_text()
    return float(re.search(r"([\d.,]+)\s*$", text).group(1).replace(".", "").replace(",", "."))


def test_leader_directs_and_the_agency_answers(as_user, browser, base_url):
    leader = as_user("lanhdao")
    page = leader.page
    page.set_viewport_size(DESKTOP)
    page.goto("/warnings")
    assert page.locator("main h1").inner_text().strip() == "Trung tâm cảnh báo"
    assert page.locator("#warning-list > li.wcard").count() <= 25  # paged
    leader.screenshot("followup-warnings-1440")
    page.click("nav.wtabs >> text=Cần chỉ đạo")
    page.wait_for_url(re.compile(r"/warnings/attention$"))
    cards = page.locator("#warning-list > li.wcard")
    assert 2 <= cards.count() <= 10  # the few that matter
    first, second = importance(cards.nth(0)), importance(cards.nth(1))
    assert first >= second  # the most important first
    assert cards.nth(0).locator(".wc-why .why").count() >= 1  # and why it is there
    leader.screenshot("followup-attention-1440")
    page.set_viewport_size(PHONE)
    assert width(page) <= PHONE["width"]
    leader.screenshot("followup-attention-390")
    page.set_viewport_size(DESKTOP)

    # Sở Công Thương's most important warning
    page.click("details.filterbox > summary")
    page.select_option("form.filters select[name=unit]", label="Sở Công Thương")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    card = page.locator("#warning-list > li.wcard").first
    wid = card.get_attribute("id").removeprefix("warning-row-")
    card.locator(".wc-msg a").click()
    page.wait_for_url(re.compile(rf"/warnings/{wid}$"))
    due = local_today() + dt.timedelta(days=5)
    form = page.locator("form.assign")
    form.locator("select[name=unit]").select_option("24-SCT")
    form.locator("select[name=username]").select_option("canbo.sct")
    form.locator("input[name=due_on]").fill(due.isoformat())
    form.locator("input[name=note]").fill("Đề nghị rà soát, bổ sung số liệu và báo cáo trước hạn")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/warnings/{wid}#followup$"))
    followup = page.locator("#followup")
    followup.locator("text=Sở Công Thương").first.wait_for()
    assert "canbo.sct" in followup.inner_text()
    assert due.strftime("%d/%m/%Y") in followup.inner_text()
    assert "Giao việc" in page.locator("ol.history").inner_text()
    leader.screenshot("followup-assigned-1440")
    page.set_viewport_size(PHONE)
    assert width(page) <= PHONE["width"]
    leader.screenshot("followup-assigned-390")
    assert leader.problems == [], leader.problems

    # the agency's officer finds it as theirs and answers
    officer = watch(browser, base_url)
    try:
        sign_in(officer, "canbo.sct")
        page = officer.page
        page.set_viewport_size(DESKTOP)
        page.goto("/warnings")
        page.click("nav.wtabs >> text=Giao cho tôi / đơn vị tôi")
        page.wait_for_url(re.compile(r"/warnings/mine$"))
        mine = page.locator(f"#warning-row-{wid}")
        assert mine.count() == 1 and "canbo.sct" in mine.inner_text()
        officer.screenshot("followup-mine-1440")
        page.set_viewport_size(PHONE)
        assert width(page) <= PHONE["width"]
        officer.screenshot("followup-mine-390")
        page.set_viewport_size(DESKTOP)
        mine.locator(".wc-msg a").click()
        page.wait_for_url(re.compile(rf"/warnings/{wid}$"))
        assert page.locator("form.assign").count() == 0  # officers do not assign
        page.fill("form.comment textarea[name=note]", "Đã giao phòng Kế hoạch rà soát, sẽ bổ sung trong tuần")
        with page.expect_response(lambda r: r.url.endswith(f"/warnings/{wid}/comments") and r.status == 200):
            page.click("form.comment button[type=submit]")
        page.locator("#thread >> text=Đã giao phòng Kế hoạch rà soát").wait_for()
        officer.screenshot("followup-comment-1440")
        page.set_viewport_size(PHONE)
        assert width(page) <= PHONE["width"]
        officer.screenshot("followup-comment-390")
        assert officer.problems == [], officer.problems
    finally:
        officer.close()
