"""The task page (/tasks/{code}): who reads it, which forms each person sees, and the life of a
task through its forms — progress, extension, completion, the office's decisions — with the
refusals shown in the page (nothing written) and the rights refused with 403; on SQLite and
PostgreSQL, over the real application."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from chiso.collect.values.submit import local_today
from chiso.store import repo_tasks
from chiso.store.models_tasks import TaskEvent

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def events_of(site, code: str) -> list[TaskEvent]:
    with site.db.session() as s:
        return repo_tasks.events(s, repo_tasks.get_task(s, code).id)


def post(client, code: str, action: str, **data):
    page = client.get(f"/tasks/{code}")
    assert page.status_code == 200, page.text
    return client.post(f"/tasks/{code}/{action}", data={"csrf_token": csrf(page.text), "instance": "", **data})


def forms_in(html: str) -> set[str]:
    return set(re.findall(r'<form class="tform (\w+)"', html))


@pytest.mark.parametrize("username", ["canbo.syt", "giamdoc.syt", "canbo.sct", "vanphong", "chanhvanphong",
                                      "quantri", "lanhdao", "xem"])
def test_who_reads_a_task(task_site, clients, username):
    code = task_site.task()
    r = clients[username].get(f"/tasks/{code}")
    assert r.status_code == 200
    assert "Rà soát, báo cáo tình hình tiêm chủng mở rộng" in r.text
    assert "Sở Y tế" in r.text and "Sở Công Thương" in r.text


@pytest.mark.parametrize("username", ["canbo.stc", "lanhdao.hn"])
def test_others_may_not_read_it(task_site, clients, username):
    code = task_site.task()
    r = clients[username].get(f"/tasks/{code}")
    assert r.status_code == 403
    assert code in r.text


def test_unknown_task_and_anonymous(task_site, clients):
    assert clients["lanhdao"].get("/tasks/NV-1999-99999").status_code == 404
    code = task_site.task()
    r = task_site.client(None).get(f"/tasks/{code}")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("username, expected", [
    ("canbo.syt", {"progress", "extension"}),
    ("giamdoc.syt", {"progress", "extension", "completion"}),
    ("canbo.sct", set()), ("vanphong", set()), ("lanhdao", set()), ("xem", set()), ("quantri", set())])
def test_forms_shown_to_who_may_use_them(task_site, clients, username, expected):
    code = task_site.task()
    html = clients[username].get(f"/tasks/{code}").text
    assert forms_in(html) == expected
    assert ('id="head-only"' in html) == (username == "canbo.syt")


def test_the_page_shows_the_task(task_site, clients):
    today = local_today()
    code = task_site.task(starred=True, indicators=["XH.TIEM_CHUNG"], field="SOCIAL",
                          deadline_text="trong 60 ngày", doc_link="https://vanban.bacninh.gov.vn/125")
    html = clients["lanhdao"].get(f"/tasks/{code}").text
    assert "125/TB-UBND" in html and "Kết luận của Chủ tịch UBND tỉnh tại cuộc họp giao ban" in html
    assert "UBND tỉnh" in html and "Chủ tịch UBND tỉnh" in html
    assert "trong 60 ngày" in html
    assert (today + dt.timedelta(days=20)).strftime("%d/%m/%Y") in html
    assert "★ Trọng tâm" in html
    assert 'href="/indicators/XH.TIEM_CHUNG"' in html
    assert 'href="https://vanban.bacninh.gov.vn/125"' in html
    assert "đang thực hiện trong hạn" in html and "Còn 20 ngày đến hạn" in html
    assert "Tạo nhiệm vụ" in html and "Chuyên viên Văn phòng" in html  # the creator by display name
    with task_site.client("lanhdao") as english:  # ?lang=en is remembered in a cookie: a client of its own
        en = english.get(f"/tasks/{code}?lang=en").text
    assert "open within deadline" in en and "20 days left" in en and "Source document" in en


def test_an_overdue_task_says_how_late_in_words(task_site, clients):
    today = local_today()
    code = task_site.task(assigned_on=today - dt.timedelta(days=100), deadline=today - dt.timedelta(days=45))
    html = clients["xem"].get(f"/tasks/{code}").text
    assert "đang thực hiện quá hạn" in html
    assert "Quá hạn 45 ngày" in html and "quá hạn 31–60 ngày" in html


def test_the_life_of_a_task_through_its_forms(task_site, clients):
    today = local_today()
    code = task_site.task()
    officer, head, office = clients["canbo.syt"], clients["giamdoc.syt"], clients["vanphong"]

    r = post(officer, code, "progress", percent="40", day=today.isoformat(), text="Đã rà soát 8/12 huyện",
             ev_number="85/BC-SYT", ev_date=today.isoformat(), ev_summary="Báo cáo tiến độ",
             ev_link="https://vanban.bacninh.gov.vn/85")
    assert r.status_code == 303 and r.headers["location"] == f"/tasks/{code}?done=progress#timeline"
    html = officer.get(f"/tasks/{code}?done=progress").text
    assert "Đã ghi cập nhật tiến độ." in html
    assert "Tiến độ 40%" in html and "Đã rà soát 8/12 huyện" in html
    assert "Văn bản số 85/BC-SYT" in html and "Cán bộ Sở Y tế — Sở Y tế" in html
    assert "<b>40%</b>" in html

    # the officer may not report completion: refused, nothing written
    before = len(events_of(task_site, code))
    r = officer.post(f"/tasks/{code}/completion", data={"csrf_token": csrf(html), "instance": "",
                                                       "day": today.isoformat(), "text": "Xong"})
    assert r.status_code == 403 and "thủ trưởng" in r.text
    assert len(events_of(task_site, code)) == before

    r = post(head, code, "completion", day=today.isoformat(), text="Đã hoàn thành báo cáo tiêm chủng")
    assert r.status_code == 303 and "done=completion" in r.headers["location"]
    html = office.get(f"/tasks/{code}").text
    assert forms_in(html) == {"acceptance"}
    assert "đang chờ Văn phòng UBND tỉnh xác nhận" in html

    # a return needs a comment: shown in the page, nothing written
    before = len(events_of(task_site, code))
    r = post(office, code, "acceptance", decision="returned", text="  ")
    assert r.status_code == 200
    assert "Trả lại báo cáo hoàn thành cần ghi ý kiến" in r.text and 'id="form-error"' in r.text
    assert len(events_of(task_site, code)) == before

    r = post(office, code, "acceptance", decision="returned", text="Bổ sung số liệu của các xã")
    assert r.status_code == 303 and "done=returned" in r.headers["location"]
    html = head.get(f"/tasks/{code}").text
    assert "Trả lại báo cáo hoàn thành" in html and "Bổ sung số liệu của các xã" in html
    assert "completion" in forms_in(html)  # it can be reported again

    assert post(head, code, "completion", day=today.isoformat(), text="Đã bổ sung").status_code == 303
    r = post(office, code, "acceptance", decision="accepted", text="")
    assert r.status_code == 303 and "done=accepted" in r.headers["location"]
    html = clients["lanhdao"].get(f"/tasks/{code}").text
    assert "hoàn thành đúng hạn" in html and "Đã được xác nhận hoàn thành" in html
    assert forms_in(clients["giamdoc.syt"].get(f"/tasks/{code}").text) == set()
    kinds = [(e.kind, e.decision) for e in events_of(task_site, code)]
    assert kinds == [("progress", None), ("completion", None), ("acceptance", "returned"), ("completion", None),
                     ("acceptance", "accepted")]
    # the timeline is newest first
    assert html.index("Xác nhận hoàn thành</b>") < html.index("Trả lại báo cáo hoàn thành</b>")


def test_an_extension_asked_and_approved(task_site, clients):
    today = local_today()
    code = task_site.task()
    deadline = today + dt.timedelta(days=20)
    officer, office = clients["canbo.syt"], clients["vanphong"]
    r = post(officer, code, "extension", requested=deadline.isoformat(), text="Chờ số liệu của Bộ")
    assert r.status_code == 200 and "phải sau thời hạn hiện tại" in r.text
    assert events_of(task_site, code) == []
    asked = deadline + dt.timedelta(days=30)
    r = post(officer, code, "extension", requested=asked.isoformat(), text="Chờ số liệu của Bộ")
    assert r.status_code == 303
    html = officer.get(f"/tasks/{code}").text
    assert "extension" not in forms_in(html)  # one request at a time
    # the lead unit does not decide its own extension
    r = officer.post(f"/tasks/{code}/decision", data={"csrf_token": csrf(html), "decision": "approved"})
    assert r.status_code == 403
    html = office.get(f"/tasks/{code}").text
    assert forms_in(html) == {"decision"}
    assert f'value="{asked.isoformat()}"' in html  # the granted day defaults to the one asked
    r = post(office, code, "decision", decision="refused", text="")
    assert r.status_code == 200 and "Cần ghi lý do không đồng ý gia hạn" in r.text
    r = post(office, code, "decision", decision="approved", granted=asked.isoformat())
    assert r.status_code == 303 and "done=approved" in r.headers["location"]
    html = clients["lanhdao"].get(f"/tasks/{code}").text
    assert f"Gia hạn đến ngày {asked:%d/%m/%Y}" in html
    assert "Còn 50 ngày đến hạn" in html


def test_a_recurring_task_has_its_periods(task_site, clients):
    today = local_today()
    start = (today.replace(day=1) - dt.timedelta(days=62)).replace(day=1)
    code = task_site.task(assigned_on=start, deadline_kind="monthly", deadline=None, due_day=20,
                          deadline_text="hằng tháng ngày 20")
    html = clients["lanhdao"].get(f"/tasks/{code}").text
    months = []
    d = start
    while d <= today:
        months.append(d)
        d = (d + dt.timedelta(days=32)).replace(day=1)
    for m in months:
        assert f"Tháng {m.month}/{m.year}" in html
    first = f"{start.year}-{start.month:02d}"
    r = post(clients["canbo.syt"], code, "progress", instance=first, percent="90", text="Kỳ đầu")
    assert r.status_code == 303, re.findall(r"form-error[^<]*<", r.text)
    assert f"instance={first}" in r.headers["location"]
    first_page = clients["canbo.syt"].get(f"/tasks/{code}?instance={first}").text
    assert "Kỳ đầu" in first_page and f"Diễn biến kỳ Tháng {start.month}/{start.year}" in first_page
    latest = clients["canbo.syt"].get(f"/tasks/{code}").text
    assert "Kỳ đầu" not in latest
    assert clients["canbo.syt"].get(f"/tasks/{code}?instance=1999-01").status_code == 404


def test_forms_need_the_csrf_token(task_site, clients):
    code = task_site.task()
    r = clients["canbo.syt"].post(f"/tasks/{code}/progress", data={"instance": "", "percent": "10"})
    assert r.status_code == 403
    assert events_of(task_site, code) == []


def test_bad_input_is_shown_and_kept(task_site, clients):
    code = task_site.task()
    tomorrow = local_today() + dt.timedelta(days=1)
    r = post(clients["canbo.syt"], code, "progress", percent="140", text="Gần xong")
    assert r.status_code == 200 and "Tiến độ phải từ 0 đến 100%" in r.text
    assert 'value="140"' in r.text and "Gần xong" in r.text  # what was typed is kept
    r = post(clients["canbo.syt"], code, "progress", percent="10", day=tomorrow.isoformat())
    assert r.status_code == 200 and "chưa đến" in r.text
    r = post(clients["canbo.syt"], code, "progress", percent="10", ev_link="javascript:alert(1)")
    assert r.status_code == 200 and "http:// hoặc https://" in r.text
    assert events_of(task_site, code) == []
    assert clients["canbo.syt"].post(f"/tasks/{code}/nonsense", data={}).status_code in (403, 404)

