"""The DM pages in real headless Chromium: no console error, no failed request; the upload
with an error shows the row-level report; screenshots saved under tests/artifacts/."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.web.pages.dm_fixtures import shared_dm_site

ARTIFACTS = Path(__file__).parents[2] / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    site = shared_dm_site(tmp_path_factory)
    srv = uvicorn.Server(uvicorn.Config(site.app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield site, f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    sync = pytest.importorskip("playwright.sync_api")
    with sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        yield b
        b.close()


def open_page(browser, server, user):
    from chiso.web.security.sessions import COOKIE_NAME

    site, base = server
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.add_cookies([{"name": COOKIE_NAME, "value": site.cookie(user), "url": base}])
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return ctx, page, problems


@pytest.mark.parametrize("user,path,name", [
    ("quantri", "/indicators", "dm-catalogue-admin"),
    ("lanhdao", "/indicators/KT.BAN_LE", "dm-indicator-leader"),
    ("canbo.syt", "/warnings", "dm-warnings-officer"),
    ("giamdoc.syt", "/submissions", "dm-submissions-head"),
    ("quantri", "/workflow", "dm-workflow-admin"),
])
def test_pages_load_cleanly(browser, server, user, path, name):
    ctx, page, problems = open_page(browser, server, user)
    page.goto(server[1] + path)
    page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    ctx.close()
    assert problems == []


def test_upload_with_an_error_shows_the_row_level_report(browser, server, tmp_path):
    bad = tmp_path / "so-lieu-loi.csv"
    bad.write_text("indicator,unit,period,value\nXH.TIEM_CHUNG,24,2026-02,abc\n", encoding="utf-8")
    ctx, page, problems = open_page(browser, server, "canbo.syt")
    page.goto(server[1] + "/submissions")
    page.set_input_files("input[name=file]", str(bad))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#refusal")
    text = page.inner_text("#refusal")
    page.screenshot(path=str(ARTIFACTS / "dm-upload-refused.png"))
    ctx.close()
    assert "so-lieu-loi.csv" in text and "abc" in text and "value" in text
    # the refusal is answered 422 (the batch was refused), which Chromium logs as a failed resource
    assert [p for p in problems if "422" not in p] == []
