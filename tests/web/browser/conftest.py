"""Fixtures of the browser tests: one live chiso (uvicorn on 127.0.0.1, a free port, in a
thread) over the one demo site (tests/web/site.py), headless Debian Chromium through
Playwright, and a signed-in browser context per role (signed in once through the real
/login form; each test opens a fresh context from that saved state).

Chromium or Playwright missing: the tests skip, except under ``CI=true`` where they fail
(the Makefile installs Debian's ``chromium``).
"""
from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.web.site import ONE_PER_ROLE, PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).parents[2] / "artifacts" / "browser"
VIEWPORT = {"width": 1400, "height": 1000}
#: The two sizes every page is looked at: a desk screen and a phone.
WIDE, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}


def _missing(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests need it under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_api():
    try:
        from playwright import sync_api
    except ImportError:
        _missing("Playwright for Python is not installed (pip install playwright)")
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        _missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return sync_api


@pytest.fixture(scope="session")
def base_url(site) -> Iterator[str]:
    """The live server's address (``http://127.0.0.1:<port>``)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(site.app, host="127.0.0.1", port=0, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, name="chiso-browser-tests", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def browser(playwright_api):
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@dataclass
class Watched:
    """A page with what went wrong on it: console errors, failed requests, HTTP ≥ 400."""
    context: object
    page: object
    problems: list[str] = field(default_factory=list)
    #: (status, URL pattern) answers that are the point of the test, not problems.
    expected: list[tuple[int, str]] = field(default_factory=list)

    def expect(self, status: int, url_pattern: str) -> None:
        self.expected.append((status, url_pattern))

    def _response(self, response) -> None:
        if response.status >= 400 and not any(status == response.status and re.search(pattern, response.url)
                                               for status, pattern in self.expected):
            self.problems.append(f"HTTP {response.status} {response.request.method} {response.url}")

    def _console(self, message) -> None:
        if message.type == "error":
            text = message.text
            # Chromium logs every 4xx resource as a console error; the deliberate ones are expected
            if any(f"status of {status}" in text for status, _ in self.expected):
                return
            self.problems.append(f"console: {text} @ {message.location}")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def shots(self, name: str) -> None:
        """The page at 1440×900 and at 390×844 (saved as ``<name>-1440``/``-390``), and not
        wider than the phone; the desk size is restored."""
        page = self.page
        page.set_viewport_size(WIDE)
        self.screenshot(f"{name}-1440")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(150)
        width = page.evaluate("document.documentElement.scrollWidth")
        self.screenshot(f"{name}-390")
        page.set_viewport_size(WIDE)
        assert width <= PHONE["width"], f"{name}: the page is {width} px wide on a 390 px phone"

    def close(self) -> None:
        self.context.close()


def _favicon_cut_short(request) -> bool:
    """Chromium fetches the page icon on its own schedule, after the load event; a navigation the
    test starts (sign-out) may abort it (``net::ERR_ABORTED``). That is no failed request of the
    application — every other aborted or failed request still counts."""
    return request.url.endswith("/static/chiso.svg") and "ERR_ABORTED" in (request.failure or "") \
        and request.resource_type not in ("image", "stylesheet", "script", "document", "fetch", "xhr")


def watch(browser, base_url: str, storage_state=None) -> Watched:
    """A new browser context (optionally signed in) with its problems recorded."""
    ctx = browser.new_context(viewport=VIEWPORT, base_url=base_url, storage_state=storage_state, locale="vi-VN")
    ctx.set_default_navigation_timeout(180_000)  # the first bulletin is built on demand; speed is not tested
    page = ctx.new_page()
    w = Watched(ctx, page)
    page.on("console", w._console)
    page.on("pageerror", lambda e: w.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: None if _favicon_cut_short(r) else
            w.problems.append(f"failed: {r.method} {r.url} ({r.failure}; {r.resource_type})"))
    page.on("response", w._response)
    return w


def sign_in(w: Watched, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real /login form and wait for the overview."""
    page = w.page
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture(scope="session")
def signed_in_states(browser, base_url, tmp_path_factory) -> dict[str, Path]:
    """username → the saved state (cookies) of a session signed in through the /login form."""
    folder = tmp_path_factory.mktemp("browser-states")
    states = {}
    for username in ONE_PER_ROLE:
        w = watch(browser, base_url)
        try:
            sign_in(w, username)
            assert w.problems == [], w.problems
            path = folder / f"{username}.json"
            w.context.storage_state(path=str(path))
            states[username] = path
        finally:
            w.close()
    return states


@pytest.fixture
def as_user(browser, base_url, signed_in_states):
    """A factory: a watched page signed in as ``username`` (closed after the test)."""
    opened: list[Watched] = []

    def make(username: str) -> Watched:
        w = watch(browser, base_url, signed_in_states[username])
        opened.append(w)
        return w

    yield make
    for w in opened:
        w.close()


@pytest.fixture
def anonymous(browser, base_url):
    w = watch(browser, base_url)
    yield w
    w.close()
