"""Trang tổng quan tỉnh (the province overview): ``/``.

The province's total and national rank with its weekly trend, the six group scores against
their maxima, this week's changes (groups up and down, biggest movers among departments and
communes), the top levers by improvement potential (``chiso.evaluate.whatif.levers``), the
open warnings and the DM indicators off track by field. Every signed-in role sees it; the
warnings a head or officer sees are their own unit's.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from chiso.evaluate.whatif import levers
from chiso.web.context import WebContext, web_context
from chiso.web.i18n import request_language
from chiso.web.pages import charts, home, tasks, views
from chiso.web.pages.render import cached_page
from chiso.web.security.deps import Principal, can_read_unit, current_principal

router = APIRouter()
LEVER_SHARE = 0.9


def _optional(fn, *args):
    """A panel's data, or the reason it is missing (no catalogue yet, store not ready)."""
    try:
        return fn(*args), None
    except Exception as e:  # noqa: BLE001 - a missing panel must not take the whole page down
        return None, str(e)


def group_changes(definition, trend: list[dict]) -> list[dict]:
    """Each group's score this week and its change since the week before (from the trend rows)."""
    if not trend:
        return []
    now, before = trend[-1], (trend[-2] if len(trend) > 1 else None)
    out = []
    for g in definition.groups:
        change = None if before is None or before[g.code] is None else round(now[g.code] - before[g.code], 2)
        out.append({"code": g.code, "name": g.name, "name_en": g.name_en, "max": g.max,
                    "score": now[g.code], "change": change})
    return out


def score_panels(ctx: WebContext, app_state, table, province: str) -> dict:
    """The overview's panels that depend on the window's scores alone (the province's row,
    weekly trend, group changes, movers, levers): the same for every principal of the
    province, so computed once per window and province and cached with the scores."""
    def compute() -> dict:
        provinces = table.select(level="province")
        mine = provinces.filter(provinces["unit_code"] == province).to_dicts()
        me = mine[0] if mine else None
        series = views.weekly_series(ctx, app_state, table.window) if me else None
        trend = views.unit_trend(series, province) if series is not None else []
        groups = group_changes(table.definition, trend) if me else []
        if me and groups:  # this week's group scores are the table's own
            for g in groups:
                g["score"] = me[g["code"]]
        departments = table.select(province=province, level="department")
        communes = table.select(province=province, level="commune")
        top_levers = [lv for lv in levers(table, province, share=LEVER_SHARE) if lv["kind"] == "criterion"][:5] \
            if me else []
        return {"me": me, "trend": trend, "groups": groups,
                "movers": {"department": views.movers(departments, 3), "commune": views.movers(communes, 3)},
                "levers": top_levers}

    return ctx.derived(("overview", table.window, province), compute)


def warnings_context(ctx: WebContext, principal: Principal, cached: bool = True) -> dict:
    """The open-warnings panel's data: cached ``views.WARNINGS_SECONDS`` (``cached``), or read now
    (the overview keeps the rendered panel itself for that long)."""
    province = views.home_province(principal, ctx.tree)
    read = views.open_warnings_cached if cached else views.open_warnings
    warnings, warnings_error = _optional(read, ctx, province, principal)
    return {"warnings": warnings, "warnings_error": warnings_error}


def overview_context(request: Request, ctx: WebContext, principal: Principal, window: str | None,
                     with_warnings: bool = True) -> dict:
    """Everything the overview and the wall show (the wall reuses it); ``with_warnings=False``
    leaves the open warnings out (the overview renders that panel on its own)."""
    lang = request_language(request)
    table = views.scores(ctx, window)
    province = views.home_province(principal, ctx.tree)
    panels = score_panels(ctx, request.app.state, table, province)
    groups, trend = panels["groups"], panels["trend"]
    live = warnings_context(ctx, principal) if with_warnings else {"warnings": None, "warnings_error": None}
    return {
        "table": table, "definition": table.definition, "groups": groups, "me": panels["me"],
        "province": province, "trend": trend,
        "trend_chart": charts.trend(trend, lang, with_rank=True),
        "groups_chart": charts.group_bars(groups, lang),
        "groups_up": [g for g in groups if (g["change"] or 0) > 0],
        "groups_down": [g for g in groups if (g["change"] or 0) < 0],
        "movers": panels["movers"],
        "levers": panels["levers"], "lever_share": LEVER_SHARE,
        **live,
        "can_open": lambda code: can_read_unit(principal, code, ctx.tree),
    }


@router.get("/", response_class=HTMLResponse)
async def overview(request: Request, window: str | None = None, view: str | None = None,
                   ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """The overview's panels are cached (``render.cached_page``) per window, language and viewer's
    role and unit; the open-warnings panel, live data, on its own for ``views.WARNINGS_SECONDS``.
    A department's or commune's head or officer gets their agency's home (``chiso.web.pages.home``)
    unless they ask for the province (``?view=province``)."""
    if view != "province" and home.has_agency_home(principal, ctx):
        await ctx.check_data_async()
        return await run_in_threadpool(home.agency_home, request, ctx, principal, window)
    def build():
        context = overview_context(request, ctx, principal, window, with_warnings=False)
        return context, context["table"].window

    return await cached_page(request, ctx, principal, template="overview.html", active="overview", build=build,
                             live={"warnings_panel": (views.WARNINGS_SECONDS,
                                                      lambda: warnings_context(ctx, principal, cached=False)),
                                   "tasks_panel": (tasks.PANEL_SECONDS, lambda: tasks.panels_context(ctx, principal))})


@router.get("/overview/dm", response_class=HTMLResponse)
async def overview_dm(request: Request, ctx: WebContext = Depends(web_context),
                      principal: Principal = Depends(current_principal)):
    """The DM indicators by field (an HTMX fragment the overview loads after it shows:
    the status report reads every live indicator's history, so it must not hold the page).
    The report is cached five minutes per province (``views.DM_STATUS_SECONDS``), the rendered
    fragment ``DM_FRAGMENT_SECONDS`` more."""
    def build():
        province = views.home_province(principal, ctx.tree)
        dm, dm_error = _optional(views.dm_off_track_cached, ctx, province)
        return {"dm": dm, "dm_error": dm_error}, None

    return await cached_page(request, ctx, principal, template="overview.html", active="overview", build=build,
                             fragment="dm_panel", ttl=DM_FRAGMENT_SECONDS)


DM_FRAGMENT_SECONDS = 30.0
