"""DM indicator status (tình trạng chỉ số) over the API: each live indicator's latest value,
target, achievement, status and trend, for the province or one of its units.

Leaders, viewers and administrators read every unit of the province; a head or officer
reads their own unit's status.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from chiso.evaluate.dm.service import status_report
from chiso.periods.windows import parse_window
from chiso.web.api.access import (
    Principal,
    WebContext,
    check_unit,
    province_for,
    reads_province,
    signed_in,
    web_context,
)
from chiso.web.api.etag import cached

router = APIRouter(prefix="/api/v1", tags=["status"])


@router.get("/status", summary="Tình trạng chỉ số CĐĐH / DM indicator status")
def status(request: Request, province: str | None = None,
           unit: str | None = Query(None, description="a unit of the province (default: the province)"),
           at: str | None = Query(None, description="period to judge (default: the latest)"),
           spread: Literal["linear", "seasonal"] = "linear",
           field: str | None = Query(None, description="only this field group"),
           principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """Each live indicator's latest value, target, achievement, status and trend."""
    province = province_for(principal, province, ctx)
    unit = unit or (province if reads_province(principal) else principal.unit_code)
    check_unit(principal, unit, ctx)
    if ctx.tree.get(unit).province_code != province:
        raise HTTPException(400, f"unit {unit} is not in province {province}")
    if at is not None:
        at = parse_window(at).label
    with ctx.database.session() as session:
        doc = status_report(session, province, unit=unit, at=at, spread=spread)
    if field is not None:
        doc["indicators"] = [r for r in doc["indicators"] if r.get("field") == field]
    return cached(request, doc)
