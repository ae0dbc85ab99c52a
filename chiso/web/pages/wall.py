"""Màn hình IOC (the big-screen wall view): ``/wall``.

Dark theme, large type readable from across a room, refreshed every 60 seconds by HTMX
polling (``/wall?fragment=1`` returns only the board; a ``<meta http-equiv=refresh>`` in a
``<noscript>`` covers a browser without JavaScript). Shows the province's total and
national rank, one dial per group, the top and bottom departments and communes, and a
ticker of open warnings. Reuses the overview's data.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from chiso.web.context import WebContext, web_context
from chiso.web.i18n import localized_name, request_language
from chiso.web.pages import charts, tasks, views
from chiso.web.pages.overview import overview_context
from chiso.web.pages.render import render
from chiso.web.security.deps import Principal, current_principal

router = APIRouter()
REFRESH_SECONDS = 60


@router.get("/wall", response_class=HTMLResponse)
def wall(request: Request, window: str | None = None, fragment: bool = False,
         ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    import datetime as dt

    lang = request_language(request)
    context = overview_context(request, ctx, principal, window)
    table, province = context["table"], context["province"]
    ends = {}
    for level in ("department", "commune"):
        ranked = views.ranking(table, level=level, province=province)
        ends[level] = (ranked.head(5).to_dicts(), ranked.tail(5).reverse().to_dicts())
    context.update(
        gauges=[charts.gauge(localized_name(g, lang), g["score"], g["max"]) for g in context["groups"]],
        ends=ends, refresh=REFRESH_SECONDS, now=dt.datetime.now().astimezone(),
        **tasks.panels_context(ctx, principal, limit=3),
    )
    return render(request, "wall.html", context, principal=principal, active="wall", window=table.window,
                  block="board" if fragment else None)
