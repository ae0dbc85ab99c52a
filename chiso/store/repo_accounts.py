"""Accounts, browser sessions, API tokens and sign-in attempts in the relational store.

Every change is audited in the same session (``chiso.store.repo_audit.audit``), except
the bookkeeping of use — a session's ``last_seen_at``, a token's ``last_used_at`` and the
sign-in attempts themselves (each failed or successful sign-in is audited by the caller).
Secrets never reach this module: only hashes.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from chiso.errors import ChisoError
from chiso.store.models import utcnow
from chiso.store.models_accounts import ACCOUNT_ROLES, Account, ApiToken, SignInAttempt, WebSession
from chiso.store.repo_audit import audit


class AccountError(ChisoError):
    """An account operation that cannot be done (unknown user, duplicate, bad role…)."""


# ------------------------------------------------------------------ accounts
def get_account(session: Session, username: str) -> Account | None:
    """The account of ``username`` (case-insensitive), or ``None``."""
    return session.scalars(select(Account).where(Account.username == username.strip().lower())).first()


def account_by_id(session: Session, account_id: int) -> Account | None:
    return session.get(Account, account_id)


def require_account(session: Session, username: str) -> Account:
    account = get_account(session, username)
    if account is None:
        raise AccountError(f"không có tài khoản {username!r} / no account {username!r}")
    return account


def list_accounts(session: Session, province_code: str | None = None) -> list[Account]:
    """Accounts by username, optionally of one province."""
    query = select(Account).order_by(Account.username)
    if province_code is not None:
        query = query.where(Account.province_code == province_code)
    return list(session.scalars(query))


def create_account(session: Session, actor: str, *, username: str, display_name: str, role: str,
                   unit_code: str, province_code: str, password_hash: str) -> Account:
    """Add an account; refuses a username already taken (even by a deactivated account)."""
    username = username.strip().lower()
    if role not in ACCOUNT_ROLES:
        raise AccountError(f"vai trò {role!r} không hợp lệ; chọn một trong {', '.join(ACCOUNT_ROLES)} / "
                           f"unknown role {role!r}")
    if get_account(session, username) is not None:
        raise AccountError(f"tên đăng nhập {username!r} đã tồn tại / username {username!r} is taken")
    now = utcnow()
    account = Account(username=username, display_name=display_name, role=role, unit_code=unit_code,
                      province_code=province_code, password_hash=password_hash, active=True,
                      created_at=now, created_by=actor, updated_at=now, updated_by=actor)
    session.add(account)
    session.flush()
    audit(session, actor, "account.create", "account", username,
          {"role": role, "unit_code": unit_code, "province_code": province_code,
           "display_name": display_name})
    return account


def change_role(session: Session, actor: str, username: str, role: str,
                unit_code: str | None = None, province_code: str | None = None) -> Account:
    """Give an account another role (and unit); the audit line keeps the previous ones."""
    if role not in ACCOUNT_ROLES:
        raise AccountError(f"vai trò {role!r} không hợp lệ; chọn một trong {', '.join(ACCOUNT_ROLES)} / "
                           f"unknown role {role!r}")
    account = require_account(session, username)
    before = {"role": account.role, "unit_code": account.unit_code, "province_code": account.province_code}
    account.role = role
    if unit_code is not None:
        account.unit_code = unit_code
    if province_code is not None:
        account.province_code = province_code
    after = {"role": account.role, "unit_code": account.unit_code, "province_code": account.province_code}
    if after == before:
        return account
    account.updated_at, account.updated_by = utcnow(), actor
    session.flush()
    audit(session, actor, "account.role", "account", account.username, {"from": before, "to": after})
    _revoke_all(session, actor, account, "role changed")
    return account


def set_active(session: Session, actor: str, username: str, active: bool) -> Account:
    """Deactivate (or reactivate) an account; deactivation ends its sessions and tokens."""
    account = require_account(session, username)
    if account.active == active:
        return account
    account.active = active
    account.updated_at, account.updated_by = utcnow(), actor
    session.flush()
    audit(session, actor, "account.activate" if active else "account.deactivate", "account",
          account.username, None)
    if not active:
        _revoke_all(session, actor, account, "account deactivated")
    return account


def set_password_hash(session: Session, actor: str, account: Account, password_hash: str,
                      reason: str) -> None:
    """Store a new password hash (a change by the user or a re-hash on sign-in)."""
    account.password_hash = password_hash
    account.updated_at, account.updated_by = utcnow(), actor
    session.flush()
    audit(session, actor, "account.password", "account", account.username, {"reason": reason})


def _revoke_all(session: Session, actor: str, account: Account, reason: str) -> None:
    now = utcnow()
    sessions = session.execute(
        update(WebSession).where(WebSession.account_id == account.id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)).rowcount
    tokens = session.execute(
        update(ApiToken).where(ApiToken.account_id == account.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by=actor)).rowcount
    if sessions or tokens:
        audit(session, actor, "account.revoke-all", "account", account.username,
              {"reason": reason, "sessions": sessions, "tokens": tokens})


# ------------------------------------------------------------------ browser sessions
def add_session(session: Session, account: Account, *, session_hash: str, csrf_secret: str,
                expires_at: datetime, client_address: str | None) -> WebSession:
    """Open a browser session (the caller has checked the password)."""
    now = utcnow()
    row = WebSession(id=session_hash, account_id=account.id, created_at=now, last_seen_at=now,
                     expires_at=expires_at, csrf_secret=csrf_secret,
                     client_address=(client_address or "")[:64] or None)
    session.add(row)
    session.flush()
    audit(session, account.username, "session.signin", "account", account.username,
          {"session": session_hash[:12], "client": client_address})
    return row


def get_session(session: Session, session_hash: str) -> WebSession | None:
    return session.get(WebSession, session_hash)


def touch_session(session: Session, row: WebSession, at: datetime) -> None:
    """Record use of a session (not audited: bookkeeping, not a change of data)."""
    row.last_seen_at = at
    session.flush()


def revoke_session(session: Session, actor: str, row: WebSession, reason: str) -> None:
    """End a session (sign-out, expiry found, rotation)."""
    if row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    session.flush()
    audit(session, actor, "session.signout" if reason == "sign-out" else "session.revoke", "session",
          row.id[:12], {"reason": reason})


# ------------------------------------------------------------------ API tokens
def add_token(session: Session, actor: str, account: Account, *, name: str, prefix: str,
              secret_sha256: str, scope: str, expires_at: datetime | None) -> ApiToken:
    row = ApiToken(account_id=account.id, name=name, prefix=prefix, secret_sha256=secret_sha256,
                   scope=scope, created_at=utcnow(), created_by=actor, expires_at=expires_at)
    session.add(row)
    session.flush()
    audit(session, actor, "token.create", "api_token", prefix,
          {"owner": account.username, "name": name, "scope": scope,
           "expires_at": expires_at.isoformat() if expires_at else None})
    return row


def token_by_prefix(session: Session, prefix: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.prefix == prefix)).first()


def list_tokens(session: Session, account: Account | None = None) -> list[tuple[ApiToken, str]]:
    """(token, owner's username), newest first; every account's when ``account`` is None."""
    query = (select(ApiToken, Account.username).join(Account, Account.id == ApiToken.account_id)
             .order_by(ApiToken.id.desc()))
    if account is not None:
        query = query.where(ApiToken.account_id == account.id)
    return [(t, u) for t, u in session.execute(query)]


def touch_token(session: Session, row: ApiToken, at: datetime) -> None:
    row.last_used_at = at
    session.flush()


def revoke_token(session: Session, actor: str, row: ApiToken) -> ApiToken:
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = utcnow(), actor
        session.flush()
        audit(session, actor, "token.revoke", "api_token", row.prefix, {"name": row.name})
    return row


# ------------------------------------------------------------------ sign-in attempts
def record_attempt(session: Session, username: str, client_address: str, success: bool,
                   at: datetime | None = None) -> None:
    """Keep one sign-in attempt and audit it (signin.success / signin.failure)."""
    username = (username or "").strip().lower()[:128]
    session.add(SignInAttempt(username=username, client_address=(client_address or "?")[:64],
                              at=at or utcnow(), success=success))
    session.flush()
    if not success:
        audit(session, username or "?", "signin.failure", "account", username,
              {"client": client_address})


def failures_since(session: Session, since: datetime, *, username: str | None = None,
                   client_address: str | None = None) -> list[datetime]:
    """Times of failed attempts after ``since`` — for a username since its last success."""
    query = select(SignInAttempt.at).where(SignInAttempt.success.is_(False), SignInAttempt.at > since)
    if username is not None:
        username = username.strip().lower()
        last_ok = session.scalar(select(func.max(SignInAttempt.at)).where(
            SignInAttempt.username == username, SignInAttempt.success.is_(True)))
        query = query.where(SignInAttempt.username == username)
        if last_ok is not None:
            query = query.where(SignInAttempt.at > last_ok)
    if client_address is not None:
        query = query.where(SignInAttempt.client_address == client_address)
    return sorted(session.scalars(query))
