"""The IOC pages over a small generated Bắc Ninh site, signed in as each role.

Each page renders for each role, in Vietnamese and English with the locale's number
format; a head or officer is refused another unit's page; every /static URL a page
references is served; the HTMX partials return fragments, not whole pages.
"""
from __future__ import annotations

import re

import pytest

from tests.web.site import ACCOUNTS, ONE_PER_ROLE

ROLES = list(ONE_PER_ROLE)
NUMBER_VI = re.compile(r"\b\d{1,3},\d{2}\b")
NUMBER_EN = re.compile(r"\b\d{1,3}\.\d{2}\b")


def pages(window):
    return ["/?window=" + window, "/rankings?level=province&window=" + window,
            "/rankings?level=department&window=" + window, "/rankings?level=commune&window=" + window,
            "/wall?window=" + window]


@pytest.mark.parametrize("username", ROLES)
def test_every_page_renders_for_every_role(clients, window, username):
    c = clients[username]
    for url in pages(window):
        r = c.get(url)
        assert r.status_code == 200, (url, r.text[:500])
        assert r.text.lstrip().startswith("<!doctype html>")
        assert "Bắc Ninh" in r.text
    role, unit = ACCOUNTS[username]
    r = c.get(f"/units/{unit}?window={window}")
    assert r.status_code == 200, r.text[:500]
    assert "Điểm theo nhóm và tiêu chí" in r.text


def test_not_signed_in_is_sent_to_the_sign_in_page(site, window):
    from fastapi.testclient import TestClient

    with TestClient(site.app, follow_redirects=False) as anonymous:
        r = anonymous.get(f"/rankings?level=commune&window={window}")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=%2Frankings")


def test_overview_in_vietnamese_then_english(clients, window):
    c = clients["lanhdao"]
    r = c.get(f"/?window={window}")
    text = r.text
    assert '<html lang="vi">' in text
    for words in ("Tổng quan tỉnh", "Điểm sáu nhóm so với điểm tối đa", "Thay đổi tuần này",
                  "Dư địa cải thiện lớn nhất", "Cảnh báo đang mở", "Xếp hạng toàn quốc", "Lãnh đạo"):
        assert words in text, words
    assert NUMBER_VI.search(text) and "Hạng " in text
    assert 'data-chart=' in text
    en = c.get(f"/?window={window}&lang=en")
    assert en.cookies.get("chiso_lang") == "en" or "chiso_lang=en" in en.headers.get("set-cookie", "")
    assert '<html lang="en">' in en.text
    assert "Province overview" in en.text and "Top levers by improvement potential" in en.text
    assert NUMBER_EN.search(en.text)
    # the cookie keeps the choice on the next page, and ?lang=vi switches back
    again = c.get(f"/rankings?window={window}")
    assert '<html lang="en">' in again.text and "Rankings" in again.text
    back = c.get(f"/rankings?window={window}&lang=vi")
    assert '<html lang="vi">' in back.text and "Xếp hạng" in back.text


