"""API tokens (mã truy cập): for scripts and other systems calling ``/api/v1``.

A token reads ``chiso_<prefix>_<secret>``: the 8-hex ``prefix`` names it (shown in lists,
used to revoke it), the 256-bit ``secret`` is shown once, at creation, and only the
SHA-256 of the whole token is stored. Verification compares hashes in constant time.

Scope: ``read`` (GET only) or ``read write``. A token never carries more than its owner's
role: ``read write`` only for the roles that write data (administrator, head, officer —
``principal.token_scopes``); asking ``read write`` for a leader or a viewer is refused
(``NotAllowedError``, 403), whoever asks, and a token stored with more (made before this
rule) is read as ``read``. A token acts as its owner, with its owner's role and unit, and
stops working when revoked, expired, or when its owner is deactivated or changes role.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from chiso.errors import NotAllowedError, NotFoundError
from chiso.store import repo_accounts
from chiso.store.models_accounts import TOKEN_SCOPES, ApiToken
from chiso.store.orm import utcnow
from chiso.store.repo_accounts import AccountError
from chiso.web.security.principal import TOKEN_WRITERS, Principal, role_label, token_scopes

TOKEN_RE = re.compile(r"^chiso_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
TOUCH_EVERY = timedelta(minutes=1)
MAX_NAME = 128


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def normalise_scope(scope: str) -> str:
    """``read``, ``read write`` or ``read ingest`` (``write`` and ``read,write`` are read as ``read write``,
    ``ingest`` as ``read ingest``)."""
    words = set(re.split(r"[\s,+]+", (scope or "").strip().lower())) - {""}
    if words == {"read"}:
        return "read"
    if words in ({"write"}, {"read", "write"}):
        return "read write"
    if words in ({"ingest"}, {"read", "ingest"}):
        return "read ingest"
    raise AccountError(f"phạm vi {scope!r} không hợp lệ; dùng 'read', 'read write' hoặc 'read ingest' / "
                       f"unknown scope {scope!r}; use 'read', 'read write' or 'read ingest'")


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``secret`` is the whole token, shown this once."""

    secret: str
    prefix: str
    name: str
    scope: str
    owner: str
    expires_at: datetime | None


def create(database, actor: str, owner: str, name: str, scope: str = "read",
           expires_days: int | None = None) -> NewToken:
    """Create a token for ``owner`` (the caller checks ``actor`` may do so)."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise AccountError(f"tên mã truy cập phải có từ 1 đến {MAX_NAME} ký tự / "
                           f"a token name needs 1 to {MAX_NAME} characters")
    scope = normalise_scope(scope)
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise AccountError("thời hạn mã truy cập phải từ 1 đến 3650 ngày / expiry must be 1 to 3650 days")
    expires_at = utcnow() + timedelta(days=expires_days) if expires_days else None
    with database.session() as s:
        account = repo_accounts.require_account(s, owner)
        if not account.active:
            raise AccountError(f"tài khoản {owner!r} đã bị khoá / account {owner!r} is deactivated")
        check_scope(account.username, account.role, scope)
        prefix = secrets.token_hex(4)
        while repo_accounts.token_by_prefix(s, prefix) is not None:  # pragma: no cover - 1 in 4e9
            prefix = secrets.token_hex(4)
        raw = f"chiso_{prefix}_{secrets.token_urlsafe(32)}"
        repo_accounts.add_token(s, actor, account, name=name, prefix=prefix, secret_sha256=token_hash(raw),
                                scope=scope, expires_at=expires_at)
    return NewToken(raw, prefix, name, scope, account.username, expires_at)


def check_scope(owner: str, role: str, scope: str) -> None:
    """``NotAllowedError`` (403) when a token of ``owner`` (with ``role``) would carry more than
    the role may: ``write`` for a role that does not write data."""
    extra = set(scope.split()) - token_scopes(role)
    if extra:
        writers = ", ".join(role_label(r) for r in TOKEN_WRITERS)
        raise NotAllowedError(
            f"Tài khoản {owner!r} có vai trò {role_label(role)}, không ghi dữ liệu nên chỉ được có mã truy "
            f"cập phạm vi 'read'; phạm vi 'read write' dành cho {writers} / account {owner!r} has role "
            f"{role}, which writes no data: its API tokens may have scope 'read' only; 'read write' is for "
            f"roles {', '.join(TOKEN_WRITERS)}")


def authenticate(database, raw: str):
    """The Principal a token stands for, or ``None`` if it is not a live token."""
    match = TOKEN_RE.match(raw or "")
    if match is None:
        return None
    now = utcnow()
    with database.session() as s:
        row = repo_accounts.token_by_prefix(s, match.group(1))
        if row is None or not hmac.compare_digest(row.secret_sha256, token_hash(raw)):
            return None
        if row.revoked_at is not None or (row.expires_at is not None and now >= row.expires_at):
            return None
        account = repo_accounts.account_by_id(s, row.account_id)
        if account is None or not account.active:
            return None
        if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
            repo_accounts.touch_token(s, row, now)
        return Principal(username=account.username, display_name=account.display_name,
                         role=account.role, unit_code=account.unit_code,
                         province_code=account.province_code, via="token",
                         scopes=frozenset(row.scope.split()) & token_scopes(account.role))


def revoke(database, principal, prefix: str) -> dict:
    """Revoke a token: its owner or an administrator may."""
    with database.session() as s:
        row = repo_accounts.token_by_prefix(s, (prefix or "").strip())
        if row is None:
            raise NotFoundError(f"không có mã truy cập {prefix!r} / no API token {prefix!r}")
        owner = repo_accounts.account_by_id(s, row.account_id)
        if principal.role != "admin" and owner.username != principal.username:
            raise NotAllowedError(f"mã truy cập {prefix!r} thuộc tài khoản khác; chỉ chủ sở hữu hoặc quản "
                                  f"trị viên được thu hồi / token {prefix!r} belongs to another account; "
                                  "only its owner or an administrator may revoke it")
        repo_accounts.revoke_token(s, principal.username, row)
        return token_to_dict(row, owner.username)


def list_for(database, principal) -> list[dict]:
    """The principal's own tokens; every token for an administrator."""
    with database.session() as s:
        account = None
        if principal.role != "admin":
            account = repo_accounts.require_account(s, principal.username)
        return [token_to_dict(t, owner) for t, owner in repo_accounts.list_tokens(s, account)]


def token_to_dict(row: ApiToken, owner: str) -> dict:
    """A token as the API and CLI show it (never the secret, never its hash)."""
    now = utcnow()
    state = ("revoked" if row.revoked_at else
             "expired" if row.expires_at is not None and now >= row.expires_at else "active")
    iso = lambda t: t.isoformat() if t else None  # noqa: E731
    return {"prefix": row.prefix, "name": row.name, "owner": owner, "scope": row.scope, "state": state,
            "created_at": iso(row.created_at), "created_by": row.created_by,
            "last_used_at": iso(row.last_used_at), "expires_at": iso(row.expires_at),
            "revoked_at": iso(row.revoked_at), "revoked_by": row.revoked_by}


__all__ = ["TOKEN_SCOPES", "NewToken", "authenticate", "check_scope", "create", "list_for", "revoke",
           "token_to_dict"]
