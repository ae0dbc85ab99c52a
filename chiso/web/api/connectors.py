"""Connectors' status (trạng thái kết nối) over the API: each connector bringing values from a
source system, with its last run, last success, last error and whether its data is stale.

Leaders, viewers and administrators see the province's connectors; a head or officer
sees those that submit as their unit.
"""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request

from chiso.collect.connectors import connector_status
from chiso.store.repo_catalogue import live_indicators
from chiso.web.api.access import (
    Principal,
    WebContext,
    province_for,
    reads_province,
    signed_in,
    web_context,
)
from chiso.web.api.pagination import Page, page_params, paged
from chiso.web.errors import CODE, NOT_MODIFIED, UNIT_EXAMPLES

router = APIRouter(prefix="/api/v1", tags=["connectors"])


@router.get("/connectors", summary="Trạng thái kết nối / connectors' status", responses=NOT_MODIFIED)
def connectors(request: Request, province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES), stale: bool | None = None,
               page: Page = Depends(page_params), principal: Principal = Depends(signed_in),
               ctx: WebContext = Depends(web_context)):
    """Every connector of the province with its last success, last error and staleness; paginated."""
    province = province_for(principal, province, ctx)
    now = dt.datetime.now(dt.UTC)
    with ctx.database.session() as session:
        rows = connector_status(session, live_indicators, ctx.tree, now=now)
    tree = ctx.tree
    items = [r for r in rows if r["as_unit"] in tree and tree.get(r["as_unit"]).province_code == province
             and (reads_province(principal) or r["as_unit"] == principal.unit_code)
             and (stale is None or bool(r["stale"]) == stale)]
    return paged(request, page, items, province=province)
