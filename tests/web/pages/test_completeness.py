"""The completeness board, its API and the notifications, on the demo site of the web tests.

The site's Sở Tài chính (24-STC) has sent its spending (``SPENDING``) for 2026-01 … 2026-06
only; these tests read September 2026 (missing: its deadline has passed), which no other test of
the shared site writes (the API tests send July, the browser test August and this month).
"""
from __future__ import annotations

import html as markup
import json
import re

from sqlalchemy import select

from chiso.collect.values.submit import local_today
from chiso.evaluate.dm.completeness import gather
from chiso.evaluate.reminders import send_reminders
from chiso.settings import SmtpSettings
from chiso.store.models_accounts import Account
from chiso.store.repo_notifications import notifications
from chiso.text import format_percent
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


# --- an agency's rates month by month, against the province's (issue 12) -------------------------

def _chart(html: str) -> dict:
    box = html.split('id="completeness-trend"')[1].split("</section>")[0]
    return json.loads(markup.unescape(re.search(r"data-chart='([^']*)'", box).group(1)))


def _share(x):
    return None if x is None else round(x * 100, 1)


def test_an_agency_page_charts_its_rates_by_month_against_the_province(site) -> None:
    r = site.client("lanhdao").get("/completeness/24-STC" + MONTHS)
    assert r.status_code == 200
    today = r.context["board"].today
    with site.db.session() as s:
        own = gather(s, "24", site.tree, today, months=24, owner="24-STC")
        whole = gather(s, "24", site.tree, today, months=24)
    months = [m.label for m in own.months]
    chart = _chart(r.text)
    assert len(chart["xAxis"]["data"]) == 24 and chart["xAxis"]["data"][-1].startswith("Tháng")
    series = {s["name"]: s["data"] for s in chart["series"]}
    cells = own.agencies["24-STC"].cells
    assert series["Đúng hạn (cơ quan)"] == [_share(cells[m].on_time_rate) for m in months]
    assert series["Đã nhận (cơ quan)"] == [_share(cells[m].received_rate) for m in months]
    assert series["Đúng hạn (toàn tỉnh)"] == [_share(whole.province[m].on_time_rate) for m in months]
    assert series["Đã nhận (toàn tỉnh)"] == [_share(whole.province[m].received_rate) for m in months]
    assert any(v is not None and v < 100 for v in series["Đã nhận (cơ quan)"])   # it owes months: not all 100
    # the same numbers as a table, the newest month first, spoken periods and percentages
    table = r.text.split('id="completeness-trend-table"')[1].split("</table>")[0]
    assert re.findall(r'<tr data-month="([^"]+)">', table) == months[::-1]
    missing_row = table.split(f'<tr data-month="{MISSING}">')[1].split("</tr>")[0]
    assert "Tháng 9/2026" in missing_row
    rate = cells[MISSING].received_rate
    assert (format_percent(rate, 1, "vi") if rate is not None else "—") in missing_row


def test_a_head_compares_their_agency_with_the_province_but_sees_no_other_agency(site) -> None:
    r = site.client("canbo.stc").get("/completeness/24-STC" + MONTHS)
    assert r.status_code == 200
    chart = _chart(r.text)
    assert [s["name"] for s in chart["series"]][2:] == ["Đúng hạn (toàn tỉnh)", "Đã nhận (toàn tỉnh)"]
    assert "Sở Y tế" not in r.text.split("<main")[1]
    en = site.client("canbo.stc").get("/completeness/24-STC" + MONTHS + "&lang=en").text
    assert "On time (province)" in en and "Reporting rates by month, against the province" in en
