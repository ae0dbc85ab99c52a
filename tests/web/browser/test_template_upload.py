"""The template round trip in headless Chromium: the officer downloads the pre-filled template
from the submissions page, fills it in (one slip: "3.1O8,2", the letter O for a zero), uploads
it, reads the sheet's own row and the wrong character in the report, fixes it, submits, and
follows the link to the batch. Screenshots at 1440×900 and 390×844; no page wider than a phone."""
from __future__ import annotations

import re

import openpyxl
import pytest

from chiso.collect.values.template import SHEET
from chiso.store.repo_values import get_period
from tests.web.browser.conftest import sign_in, watch

pytestmark = pytest.mark.browser

PERIOD = "2026-03"  # a month no other browser test writes


def fill(path, values: dict[int, object]) -> dict[int, float]:
    """Type values into the template's value column by sheet row; each owed row's reference
    value (the previous period's, else the one in force), by sheet row."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    header = [c.value for c in ws[1]]
    column = header.index("Giá trị") + 1
    before, now = header.index("Giá trị kỳ trước (tham khảo)"), header.index("Giá trị đã nộp kỳ này (tham khảo)")
    owed = {row[0].row: row[before].value if row[before].value is not None else row[now].value
            for row in ws.iter_rows(min_row=2) if row[0].value}
    for row, value in values.items():
        ws.cell(row=row, column=column, value=value)
    wb.save(path)
    return owed


def upload(page, path, reason: str) -> None:
    page.set_input_files("#upload input[name=file]", str(path))
    page.fill("#upload input[name=reason]", reason)
    with page.expect_navigation():
        page.click("#upload button[type=submit]")


@pytest.fixture
def officer(browser, base_url):
    """The officer of Sở Công Thương (several monthly indicators), signed in through /login."""
    w = watch(browser, base_url)
    sign_in(w, "canbo.sct")
    yield w
    w.close()


def test_the_officer_fills_the_template_fixes_the_slip_and_reaches_the_batch(officer, site, tmp_path):
    page = officer.page
    page.goto(f"/submissions?period={PERIOD}")
    officer.shots("template-submissions")
    # the period is chosen from a list named as people say it, not typed
    page.select_option("#template select[name=period]", label="Tháng 3/2026")
    with page.expect_download() as caught:
        page.click("#template button[type=submit]")
    download = caught.value
    assert download.suggested_filename == f"mau-so-lieu-24-SCT-{PERIOD}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))

    owed = fill(path, {})
    assert len(owed) >= 2 and all(v is not None for v in owed.values()), owed
    # the figures of the month before, as an officer carrying them over would; one slip in row 3
    values = {r: round(v * 1.01, 1) for r, v in owed.items()}
    slip = 3
    fill(path, {**values, slip: "3.1O8,2"})
    upload(page, path, "nhập theo mẫu tháng 3")
    refusal = page.locator("#refusal")
    refusal.wait_for()
    text = refusal.inner_text()
    assert "ký tự 'O' ở vị trí 4 không phải chữ số: 3.1O8,2" in text
    assert "trang tính «Số liệu»" in text
    row = refusal.locator("table.report tbody tr", has_text="3.1O8,2")
    assert row.locator("td").nth(0).inner_text().strip() == str(slip)  # the sheet's row, as Excel shows it
    officer.shots("template-refused")

    fill(path, values)
    upload(page, path, "nhập theo mẫu tháng 3")
    accepted = page.locator("#accepted")
    accepted.wait_for()
    assert "Đã nhận lô số liệu" in accepted.inner_text()
    assert "chờ thủ trưởng duyệt" in page.locator("#next-step").inner_text()
    assert page.locator("#next-step a[href='/desk']").count() >= 1
    officer.shots("template-accepted")
    batch = page.locator("#batch-link")
    href = batch.get_attribute("href")
    assert re.fullmatch(r"/submissions/\d+", href)
    with page.expect_navigation():
        batch.click()
    assert page.url.endswith(href) and "Đã nhận" in page.locator("main h1").inner_text()
    officer.shots("template-batch")

    db = site.database()
    try:
        with db.session() as s:
            assert get_period(s, "KT.DIEN_CN_XD", PERIOD).state == "submitted"
    finally:
        db.dispose()
    # a navigation that turns into a download is "aborted" by Chromium as a page load: that one
    # is the download itself, every other problem counts
    problems = [p for p in officer.problems
                if not re.fullmatch(r"failed: GET \S+/submissions/template\?period=2026-03 \(net::ERR_ABORTED; document\)", p)]
    assert problems == [], problems
