"""``GET /api/v1/reconcile``: the reconciliation page's rows as JSON, for the same principal."""
from __future__ import annotations

import dataclasses

import pytest

from chiso.evaluate.reconcile import reconcile
from tests.web.reconcile_data import figures, publish


@pytest.fixture(scope="module")
def published(site):
    return publish(site)


def test_the_rows_are_the_reconciliations(world, site, published):
    r = world.client.get(f"/api/v1/reconcile?window={site.window}", headers=world.auth("lanhdao"))
    assert r.status_code == 200, r.text
    doc = r.json()
    assert (doc["window"], doc["province"], doc["tolerance"], doc["published"]) == (site.window, "24", 0.01, True)
    table = site.app.state.ctx.scores(site.window)
    expected = reconcile(table, [dataclasses.asdict(f) for f in figures(table)], tolerance=0.01)
    assert [(x["unit_code"], x["item"], x["difference"], x["within"], x["reason"]) for x in doc["rows"]] == [
        (x["unit_code"], x["item"], x["difference"], x["within"], x["reason"]) for x in expected]
    assert doc["summary"] == {"rows": 6, "within": 1, "beyond": 5, "not_compared": 0}
    first = doc["rows"][0]
    assert first["item_name"] == "Tổng điểm" and first["url"] == f"/units/24?window={site.window}"
    assert first["fetched_at"].endswith("+00:00")


def test_filters_language_and_who_reads_what(world, site, published):
    c, w = world.client, site.window
    beyond = c.get(f"/api/v1/reconcile?window={w}&beyond=true", headers=world.auth("xem")).json()
    assert len(beyond["rows"]) == 5 and all(r["within"] is False for r in beyond["rows"])
    en = c.get(f"/api/v1/reconcile?window={w}&level=province&lang=en", headers=world.auth("lanhdao")).json()
    assert {r["unit_code"] for r in en["rows"]} == {"24"}
    assert any("on the portal that chiso has not received" in (r["reason_text"] or "") for r in en["rows"])
    own = c.get(f"/api/v1/reconcile?window={w}", headers=world.auth("canbo.syt")).json()
    assert {r["unit_code"] for r in own["rows"]} == {"24-SYT"} and own["connectors"] == []
    assert c.get(f"/api/v1/reconcile?window={w}&level=nation", headers=world.auth("lanhdao")).status_code == 422
    assert c.get(f"/api/v1/reconcile?window={w}").status_code == 401
