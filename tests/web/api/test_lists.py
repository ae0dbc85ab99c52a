"""Pagination, filtering and ETags of the list resources."""
from __future__ import annotations


def test_units_paginate_with_link_header_and_fold_diacritics(world):
    c, h = world.client, world.auth("xem")
    r = c.get("/api/v1/units", params={"province": "24", "level": "commune", "limit": 40, "offset": 40}, headers=h)
    doc = r.json()
    assert r.status_code == 200 and doc["total"] == 99 and len(doc["items"]) == 40 and doc["offset"] == 40
    links = r.headers["link"]
    assert 'rel="prev"' in links and 'rel="next"' in links and "offset=80" in links
    last = c.get("/api/v1/units", params={"province": "24", "level": "commune", "limit": 40, "offset": 80},
                 headers=h)
    assert len(last.json()["items"]) == 19 and 'rel="next"' not in last.headers["link"]
    found = c.get("/api/v1/units", params={"q": "viet yen", "province": "24"}, headers=h).json()["items"]
    assert found[0]["name"] == "Phường Việt Yên"
    children = c.get("/api/v1/units", params={"parent": "24", "level": "department", "limit": 500}, headers=h)
    assert {u["parent"] for u in children.json()["items"]} == {"24"}
    assert c.get("/api/v1/units", params={"limit": 501}, headers=h).status_code == 422
    assert c.get("/api/v1/units", params={"limit": 0}, headers=h).status_code == 422
    assert c.get("/api/v1/units/24", headers=h).json()["children"]["commune"] == 99
    assert c.get("/api/v1/units/nope", headers=h).status_code == 404


def test_filters_of_indicators_values_and_warnings(world):
    c, h = world.client, world.auth("lanhdao")
    finance = c.get("/api/v1/indicators", params={"field": "FINANCE", "limit": 500}, headers=h).json()
    assert finance["total"] == 15 and all(i["field"] == "FINANCE" for i in finance["items"])  # the sample's NS.*
    assert "NS.CHI_NSDP" in [i["code"] for i in finance["items"]]
    live = c.get("/api/v1/indicators", params={"live": True}, headers=h).json()
    assert all(i["live"] for i in live["items"]) and live["total"] >= 2
    values = c.get("/api/v1/values", params={"indicator": "NS.CHI_NSDP", "period": "2026-03"}, headers=h).json()
    assert [v["value"] for v in values["items"]] == [180.0]
    assert c.get("/api/v1/values", params={"period": "2026-W99"}, headers=h).status_code == 400
    page = c.get("/api/v1/values", params={"indicator": "NS.CHI_NSDP", "limit": 2, "offset": 2}, headers=h).json()
    assert [v["period"] for v in page["items"]] == ["2026-03", "2026-04"]
    crit = c.get("/api/v1/warnings", params={"severity": "critical", "state": "all"}, headers=h).json()
    assert all(w["severity"] == "critical" for w in crit["items"])
    economy = c.get("/api/v1/warnings", params={"field": "ECONOMY", "state": "all", "limit": 500}, headers=h).json()
    assert economy["total"] and all(w["field"] == "ECONOMY" for w in economy["items"])
    none = c.get("/api/v1/warnings", params={"field": "KHONG_CO", "state": "all"}, headers=h).json()
    assert none["total"] == 0


def test_etag_gives_304_and_changes_with_content(world):
    c, h = world.client, world.auth("lanhdao")
    params = {"level": "commune", "province": "24", "window": "2026-W34"}
    r = c.get("/api/v1/rank", params=params, headers=h)
    tag = r.headers["etag"]
    assert tag.startswith('"') and "private" in r.headers["cache-control"]
    again = c.get("/api/v1/rank", params=params, headers={**h, "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = c.get("/api/v1/rank", params={**params, "window": "2026-W33"}, headers={**h, "If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag
    units = c.get("/api/v1/units", params={"province": "24"}, headers=h)
    assert c.get("/api/v1/units", params={"province": "24"},
                 headers={**h, "If-None-Match": units.headers["etag"]}).status_code == 304


def test_series_and_levers(world):
    c, h = world.client, world.auth("xem")
    doc = c.get("/api/v1/series", params={"unit": "24", "from": "2026-07-06", "to": "2026-08-30"}, headers=h).json()
    assert [w["window"] for w in doc["weeks"]][:2] == ["2026-W28", "2026-W29"] and len(doc["weeks"]) == 8
    assert all(0 < w["total"] <= 100 for w in doc["weeks"])
    assert c.get("/api/v1/series", params={"unit": "24", "from": "2026-09-01", "to": "2026-08-01"},
                 headers=h).status_code == 400
    levers = c.get("/api/v1/levers", params={"unit": "24", "window": "2026-W34", "limit": 3}, headers=h).json()
    gains = [lv["gain_at_share"] for lv in levers["levers"]]
    assert len(gains) == 3 and gains == sorted(gains, reverse=True)
