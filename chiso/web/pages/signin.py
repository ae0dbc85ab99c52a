"""Routes of sign-in and security: /login, /logout, /api/v1/me, tokens, accounts, audit.

Views only ask: passwords, sessions, tokens and accounts are in their own modules;
every write goes through a repository that audits it, with the principal as the actor.
The API routes declare what they may answer (``chiso.web.errors.COMMON``, ``WRITES``); the
audit log's days are ``YYYY-MM-DD`` text (``chiso.web.api.pagination.Day``: ``until=0`` is 422,
not 1 January 1970) and its text filters carry no control characters.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from chiso.store import repo_accounts, repo_audit
from chiso.store.models_accounts import ACCOUNT_ROLES
from chiso.text import fold
from chiso.web import i18n
from chiso.web.context import WebContext, web_context
from chiso.web.errors import CODE, COMMON, DAY, TEXT, WRITES, Day
from chiso.web.pages import audit_lines
from chiso.web.pages.render import render
from chiso.web.security import accounts, csrf, passwords, sessions, throttle, tokens
from chiso.web.security.deps import (
    ROLES,
    Principal,
    csrf_token,
    current_principal,
    optional_principal,
    require_roles,
    require_write,
    role_label,
)
from chiso.web.security.texts import text

router = APIRouter(responses=COMMON)
AUDIT_PAGE_MAX = 500
#: What the schema states of an account's fields; the security modules check them (400 otherwise).
ROLE = {"enum": list(ACCOUNT_ROLES)}
#: A username as ``accounts.check_username`` takes it: ``USERNAME_RE`` once stripped and lower-cased.
USERNAME = {"pattern": r"^\s*[A-Za-z0-9][A-Za-z0-9._-]{2,63}\s*$"}
def audit_text(description: str | None = None):
    """A filter of the audit log: at most 200 characters, none of them a control character."""
    return Query(None, max_length=200, pattern=TEXT, description=description)
#: A day of the audit page's form: ``YYYY-MM-DD``, or empty (a browser sends a blank date field).
FORM_DAY = f"^(?:{DAY.strip('^$')})?$"


def known_unit(ctx: WebContext, code: str | None) -> None:
    """400 for a unit code in a request body that is not in the hierarchy: bad input, not a
    missing page (an ``UnknownUnitError`` let through would answer 404)."""
    if code is not None and code not in ctx.tree:
        raise HTTPException(400, f"không có đơn vị mã {code!r} / unknown unit code {code!r}")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (another site, ``//host``) is ``/``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _language(request: Request) -> str:
    return i18n.request_language(request)


def _page(request: Request, template: str, context: dict, principal, status_code: int = 200,
          headers: dict | None = None):
    lang = _language(request)
    context = {"tx": lambda key, **v: text(lang, key, **v), **context}
    response = render(request, template, context, principal=principal, status_code=status_code)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


# ------------------------------------------------------------------ sign-in pages
@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, next: str | None = None, signed_out: bool = False,
               principal: Principal | None = Depends(optional_principal)):
    if principal is not None and not signed_out:
        return RedirectResponse(safe_next(next), status_code=303)
    return _page(request, "login.html", {"next": safe_next(next), "error": None, "username": "",
                                         "signed_out": signed_out}, None)


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/"),
          ctx: WebContext = Depends(web_context)):
    csrf.check_origin(request)
    context = {"next": safe_next(next), "username": username, "signed_out": False}
    try:
        account = accounts.sign_in(ctx.database, username, password, client_address(request))
    except throttle.SignInThrottled as e:
        return _page(request, "login.html", {**context, "error": str(e)}, None, status_code=429,
                     headers={"Retry-After": str(e.retry_after)})
    except accounts.SignInFailed as e:
        return _page(request, "login.html", {**context, "error": str(e)}, None, status_code=401)
    raw = sessions.sign_in(ctx.database, account, client_address(request),
                           previous_raw=request.cookies.get(sessions.COOKIE_NAME))
    ctx.sessions.drop(request.cookies.get(sessions.COOKIE_NAME))  # rotated: the old one ends now
    response = RedirectResponse(safe_next(next), status_code=303)
    sessions.set_cookie(response, raw, request)
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, principal: Principal = Depends(require_write),
                 ctx: WebContext = Depends(web_context)):
    if principal.via == "session":
        raw = request.cookies.get(sessions.COOKIE_NAME)
        ctx.sessions.drop(raw)
        sessions.sign_out(ctx.database, raw, principal.username)
        ctx.sessions.drop(raw)  # and again: a request in between may have cached it
    response = RedirectResponse("/login?signed_out=1", status_code=303)
    sessions.clear_cookie(response, request)
    return response


# ------------------------------------------------------------------ who am I
@router.get("/api/v1/me", tags=["security"])
def me(request: Request, principal: Principal = Depends(current_principal)) -> dict:
    """The signed-in account: role, unit, province, how it authenticated and its scopes."""
    return {"username": principal.username, "display_name": principal.display_name,
            "role": principal.role, "role_label": role_label(principal.role),
            "unit_code": principal.unit_code, "province_code": principal.province_code,
            "via": principal.via, "scopes": sorted(principal.scopes),
            "csrf_token": csrf_token(request) if principal.via == "session" else None}


# ------------------------------------------------------------------ API tokens
class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=128, description="what the token is for")
    scope: str = Field("read", description="'read', 'read write' or 'read ingest' (push records)", json_schema_extra={"enum": ["read", "read write", "read ingest"]})
    expires_days: int | None = Field(None, ge=1, le=3650)
    owner: str | None = Field(None, description="another account (administrators only)")


@router.get("/api/v1/tokens", tags=["security"])
def list_tokens(principal: Principal = Depends(current_principal),
                ctx: WebContext = Depends(web_context)) -> dict:
    """Your API tokens (an administrator sees every account's); never the secrets."""
    items = tokens.list_for(ctx.database, principal)
    return {"items": items, "total": len(items)}


@router.post("/api/v1/tokens", status_code=201, tags=["security"], responses=WRITES)
def create_token(body: TokenRequest, principal: Principal = Depends(require_write),
                 ctx: WebContext = Depends(web_context)) -> dict:
    """Create an API token; the ``token`` in the answer is shown this once."""
    owner = body.owner or principal.username
    if owner != principal.username and principal.role != "admin":
        raise HTTPException(403, "Chỉ quản trị viên được tạo mã truy cập cho tài khoản khác / "
                                 "only an administrator may create a token for another account")
    new = tokens.create(ctx.database, principal.username, owner, body.name, body.scope, body.expires_days)
    return {"token": new.secret, "prefix": new.prefix, "name": new.name, "scope": new.scope,
            "owner": new.owner, "expires_at": new.expires_at.isoformat() if new.expires_at else None,
            "note": "Mã chỉ hiện một lần — hãy lưu lại / shown once — store it now"}


@router.delete("/api/v1/tokens/{prefix}", tags=["security"], responses=WRITES)
def revoke_token(prefix: str, principal: Principal = Depends(require_write),
                 ctx: WebContext = Depends(web_context)) -> dict:
    """Revoke a token by its prefix (yours; an administrator: anyone's)."""
    return tokens.revoke(ctx.database, principal, prefix)


# ------------------------------------------------------------------ accounts (administrator)
class AccountRequest(BaseModel):
    username: str = Field(json_schema_extra=USERNAME)
    password: str = Field(json_schema_extra={"minLength": passwords.MIN_LENGTH, "maxLength": passwords.MAX_LENGTH})
    role: str = Field(description=", ".join(ROLES), json_schema_extra=ROLE)
    unit_code: str
    display_name: str | None = None


class AccountChange(BaseModel):
    role: str | None = Field(None, json_schema_extra=ROLE)
    unit_code: str | None = None
    active: bool | None = None


@router.get("/api/v1/accounts", tags=["security"])
def list_accounts(province: str | None = Query(None, pattern=CODE), _admin: Principal = Depends(require_roles("admin")),
                  ctx: WebContext = Depends(web_context)) -> dict:
    """Every account (optionally of one province); administrators only."""
    with ctx.database.session() as s:
        items = [accounts.account_to_dict(a) for a in repo_accounts.list_accounts(s, province)]
    return {"items": items, "total": len(items)}


@router.post("/api/v1/accounts", status_code=201, tags=["security"], responses=WRITES)
def create_account(body: AccountRequest, admin: Principal = Depends(require_roles("admin")),
                   writer: Principal = Depends(require_write),
                   ctx: WebContext = Depends(web_context)) -> dict:
    """Create an account (administrators only); the password must meet the policy."""
    known_unit(ctx, body.unit_code)
    account = accounts.create_account(ctx.database, admin.username, username=body.username,
                                      password=body.password, role=body.role, unit_code=body.unit_code,
                                      tree=ctx.tree, display_name=body.display_name)
    return accounts.account_to_dict(account)


@router.patch("/api/v1/accounts/{username}", tags=["security"], responses=WRITES)
def change_account(username: str, body: AccountChange, admin: Principal = Depends(require_roles("admin")),
                   writer: Principal = Depends(require_write),
                   ctx: WebContext = Depends(web_context)) -> dict:
    """Change an account's role and/or unit, or (de)activate it (administrators only).

    A role change or a deactivation ends the account's sessions and revokes its tokens.
    """
    if body.role is None and body.unit_code is None and body.active is None:
        raise HTTPException(400, "không có gì để đổi: gửi role, unit_code hoặc active / "
                                 "nothing to change: send role, unit_code or active")
    if username.strip().lower() == admin.username and (body.active is False or
                                                       (body.role not in (None, "admin"))):
        raise HTTPException(400, "không thể tự khoá hay tự bỏ quyền quản trị của chính mình / "
                                 "you cannot deactivate or demote your own account")
    known_unit(ctx, body.unit_code)
    with ctx.database.session() as s:
        if repo_accounts.get_account(s, username.strip().lower()) is None:
            raise HTTPException(404, f"không có tài khoản {username!r} / no account {username!r}")
    try:
        if body.role is not None or body.unit_code is not None:
            with ctx.database.session() as s:
                current = repo_accounts.require_account(s, username)
            account = accounts.change_role(ctx.database, admin.username, username, body.role or current.role,
                                           body.unit_code, ctx.tree)
        if body.active is not None:
            account = accounts.set_active(ctx.database, admin.username, username, body.active)
    finally:  # its sessions ended in the store: end them in this process's memory at once
        ctx.sessions.drop_user(username.strip().lower())
    return accounts.account_to_dict(account)


# ------------------------------------------------------------------ the audit log (administrator)
def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


def _audit_page(ctx: WebContext, actor, action, target, since, until, limit, offset):
    if since and until and until < since:
        raise HTTPException(400, f"'until' ({until}) trước 'since' ({since}) / 'until' is before 'since'")
    end = _day_start(until + timedelta(days=1)) if until else None
    with ctx.database.session() as s:
        total, rows = repo_audit.search_lines(s, actors=[actor] if actor else None, action=action or None,
                                              target=target or None, since=_day_start(since), until=end,
                                              limit=limit, offset=offset)
    items = [{"id": r.id, "at": r.at.isoformat(), "actor": r.actor, "action": r.action,
              "target_kind": r.target_kind, "target_id": r.target_id, "detail": r.detail} for r in rows]
    return total, items


@router.get("/api/v1/audit", tags=["security"])
def audit_log(actor: str | None = audit_text("the account that acted"),
              action: str | None = audit_text("exact, or a prefix ending in '.'"),
              target: str | None = audit_text("target kind or id"),
              since: Day | None = Query(None, description="the first day (UTC, YYYY-MM-DD)"),
              until: Day | None = Query(None, description="the last day (UTC, YYYY-MM-DD, included)"),
              limit: int = Query(50, ge=1, le=AUDIT_PAGE_MAX), offset: int = Query(0, ge=0, le=10_000_000),
              _admin: Principal = Depends(require_roles("admin")),
              ctx: WebContext = Depends(web_context)) -> dict:
    """The audit log, newest first (administrators only); dates are UTC days, inclusive."""
    total, items = _audit_page(ctx, actor, action, target, since, until, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items}


AUDIT_SCREEN = 50


@router.get("/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(request: Request, actor: str | None = audit_text(), action: str | None = audit_text(),
               target: str | None = audit_text(), agency: str | None = audit_text(),
               since_text: str | None = Query(None, alias="since", pattern=FORM_DAY),
               until_text: str | None = Query(None, alias="until", pattern=FORM_DAY),
               limit: int = Query(AUDIT_SCREEN, ge=1, le=AUDIT_PAGE_MAX),
               offset: int = Query(0, ge=0, le=10_000_000),
               admin: Principal = Depends(require_roles("admin")),
               ctx: WebContext = Depends(web_context)):
    """Nhật ký kiểm toán as people read it (``chiso.web.pages.audit_lines``): who by name and
    role, the action's name, local time, the change as ``old → new``; filters by person,
    agency, action, target and local days; newest first, paged."""
    since, until = (date.fromisoformat(t) if t else None for t in (since_text, until_text))
    if since and until and until < since:
        raise HTTPException(400, f"'đến ngày' ({until}) trước 'từ ngày' ({since}) / 'until' is before 'since'")
    lang = _language(request)
    with ctx.database.session() as s:
        people = {a.username: audit_lines.Person(a.username, a.display_name, a.role, a.unit_code)
                  for a in repo_accounts.list_accounts(s, None)}
        actors = None
        if actor:
            actors = [actor]
        if agency:
            members = [p.username for p in people.values() if p.unit_code == agency]
            actors = members if actors is None else [a for a in actors if a in members]
        total, rows = repo_audit.search_lines(
            s, actors=actors, action=action or None, target=target or None,
            since=audit_lines.local_day_start(since),
            until=audit_lines.local_day_start(until + timedelta(days=1)) if until else None,
            limit=limit, offset=offset)
        logged_actions = repo_audit.logged_actions(s)
        logged_actors = repo_audit.logged_actors(s)
    lines = [audit_lines.present(r, people, lang) for r in rows]
    person_choices = sorted(((a, audit_lines.who(a, people, lang)) for a in logged_actors),
                            key=lambda p: fold(p[1]["name"]))
    agencies = sorted({p.unit_code for p in people.values() if p.unit_code in ctx.tree},
                      key=lambda c: fold(ctx.tree.get(c).name))
    filters = {"actor": actor or "", "action": action or "", "target": target or "", "agency": agency or "",
               "since": since.isoformat() if since else "", "until": until.isoformat() if until else ""}
    return render(request, "admin_audit.html", {
        "lines": lines, "total": total, "limit": limit, "offset": offset, "filters": filters,
        "people": person_choices, "agencies": [(c, ctx.tree.get(c).name) for c in agencies],
        "actions": audit_lines.action_choices(logged_actions, lang),
        "filtered": any(filters.values())}, principal=admin, active="audit")
