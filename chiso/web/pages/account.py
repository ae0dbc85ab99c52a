"""Tài khoản của tôi and the province's accounts: ``/account`` and ``/admin/accounts``.

- ``/account`` — every signed-in person: their name, username, role (in the page's language),
  unit, and their e-mail address for deadline reminders, which they set or clear
  (``POST /account/email``).
- ``/admin/accounts`` — administrators: the accounts of their province, paged
  (``PAGE_SIZE`` a page) and filtered by unit, role and a text (name, username or address),
  each with its e-mail address editable (``POST /admin/accounts/{username}/email``).

Both writes go through the one repository function the CLI uses
(``chiso.store.repo_notifications.set_email``), which audits the change as
``account.email`` with the actor and the account changed (who set whose) and the address
before and after. The forms carry the CSRF token (``require_write``); an address is checked
here (``email_problem``) before the store's own check, and a refused one changes nothing and
comes back in the page with the reason (HTTP 400). An administrator changes the accounts of
their own province only.
"""
from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from chiso.errors import ChisoError
from chiso.store.models_accounts import ACCOUNT_ROLES, Account
from chiso.store.repo_accounts import get_account, list_accounts
from chiso.store.repo_notifications import set_email
from chiso.text import fold
from chiso.web.context import WebContext, web_context
from chiso.web.i18n import request_language, translate
from chiso.web.pages.indicators import province_of, render, unit_name
from chiso.web.security.deps import Principal, current_principal, require_roles, require_write

router = APIRouter()

PAGE_SIZE = 25
#: The longest address accepted (RFC 5321: 254 characters in a path, 64 in its local part).
MAX_ADDRESS, MAX_LOCAL = 254, 64
#: One address: something without spaces or a second ``@``, an ``@``, and a domain with a dot
#: whose labels are letters, digits and hyphens (IDN domains as typed, in any letters).
ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}$")


def email_problem(address: str) -> str | None:
    """The message key of what is wrong with an address (None: it is one, or it is empty)."""
    if not address:
        return None
    if len(address) > MAX_ADDRESS:
        return "account.error.too_long"
    local, _, _ = address.partition("@")
    if not ADDRESS.match(address) or len(local) > MAX_LOCAL or ".." in address or local.startswith(".") \
            or local.endswith("."):
        return "account.error.invalid"
    return None


def _clean(address: str | None) -> str:
    return (address or "").strip()


def _person(ctx: WebContext, account: Account, lang: str) -> dict:
    return {"username": account.username, "name": account.display_name, "role": account.role,
            "role_name": translate(lang, f"user.role.{account.role}"), "unit": account.unit_code,
            "unit_name": unit_name(ctx, account.unit_code), "email": account.email or "",
            "active": account.active}


def _own(ctx: WebContext, principal: Principal) -> Account:
    with ctx.database.session() as session:
        account = get_account(session, principal.username)
        if account is None:  # an API token's owner is an account too; a session always is
            raise HTTPException(404, f"Không có tài khoản {principal.username!r} / no account "
                                     f"{principal.username!r}")
        session.expunge(account)
    return account


def _account_page(request: Request, ctx: WebContext, principal: Principal, *, error: str | None = None,
                  typed: str | None = None, status_code: int = 200) -> HTMLResponse:
    lang = request_language(request)
    account = _own(ctx, principal)
    return render(request, "account.html", {
        "me": _person(ctx, account, lang), "error": error, "typed": typed,
        "saved": request.query_params.get("saved", "")}, principal, "account", status_code=status_code)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, ctx: WebContext = Depends(web_context),
                 principal: Principal = Depends(current_principal)):
    """Tài khoản của tôi: who I am here, and my e-mail address for reminders."""
    return _account_page(request, ctx, principal)


@router.post("/account/email", response_class=HTMLResponse)
def own_email(request: Request, email: str = Form(""), ctx: WebContext = Depends(web_context),
              principal: Principal = Depends(require_write)):
    """Set (or, empty, clear) my own e-mail address; audited, CSRF-checked."""
    address = _clean(email)
    problem = email_problem(address)
    lang = request_language(request)
    if problem is not None:
        return _account_page(request, ctx, principal, error=translate(lang, problem, value=address),
                             typed=address, status_code=400)
    try:
        with ctx.database.session() as session:
            set_email(session, principal.username, address or None, by=principal.username)
    except ChisoError as e:
        return _account_page(request, ctx, principal, error=translate(lang, "account.error.store", reason=str(e)),
                             typed=address, status_code=400)
    return RedirectResponse("/account?saved=" + ("set" if address else "cleared"), status_code=303)


# ------------------------------------------------------------------------ administrators

def _filters(unit: str | None, role: str | None, q: str | None) -> dict:
    return {"unit": (unit or "").strip(), "role": role if role in ACCOUNT_ROLES else "", "q": (q or "").strip()}


