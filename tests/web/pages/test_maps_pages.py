"""The map pages: /maps (the 34 provinces by total or group, rank, legend of the bands, links
only to what the viewer may open) and /maps/{province} (communes by score or a DM indicator; a
ranked tile grid with a plain notice when the province has no commune shapes) — and
``map_context``, what other pages hand to the ``map_panel`` macro."""
from __future__ import annotations

import html
import json
import re

import pytest

from chiso.web.pages.maps import map_context
from tests.web.maps_data import WITH_SHAPES, WITHOUT_SHAPES, import_squares
from tests.web.site import ONE_PER_ROLE

NOTICE = "Chưa có ranh giới xã của tỉnh — hiển thị dạng lưới xếp hạng; nạp ranh giới bằng lệnh"


def map_json(text: str) -> dict:
    """The values a map carries (the JSON inside its [data-map] element)."""
    m = re.search(r"data-map=\"[^\"]+\"[^>]*data-map-values='([^']*)'", text, re.S)
    assert m, "no map in the page"
    return json.loads(html.unescape(m.group(1)))


@pytest.mark.parametrize("username", ONE_PER_ROLE)
def test_the_national_map_renders_for_every_role(clients, window, username):
    r = clients[username].get(f"/maps?window={window}")
    assert r.status_code == 200, r.text[:300]
    assert 'href="/maps" aria-current="page"' in r.text  # the nav entry
    data = map_json(r.text)
    assert len(data["items"]) == 34 and data["key"] == "vn-provinces"
    assert {"Bắc Ninh", "Hà Nội", "Hồ Chí Minh"} <= {re.sub(r"^Thành phố ", "", i["name"]) for i in data["items"]}
    assert 'data-map-shapes="/api/v1/maps/provinces"' in r.text


def test_ranks_values_and_links_of_the_national_map(site, clients, window):
    table = site.app.state.ctx.scores(window)
    ranked = {r["unit_code"]: r for r in table.ranking("province").to_dicts()}
    data = map_json(clients["lanhdao"].get(f"/maps?window={window}").text)
    items = {i["code"]: i for i in data["items"]}
    for code, row in ranked.items():
        assert items[code]["value"] == pytest.approx(row["total"]) and items[code]["rank"] == row["rank"]
        assert items[code]["peers"] == len(ranked)
    unscored = [i for i in data["items"] if i["code"] not in ranked]
    assert unscored and all(i["value"] is None and i["cls"] is None for i in unscored)
    assert data["items"][0]["rank"] == 1  # in rank order, unscored last
    assert items["24"]["url"] == "/units/24" and items["01"]["url"] is None  # a leader of 24 opens 24 only
    admin = map_json(clients["quantri"].get(f"/maps?window={window}").text)
    assert {i["code"]: i["url"] for i in admin["items"]}["01"] == "/units/01"


def test_the_legend_shows_the_national_bands(clients, window):
    r = clients["lanhdao"].get(f"/maps?window={window}")
    data = map_json(r.text)
    assert [p["label"].split(" (")[0] for p in data["pieces"]] == ["Xuất sắc", "Tốt", "Chưa xếp loại"]
    assert [p["cls"] for p in data["pieces"]] == [4, 3, 0]
    assert "Xuất sắc (≥ 90,00)" in r.text and "Chưa có số liệu" in r.text
    assert 'class="map-swatch map-k4"' in r.text
    for item in data["items"]:
        if item["value"] is not None:
            expected = 4 if item["value"] >= 90 else 3 if item["value"] >= 80 else 0
            assert item["cls"] == expected


def test_a_group_colours_the_map_and_ranks_by_it(site, clients, window):
    table = site.app.state.ctx.scores(window)
    group = table.definition.groups[1]
    data = map_json(clients["lanhdao"].get(f"/maps?window={window}&measure={group.code}").text)
    values = {i["code"]: i["value"] for i in data["items"] if i["value"] is not None}
    provinces = table.select(level="province").to_dicts()
    assert values == pytest.approx({r["unit_code"]: r[group.code] for r in provinces if r[group.code] is not None})
    best = max(values, key=values.get)
    assert next(i for i in data["items"] if i["code"] == best)["rank"] == 1
    assert data["pieces"][0]["max"] == pytest.approx(max(values.values()), abs=0.005)
    assert data["pieces"][-1]["min"] == pytest.approx(min(values.values()), abs=0.005)
    assert next(i for i in data["items"] if i["code"] == best)["cls"] == 4 and data["label"] == group.name


