"""The Content-Security-Policy in headless Chromium (chiso.web.security.headers): the pages
raise no violation — no inline script, no inline style, charts and HTMX working under it —
and the policy is really enforced (an injected inline script and style attribute are
refused, so the listeners below would see a violation if a page had one)."""
from __future__ import annotations

import re

import pytest

from chiso.web.security.headers import POLICY
from tests.web.site import OWN_INDICATOR

pytestmark = pytest.mark.browser

#: Every violation the page reports (the event carries the directive and what was blocked).
COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""
PAGES = [
    ("overview", "/"),
    ("wall", "/wall"),
    ("indicator", f"/indicators/{OWN_INDICATOR}"),
    ("warnings", "/warnings"),
    ("rankings", "/rankings?level=commune"),
    ("unit", "/units/24"),
    ("workflow", "/workflow"),
    ("reports", "/reports/24"),
]


def csp_console(w) -> list[str]:
    """Console messages about the Content Security Policy (Chromium logs every refusal)."""
    seen: list[str] = []
    w.page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    return seen


def violations(w) -> list[str]:
    return w.page.evaluate("window.__csp || []")


@pytest.mark.parametrize("name,path", PAGES, ids=[n for n, _ in PAGES])
def test_pages_raise_no_csp_violation(as_user, name, path):
    w = as_user("quantri")
    console = csp_console(w)
    w.page.add_init_script(COLLECT)
    response = w.page.goto(path)
    w.page.wait_for_load_state("networkidle")
    assert response.status == 200, (path, response.status)
    assert "content-security-policy" in response.headers
    charts = w.page.locator("[data-chart]")
    for i in range(charts.count()):  # every chart drew: a canvas of the box's size
        chart = charts.nth(i)
        if not chart.is_visible():
            continue
        chart.locator("canvas").first.wait_for()
        box = chart.bounding_box()
        assert box["height"] >= 100 and box["width"] > 0, (path, i, box)
        wanted = chart.get_attribute("data-height")
        if wanted and wanted.endswith("px"):  # the height of the template, set through the CSSOM
            assert abs(box["height"] - float(wanted[:-2])) < 1, (path, wanted, box)
    if charts.count():  # a tooltip (drawn on the canvas, not as HTML with style attributes)
        first = next(charts.nth(i) for i in range(charts.count()) if charts.nth(i).is_visible())
        box = first.bounding_box()
        w.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        w.page.wait_for_timeout(300)
    assert violations(w) == [], (path, violations(w))
    assert console == [], (path, console)
    assert w.problems == [], w.problems


def test_bars_and_meters_are_drawn_without_style_attributes(as_user):
    w = as_user("quantri")
    w.page.add_init_script(COLLECT)
    w.page.goto("/")
    w.page.wait_for_load_state("networkidle")
    fills = w.page.locator(".meter rect, .bar rect")
    assert fills.count() > 0
    drawn = [fills.nth(i).bounding_box() for i in range(fills.count())]
    assert any(b and b["width"] > 1 for b in drawn), drawn  # a score above zero fills part of its bar
    assert w.page.locator("[style]").count() == 0 or all(  # only what scripts set through the CSSOM
        el.get_attribute("data-chart") is not None or el.evaluate("e => !!e.closest('[data-chart]')")
        for el in w.page.locator("[style]").all())
    assert violations(w) == []


def test_htmx_swaps_and_autosubmit_work_under_the_policy(as_user):
    w = as_user("quantri")
    console = csp_console(w)
    w.page.add_init_script(COLLECT)
    page = w.page
    page.goto("/rankings?level=commune")
    page.wait_for_load_state("networkidle")
    with page.expect_response(lambda r: "/rankings" in r.url and "sort=name" in r.url and r.status == 200):
        page.locator("#ranking-table a.sort", has_text="Đơn vị").first.click()
    page.wait_for_selector("#ranking-table a.sort.sorted")
    assert "sort=name" in page.url
    page.goto("/workflow")
    options = page.locator("select[name=owner] option")
    owner = next(v for v in (options.nth(i).get_attribute("value") for i in range(options.count())) if v)
    with page.expect_navigation():
        page.select_option("select[name=owner]", owner)
    assert re.search(rf"owner={re.escape(owner)}", page.url), page.url
    assert violations(w) == [], violations(w)
    assert console == [], console
    assert w.problems == [], w.problems


def test_the_policy_is_enforced(as_user):
    """The control: inline code injected into a page is refused and reported."""
    w = as_user("quantri")
    console = csp_console(w)
    w.page.add_init_script(COLLECT)
    w.page.goto("/")
    w.page.wait_for_load_state("networkidle")
    w.page.evaluate("""() => {
      const s = document.createElement("script");
      s.textContent = "window.__inlineRan = true;";
      document.body.appendChild(s);
      document.body.insertAdjacentHTML("beforeend", '<div id="csp-probe" style="width: 123px">x</div>');
    }""")
    w.page.wait_for_timeout(200)
    assert w.page.evaluate("window.__inlineRan === undefined")
    assert w.page.locator("#csp-probe").bounding_box()["width"] != 123
    found = violations(w)
    assert any(v.startswith("script-src") for v in found), found
    assert any(v.startswith("style-src") for v in found), found
    assert any("script" in c for c in console) and any("style" in c for c in console), console


def test_the_api_documentation_works_offline_under_the_ordinary_policy(as_user):
    """Swagger UI is served by chiso (vendored) and started by a static script: the page
    shows the operations of the schema with no outside request and no violation."""
    w = as_user("quantri")
    w.page.add_init_script(COLLECT)
    outside: list[str] = []
    w.page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1:", "data:")) else outside.append(r.url))
    response = w.page.goto("/api/v1/docs")
    assert response.headers["content-security-policy"] == POLICY
    w.page.wait_for_selector("#swagger-ui .information-container", timeout=30_000)
    w.page.wait_for_selector("#swagger-ui .opblock", timeout=30_000)
    assert w.page.locator("#swagger-ui .opblock").count() > 20
    assert violations(w) == [], violations(w)
    assert outside == [] and w.problems == [], (outside, w.problems)
    w.screenshot("api-docs")
