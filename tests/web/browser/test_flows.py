"""Journeys through the IOC in headless Chromium, by clicking like a person would:
ranking → unit → records; an upload with errors and its row-level report; an officer
refused another agency's data (the 403 page, in HTML); the English switch; sign-out."""
from __future__ import annotations

import re

import pytest

from tests.web.browser.conftest import sign_in, watch
from tests.web.site import OTHER_AGENCY, OTHER_INDICATOR

pytestmark = pytest.mark.browser


def test_ranking_to_unit_to_records_by_clicking(as_user):
    w = as_user("lanhdao")
    page = w.page
    page.goto("/")
    page.wait_for_load_state("networkidle")  # the overview's panels load after the page: not cut short
    page.click("nav.mainnav >> text=Xếp hạng")
    page.wait_for_url(re.compile(r"/rankings"))
    page.click("nav.tabs >> text=Tỉnh, thành phố")
    page.wait_for_load_state("networkidle")
    page.locator("#ranking-table a", has_text="Bắc Ninh").first.click()
    page.wait_for_url(re.compile(r"/units/24\b"))
    assert page.locator("main h1").inner_text().strip() == "Bắc Ninh"
    # the records of the first criterion with lost points load by themselves; open another one
    page.wait_for_load_state("networkidle")
    links = page.locator("a", has_text="Xem hồ sơ")
    assert links.count() >= 1
    link = links.nth(links.count() - 1)
    criterion = re.search(r"criterion=([^&]+)", link.get_attribute("href")).group(1)
    with page.expect_response(lambda r: f"/records?criterion={criterion}" in r.url and r.status == 200):
        link.click()
    page.wait_for_selector(f"#records a.records-export[href*='criterion={criterion}&']")
    page.wait_for_selector("#records table.records tbody tr")
    rows = page.locator("#records table.records tbody tr")
    assert rows.count() > 0
    assert page.locator("#records .pager").count() == 1
    w.screenshot("flow-unit-records")
    # page on through the records
    next_link = page.locator("#records .pager a[rel=next]")
    if next_link.count():
        next_link.click()
        page.wait_for_selector("#records .pager a[rel=prev]")
        assert page.locator("#records table.records tbody tr").count() > 0
    assert w.problems == [], w.problems


def test_an_upload_with_an_error_shows_the_row_level_report(as_user, tmp_path):
    bad = tmp_path / "tiem-chung-loi.csv"
    bad.write_text("indicator,unit,period,value\nXH.TIEM_CHUNG,24,2026-13,50\n"
                   "XH.TIEM_CHUNG,24,2026-05,không biết\n", encoding="utf-8")
    w = as_user("canbo.syt")
    page = w.page
    page.goto("/submissions")
    page.set_input_files("form[enctype] input[name=file]", str(bad))
    with page.expect_navigation():
        page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#refusal")
    w.screenshot("flow-upload-refused")
    refusal = page.inner_text("#refusal")
    assert "bị từ chối" in refusal and "tiem-chung-loi.csv" in refusal
    cells = [[c.strip() for c in row.locator("td").all_inner_texts()]
             for row in page.locator("#refusal table.report tbody tr").all()]
    # row, column, reason, value, file — rows as a spreadsheet shows the file (the header is row 1)
    by_row = {(r[0], r[1]): r for r in cells}
    assert all(r[4] == "tiem-chung-loi.csv" for r in cells), cells
    assert ("2", "period") in by_row and "2026-13" in by_row[("2", "period")][3], cells
    assert ("3", "value") in by_row and "không biết" in by_row[("3", "value")][3], cells
    assert all(r[2] for r in cells)  # every problem has its reason
    assert w.problems == [], w.problems


def _refused_page(w, path: str) -> str:
    w.expect(403, re.escape(path.split("?")[0]))
    response = w.page.goto(path)
    w.page.wait_for_load_state("networkidle")
    assert response.status == 403, (path, response.status)
    assert response.headers["content-type"].startswith("text/html"), response.headers["content-type"]
    assert w.page.locator("main h1").inner_text().strip() == "Không đủ quyền"
    return w.page.inner_text(".error-detail")


def test_an_officer_cannot_reach_another_agencys_data(as_user):
    w = as_user("canbo.syt")
    detail = _refused_page(w, f"/units/{OTHER_AGENCY}")
    assert "canbo.syt" in detail and "chỉ được xem số liệu của đơn vị mình" in detail
    w.screenshot("flow-officer-refused-unit")
    detail = _refused_page(w, f"/indicators/{OTHER_INDICATOR}?unit=24")
    assert "canbo.syt" in detail
    detail = _refused_page(w, f"/warnings?unit={OTHER_AGENCY}")
    assert "canbo.syt" in detail or "their own unit" in detail
    w.screenshot("flow-officer-refused-warnings")
    # and the department ranking offers no link into another agency
    w.page.goto("/rankings?level=department")
    w.page.wait_for_load_state("networkidle")
    assert w.page.locator(f"#ranking-table a[href^='/units/{OTHER_AGENCY}']").count() == 0
    assert w.page.locator("#ranking-table a[href^='/units/24-SYT']").count() == 1
    assert w.problems == [], w.problems


def test_the_language_switch_to_english(as_user):
    w = as_user("lanhdao")
    page = w.page
    page.goto("/")
    page.wait_for_load_state("networkidle")  # the overview's panels load after the page: not cut short
    assert page.get_attribute("html", "lang") == "vi"
    with page.expect_navigation():
        page.click(".account .langs a[hreflang=en]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "en"
    assert "Province overview" in page.locator("main h1").inner_text()
    w.screenshot("flow-overview-en")
    page.click("nav.mainnav >> text=Rankings")  # the choice is remembered on the next page
    page.wait_for_url(re.compile(r"/rankings"))
    assert page.get_attribute("html", "lang") == "en"
    assert "Rankings" in page.locator("main h1").inner_text()
    assert w.problems == [], w.problems


def test_sign_out(browser, base_url):
    w = watch(browser, base_url)  # its own session: signing out must not end the shared ones
    try:
        page = w.page
        page.goto("/warnings")
        page.wait_for_url(re.compile(r"/login\?next="))  # not signed in: the sign-in page
        sign_in(w, "xem")
        with page.expect_navigation():
            page.click(".account form[action='/logout'] button")
        page.wait_for_url(re.compile(r"/login\?signed_out=1"))
        assert page.locator("[role=status]").count() == 1
        w.screenshot("flow-signed-out")
        page.goto("/")
        page.wait_for_url(re.compile(r"/login\?next=%2F"))
        assert w.problems == [], w.problems
    finally:
        w.close()
