"""Màn hình lãnh đạo trên điện thoại (a leader's phone view): ``/leader``.

One narrow page (designed for 390×844, fine at 1440) with what a leader of the province looks
at between meetings:

- the headline: the province's 766 total, national rank and its change, the change of the
  score since last week, the band;
- "Việc cần chỉ đạo" — the few things needing direction, each a sentence with a link:
  critical warnings not resolved (the "cần chỉ đạo" order of ``chiso.evaluate.dm.followup``:
  most important first), assigned tasks overdue more than ``OVERDUE_DAYS`` days or starred
  (nhiệm vụ trọng tâm) and overdue (longest overdue first), DM indicators off track (furthest
  from their target first); ``ITEMS`` of each with how many there are in all;
- the comparisons, one line each (``chiso.web.pages.overview.comparisons_context``);
- the national map (``templates/_map.html``, ``chiso.web.pages.maps.map_context``).

Who may open it: those who read the whole province (administrators, leaders, viewers); heads and
officers are sent to their agency's home by the overview and get a 403 here. Read only.
"""
from __future__ import annotations

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from chiso.collect.values.submit import local_today
from chiso.evaluate.dm.followup import attention, follow
from chiso.evaluate.tasks import views as task_views
from chiso.periods.spoken import spoken_period
from chiso.store.repo_evaluation import list_warnings
from chiso.text import format_number, format_percent
from chiso.web.context import TASK_PANELS, WebContext, web_context
from chiso.web.i18n import request_language, term, translate
from chiso.web.pages import group_view, maps, views
from chiso.web.pages.overview import comparisons_context, score_panels
from chiso.web.pages.render import render
from chiso.web.pages.tasks import readable_tasks, unit_names
from chiso.web.security.deps import Principal, current_principal
from chiso.web.security.followup import may_read_warning

router = APIRouter()

#: How many things of each kind the page lists (the rest are counted, with a link to them all).
ITEMS = 3
#: An open task overdue more than this many days needs direction (a starred one as soon as it is overdue).
OVERDUE_DAYS = 30
#: The lists are read from the store at most this often (seconds) per province.
LIVE_SECONDS = 30.0


def _forbidden(principal: Principal) -> HTTPException:
    return HTTPException(403, f"Không đủ quyền: màn hình lãnh đạo tổng hợp số liệu toàn tỉnh, dành cho lãnh đạo, "
                              f"quản trị viên và người xem; tài khoản {principal.username!r} "
                              f"({term('vi', 'role', principal.role)}) xem trang của đơn vị mình tại Tổng quan / "
                              f"forbidden: the leader's view shows the whole province, for leaders, administrators "
                              f"and viewers")


def critical_warnings(ctx: WebContext, principal: Principal, province: str, lang: str) -> dict:
    """The province's critical warnings not resolved, most important first (``attention``'s order
    among the critical ones that need direction, then the other critical ones)."""
    def compute() -> dict:
        with ctx.database.session() as s:
            rows = [r for r in list_warnings(s, province, state="all", severity="critical") if r.state != "resolved"]
            followed = [f for f in follow(s, rows) if may_read_warning(principal, f.warning, f.assignment)]
        first = attention(followed)
        rest = sorted((f for f in followed if f not in first), key=lambda f: (-f.importance, f.warning.id))
        items = []
        for f in (first + rest)[:ITEMS]:
            w = f.warning
            why = []
            if f.overdue:
                why.append(translate(lang, "leader.why.overdue", n=f.days_overdue))
            if not f.assigned:
                why.append(translate(lang, "leader.why.unassigned"))
            elif w.state == "open":
                why.append(translate(lang, "leader.why.not_acknowledged"))
            items.append({"text": w.message_en if lang == "en" and w.message_en else w.message_vi,
                          "why": "; ".join(why), "url": f"/warnings/{w.id}"})
        return {"items": items, "total": len(followed)}

    scope = None if views.sees_whole_province(principal) else principal.unit_code
    return ctx.short_lived(("warnings", "leader", province, scope, lang), LIVE_SECONDS, compute)


