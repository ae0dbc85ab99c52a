"""The agency home: what ``/`` shows a department's head or officer — the agency's 766 score and
rank among departments with the band table of its level, its indicators' status, periods
awaiting approval, its open warnings; and the band notes (which table bands which level)."""
from __future__ import annotations

from chiso.catalog.index_definition import load_index_definition
from chiso.store.repo_catalogue import live_indicators
from chiso.store.repo_values import periods_in_state
from chiso.web.pages.home import band_note_text, band_table


def test_which_band_table_applies_to_which_level():
    definition = load_index_definition()
    assert band_table(definition, "province", "24")[0] == "national"
    assert band_table(definition, "commune", "24")[0] == "province"
    assert band_table(definition, "department", "01")[0] == "national"  # a province without its own bands
    province = band_note_text(definition, "province", "24", "vi")
    commune = band_note_text(definition, "commune", "24", "vi")
    assert "thang toàn quốc" in province and "Tốt từ 80 điểm" in province
    assert "thang riêng của tỉnh" in commune and "Nhóm dẫn đầu trên 94 điểm" in commune \
        and "Nhóm cần cải thiện còn lại" in commune
    english = band_note_text(definition, "commune", "24", "en")
    assert "province's own scale" in english and "Top group above 94 points" in english
    assert "Nhóm" not in english


def test_the_head_sees_the_agency_home(site):
    r = site.client("giamdoc.syt").get("/")
    assert r.status_code == 200, r.text
    assert r.template.name == "home_agency.html"
    ctx = r.context
    me = ctx["score"]["me"]
    assert me["unit_code"] == "24-SYT" and me["level"] == "department"
    assert 1 <= me["rank"] <= me["peers"] == ctx["score"]["peers"]
    html = r.text
    assert "Trang của Sở Y tế" in html
    assert f"Hạng {me['rank']}/{me['peers']} sở, ban, ngành" in html
    assert "thang riêng của tỉnh" in html  # the band table of departments
    with site.db.session() as s:
        owned = {c for c, i in live_indicators(s, "24").items() if i.owner == "24-SYT"}
        waiting = periods_in_state(s, "submitted", owners=["24-SYT"])[1]
    rows = ctx["indicators"]["rows"]
    assert {r["indicator"] for r in rows} == owned and owned
    assert sum(n for _, n in ctx["indicators"]["counts"]) == len(owned)
    order = [r["status"] for r in rows]
    assert order.index("off_track") < order.index("on_track") if {"off_track", "on_track"} <= set(order) else True
    assert ctx["pending"]["total"] == waiting
    assert 'href="/inbox"' in html and 'href="/warnings?unit=24-SYT&amp;state=open"' in html
    assert 'href="/?view=province"' in html


def test_the_officer_sees_it_too_and_the_province_on_request(site):
    officer = site.client("canbo.syt")
    r = officer.get("/")
    assert r.status_code == 200 and "Trang của Sở Y tế" in r.text and 'href="/desk"' in r.text
    province = officer.get("/?view=province")
    assert province.status_code == 200 and "Trang của Sở Y tế" not in province.text
    assert "Tổng quan tỉnh" in province.text


def test_leaders_and_viewers_keep_the_province_overview(site):
    for user in ("lanhdao", "xem", "quantri"):
        r = site.client(user).get("/")
        assert r.status_code == 200 and "Trang của" not in r.text, user


def test_english_agency_home(site):
    html = site.client("giamdoc.syt").get("/?lang=en").text
    assert "agency home" in html and "departments" in html and "own scale" in html
    for vietnamese in ("Trang của", "Hạng ", "Chờ thủ trưởng duyệt", "Xem tổng quan"):
        assert vietnamese not in html


def test_every_band_says_which_table_applies(site):
    c = site.client("lanhdao")
    overview = c.get("/").text
    assert "Xếp loại của cấp tỉnh theo thang toàn quốc" in overview
    communes = c.get("/rankings", params={"level": "commune"}).text
    assert "Xếp loại của xã, phường theo thang riêng của tỉnh" in communes
    provinces = c.get("/rankings", params={"level": "province"}).text
    assert "Xếp loại của cấp tỉnh theo thang toàn quốc" in provinces
    unit = c.get("/units/24-SYT").text
    assert "Xếp loại của sở, ban, ngành theo thang riêng của tỉnh" in unit
