"""Each role's allowed and refused actions over /api/v1: 401 without credentials, 403 with a
message naming what is needed, and the writes that go through (audited)."""
from __future__ import annotations

import json

import pytest

from chiso.store.repo_audit import audit_entries
from tests.web.site import CATALOGUE

READS = ["/api/v1/units", "/api/v1/indicators", "/api/v1/values", "/api/v1/warnings", "/api/v1/status",
         "/api/v1/connectors", "/api/v1/submissions", "/api/v1/rank?level=province&window=2026-W34",
         "/api/v1/scores?window=2026-W34&province=24&level=province"]


@pytest.mark.parametrize("path", READS)
def test_every_read_needs_a_signed_in_principal(world, path):
    r = world.client.get(path)
    assert r.status_code == 401
    assert "Bearer" in r.json()["detail"]
    r = world.client.get(path, headers={"Authorization": "Bearer chiso_00000000_" + "x" * 43})
    assert r.status_code == 401 and "invalid" in r.json()["detail"]


@pytest.mark.parametrize("who", ["quantri", "lanhdao", "xem", "giamdoc.stc", "canbo.stc"])
def test_every_role_reads_the_province_scores(world, who):
    r = world.client.get("/api/v1/rank", params={"level": "commune", "province": "24", "window": "2026-W34"},
                         headers=world.auth(who))
    assert r.status_code == 200 and len(r.json()["units"]) == 99


def test_officers_read_their_own_units_data_only(world):
    c = world.client
    # the finance officer sees the values of the indicator their agency owns
    # (as many as the administrator sees: other tests of this package may have added one)
    mine = c.get("/api/v1/values", headers=world.auth("canbo.stc")).json()
    every = c.get("/api/v1/values", params={"indicator": "NS.CHI_NSDP"}, headers=world.auth("quantri")).json()
    assert mine["total"] == every["total"] >= 6 and {v["indicator"] for v in mine["items"]} == {"NS.CHI_NSDP"}
    # Bảo hiểm xã hội's officer owns no NS.CHI_NSDP and reads none of it
    other = c.get("/api/v1/values", headers=world.auth("canbo.bhxh")).json()
    assert other["total"] == 0
    r = c.get("/api/v1/values/history", params={"indicator": "NS.CHI_NSDP", "unit": "24"}, headers=world.auth("canbo.bhxh"))
    assert r.status_code == 403 and "24-BHXH" in r.json()["detail"]
    r = c.get("/api/v1/values/history", params={"indicator": "NS.CHI_NSDP", "unit": "24"}, headers=world.auth("canbo.stc"))
    assert r.status_code == 200 and len(r.json()["versions"]) == every["total"]
    # records behind a score: the province's leader yes, a department's officer not the province's
    params = {"unit": "24", "criterion": "ON_TIME", "window": "2026-W34"}
    assert c.get("/api/v1/explain", params=params, headers=world.auth("lanhdao")).status_code == 200
    r = c.get("/api/v1/explain", params=params, headers=world.auth("canbo.stc"))
    assert r.status_code == 403 and "head or officer of that unit" in r.json()["detail"]
    # status of another unit
    r = c.get("/api/v1/status", params={"unit": "24-BHXH"}, headers=world.auth("canbo.stc"))
    assert r.status_code == 403


def test_another_provinces_leader_is_refused_and_an_admin_is_not(world):
    c = world.client
    r = c.get("/api/v1/indicators", params={"province": "24"}, headers=world.auth("lanhdao.hn"))
    assert r.status_code == 403 and "province 01 only" in r.json()["detail"]
    assert c.get("/api/v1/indicators", params={"province": "24"}, headers=world.auth("quantri")).status_code == 200
    r = c.get("/api/v1/warnings", params={"province": "99"}, headers=world.auth("quantri"))
    assert r.status_code == 404


def test_read_only_token_cannot_write(world):
    r = world.client.post("/api/v1/indicators/XH.CHI_SO_AN_SINH/moves", headers=world.auth("quantri.doc"),
                          json={"to_state": "standardised", "comment": "thử"})
    assert r.status_code == 403 and "'read' scope" in r.json()["detail"]


def session_writer(site, username: str):
    """A client signed in as ``username`` and the CSRF header its API writes carry."""
    client = site.client(username)
    return client, {"X-CSRF-Token": client.get("/api/v1/me").json()["csrf_token"]}


