"""Dữ liệu mở in headless Chromium, signed out: the list and an indicator's page at 1440×900,
390×844 and 1920×1080 — nothing wider than the screen, no console error or failed request, the
chart drawn, every visible word Vietnamese (no English text of the page's messages), the
downloads reached by their links. Screenshots: tests/artifacts/browser/open-data-*.png.

The store is tests/web/open_data_site.py's (its own live server: no account is involved).
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from chiso.web.i18n import catalogue
from tests.web.browser.conftest import watch
from tests.web.open_data_site import build_open_data_site

pytestmark = pytest.mark.browser

SIZES = ({"width": 1440, "height": 900}, {"width": 390, "height": 844}, {"width": 1920, "height": 1080})
PAGES = {"list": "/du-lieu-mo", "indicator": "/du-lieu-mo/OD.TY_LE_DUNG_HAN", "monthly": "/du-lieu-mo/OD.KHACH"}


@pytest.fixture(scope="module")
def open_data_url(tmp_path_factory):
    import uvicorn

    site = build_open_data_site(tmp_path_factory.mktemp("open-data-browser"))
    server = uvicorn.Server(uvicorn.Config(site.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="chiso-open-data", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the open data test server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    site.close()


@pytest.fixture
def reader(browser, open_data_url):
    w = watch(browser, open_data_url)
    yield w
    w.close()


def english_only_texts() -> list[str]:
    """The page's English messages that differ from their Vietnamese: none may show on a Vietnamese page."""
    vi, en = catalogue("vi"), catalogue("en")
    return sorted({en[k] for k in en if k.startswith("open_data.") and en[k] != vi.get(k) and len(en[k]) > 3
                   and "{" not in en[k]}, key=len, reverse=True)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: str(s["width"]))
def test_the_open_data_pages_fit_and_speak_vietnamese(reader, size):
    page = reader.page
    page.set_viewport_size(size)
    english = english_only_texts()
    for name, path in PAGES.items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(path), f"{path} sent the reader elsewhere: {page.url}"
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= size["width"], f"{path} is {width} px wide at {size['width']}"
        text = page.inner_text("body")
        shown = [e for e in english if e in text]
        assert not shown, (path, shown)
        assert "Không đạt chỉ tiêu" in text, path
        if name != "list":
            assert page.locator("div.chart canvas, div.chart svg").count() >= 1, f"{path}: the chart is not drawn"
            page.wait_for_timeout(1500)  # the chart's drawing animation ends before the screenshot
        reader.screenshot(f"open-data-{name}-{size['width']}")
    assert reader.problems == [], reader.problems


def test_from_the_list_to_an_indicator_and_its_download(reader):
    page = reader.page
    page.goto("/du-lieu-mo")
    with page.expect_navigation():
        page.click("a[href='/du-lieu-mo/OD.KHACH']")
    assert page.locator("h1").inner_text() == "Lượt khách tham quan hội chợ"
    assert "chưa được công bố" in page.inner_text("body")
    with page.expect_download() as info:
        page.click("a[href='/du-lieu-mo/OD.KHACH.csv']")
    download = info.value
    assert download.suggested_filename == "OD.KHACH.csv"
    body = Path(download.path()).read_text(encoding="utf-8-sig")
    assert body.splitlines()[0].startswith("Mã chỉ số,Tên chỉ số")
    assert reader.problems == [], reader.problems
