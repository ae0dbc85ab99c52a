"""Màn hình lãnh đạo in headless Chromium, as a leader holds it: at 390×844 (a phone) and at
1920×1080 — nothing wider than the screen, the headline (total, rank, change) above the fold,
every link and summary a touch target at least 44 px high, the national map drawn, no console
error under the Content-Security-Policy. The overview links to it for leaders on a small screen.
Screenshots: tests/artifacts/browser/leader-390.png, leader-1920.png, overview-leader-link-390.png."""
from __future__ import annotations

import pytest

from tests.web.browser.conftest import PHONE, WIDE
from tests.web.site import WINDOW

pytestmark = pytest.mark.browser

BIG = {"width": 1920, "height": 1080}
#: The smallest height of a touch target (WCAG 2.5.5, Apple's and Android's guidance: 44 px).
TOUCH = 44


def _check(w, size: dict, name: str) -> None:
    page = w.page
    page.set_viewport_size(size)
    page.goto(f"/leader?window={WINDOW}")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], name
    head = page.locator(".ld-head").bounding_box()
    assert head["y"] >= 0 and head["y"] + head["height"] <= size["height"], f"{name}: the headline is below the fold"
    for part in (".ld-value", ".ld-rank", ".ld-change"):
        assert page.locator(part).is_visible(), part
        box = page.locator(part).bounding_box()
        assert box["y"] + box["height"] <= size["height"], f"{name}: {part} is below the fold"
    small = page.evaluate("""(least) => [...document.querySelectorAll(
        '.ld-items a, .ld-more, .ld-links a, .compare-compact summary')]
        .filter(el => el.getBoundingClientRect().height < least)
        .map(el => el.textContent.trim().slice(0, 40))""", TOUCH)
    assert small == [], f"{name}: touch targets lower than {TOUCH} px: {small}"
    assert page.locator("section.ld-direction h2").inner_text() == "Việc cần chỉ đạo"
    assert page.locator("#compare li[data-kind]").count() == 4
    w.screenshot(name)


def test_leader_view_on_a_phone_and_a_big_screen(as_user):
    w = as_user("lanhdao")
    _check(w, PHONE, "leader-390")
    # the national map: drawn by ECharts (a canvas) or, without shapes, the ranked tiles
    map_drawn = w.page.locator(".ld-map canvas, .ld-map .map-tiles li").count()
    assert map_drawn > 0, "the national map is not drawn"
    _check(w, BIG, "leader-1920")
    w.page.set_viewport_size(WIDE)
    assert w.problems == [], w.problems


def test_the_overview_offers_it_on_a_phone(as_user):
    w = as_user("lanhdao")
    page = w.page
    page.set_viewport_size(PHONE)
    page.goto(f"/?window={WINDOW}")
    page.wait_for_load_state("networkidle")
    link = page.locator(".leader-phone-link a")
    assert link.is_visible()
    assert link.bounding_box()["height"] >= TOUCH
    w.screenshot("overview-leader-link-390")
    page.set_viewport_size(WIDE)
    page.wait_for_timeout(150)
    assert not link.is_visible()  # a desk screen has the nav entry
    assert page.locator("nav.mainnav a[href='/leader']").is_visible()
    assert w.problems == [], w.problems
