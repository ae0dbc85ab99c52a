"""Commune boundaries checked before they are stored (chiso.units.boundaries): every problem named
at once (file, feature as people count it, property, reason), invalid shapes repaired, shapes
simplified and rounded, hostile files refused before any geometry is built; and the 2025 merger
list checked on load. The test data are small synthetic squares made here — not real geography."""
from __future__ import annotations

import json

import pytest
from shapely.geometry import shape

from chiso.errors import DefinitionError, LoadError, SettingsError
from chiso.units import load_units
from chiso.units.boundaries import BoundaryLimits, count_vertices, load_mergers, missing_units, prepare

TREE = load_units()
PROVINCE = "24"
COMMUNES = [u.code for u in TREE.units(province=PROVINCE, level="commune")]
LIMITS = BoundaryLimits(max_features=1000, max_vertices=100_000, tolerance=0.0001)


def square(x: float, y: float, size: float = 0.01, points_per_side: int = 1) -> dict:
    """A synthetic square (longitude, latitude), with extra points on its sides when asked."""
    ring = []
    corners = [(x, y), (x + size, y), (x + size, y + size), (x, y + size)]
    for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1]):
        for k in range(points_per_side):
            ring.append([ax + (bx - ax) * k / points_per_side, ay + (by - ay) * k / points_per_side])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code, geometry, prop: str = "code", **extra) -> dict:
    return {"type": "Feature", "properties": {prop: code, **extra}, "geometry": geometry}


def collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def test_good_squares_are_kept_and_the_communes_without_a_shape_are_listed():
    doc = collection(*(feature(c, square(106 + i * 0.02, 21)) for i, c in enumerate(COMMUNES[:3])))
    got = prepare(doc, name="xa.geojson", tree=TREE, province=PROVINCE, limits=LIMITS)
    assert [s.unit_code for s in got.shapes] == COMMUNES[:3]
    assert all(s.level == "commune" and s.province_code == PROVINCE for s in got.shapes)
    assert got.missing == sorted(COMMUNES[3:]) and len(got.missing) == len(COMMUNES) - 3
    assert got.repaired == []
    geom = json.loads(got.shapes[0].geometry)
    assert geom["type"] == "Polygon" and shape(geom).is_valid
    assert shape(geom).area == pytest.approx(0.0001, rel=1e-3)


def test_every_problem_is_named_with_feature_number_and_property_and_nothing_is_kept():
    department = next(u.code for u in TREE.units(province=PROVINCE, level="department"))
    other_province = TREE.units(province="01", level="commune")[0].code
    doc = collection(
        feature(COMMUNES[0], square(106, 21)),                      # 1: fine
        feature("99999", square(106.1, 21)),                        # 2: unknown code
        feature(department, square(106.2, 21)),                     # 3: a department
        feature(other_province, square(106.3, 21)),                 # 4: another province's commune
        feature(COMMUNES[0], square(106.4, 21)),                    # 5: given twice
        feature(COMMUNES[1], square(106.5, 21), prop="ma_xa"),      # 6: no "code" property
        feature(COMMUNES[2], {"type": "Point", "coordinates": [106, 21]}),   # 7: not a polygon
        feature(COMMUNES[3], square(580000, 2300000, size=100)),    # 8: metres (VN-2000), not degrees
    )
    with pytest.raises(LoadError) as caught:
        prepare(doc, name="xa.geojson", tree=TREE, province=PROVINCE, limits=LIMITS)
    problems = caught.value.problems
    by_feature = {p.row: p for p in problems}
    assert sorted(by_feature) == [2, 3, 4, 5, 6, 7, 8], [str(p) for p in problems]
    assert all(p.file == "xa.geojson" for p in problems)
    assert by_feature[2].column == "code" and "không có trong danh sách đơn vị" in by_feature[2].reason
    assert by_feature[3].column == "code" and "không phải cấp commune" in by_feature[3].reason
    assert by_feature[4].column == "code" and "thuộc tỉnh 01" in by_feature[4].reason
    assert by_feature[5].column == "code" and "đối tượng 1" in by_feature[5].reason
    assert by_feature[6].column == "code" and "ma_xa" in by_feature[6].reason   # names the properties it has
    assert by_feature[7].column == "geometry" and by_feature[7].value == "Point"
    assert by_feature[8].column == "geometry" and "kinh độ/vĩ độ" in by_feature[8].reason
    text = str(caught.value)
    assert "xa.geojson, đối tượng (feature) 2, thuộc tính (property) 'code'" in text
    assert "nothing was loaded" in text


def test_code_field_numbers_and_zero_padding():
    number = int(COMMUNES[0])  # "07210" read as 7210 by a GIS program
    doc = collection(feature(number, square(106, 21), prop="MA_XA"))
    got = prepare(doc, name="so.geojson", tree=TREE, province=PROVINCE, code_field="MA_XA", limits=LIMITS)
    assert [s.unit_code for s in got.shapes] == [COMMUNES[0]]


def test_an_invalid_shape_is_repaired():
    bowtie = {"type": "Polygon", "coordinates": [[[106, 21], [106.01, 21.01], [106.01, 21], [106, 21.01], [106, 21]]]}
    assert not shape(bowtie).is_valid
    got = prepare(collection(feature(COMMUNES[0], bowtie)), name="x.geojson", tree=TREE, province=PROVINCE,
                  limits=LIMITS)
    assert got.repaired == [COMMUNES[0]]
    fixed = shape(json.loads(got.shapes[0].geometry))
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon" and fixed.area == pytest.approx(0.00005, rel=1e-2)


