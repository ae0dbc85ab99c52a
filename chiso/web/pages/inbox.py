"""The head's approval inbox (chờ duyệt): ``/inbox``.

The indicator × periods the head's agency submitted that await approval, the latest submitted
first, ten a page; each with its values against what came before (the value a correction
replaced, or the series' latest earlier one): old → new, the difference and the change in per cent.
The head ticks one or more and approves them, or returns them to the officer with a comment
(required); an administrator sees every agency's and may return (approving is the owner
head's). ``POST /inbox`` (CSRF) moves each ticked period through ``chiso.collect.values``
(``approve`` / ``return_period``: checked, serialised per indicator × period, audited) and
answers with a redirect saying how many moved; a refusal of some lists them on the page.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from chiso.collect.values import Actor, approve, return_period
from chiso.errors import ChisoError
from chiso.store.repo_catalogue import live_indicators
from chiso.store.repo_values import late_periods, period_changes, periods_in_state
from chiso.web.context import WebContext, web_context
from chiso.web.i18n import request_language, translate
from chiso.web.nfc import nfc_text
from chiso.web.pages.indicators import forbidden, province_of, render, who_text
from chiso.web.security.deps import Principal, current_principal, require_write

router = APIRouter()

#: Periods on one page of the inbox.
PAGE_SIZE = 10
#: Value rows shown for one period (the rest: on the indicator page).
ROWS_SHOWN = 8
#: Who opens the inbox: the head of an agency (its own), an administrator (every agency's).
INBOX_ROLES = ("head", "admin")


def _text(request: Request, key: str) -> str:
    return translate(request_language(request), key)


def _owners(ctx: WebContext, principal: Principal) -> list[str] | None:
    """The owner agencies whose periods the principal sees: the head's own; None = all (admin)."""
    return None if principal.role == "admin" else [principal.unit_code]


def _change(old: float | None, new: float | None) -> tuple[float | None, float | None]:
    """(new − old, the change in per cent of old) — None where it cannot be told."""
    if old is None or new is None:
        return None, None
    diff = new - old
    return diff, (diff / abs(old) * 100 if old else None)


def _items(ctx: WebContext, principal: Principal, page: int) -> tuple[list[dict], int, int]:
    province = province_of(principal)
    with ctx.database.session() as session:
        catalogue = live_indicators(session, province)
        rows, total = periods_in_state(session, "submitted", owners=_owners(ctx, principal),
                                       indicators=list(catalogue), limit=PAGE_SIZE,
                                       offset=(max(page, 1) - 1) * PAGE_SIZE)
        late = late_periods(session, [(p.indicator, p.period) for p in rows])
        items = []
        for p in rows:
            values, count = period_changes(session, p.indicator, p.period, limit=ROWS_SHOWN)
            for v in values:
                v["diff"], v["pct"] = _change(v["old"], v["value"])
                v["unit"] = ctx.tree.get(v["unit_code"]) if v["unit_code"] in ctx.tree else {"name": v["unit_code"]}
            items.append({"p": p, "ind": catalogue.get(p.indicator), "values": values, "count": count,
                          "late": (p.indicator, p.period) in late,
                          "key": f"{p.indicator}@{p.period}"})
    pages = max(1, -(-total // PAGE_SIZE))
    return items, total, pages


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, page: int = 1, approved: int = 0, returned: int = 0,
               ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """Chờ duyệt: the agency's submitted periods, the latest first, to approve or return."""
    return _page(request, ctx, principal, page=page, done={"approve": approved, "return": returned})


def _page(request: Request, ctx: WebContext, principal: Principal, *, page: int = 1, done=None, errors=None,
          comment: str = "", picked=(), status_code: int = 200) -> HTMLResponse:
    if principal.role not in INBOX_ROLES:
        raise forbidden(f"Hộp chờ duyệt dành cho thủ trưởng cơ quan và quản trị viên / the approval inbox is for "
                        f"agency heads and administrators; {who_text(principal)}")
    items, total, pages = _items(ctx, principal, page)
    unit = ctx.tree.get(principal.unit_code) if principal.unit_code in ctx.tree else {"name": principal.unit_code}
    return render(request, "inbox.html", {
        "items": items, "total": total, "page": min(max(page, 1), pages), "pages": pages, "unit_obj": unit,
        "done": {k: v for k, v in (done or {}).items() if v}, "errors": errors or [], "comment": comment,
        "picked": set(picked), "may_approve": principal.role == "head"}, principal, "inbox",
        status_code=status_code)


@router.post("/inbox", response_class=HTMLResponse)
def inbox_act(request: Request, action: str = Form(...), item: list[str] = Form(default=[]),
              comment: str = Form(""), page: int = Form(1), ctx: WebContext = Depends(web_context),
              principal: Principal = Depends(require_write)):
    """Approve the ticked periods, or return them with the comment; each is its own move (checked,
    serialised, audited). All done: a redirect to the inbox saying how many; otherwise the page
    with the ones refused and why."""
    comment = nfc_text(comment).strip()
    if principal.role not in INBOX_ROLES:
        raise forbidden(f"Chỉ thủ trưởng cơ quan chủ quản duyệt hay trả lại số liệu / only the head of the owner "
                        f"agency approves or returns values; {who_text(principal)}")
    if action not in ("approve", "return"):
        return _page(request, ctx, principal, page=page, errors=[("", _text(request, "inbox.need_items"))], comment=comment)
    picked = list(dict.fromkeys(i for i in item if "@" in i))
    if not picked:
        return _page(request, ctx, principal, page=page, errors=[("", _text(request, "inbox.need_items"))], comment=comment)
    if action == "return" and not comment:
        return _page(request, ctx, principal, page=page, errors=[("", _text(request, "inbox.need_comment"))], comment=comment,
                     picked=picked)
    actor = Actor(by=principal.username, role=principal.role, as_unit=principal.unit_code)
    now = dt.datetime.now(dt.UTC)
    done, errors = 0, []
    for key in picked:
        code, period = key.split("@", 1)
        try:
            with ctx.database.session() as session:
                catalogue = live_indicators(session, province_of(principal))
                if action == "approve":
                    approve(session, catalogue, ctx.tree, indicator=code, period=period, actor=actor, now=now)
                else:
                    return_period(session, catalogue, ctx.tree, indicator=code, period=period, actor=actor,
                                  comment=comment, now=now)
            done += 1
        except ChisoError as e:  # not the owner's head, not submitted any more, busy: said per item
            errors.append((key, str(e)))
    if errors:
        return _page(request, ctx, principal, page=page, errors=errors, comment=comment,
                     done={action: done}, picked=[k for k, _ in errors])
    return RedirectResponse("/inbox?" + urlencode({"approved" if action == "approve" else "returned": done}),
                            status_code=303)
