"""Accounts (tài khoản): creating them with the policy checked, and signing in.

An account belongs to one unit of one province (a department, a commune, or the province
itself); its role says what it may do there (see ``chiso.web.security.deps``).
"""
from __future__ import annotations

import re

from chiso.errors import ChisoError
from chiso.store import repo_accounts
from chiso.store.models_accounts import ACCOUNT_ROLES, Account
from chiso.store.repo_accounts import AccountError
from chiso.web.security import passwords, throttle

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class SignInFailed(ChisoError):
    """Wrong username or password (deliberately not saying which)."""


def check_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not USERNAME_RE.match(name):
        raise AccountError(f"tên đăng nhập {username!r} không hợp lệ: 3–64 ký tự a–z, 0–9, '.', '_', '-', "
                           f"bắt đầu bằng chữ hoặc số / invalid username {username!r}: 3–64 characters "
                           "a–z, 0–9, '.', '_', '-', starting with a letter or digit")
    return name


def placement(unit_code: str, tree) -> tuple[str, str]:
    """(unit code, province code) of an account's unit; the nation is not a place for an account."""
    unit = tree.get(unit_code)  # UnknownUnitError with suggestions
    if unit.province_code is None:
        raise AccountError(f"tài khoản phải thuộc một tỉnh hoặc đơn vị trong tỉnh, không phải {unit.name} / "
                           f"an account belongs to a province or a unit in it, not {unit.code!r}")
    return unit.code, unit.province_code


def check_role(role: str) -> str:
    if role not in ACCOUNT_ROLES:
        raise AccountError(f"vai trò {role!r} không hợp lệ; chọn một trong {', '.join(ACCOUNT_ROLES)} / "
                           f"unknown role {role!r}; use one of {', '.join(ACCOUNT_ROLES)}")
    return role


def create_account(database, actor: str, *, username: str, password: str, role: str, unit_code: str,
                   tree, display_name: str | None = None) -> Account:
    """Create an account after checking name, role, unit and password policy."""
    name = check_username(username)
    check_role(role)
    unit, province = placement(unit_code, tree)
    passwords.check_policy(password, name)
    hashed = passwords.hash_password(password)
    with database.session() as s:
        return repo_accounts.create_account(s, actor, username=name, display_name=(display_name or name).strip(),
                                            role=role, unit_code=unit, province_code=province,
                                            password_hash=hashed)


def change_role(database, actor: str, username: str, role: str, unit_code: str | None, tree) -> Account:
    """Give an account another role and/or unit (its sessions and tokens end)."""
    check_role(role)
    unit = province = None
    if unit_code:
        unit, province = placement(unit_code, tree)
    with database.session() as s:
        return repo_accounts.change_role(s, actor, username, role, unit, province)


def set_active(database, actor: str, username: str, active: bool) -> Account:
    with database.session() as s:
        return repo_accounts.set_active(s, actor, username, active)


def set_password(database, actor: str, username: str, password: str) -> None:
    passwords.check_policy(password, username)
    hashed = passwords.hash_password(password)
    with database.session() as s:
        account = repo_accounts.require_account(s, username)
        repo_accounts.set_password_hash(s, actor, account, hashed, "set")


def sign_in(database, username: str, password: str, client_address: str) -> Account:
    """The account whose password this is, after the throttle allowed the try.

    Raises ``throttle.SignInThrottled`` (→ 429) or ``SignInFailed`` (→ 401, the same
    message for an unknown name, a wrong password and a deactivated account). Every try
    is recorded; a hash made with older parameters is replaced.
    """
    name = (username or "").strip().lower()[:128]
    with database.session() as s:
        throttle.check(s, name, client_address)
        account = repo_accounts.get_account(s, name) if name else None
    if account is None:
        passwords.dummy_verify()
        ok, new_hash = False, None
    else:
        ok, new_hash = passwords.verify(password, account.password_hash)
    ok = ok and account is not None and account.active
    with database.session() as s:
        repo_accounts.record_attempt(s, name, client_address, ok)
        if ok and new_hash:
            row = repo_accounts.account_by_id(s, account.id)
            repo_accounts.set_password_hash(s, "system", row, new_hash, "re-hashed with current parameters")
    if not ok:
        raise SignInFailed("Sai tên đăng nhập hoặc mật khẩu / wrong username or password")
    return account


def account_to_dict(account: Account) -> dict:
    """An account as the API and CLI show it (never the password hash)."""
    return {"username": account.username, "display_name": account.display_name, "role": account.role,
            "unit_code": account.unit_code, "province_code": account.province_code,
            "active": account.active, "created_at": account.created_at.isoformat(),
            "created_by": account.created_by, "updated_at": account.updated_at.isoformat(),
            "updated_by": account.updated_by}
