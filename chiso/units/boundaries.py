"""Ranh giới đơn vị (unit boundaries): a province's own GIS file of its communes, checked,
repaired and simplified before it is stored (pure: no store, no file reading).

The file is GeoJSON (a ``FeatureCollection`` in longitude/latitude, WGS 84), one feature per
commune, its code in a property (``code`` unless told otherwise). ``prepare`` takes the parsed
document — read by ``chiso.files.documents.read_document``, which refuses a file too large or
nested too deep before parsing it — and:

1. refuses it cheaply, before any geometry is built, when it holds more features or
   coordinate pairs than the limits (``CHISO_MAP_MAX_FEATURES``, ``CHISO_MAP_MAX_VERTICES``);
2. checks every feature: its code is a commune of the unit list (of the province asked for),
   given once; its geometry a Polygon or MultiPolygon in longitude/latitude;
3. repairs an invalid geometry (``shapely.make_valid``, keeping its polygons), simplifies it
   (``CHISO_MAP_SIMPLIFY`` degrees, topology kept) and rounds its coordinates (5 decimals ≈ 1 m);
4. names every problem at once — file, feature number as a person counts (1-based), property,
   reason — in one ``LoadError``: a refused file gives nothing to store;
5. lists the communes of the province(s) that have no shape in the file.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

from chiso import settings
from chiso.errors import DefinitionError, LoadError, Problem, SettingsError
from chiso.units.departments import read_yaml

DATA = Path(__file__).parent / "data"
MERGERS_PATH = DATA / "province_mergers.yaml"
PROVINCES_PATH = DATA / "provinces.geojson"

#: Decimals kept of a longitude or latitude (5 ≈ 1.1 m at the equator).
DIGITS = 5
#: Coordinate reference systems a file may name: longitude/latitude on WGS 84.
LONLAT_CRS = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326",
              "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:EPSG:6.6:4326", "CRS84")
#: Problems listed before checking stops (the report then says "at least").
MAX_PROBLEMS = 200
POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class BoundaryLimits:
    """What a boundary file may hold, and how its shapes are simplified."""

    max_features: int
    max_vertices: int
    tolerance: float  # degrees; 0 keeps every vertex

    @classmethod
    def from_settings(cls, env: dict[str, str] | None = None) -> BoundaryLimits:
        raw = settings.get("CHISO_MAP_SIMPLIFY", env)
        try:
            tolerance = float(str(raw))
        except ValueError:
            tolerance = math.nan
        if not math.isfinite(tolerance) or tolerance < 0:
            raise SettingsError(f"CHISO_MAP_SIMPLIFY must be a number of degrees ≥ 0, not {raw!r}")
        return cls(max_features=settings.whole_number("CHISO_MAP_MAX_FEATURES", env),
                   max_vertices=settings.whole_number("CHISO_MAP_MAX_VERTICES", env), tolerance=tolerance)


@dataclass(frozen=True)
class FeatureProblem(Problem):
    """One problem of one feature: ``row`` is the feature's number (1-based), ``column`` the property."""

    ROW_WORD = "đối tượng (feature)"
    COLUMN_WORD = "thuộc tính (property)"
    VALUE_WORD = "giá trị / value"


@dataclass(frozen=True)
class Shape:
    """One unit's boundary as stored: GeoJSON geometry text and its SHA-256."""

    unit_code: str
    level: str
    province_code: str
    geometry: str
    sha: str
    vertices: int
    repaired: bool


@dataclass
class Prepared:
    """A checked file: the shapes to store, and what the report says."""

    name: str
    shapes: list[Shape]
    level: str
    provinces: tuple[str, ...]
    missing: list[str] = field(default_factory=list)   # unit codes of the provinces without a shape
    repaired: list[str] = field(default_factory=list)  # unit codes whose geometry was repaired
    vertices_in: int = 0
    vertices_out: int = 0