def test_shapes_are_simplified_and_rounded():
    dense = square(106.123456789, 21.987654321, points_per_side=50)  # 201 points, 5 of them corners
    got = prepare(collection(feature(COMMUNES[0], dense)), name="x.geojson", tree=TREE, province=PROVINCE,
                  limits=LIMITS)
    s = got.shapes[0]
    assert got.vertices_in == 201 and s.vertices == 5 == got.vertices_out
    coords = json.loads(s.geometry)["coordinates"][0]
    assert all(len(str(v).split(".")[-1]) <= 5 for pt in coords for v in pt)
    keep_all = BoundaryLimits(max_features=10, max_vertices=1000, tolerance=0)
    assert prepare(collection(feature(COMMUNES[0], dense)), name="x", tree=TREE, province=PROVINCE,
                   limits=keep_all).shapes[0].vertices == 201


def test_the_same_file_gives_the_same_shapes_and_hashes():
    doc = collection(*(feature(c, square(106 + i * 0.02, 21, points_per_side=7)) for i, c in enumerate(COMMUNES[:4])))
    a = prepare(doc, name="x", tree=TREE, province=PROVINCE, limits=LIMITS)
    b = prepare(json.loads(json.dumps(doc)), name="x", tree=TREE, province=PROVINCE, limits=LIMITS)
    assert [(s.unit_code, s.sha, s.geometry) for s in a.shapes] == [(s.unit_code, s.sha, s.geometry) for s in b.shapes]


def test_too_many_features_or_vertices_are_refused_before_any_geometry():
    doc = collection(*(feature(c, square(106 + i * 0.02, 21)) for i, c in enumerate(COMMUNES[:5])))
    with pytest.raises(LoadError) as caught:
        prepare(doc, name="many.geojson", tree=TREE, limits=BoundaryLimits(4, 1000, 0))
    assert len(caught.value.problems) == 1 and "CHISO_MAP_MAX_FEATURES" in caught.value.problems[0].reason
    with pytest.raises(LoadError) as caught:
        prepare(doc, name="dense.geojson", tree=TREE, limits=BoundaryLimits(100, 20, 0))
    assert len(caught.value.problems) == 1 and "CHISO_MAP_MAX_VERTICES" in caught.value.problems[0].reason
    assert caught.value.problems[0].row == 5  # four squares of 5 points make 20: the 5th passes the limit
    # counting stops at the budget: a huge ring costs no more than the limit
    assert count_vertices([[[0, 0]] * 1_000_000], 10) == 11


def test_not_a_feature_collection_and_a_projected_crs_are_refused():
    with pytest.raises(LoadError, match="FeatureCollection"):
        prepare({"type": "Feature"}, name="x", tree=TREE, limits=LIMITS)
    doc = collection(feature(COMMUNES[0], square(106, 21)))
    doc["crs"] = {"type": "name", "properties": {"name": "EPSG:3405"}}
    with pytest.raises(LoadError, match="WGS 84"):
        prepare(doc, name="x", tree=TREE, limits=LIMITS)
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    assert len(prepare(doc, name="x", tree=TREE, limits=LIMITS).shapes) == 1


def test_without_province_the_provinces_of_the_features_are_covered():
    hn = TREE.units(province="01", level="commune")[0].code
    got = prepare(collection(feature(COMMUNES[0], square(106, 21)), feature(hn, square(105, 21))), name="x",
                  tree=TREE, limits=LIMITS)
    assert got.provinces == ("01", "24")
    assert missing_units(TREE, ("24",), "commune", [COMMUNES[0]]) == sorted(COMMUNES[1:])


def test_limits_come_from_the_settings():
    env = {"CHISO_MAP_MAX_FEATURES": "7", "CHISO_MAP_MAX_VERTICES": "70", "CHISO_MAP_SIMPLIFY": "0.5"}
    assert BoundaryLimits.from_settings(env) == BoundaryLimits(7, 70, 0.5)
    with pytest.raises(SettingsError, match="CHISO_MAP_SIMPLIFY"):
        BoundaryLimits.from_settings({"CHISO_MAP_SIMPLIFY": "-1"})


def test_the_merger_list_is_checked_on_load(tmp_path):
    codes = [u.code for u in TREE.units(level="province")]
    good = load_mergers(province_codes=codes)
    assert len(good.before) == 63 and len(good.after) == 34
    assert good.merged_into()["27"] == "24" and good.merged_into()["24"] == "24"  # Bắc Ninh + Bắc Giang
    bad = tmp_path / "mergers.yaml"
    bad.write_text('before_2025: {"01": Hà Nội, "02": Hà Giang, "04": Cao Bằng}\n'
                   'after_2025: {"01": ["01", "02"], "08": ["02"], "77": ["05"]}\n', encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_mergers(bad, province_codes=["01", "08"])
    text = str(caught.value)
    assert "02 (Hà Giang) is already merged into 01" in text
    assert "'05' is not a pre-2025 province code" in text
    assert "merged nowhere: 04 (Cao Bằng)" in text
    assert "not in it ['77']" in text
