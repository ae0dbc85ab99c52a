"""DM indicator status (tình trạng chỉ số) over the API: each live indicator's latest value,
target, achievement, status and trend, for the province or one of its units.

Leaders, viewers and administrators read every unit of the province; a head or officer
reads their own unit's status.

The first status read after values changed derives the province's values (aggregates and
formula indicators: seconds on the demo, ``chiso.evaluate.dm.service.current_values``, which
keeps them until the values change). One read per province does that at a time
(``_deriving``): a burst of reads arriving meanwhile waits — without holding a connection of
the store's pool — and then reads what it derived, instead of each deriving it again and
holding a connection for as long (which emptied the pool under load: 30 s waits, then 500s).
"""
from __future__ import annotations

import threading
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from chiso.evaluate.dm.service import status_report
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
from chiso.web.api.pagination import period_param
from chiso.web.errors import CODE, NOT_MODIFIED, UNIT_EXAMPLES

router = APIRouter(prefix="/api/v1", tags=["status"])

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _deriving(province: str) -> threading.Lock:
    """The lock of one province's status reads (provinces are checked codes: a bounded set)."""
    with _locks_guard:
        return _locks.setdefault(province, threading.Lock())


@router.get("/status", summary="Tình trạng chỉ số CĐĐH / DM indicator status", responses=NOT_MODIFIED)
def status(request: Request, province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES),
           unit: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES,
                                   description="a unit of the province (default: the province)"),
           at: str | None = Depends(period_param("at", "period to judge (default: the latest): 2026, 2026-Q3, "
                                                       "2026-08, 2026-W34 or 2026-08-17")),
           spread: Literal["linear", "seasonal"] = "linear",
           field: str | None = Query(None, pattern=CODE, description="only this field group"),
           principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """Each live indicator's latest value, target, achievement, status and trend."""
    province = province_for(principal, province, ctx)
    unit = unit or (province if reads_province(principal) else principal.unit_code)
    check_unit(principal, unit, ctx)
    if ctx.tree.get(unit).province_code != province:
        raise HTTPException(404, f"no unit {unit} in province {province}")
    with _deriving(province), ctx.database.session() as session:
        doc = status_report(session, province, unit=unit, at=at, spread=spread)
    if field is not None:
        doc["indicators"] = [r for r in doc["indicators"] if r.get("field") == field]
    return cached(request, doc)
