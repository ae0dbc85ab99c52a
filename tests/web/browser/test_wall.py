"""The IOC wall in headless Chromium (issue 14, part 2): at 1920×1080 and 3840×2160 the screen is
covered by its panels with no empty band and nothing scrolls, no panel's content is cut off,
the smallest text is ≥ 24 px at 1080p (≥ 48 px at 2160p) and so are the charts' labels, the
ticker's label and its running messages do not overlap, the map draws the 34 provinces; the
slides rotate (the place kept when HTMX reloads the board); without JavaScript everything shows;
on a 390×844 phone the panels stack and nothing is wider than the screen.
Screenshots in tests/artifacts/browser (wall-*.png)."""
from __future__ import annotations

import pytest

from chiso.units.registry import short_name
from tests.web.browser.conftest import ARTIFACTS
from tests.web.site import WINDOW

pytestmark = pytest.mark.browser

FULL_HD = {"width": 1920, "height": 1080}
UHD = {"width": 3840, "height": 2160}
PHONE = {"width": 390, "height": 844}
#: Panels of the screen: what must cover it.
PANELS = ".wall-head, .wall .panel, .wall-ticker"
#: The grid's gaps and the page's margins, in 1080p pixels: a point may lie in one.
GAP = 40

BOXES = """(sel) => [...document.querySelectorAll(sel)].filter(e => e.offsetParent !== null).map(e => {
  const r = e.getBoundingClientRect(); return {cls: e.className, x: r.left, y: r.top, r: r.right, b: r.bottom}; })"""

