"""Reporting completeness (tình hình nộp số liệu) over the API: ``GET /api/v1/completeness``.

The same board as the page (``chiso.evaluate.dm.completeness``): each owner agency's rates and
cells by month, the province by month; ``unit=`` one agency with its items (each expected
indicator × unit × period with its deadline and status). Leaders, viewers and administrators
read the whole province; a head or officer their own agency only.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from chiso.collect.values.submit import local_today
from chiso.evaluate.dm.completeness import gather
from chiso.web.api.access import Principal, WebContext, forbidden, province_for, reads_province, signed_in, web_context
from chiso.web.api.etag import cached
from chiso.web.errors import CODE, NOT_MODIFIED, UNIT_EXAMPLES

router = APIRouter(prefix="/api/v1", tags=["completeness"])


@router.get("/completeness", summary="Tình hình nộp số liệu / reporting completeness", responses=NOT_MODIFIED)
def completeness(request: Request, province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES),
                 unit: str | None = Query(None, pattern=CODE, examples=["24-STC"],
                                          description="one owner agency (with its items); a head or officer: "
                                                      "their own, which is the default for them"),
                 months: int = Query(6, ge=1, le=24, description="months shown, up to the current one"),
                 principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """Each agency's expected, received and on-time values by month, and the province's rates."""
    province = province_for(principal, province, ctx)
    if not reads_province(principal):
        if unit is not None and unit != principal.unit_code:
            raise forbidden(f"{principal.username} ({principal.role} of {principal.unit_code}) reads their own "
                            f"agency's reporting only, not {unit}")
        unit = principal.unit_code
    if unit is not None and (unit not in ctx.tree or ctx.tree.get(unit).province_code != province):
        raise HTTPException(404, f"no unit {unit} in province {province}")
    with ctx.database.session() as session:
        board = gather(session, province, ctx.tree, local_today(), months=months, owner=unit)
    return cached(request, {"province": province, "unit": unit, **board.as_dict(items=unit is not None)})