def _admin_page(request: Request, ctx: WebContext, admin: Principal, filters: dict, page: int, *,
                error: tuple[str, str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    """The province's accounts, filtered and paged. ``error``: (username, message, what was typed)."""
    lang = request_language(request)
    province = province_of(admin)
    with ctx.database.session() as session:
        everyone = list_accounts(session, province)
        people = [_person(ctx, a, lang) for a in everyone]
    units = sorted({p["unit"] for p in people}, key=lambda c: fold(unit_name(ctx, c)))
    needle = fold(filters["q"]) if filters["q"] else ""
    chosen = [p for p in people
              if (not filters["unit"] or p["unit"] == filters["unit"])
              and (not filters["role"] or p["role"] == filters["role"])
              and (not needle or needle in fold(" ".join((p["username"], p["name"], p["email"]))))]
    # by unit (the province first, then by name), then by role as ACCOUNT_ROLES orders them, then name
    order = {c: i for i, c in enumerate(units)}
    chosen.sort(key=lambda p: (p["unit"] != province, order.get(p["unit"], 0), ACCOUNT_ROLES.index(p["role"])
                               if p["role"] in ACCOUNT_ROLES else 99, fold(p["name"])))
    total = len(chosen)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    number = min(max(page, 1), pages)
    shown = chosen[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
    kept = {k: v for k, v in filters.items() if v}

    def link(**changes) -> str:
        q = {**kept, **{k: v for k, v in changes.items() if v not in (None, "", 1)}}
        for k, v in changes.items():
            if v in (None, "", 1):
                q.pop(k, None)
        return "/admin/accounts" + (f"?{urlencode(q)}" if q else "")

    return render(request, "admin_accounts.html", {
        "people": shown, "total": total, "everyone": len(people), "page": number, "pages": pages,
        "first": (number - 1) * PAGE_SIZE + 1, "last": (number - 1) * PAGE_SIZE + len(shown),
        "filters": filters, "filtered": bool(kept), "link": link, "back": link(page=number),
        "units": [(c, unit_name(ctx, c)) for c in units], "roles": ACCOUNT_ROLES,
        "error": error, "saved": request.query_params.get("saved", "")}, admin, "accounts",
        status_code=status_code)


@router.get("/admin/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, unit: str | None = Query(None, max_length=32),
                  role: str | None = Query(None, max_length=16), q: str | None = Query(None, max_length=100),
                  page: int = Query(1, ge=1, le=100_000), ctx: WebContext = Depends(web_context),
                  admin: Principal = Depends(require_roles("admin"))):
    """Tài khoản trong tỉnh (administrators): paged, filtered by unit, role and text; each
    account's e-mail address editable."""
    return _admin_page(request, ctx, admin, _filters(unit, role, q), page)


@router.post("/admin/accounts/{username}/email", response_class=HTMLResponse)
def account_email(request: Request, username: str, email: str = Form(""), back: str = Form(""),
                  ctx: WebContext = Depends(web_context), writer: Principal = Depends(require_write)):
    """An administrator sets or clears the e-mail address of an account of their province
    (audited as theirs: who set whose)."""
    if writer.role != "admin":
        raise HTTPException(403, f"Chỉ quản trị viên đổi địa chỉ thư điện tử của tài khoản khác / only an "
                                 f"administrator changes another account's e-mail address; {writer.username!r} "
                                 f"has role {writer.role}")
    province = province_of(writer)
    with ctx.database.session() as session:
        target = get_account(session, username)
        found = target is not None and target.province_code == province
    if not found:
        raise HTTPException(404, f"Không có tài khoản {username!r} trong tỉnh / no account {username!r} in the "
                                 f"province")
    address = _clean(email)
    lang = request_language(request)
    # the page to come back to: this page's own address with its filters, nothing else
    target_page = back if back.startswith("/admin/accounts") and "//" not in back and "\\" not in back \
        else "/admin/accounts"
    problem = email_problem(address)
    message = translate(lang, problem, value=address) if problem else None
    if message is None:
        try:
            with ctx.database.session() as session:
                set_email(session, username, address or None, by=writer.username)
        except ChisoError as e:
            message = translate(lang, "account.error.store", reason=str(e))
    if message is not None:
        from_back = dict(parse_qsl(urlsplit(target_page).query))
        filters = _filters(from_back.get("unit"), from_back.get("role"), from_back.get("q"))
        page = int(from_back.get("page", "1")) if from_back.get("page", "1").isdigit() else 1
        return _admin_page(request, ctx, writer, filters, page, error=(username, message, address), status_code=400)
    joiner = "&" if "?" in target_page else "?"
    return RedirectResponse(f"{target_page}{joiner}{urlencode({'saved': username})}#account-{username}",
                            status_code=303)
