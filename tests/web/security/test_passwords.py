"""Passwords: argon2id hashes, never plaintext; verification; re-hash; the policy."""
from __future__ import annotations

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from chiso.web.security import passwords
from chiso.web.security.passwords import PasswordPolicyError, check_policy


def test_hash_is_argon2id_salted_and_never_the_password():
    first = passwords.hash_password("Mật khẩu dài 2026")
    second = passwords.hash_password("Mật khẩu dài 2026")
    assert first.startswith("$argon2id$")
    assert "Mật khẩu" not in first and "2026" not in first.split("$")[-1]
    assert first != second  # a fresh salt each time
    assert passwords.verify("Mật khẩu dài 2026", first) == (True, None)
    assert passwords.verify("mật khẩu dài 2026", first)[0] is False


def test_unreadable_hash_and_empty_password_never_match():
    assert passwords.verify("whatever-long", "plaintext-not-a-hash") == (False, None)
    assert passwords.verify("", passwords.hash_password("Mật khẩu dài 2026")) == (False, None)


def test_weaker_hash_is_rehashed_on_verify():
    weak = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192),)).hash("Mật khẩu dài 2026")
    ok, new = passwords.verify("Mật khẩu dài 2026", weak)
    assert ok and new is not None and new != weak and new.startswith("$argon2id$")


@pytest.mark.parametrize("password, username, reason", [
    ("ngắn", "an", "ít nhất 10 ký tự"),
    ("   ", "an", "không được để trống"),
    ("nguyen.van.an", "Nguyen.Van.An", "trùng tên đăng nhập"),
    ("x" * 2000, "an", "dài quá"),
])
def test_policy_refuses_with_a_clear_message(password, username, reason):
    with pytest.raises(PasswordPolicyError, match=reason):
        check_policy(password, username)


def test_policy_accepts_a_long_enough_password():
    check_policy("đủ dài rồi nhé", "an")