def test_lifecycle_moves_by_role(world, site):
    c = world.client
    move = {"to_state": "standardised", "comment": "Chuẩn hoá thuộc tính với Bảo hiểm xã hội tỉnh"}
    # a department that does not own it, an officer of the owner: refused, naming the owner
    for who in ("giamdoc.stc", "canbo.bhxh"):
        r = c.post("/api/v1/indicators/XH.CHI_SO_AN_SINH/moves", json=move, headers=world.auth(who))
        assert r.status_code == 403, (who, r.text)
        assert "24-BHXH" in r.json()["detail"]
    # a viewer's token only reads
    r = c.post("/api/v1/indicators/XH.CHI_SO_AN_SINH/moves", json=move, headers=world.auth("xem"))
    assert r.status_code == 403 and "'read' scope" in r.json()["detail"]
    # the owner's head proposes forward
    r = c.post("/api/v1/indicators/XH.CHI_SO_AN_SINH/moves", json=move, headers=world.auth("giamdoc.bhxh"))
    assert r.status_code == 201, r.text
    assert r.json()["from_state"] == "candidate" and r.json()["by"] == "giamdoc.bhxh"
    r = c.post("/api/v1/indicators/XH.CHI_SO_AN_SINH/moves", headers=world.auth("giamdoc.bhxh"),
               json={"to_state": "unified", "comment": "Đã rà soát, thống nhất"})
    assert r.status_code == 201
    # approving needs a leader or an admin
    approve = {"to_state": "approved", "comment": "Phê duyệt theo quyết định của UBND tỉnh"}
    r = c.post("/api/v1/indicators/XH.CHI_SO_AN_SINH/moves", json=approve, headers=world.auth("giamdoc.bhxh"))
    assert r.status_code == 403 and "leader" in r.json()["detail"]
    # a leader approves signed in, as a person — a leader's token only reads (docs/security.md)
    r = c.post("/api/v1/indicators/XH.CHI_SO_AN_SINH/moves", json=approve, headers=world.auth("lanhdao"))
    assert r.status_code == 403 and "'read' scope" in r.json()["detail"]
    leader, csrf = session_writer(site, "lanhdao")
    r = leader.post("/api/v1/indicators/XH.CHI_SO_AN_SINH/moves", json=approve, headers=csrf)
    assert r.status_code == 201, r.text
    # a jump the lifecycle does not allow is refused by the lifecycle (403, nothing written)
    r = c.post("/api/v1/indicators/XH.CHI_SO_AN_SINH/moves", headers=world.auth("quantri"),
               json={"to_state": "candidate", "comment": ""})
    assert r.status_code == 422  # empty comment: refused before anything
    doc = c.get("/api/v1/indicators/XH.CHI_SO_AN_SINH", headers=world.auth("xem")).json()
    assert [t["to_state"] for t in doc["transitions"]][-3:] == ["standardised", "unified", "approved"]
    assert doc["indicator"]["status"] == "approved" and doc["indicator"]["live"] is True
    with world.database.session() as s:
        lines = audit_entries(s, action="catalogue.move")
    assert {e.actor for e in lines} >= {"giamdoc.bhxh", "lanhdao"}
    r = c.post("/api/v1/indicators/KHONG.CO/moves", json=move, headers=world.auth("quantri"))
    assert r.status_code == 404


def test_catalogue_import_is_for_administrators(world):
    catalogue = CATALOGUE.read_text(encoding="utf-8")
    files = {"file": ("danh-muc.yaml", catalogue.encode("utf-8"), "application/yaml")}
    r = world.client.post("/api/v1/catalogue/imports", files=files, headers=world.auth("giamdoc.stc"))
    assert r.status_code == 403 and "administrator" in r.json()["detail"]
    r = world.client.post("/api/v1/catalogue/imports", files=files, headers=world.auth("lanhdao"))
    assert r.status_code == 403  # a leader's token only reads
    bad = catalogue.replace("owner: 24-STC", "owner: 24-KHONGCO", 1)
    r = world.client.post("/api/v1/catalogue/imports", headers=world.auth("quantri"),
                          files={"file": ("danh-muc.yaml", bad.encode("utf-8"), "application/yaml")})
    assert r.status_code == 422, r.text
    problem = r.json()["problems"][0]
    assert problem["file"] == "danh-muc.yaml" and problem["row"] is not None and "24-KHONGCO" in json.dumps(problem)


def test_warnings_acknowledge_and_resolve_by_role(world, site):
    c = world.client
    items = c.get("/api/v1/warnings", params={"state": "open", "indicator": "NS.CHI_NSDP"},
                  headers=world.auth("lanhdao")).json()["items"]
    assert items, "the rules found the spending of July missing and earlier months late"
    w = next(i for i in items if i["responsible"] == "24-STC")
    note = {"note": "Đã giao phòng Ngân sách rà soát tiến độ giải ngân"}
    for who in ("canbo.bhxh", "xem"):
        r = c.post(f"/api/v1/warnings/{w['id']}/acknowledge", json=note, headers=world.auth(who))
        assert r.status_code == 403, who
        assert "24-STC" in r.json()["detail"] or "'read' scope" in r.json()["detail"]
    # leaders direct: they read every warning; the owning agency handles it (one rule, page and API)
    leader, csrf = session_writer(site, "lanhdao")
    r = leader.post(f"/api/v1/warnings/{w['id']}/acknowledge", json=note, headers=csrf)
    assert r.status_code == 403, r.text
    r = c.post(f"/api/v1/warnings/{w['id']}/acknowledge", json=note, headers=world.auth("canbo.stc"))
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    r = c.post(f"/api/v1/warnings/{w['id']}/acknowledge", json=note, headers=world.auth("canbo.stc"))
    assert r.status_code == 409
    r = c.post(f"/api/v1/warnings/{w['id']}/resolve", json={"note": " "}, headers=world.auth("giamdoc.stc"))
    assert r.status_code == 422  # a blank note: refused by the schema (pattern \S)
    r = c.post(f"/api/v1/warnings/{w['id']}/resolve", json={"note": "Đã xử lý"}, headers=world.auth("giamdoc.stc"))
    assert r.status_code == 200 and r.json()["state"] == "resolved"
    events = c.get(f"/api/v1/warnings/{w['id']}", headers=world.auth("quantri")).json()["events"]
    assert [(e["action"], e["by"]) for e in events][-2:] == [("acknowledge", "canbo.stc"),
                                                             ("resolve", "giamdoc.stc")]