#: The computed font size of every visible element that holds text of its own, in the wall.
FONT_SIZES = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('.wall'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) { continue; }
    const el = node.parentElement;
    if (!el || el.offsetParent === null || el.closest('[aria-hidden="true"], script, .map-canvas')) { continue; }
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.bottom < 0 || r.top > innerHeight) { continue; }
    out.push([parseFloat(getComputedStyle(el).fontSize), node.textContent.trim().slice(0, 40), el.className]);
  }
  return out;
}"""

#: Elements whose content is cut off (content taller or wider than the box by more than 2 px).
CUT_OFF = """() => [...document.querySelectorAll('.wall .panel, .wall-slide, .wall-dm li, .wall-list li, .wall-counts li')]
  .filter(e => e.offsetParent !== null && e.getAttribute('aria-hidden') !== 'true')
  .filter(e => e.scrollHeight > e.clientHeight + 2).map(e => [e.className || e.tagName, e.scrollHeight, e.clientHeight])"""

CHART_LABELS = """() => {
  const out = {};
  const trend = echarts.getInstanceByDom(document.querySelector('.wall-trend')).getOption();
  out.x = trend.xAxis[0].axisLabel.fontSize; out.y = trend.yAxis[0].axisLabel.fontSize;
  const dial = echarts.getInstanceByDom(document.querySelector('.wall-dial .wall-chart')).getOption();
  out.title = dial.series[0].title.fontSize; out.detail = dial.series[0].detail.fontSize;
  return out;
}"""

READ_MAP = """() => {
  const el = document.querySelector('.wall-map [data-map]');
  const chart = el && echarts.getInstanceByDom(el);
  if (!chart) { return null; }
  const s = chart.getOption().series[0];
  const map = echarts.getMap(s.map);
  const geo = map.geoJSON || map.geoJson;
  return {data: s.data.map(d => ({code: d.name, name: d.unitName})),
          features: geo.features.map(f => ({code: f.properties.code, name: f.properties.name}))};
}"""


def _ready(page) -> None:
    """The wall drawn: its charts, its map, the rotation set up."""
    page.goto(f"/wall?window={WINDOW}")
    page.wait_for_function("() => window.echarts && document.querySelectorAll('.wall [data-chart-ready]').length >= 7"
                           " && document.querySelector('.wall-rotator.is-rotating .wall-slide.is-active')",
                           timeout=30_000)
    page.wait_for_function("() => { const el = document.querySelector('.wall-map [data-map]');"
                           " return el && echarts.getInstanceByDom(el); }", timeout=30_000)
    page.wait_for_timeout(300)  # wall.js scales the charts after chiso.js drew them


def _uncovered(boxes: list[dict], width: int, height: int, gap: float) -> list[tuple[int, int]]:
    """Points of a 40 px grid lying in no panel and further than ``gap`` from every panel."""
    missed = []
    for y in range(0, height, 40):
        for x in range(0, width, 40):
            px, py = x + 20, y + 20
            near = any(b["x"] - gap <= px <= b["r"] + gap and b["y"] - gap <= py <= b["b"] + gap for b in boxes)
            if not near:
                missed.append((px, py))
    return missed


def _empty_bands(boxes: list[dict], height: int) -> list[tuple[float, float]]:
    """Horizontal bands of the screen, 5 % of its height or more, that no panel reaches into."""
    edges = sorted((b["y"], b["b"]) for b in boxes)
    bands, reached = [], 0.0
    for top, bottom in edges:
        if top - reached >= 0.05 * height:
            bands.append((reached, top))
        reached = max(reached, bottom)
    if height - reached >= 0.05 * height:
        bands.append((reached, height))
    return bands


@pytest.mark.parametrize("size", [FULL_HD, UHD], ids=["1920", "3840"])
def test_the_wall_fills_the_screen_with_no_empty_band(as_user, site, size):
    w = as_user("lanhdao")
    page = w.page
    page.set_viewport_size(size)
    _ready(page)
    k = size["height"] / 1080
    width, height = size["width"], size["height"]
    # nothing scrolls
    scroll = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight,"
                           " innerWidth, innerHeight]")
    assert scroll[0] <= scroll[2] and scroll[1] <= scroll[3], scroll
    # the panels cover the screen: every point of a 40 px grid in a panel or in a gap beside one
    boxes = page.evaluate(BOXES, PANELS)
    classes = " ".join(b["cls"] for b in boxes)
    for part in ("wall-head", "wall-headline", "wall-counters", "wall-dials", "wall-rotator", "wall-map", "wall-ticker"):
        assert part in classes, part
    assert _uncovered(boxes, width, height, GAP * k) == []
    assert _empty_bands(boxes, height) == []
    assert max(b["b"] for b in boxes) >= height * 0.95  # down to the bottom: no empty band there
    # the ticker's label and its messages side by side, never over each other
    label = page.locator(".wall-ticker-label").bounding_box()
    track = page.locator(".wall-ticker-window").bounding_box()
    assert label["x"] + label["width"] <= track["x"], (label, track)
    # every slide of the rotating area: nothing cut off, no text under 24 px at 1080p
    for i in range(3):
        page.evaluate("i => document.querySelectorAll('.wall-slide').forEach((e, j) => "
                      "{ e.classList.toggle('is-active', j === i); e.setAttribute('aria-hidden', j === i ? 'false' : 'true'); })", i)
        page.wait_for_timeout(100)
        assert page.evaluate(CUT_OFF) == [], i
        sizes = page.evaluate(FONT_SIZES)
        assert sizes, "no text"
        small = [s for s in sizes if s[0] < 24 * k - 0.5]
        assert small == [], small[:5]
        w.screenshot(f"wall-{width}-slide{i + 1}")
    assert page.locator(".wall-dial-text:visible").count() == 0  # the dials drawn: their text fallback hidden
    # the charts' labels scaled with the screen
    labels = page.evaluate(CHART_LABELS)
    assert all(v >= 24 * k - 0.5 for v in labels.values()), labels
    # the map: the 34 provinces by their real names
    drawn = page.evaluate(READ_MAP)
    assert drawn is not None
    units = {u.code: u for u in site.tree.units(level="province")}
    assert len(units) == 34 and len(drawn["features"]) == 34 and len(drawn["data"]) == 34
    assert {f["code"]: f["name"] for f in drawn["features"]} == {c: short_name(u) for c, u in units.items()}
    for d in drawn["data"]:
        assert d["name"] in (units[d["code"]].name, short_name(units[d["code"]])), d
    assert w.problems == [], w.problems


def test_the_slides_rotate_and_keep_their_place_when_the_board_reloads(as_user):
    """On the browser's own clock (Playwright's fake timers): a slide every 20 s (the default of
    CHISO_WALL_ROTATE_SECONDS), and a reloaded board comes back on the slide that was showing."""
    w = as_user("lanhdao")
    page = w.page
    page.set_viewport_size(FULL_HD)
    page.clock.install()
    _ready(page)
    assert page.locator(".wall-rotator").get_attribute("data-rotate-seconds") == "20"
    page.clock.pause_at(_later(page, 1))
    active = "() => [...document.querySelectorAll('.wall-slide')].findIndex(e => e.classList.contains('is-active'))"
    assert page.locator(".wall-slide:visible").count() == 1
    before = page.evaluate(active)
    page.clock.run_for(20_000)
    after = page.evaluate(active)
    assert after == (before + 1) % 3
    if after == 0:
        page.clock.run_for(20_000)
        after = 1
    assert page.evaluate(active) == after
    # the board reloads (as it does every minute): the same slide shows after it, not the first
    page.evaluate("() => { document.querySelector('.wall-rotator').dataset.old = '1';"
                  f" htmx.ajax('GET', '/wall?fragment=1&window={WINDOW}', {{target: '#board', swap: 'innerHTML'}}); }}")
    for _ in range(200):  # HTMX swaps on the (paused) page clock: let it run in small steps
        page.clock.run_for(20)
        if page.evaluate("() => !document.querySelector('.wall-rotator').dataset.old"):
            break
        page.wait_for_timeout(50)
    assert page.evaluate("() => !document.querySelector('.wall-rotator').dataset.old"), "the board was not reloaded"
    assert page.evaluate(active) == after
    assert page.locator(".wall-slide:visible").count() == 1
    assert page.locator(".wall-map [data-map]").count() == 1  # the map stayed
    assert w.problems == [], w.problems


def _later(page, seconds: int) -> int:
    """The page's clock ``seconds`` on, in milliseconds since the epoch."""
    return int(page.evaluate("Date.now()")) + seconds * 1000


