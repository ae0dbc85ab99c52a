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
import time
from datetime import timedelta

from fastapi import Request, Response

from chiso.store import repo_accounts
from chiso.store.models_accounts import Account
from chiso.store.orm import utcnow
from chiso.web.cache import BoundedCache, OnBoundedCache
from chiso.web.security.principal import Principal

COOKIE_NAME = "chiso_session"
IDLE_TIMEOUT = timedelta(hours=2)  # no request for this long ends the session
ABSOLUTE_TIMEOUT = timedelta(hours=12)  # a working day; sign in again the next morning
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
#: A resumed session is cached in the process's memory this long (seconds): a page then costs no
#: store query for who is asking. Sign-out, a role change, a deactivation and sign-in rotation
#: in the same process drop it at once; a revocation made elsewhere (another worker, the CLI,
#: the store directly) takes effect within this time. See docs/security.md.
RESUME_CACHE_SECONDS = 5.0
RESUME_CACHE_SIZE = 10_000


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
    found = resume_until(database, raw)
    return None if found is None else found[:2]


def resume_until(database, raw: str):
    """(Principal, csrf secret, seconds the session stays valid without another request) of a
    live session, or ``None`` — ``resume`` with how long an in-memory copy may be trusted."""
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
            last_seen = now
        else:
            last_seen = row.last_seen_at
        principal = Principal(username=account.username, display_name=account.display_name,
                              role=account.role, unit_code=account.unit_code,
                              province_code=account.province_code, via="session",
                              scopes=frozenset({"read", "write"}))
        valid = min(row.expires_at, last_seen + IDLE_TIMEOUT) - now
        return principal, row.csrf_secret, valid.total_seconds()


class ResumeCache(OnBoundedCache):
    """Resumed sessions cached in memory for ``ttl`` seconds (``RESUME_CACHE_SECONDS``), keyed by
    the SHA-256 of the cookie value — never longer than the session itself stays valid.

    A ``BoundedCache`` with a time to live (``size`` entries, least recently used dropped
    first); each entry also holds its own end (``min(ttl, validity)``). Only live sessions are
    cached (an unknown cookie is asked of the store every time, so random cookies cannot fill
    the cache). ``drop`` (sign-out, rotation) and ``drop_user`` (role change, deactivation) take
    effect at once in this process.
    """

    def __init__(self, ttl: float = RESUME_CACHE_SECONDS, size: int = RESUME_CACHE_SIZE, clock=time.monotonic):
        self.ttl, self.size = ttl, size
        self._items = BoundedCache(size, ttl=max(ttl, 0.0), clock=clock)  # (ends, principal, csrf secret)
        self._gone: dict[str, float] = {}  # dropped a moment ago: not cached again within ttl
        self.ahead = min(1.0, ttl / 5)

    def get(self, raw: str):
        """(Principal, csrf secret) while the copy is fresh, else ``None``."""
        key = session_hash(raw)
        with self._items.lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            if self.clock() >= hit[0]:
                self._items.pop(key)
                return None
            return hit[1], hit[2]

    def claim_refresh(self, raw: str) -> bool:
        """True for one caller once a cached session enters the last ``ahead`` seconds of its life:
        that caller re-reads it (``refresh``) while the others go on using the copy, so a busy
        session is re-read once per ``ttl`` without a crowd of requests missing at the same moment."""
        key = session_hash(raw)
        with self._items.lock:
            hit = self._items.peek(key)
            if hit is None or self.clock() < hit[0] - self.ahead:
                return False
            return self._items.claim(key)  # until ``refresh`` releases it

    def refresh(self, database, raw: str):
        """Re-read a session from the store and cache (or drop) it: ``resume`` without the cache."""
        try:
            return self._load(database, raw)
        finally:
            self._items.release(session_hash(raw))

    def resume(self, database, raw: str):
        """``resume`` through the cache: the store is asked at most once per ``ttl`` per session."""
        hit = self.get(raw) if raw and len(raw) <= 128 else None
        if hit is not None:
            return hit
        return self._load(database, raw)

    def _load(self, database, raw: str):
        found = resume_until(database, raw)
        if found is None:
            self.drop(raw)
            return None
        principal, secret, valid_seconds = found
        if self.ttl > 0:
            key, now = session_hash(raw), self.clock()
            with self._items.lock:
                if self._gone.get(key, now) > now or self._gone.get("user:" + principal.username, now) > now:
                    return principal, secret  # dropped while the store was asked: do not cache
                self._items.put(key, (now + min(self.ttl, valid_seconds), principal, secret))
        return principal, secret

    def _tombstone(self, key: str) -> None:
        now = self.clock()
        if len(self._gone) > self.size:
            self._gone = {k: t for k, t in self._gone.items() if t > now}
        self._gone[key] = now + self.ttl

    def drop(self, raw: str | None) -> None:
        """Forget one session (sign-out, rotation)."""
        if raw:
            key = session_hash(raw)
            with self._items.lock:
                self._items.pop(key)
                self._tombstone(key)

    def drop_user(self, username: str) -> None:
        """Forget every session of an account (role change, deactivation)."""
        with self._items.lock:
            for key, hit in self._items.items():
                if hit[1].username == username:
                    self._items.pop(key)
            self._tombstone("user:" + username)

    def clear(self) -> None:
        with self._items.lock:
            self._items.clear()
            self._gone.clear()

    def __len__(self) -> int:
        return len(self._items)


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
