"""Không trang nào rộng hơn màn hình (no page wider than its screen), in headless Chromium.

Every page of the app is found from its routes — every GET route answering a whole HTML page
(not the API, not static files, not an HTMX fragment) — and visited by each role that may see it
(one account per role, ``ONE_PER_ROLE``): at 390×844 (a phone) the document must be no wider than
the screen (``document.documentElement.scrollWidth <= 390``); the administrator's pages are also
measured at 1440×900 and 1920×1080. A route with path parameters is visited through a link to
it found on the pages already visited (so a new page another engineer adds is covered as soon as
a page links to it); the ones no page links to must be listed in ``NOT_VISITED`` with the reason.

The main pages are saved as screenshots at the three sizes under tests/artifacts/browser/width/.
"""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from chiso.web.security.sessions import COOKIE_NAME
from tests.web.browser.conftest import ARTIFACTS
from tests.web.site import ACCOUNTS, ONE_PER_ROLE

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOPS = ({"width": 1440, "height": 900}, {"width": 1920, "height": 1080})
#: Paths that are no page of their own to measure (with the reason).
NOT_PAGES = {
    "/logout": "a form action (POST), no page",
}
#: Page routes no role visits signed in, with the reason they are not visited there.
NOT_VISITED: dict[str, str] = {
    "/login": "a signed-in person is sent on from the sign-in page: measured signed out (test_sign_in_fits_a_phone)",
    "/reports/{province}/tasks.xlsx": "a download (the XLSX follow-up list), not a page",
    "/units/{code}/records.xlsx": "a download (the records behind lost points as XLSX), not a page",
}
#: Pages saved as screenshots at every size (path prefix → name), as the official who uses each sees it.
SHOTS = {"/": "overview", "/rankings": "rankings", "/indicators": "indicators", "/indicators/": "indicator",
         "/warnings": "warnings", "/submissions": "submissions", "/workflow": "workflow",
         "/admin/audit": "audit", "/units/": "unit", "/wall": "wall", "/desk": "desk", "/inbox": "inbox",
         "/completeness": "completeness", "/notifications": "notifications", "/warnings/attention": "attention",
         "/reconcile": "reconcile"}
#: The widest element that sticks out, for the failure message.
WIDEST = """() => {
  const w = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && r.width > 0) {
      let hidden = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= w + 1) { hidden = true; break; }
      }
      if (!hidden) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
        ' right=' + Math.round(r.right));
    }
  }
  return out.slice(0, 5);
}"""
HREF = re.compile(r'href="(/[^"#?]*)(?:\\?[^"#]*)?"')


def all_routes(app) -> list:
    """Every route of the app, those of included routers too (FastAPI ≥ 0.16x nests them)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # an older FastAPI: its routes are flat
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def page_routes(app) -> list:
    """The app's GET routes that may be pages: not the API, not static files, not a form action."""
    out = []
    for route in all_routes(app):
        if isinstance(route, Mount) or "GET" not in (route.methods or ()) or not route.path:
            continue
        path = route.path
        if path.startswith(("/api/", "/static")) or path in NOT_PAGES or path in ("/api", "/openapi.json"):
            continue
        out.append(route)
    return out


def quiet_client(site, username: str | None) -> TestClient:
    """A signed-in test client that answers a page's own error as its status (a 500 is a page that
    is not measured, named by the route test) instead of raising it."""
    c = TestClient(site.app, base_url="http://testserver", follow_redirects=False, raise_server_exceptions=False)
    if username is not None:
        c.cookies.set(COOKIE_NAME, site.cookie(username))
    return c


def is_page(response) -> bool:
    """A whole HTML page (an HTMX fragment has no <html>)."""
    return response.status_code == 200 and response.headers.get("content-type", "").startswith("text/html") \
        and "<html" in response.text[:400].lower()


_VISITS: dict[int, tuple[dict[str, list[str]], dict[str, str]]] = {}


def visits(site) -> tuple[dict[str, list[str]], dict[str, str]]:
    """``find_visits`` once per site."""
    if id(site) not in _VISITS:
        _VISITS[id(site)] = find_visits(site)
    return _VISITS[id(site)]


