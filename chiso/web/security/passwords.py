"""Passwords (mật khẩu): argon2id hashing with pwdlib, verification, re-hashing, policy.

Only the argon2 hash is ever stored (``$argon2id$v=19$m=65536,t=3,p=4$…``). ``verify``
also says when a stored hash was made with weaker parameters than today's, so the
caller can store the new hash (``verify_and_update``).
"""
from __future__ import annotations

from functools import cache

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError

from chiso.errors import ChisoError

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 takes any length; a ceiling keeps a megabyte "password" from costing CPU

_HASHER = PasswordHash.recommended()


class PasswordPolicyError(ChisoError):
    """A password that the policy refuses; the message says why, in Vietnamese and English."""


def check_policy(password: str, username: str) -> None:
    """Refuse a password shorter than 10 characters, too long, blank or equal to the username."""
    if not isinstance(password, str) or not password.strip():
        raise PasswordPolicyError("mật khẩu không được để trống / the password must not be empty")
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(
            f"mật khẩu phải có ít nhất {MIN_LENGTH} ký tự (hiện có {len(password)}) / "
            f"the password must have at least {MIN_LENGTH} characters (it has {len(password)})")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"mật khẩu dài quá {MAX_LENGTH} ký tự / "
                                  f"the password is longer than {MAX_LENGTH} characters")
    if password.strip().casefold() == (username or "").strip().casefold():
        raise PasswordPolicyError("mật khẩu không được trùng tên đăng nhập / "
                                  "the password must not be the username")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (a fresh random salt each time)."""
    return _HASHER.hash(password)


def verify(password: str, stored_hash: str) -> tuple[bool, str | None]:
    """(matches, new hash to store or ``None``). An unreadable stored hash never matches."""
    if not password or len(password) > MAX_LENGTH:
        return False, None
    try:
        return _HASHER.verify_and_update(password, stored_hash)
    except UnknownHashError:
        return False, None


def dummy_verify() -> None:
    """Spend the time of one verification, so an unknown username answers as slowly as a
    wrong password (no username probing by timing)."""
    _HASHER.verify("not the password", _dummy_hash())


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("chiso-dummy-password")
