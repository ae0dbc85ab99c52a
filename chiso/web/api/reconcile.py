"""``GET /api/v1/reconcile``: chiso's own scores beside the national portal's (issue 15, part A).

The rows of the page ``/reconcile`` (``chiso.web.pages.reconcile``) as JSON, for the same
principal: leaders, viewers and administrators their province's units, an agency's staff
their own unit's. ``reason`` is a code with ``reason_values``; ``reason_text`` says it in the
request's language (``?lang=en``).
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request

from chiso.web.api.access import Principal, WebContext, signed_in, web_context
from chiso.web.api.pagination import window_param
from chiso.web.i18n import request_language
from chiso.web.pages.reconcile import reconcile_context

router = APIRouter(prefix="/api/v1/reconcile", tags=["reconcile"])

window_of = window_param()

FIELDS = ("unit_code", "name", "level", "item", "item_kind", "item_name", "group", "ours", "published", "difference",
          "within", "ours_numerator", "ours_denominator", "published_numerator", "published_denominator",
          "connector", "fetched_at", "reason", "reason_values", "reason_text", "url")


@router.get("", summary="Chênh lệch với Cổng DVCQG / differences from the national portal")
def api_reconcile(request: Request, window: str | None = Depends(window_of),
                  level: Literal["province", "department", "commune"] | None = None, beyond: bool = False,
                  principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """Per unit and item the portal published: chiso's score, the portal's, the difference
    (chiso − portal), within tolerance or not, and why; largest gaps first."""
    data = reconcile_context(ctx, principal, window, level=level, beyond=beyond, lang=request_language(request))
    rows = [{k: (r[k].isoformat() if k == "fetched_at" and r[k] is not None else r[k]) for k in FIELDS}
            for r in data["rows"]]
    return {"window": data["window"], "province": data["province"], "tolerance": data["tolerance"],
            "summary": data["summary"], "published": data["published"],
            "connectors": [{**c, **{k: (c[k].isoformat() if c[k] is not None else None)
                                    for k in ("last_run_at", "last_success_at")}} for c in data["connectors"]],
            "rows": rows}
