"""Sign-in throttling (chống dò mật khẩu): a brute-force guess gets slower and slower.

Two counters, both over the last ``WINDOW`` (15 minutes) of failed sign-ins:

- per username — failures since that username's last successful sign-in. From
  ``USERNAME_LIMIT`` (5) failures, sign-in for that name is locked for ``BASE_LOCK``
  (1 minute) after the last failure, doubling with each further failure
  (2, 4, 8… minutes), never more than ``MAX_LOCK`` (1 hour);
- per client address — ``ADDRESS_LIMIT`` (20) failures, whatever the usernames, lock the
  address the same way (higher, because an office shares one address behind NAT).

A locked attempt is answered 429 with ``Retry-After`` before the password is even
checked, and is not counted. Change these constants here (documented in docs/security.md).
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from chiso.errors import ChisoError
from chiso.store import repo_accounts
from chiso.store.orm import utcnow

WINDOW = timedelta(minutes=15)
USERNAME_LIMIT = 5
ADDRESS_LIMIT = 20
BASE_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(hours=1)


class SignInThrottled(ChisoError):
    """Too many failed sign-ins; ``retry_after`` seconds until the next try is accepted."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def lock_for(failures: int, limit: int) -> timedelta:
    """How long ``failures`` failures lock sign-in (zero below the limit)."""
    if failures < limit:
        return timedelta(0)
    return min(MAX_LOCK, BASE_LOCK * (2 ** min(failures - limit, 16)))


def retry_after(times: list[datetime], limit: int, now: datetime) -> int:
    """Seconds until the lock these failure times cause ends (0: not locked)."""
    if len(times) < limit:
        return 0
    until = times[-1] + lock_for(len(times), limit)
    return max(0, math.ceil((until - now).total_seconds()))


def check(session, username: str, client_address: str, now: datetime | None = None) -> None:
    """Raise ``SignInThrottled`` if this username or this address is locked now."""
    now = now or utcnow()
    since = now - WINDOW
    wait_user = retry_after(repo_accounts.failures_since(session, since, username=username),
                            USERNAME_LIMIT, now)
    wait_address = retry_after(repo_accounts.failures_since(session, since, client_address=client_address),
                               ADDRESS_LIMIT, now)
    wait = max(wait_user, wait_address)
    if wait:
        minutes = max(1, math.ceil(wait / 60))
        what = "tài khoản này" if wait_user >= wait_address else "địa chỉ này"
        what_en = "this account" if wait_user >= wait_address else "this address"
        raise SignInThrottled(
            f"Đăng nhập sai quá nhiều lần: {what} tạm khoá, thử lại sau khoảng {minutes} phút / "
            f"too many failed sign-ins: {what_en} is locked, try again in about {minutes} minute(s)",
            wait)
