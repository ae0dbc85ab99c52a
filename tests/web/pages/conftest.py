"""Fixtures for the IOC page tests: one small Bắc Ninh site (tests/web/pages/site.py) per
session, a TestClient per role signed in with a real session."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.pages.site import ACCOUNTS, WINDOW, build_site


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    s = build_site(tmp_path_factory.mktemp("pages"))
    yield s
    s.records.close()


@pytest.fixture(scope="session")
def clients(site):
    """username → a TestClient signed in as that account (no redirects followed)."""
    out = {}
    for username in ACCOUNTS:
        c = TestClient(site.app, follow_redirects=False)
        c.cookies.set("chiso_session", site.session_cookie(username))
        out[username] = c
    yield out
    for c in out.values():
        c.close()


@pytest.fixture(scope="session")
def window():
    return WINDOW
