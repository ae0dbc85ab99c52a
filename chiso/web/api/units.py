"""Units (đơn vị) over the API: the nation's provinces, departments and communes.

The unit list is public administrative information: any signed-in principal reads it,
for every province. ``q`` searches names with or without diacritics ("viet yen" finds
"Phường Việt Yên"), best match first.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from chiso.units.registry import unit_to_dict
from chiso.web.api.access import Principal, WebContext, signed_in, web_context
from chiso.web.api.etag import LONG, cached
from chiso.web.api.pagination import Page, page_params, paged
from chiso.web.errors import CODE, NOT_MODIFIED, TEXT, UNIT_EXAMPLES

router = APIRouter(prefix="/api/v1", tags=["units"])

Level = Literal["nation", "province", "department", "commune"]


@router.get("/units", summary="Danh sách đơn vị / units", responses=NOT_MODIFIED)
def list_units(request: Request,
               province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES,
                                          description="province code, e.g. 24 (Bắc Ninh)"),
               level: Level | None = Query(None, description="nation, province, department or commune"),
               parent: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES,
                                        description="only the units directly under this one"),
               q: str | None = Query(None, max_length=200, pattern=TEXT,
                                     description="name search, diacritics optional"),
               page: Page = Depends(page_params), principal: Principal = Depends(signed_in),
               ctx: WebContext = Depends(web_context)):
    """Units, filtered by province, level, parent and a name search; paginated."""
    tree = ctx.tree
    for code, what in ((province, "province"), (parent, "unit")):
        if code is not None and code not in tree:
            raise HTTPException(404, f"no {what} with code {code!r}")
    if province is not None and tree.get(province).level != "province":  # as province_for answers it
        raise HTTPException(404, f"no province with code {province!r}: {province} is a "
                                 f"{tree.get(province).level}")
    if q is not None and q.strip():
        units = tree.find(q, level=level, province=province)
    else:
        units = tree.units(province=province, level=level)
    if parent is not None:
        units = [u for u in units if u.parent_code == parent]
    return paged(request, page, [unit_to_dict(u) for u in units], max_age=LONG,
                 filters={"province": province, "level": level, "parent": parent, "q": q})


@router.get("/units/{code}", summary="Một đơn vị / one unit", responses=NOT_MODIFIED)
def get_unit(request: Request, code: str = Path(pattern=CODE, examples=UNIT_EXAMPLES),
             principal: Principal = Depends(signed_in),
             ctx: WebContext = Depends(web_context)):
    """One unit with its parent and the number of units directly under it."""
    if code not in ctx.tree:
        raise HTTPException(404, f"no unit with code {code!r}")
    unit = ctx.tree.get(code)
    children = ctx.tree.children(code)
    return cached(request, {**unit_to_dict(unit), "children": {
        level: sum(1 for c in children if c.level == level) for level in ("province", "department", "commune")
        if any(c.level == level for c in children)}}, max_age=LONG)
