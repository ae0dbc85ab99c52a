"""Trang xếp hạng (rankings): ``/rankings?level=province|department|commune``.

Provinces nationally, or the principal's province's departments or communes: band, score,
score and rank change arrows, the biggest movers, a diacritic-insensitive search and a
sort. The table is paged (50 rows) and HTMX reloads only it (``#ranking-table``) when the
search, sort or page changes; ``?q=`` and friends work without JavaScript too.

The scores are the published index (the national portal publishes every unit's), so every
role sees every ranking; a row links to the unit page only when the principal may read it.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from chiso.catalog.presentation import present_frame
from chiso.web.context import WebContext, web_context
from chiso.web.pages import group_view, views
from chiso.web.pages.render import cached_page, is_htmx
from chiso.web.security.deps import Principal, can_read_unit, current_principal

router = APIRouter()


@router.get("/rankings", response_class=HTMLResponse)
async def rankings(request: Request, level: str = "province", window: str | None = None, q: str = "",
                   sort: str = "rank", page: int = 1, province: str | None = None,
                   ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """``province`` chooses whose departments or communes: the principal's province by
    default, another province's code, or ``all`` for every province's (each ranked within its
    own province: 3,321 communes nationally).

    The rendered page (or the HTMX table) is cached (``render.cached_page``): it depends on the
    scores of the window, the query, the language and the viewer's role and unit only."""
    fragment = "ranking_table" if is_htmx(request) and request.headers.get("hx-target") == "ranking-table" else None
    return await cached_page(request, ctx, principal, template="rankings.html", active="rankings",
                             fragment=fragment,
                             build=lambda: ranking_context(ctx, principal, level=level, window=window, q=q,
                                                           sort=sort, page=page, province=province,
                                                           request=request))


def ranking_context(ctx: WebContext, principal: Principal, *, level: str, window: str | None, q: str, sort: str,
                    page: int, province: str | None, request: Request | None = None) -> tuple[dict, str]:
    """The ranking page's context and its window; each row carries its group scores as the
    page's group view shows them (``?nhom=5|6``, ``group_view``)."""
    table = views.scores(ctx, window)
    if request is not None:
        view, switch = group_view.context(request, table.definition)
    else:
        view = group_view.group_view(table.definition)
        switch = {"group_view": view, "group_switch": group_view.switch(table.definition, view), "group_asked": None}
    home = views.home_province(principal, ctx.tree)
    scope = views.ranking_scope(province, home, ctx.tree)

    def peers_panels():  # the same for every request of this window, level and scope: cached with the scores
        everyone = present_frame(views.ranking(table, level=level, province=scope), view)
        named = [c for c in ("band_label", "band_label_en") if c in everyone.columns]
        bands = (everyone.group_by("band", *named).len().sort("band").to_dicts()
                 if everyone.height else [])
        return everyone, views.movers(everyone, 5), bands

    everyone, (up, down), bands = ctx.derived(("rankings", table.window, level, scope, view.code), peers_panels)
    df = everyone if not q.strip() and sort == "rank" else \
        present_frame(views.ranking(table, level=level, province=scope, q=q, sort=sort), view)
    context = {"table": table, "level": level, "levels": views.LEVELS, "q": q, "sort": sort,
               "sorts": views.SORTS, "paged": views.page_of(df, page), "movers_up": up, "movers_down": down,
               "bands": bands, "province": home, "scope": scope or "all", "peers": everyone.height,
               "can_open": lambda code: can_read_unit(principal, code, ctx.tree), **switch}
    return context, table.window
