"""The catalogue workflow (quy trình 6 bước): ``/workflow``.

Indicators grouped by lifecycle step (and retired), each group with its count, closed unless
it holds an indicator the signed-in person may move forward, a few cards each (one step alone
with ``?state=``, paged); filters by field, owner and step. Each card offers the moves the
lifecycle allows *and* the person may make, with a required comment: the next step first
(a button), going back (nearest step first, labelled as such) and retiring behind a closed
"other moves" whose select starts at nothing chosen — so an operating indicator, which has no
next step, is never offered "back to step 1" first. The latest moves underneath.

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

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from chiso.catalog.indicator import LIFECYCLE
from chiso.catalog.lifecycle import STATE_LABELS, allowed_moves, transition_kind
from chiso.store.repo_catalogue import lifecycle_log, move_indicator
from chiso.web.context import WebContext, web_context
from chiso.web.pages.indicators import (
    catalogue_of,
    field_names,
    forbidden,
    province_of,
    render,
    unit_name,
    who_text,
)
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


#: The order moves are offered in: the next step first, then back for rework (the nearest
#: step first), a restart of a retired indicator, retirement last.
KIND_ORDER = {"forward": 0, "restart": 1, "rework": 2, "retire": 3}
#: Cards shown in each state's group on the board; the rest are one click away (``?state=``).
GROUP_SHOWN = 6
#: Cards a page when one state is asked for.
PAGE_SIZE = 24
#: Lines of the history of moves shown under the board.
HISTORY_SHOWN = 10


def moves_for(principal: Principal, ind) -> list[dict]:
    """The moves the principal may make on ``ind``, each ``{"state", "kind"}``, in the order they
    are offered (``KIND_ORDER``; rework nearest step first): never "back to step 1" first."""
    moves = [{"state": s, "kind": transition_kind(ind.status, s)} for s in allowed_moves(ind.status)
             if refusal(principal, ind, s) is None]
    return sorted(moves, key=lambda m: (KIND_ORDER[m["kind"]],
                                        -LIFECYCLE.index(m["state"]) if m["kind"] == "rework"
                                        else LIFECYCLE.index(m["state"])))


def board(catalogue, principal: Principal, *, field: str | None = None, owner: str | None = None,
          state: str | None = None, page: int = 1) -> dict:
    """The board's groups, one per lifecycle state (or only ``state``'s), after the filters:
    each with its count, the cards shown (``GROUP_SHOWN``, or a page of ``PAGE_SIZE`` for one
    state) and whether it opens by itself (it holds a card the person may move forward)."""
    groups = []
    pages = 1
    for s in LIFECYCLE:
        if state and s != state:
            continue
        cards = [{"ind": ind, "moves": moves_for(principal, ind)}
                 for ind in sorted(catalogue.indicators.values(), key=lambda i: i.code)
                 if ind.status == s and (not field or ind.field == field) and (not owner or ind.owner == owner)]
        actionable = sum(1 for c in cards if c["moves"] and c["moves"][0]["kind"] in ("forward", "restart"))
        if state:
            pages = max(1, -(-len(cards) // PAGE_SIZE))
            page = min(max(1, page), pages)
            shown = cards[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        else:
            shown = cards[:GROUP_SHOWN]
        groups.append({"state": s, "count": len(cards), "cards": shown, "actionable": actionable,
                       "movable": sum(1 for c in cards if c["moves"]),
                       "open": bool(state) or actionable > 0, "more": len(cards) - len(shown) if not state else 0})
    return {"groups": groups, "page": page, "pages": pages}


def workflow_context(request: Request, ctx: WebContext, principal: Principal, *, field: str | None,
                     owner: str | None, state: str | None, page: int) -> dict:
    province = province_of(principal)
    catalogue = catalogue_of(ctx, province)
    if state and state not in LIFECYCLE:
        raise HTTPException(400, f"Không có bước {state!r} / no lifecycle state {state!r}; "
                                 f"the states are {', '.join(LIFECYCLE)}")
    built = board(catalogue, principal, field=field or None, owner=owner or None, state=state or None, page=page)
    with ctx.database.session() as session:
        log = lifecycle_log(session, province)
    log.reverse()
    owners = sorted({i.owner for i in catalogue.indicators.values()}, key=lambda c: unit_name(ctx, c))
    return {
        **built, "columns": {g["state"]: g["cards"] for g in built["groups"]},
        "total": sum(g["count"] for g in built["groups"]),
        "states": STATE_LABELS, "log": log[:HISTORY_SHOWN], "log_total": len(log),
        "fields": field_names(catalogue),
        "filters": {"field": field or "", "owner": owner or "", "state": state or ""},
        "owner": owner or "", "owners": [(c, unit_name(ctx, c)) for c in owners],
        "unit_name": lambda c: unit_name(ctx, c)}


@router.get("/workflow", response_class=HTMLResponse)
def workflow_page(request: Request, field: str | None = None, owner: str | None = None,
                  state: str | None = None, page: int = Query(1, ge=1, le=10_000),
                  ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """Quy trình 6 bước: indicators grouped by state (counts; groups with nothing to do for the
    person closed; a few cards each, all of one state paged), the moves each person may make,
    the latest moves."""
    return render(request, "workflow.html", workflow_context(request, ctx, principal, field=field, owner=owner,
                                                             state=state, page=page), principal, "indicators")


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
    ctx.forget_values()
    if request.headers.get("hx-request"):
        q = request.query_params
        page = int(q["page"]) if q.get("page", "").isdigit() else 1
        return render(request, "workflow.html", workflow_context(
            request, ctx, principal, field=q.get("field"), owner=q.get("owner"), state=q.get("state"),
            page=page), principal, "indicators")
    back = "/workflow" + ("?" + request.url.query if request.url.query else "")
    return RedirectResponse(back, status_code=303)
