"""Map shapes as GeoJSON (bản đồ): the 34 provinces, and a province's communes.

- ``GET /api/v1/maps/provinces`` — today's 34 provinces (``properties.code``: the official
  code, ``properties.name``), the file chiso ships (``chiso/units/data/provinces.geojson``,
  Natural Earth shapes dissolved by the 2025 merger list: docs/maps.md).
- ``GET /api/v1/maps/{province}/communes`` — the commune shapes the province imported
  (``chiso units boundaries import``); 404 naming that command when there are none.

Shapes are public administrative geography: any signed-in principal reads them. Answers carry
a strong ``ETag`` (304 when the client has them) and may be reused for a while: they change
only when a file is imported.
"""
from __future__ import annotations

import gzip
import json

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response

from chiso.store import repo_shapes
from chiso.units.boundaries import province_shapes_text
from chiso.web.api.access import Principal, WebContext, signed_in, web_context
from chiso.web.api.etag import LONG, etag_of
from chiso.web.errors import CODE, NOT_MODIFIED

router = APIRouter(prefix="/api/v1/maps", tags=["maps"])

GEOJSON = "application/geo+json"


class GeoJSONResponse(Response):
    """A GeoJSON answer (RFC 7946's media type)."""

    media_type = GEOJSON


#: What the schema says of a shapes answer: a GeoJSON FeatureCollection whose features carry the
#: unit's code and name (errors stay JSON, as every route's).
FEATURE_COLLECTION = {
    "type": "object", "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": {
            "type": "object", "required": ["type", "properties", "geometry"],
            "properties": {"type": {"const": "Feature"},
                           "properties": {"type": "object", "required": ["code", "name"],
                                          "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
                           "geometry": {"type": "object", "required": ["type", "coordinates"]}}}}}}
SHAPES = {200: {"description": "GeoJSON FeatureCollection", "content": {GEOJSON: {"schema": FEATURE_COLLECTION}}},
          **NOT_MODIFIED}


#: Compressed answers by the tag of their body (shapes change only on import: a few at a time).
_GZIPPED: dict[str, bytes] = {}
_GZIPPED_MAX = 64


def _gzipped(tag: str, body: bytes) -> bytes:
    hit = _GZIPPED.get(tag)
    if hit is None:
        if len(_GZIPPED) >= _GZIPPED_MAX:
            _GZIPPED.pop(next(iter(_GZIPPED)))
        hit = _GZIPPED[tag] = gzip.compress(body, compresslevel=6, mtime=0)
    return hit


def _answer(request: Request, body: bytes, max_age: int = LONG) -> Response:
    """GeoJSON bytes with ``ETag`` and ``Cache-Control``, gzip-compressed when the client takes it
    (shapes compress to a third: a phone on a slow network); 304 when the client has them already."""
    tag = etag_of(body)
    packed = "gzip" in request.headers.get("accept-encoding", "").lower()
    if packed:
        tag = tag[:-1] + '-gzip"'  # another representation, another strong tag
    headers = {"ETag": tag, "Cache-Control": f"private, max-age={max_age}",
               "Vary": "Authorization, Cookie, Accept-Encoding"}
    wanted = request.headers.get("if-none-match")
    if wanted and (wanted.strip() == "*" or tag in [t.strip() for t in wanted.split(",")]):
        return Response(status_code=304, headers=headers)
    if packed:
        return GeoJSONResponse(_gzipped(tag, body), headers={**headers, "Content-Encoding": "gzip"})
    return GeoJSONResponse(body, headers=headers)


_PROVINCES: dict[str, bytes] = {}


def provinces_body() -> bytes:
    """The shipped provinces' GeoJSON, compact (read once)."""
    if "body" not in _PROVINCES:
        doc = json.loads(province_shapes_text())
        for f in doc["features"]:
            f["properties"] = {"code": f["properties"]["code"], "name": f["properties"]["name"]}
        _PROVINCES["body"] = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _PROVINCES["body"]


@router.get("/provinces", summary="Ranh giới 34 tỉnh / the 34 provinces' shapes (GeoJSON)",
            responses=SHAPES)
def provinces(request: Request, principal: Principal = Depends(signed_in)):
    """Today's 34 provinces as a GeoJSON FeatureCollection (``properties.code``, ``properties.name``)."""
    return _answer(request, provinces_body())


def communes_body(ctx: WebContext, province: str) -> bytes | None:
    """A province's commune shapes as GeoJSON bytes, or ``None`` without any (cached per import)."""
    with ctx.database.session() as s:
        stamp = repo_shapes.stamp(s, province)
        if not stamp[0]:
            return None

        def build() -> bytes:
            with ctx.database.session() as s2:
                rows = repo_shapes.province_shapes(s2, province)
            parts = []
            for code, geometry in rows:
                name = ctx.tree.get(code).name if code in ctx.tree else code
                props = json.dumps({"code": code, "name": name}, ensure_ascii=False, separators=(",", ":"))
                parts.append('{"type":"Feature","properties":' + props + ',"geometry":' + geometry + "}")
            return ('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}").encode("utf-8")

        return ctx.short_lived(("maps_communes", province, stamp), 300, build)


@router.get("/{province}/communes", summary="Ranh giới xã của một tỉnh / a province's commune shapes (GeoJSON)",
            responses=SHAPES)
def communes(request: Request, province: str = Path(pattern=CODE, examples=["24"]),
             principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """The commune shapes a province imported, as a GeoJSON FeatureCollection."""
    if province not in ctx.tree or ctx.tree.get(province).level != "province":
        raise HTTPException(404, f"không có tỉnh mã {province!r} / no province with code {province!r}")
    body = communes_body(ctx, province)
    if body is None:
        raise HTTPException(404, f"tỉnh {province} chưa nạp ranh giới xã; nạp bằng lệnh `chiso units boundaries "
                                 f"import FILE.geojson --province {province}` / province {province} has no commune "
                                 f"shapes: import them with `chiso units boundaries import FILE.geojson --province "
                                 f"{province}`")
    return _answer(request, body)
