"""The error pages (chiso.web.pages.errors) without a browser: HTML for a browser's page
request, JSON for the API and for clients that do not ask for HTML, redirects untouched."""
from __future__ import annotations

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from chiso.web.context import WebContext
from chiso.web.pages.errors import install_error_pages

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
MESSAGE = "Không đủ quyền: tài khoản 'canbo' chỉ được xem số liệu của đơn vị mình / forbidden"


@pytest.fixture(scope="module")
def client():
    from chiso.units import load_units
    from chiso.web.pages.render import mount_static

    app = FastAPI()
    app.state.ctx = WebContext(records=None, tree=load_units(["24"]), definition=None, database_url=None)
    install_error_pages(app)
    install_error_pages(app)  # idempotent
    mount_static(app)

    @app.get("/units/{code}")
    def unit(code: str):
        raise HTTPException(403, MESSAGE)

    @app.get("/api/v1/units/{code}")
    def api_unit(code: str):
        raise HTTPException(403, MESSAGE)

    @app.get("/private")
    def private():
        raise HTTPException(303, "Cần đăng nhập", headers={"Location": "/login?next=%2Fprivate"})

    with TestClient(app, follow_redirects=False) as c:
        yield c


def test_a_browser_gets_the_html_page_with_the_message(client):
    r = client.get("/units/24-STC", headers=HTML)
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert r.text.lstrip().startswith("<!doctype html>")
    assert "Không đủ quyền" in r.text and "chỉ được xem số liệu của đơn vị mình" in r.text
    assert 'data-status="403"' in r.text


def test_htmx_gets_a_fragment(client):
    r = client.get("/units/24-STC", headers={"HX-Request": "true"})
    assert r.status_code == 403 and "<!doctype html>" not in r.text and 'class="error-page"' in r.text


def test_the_api_and_non_html_clients_keep_json(client):
    for path, headers in (("/api/v1/units/24-STC", HTML), ("/units/24-STC", {"Accept": "application/json"})):
        r = client.get(path, headers=headers)
        assert r.status_code == 403 and r.json() == {"detail": MESSAGE}, path


def test_a_redirect_raised_as_an_exception_is_untouched(client):
    r = client.get("/private", headers=HTML)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fprivate"
