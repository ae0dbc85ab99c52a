"""Browser sessions (phiên đăng nhập): the ``chiso_session`` cookie.

The cookie holds a random 256-bit value; the store keeps only its SHA-256, so a copy of
the database does not let anyone sign in. A session ends when idle for ``IDLE_TIMEOUT``,
at ``ABSOLUTE_TIMEOUT`` after sign-in whatever the activity, on sign-out, or when the
account is deactivated or changes role. Signing in always starts a new session and
revokes the one the browser had (rotation: no session fixation).

Cookie: ``HttpOnly`` (scripts cannot read it), ``SameSite=Lax`` (not sent on cross-site
POSTs), ``Secure`` when the request came over https, ``Path=/``.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from fastapi import Request, Response

from chiso.store import repo_accounts
from chiso.store.models import utcnow
from chiso.store.models_accounts import Account

COOKIE_NAME = "chiso_session"
IDLE_TIMEOUT = timedelta(hours=2)  # no request for this long ends the session
ABSOLUTE_TIMEOUT = timedelta(hours=12)  # a working day; sign in again the next morning
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


def session_hash(raw: str) -> str:
    """The stored form of a session id: its SHA-256 in hex."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def sign_in(database, account: Account, client_address: str | None, previous_raw: str | None = None) -> str:
    """Open a new session for ``account`` (revoking the browser's previous one); the raw id."""
    raw = secrets.token_urlsafe(32)
    with database.session() as s:
        if previous_raw:
            old = repo_accounts.get_session(s, session_hash(previous_raw))
            if old is not None:
                repo_accounts.revoke_session(s, account.username, old, "rotated at sign-in")
        repo_accounts.add_session(s, repo_accounts.account_by_id(s, account.id), session_hash=session_hash(raw),
                                  csrf_secret=secrets.token_hex(32),
                                  expires_at=utcnow() + ABSOLUTE_TIMEOUT, client_address=client_address)
    return raw


def resume(database, raw: str):
    """(Principal, csrf secret) of a live session, or ``None`` (unknown, expired, revoked,
    idle too long, or its account deactivated)."""
    from chiso.web.security.deps import Principal

    if not raw or len(raw) > 128:
        return None
    now = utcnow()
    with database.session() as s:
        row = repo_accounts.get_session(s, session_hash(raw))
        if row is None or row.revoked_at is not None or now >= row.expires_at:
            return None
        if now - row.last_seen_at >= IDLE_TIMEOUT:
            return None
        account = repo_accounts.account_by_id(s, row.account_id)
        if account is None or not account.active:
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            repo_accounts.touch_session(s, row, now)
        principal = Principal(username=account.username, display_name=account.display_name,
                              role=account.role, unit_code=account.unit_code,
                              province_code=account.province_code, via="session",
                              scopes=frozenset({"read", "write"}))
        return principal, row.csrf_secret


def sign_out(database, raw: str | None, actor: str) -> bool:
    """Revoke the session of this cookie value; whether there was one to revoke."""
    if not raw:
        return False
    with database.session() as s:
        row = repo_accounts.get_session(s, session_hash(raw))
        if row is None or row.revoked_at is not None:
            return False
        repo_accounts.revoke_session(s, actor, row, "sign-out")
        return True


def is_https(request: Request) -> bool:
    """Whether the browser reached us over https (directly or as the proxy says)."""
    return request.url.scheme == "https"


def set_cookie(response: Response, raw: str, request: Request) -> None:
    response.set_cookie(COOKIE_NAME, raw, max_age=int(ABSOLUTE_TIMEOUT.total_seconds()), path="/",
                        httponly=True, samesite="lax", secure=is_https(request))


def clear_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=is_https(request))