def test_without_javascript_everything_shows(browser, base_url, signed_in_states):
    ctx = browser.new_context(viewport=FULL_HD, base_url=base_url, storage_state=signed_in_states["lanhdao"],
                              java_script_enabled=False, locale="vi-VN")
    try:
        page = ctx.new_page()
        page.goto(f"/wall?window={WINDOW}")
        for sel in ("#wall-dm", "#wall-units", "#wall-tasks", ".wall-headline", ".wall-counters", ".wall-ticker"):
            assert page.locator(sel).is_visible(), sel
        assert page.locator(".wall-dm li").count() >= 1
        assert page.locator(".wall-dial-text").first.is_visible()  # the dials' scores as text
        slides = page.evaluate(BOXES, ".wall-slide")
        assert len(slides) == 3
        for above, below in zip(slides, slides[1:]):  # one under the other, never over each other
            assert below["y"] >= above["b"], (above, below)
        assert page.locator("noscript meta[http-equiv=refresh]").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "wall-1920-nojs.png"))
    finally:
        ctx.close()


def test_on_a_phone_the_panels_stack(as_user):
    w = as_user("lanhdao")
    page = w.page
    page.set_viewport_size(PHONE)
    page.goto(f"/wall?window={WINDOW}")
    page.wait_for_function("() => window.echarts && document.querySelectorAll('.wall [data-chart-ready]').length >= 7",
                           timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    boxes = page.evaluate(BOXES, ".wall .panel")
    assert len(boxes) >= 5
    for b in boxes:  # one column: each panel about as wide as the screen
        assert b["r"] - b["x"] >= PHONE["width"] * 0.85, b
    tops = [b["y"] for b in boxes]
    assert tops == sorted(tops)
    sizes = page.evaluate(FONT_SIZES)
    assert min(s[0] for s in sizes) >= 14, min(sizes)
    w.screenshot("wall-390")
    assert w.problems == [], w.problems

