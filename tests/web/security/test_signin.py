"""Sign-in, sessions (cookie, rotation, expiry, sign-out), throttling."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from chiso.store import repo_accounts
from chiso.store.models import AuditEntry, utcnow
from chiso.store.models_accounts import Account, WebSession
from chiso.web.security import sessions, throttle
from tests.web.security.conftest import PASSWORD, csrf_of, sign_in


def actions(database) -> list[str]:
    with database.session() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_login_page_is_vietnamese_first_with_an_english_switch(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert "Đăng nhập" in page.text and "Tên đăng nhập" in page.text and "Mật khẩu" in page.text
    assert 'href="/login?lang=en' in page.text
    english = client.get("/login?lang=en")
    assert "Sign in" in english.text and "Username" in english.text


def test_sign_in_sets_a_safe_cookie_and_identifies_the_account(client, people, database):
    r = sign_in(client, "canbo")
    assert r.status_code == 303 and r.headers["location"] == "/probe/page"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("chiso_session=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http in the test
    me = client.get("/api/v1/me").json()
    assert me["username"] == "canbo" and me["role"] == "officer" and me["unit_code"] == "24-STC"
    assert me["via"] == "session" and me["scopes"] == ["read", "write"] and len(me["csrf_token"]) == 64
    assert client.get("/probe/page").json() == {"user": "canbo"}
    # the store keeps only the hash of the session id
    raw = client.cookies.get("chiso_session")
    with database.session() as s:
        ids = list(s.scalars(select(WebSession.id)))
    assert ids == [sessions.session_hash(raw)] and raw not in ids
    assert "session.signin" in actions(database)


def test_cookie_is_secure_over_https(app, people):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://ioc.example") as c:
        r = sign_in(c, "canbo")
        assert "Secure" in r.headers["set-cookie"]


def test_wrong_password_and_unknown_user_get_the_same_answer(client, people, database):
    wrong = sign_in(client, "canbo", "sai-mat-khau-roi")
    unknown = sign_in(client, "khong.co.ai", "sai-mat-khau-roi")
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert "Sai tên đăng nhập hoặc mật khẩu" in r.text
        assert "chiso_session" not in r.headers.get("set-cookie", "")
    assert actions(database).count("signin.failure") == 2


def test_next_must_stay_on_this_site(client, people):
    r = client.post("/login", data={"username": "canbo", "password": PASSWORD, "next": "//evil.example/x"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_unsigned_requests_get_401_on_the_api_and_a_redirect_on_pages(client):
    api = client.get("/api/v1/me")
    assert api.status_code == 401 and "Chưa đăng nhập" in api.json()["detail"]
    page = client.get("/probe/page?x=1", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Fprobe%2Fpage%3Fx%3D1"


def test_sign_in_rotates_the_session(client, people, database):
    sign_in(client, "canbo")
    first = client.cookies.get("chiso_session")
    sign_in(client, "canbo")
    second = client.cookies.get("chiso_session")
    assert first != second
    with database.session() as s:
        old = s.get(WebSession, sessions.session_hash(first))
    assert old.revoked_at is not None
    assert sessions.resume(database, first) is None
    assert client.get("/api/v1/me").status_code == 200


def test_sign_out_revokes_the_session(client, people, database):
    sign_in(client, "canbo")
    raw = client.cookies.get("chiso_session")
    token = csrf_of(client)
    refused = client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403  # sign-out is a write: it needs the CSRF token
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert sessions.resume(database, raw) is None
    client.cookies.set("chiso_session", raw)  # a copied cookie no longer works
    assert client.get("/api/v1/me").status_code == 401
    assert "session.signout" in actions(database)


def test_idle_and_absolute_expiry(client, people, database):
    sign_in(client, "canbo")
    raw = client.cookies.get("chiso_session")
    key = sessions.session_hash(raw)
    with database.session() as s:
        s.execute(update(WebSession).where(WebSession.id == key)
                  .values(last_seen_at=utcnow() - sessions.IDLE_TIMEOUT - timedelta(seconds=1)))
    assert client.get("/api/v1/me").status_code == 401
    sign_in(client, "canbo")
    key = sessions.session_hash(client.cookies.get("chiso_session"))
    with database.session() as s:
        s.execute(update(WebSession).where(WebSession.id == key).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get("/api/v1/me").status_code == 401


def test_deactivated_account_loses_its_session(client, people, database):
    sign_in(client, "canbo")
    with database.session() as s:
        repo_accounts.set_active(s, "quantri", "canbo", False)
    assert client.get("/api/v1/me").status_code == 401
    assert sign_in(client, "canbo").status_code == 401


def test_throttle_locks_after_five_failures_with_retry_after(client, people, database):
    for _ in range(throttle.USERNAME_LIMIT):
        assert sign_in(client, "canbo", "sai-mat-khau-roi").status_code == 401
    locked = sign_in(client, "canbo")  # even the right password is refused while locked
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 60
    assert "Đăng nhập sai quá nhiều lần" in locked.text and "too many failed sign-ins" in locked.text
    # another account from the same address is not locked by this one's failures
    assert sign_in(client, "xem").status_code == 303


def test_lock_grows_and_expires_with_time(database, people):
    now = utcnow()
    with database.session() as s:
        for minutes in (14, 13, 12, 11, 10):
            repo_accounts.record_attempt(s, "canbo", "10.0.0.9", False, at=now - timedelta(minutes=minutes))
    with database.session() as s:  # the last failure was 10 minutes ago: the 1-minute lock is over
        throttle.check(s, "canbo", "10.0.0.9", now=now)
        repo_accounts.record_attempt(s, "canbo", "10.0.0.9", False, at=now)
    with database.session() as s:
        try:
            throttle.check(s, "canbo", "10.0.0.9", now=now + timedelta(seconds=1))
            raise AssertionError("expected a lock")
        except throttle.SignInThrottled as e:
            assert 100 < e.retry_after <= 120  # sixth failure: 2 minutes
        throttle.check(s, "canbo", "10.0.0.9", now=now + throttle.WINDOW)  # all outside the window
    assert throttle.lock_for(4, 5) == timedelta(0)
    assert throttle.lock_for(7, 5) == timedelta(minutes=4)
    assert throttle.lock_for(40, 5) == throttle.MAX_LOCK


def test_success_resets_the_username_counter(client, people):
    for _ in range(throttle.USERNAME_LIMIT - 1):
        sign_in(client, "canbo", "sai-mat-khau-roi")
    assert sign_in(client, "canbo").status_code == 303
    for _ in range(throttle.USERNAME_LIMIT - 1):
        sign_in(client, "canbo", "sai-mat-khau-roi")
    assert sign_in(client, "canbo").status_code == 303


def test_address_counter_locks_many_usernames_from_one_address(database, people):
    now = utcnow()
    with database.session() as s:
        for i in range(throttle.ADDRESS_LIMIT):
            repo_accounts.record_attempt(s, f"doan{i}", "10.9.9.9", False, at=now - timedelta(seconds=30))
    with database.session() as s:
        try:
            throttle.check(s, "canbo", "10.9.9.9", now=now)
            raise AssertionError("expected a lock")
        except throttle.SignInThrottled as e:
            assert "địa chỉ này" in str(e)
        throttle.check(s, "canbo", "10.1.1.1", now=now)


def test_sign_in_rehashes_a_weak_hash(client, people, database):
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    weak = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192),)).hash(PASSWORD)
    with database.session() as s:
        s.execute(update(Account).where(Account.username == "xem").values(password_hash=weak))
    assert sign_in(client, "xem").status_code == 303
    with database.session() as s:
        stored = s.scalar(select(Account.password_hash).where(Account.username == "xem"))
    assert stored != weak and stored.startswith("$argon2id$") and "m=65536" in stored
    assert "account.password" in actions(database)