def test_overview_shows_the_open_warnings_and_loads_the_dm_panel(clients, window):
    c = clients["lanhdao"]
    r = c.get(f"/?window={window}")
    assert 'hx-get="/overview/dm"' in r.text
    fragment = c.get("/overview/dm", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "Chỉ số chỉ đạo, điều hành chưa đạt theo lĩnh vực" in fragment.text
    assert "Hành chính công" in fragment.text or "Kinh tế" in fragment.text


def test_commune_ranking_pages_searches_and_sorts(clients, window):
    c = clients["xem"]
    r = c.get(f"/rankings?level=commune&window={window}")
    assert r.status_code == 200
    assert "1–50 trong 99" in r.text and "Trang 1/2" in r.text
    page2 = c.get(f"/rankings?level=commune&window={window}&page=2")
    assert "51–99 trong 99" in page2.text
    # diacritic-insensitive search, as an HTMX partial of the table only
    part = c.get(f"/rankings?level=commune&window={window}&q=kinh bac",
                 headers={"HX-Request": "true", "HX-Target": "ranking-table"})
    assert part.status_code == 200
    assert "<html" not in part.text and "<table" in part.text
    assert "Phường Kinh Bắc" in part.text
    assert part.text.count("<tr") == 2  # heading + one commune
    by_name = c.get(f"/rankings?level=commune&window={window}&sort=name",
                    headers={"HX-Request": "true", "HX-Target": "ranking-table"})
    names = re.findall(r'<td><a href="/units/\d+[^"]*">([^<]+)</a>', by_name.text)
    assert names and names == sorted(names)
    assert c.get(f"/rankings?level=hamlet&window={window}").status_code == 400


def test_commune_ranking_across_the_country_and_a_bad_province(clients, window):
    c = clients["xem"]
    national = c.get(f"/rankings?level=commune&window={window}&province=all")
    assert national.status_code == 200
    communes = re.search(r"trong ([\d.]+)", national.text)
    assert communes and int(communes[1].replace(".", "")) > 99   # more than Bắc Ninh's own
    assert 'name="province" value="all"' in national.text          # search keeps the scope
    assert c.get(f"/rankings?level=commune&window={window}&province=99x").status_code == 400


def test_officer_sees_only_their_own_unit(clients, window):
    c = clients["canbo.syt"]
    assert c.get(f"/units/24-SYT?window={window}").status_code == 200
    for other in ("24-STC", "24", "01"):
        r = c.get(f"/units/{other}?window={window}")
        assert r.status_code == 403, other
        assert "chỉ được xem số liệu của đơn vị mình" in r.json()["detail"]
    assert c.get(f"/units/24-STC/records?criterion=ON_TIME&window={window}").status_code == 403
    assert c.get(f"/units/24-STC/whatif?ON_TIME=100&window={window}").status_code == 403
    # rankings are published scores: listed, but only their own unit is a link
    r = c.get(f"/rankings?level=department&window={window}")
    assert 'href="/units/24-SYT' in r.text and 'href="/units/24-STC' not in r.text
    # a leader opens any unit of the province
    assert clients["lanhdao"].get(f"/units/24-STC?window={window}").status_code == 200
    assert clients["lanhdao"].get(f"/units/nope?window={window}").status_code == 404


def test_unit_records_and_whatif_partials(clients, window):
    c = clients["quantri"]
    r = c.get(f"/units/24/records?criterion=ON_TIME&window={window}", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    assert "Hồ sơ làm mất điểm" in r.text
    assert "<table" in r.text or "Không có hồ sơ nào" in r.text
    w = c.get(f"/units/24/whatif?window={window}&ON_TIME=100&FULLY_ONLINE=100", headers={"HX-Request": "true"})
    assert w.status_code == 200 and "<html" not in w.text
    assert "Điểm sau cải thiện" in w.text and "Tăng thêm" in w.text
    assert c.get(f"/units/24/whatif?window={window}&ON_TIME=abc").status_code == 400
    assert c.get(f"/units/24/records?criterion=NOPE&window={window}").status_code == 400


def test_wall_is_dark_and_refreshes(clients, window):
    c = clients["lanhdao"]
    r = c.get(f"/wall?window={window}")
    assert 'class="theme-wall"' in r.text
    assert 'hx-trigger="every 60s"' in r.text and 'http-equiv="refresh"' in r.text
    board = c.get(f"/wall?window={window}&fragment=1", headers={"HX-Request": "true"})
    assert board.status_code == 200 and "<html" not in board.text and "Màn hình điều hành IOC" in board.text


def test_every_static_asset_referenced_is_served(clients, window):
    c = clients["lanhdao"]
    seen = set()
    for url in pages(window) + [f"/units/24?window={window}"]:
        seen |= set(re.findall(r'(?:src|href)="(/static/[^"]+)"', c.get(url).text))
    assert "/static/vendor/htmx-2.0.11/htmx.min.js" in seen
    assert "/static/vendor/echarts-6.1.0/echarts.min.js" in seen
    for url in sorted(seen):
        r = c.get(url)
        assert r.status_code == 200, url
        assert len(r.content) > 0


def test_vendored_assets_carry_their_licences():
    from pathlib import Path

    vendor = Path(__file__).parents[3] / "chiso" / "web" / "static" / "vendor"
    assert (vendor / "htmx-2.0.11" / "LICENSE.txt").read_text().startswith("Zero-Clause BSD")
    assert "Apache License" in (vendor / "echarts-6.1.0" / "LICENSE.txt").read_text()
    assert (vendor / "echarts-6.1.0" / "NOTICE.txt").exists()
    assert b"htmx" in (vendor / "htmx-2.0.11" / "htmx.min.js").read_bytes()[:2000].lower() or \
        (vendor / "htmx-2.0.11" / "htmx.min.js").stat().st_size > 40_000


def test_pages_send_the_csrf_token_and_a_sign_out_form(clients, window):
    r = clients["giamdoc.syt"].get(f"/rankings?window={window}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert token and token.group(1)
    assert f'"X-CSRF-Token": "{token.group(1)}"' in r.text
    assert 'action="/logout"' in r.text and "Thủ trưởng cơ quan" in r.text
