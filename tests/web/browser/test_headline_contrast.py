"""The overview's headline card: its link ("Tổng điểm Bộ chỉ số 766") must be readable on the card's
blue gradient — the WCAG AA contrast (at least 4.5:1) between the link's computed colour and each
colour of the card's background, at both ends of the gradient; underlined on hover. Computed in
headless Chromium from the styles as the browser applies them."""
from __future__ import annotations

import re

import pytest

from tests.web.site import WINDOW

pytestmark = pytest.mark.browser

AA = 4.5
RGB = re.compile(r"rgba?\((\d+(?:\.\d+)?),\s*(\d+(?:\.\d+)?),\s*(\d+(?:\.\d+)?)(?:,\s*([\d.]+))?\)")


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0–255 channels)."""
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def colours(text: str) -> list[tuple[float, float, float]]:
    """The opaque colours named in a computed CSS value (a gradient's stops, or one colour)."""
    out = []
    for m in RGB.finditer(text):
        alpha = float(m[4]) if m[4] is not None else 1.0
        if alpha > 0:
            out.append((float(m[1]), float(m[2]), float(m[3])))
    return out


def test_contrast_helpers():
    assert contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert contrast((11, 92, 173), (11, 92, 173)) == pytest.approx(1.0)  # the colour the issue found: invisible
    assert colours("linear-gradient(135deg, rgb(11, 92, 173), rgb(10, 74, 140))") == [(11, 92, 173), (10, 74, 140)]
    assert colours("rgba(0, 0, 0, 0)") == []


def test_the_headline_link_is_readable_on_its_gradient(as_user):
    w = as_user("lanhdao")
    page = w.page
    page.goto(f"/?window={WINDOW}")
    page.wait_for_load_state("networkidle")
    link = page.locator(".card-big .card-title a")
    assert link.inner_text().strip().startswith("Tổng điểm")
    found = link.evaluate("""a => { const card = a.closest('.card-big'), s = getComputedStyle(card);
        return {link: getComputedStyle(a).color, image: s.backgroundImage, colour: s.backgroundColor}; }""")
    text = colours(found["link"])
    assert len(text) == 1, found
    backgrounds = colours(found["image"]) + colours(found["colour"])
    assert len(backgrounds) >= 2, f"the card's gradient has no two colours: {found}"
    for bg in backgrounds:
        ratio = contrast(text[0], bg)
        assert ratio >= AA, f"the link {found['link']} on {bg}: contrast {ratio:.2f} < {AA}"
    link.hover()
    page.wait_for_timeout(100)
    assert "underline" in link.evaluate("a => getComputedStyle(a).textDecorationLine")
    assert w.problems == [], w.problems
