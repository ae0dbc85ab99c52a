"""Fixtures for the IOC page tests over the one demo site (tests/web/site.py): a TestClient
per role signed in with a real session, the week they read."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.site import ONE_PER_ROLE, WINDOW


@pytest.fixture(scope="session")
def clients(site):
    """username → a TestClient signed in as that account (no redirects followed)."""
    out = {}
    for username in ONE_PER_ROLE:
        c = TestClient(site.app, follow_redirects=False)
        c.cookies.set("chiso_session", site.session_cookie(username))
        out[username] = c
    yield out
    for c in out.values():
        c.close()


@pytest.fixture(autouse=True)
def _each_test_starts_in_vietnamese(request):
    """A test that asks for ``?lang=en`` sets the language cookie on a shared client: clear
    it after the test, so the next test reads the pages in the default language whatever the
    order the tests run in."""
    yield
    if "clients" in request.fixturenames:
        for c in request.getfixturevalue("clients").values():
            c.cookies.delete("chiso_lang")


@pytest.fixture(scope="session")
def window():
    return WINDOW
