"""The map shapes over the API: the shipped 34 provinces (GeoJSON, ETag, 304), a province's
imported commune shapes, a clear 404 naming the import command when it has none."""
from __future__ import annotations

import json

from chiso.units.registry import short_name
from tests.web.maps_data import WITH_SHAPES, WITHOUT_SHAPES, import_squares


def test_provinces_are_the_34_with_real_names_and_an_etag(world, site):
    c, h = world.client, world.auth("xem")
    r = c.get("/api/v1/maps/provinces", headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    doc = r.json()
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 34
    names = {f["properties"]["code"]: f["properties"]["name"] for f in doc["features"]}
    assert names == {u.code: short_name(u) for u in site.tree.units(level="province")}
    assert set(doc["features"][0]["properties"]) == {"code", "name"}
    assert len(r.content) < 150_000
    again = c.get("/api/v1/maps/provinces", headers={**h, "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert "max-age" in r.headers["cache-control"]
    raw = c.get("/api/v1/maps/provinces", headers={**h, "Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers and raw.json() == doc
    assert raw.headers["etag"] != r.headers["etag"]  # each representation its own tag


def test_shapes_are_compressed_for_a_client_that_takes_gzip(world):
    h = world.auth("xem")
    raw = world.client.get("/api/v1/maps/provinces", headers={**h, "Accept-Encoding": "identity"})
    r = world.client.get("/api/v1/maps/provinces", headers={**h, "Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and "Accept-Encoding" in r.headers["vary"]
    assert r.content == raw.content  # the client decoded it: the same GeoJSON
    assert int(r.headers["content-length"]) < len(raw.content) / 2


def test_shapes_need_a_signed_in_principal(world):
    assert world.client.get("/api/v1/maps/provinces").status_code == 401


def test_communes_without_shapes_answer_404_naming_the_command(world):
    r = world.client.get(f"/api/v1/maps/{WITHOUT_SHAPES}/communes", headers=world.auth("lanhdao"))
    assert r.status_code == 404
    assert "chiso units boundaries import" in json.dumps(r.json(), ensure_ascii=False)
    assert world.client.get("/api/v1/maps/nope/communes", headers=world.auth("lanhdao")).status_code == 404
    assert world.client.get("/api/v1/maps/24-STC/communes", headers=world.auth("lanhdao")).status_code == 404


def test_communes_with_imported_shapes(world, site, tmp_path):
    codes, _ = import_squares(site, tmp_path)
    r = world.client.get(f"/api/v1/maps/{WITH_SHAPES}/communes", headers=world.auth("xem"))
    assert r.status_code == 200
    doc = r.json()
    assert [f["properties"]["code"] for f in doc["features"]] == sorted(codes)
    first = doc["features"][0]
    assert first["properties"]["name"] == site.tree.get(first["properties"]["code"]).name
    assert first["geometry"]["type"] == "Polygon"
    assert world.client.get(f"/api/v1/maps/{WITH_SHAPES}/communes",
                            headers={**world.auth("xem"), "If-None-Match": r.headers["etag"]}).status_code == 304
