"""The pages and the API over a definition with two versions (the shipped example
``index-766-example-2026.2.yaml``: from 1 July 2026 online services keep 6 points by their rule and
6 points are "chưa xác định"), as a deployment whose ``CHISO_INDEX_DEFINITION`` names it would
serve them: the demo site's stores (tests/web/site.py), an app built with that definition.

- a criterion not yet determined shows "Chưa xác định", never 0 points, and is no lever;
- the total is shown over the determined maximum (94, not 100);
- a week spanning 1 July 2026 says the method changed in it."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from chiso.catalog.index_definition import DEFINITIONS_DIR, load_index_definition
from chiso.web.app import create_app
from chiso.web.security.sessions import COOKIE_NAME
from tests.web.site import WINDOW

EXAMPLE = DEFINITIONS_DIR / "index-766-example-2026.2.yaml"
PENDING = "ONLINE_SERVICE_PENDING"
SPANNING = "2026-W27"  # 29/06–05/07/2026: the example's version 2026.2 starts on 01/07/2026
CHANGE = "Kỳ này có thay đổi phương pháp tính từ ngày 01/07/2026 (phiên bản 2026.2)"


@pytest.fixture(scope="module")
def leader(site):
    app = create_app(store=site.records, tree=site.tree, definition=load_index_definition(EXAMPLE),
                     database_url=site.database_url)
    c = TestClient(app, base_url="http://testserver", follow_redirects=False)
    c.cookies.set(COOKIE_NAME, site.cookie("lanhdao"))
    yield c
    c.close()


@pytest.fixture(scope="module")
def communes(leader):
    r = leader.get(f"/api/v1/scores?window={WINDOW}&province=24&level=commune")
    assert r.status_code == 200, r.text[:300]
    return r.json()


def row_of(html: str, code: str) -> str:
    rows = [r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if f">{code}</small>" in r]
    assert len(rows) == 1, code
    return rows[0]


def test_the_score_document_says_undetermined_and_the_version(communes):
    assert communes["method"]["version"] == "2026.2" and communes["method"]["message"] is None
    unit = communes["units"][0]
    pending = unit["criteria"][PENDING]
    assert pending["determined"] is False and pending["points"] is None and pending["lost"] is None
    assert unit["criteria"]["FULLY_ONLINE"]["determined"] is True and unit["criteria"]["FULLY_ONLINE"]["max"] == 6
    assert unit["max_determined"] == 94
    assert 0 <= unit["total"] <= 94


def test_the_unit_page_shows_undetermined_never_zero(leader, communes):
    code = communes["units"][0]["code"]
    r = leader.get(f"/units/{code}?window={WINDOW}")
    assert r.status_code == 200, r.text[:300]
    assert "Chưa xác định" in r.text
    pending = row_of(r.text, PENDING)
    assert "Chưa xác định" in pending and "0 / 6" not in pending and "0,00 / 6" not in pending
    assert f'name="{PENDING}"' not in r.text  # no what-if on it
    total = re.search(r'<div class="card card-big">.*?<small> / ([^<]+)</small>', r.text, flags=re.S)
    assert total and total.group(1) == "94"
    assert CHANGE not in r.text  # W34 lies wholly inside version 2026.2


def test_no_what_if_on_an_undetermined_criterion(leader, communes):
    code = communes["units"][0]["code"]
    r = leader.get(f"/units/{code}/whatif?window={WINDOW}&{PENDING}=90")
    assert r.status_code == 400 and "chưa xác định" in r.text
    levers = leader.get(f"/api/v1/levers?window={WINDOW}&unit={code}")
    assert levers.status_code == 200, levers.text[:300]
    assert PENDING not in levers.text


def test_a_week_spanning_the_change_says_so(leader, communes):
    code = communes["units"][0]["code"]
    for url in (f"/units/{code}?window={SPANNING}", f"/?window={SPANNING}",
                f"/rankings?level=commune&window={SPANNING}"):
        r = leader.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        assert CHANGE in r.text, url
    doc = leader.get(f"/api/v1/scores?window={SPANNING}&province=24&level=province").json()
    assert doc["method"]["changes"][0]["from"] == "2026-07-01" and CHANGE in doc["method"]["message"]
