"""Trang đơn vị (the unit page): ``/units/{code}``.

A unit's total and rank, its comparisons (the national average, its province's units of the
same level, peer provinces, the same period last year, last week:
``chiso.web.pages.overview.comparisons_context``), its group and criterion breakdown with the
points lost, its weekly trend, the records behind the lost points (``chiso.web.pages.unit_records``, an HTMX
fragment at ``/units/{code}/records``) and a what-if panel (``chiso.evaluate.whatif``,
an HTMX fragment at ``/units/{code}/whatif``; a read, so GET).

Who may open it: ``can_read_unit`` — administrators every unit, leaders and viewers their
province's units, heads and officers their own unit only (403 otherwise).
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from chiso.catalog.presentation import GroupView, present, six_view
from chiso.catalog.records import RECORD_KINDS
from chiso.evaluate.whatif import whatif
from chiso.web.context import WebContext, web_context
from chiso.web.i18n import request_language, term
from chiso.web.pages import charts, group_view, views
from chiso.web.pages.overview import comparisons_context
from chiso.web.pages.render import render
from chiso.web.security.deps import Principal, can_read_unit, current_principal

router = APIRouter()


def readable_unit(ctx: WebContext, principal: Principal, code: str):
    """The unit, if it exists (404) and the principal may read it (403 with the rule)."""
    if code not in ctx.tree:
        raise HTTPException(404, f"không có đơn vị mã {code!r} / unknown unit {code!r}")
    if not can_read_unit(principal, code, ctx.tree):
        raise HTTPException(403, f"Không đủ quyền: tài khoản {principal.username!r} "
                                 f"({term('vi', 'role', principal.role)}, đơn vị "
                                 f"{principal.unit_code}) chỉ được xem số liệu của đơn vị mình / forbidden: "
                                 f"{principal.username!r} may read only its own unit's data, not {code!r}")
    return ctx.tree.get(code)


def column_heading(name: str, lang: str) -> str:
    """A record column as the records' schema names it (``received_date`` → ``Ngày tiếp nhận``);
    in English the column's name in words (``received date``)."""
    if lang == "vi":
        for kind in RECORD_KINDS.values():
            for f in kind.fields:
                if f.name == name and f.vi:
                    return f.vi
    return name.replace("_", " ")


def breakdown(table, code: str, view: GroupView | None = None) -> list[dict]:
    """Groups (as ``view`` shows them: a merged group lists its members' criteria) with their
    criteria: points, maximum, points lost, ratio, numerator, denominator."""
    d = table.definition
    view = view or six_view(d)
    unit = table.unit(code)
    rows = {r["criterion"]: r for r in table.unit_criteria(code).to_dicts()}
    # a group's maximum shown is its determined part's (a criterion not yet determined scores nothing)
    shown = {r.code: r for r in present(unit, view, maxima={g.code: g.max_determined for g in d.groups})}
    out = []
    for g in view.groups:
        criteria = []
        for c in (c for m in g.members for c in d.group(m).criteria):
            r = rows.get(c.code, {})
            points = r.get("points")
            criteria.append({"code": c.code, "name": c.name, "name_en": c.name_en, "max": c.max,
                             "points": points,
                             "lost": round(c.max - (points or 0.0), 2) if c.determined else None,
                             "determined": c.determined,
                             "ratio": r.get("ratio"), "numerator": r.get("numerator"),
                             "denominator": r.get("denominator"),
                             "explainable": c.attested is None and c.determined})
        score = shown[g.code].points  # None: no criterion of the group is determined yet (never 0)
        top = shown[g.code].max
        out.append({"code": g.code, "name": g.name, "name_en": g.name_en, "max": top, "score": score,
                    "lost": round(top - score, 2) if score is not None else None,
                    "determined": score is not None, "criteria": criteria})
    return out


@router.get("/units/{code}", response_class=HTMLResponse)
def unit_page(request: Request, code: str, window: str | None = None, ctx: WebContext = Depends(web_context),
              principal: Principal = Depends(current_principal)):
    unit = readable_unit(ctx, principal, code)
    table = views.scores(ctx, window)
    me = table.unit(code)  # no score in the window: UnknownUnitError (404)
    series = views.weekly_series(ctx, request.app.state, table.window)
    trend = views.unit_trend(series, code)
    view, switch = group_view.context(request, table.definition)
    groups = breakdown(table, code, view)
    parent = ctx.tree.get(unit.parent_code) if unit.parent_code and unit.parent_code in ctx.tree else None
    lost_first = sorted((c for g in groups for c in g["criteria"] if c["explainable"] and (c["lost"] or 0) > 0),
                        key=lambda c: -c["lost"])
    return render(request, "unit.html", {
        "unit": unit, "me": me, "table": table, "groups": groups, "parent": parent,
        "parent_readable": parent is not None and can_read_unit(principal, parent.code, ctx.tree),
        "trend_chart": charts.trend(trend, request_language(request), with_rank=True),
        "first_criterion": lost_first[0]["code"] if lost_first else None,
        "compare": comparisons_context(ctx, table, code, request_language(request), view), **switch,
    }, principal=principal, active="rankings", window=table.window)


@router.get("/units/{code}/whatif", response_class=HTMLResponse)
def unit_whatif(request: Request, code: str, window: str | None = None, ctx: WebContext = Depends(web_context),
                principal: Principal = Depends(current_principal)):
    """The points a unit gains if criteria reached the ratios entered (percent), as a fragment."""
    readable_unit(ctx, principal, code)
    table = views.scores(ctx, window)
    levels: dict[str, float] = {}
    known = {c.code for c in table.definition.criteria} | {g.code for g in table.definition.groups}
    for key, value in request.query_params.items():
        if key in known and value.strip():
            try:
                levels[key] = float(value.replace(",", ".").rstrip("% ")) / 100
            except ValueError:
                raise HTTPException(400, f"{key}: {value!r} không phải là tỷ lệ phần trăm / is not a percentage") \
                    from None
    result = None
    if levels:
        try:
            result = whatif(table, code, levels)
        except (KeyError, ValueError) as e:  # a ratio out of 0–100 %: bad input
            raise HTTPException(400, e.args[0]) from None
    return render(request, "unit_whatif.html", {"result": result, "definition": table.definition},
                  principal=principal, window=table.window)
