"""Chênh lệch với Cổng DVCQG (``/reconcile``): chiso's own scores beside the national portal's.

Per unit and item (the total, a group, a criterion) the portal published a figure for in the
window (``portal_figures``, brought by a ``target: portal`` connector): chiso's score, the
portal's, the difference (chiso − portal), whether it lies within ``CHISO_PORTAL_TOLERANCE``
and, where the counts tell it, why (``chiso.evaluate.reconcile``). Largest gaps first.

Leaders, viewers (the province office) and administrators read their province's rows; an
agency's head and officer their own unit's. Filters: the level (sở/ngành, xã/phường) and
"only beyond tolerance"; the window is the picker's. ``GET /api/v1/reconcile`` answers the
same rows as JSON (``chiso.web.api.reconcile``). Without any published figure for the window
the page says which connector to configure.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from chiso.evaluate.reconcile import LEVELS, reconcile, summary, tolerance
from chiso.store import repo_portal, repo_values
from chiso.text import format_number
from chiso.web.context import WebContext, web_context
from chiso.web.i18n import format_signed, localized_name, request_language, translate
from chiso.web.pages import views
from chiso.web.pages.render import render
from chiso.web.security.deps import Principal, can_read_unit, current_principal

router = APIRouter()


def _level(asked: str | None) -> str | None:
    level = (asked or "").strip() or None
    if level is not None and level not in LEVELS:
        raise HTTPException(400, f"cấp {level!r} không hợp lệ: {', '.join(LEVELS)} / level must be one of "
                                 f"{', '.join(LEVELS)}")
    return level


def item_name(table, item: str, lang: str) -> str:
    """The total, a group or a criterion by its name in the language."""
    if item == "total":
        return translate(lang, "reconcile.total")
    for g in table.definition.groups:
        if g.code == item:
            return localized_name(g, lang)
    for c in table.definition.criteria:
        if c.code == item:
            return localized_name(c, lang)
    return item


def reason_text(table, row: Mapping[str, Any], lang: str) -> str | None:
    """A row's reason in words (numbers by the one formatter)."""
    code, values = row.get("reason"), dict(row.get("reason_values") or {})
    if not code:
        return None
    words: dict[str, Any] = {}
    for key in ("published", "ours", "gap", "denominator", "numerator"):
        if key in values:
            words[key] = format_number(values[key], 0, lang=lang) if values[key] is not None else "—"
    if "difference" in values:
        words["difference"] = format_signed(values["difference"], lang, 2)
    for key in ("criterion", "group"):
        if key in values:
            words[key] = item_name(table, values[key], lang)
    records = values.get("records")
    words["records"] = translate(lang, f"reconcile.records.{records}") if records else \
        translate(lang, "reconcile.records.other")
    label = values.get("measure_label")
    words["measure"] = label if lang == "vi" and label else words["records"]
    return translate(lang, f"reconcile.reason.{code}", **words)


def portal_connectors(ctx: WebContext, principal: Principal) -> list[dict[str, Any]]:
    """The connectors bringing the portal's figures, with their last run: for those who read the
    whole province (the last error, which may name the source's address, for administrators)."""
    if not views.sees_whole_province(principal):
        return []
    with ctx.database.session() as s:
        return [{"name": c.name, "as_unit": c.as_unit, "last_status": c.last_status,
                 "last_run_at": c.last_run_at, "last_success_at": c.last_success_at,
                 "last_error": c.last_error if principal.role == "admin" else None}
                for c in repo_values.list_connectors(s) if (c.config or {}).get("target") == "portal"]


def reconcile_context(ctx: WebContext, principal: Principal, window: str | None, *, level: str | None,
                      beyond: bool, lang: str) -> dict[str, Any]:
    """The rows (and what the page says around them) for the principal: their province's units,
    or their own unit's rows for an agency's staff."""
    table = views.scores(ctx, window)
    province = views.home_province(principal, ctx.tree)
    if views.sees_whole_province(principal):
        units = {province, *(u.code for u in ctx.tree.units(province=province))}
    else:
        units = {principal.unit_code}
    chosen = _level(level)
    with ctx.database.session() as s:
        figures = repo_portal.figures(s, table.window, units)
    allowed = tolerance()
    rows = reconcile(table, figures, tolerance=allowed, units=units, level=chosen)
    counts = summary(rows)
    if beyond:
        rows = [r for r in rows if r["within"] is False]
    for r in rows:
        r["item_name"] = item_name(table, r["item"], lang)
        r["reason_text"] = reason_text(table, r, lang)
        r["url"] = (f"/units/{r['unit_code']}?window={table.window}"
                    if can_read_unit(principal, r["unit_code"], ctx.tree) else None)
    return {"table": table, "window": table.window, "province": province, "rows": rows, "summary": counts,
            "published": bool(figures), "tolerance": allowed, "level": chosen, "levels": LEVELS, "beyond": beyond,
            "connectors": portal_connectors(ctx, principal)}


@router.get("/reconcile", response_class=HTMLResponse)
def reconcile_page(request: Request, window: str | None = None, level: str | None = None, beyond: str | None = None,
                   ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """Chênh lệch với Cổng DVCQG for the window (default: the latest week)."""
    lang = request_language(request)
    data = reconcile_context(ctx, principal, window, level=level, beyond=bool(beyond), lang=lang)
    return render(request, "reconcile.html", data, principal=principal, active="reconcile", window=data["window"])
