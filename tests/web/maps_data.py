"""Commune shapes for the map tests: synthetic squares (test data, not geography) for the
communes of Hà Nội (01) in the one demo site, imported through the real import path.
Bắc Ninh (24) keeps no shapes, so its communes map is the ranked tile grid."""
from __future__ import annotations

import json

from chiso.store.repo_shapes import import_file
from chiso.units.boundaries import BoundaryLimits

WITH_SHAPES = "01"
WITHOUT_SHAPES = "24"


def import_squares(site, tmp_path, count: int = 12):
    """Import ``count`` squares for the first communes of Hà Nội; the site's caches forget what
    they knew of its shapes. Idempotent."""
    codes = [u.code for u in site.tree.units(province=WITH_SHAPES, level="commune")][:count]
    path = tmp_path / "ha-noi-thu.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": c},
         "geometry": {"type": "Polygon", "coordinates": [[[105.7 + (i % 4) * 0.05, 21 + (i // 4) * 0.05],
                                                           [105.75 + (i % 4) * 0.05, 21 + (i // 4) * 0.05],
                                                           [105.75 + (i % 4) * 0.05, 21.05 + (i // 4) * 0.05],
                                                           [105.7 + (i % 4) * 0.05, 21.05 + (i // 4) * 0.05],
                                                           [105.7 + (i % 4) * 0.05, 21 + (i // 4) * 0.05]]]}}
        for i, c in enumerate(codes)]}), encoding="utf-8")
    with site.db.session() as s:
        result = import_file(s, path, tree=site.tree, province=WITH_SHAPES, actor="test",
                             limits=BoundaryLimits(1000, 100_000, 0.0001))
    ctx = site.app.state.ctx
    for prefix in ("maps_has_shapes", "maps_communes"):
        ctx.forget_short(prefix)
    return codes, result
