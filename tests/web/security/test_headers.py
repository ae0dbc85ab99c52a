"""Security headers on every answer (chiso.web.security.headers): the Content-Security-Policy
and its companions on pages, API answers, static files, errors, redirects, the answers the
hot path gives from its cache and a 500; no inline script, style or handler in any page; the
bulletin's and the API documentation's own policies."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient

from chiso.web.security.headers import BULLETIN_POLICY, POLICY, SecurityHeaders, policy_for
from tests.web.site import OWN_INDICATOR

TEMPLATES = Path(__file__).parents[3] / "chiso" / "web" / "templates"
STRICT = {"default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
          "object-src": "'none'", "base-uri": "'self'", "form-action": "'self'", "frame-ancestors": "'none'"}
COMPANIONS = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin", "x-frame-options": "DENY"}


def directives(policy: str) -> dict[str, str]:
    return {d.split()[0]: " ".join(d.split()[1:]) for d in (p.strip() for p in policy.split(";")) if d}


def assert_secured(response, policy: str = POLICY) -> None:
    for name, value in COMPANIONS.items():
        assert response.headers.get(name) == value, (response.request.url, name, response.headers.get(name))
    assert response.headers.get("content-security-policy") == policy, response.request.url
    assert len(response.headers.get_list("content-security-policy")) == 1


def test_the_default_policy_allows_no_inline_code():
    found = directives(POLICY)
    for name, value in STRICT.items():
        assert found[name] == value, name
    assert "unsafe" not in POLICY and "*" not in POLICY and "http" not in POLICY
    bulletin = directives(BULLETIN_POLICY)
    assert bulletin["style-src"] == "'self' 'unsafe-inline'"
    assert {k: v for k, v in bulletin.items() if k != "style-src"} == {k: v for k, v in found.items()
                                                                       if k != "style-src"}
    assert policy_for("/") == policy_for("/api/v1/units") == policy_for("/static/chiso.css") == POLICY
    assert policy_for("/reports/24") == policy_for("/api/v1/reports/24") == BULLETIN_POLICY
    assert policy_for("/api/v1/docs") == POLICY
    assert policy_for("/redoc") == POLICY  # not served
    assert policy_for("/api/v1/docsx") == policy_for("/reports") == POLICY


@pytest.fixture(scope="module")
def web(site):
    with TestClient(site.app, follow_redirects=False) as c:
        yield c


def signed_in(site, username: str) -> TestClient:
    c = TestClient(site.app, follow_redirects=False)
    c.cookies.set("chiso_session", site.session_cookie(username))
    return c


def test_every_kind_of_answer_carries_the_headers(site, web):
    admin = signed_in(site, "quantri")
    cases = [
        web.get("/login"),                                                    # page, anonymous
        web.get("/"),                                                         # redirect to sign in
        web.get("/api/v1/units"),                                             # 401 JSON
        web.get("/static/chiso.css"),                                         # static file
        web.get("/api/v1/openapi.json"),                                      # the schema
        web.get("/api/v1/me", headers=site.auth("quantri")),                  # JSON with a token
        web.get("/api/v1/units?province=24&limit=1", headers=site.auth("xem")),  # with an ETag …
        admin.get("/"),                                                       # page, signed in
        admin.get("/khong-co-trang-nay"),                                     # 404 page
        admin.post("/warnings/1/acknowledge", data={"note": "x"}),            # 403: no CSRF token
        web.get("/api/v1/units/KHONGCO", headers=site.auth("quantri")),       # 404 JSON
    ]
    etag = cases[6].headers["etag"]
    cases.append(web.get("/api/v1/units?province=24&limit=1", headers={**site.auth("xem"),
                                                                        "If-None-Match": etag}))
    statuses = [r.status_code for r in cases]
    assert statuses == [200, 303, 401, 200, 200, 200, 200, 200, 404, 403, 404, 304], statuses
    for r in cases:
        assert_secured(r)


def test_answers_from_the_hot_path_carry_them_too(site):
    """``HotAnswers`` answers a repeated GET of a session before routing: still secured."""
    ctx = site.app.state.ctx
    c = signed_in(site, "lanhdao")
    url = f"/rankings?level=commune&window={site.window}&sort=name"
    first = c.get(url)
    assert first.status_code == 200
    hits = ctx.hot.hits
    again = c.get(url)
    assert ctx.hot.hits == hits + 1, "the second answer came from the hot path"
    assert again.content == first.content
    assert_secured(again)  # once: the cache keeps the application's headers, not the middleware's
    hits = ctx.hot.hits
    not_modified = c.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304 and ctx.hot.hits == hits + 1
    assert_secured(not_modified)


def _warning_id(site, web) -> int:
    r = web.get("/api/v1/warnings", params={"province": "24", "state": "all", "limit": 1},
                headers=site.auth("quantri"))
    return r.json()["items"][0]["id"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def inline_code(html: str) -> list[str]:
    found = [m.group(0) for m in INLINE_SCRIPT.finditer(html)]
    found += [m.group(0)[:120] for m in STYLE_ATTRIBUTE.finditer(html)]
    found += [m.group(0)[:120] for m in HANDLER.finditer(html)]
    found += [m.group(0) for m in JS_URL.finditer(html)]
    if re.search(r"<style\b", html, re.I):
        found.append("<style>")
    return found


def test_no_page_has_inline_script_style_or_handler(site, web):
    """What the policy would refuse, looked for in every page each kind of account sees."""
    warning = _warning_id(site, web)
    pages = ["/", "/rankings?level=commune", "/rankings?level=department", "/units/24", "/units/24-SYT",
             "/indicators", f"/indicators/{OWN_INDICATOR}", "/warnings", f"/warnings/{warning}",
             "/submissions", "/workflow", "/wall", "/wall?fragment=1", "/overview/dm", "/admin/audit",
             "/khong-co-trang-nay", "/units/24-SCT"]
    checked = 0
    for username in ("quantri", "canbo.syt"):
        c = signed_in(site, username)
        for path in pages:
            r = c.get(path)
            if r.status_code >= 300 or not r.headers["content-type"].startswith("text/html"):
                assert r.status_code in (403, 404), (username, path, r.status_code)  # error pages are pages too
            assert inline_code(r.text) == [], (username, path, inline_code(r.text))
            checked += 1
    login = web.get("/login")
    assert inline_code(login.text) == []
    assert checked == 2 * len(pages)


def test_the_checks_above_would_see_inline_code():
    assert inline_code('<div class="x" style="width: 1px">') and inline_code("<SCRIPT>alert(1)</script>")
    assert inline_code('<select name="a" onchange="this.form.submit()">') and inline_code("<style>p{}</style>")
    assert inline_code('<a href="javascript:alert(1)">')
    assert not inline_code('<script src="/static/chiso.js" defer></script><a href="/x" data-on="y">on=</a>')


def test_templates_hold_no_inline_code():
    for path in sorted(TEMPLATES.glob("*.html")):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)  # comments say why
        assert inline_code(text) == [], (path.name, inline_code(text))


def test_the_bulletin_is_its_own_document_with_inline_styles(site):
    c = signed_in(site, "quantri")
    page = c.get("/reports/24")
    assert page.status_code == 200 and "<style>" in page.text
    assert_secured(page, BULLETIN_POLICY)
    assert not INLINE_SCRIPT.search(page.text) and not HANDLER.search(page.text)  # styles only, no code


def test_the_api_documentation_is_served_from_this_site_under_the_ordinary_policy(web):
    """Swagger UI vendored (chiso.web.api_docs): every script and stylesheet the page names is
    this site's, there is no inline script, and the policy is the ordinary one. ReDoc is not
    served."""
    assert web.get("/redoc").status_code == 404
    r = web.get("/api/v1/docs")
    assert r.status_code == 200
    assert_secured(r, POLICY)
    assert not INLINE_SCRIPT.search(r.text) and not HANDLER.search(r.text)
    named = (re.findall(r'<script[^>]*\ssrc="([^"]+)"', r.text)
             + re.findall(r'<link[^>]*href="([^"]+)"', r.text))
    assert len(named) >= 4 and all(url.startswith("/static/") for url in named), named
    for url in named:
        assert web.get(url).status_code == 200, url

def test_a_failure_is_answered_with_the_headers_and_a_set_header_is_kept():
    app = FastAPI()

    @app.get("/boom")
    def boom():
        raise RuntimeError("broken on purpose")

    @app.get("/own")
    def own():
        return Response("x", headers={"Content-Security-Policy": "default-src 'none'",
                                      "Referrer-Policy": "no-referrer"})

    app.add_middleware(SecurityHeaders)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
        assert r.status_code == 500 and r.text == "Internal Server Error"
        assert_secured(r)
        own = c.get("/own")
        assert own.headers["content-security-policy"] == "default-src 'none'"
        assert own.headers["referrer-policy"] == "no-referrer"
        assert own.headers["x-content-type-options"] == "nosniff" and own.headers["x-frame-options"] == "DENY"
    with TestClient(app) as c, pytest.raises(RuntimeError, match="broken on purpose"):
        c.get("/boom")  # the failure still goes on to be logged
