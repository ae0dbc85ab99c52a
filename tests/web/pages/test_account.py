"""Tài khoản của tôi (/account) and the province's accounts (/admin/accounts), on the demo site.

The e-mail addresses these tests set are of Bảo hiểm xã hội's accounts (``canbo.bhxh``,
``giamdoc.bhxh``), whose addresses no other test reads; every change goes through the one
repository function (``set_email``) and is audited: who set whose, before and after.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from chiso.store.models_accounts import Account
from chiso.store.repo_audit import search_lines
from chiso.web.pages import account as account_page
from tests.web.site import ACCOUNTS, csrf_of


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _email(site, username: str) -> str | None:
    with site.db.session() as s:
        return s.scalar(select(Account.email).where(Account.username == username))


def _audit(site, target: str) -> list:
    with site.db.session() as s:
        _, rows = search_lines(s, action="account.email", target=target, limit=50)
        return [(r.actor, r.target_id, r.detail) for r in rows]


@pytest.mark.parametrize("username, role_vi, unit_vi", [
    ("canbo.syt", "Cán bộ nhập liệu", "Sở Y tế"), ("giamdoc.syt", "Thủ trưởng cơ quan", "Sở Y tế"),
    ("lanhdao", "Lãnh đạo", "Bắc Ninh"), ("xem", "Người xem", "Bắc Ninh"), ("quantri", "Quản trị viên", "Bắc Ninh")])
def test_every_person_sees_their_name_role_and_unit(site, username, role_vi, unit_vi) -> None:
    r = site.client(username).get("/account")
    assert r.status_code == 200, r.text
    main = _text(r.text.split("<main")[1])
    assert "Tài khoản của tôi" in main and f"Tài khoản {username}" in main
    assert role_vi in main and unit_vi in main and username in main
    assert 'href="/account"' in r.text                    # the header's name links here
    en = site.client(username).get("/account?lang=en")
    assert "My account" in en.text and role_vi not in _text(en.text.split("<main")[1])


def test_the_page_needs_a_sign_in(site) -> None:
    r = site.client(None).get("/account")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Faccount")


def test_a_person_sets_and_clears_their_own_address_audited(site) -> None:
    officer = site.client("canbo.bhxh")
    token = csrf_of(officer.get("/account").text)
    r = officer.post("/account/email", data={"csrf_token": token, "email": "  canbo.bhxh@bacninh.gov.vn "})
    assert r.status_code == 303 and r.headers["location"] == "/account?saved=set"
    assert _email(site, "canbo.bhxh") == "canbo.bhxh@bacninh.gov.vn"
    page = officer.get("/account?saved=set")
    assert "canbo.bhxh@bacninh.gov.vn" in page.text and "Đã lưu địa chỉ thư điện tử" in page.text
    actor, target, detail = _audit(site, "canbo.bhxh")[0]
    assert (actor, target) == ("canbo.bhxh", "canbo.bhxh") and detail["after"] == "canbo.bhxh@bacninh.gov.vn"

    r = officer.post("/account/email", data={"csrf_token": token, "email": ""})
    assert r.status_code == 303 and r.headers["location"] == "/account?saved=cleared"
    assert _email(site, "canbo.bhxh") is None
    assert _audit(site, "canbo.bhxh")[0][2] == {"before": "canbo.bhxh@bacninh.gov.vn", "after": None}


@pytest.mark.parametrize("bad", ["không phải địa chỉ", "a@b", "hai@@bacninh.gov.vn", "a b@bacninh.gov.vn",
                                 "x" * 65 + "@bacninh.gov.vn", "a@" + "b" * 250 + ".vn", ".a@bacninh.gov.vn"])
def test_a_wrong_address_is_refused_and_changes_nothing(site, bad) -> None:
    officer = site.client("canbo.bhxh")
    token = csrf_of(officer.get("/account").text)
    assert officer.post("/account/email", data={"csrf_token": token, "email": "dung@bacninh.gov.vn"}).status_code == 303
    lines = len(_audit(site, "canbo.bhxh"))
    r = officer.post("/account/email", data={"csrf_token": token, "email": bad})
    assert r.status_code == 400
    assert "Chưa lưu gì" in r.text and 'aria-invalid="true"' in r.text
    assert _email(site, "canbo.bhxh") == "dung@bacninh.gov.vn" and len(_audit(site, "canbo.bhxh")) == lines


def test_the_address_form_needs_csrf(site) -> None:
    r = site.client("canbo.bhxh").post("/account/email", data={"email": "gia-mao@bacninh.gov.vn"})
    assert r.status_code == 403
    assert _email(site, "canbo.bhxh") != "gia-mao@bacninh.gov.vn"


def test_the_email_check() -> None:
    ok = ("ten@bacninh.gov.vn", "ten.ho+nhac@so-y-te.bacninh.gov.vn", "a@xn--bcninh-9ra.vn", "", "nguyễn@bắcninh.vn")
    assert all(account_page.email_problem(a) is None for a in ok)
    assert account_page.email_problem("ten@bacninh") == "account.error.invalid"
    assert account_page.email_problem("ten..ho@bacninh.gov.vn") == "account.error.invalid"
    assert account_page.email_problem("a@b.c" + "c" * 260) == "account.error.too_long"


# ------------------------------------------------------------------------------ administrators

def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="account-[^"]+" data-username="([^"]+)"', html)


def test_only_an_administrator_reads_the_accounts_page(site) -> None:
    for username in ("lanhdao", "giamdoc.syt", "canbo.syt", "xem"):
        assert site.client(username).get("/admin/accounts").status_code == 403, username
        assert 'href="/admin/accounts"' not in site.client(username).get("/account").text
    r = site.client("quantri").get("/admin/accounts")
    assert r.status_code == 200 and 'href="/admin/accounts"' in r.text
    with site.db.session() as s:  # other tests add accounts to the shared site (the office's vanphong)
        stored = {a.username: a.unit_code for a in s.scalars(select(Account))}
    province = {u for u, unit in stored.items() if unit == "24" or unit.startswith("24-")}
    assert set(ACCOUNTS) <= set(stored)
    shown = set(_rows(r.text))
    assert shown <= province and "lanhdao.hn" not in shown      # Hà Nội's leader is not this province's
    assert "Tài khoản trong tỉnh" in r.text and "Thủ trưởng cơ quan" in r.text and "Sở Y tế" in r.text


def test_the_accounts_are_filtered_by_unit_role_and_text(site) -> None:
    admin = site.client("quantri")
    assert _rows(admin.get("/admin/accounts?unit=24-SYT").text) == ["giamdoc.syt", "canbo.syt"]
    assert _rows(admin.get("/admin/accounts?unit=24-SYT&role=officer").text) == ["canbo.syt"]
    heads = _rows(admin.get("/admin/accounts?role=head").text)
    assert set(heads) == {u for u, (role, unit) in ACCOUNTS.items() if role == "head"}
    assert _rows(admin.get("/admin/accounts?q=GIAMDOC.SCT").text) == ["giamdoc.sct"]
    none = admin.get("/admin/accounts?role=viewer&unit=24-SYT")
    assert _rows(none.text) == [] and "Không có tài khoản nào khớp bộ lọc" in none.text


def test_the_accounts_are_paged(site, monkeypatch) -> None:
    admin = site.client("quantri")
    everyone = _rows(admin.get("/admin/accounts").text)
    monkeypatch.setattr(account_page, "PAGE_SIZE", 4)
    pages = [_rows(admin.get(f"/admin/accounts?page={n}").text) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [4, 4, len(everyone) - 8]
    assert sum(pages, []) == everyone                    # every account once, in the same order
    monkeypatch.setattr(account_page, "PAGE_SIZE", 3)
    first = admin.get("/admin/accounts?role=head&page=1").text
    assert 'href="/admin/accounts?role=head&amp;page=2"' in first and "Trang 1/" in first


def test_an_administrator_sets_an_accounts_address_audited_as_theirs(site) -> None:
    admin = site.client("quantri")
    page = admin.get("/admin/accounts?unit=24-BHXH")
    token = csrf_of(page.text)
    r = admin.post("/admin/accounts/giamdoc.bhxh/email",
                   data={"csrf_token": token, "email": "giamdoc.bhxh@bacninh.gov.vn",
                         "back": "/admin/accounts?unit=24-BHXH"})
    assert r.status_code == 303
    assert r.headers["location"] == "/admin/accounts?unit=24-BHXH&saved=giamdoc.bhxh#account-giamdoc.bhxh"
    assert _email(site, "giamdoc.bhxh") == "giamdoc.bhxh@bacninh.gov.vn"
    actor, target, detail = _audit(site, "giamdoc.bhxh")[0]
    assert (actor, target, detail["after"]) == ("quantri", "giamdoc.bhxh", "giamdoc.bhxh@bacninh.gov.vn")
    shown = admin.get("/admin/accounts?unit=24-BHXH&saved=giamdoc.bhxh").text
    assert 'value="giamdoc.bhxh@bacninh.gov.vn"' in shown and "Đã lưu địa chỉ thư điện tử của tài khoản" in shown

    bad = admin.post("/admin/accounts/giamdoc.bhxh/email",
                     data={"csrf_token": token, "email": "sai địa chỉ", "back": "/admin/accounts?unit=24-BHXH"})
    assert bad.status_code == 400 and "không phải là địa chỉ thư điện tử" in bad.text
    assert 'id="account-error-giamdoc.bhxh"' in bad.text and _rows(bad.text) == ["giamdoc.bhxh", "canbo.bhxh"]
    assert _email(site, "giamdoc.bhxh") == "giamdoc.bhxh@bacninh.gov.vn"

    # a "back" address elsewhere is not followed
    away = admin.post("/admin/accounts/giamdoc.bhxh/email",
                      data={"csrf_token": token, "email": "", "back": "https://example.org/"})
    assert away.status_code == 303 and away.headers["location"].startswith("/admin/accounts?saved=")
    assert _email(site, "giamdoc.bhxh") is None


def test_only_an_administrator_of_the_province_sets_another_accounts_address(site) -> None:
    admin = site.client("quantri")
    token = csrf_of(admin.get("/admin/accounts").text)
    other = admin.post("/admin/accounts/lanhdao.hn/email", data={"csrf_token": token, "email": "a@hanoi.gov.vn"})
    assert other.status_code == 404 and _email(site, "lanhdao.hn") is None
    assert admin.post("/admin/accounts/khong-co/email", data={"csrf_token": token, "email": ""}).status_code == 404
    head = site.client("giamdoc.bhxh")
    token = csrf_of(head.get("/account").text)
    r = head.post("/admin/accounts/canbo.bhxh/email", data={"csrf_token": token, "email": "x@bacninh.gov.vn"})
    assert r.status_code == 403 and _email(site, "canbo.bhxh") != "x@bacninh.gov.vn"
    assert admin.post("/admin/accounts/giamdoc.bhxh/email", data={"email": "x@bacninh.gov.vn"}).status_code == 403
