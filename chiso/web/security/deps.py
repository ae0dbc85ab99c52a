"""Who is asking, and may they: the security contract every router codes against.

- ``Principal`` — the signed-in person (or API token) behind a request.
- ``optional_principal`` — FastAPI dependency: the principal, or ``None`` when nobody
  signed in. A bearer token (``Authorization: Bearer chiso_…``) wins over the session
  cookie; a bearer token that is wrong, expired or revoked is a 401, never "anonymous".
- ``current_principal`` — the principal, or 401 JSON ``{"detail": …}`` on ``/api/`` paths
  and a redirect to ``/login?next=…`` on pages.
- ``require_roles(*roles)`` — 403 naming the role(s) required.
- ``require_write`` — 403 for a token without the ``write`` scope; CSRF and same-origin
  check for session-authenticated unsafe methods (POST, PUT, PATCH, DELETE).
- ``can_read_unit`` / ``can_write_for`` — the ownership rules (one data – one owner).
- ``csrf_token(request)`` — the token forms post as ``csrf_token`` (HTMX: ``X-CSRF-Token``).

Roles (vai trò), exact strings: ``admin`` (quản trị viên), ``leader`` (lãnh đạo — reads
the whole province), ``head`` (thủ trưởng cơ quan — approves and locks their agency's
data), ``officer`` (cán bộ nhập liệu — writes only their agency's data, reads their own),
``viewer`` (người xem).
"""
from __future__ import annotations

from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from chiso.web.security import csrf, sessions, tokens
from chiso.web.security.principal import ROLE_NAMES, ROLES, SCOPES, Principal, role_label  # noqa: F401  (the contract's names)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _database(request: Request):
    return request.app.state.ctx.database


async def optional_principal(request: Request) -> Principal | None:
    """The principal behind the request, or ``None`` when nobody signed in.

    Resolved once per request (held on ``request.state``). A session cookie that is
    unknown, expired or revoked counts as "not signed in"; a bearer token that is not
    valid is refused with 401 (the caller meant to authenticate and must be told).

    Asynchronous: a session resumed a moment ago (``sessions.ResumeCache``, a few seconds)
    is answered from memory on the event loop; only a store query goes to the thread pool.
    """
    if hasattr(request.state, "principal"):
        return request.state.principal
    from starlette.concurrency import run_in_threadpool

    raw = request.cookies.get(sessions.COOKIE_NAME)
    if raw and not request.headers.get("authorization"):
        resumed = request.app.state.ctx.sessions
        hit = resumed.get(raw)
        if hit is not None and resumed.claim_refresh(raw):  # this request re-reads it for everyone
            hit = await run_in_threadpool(resumed.refresh, _database(request), raw)
            if hit is None:
                request.state.principal = None
                return None
        if hit is not None:
            request.state.principal, request.state.csrf_secret = hit
            request.state.session_raw = raw
            return hit[0]
    return await run_in_threadpool(resolve_principal, request)


def resolve_principal(request: Request) -> Principal | None:
    """``optional_principal`` for synchronous code (it may query the store)."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    principal: Principal | None = None
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise HTTPException(401, "Tiêu đề Authorization phải là 'Bearer <mã truy cập>' / "
                                     "the Authorization header must be 'Bearer <API token>'",
                                headers={"WWW-Authenticate": "Bearer"})
        found = tokens.authenticate(_database(request), secret.strip())
        if found is None:
            raise HTTPException(401, "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi / "
                                     "the API token is invalid, expired or revoked",
                                headers={"WWW-Authenticate": "Bearer"})
        principal = found
    else:
        raw = request.cookies.get(sessions.COOKIE_NAME)
        if raw:
            found_session = request.app.state.ctx.sessions.resume(_database(request), raw)
            if found_session is not None:
                principal, csrf_secret = found_session
                request.state.csrf_secret = csrf_secret
                request.state.session_raw = raw
    request.state.principal = principal
    return principal


async def current_principal(request: Request,
                            principal: Principal | None = Depends(optional_principal)) -> Principal:
    """The signed-in principal; 401 JSON on API paths, a redirect to the sign-in page otherwise."""
    if principal is not None:
        return principal
    if _is_api(request):
        raise HTTPException(401, "Chưa đăng nhập: cần phiên đăng nhập hoặc mã truy cập (Bearer) / "
                                 "not signed in: a session or an API token (Bearer) is required",
                            headers={"WWW-Authenticate": "Bearer"})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise HTTPException(303, "Cần đăng nhập / sign-in required",
                        headers={"Location": f"/login?next={quote(target, safe='')}"})


def require_roles(*roles: str):
    """A dependency admitting only these roles; 403 naming them otherwise."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise ValueError(f"unknown role(s) {unknown or roles!r}; roles are {', '.join(ROLES)}")

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in roles:
            wanted = "; ".join(role_label(r) for r in roles)
            raise HTTPException(403, f"Không đủ quyền: cần vai trò {wanted}; tài khoản "
                                     f"{principal.username!r} có vai trò {role_label(principal.role)} / "
                                     f"forbidden: requires role {', '.join(roles)}; "
                                     f"{principal.username!r} has role {principal.role}")
        return principal

    dependency.__name__ = "require_roles_" + "_".join(roles)
    return dependency


async def require_write(request: Request,
                        principal: Principal = Depends(current_principal)) -> Principal:
    """A principal allowed to write: a token needs the ``write`` scope; a browser session
    must send the CSRF token and come from the same origin on unsafe methods."""
    if principal.via == "token":
        if not principal.can("write"):
            raise HTTPException(403, "Mã truy cập chỉ có quyền đọc (phạm vi 'read'); thao tác ghi cần "
                                     "phạm vi 'read write' / this API token has the 'read' scope only; "
                                     "writes need a token with scope 'read write'")
        return principal
    if request.method.upper() in UNSAFE_METHODS:
        await csrf.check_request(request)
    return principal


def can_read_unit(principal: Principal, unit_code: str, tree) -> bool:
    """Whether the principal may read the data of ``unit_code``.

    admin: every unit; leader and viewer: every unit of their province; head and officer:
    their own unit only. An unknown unit code is never readable.
    """
    if unit_code not in tree:
        return False
    if principal.role == "admin":
        return True
    if principal.role in ("leader", "viewer"):
        unit = tree.get(unit_code)
        return unit.province_code == principal.province_code
    if principal.role in ("head", "officer"):
        return unit_code == principal.unit_code
    return False


def can_write_for(principal: Principal, owner_unit_code: str, tree) -> bool:
    """Whether the principal may write data owned by ``owner_unit_code``.

    admin: all; head and officer: their own unit only; leader and viewer: none.
    """
    if principal.role == "admin":
        return owner_unit_code in tree
    if principal.role in ("head", "officer"):
        return owner_unit_code == principal.unit_code
    return False


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session (``""`` when no session is signed in).

    Forms post it as the ``csrf_token`` field; HTMX sends it as ``X-CSRF-Token``.
    """
    secret = getattr(request.state, "csrf_secret", None)
    if secret is None:
        try:
            resolve_principal(request)
        except HTTPException:
            return ""
        secret = getattr(request.state, "csrf_secret", None)
    if secret is None:
        return ""
    return csrf.token_for(secret)
