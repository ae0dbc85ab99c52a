"""Issue 12's weekly-cycle pages in headless Chromium, as people use them: an officer opens their
account from the header and sets their e-mail address (a wrong one is refused in the page); the
administrator finds an agency's head among the province's accounts and sets theirs; the office
reads an agency's reporting rates month by month against the province (an ECharts chart and its
table); a leader opens a grouped missing-data warning and reads its indicators as a table.
Screenshots at 1440×900, 390×844 (no page wider than the phone) and 1920×1080."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from chiso.store.models_accounts import Account
from chiso.store.repo_evaluation import list_warnings
from tests.web.browser.conftest import sign_in, watch

pytestmark = pytest.mark.browser

FULL_HD = {"width": 1920, "height": 1080}


def _email(site, username: str) -> str | None:
    with site.db.session() as s:
        return s.scalar(select(Account.email).where(Account.username == username))


def _shots(w, name: str) -> None:
    w.shots(name)
    w.page.set_viewport_size(FULL_HD)
    w.screenshot(f"{name}-1920")
    w.page.set_viewport_size({"width": 1440, "height": 900})


def test_an_officer_sets_their_address_and_the_administrator_sets_a_heads(site, browser, base_url, as_user):
    officer = watch(browser, base_url)
    try:
        sign_in(officer, "canbo.bhxh")
        page = officer.page
        page.click("header .who a[href='/account']")
        page.wait_for_url("**/account")
        assert page.locator("main h1").inner_text() == "Tài khoản của tôi"
        facts = page.locator("#account-facts").inner_text()
        assert "Cán bộ nhập liệu" in facts and "Bảo hiểm xã hội" in facts and "canbo.bhxh" in facts
        officer.expect(400, r"/account/email$")                  # the refusal is the point here
        page.fill("#account-email-input", "canbo.bhxh@@bacninh")
        with page.expect_navigation():
            # the browser's own check of type=email is skipped: the server's answer is tested
            page.evaluate("document.getElementById('account-email-form').noValidate = true")
            page.click("#account-email-form button[type=submit]")
        assert "không phải là địa chỉ thư điện tử" in page.locator("#account-email-error").inner_text()
        assert _email(site, "canbo.bhxh") != "canbo.bhxh@@bacninh"
        page.fill("#account-email-input", "canbo.bhxh@bacninh.gov.vn")
        with page.expect_navigation():
            page.click("#account-email-form button[type=submit]")
        assert page.locator(".ac-saved").inner_text() == "Đã lưu địa chỉ thư điện tử."
        assert page.locator("#account-email").inner_text() == "canbo.bhxh@bacninh.gov.vn"
        assert _email(site, "canbo.bhxh") == "canbo.bhxh@bacninh.gov.vn"
        _shots(officer, "account")
        assert officer.problems == [], officer.problems
    finally:
        officer.close()

    admin = as_user("quantri")
    page = admin.page
    page.goto("/")
    page.wait_for_load_state("networkidle")  # the overview's panels load after the page: not cut short
    page.click("nav.mainnav a[href='/admin/accounts']")
    page.wait_for_url("**/admin/accounts")
    assert page.locator("main h1").inner_text() == "Tài khoản trong tỉnh"
    page.select_option("select[name=unit]", "24-BHXH")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert page.locator("#accounts tbody tr").count() == 2
    row = page.locator("#account-giamdoc\\.bhxh")
    assert "Thủ trưởng cơ quan" in row.inner_text()
    row.locator("input[name=email]").fill("giamdoc.bhxh@bacninh.gov.vn")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "unit=24-BHXH" in page.url and "saved=giamdoc.bhxh" in page.url
    assert page.locator("#account-giamdoc\\.bhxh input[name=email]").input_value() == "giamdoc.bhxh@bacninh.gov.vn"
    assert _email(site, "giamdoc.bhxh") == "giamdoc.bhxh@bacninh.gov.vn"
    page.goto("/admin/accounts")
    _shots(admin, "admin-accounts")
    assert admin.problems == [], admin.problems


def test_an_agency_page_charts_its_rates_against_the_province(as_user):
    leader = as_user("lanhdao")
    page = leader.page
    page.goto("/completeness/24-STC?months=12")
    page.wait_for_selector("#completeness-trend .chart canvas")
    box = page.locator("#completeness-trend .chart").bounding_box()
    assert box["height"] >= 250 and box["width"] > 600
    assert page.locator("#completeness-trend-table tbody tr").count() == 12
    first = page.locator("#completeness-trend-table tbody tr").first.inner_text()
    assert re.match(r"Tháng \d+/\d{4}", first) and "%" in page.locator("#completeness-trend-table").inner_text()
    _shots(leader, "completeness-agency-trend")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(150)
    assert page.locator("#completeness-trend .chart").bounding_box()["width"] <= 390
    assert leader.problems == [], leader.problems


def test_a_grouped_missing_data_warning_reads_as_a_table(site, as_user):
    with site.db.session() as s:
        grouped = max((w for w in list_warnings(s, "24", state="all") if w.rule == "missing_data"
                       and w.responsible_unit == "24-STC"), key=lambda w: len(w.evidence["indicators"]))
    leader = as_user("lanhdao")
    page = leader.page
    page.goto(f"/warnings/{grouped.id}")
    table = page.locator("#warning-members-table")
    indicators = grouped.evidence["indicators"]
    # an indicator missing from more than three units is one row, its units folded inside it
    assert table.locator("tbody tr").count() == sum(1 if len(i["missing_units"]) > 3 else len(i["missing_units"])
                                                    for i in indicators)
    many = next(i for i in indicators if len(i["missing_units"]) > 3)   # the communes' new businesses
    folded = table.locator(f'tr[data-indicator="{many["indicator"]}"] details')
    last = site.tree.get(many["missing_units"][-1]).name
    assert f'{len(many["missing_units"])} đơn vị' in folded.inner_text() and last not in folded.inner_text()
    folded.locator("summary").click()
    assert last in folded.inner_text()
    text = table.inner_text()
    assert "ngày" in text and re.search(r"Tuần \d+/2026|Tháng \d+/2026|Quý|Năm", text)
    _shots(leader, "warning-grouped")
    assert leader.problems == [], leader.problems
