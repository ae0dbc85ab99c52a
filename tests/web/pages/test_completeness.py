"""The completeness board, its API and the notifications, on the demo site of the web tests.

The site's Sở Tài chính (24-STC) has sent its spending (``SPENDING``) for 2026-01 … 2026-06
only; these tests read September 2026 (missing: its deadline has passed), which no other test of
the shared site writes (the API tests send July, the browser test August and this month).
"""
from __future__ import annotations

import re

from sqlalchemy import select

from chiso.collect.values.submit import local_today
from chiso.evaluate.reminders import send_reminders
from chiso.settings import SmtpSettings
from chiso.store.models_accounts import Account
from chiso.store.repo_notifications import notifications
from tests.web.site import SPENDING, csrf_of

MONTHS = "?months=24"   # reaches back to September 2026 whatever day the tests run
MISSING = "2026-09"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_office_sees_every_agency_by_month_in_vietnamese(site) -> None:
    r = site.client("lanhdao").get("/completeness" + MONTHS)
    assert r.status_code == 200
    html = r.text
    assert "Tình hình nộp số liệu" in html and 'href="/completeness/24-STC' in html
    row = html.split('data-unit="24-STC"')[1].split("</tr>")[0]
    assert f'data-month="{MISSING}" data-status="missing"' in row
    assert "Chưa nộp" in row and "Tháng 9/2026" in html
    text = _text(html)
    assert MISSING not in text        # periods as people say them
    assert "Tỷ lệ đúng hạn" in text and "Tỷ lệ nộp của toàn tỉnh theo tháng" in text
    en = site.client("lanhdao").get("/completeness" + MONTHS + "&lang=en").text
    assert "Reporting completeness" in en and "Missing" in en and "September 2026" in en
    assert "Chưa nộp" not in _text(en.split("<main")[1])


def test_an_agency_page_lists_what_it_owes(site) -> None:
    r = site.client("lanhdao").get("/completeness/24-STC" + MONTHS)
    assert r.status_code == 200
    owed = r.text.split('id="completeness-owed"')[1].split("</table>")[0]
    assert f'data-indicator="{SPENDING}" data-period="' in owed      # the newest debts first
    assert "Chi ngân sách địa phương" in owed and "Chưa nộp" in owed
    spending = r.text.split(f'<li data-indicator="{SPENDING}"')[1].split("</ol></li>")[0]
    assert 'data-period="2026-06" data-status="' in spending
    assert f'data-period="{MISSING}" data-status="missing"' in spending


def test_a_head_or_officer_reads_their_own_agency_only(site) -> None:
    own = site.client("canbo.stc").get("/completeness" + MONTHS)
    assert own.status_code == 200
    assert 'data-unit="24-STC"' in own.text and 'data-unit="24-SYT"' not in own.text
    assert site.client("canbo.stc").get("/completeness/24-STC").status_code == 200
    assert site.client("canbo.stc").get("/completeness/24-SYT").status_code == 403
    assert site.client("lanhdao").get("/completeness/NO-SUCH").status_code == 404


def test_the_api_answers_the_same_board_with_the_same_rights(site) -> None:
    c = site.client(None)
    r = c.get("/api/v1/completeness", params={"months": 24, "unit": "24-STC"}, headers=site.auth("lanhdao"))
    assert r.status_code == 200
    doc = r.json()
    item = next(i for i in doc["agencies"][0]["items"] if i["indicator"] == SPENDING and i["period"] == MISSING)
    assert item["status"] == "missing" and item["unit"] == "24"
    whole = c.get("/api/v1/completeness", headers=site.auth("lanhdao")).json()
    assert {"24-STC", "24-SYT"} <= {a["code"] for a in whole["agencies"]}
    mine = c.get("/api/v1/completeness", headers=site.auth("canbo.syt")).json()
    assert [a["code"] for a in mine["agencies"]] == ["24-SYT"]
    assert c.get("/api/v1/completeness", params={"unit": "24-STC"}, headers=site.auth("canbo.syt")).status_code == 403
    assert c.get("/api/v1/completeness", params={"unit": "24-NOPE"}, headers=site.auth("lanhdao")).status_code == 404
    assert c.get("/api/v1/completeness").status_code == 401
    assert c.get("/api/v1/completeness", params={"months": 0}, headers=site.auth("lanhdao")).status_code == 422


def test_reminders_reach_the_bell_and_the_notifications_page(site) -> None:
    none = SmtpSettings(host=None, port=25, user=None, password=None, sender="chiso@localhost", starttls=False)
    with site.db.session() as s:
        send_reminders(s, "24", site.tree, local_today(), none, days_before=40, overdue_days=400)
    officer = site.client("canbo.stc")
    count = officer.get("/notifications/count")
    assert count.status_code == 200 and re.search(r'class="bell-count">\d+<', count.text)
    page = officer.get("/notifications")
    assert page.status_code == 200 and "Thông báo" in page.text
    assert re.search(r"(Đã quá hạn nộp|Sắp đến hạn nộp) “[^”]+” (tuần|tháng|quý|năm) \d", page.text)
    assert not re.search(r"\b20\d\d-(W\d\d|\d\d|Q\d)\b", _text(page.text.split("<main")[1]))
    assert 'href="/notifications"' in page.text     # the bell in the header
    with site.db.session() as s:
        ids = {u: s.scalar(select(Account.id).where(Account.username == u)) for u in ("canbo.stc", "canbo.syt")}
        mine = notifications(s, ids["canbo.stc"], limit=1000)
        unread_before = [n.id for n, _ in mine if n.read_at is None]
    assert {r.unit_code for _, r in mine} == {"24-STC"}
    assert any(r.indicator == SPENDING and r.kind == "overdue" for _, r in mine)
    assert unread_before
    # someone else's notice is not theirs to mark
    other = site.client("canbo.syt")
    token = csrf_of(other.get("/notifications").text)
    other.post("/notifications/read", data={"csrf_token": token, "ids": str(unread_before[0])})
    # without the CSRF token nothing is marked
    assert officer.post("/notifications/read", data={"all": "1"}).status_code == 403
    with site.db.session() as s:
        still = [n.id for n, _ in notifications(s, ids["canbo.stc"], limit=1000) if n.read_at is None]
    assert still == unread_before
    token = csrf_of(page.text)
    done = officer.post("/notifications/read", data={"csrf_token": token, "ids": str(unread_before[0])})
    assert done.status_code == 303 and done.headers["location"] == "/notifications?marked=1"
    marked = officer.get("/notifications?marked=1").text
    assert "Đã đánh dấu 1 thông báo là đã đọc." in marked
    token = csrf_of(marked)
    officer.post("/notifications/read", data={"csrf_token": token, "all": "1"})
    assert officer.get("/notifications/count").text == ""
    # the leader's office gets no reminder (only the owning agency's head and officers)
    assert site.client("lanhdao").get("/notifications/count").text == ""
