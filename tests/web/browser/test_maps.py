"""The maps in headless Chromium at 1920×1080 and 390×844: the ECharts map draws the 34 provinces
with their real names (read from the chart itself), hovering a province shows its rank, a click
opens its page; a province without commune shapes is the ranked tile grid with its notice.
Screenshots in artifacts/browser (maps-*.png)."""
from __future__ import annotations

import pytest
from shapely.geometry import shape

from chiso.units.boundaries import province_shapes
from chiso.units.registry import short_name
from tests.web.browser.conftest import Watched

pytestmark = pytest.mark.browser

WALL = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}

READ_CHART = """() => {
  const el = document.querySelector('[data-map]');
  const chart = el && echarts.getInstanceByDom(el);
  if (!chart) { return null; }
  const option = chart.getOption();
  const map = echarts.getMap(option.series[0].map);
  const geo = map.geoJSON || map.geoJson;
  return {map: option.series[0].map, nameProperty: option.series[0].nameProperty,
          data: option.series[0].data.map(d => ({code: d.name, name: d.unitName, value: d.value, rank: d.rank})),
          features: geo.features.map(f => ({code: f.properties.code, name: f.properties.name}))};
}"""


#: Where a point (longitude, latitude) of the map is on the screen, the map scrolled into view.
ON_SCREEN = """(pt) => { const el = document.querySelector('[data-map]');
    el.scrollIntoView({block: 'center'});
    const c = echarts.getInstanceByDom(el); const px = c.convertToPixel({seriesIndex: 0}, pt);
    const box = el.getBoundingClientRect(); return [box.left + px[0], box.top + px[1]]; }"""


def wait_for_map(page):
    page.wait_for_function("() => { const el = document.querySelector('[data-map]');"
                           " return el && window.echarts && echarts.getInstanceByDom(el); }", timeout=30_000)


def point_of(code: str):
    feature = next(f for f in province_shapes()["features"] if f["properties"]["code"] == code)
    p = shape(feature["geometry"]).representative_point()
    return [p.x, p.y]


@pytest.mark.parametrize("size", [WALL, PHONE], ids=["1920", "390"])
def test_the_map_draws_the_34_provinces_hover_shows_rank_click_opens(as_user, site, size):
    w = as_user("lanhdao")
    page = w.page
    page.set_viewport_size(size)
    page.goto(f"/maps?window={site.window}")
    wait_for_map(page)
    chart = page.evaluate(READ_CHART)
    assert chart["map"] == "vn-provinces" and chart["nameProperty"] == "code"
    real = {u.code: short_name(u) for u in site.tree.units(level="province")}
    assert {f["code"]: f["name"] for f in chart["features"]} == real and len(chart["features"]) == 34
    assert len(chart["data"]) == 34
    assert {d["code"] for d in chart["data"]} == set(real)
    table = site.app.state.ctx.scores(site.window)
    me = table.unit("24")
    bac_ninh = next(d for d in chart["data"] if d["code"] == "24")
    assert bac_ninh["rank"] == me["rank"] and bac_ninh["value"] == pytest.approx(me["total"])
    w.screenshot(f"maps-national-{size['width']}")
    # hover Bắc Ninh: the line under the map names it with its rank
    x, y = page.evaluate(ON_SCREEN, point_of("24"))
    page.mouse.move(x, y)
    page.wait_for_function("() => document.querySelector('.map-hover').textContent.includes('Hạng')")
    hover = page.inner_text(".map-hover")
    assert "Bắc Ninh" in hover and f"Hạng {me['rank']}/{me['peers']}" in hover
    w.screenshot(f"maps-national-hover-{size['width']}")
    if size == PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    x, y = page.evaluate(ON_SCREEN, point_of("24"))  # the full-page screenshot may have moved it
    with page.expect_navigation():
        page.mouse.click(x, y)
    assert page.url.endswith("/units/24")
    assert w.problems == [], w.problems


def test_a_province_without_commune_shapes_shows_the_ranked_grid(as_user, site):
    w = as_user("lanhdao")
    page = w.page
    page.set_viewport_size(PHONE)
    page.goto(f"/maps/24?window={site.window}")
    assert "Chưa có ranh giới xã của tỉnh — hiển thị dạng lưới xếp hạng" in page.inner_text(".map-notice")
    assert page.locator(".map-tile").count() == 99
    assert page.locator("[data-map]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    w.screenshot("maps-province-grid-390")
    page.set_viewport_size(WALL)
    w.screenshot("maps-province-grid-1920")
    first = page.locator(".map-tile a").first
    href = first.get_attribute("href")
    with page.expect_navigation():
        first.click()
    assert page.url.endswith(href)
    assert w.problems == [], w.problems


def test_on_a_touch_screen_the_first_tap_shows_the_rank_the_second_opens(browser, base_url, signed_in_states, site):
    ctx = browser.new_context(viewport=PHONE, base_url=base_url, storage_state=signed_in_states["lanhdao"],
                              has_touch=True, is_mobile=True, locale="vi-VN")
    try:
        page = ctx.new_page()
        w = Watched(ctx, page)
        page.on("console", w._console)
        page.on("pageerror", lambda e: w.problems.append(f"page error: {e}"))
        page.goto(f"/maps?window={site.window}")
        wait_for_map(page)
        x, y = page.evaluate(ON_SCREEN, point_of("24"))
        page.touchscreen.tap(x, y)
        page.wait_for_function("() => document.querySelector('.map-hover').textContent.includes('Hạng')")
        assert "/maps" in page.url and "Bắc Ninh" in page.inner_text(".map-hover")
        w.screenshot("maps-national-tap-390")
        x, y = page.evaluate(ON_SCREEN, point_of("24"))  # the full-page screenshot may have moved it
        with page.expect_navigation():
            page.touchscreen.tap(x, y)
        assert page.url.endswith("/units/24")
        assert w.problems == [], w.problems
    finally:
        ctx.close()
