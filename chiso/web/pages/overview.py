"""Trang tổng quan tỉnh (the province overview): ``/``.

The province's total and national rank with its weekly trend, the group scores against
their maxima (six groups, or five with ``?nhom=5`` / ``CHISO_GROUP_VIEW``: ``group_view``), this week's changes (groups up and down, biggest movers among departments and
communes), the top levers by improvement potential (``chiso.evaluate.whatif.levers``), the
open warnings and the DM indicators off track by field, and the comparisons panel ("So sánh":
the national average, peer provinces, the same period last year, last week —
``comparisons_context``, which the unit page and the leader's view use too). Every signed-in
role sees it; the warnings a head or officer sees are their own unit's.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from chiso.catalog.presentation import GroupView, present, six_view
from chiso.evaluate.comparisons import Comparisons, Reference, compare, first_record_day, last_year_window
from chiso.evaluate.whatif import levers
from chiso.periods.spoken import spoken_period
from chiso.periods.windows import parse_window
from chiso.text import format_number
from chiso.web.context import WebContext, web_context
from chiso.web.i18n import format_day, format_signed, localized_name, request_language, translate
from chiso.web.pages import charts, group_view, home, tasks, views
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


def group_changes(definition, trend: list[dict], view: GroupView | None = None) -> list[dict]:
    """Each group's score this week and its change since the week before (from the trend rows),
    as ``view`` shows the groups (default: the definition's own six)."""
    if not trend:
        return []
    now, before = trend[-1], (trend[-2] if len(trend) > 1 else None)
    return group_view.shown_groups(now, view or six_view(definition), before)


def score_panels(ctx: WebContext, app_state, table, province: str, view: GroupView | None = None) -> dict:
    """The overview's panels that depend on the window's scores alone (the province's row,
    weekly trend, group changes in ``view``, movers, levers): the same for every principal of the
    province, so computed once per window, province and group view and cached with the scores."""
    view = view or six_view(table.definition)

    def compute() -> dict:
        provinces = table.select(level="province")
        mine = provinces.filter(provinces["unit_code"] == province).to_dicts()
        me = mine[0] if mine else None
        series = views.weekly_series(ctx, app_state, table.window) if me else None
        trend = views.unit_trend(series, province) if series is not None else []
        groups = group_changes(table.definition, trend, view) if me else []
        if me and groups:  # this week's group scores are the table's own, over their determined maxima
            determined = {g.code: g.max_determined for g in table.definition.groups}
            for g, r in zip(groups, present(me, view, maxima=determined)):
                g.update(score=r.points, max=r.max, ratio=r.ratio, percent=r.percent)
        departments = table.select(province=province, level="department")
        communes = table.select(province=province, level="commune")
        top_levers = [lv for lv in levers(table, province, share=LEVER_SHARE) if lv["kind"] == "criterion"][:5] \
            if me else []
        return {"me": me, "trend": trend, "groups": groups,
                "movers": {"department": views.movers(departments, 3), "commune": views.movers(communes, 3)},
                "levers": top_levers}

    return ctx.derived(("overview", table.window, province, view.code), compute)


# ---------------------------------------------------------------- comparisons (so sánh)
def first_day(ctx: WebContext):
    """The records' first day (how far back a comparison can reach), read once per data generation."""
    def read():
        with ctx.lock:
            return first_record_day(ctx.records)

    return ctx.derived(("first_record_day", ctx.generation), read)


def unit_comparisons(ctx: WebContext, table, code: str) -> Comparisons:
    """``chiso.evaluate.comparisons.compare`` for ``code`` in ``table``'s window, with last year's
    table when the records reach back to it (``views.scores``, cached); cached with the scores."""
    def compute() -> Comparisons:
        first = first_day(ctx)
        earlier = last_year_window(table.window, first)
        return compare(table, code, ctx.tree, last_year=views.scores(ctx, earlier.label) if earlier else None,
                       first_day=first)

    return ctx.derived((table.window, "comparisons", code), compute)


def _word(lang: str, difference: float | None) -> tuple[str, str]:
    """(the word, the CSS class) of a difference: cao hơn / thấp hơn / bằng."""
    gap = round(difference or 0.0, 2)
    if gap > 0:
        return translate(lang, "compare.higher"), "up"
    if gap < 0:
        return translate(lang, "compare.lower"), "down"
    return translate(lang, "compare.equal"), "same"


def _sentence(lang: str, unit: str, total: float, difference: float | None) -> str:
    word, cls = _word(lang, difference)
    if cls == "same":
        return translate(lang, "compare.sentence_equal", unit=unit, total=format_number(total, 2, lang))
    return translate(lang, "compare.sentence", unit=unit, total=format_number(total, 2, lang), word=word,
                     gap=format_number(abs(difference), 2, lang))


def _kind_label(lang: str, ref: Reference, level: str) -> str:
    if ref.kind == "province":
        return translate(lang, "compare.kind.province", level=translate(lang, f"compare.level_plural.{level}"))
    if ref.kind == "last_period":
        kind = parse_window(ref.window).kind if ref.window else "other"
        return translate(lang, f"compare.kind.last_period.{kind if kind in ('week', 'month', 'quarter', 'year') else 'other'}")
    return translate(lang, f"compare.kind.{ref.kind}")


def _explain(lang: str, ref: Reference, c: Comparisons, tree) -> str:
    """How the reference number is computed, in words (the number's title)."""
    period = spoken_period(ref.window, lang, capital=False)
    n = len(ref.members)
    if ref.kind == "national":
        return translate(lang, "compare.explain.national", n=n, period=period)
    if ref.kind == "province":
        province = tree.get(c.province_code).name if c.province_code in tree else c.province_code
        return translate(lang, "compare.explain.province", n=n, period=period, province=province,
                         level=translate(lang, f"compare.level_plural.{c.level}"))
    if ref.kind == "peers":
        names = ", ".join(m.name for m in ref.members)
        return translate(lang, f"compare.explain.peers_{ref.basis}", n=n, period=period, unit=c.name, names=names)
    return translate(lang, f"compare.explain.{ref.kind}", unit=c.name, period=period)


def _missing(lang: str, ref: Reference, c: Comparisons) -> str:
    period = spoken_period(ref.window, lang, capital=False) if ref.window else ""
    if ref.reason == "no_history":
        if ref.since is None:
            return translate(lang, "compare.missing.no_history_empty", period=period)
        return translate(lang, "compare.missing.no_history", period=period, since=format_day(ref.since, lang))
    if ref.reason == "provinces_only":
        return translate(lang, "compare.missing.provinces_only",
                         level=translate(lang, f"compare.level_plural.{c.level}"))
    return translate(lang, f"compare.missing.{ref.reason}", unit=c.name, period=period)


def comparisons_context(ctx: WebContext, table, code: str, lang: str, view: GroupView | None = None) -> dict:
    """The comparisons panel's rows in words (``templates/_compare.html``): for each reference its
    label, number, signed difference (Unicode minus, ``format_signed``), the word (cao hơn / thấp
    hơn / bằng), how it is computed, its members (peers) and rank; and each group (as ``view``
    shows them: a merged group's score and national average are its members' added) against the
    national average. ``{"error": reason}`` when the comparisons cannot be made."""
    try:
        c = unit_comparisons(ctx, table, code)
    except Exception as e:  # noqa: BLE001 - the panel must not take the page down
        return {"error": str(e)}
    refs = []
    # a department or commune has no peer provinces: its province's average of its level stands instead
    for ref in (r for r in c.references() if r.reason != "provinces_only"):
        word, cls = _word(lang, ref.difference)
        row = {"kind": ref.kind, "label": _kind_label(lang, ref, c.level), "available": ref.available,
               "value": ref.total, "difference": ref.difference, "signed": format_signed(ref.difference, lang),
               "word": word, "cls": cls, "window": ref.window, "rank": ref.rank, "of": ref.of,
               "members": [{"code": m.code, "name": m.name, "total": m.total} for m in ref.members]
               if ref.kind == "peers" else [], "note": None}
        if ref.available:
            row["title"] = _explain(lang, ref, c, ctx.tree) + " " + _sentence(lang, c.name, c.total, ref.difference)
            if ref.kind == "peers":
                row["note"] = translate(lang, "compare.peers_rank", rank=ref.rank, of=ref.of)
            elif ref.kind in ("last_year", "last_period") and ref.rank is not None:
                row["note"] = translate(lang, "compare.rank_then_of" if ref.of else "compare.rank_then",
                                        rank=ref.rank, of=ref.of)
        else:
            row["title"] = row["missing"] = _missing(lang, ref, c)
        refs.append(row)
    groups = []
    period = spoken_period(c.window, lang, capital=False)
    view = view or six_view(table.definition)
    scores = {r.code: r.points for r in present(c.groups, view)}
    means = {r.code: r.points for r in present(c.national.groups, view)}
    for g in view.groups:
        if g.merged:  # the members' differences added, so the shown gap is the shown score minus the shown mean
            parts = [c.national.group_differences.get(m) for m in g.members]
            gap = None if any(p is None for p in parts) else round(sum(parts), view.digits)
        else:
            gap = c.national.group_differences.get(g.code)
        mean = means[g.code]
        word, cls = _word(lang, gap)
        name = localized_name(g, lang)
        title = translate(lang, "compare.explain.group", group=name, n=len(c.national.members), period=period)
        if gap is not None:
            title += " " + translate(lang, "compare.group_sentence", unit=c.name, word=word,
                                     score=format_number(scores[g.code], 2, lang),
                                     gap=format_number(abs(gap), 2, lang))
        groups.append({"code": g.code, "name": name, "max": g.max, "score": scores[g.code], "mean": mean,
                       "difference": gap, "signed": format_signed(gap, lang), "word": word, "cls": cls,
                       "title": title})
    return {"unit": c.name, "unit_code": c.unit_code, "total": c.total, "window": c.window, "refs": refs,
            "groups": groups, "error": None}


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
    view, switch = group_view.context(request, table.definition)
    panels = score_panels(ctx, request.app.state, table, province, view)
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
        "compare": comparisons_context(ctx, table, province, lang, view) if panels["me"] else None,
        **switch, **live,
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