def _problem(name: str, feature: int | None, prop: str | None, reason: str, value: Any = None) -> FeatureProblem:
    shown = None if value is None else (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    if shown is not None and len(shown) > 80:
        shown = shown[:77] + "…"
    return FeatureProblem(name, feature, prop, reason, shown)


def _refuse(problems: list[Problem], at_least: bool = False) -> LoadError:
    return LoadError(problems[:MAX_PROBLEMS], total=len(problems), at_least=at_least)


def count_vertices(coords: Any, budget: int) -> int:
    """Coordinate pairs in a GeoJSON ``coordinates`` value, counting stops past ``budget``
    (a hostile file costs no more than the limit); raises ``ValueError`` on a malformed one."""
    n, stack = 0, [coords]
    while stack:
        node = stack.pop()
        if not isinstance(node, list):
            raise ValueError("coordinates must be nested lists of numbers")
        if node and not isinstance(node[0], list):  # a position
            n += 1
            if n > budget:
                return n
            continue
        stack.extend(node)
    return n


def _polygonal(geom):
    """The polygons of a geometry (make_valid may answer a collection with lines and points)."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    polys = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon(polys) if polys else Polygon()


def clean_geometry(geom, tolerance: float, digits: int = DIGITS):
    """A valid polygonal geometry: repaired when invalid, simplified, rounded to ``digits``.
    Returns (geometry, repaired)."""
    repaired = not geom.is_valid
    if repaired:
        geom = _polygonal(shapely.make_valid(geom))
    if tolerance > 0 and not geom.is_empty:
        simpler = geom.simplify(tolerance, preserve_topology=True)
        geom = simpler if not simpler.is_empty else geom
    geom = shapely.set_precision(geom, 10 ** -digits)
    if not geom.is_valid:
        geom = _polygonal(shapely.make_valid(geom))
    return _polygonal(geom), repaired


def geometry_text(geom) -> str:
    """The GeoJSON text of a geometry, compact, with ``DIGITS`` decimals at most."""
    def trim(node):
        if isinstance(node, (list, tuple)):
            if node and isinstance(node[0], (int, float)):
                return [round(float(x), DIGITS) for x in node]
            return [trim(x) for x in node]
        return node

    m = mapping(geom)
    return json.dumps({"type": m["type"], "coordinates": trim(m["coordinates"])}, separators=(",", ":"))


def _code_of(raw: Any, tree, level: str) -> str | None:
    """The unit code a property gives: text as is, a number as digits (zero-padded to the
    level's width when that names a unit: 7210 → ``07210``)."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    code = str(raw).strip()
    if not code:
        return None
    width = 5 if level == "commune" else 2
    if code not in tree and code.isdigit() and len(code) < width and code.zfill(width) in tree:
        return code.zfill(width)
    return code


def prepare(doc: Any, *, name: str, tree, province: str | None = None, code_field: str = "code",
            level: str = "commune", limits: BoundaryLimits | None = None) -> Prepared:
    """Check, repair and simplify a parsed GeoJSON document (see the module's description);
    a ``LoadError`` naming every problem when anything is wrong."""
    limits = limits or BoundaryLimits.from_settings()
    if province is not None and (province not in tree or tree.get(province).level != "province"):
        raise _refuse([_problem(name, None, None, f"không có tỉnh mã {province!r} / no province {province!r}")])
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise _refuse([_problem(name, None, "type", "tệp phải là một GeoJSON FeatureCollection có danh sách "
                                                    "'features' / the file must be a GeoJSON FeatureCollection")])
    crs = doc.get("crs")
    if crs is not None:
        crs_name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
        if crs_name not in LONLAT_CRS:
            raise _refuse([_problem(name, None, "crs", "tọa độ phải là kinh độ/vĩ độ WGS 84 (EPSG:4326); chuyển "
                                                       "hệ tọa độ (ví dụ VN-2000) trước khi nạp / coordinates must "
                                                       "be WGS 84 longitude/latitude", crs_name or crs)])
    features = doc["features"]
    if len(features) > limits.max_features:
        raise _refuse([_problem(name, None, None, f"tệp có {len(features):,} đối tượng, quá giới hạn "
                                                  f"{limits.max_features:,} (CHISO_MAP_MAX_FEATURES) / too many "
                                                  "features")])
    # vertices first, all features together: no geometry is built from a file past the limit
    total = 0
    for i, feat in enumerate(features, start=1):
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if coords is None:
            continue
        try:
            total += count_vertices(coords, limits.max_vertices - total)
        except ValueError:
            continue  # named with the feature's other problems below
        if total > limits.max_vertices:
            raise _refuse([_problem(name, i, "geometry", f"tệp có hơn {limits.max_vertices:,} đỉnh "
                                                         "(CHISO_MAP_MAX_VERTICES) / more vertices than the limit")])
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    shapes: list[Shape] = []
    repaired: list[str] = []
    provinces: set[str] = set()
    vertices_out = 0
    for i, feat in enumerate(features, start=1):
        if len(problems) >= MAX_PROBLEMS:
            raise _refuse(problems, at_least=True)
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            problems.append(_problem(name, i, "type", "không phải một Feature / not a Feature"))
            continue
        props = feat.get("properties")
        if not isinstance(props, dict):
            problems.append(_problem(name, i, "properties", "không có thuộc tính / no properties"))
            continue
        code = None
        if code_field not in props:
            known = ", ".join(sorted(map(str, props))[:12]) or "—"
            problems.append(_problem(name, i, code_field, f"không có mã đơn vị; các thuộc tính có: {known}; chọn "
                                                          f"bằng --code-field / no unit code (properties: {known})"))
        else:
            code = _code_of(props[code_field], tree, level)
            if code is None:
                problems.append(_problem(name, i, code_field, "mã đơn vị trống / empty unit code", props[code_field]))
            elif code not in tree:
                problems.append(_problem(name, i, code_field, "mã không có trong danh sách đơn vị / not a unit code "
                                                              "of the unit list", props[code_field]))
                code = None
            else:
                unit = tree.get(code)
                if unit.level != level:
                    problems.append(_problem(name, i, code_field, f"{unit.name} là cấp {unit.level}, không phải "
                                                                  f"cấp {level} / is a {unit.level}, not a {level}",
                                             props[code_field]))
                    code = None
                elif province is not None and unit.province_code != province:
                    problems.append(_problem(name, i, code_field, f"{unit.name} thuộc tỉnh {unit.province_code}, "
                                                                  f"không thuộc tỉnh {province} / belongs to "
                                                                  f"province {unit.province_code}", props[code_field]))
                    code = None
                elif code in seen:
                    problems.append(_problem(name, i, code_field, f"mã đã có ở đối tượng {seen[code]} / given "
                                                                  f"again (feature {seen[code]})", code))
                    code = None
                else:
                    seen[code] = i
        geom_doc = feat.get("geometry")
        if not isinstance(geom_doc, dict) or geom_doc.get("type") not in POLYGONAL:
            kind = geom_doc.get("type") if isinstance(geom_doc, dict) else geom_doc
            problems.append(_problem(name, i, "geometry", "hình phải là Polygon hoặc MultiPolygon / the geometry "
                                                          "must be a Polygon or MultiPolygon", kind))
            continue
        try:
            geom = shape(geom_doc)
        except Exception as exc:  # noqa: BLE001 - shapely raises several kinds for malformed coordinates
            problems.append(_problem(name, i, "geometry", f"tọa độ không đọc được / unreadable coordinates: "
                                                          f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"))
            continue
        if geom.is_empty:
            problems.append(_problem(name, i, "geometry", "hình rỗng / empty geometry"))
            continue
        minx, miny, maxx, maxy = geom.bounds
        if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)) or minx < -180 or maxx > 180 \
                or miny < -90 or maxy > 90:
            problems.append(_problem(name, i, "geometry", "tọa độ không phải kinh độ/vĩ độ (WGS 84); chuyển hệ tọa "
                                                          "độ trước khi nạp / coordinates are not longitude/latitude",
                                     [minx, miny, maxx, maxy]))
            continue
        if code is None:
            continue
        clean, was_repaired = clean_geometry(geom, limits.tolerance)
        if clean.is_empty:
            problems.append(_problem(name, i, "geometry", "hình không sửa được (không còn vùng nào) / the geometry "
                                                          "cannot be repaired (no area left)"))
            continue
        text = geometry_text(clean)
        n = shapely.get_num_coordinates(clean)
        vertices_out += int(n)
        unit = tree.get(code)
        provinces.add(unit.province_code)
        if was_repaired:
            repaired.append(code)
        shapes.append(Shape(code, level, unit.province_code, text, hashlib.sha256(text.encode()).hexdigest(),
                            int(n), was_repaired))
    if problems:
        raise _refuse(problems)
    covered = (province,) if province is not None else tuple(sorted(provinces))
    missing = missing_units(tree, covered, level, (s.unit_code for s in shapes))
    return Prepared(name, shapes, level, covered, missing, repaired, total, vertices_out)


def missing_units(tree, provinces: Iterable[str], level: str, have: Iterable[str]) -> list[str]:
    """The units of ``level`` of the provinces with no shape among ``have``, in code order."""
    got = set(have)
    return sorted(u.code for p in provinces for u in tree.units(province=p, level=level) if u.code not in got)


# --------------------------------------------------------------------------- provinces
@dataclass(frozen=True)
class Mergers:
    """The 2025 merger list: the 63 pre-2025 provinces (code → name) and today's 34 (code → the
    pre-2025 codes merged into it)."""

    source: str
    before: dict[str, str]
    after: dict[str, tuple[str, ...]]

    def merged_into(self) -> dict[str, str]:
        """Pre-2025 code → today's code."""
        return {old: new for new, olds in self.after.items() for old in olds}


def load_mergers(path: str | Path = MERGERS_PATH, province_codes: Iterable[str] | None = None) -> Mergers:
    """The merger list, checked: every pre-2025 province merged exactly once, every code known
    (today's among ``province_codes`` when given — the unit registry's 34)."""
    data = read_yaml(path)
    where = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("before_2025"), dict) \
            or not isinstance(data.get("after_2025"), dict):
        raise DefinitionError("the merger list needs 'before_2025' and 'after_2025' mappings", path=where)
    before = {str(k): str(v) for k, v in data["before_2025"].items()}
    after: dict[str, tuple[str, ...]] = {}
    used: dict[str, str] = {}
    problems = []
    for new, olds in data["after_2025"].items():
        new = str(new)
        if not isinstance(olds, list) or not olds:
            problems.append(f"{new}: needs a list of pre-2025 province codes")
            continue
        after[new] = tuple(str(o) for o in olds)
        for old in after[new]:
            if old not in before:
                problems.append(f"{new}: {old!r} is not a pre-2025 province code")
            elif old in used:
                problems.append(f"{new}: {old} ({before[old]}) is already merged into {used[old]}")
            else:
                used[old] = new
    unused = sorted(set(before) - set(used))
    if unused:
        problems.append("pre-2025 provinces merged nowhere: " + ", ".join(f"{c} ({before[c]})" for c in unused))
    if province_codes is not None:
        known = set(province_codes)
        if set(after) != known:
            extra, lacking = sorted(set(after) - known), sorted(known - set(after))
            problems.append(f"today's provinces differ from the unit list: not in it {extra}, missing {lacking}")
    if problems:
        raise DefinitionError("the merger list is wrong: " + "; ".join(problems), path=where)
    return Mergers(str(data.get("source", "")), before, after)


@cache
def province_shapes_text(path: str = str(PROVINCES_PATH)) -> str:
    """The shipped GeoJSON of today's 34 provinces (``scripts/province_shapes.py`` writes it), as text."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError(f"cannot read the province shapes ({exc.strerror})", path=path) from exc


def province_shapes(path: str = str(PROVINCES_PATH)) -> dict:
    """The shipped GeoJSON of today's 34 provinces (a FeatureCollection: ``properties.code`` the
    official code, ``properties.name``), parsed."""
    return json.loads(province_shapes_text(path))
