"""CSRF, API tokens, each role's access to accounts and the audit log, the audit trail,
the ownership rules and the demo accounts."""
from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from chiso.store.models import AuditEntry
from chiso.store.models_accounts import Account, ApiToken
from chiso.web.security.demo import busiest_owner, ensure_demo_accounts
from chiso.web.security.deps import Principal, can_read_unit, can_write_for
from tests.web.security.conftest import csrf_of, sign_in


def actions(database) -> list[str]:
    with database.session() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_csrf_refuses_missing_wrong_and_cross_origin(signed_in):
    c = signed_in("canbo")
    token = csrf_of(c)
    missing = c.post("/api/v1/probe/write")
    assert missing.status_code == 403 and "CSRF token missing" in missing.json()["detail"]
    wrong = c.post("/api/v1/probe/write", headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403 and "CSRF token invalid" in wrong.json()["detail"]
    other = c.post("/api/v1/probe/write", headers={"X-CSRF-Token": token, "Origin": "http://evil.example"})
    assert other.status_code == 403 and "cross-origin request refused" in other.json()["detail"]
    referer = c.post("/api/v1/probe/write", headers={"X-CSRF-Token": token,
                                                     "Referer": "http://evil.example/page"})
    assert referer.status_code == 403
    ok = c.post("/api/v1/probe/write", headers={"X-CSRF-Token": token, "Origin": "http://testserver"})
    assert ok.status_code == 200 and ok.json() == {"written_by": "canbo"}
    form = c.post("/api/v1/probe/write", data={"csrf_token": token})
    assert form.status_code == 200


def test_login_from_another_origin_is_refused(client, people):
    r = client.post("/login", data={"username": "canbo", "password": "x" * 12},
                    headers={"Origin": "http://evil.example"}, follow_redirects=False)
    assert r.status_code == 403


def test_tokens_are_hashed_scoped_and_revocable(signed_in, app, database):
    c = signed_in("canbo")
    h = {"X-CSRF-Token": csrf_of(c)}
    read = c.post("/api/v1/tokens", json={"name": "đọc số liệu"}, headers=h).json()
    write = c.post("/api/v1/tokens", json={"name": "ghi", "scope": "read write", "expires_days": 30},
                   headers=h).json()
    assert read["token"].startswith(f"chiso_{read['prefix']}_") and read["scope"] == "read"
    with database.session() as s:
        rows = {t.prefix: t for t in s.scalars(select(ApiToken))}
    stored = rows[read["prefix"]]
    assert stored.secret_sha256 == hashlib.sha256(read["token"].encode()).hexdigest()
    assert read["token"] not in {stored.secret_sha256, stored.prefix, stored.name}
    listed = c.get("/api/v1/tokens").json()
    assert listed["total"] == 2 and all("token" not in t and "secret_sha256" not in t for t in listed["items"])

    bearer = TestClient(app)
    bearer.headers["Authorization"] = f"Bearer {read['token']}"
    me = bearer.get("/api/v1/me").json()
    assert me["via"] == "token" and me["scopes"] == ["read"] and me["csrf_token"] is None
    refused = bearer.post("/api/v1/probe/write")
    assert refused.status_code == 403 and "'read' scope only" in refused.json()["detail"]

    writer = TestClient(app)
    writer.headers["Authorization"] = f"Bearer {write['token']}"
    # bearer requests are exempt from CSRF, even with a hostile Origin
    assert writer.post("/api/v1/probe/write", headers={"Origin": "http://evil.example"}).status_code == 200

    assert c.delete(f"/api/v1/tokens/{read['prefix']}", headers=h).json()["state"] == "revoked"
    gone = bearer.get("/api/v1/me")
    assert gone.status_code == 401 and "revoked" in gone.json()["detail"]
    forged = TestClient(app)
    forged.headers["Authorization"] = f"Bearer {write['token'][:-4]}AAAA"
    assert forged.get("/api/v1/me").status_code == 401
    assert {"token.create", "token.revoke"} <= set(actions(database))


def test_tokens_of_others(signed_in):
    officer = signed_in("canbo")
    other = signed_in("canbo.yte")
    admin = signed_in("quantri")
    mine = officer.post("/api/v1/tokens", json={"name": "của tôi"}, headers={"X-CSRF-Token": csrf_of(officer)}).json()
    other.post("/api/v1/tokens", json={"name": "y tế"}, headers={"X-CSRF-Token": csrf_of(other)})
    assert [t["owner"] for t in other.get("/api/v1/tokens").json()["items"]] == ["canbo.yte"]
    assert admin.get("/api/v1/tokens").json()["total"] == 2
    denied = other.delete(f"/api/v1/tokens/{mine['prefix']}", headers={"X-CSRF-Token": csrf_of(other)})
    assert denied.status_code == 403 and "belongs to another account" in denied.json()["detail"]
    for_other = officer.post("/api/v1/tokens", json={"name": "x", "owner": "canbo.yte"},
                             headers={"X-CSRF-Token": csrf_of(officer)})
    assert for_other.status_code == 403
    assert admin.delete(f"/api/v1/tokens/{mine['prefix']}",
                        headers={"X-CSRF-Token": csrf_of(admin)}).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/audit", "/api/v1/accounts"])
def test_each_role_on_admin_endpoints(signed_in, client, path):
    anonymous = client.get(path)
    assert anonymous.status_code == 401 and "not signed in" in anonymous.json()["detail"]
    for username in ("lanhdao", "thutruong", "canbo", "xem"):
        r = signed_in(username).get(path)
        assert r.status_code == 403, username
        assert "requires role admin" in r.json()["detail"] and "quản trị viên" in r.json()["detail"]
    ok = signed_in("quantri").get(path)
    assert ok.status_code == 200 and ok.json()["total"] >= 1


def test_require_roles_names_every_allowed_role(signed_in):
    r = signed_in("canbo").get("/api/v1/probe/leaders")
    assert r.status_code == 403 and "requires role leader, admin" in r.json()["detail"]
    assert signed_in("lanhdao").get("/api/v1/probe/leaders").status_code == 200


def test_admin_manages_accounts_and_every_change_is_audited(signed_in, app, database):
    admin = signed_in("quantri")
    h = {"X-CSRF-Token": csrf_of(admin)}
    created = admin.post("/api/v1/accounts", headers=h, json={
        "username": "Tran.Binh", "password": "Một mật khẩu dài", "role": "officer", "unit_code": "24-SYT",
        "display_name": "Trần Bình"})
    assert created.status_code == 201, created.text
    assert created.json()["username"] == "tran.binh" and "password_hash" not in created.json()
    with database.session() as s:
        stored = s.scalar(select(Account.password_hash).where(Account.username == "tran.binh"))
    assert stored.startswith("$argon2id$") and "Một mật khẩu dài" not in stored
    bad = admin.post("/api/v1/accounts", headers=h, json={
        "username": "x.y.z", "password": "ngắn", "role": "officer", "unit_code": "24-SYT"})
    assert bad.status_code == 400 and "ít nhất 10 ký tự" in bad.json()["detail"]
    dup = admin.post("/api/v1/accounts", headers=h, json={
        "username": "tran.binh", "password": "Một mật khẩu dài", "role": "viewer", "unit_code": "24"})
    assert dup.status_code == 400 and "đã tồn tại" in dup.json()["detail"]
    unit = admin.post("/api/v1/accounts", headers=h, json={
        "username": "le.c", "password": "Một mật khẩu dài", "role": "viewer", "unit_code": "24-NOPE"})
    assert unit.status_code == 400 and "unknown unit code" in unit.json()["detail"]

    officer = TestClient(app)
    assert sign_in(officer, "tran.binh", "Một mật khẩu dài").status_code == 303
    token = officer.post("/api/v1/tokens", json={"name": "t", "scope": "read write"},
                         headers={"X-CSRF-Token": csrf_of(officer)}).json()["token"]
    role = admin.patch("/api/v1/accounts/tran.binh", headers=h, json={"role": "head"})
    assert role.status_code == 200 and role.json()["role"] == "head"
    assert officer.get("/api/v1/me").status_code == 401  # a role change ends sessions …
    bearer = TestClient(app)
    bearer.headers["Authorization"] = f"Bearer {token}"
    assert bearer.get("/api/v1/me").status_code == 401  # … and revokes tokens
    off = admin.patch("/api/v1/accounts/tran.binh", headers=h, json={"active": False})
    assert off.json()["active"] is False
    assert admin.patch("/api/v1/accounts/quantri", headers=h, json={"active": False}).status_code == 400
    assert signed_in("canbo").post("/api/v1/accounts", json={}).status_code == 403

    audit = admin.get("/api/v1/audit", params={"target": "tran.binh"}).json()
    assert [e["action"] for e in reversed(audit["items"])] == [
        "account.create", "session.signin", "account.role", "account.revoke-all", "account.deactivate"]
    assert all(e["actor"] == "quantri" for e in audit["items"] if e["action"] != "session.signin")
    role_line = next(e for e in audit["items"] if e["action"] == "account.role")
    assert role_line["detail"]["from"]["role"] == "officer" and role_line["detail"]["to"]["role"] == "head"


def test_audit_filters_and_pages(signed_in):
    admin = signed_in("quantri")
    h = {"X-CSRF-Token": csrf_of(admin)}
    for i in range(3):
        admin.post("/api/v1/tokens", json={"name": f"t{i}"}, headers=h)
    page = admin.get("/api/v1/audit", params={"action": "token.", "limit": 2}).json()
    assert page["total"] == 3 and page["limit"] == 2 and len(page["items"]) == 2
    rest = admin.get("/api/v1/audit", params={"action": "token.", "limit": 2, "offset": 2}).json()
    assert len(rest["items"]) == 1 and rest["items"][0]["detail"]["name"] == "t0"
    assert admin.get("/api/v1/audit", params={"actor": "quantri", "action": "token.create"}).json()["total"] == 3
    assert admin.get("/api/v1/audit", params={"since": "2000-01-01", "until": "2000-01-02"}).json()["total"] == 0
    assert admin.get("/api/v1/audit", params={"since": "2026-02-01", "until": "2026-01-01"}).status_code == 400
    assert admin.get("/api/v1/audit", params={"limit": 0}).status_code == 422


def test_audit_page(signed_in, client):
    admin = signed_in("quantri")
    page = admin.get("/admin/audit?action=account.create&limit=1")
    assert page.status_code == 200
    assert "Nhật ký kiểm toán" in page.text and "Tạo tài khoản" in page.text and "Trang sau" in page.text
    assert "Dòng 1–1 trên tổng số 6" in page.text
    assert "Audit log" in admin.get("/admin/audit?lang=en").text
    assert signed_in("canbo").get("/admin/audit").status_code == 403
    r = client.get("/admin/audit", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fadmin%2Faudit"


def test_ownership_rules(tree):
    def p(role, unit):
        return Principal("u", "U", role, unit, "24")

    assert can_read_unit(p("admin", "24"), "24-SYT", tree)
    assert can_read_unit(p("leader", "24"), "24-SYT", tree) and can_read_unit(p("viewer", "24"), "24", tree)
    assert can_read_unit(p("officer", "24-STC"), "24-STC", tree)
    assert not can_read_unit(p("officer", "24-STC"), "24-SYT", tree)
    assert not can_read_unit(p("leader", "24"), "NO-SUCH", tree)
    assert can_write_for(p("head", "24-STC"), "24-STC", tree)
    assert not can_write_for(p("officer", "24-STC"), "24-SYT", tree)
    assert not can_write_for(p("leader", "24"), "24", tree)
    assert not can_write_for(p("viewer", "24"), "24", tree)
    assert can_write_for(p("admin", "24"), "24-SYT", tree)


def test_demo_accounts_are_idempotent_and_sign_in(database, tree, client):
    assert busiest_owner("24") == "24-STC"
    first = ensure_demo_accounts(database, "24", tree)
    again = ensure_demo_accounts(database, "24", tree)
    assert first == again
    assert sorted(a.role for a in first) == ["admin", "head", "leader", "officer", "officer", "viewer"]
    assert {a.unit for a in first if a.role in ("head", "officer") and a.username != "vanphong"} == {"24-STC"}
    assert next(a.unit for a in first if a.username == "vanphong") == "24-VPUBND"
    assert actions(database).count("account.create") == 6
    officer = next(a for a in first if a.role == "officer" and a.username != "vanphong")
    assert sign_in(client, officer.username, officer.password).status_code == 303
