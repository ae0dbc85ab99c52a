"""The audit page as an administrator reads it: names and roles in the page's language, action
names, local time, the change as old → new (Unicode as text), filters, paging, the admin menu."""
from __future__ import annotations

import datetime as dt
import re

from chiso.store import repo_accounts
from chiso.store.models import AuditEntry
from chiso.web.pages import audit_lines
from tests.web.security.conftest import DEPARTMENT, csrf_of


def test_changes_are_a_readable_diff():
    rows = audit_lines.changes_of({"from": {"role": "viewer", "unit_code": "24"},
                                   "to": {"role": "head", "unit_code": "24"}}, "account.role", "vi")
    assert [(c.field, c.old, c.new) for c in rows] == [("Vai trò", "người xem", "thủ trưởng")]
    rows = audit_lines.changes_of({"indicator": "KT.GRDP", "period": "2026-11", "from": "submitted",
                                   "to": "approved", "role": "head", "reason": None}, "values.period.approved", "vi")
    assert ("Trạng thái", "đã gửi", "đã duyệt") in [(c.field, c.old, c.new) for c in rows]
    assert ("Kỳ", None, "Tháng 11/2026") in [(c.field, c.old, c.new) for c in rows] or \
        ("Kỳ", None, "11/2026") in [(c.field, c.old, c.new) for c in rows]
    assert "Lý do" not in [c.field for c in rows]  # an empty value is not a change worth a row
    english = audit_lines.changes_of({"from": "unified", "to": "approved", "comment": "Đồng ý"}, "catalogue.move", "en")
    assert [(c.field, c.old, c.new) for c in english][0] == ("State", "4. Reviewed and unified",
                                                             "5. Approved and promulgated")
    assert audit_lines.show("names", ["a"] * 12, "x", "vi").endswith("(12 mục)")


def test_every_action_chiso_writes_has_a_name():
    """Each action code written by ``audit(`` in chiso has a Vietnamese and an English name."""
    from pathlib import Path

    root = Path(audit_lines.__file__).parents[2]
    found = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"audit\(\s*session,\s*[^,]+,\s*\"([a-z_.-]+)\"", text))
    found |= {"values.period.draft", "values.period.submitted", "values.period.approved", "values.period.locked",
              "values.submit", "values.refuse", "setup.begin", "setup.step"}
    assert len(found) > 25
    for action in sorted(found):
        vi, en = audit_lines.action_name(action, "vi"), audit_lines.action_name(action, "en")
        assert vi != action and en != action and vi != en, action


def test_the_page_reads_as_people_speak(signed_in, database, people):
    admin = signed_in("quantri")
    token = csrf_of(admin)
    r = admin.post("/api/v1/accounts", headers={"X-CSRF-Token": token},
                   json={"username": "nguoixem", "password": "Mật-khẩu-người-xem-2026", "role": "viewer",
                         "unit_code": "24", "display_name": "Người xem"})
    assert r.status_code == 201, r.text
    r = admin.patch("/api/v1/accounts/nguoixem", headers={"X-CSRF-Token": token},
                    json={"role": "head", "unit_code": DEPARTMENT})
    assert r.status_code == 200, r.text
    page = admin.get("/admin/audit")
    html = page.text
    assert page.status_code == 200
    assert "\\u01b0" not in html and "Người xem" in html
    assert "Tạo tài khoản" in html and "Đổi vai trò, đơn vị của tài khoản" in html
    assert re.search(r"<del>người xem</del> → <ins>thủ trưởng</ins>", html)
    assert "Quantri</b> · quản trị viên" in html  # who: the display name and the role
    assert 'href="/admin/audit"' in html  # in the admin menu
    with database.session() as s:
        newest = s.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
    local = newest.at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert local.strftime("%d/%m/%Y %H:%M") in html  # local time (Vietnam, UTC+7)
    english = admin.get("/admin/audit?lang=en").text
    assert "Account created" in english and "Account role or unit changed" in english
    assert "Tạo tài khoản" not in english and "quản trị viên" not in english


def test_filters_and_paging(signed_in, people):
    admin = signed_in("quantri")
    signed_in("canbo")
    signed_in("thutruong")
    everything = admin.get("/admin/audit").context["total"]
    assert everything >= 9
    mine = admin.get("/admin/audit", params={"actor": "canbo"}).context
    assert mine["total"] >= 1 and {line.who["username"] for line in mine["lines"]} == {"canbo"}
    agency = admin.get("/admin/audit", params={"agency": DEPARTMENT}).context
    assert {line.who["username"] for line in agency["lines"]} == {"canbo", "thutruong"}
    signins = admin.get("/admin/audit", params={"action": "session.signin"}).context
    assert signins["total"] == 3 and all(line.action == "session.signin" for line in signins["lines"])
    family = admin.get("/admin/audit", params={"action": "account."}).context
    assert family["total"] == len(people) and all(line.action.startswith("account.") for line in family["lines"])
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()
    assert admin.get("/admin/audit", params={"since": today.isoformat(), "until": today.isoformat()}
                     ).context["total"] == everything
    assert admin.get("/admin/audit", params={"until": "2000-01-01"}).context["total"] == 0
    assert admin.get("/admin/audit", params={"since": "2026-02-01", "until": "2026-01-01"}).status_code == 400
    first = admin.get("/admin/audit", params={"limit": 3}).context
    second = admin.get("/admin/audit", params={"limit": 3, "offset": 3}).context
    ids = [line.id for line in first["lines"]] + [line.id for line in second["lines"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6  # newest first, no overlap


def test_only_administrators_see_the_menu_entry(signed_in, database, people, tree):
    with database.session() as s:
        assert repo_accounts.get_account(s, "lanhdao") is not None
    leader = signed_in("lanhdao")
    assert leader.get("/admin/audit").status_code == 403
