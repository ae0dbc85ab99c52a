"""The catalogue workflow (quy trình 6 bước): ``/workflow``.

Indicators in kanban-like columns, one per lifecycle step (and one for retired ones);
each card offers the moves the lifecycle allows *and* the signed-in person may make, with
a required comment; the history of moves underneath.

Who may move an indicator (``may_move``; the lifecycle rules themselves are
``chiso.catalog.lifecycle``):

- ``admin`` — every move the lifecycle allows;
- ``leader`` — approves (``unified → approved``), sends back for rework and retires;
- ``head`` of the owner agency — the early steps: proposes and standardises
  (forward to ``candidate``, ``standardised``, ``unified``), sends back among them, and
  restarts a retired indicator of theirs;
- ``officer`` and ``viewer`` — read only.

Putting an approved indicator into operation (``approved → in_operation``: its data are
connected) is the administrator's, who runs the connections.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from chiso.catalog.indicator import LIFECYCLE
from chiso.catalog.lifecycle import STATE_LABELS, allowed_moves, transition_kind
from chiso.store.repo_catalogue import lifecycle_log, move_indicator
from chiso.web.context import WebContext, web_context
from chiso.web.pages.indicators import catalogue_of, forbidden, province_of, render, unit_name, who_text
from chiso.web.security.deps import Principal, current_principal, require_write

router = APIRouter()

#: The early steps an owner agency's head moves its indicators into.
EARLY_STEPS = ("needs_identified", "candidate", "standardised", "unified")


def refusal(principal: Principal, ind, to_state: str) -> str | None:
    """Why the principal may not move ``ind`` to ``to_state`` — or None when they may.

    The lifecycle's own rule (one step forward, back for rework…) is checked by the store.
    """
    kind = transition_kind(ind.status, to_state)
    role = principal.role
    if role == "admin":
        return None
    if role == "leader":
        if to_state == "approved" and kind == "forward" or kind in ("rework", "retire"):
            return None
        return ("lãnh đạo phê duyệt (thống nhất → phê duyệt), trả lại để làm lại hoặc cho ngừng sử dụng / a leader "
                "approves (unified → approved), sends back for rework or retires")
    if role == "head":
        if ind.owner != principal.unit_code:
            return (f"chỉ thủ trưởng cơ quan chủ quản {ind.owner} đề xuất, chuẩn hoá chỉ số này / only the head of "
                    f"the owner agency {ind.owner} proposes and standardises this indicator")
        if to_state in EARLY_STEPS and kind in ("forward", "rework", "restart"):
            return None
        return ("thủ trưởng cơ quan chủ quản làm các bước 1–4 (đề xuất, chuẩn hoá, thống nhất); phê duyệt là "
                "của lãnh đạo / an owner agency's head moves through steps 1–4; approval is a leader's")
    return "cán bộ nhập liệu và người xem chỉ xem quy trình / officers and viewers read the workflow only"


def moves_for(principal: Principal, ind) -> list[str]:
    """The states the principal may move ``ind`` to."""
    return [s for s in allowed_moves(ind.status) if refusal(principal, ind, s) is None]


@router.get("/workflow", response_class=HTMLResponse)
def workflow_page(request: Request, owner: str | None = None, ctx: WebContext = Depends(web_context),
                  principal: Principal = Depends(current_principal)):
    """Quy trình 6 bước: indicators by state, the moves each person may make, the history."""
    province = province_of(principal)
    catalogue = catalogue_of(ctx, province)
    columns = {s: [] for s in LIFECYCLE}
    for ind in catalogue.indicators.values():
        if owner and ind.owner != owner:
            continue
        columns[ind.status].append({"ind": ind, "moves": moves_for(principal, ind)})
    with ctx.database.session() as session:
        log = lifecycle_log(session, province)
    log.reverse()
    owners = sorted({i.owner for i in catalogue.indicators.values()}, key=lambda c: unit_name(ctx, c))
    return render(request, "workflow.html", {
        "columns": columns, "states": STATE_LABELS, "log": log[:100], "log_total": len(log),
        "owner": owner or "", "owners": [(c, unit_name(ctx, c)) for c in owners],
        "unit_name": lambda c: unit_name(ctx, c)}, principal, "indicators")


@router.post("/workflow/{code}/move", response_class=HTMLResponse)
def move(request: Request, code: str, to_state: str = Form(...), comment: str = Form(""),
         ctx: WebContext = Depends(web_context), principal: Principal = Depends(require_write)):
    """Move an indicator to another lifecycle state, with a comment (who and when are recorded)."""
    province = province_of(principal)
    ind = catalogue_of(ctx, province).indicators.get(code)
    if ind is None:
        raise HTTPException(404, f"Không có chỉ số {code!r} / no indicator {code!r} in province {province}")
    why = refusal(principal, ind, to_state)
    if why is not None:
        raise forbidden(f"Không được chuyển {code} từ {ind.status} sang {to_state}: {why}; {who_text(principal)}")
    if not comment.strip():
        raise HTTPException(400, f"Cần ý kiến (lý do, quyết định, cuộc họp) để chuyển {code} / a move needs a "
                                 "comment (the reason, the decision, the meeting)")
    with ctx.database.session() as session:  # the lifecycle refuses a move with NotAllowedError (403)
        move_indicator(session, code, to_state, by=principal.username, comment=comment, province=province)
    if request.headers.get("hx-request"):
        return workflow_page(request, owner=request.query_params.get("owner"), ctx=ctx, principal=principal)
    return RedirectResponse("/workflow", status_code=303)
