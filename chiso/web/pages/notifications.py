"""Thông báo (notifications): ``/notifications``, the header's bell, marking read.

Each signed-in person reads their own notifications only (the reminders ``chiso reminders
send`` made for their agency), newest first, 25 a page; marking read is a form post (CSRF)
on their own notifications only, audited (``notifications.read``). The bell in the page
header asks ``/notifications/count`` (an HTMX fragment: the number of unread ones).
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from chiso.store import repo_notifications as repo
from chiso.store.repo_catalogue import live_indicators
from chiso.web.context import WebContext, web_context
from chiso.web.pages.indicators import province_of, render, unit_name
from chiso.web.security.deps import Principal, current_principal, require_write

router = APIRouter()

PER_PAGE = 25


@router.get("/notifications/count", response_class=HTMLResponse)
def notifications_count(ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """The bell's number: unread notifications of the signed-in person (empty when none)."""
    with ctx.database.session() as session:
        account = repo.account_id(session, principal.username)
        n = repo.unread(session, account) if account is not None else 0
    body = f'<span class="bell-count">{n}</span>' if n else ""
    return HTMLResponse(body, headers={"Cache-Control": "private, no-store"})


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request, page: int = Query(1, ge=1, le=10_000), marked: int | None = None,
                       ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """The signed-in person's notifications, newest first, unread ones marked."""
    with ctx.database.session() as session:
        account = repo.account_id(session, principal.username)
        rows = repo.notifications(session, account, limit=PER_PAGE, offset=(page - 1) * PER_PAGE) if account else []
        total = repo.count(session, account) if account else 0
        unread = repo.unread(session, account) if account else 0
        indicators = live_indicators(session, province_of(principal))
    pages = max(1, -(-total // PER_PAGE))
    return render(request, "notifications.html", {
        "rows": rows, "total": total, "unread": unread, "page": page, "pages": pages,
        "first": (page - 1) * PER_PAGE + 1 if rows else 0, "last": (page - 1) * PER_PAGE + len(rows),
        "indicators": indicators, "marked": marked, "unit_name": lambda c: unit_name(ctx, c)},
        principal, "notifications")


@router.post("/notifications/read")
def notifications_read(ids: list[int] = Form(default_factory=list), all: str = Form(""),
                       ctx: WebContext = Depends(web_context), principal: Principal = Depends(require_write)):
    """Mark the person's own notifications read: the ids given, or all of them (``all=1``)."""
    with ctx.database.session() as session:
        account = repo.account_id(session, principal.username)
        n = 0 if account is None else repo.mark_read(session, account, principal.username,
                                                      None if all == "1" else ids)
    return RedirectResponse(f"/notifications?marked={n}", status_code=303)
