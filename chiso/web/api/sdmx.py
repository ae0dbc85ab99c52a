"""SDMX over the API (docs/interop.md, "SDMX"): the structure, and the data of chiso's two dataflows.

- ``GET /api/v1/sdmx/structure`` — the structure message (SDMX-ML 2.1): the concept scheme,
  the status codes, ``DSD_CHISO_DM`` and ``DSD_CHISO_766`` and their dataflows.
- ``GET /api/v1/sdmx/data/DF_CHISO_DM`` — indicator values in force (breakdowns included,
  drafts never), filtered by ``indicator``, ``unit``, ``period``; a province's leaders, viewers
  and administrators read all of their province's, a head or officer those of their own unit
  and of the indicators their agency owns (as ``GET /api/v1/values``).
- ``GET /api/v1/sdmx/data/DF_CHISO_766`` — a window's 766 scores (total and groups; with
  ``criteria=true`` each criterion's points) of every unit or one ``province``'s, ``level``.

``format=ml`` (default) answers SDMX-ML 2.1 GenericData
(``application/vnd.sdmx.genericdata+xml;version=2.1``), checked against the official XSD
before it leaves; ``format=csv`` SDMX-CSV 1.0 (``application/vnd.sdmx.data+csv;version=1.0.0``).
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from chiso.reports.sdmx import score_observations, structure_ml, to_sdmx_csv, to_sdmx_ml, value_observations
from chiso.store.repo_catalogue import current_catalogue, live_indicators
from chiso.web.api.access import Principal, WebContext, province_for, reads_province, signed_in, web_context
from chiso.web.api.pagination import period_param, window_param
from chiso.web.errors import CODE, UNIT_EXAMPLES

router = APIRouter(prefix="/api/v1/sdmx", tags=["sdmx"])

STRUCTURE = "application/vnd.sdmx.structure+xml;version=2.1"
GENERIC = "application/vnd.sdmx.genericdata+xml;version=2.1"
CSV = "application/vnd.sdmx.data+csv;version=1.0.0"
FLOWS = {"DF_CHISO_DM": "values", "DF_CHISO_766": "scores"}

period_of = period_param("period", "values: one reporting period (2026-08, 2026-Q3, 2026-W48, 2026)")
window_of = window_param()


@router.get("/structure", summary="Cấu trúc SDMX / SDMX structure (DSD, dataflows)",
            response_class=Response, responses={200: {"content": {STRUCTURE: {}}}})
def sdmx_structure(principal: Principal = Depends(signed_in)) -> Response:
    """The structure message that describes chiso's SDMX data."""
    return Response(structure_ml(), media_type=STRUCTURE)


@router.get("/data/{flow}", summary="Dữ liệu SDMX / SDMX data", response_class=Response,
            responses={200: {"content": {GENERIC: {}, CSV: {}}}})
def sdmx_data(flow: Literal["DF_CHISO_DM", "DF_CHISO_766"], format: Literal["ml", "csv"] = "ml",
              indicator: str | None = Query(None, pattern=CODE, description="DF_CHISO_DM: one indicator"),
              unit: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES, description="DF_CHISO_DM: one unit"),
              period: str | None = Depends(period_of), window: str | None = Depends(window_of),
              province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES,
                                           description="default: your province"),
              level: Literal["province", "department", "commune"] | None = None,
              criteria: bool = Query(False, description="DF_CHISO_766: each criterion's points too"),
              principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)) -> Response:
    """The observations of a dataflow as SDMX-ML 2.1 GenericData or SDMX-CSV 1.0."""
    kind = FLOWS[flow]
    province = province_for(principal, province, ctx)
    if kind == "values":
        if unit is not None and unit not in ctx.tree:
            raise HTTPException(404, f"no unit with code {unit!r}")
        with ctx.database.session() as session:
            catalogue = live_indicators(session, province)
            observations = value_observations(session, ctx.tree, catalogue, province=province, indicator=indicator,
                                              unit=unit, period=period)
            if not reads_province(principal):
                owned = {c for c, i in current_catalogue(session, province).indicators.items()
                         if i.owner == principal.unit_code}
                observations = [o for o in observations if o.unit == principal.unit_code or o.subject in owned]
    else:
        ctx.check_data()
        observations = score_observations(ctx.scores(window), province=province, level=level, criteria=criteria)
    if format == "csv":
        return Response(to_sdmx_csv(kind, observations), media_type=CSV)
    return Response(to_sdmx_ml(kind, observations), media_type=GENERIC)