def find_visits(site) -> tuple[dict[str, list[str]], dict[str, str]]:
    """username → the page URLs that role sees; route path → why it is not visited (no link, or no
    role sees it). Found with the test client: pages without parameters first, then every route
    with parameters through the first link to it on those pages."""
    routes = page_routes(site.app)
    assert routes, "no page route found in the app"
    plain = [r for r in routes if "{" not in r.path]
    with_params = [r for r in routes if "{" in r.path]
    seen: dict[str, list[str]] = {}
    reached: set[str] = set()
    for username in ONE_PER_ROLE:
        client = quiet_client(site, username)
        pages, links = [], []
        for route in plain:
            r = client.get(route.path)
            if is_page(r):
                pages.append(route.path)
                reached.add(route.path)
                links += HREF.findall(r.text)
        for route in with_params:
            for link in dict.fromkeys(links):
                if route.path_regex.match(link) and not any(p == link for p in pages):
                    r = client.get(link)
                    if is_page(r):
                        pages.append(link)
                        reached.add(route.path)
                        break
        seen[username] = pages
    missing = {r.path: NOT_VISITED.get(r.path, "no page links to it, or no role sees it as a page")
               for r in routes if r.path not in reached}
    for r in routes:  # a page that fails is named with its status
        if r.path in missing and "{" not in r.path:
            status = quiet_client(site, "quantri").get(r.path).status_code
            if status >= 500:
                missing[r.path] = f"answers {status}"
    return seen, missing


def test_every_page_route_is_visited_or_explained(site):
    """A page the width test cannot reach is named here with its reason (not silently skipped)."""
    seen, missing = visits(site)
    assert sum(len(p) for p in seen.values()) >= 20, seen
    unexplained = {path: why for path, why in missing.items()
                   if path not in NOT_VISITED and not is_fragment_only(site, path)}
    assert not unexplained, f"page routes the width test does not visit: {unexplained}"


def is_fragment_only(site, path: str) -> bool:
    """A route that answers no whole page: HTMX fragments (``/overview/dm``, ``/units/{code}/records`` …)
    and files (``/submissions/template``)."""
    if "{" in path:
        return path.endswith(("/records", "/whatif"))
    r = quiet_client(site, "quantri").get(path)
    return r.status_code in (200, 400, 422) and "<html" not in r.text[:400].lower()


def overflow(page, width: int) -> tuple[int, list[str]]:
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    return wide, ([] if wide <= width else page.evaluate(WIDEST))


def shot_name(path: str) -> str | None:
    """The screenshot name of a main page (``SHOTS``: an exact path, or a prefix ending in ``/``)."""
    if path in SHOTS:
        return SHOTS[path]
    for prefix, name in SHOTS.items():
        if len(prefix) > 1 and prefix.endswith("/") and path.startswith(prefix) and "/" not in path[len(prefix):]:
            return name
    return None


@pytest.mark.parametrize("username", list(ONE_PER_ROLE))
def test_no_page_is_wider_than_a_phone(site, as_user, username):
    """At 390×844 every page the role sees fits the screen (tables scroll inside their panel)."""
    pages = visits(site)[0][username]
    assert pages, f"{username} sees no page"
    role = ACCOUNTS[username][0]
    (ARTIFACTS / "width").mkdir(parents=True, exist_ok=True)
    w = as_user(username)
    w.page.set_viewport_size(PHONE)
    wide = {}
    for path in pages:
        w.page.goto(path)
        w.page.wait_for_load_state("networkidle")
        width, culprits = overflow(w.page, PHONE["width"])
        if width > PHONE["width"]:
            wide[path] = (width, culprits)
        name = shot_name(path)
        if name and role in ("admin", "leader", "officer"):
            w.screenshot(f"width/{role}-{name}-390")
    assert not wide, f"pages wider than a 390 px phone for {username}: {wide}"
    assert w.problems == [], w.problems


def test_no_page_overflows_a_desktop(site, as_user):
    """At 1440×900 and 1920×1080 nothing sticks out either (the administrator sees every page)."""
    pages = visits(site)[0]["quantri"]
    (ARTIFACTS / "width").mkdir(parents=True, exist_ok=True)
    w = as_user("quantri")
    wide = {}
    for size in DESKTOPS:
        w.page.set_viewport_size(size)
        for path in pages:
            w.page.goto(path)
            w.page.wait_for_load_state("networkidle")
            width, culprits = overflow(w.page, size["width"])
            if width > size["width"]:
                wide[(size["width"], path)] = (width, culprits)
            name = shot_name(path)
            if name:
                w.screenshot(f"width/admin-{name}-{size['width']}")
    assert not wide, f"pages wider than the screen: {wide}"
    assert w.problems == [], w.problems


def test_sign_in_fits_a_phone(anonymous):
    anonymous.page.set_viewport_size(PHONE)
    anonymous.page.goto("/login")
    width, culprits = overflow(anonymous.page, PHONE["width"])
    assert width <= PHONE["width"], culprits
