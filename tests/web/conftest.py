"""The one demo site of the web tests (tests/web/site.py), built once per session on first use.

The page, API, browser and error tests all read it through ``site`` (and thin fixtures of
their own over it). The security tests keep their own fresh store per test, on SQLite and
PostgreSQL: they lock accounts, revoke sessions and count audit lines from nothing.
"""
from __future__ import annotations

import pytest

from tests.web.site import build_site


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    s = build_site(tmp_path_factory.mktemp("site"))
    yield s
    s.close()