def overdue_tasks(ctx: WebContext, principal: Principal, province: str, lang: str) -> dict:
    """Open tasks overdue more than ``OVERDUE_DAYS`` days, or starred and overdue: longest overdue
    first (starred first among equals)."""
    today = local_today()

    def compute() -> dict:
        with ctx.database.session() as s:
            rows = readable_tasks(s, principal, province, ctx.tree)
            frame = task_views.register_rows(s, province, today, tasks=rows)
        due = frame.filter((pl.col("state") == "open_overdue")
                           & ((pl.col("overdue_days") > OVERDUE_DAYS) | pl.col("starred")))
        due = due.sort(["overdue_days", "starred", "task", "key"], descending=[True, True, False, False])
        names = unit_names(ctx)
        items = []
        for r in due.head(ITEMS).to_dicts():
            unit = names.get(r["lead_unit"], r["lead_unit"])
            items.append({"text": r["content"], "starred": bool(r["starred"]),
                          "why": translate(lang, "leader.task_line", unit=unit, n=format_number(r["overdue_days"], 0, lang)),
                          "url": f"/tasks/{r['task']}" + (f"?instance={r['key']}" if r["key"] else "")})
        return {"items": items, "total": due.height,
                "starred": due.filter(pl.col("starred")).height}

    scope = None if views.sees_whole_province(principal) else principal.unit_code
    # keyed under TASK_PANELS: a write to the register (ctx.forget_tasks) drops it at once
    return ctx.short_lived((TASK_PANELS, "leader", province, scope, today, lang), LIVE_SECONDS, compute)


def _amount(value, unit: str | None, lang: str) -> str:
    if value is None:
        return "—"
    text = format_number(value, 2, lang, trim=True)
    if unit == "%":
        return text + "%"
    return f"{text} {unit}" if unit else text


def off_track_indicators(ctx: WebContext, province: str, lang: str) -> dict:
    """The DM indicators off track, furthest from their target first (``views.dm_off_track_cached``)."""
    dm = views.dm_off_track_cached(ctx, province)
    rows = [r for f in dm["fields"] for r in f["off"]]
    rows.sort(key=lambda r: (r.get("achievement") is None, r.get("achievement") or 0.0, r["indicator"]))
    items = []
    for r in rows[:ITEMS]:
        name = r.get("name_en") if lang == "en" and r.get("name_en") else r["name"]
        unit = r.get("unit_of_measure")
        values = {"value": _amount(r.get("value"), unit, lang), "target": _amount(r.get("target"), unit, lang),
                  "period": spoken_period(r.get("period"), lang, capital=False)}
        why = translate(lang, "leader.indicator_line", **values)
        value, target = r.get("value"), r.get("target")
        if r.get("polarity") == "lower" and value is not None and target:
            # a count to keep down (overdue dossiers, late projects): how many times the target it is
            why += " · " + translate(lang, "leader.times", times=format_number(value / target, 1, lang))
        elif r.get("achievement") is not None:
            why += " · " + translate(lang, "leader.achievement", share=format_percent(r["achievement"], 1, lang))
        items.append({"text": name, "why": why, "url": f"/indicators/{r['indicator']}"})
    return {"items": items, "total": len(rows)}


def _optional(fn, *args) -> dict:
    """A list's data, or the reason it is missing: one missing list never takes the page down."""
    try:
        return {**fn(*args), "error": None}
    except Exception as e:  # noqa: BLE001
        return {"items": [], "total": 0, "error": str(e)}


@router.get("/leader", response_class=HTMLResponse)
def leader_page(request: Request, window: str | None = None, ctx: WebContext = Depends(web_context),
                principal: Principal = Depends(current_principal)):
    """The leader's phone view of the province (see the module)."""
    if not views.sees_whole_province(principal):
        raise _forbidden(principal)
    lang = request_language(request)
    table = views.scores(ctx, window)
    province = views.home_province(principal, ctx.tree)
    view, switch = group_view.context(request, table.definition)
    panels = score_panels(ctx, request.app.state, table, province, view)
    me = panels["me"]
    try:
        map_data, map_error = maps.map_context(ctx, table, lang, kind="provinces", principal=principal), None
    except Exception as e:  # noqa: BLE001 - the map must not take the page down
        map_data, map_error = None, str(e)
    return render(request, "leader.html", {
        "table": table, "me": me, "province": province,
        "province_unit": ctx.tree.get(province),
        "warnings": _optional(critical_warnings, ctx, principal, province, lang),
        "tasks": _optional(overdue_tasks, ctx, principal, province, lang),
        "indicators": _optional(off_track_indicators, ctx, province, lang),
        "compare": comparisons_context(ctx, table, province, lang, view) if me else None,
        **switch, "map_data": map_data, "map_error": map_error,
        "overdue_days": OVERDUE_DAYS,
        "previous_text": spoken_period(table.previous_window, lang, capital=False) if table.previous_window else "",
    }, principal=principal, active="leader", window=table.window)