def test_an_unknown_measure_or_province_is_refused(clients, window):
    c = clients["lanhdao"]
    assert c.get(f"/maps?window={window}&measure=NOPE").status_code == 400
    assert c.get(f"/maps?window={window}&measure=dm:XH.DAN_SO").status_code == 400  # DM only per commune
    assert c.get("/maps/99").status_code == 404
    assert c.get("/maps/24-STC").status_code == 404


def test_a_province_without_commune_shapes_is_a_ranked_tile_grid(site, clients, window):
    r = clients["lanhdao"].get(f"/maps/{WITHOUT_SHAPES}?window={window}")
    assert r.status_code == 200
    assert NOTICE in r.text and "<code>chiso units boundaries import</code>" in r.text
    assert "data-map=" not in r.text  # no invented geography
    assert "xếp theo thứ hạng và tô màu theo tổng điểm" in r.text and "Di chuột" not in r.text
    tiles = re.findall(r'<li class="map-tile map-k([^"]+)">(.*?)</li>', r.text, re.S)
    communes = site.tree.units(province=WITHOUT_SHAPES, level="commune")
    assert len(tiles) == len(communes) == 99
    ranks = [int(re.search(r'map-tile-rank">(\d+)<', t).group(1)) for _, t in tiles
             if re.search(r'map-tile-rank">(\d+)<', t)]
    assert ranks == sorted(ranks) and ranks[0] == 1
    ranking = site.app.state.ctx.scores(window).ranking("commune", WITHOUT_SHAPES).to_dicts()
    first = re.search(r'map-tile-name">([^<]+)<', tiles[0][1]).group(1)
    assert html.unescape(first) == ranking[0]["name"]
    assert '<a href="/units/' in tiles[0][1]


def test_a_province_with_commune_shapes_is_a_map(site, clients, window, tmp_path):
    codes, _ = import_squares(site, tmp_path)
    r = clients["quantri"].get(f"/maps/{WITH_SHAPES}?window={window}")
    assert r.status_code == 200 and NOTICE not in r.text
    assert f'data-map-shapes="/api/v1/maps/{WITH_SHAPES}/communes"' in r.text
    data = map_json(r.text)
    assert len(data["items"]) == len(site.tree.units(province=WITH_SHAPES, level="commune"))
    assert "ha-noi-thu.geojson" in r.text  # where the boundaries came from


def test_communes_coloured_by_a_dm_indicator(site, clients, window):
    r = clients["lanhdao"].get(f"/maps/{WITHOUT_SHAPES}?window={window}")
    options = re.findall(r'<option value="(dm:[^"]+)"', r.text)
    assert options, "no per-commune DM indicator offered"
    ctx = site.app.state.ctx
    for measure in options:
        data = map_context(ctx, ctx.scores(window), "vi", kind="communes", province=WITHOUT_SHAPES, measure=measure)
        if any(i["value"] is not None for i in data["items"]):
            break
    else:
        raise AssertionError("no DM indicator offered on the commune map has a value in the site's history")
    page = clients["lanhdao"].get(f"/maps/{WITHOUT_SHAPES}?window={window}&measure={measure}")
    assert page.status_code == 200 and data["period"] and data["label"] in html.unescape(page.text)
    have = [i for i in data["items"] if i["value"] is not None]
    assert all(i["cls"] in range(5) for i in have) and have[0]["rank"] == 1


def test_map_context_for_other_pages(site, window):
    ctx = site.app.state.ctx
    table = ctx.scores(window)
    en = map_context(ctx, table, "en", kind="provinces")
    assert en["texts"]["rank"] == "Rank {rank}/{peers}" and en["pieces"][0]["label"].startswith("Excellent")
    assert all(i["url"] for i in en["items"])  # no principal: every unit a link
    communes = map_context(ctx, table, "vi", kind="communes", province=WITHOUT_SHAPES)
    assert communes["has_shapes"] is False and communes["texts"]["rank"] == "Hạng {rank}/{peers}"
    assert [p["label"].split(" (")[0] for p in communes["pieces"]] == ["Nhóm dẫn đầu", "Nhóm tốt",
                                                                      "Nhóm cần cải thiện"]


def test_english(clients, window):
    r = clients["lanhdao"].get(f"/maps?window={window}&lang=en")
    assert r.status_code == 200 and "National index map" in r.text and "Colour by" in r.text
    assert "not in the source data" in r.text


def test_the_audit_log_names_a_boundary_import_in_words(site, clients, tmp_path):
    import_squares(site, tmp_path)  # the site's shapes (idempotent): the first import wrote a line
    r = clients["quantri"].get("/admin/audit?action=shapes.import")
    assert r.status_code == 200 and "ha-noi-thu.geojson" in r.text
    assert "Nạp ranh giới xã, phường" in r.text and "Ranh giới mới" in r.text
