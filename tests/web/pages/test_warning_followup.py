"""Warnings followed up on the pages and the API: the leader gives a warning to an agency (or one
of its people) with a due date, the agency sees it as theirs and comments, an overdue warning is
escalated to "cần chỉ đạo" once, and the lists are paged, filtered and sorted.

The warnings used here are Sở Công Thương's (24-SCT, the agency with the most) that nobody
followed up yet, never those other tests act on."""
from __future__ import annotations

import datetime as dt

import pytest

from chiso.collect.values.submit import local_today
from chiso.store.repo_audit import audit_entries
from chiso.store.repo_evaluation import assign_warning, warning_followups
from tests.web.site import csrf_of, open_warnings


def fresh(site, responsible: str = "24-SCT") -> list[int]:
    """Open warnings of ``responsible`` nobody followed up yet, without the first four and the
    last (which other tests act on: tests/web/test_warning_rights.py)."""
    return [wid for wid in open_warnings(site, responsible)[4:-1] if not lines(site, wid)]


def lines(site, wid: int) -> list[tuple[str, str, str | None]]:
    db = site.database()
    try:
        with db.session() as s:
            return [(f.action, f.by, f.unit_code) for f in warning_followups(s, wid)]
    finally:
        db.dispose()


def audited(site, action: str) -> list[int]:
    db = site.database()
    try:
        with db.session() as s:
            return [int(e.target_id) for e in audit_entries(s, limit=500, action=action)]
    finally:
        db.dispose()


def ids(page) -> list[int]:
    return [r["w"].id for r in page.context["rows"]]


def test_leader_assigns_the_agency_sees_it_and_comments(site):
    wid = fresh(site)[0]
    leader = site.client("lanhdao")
    page = leader.get(f"/warnings/{wid}")
    assert page.status_code == 200 and f'action="/warnings/{wid}/assign"' in page.text
    assert "Chưa giao" in page.text or "chưa được giao" in page.text
    due = local_today() + dt.timedelta(days=5)
    r = leader.post(f"/warnings/{wid}/assign", data={
        "unit": "24-SCT", "username": "canbo.sct", "due_on": due.isoformat(),
        "note": "Rà soát và bổ sung số liệu trước hạn", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == f"/warnings/{wid}#followup"
    assert lines(site, wid) == [("assign", "lanhdao", "24-SCT")]
    assert wid in audited(site, "warning.assign")
    # the officer and the head of Sở Công Thương find it under "Giao cho tôi / đơn vị tôi"
    for user in ("canbo.sct", "giamdoc.sct"):
        mine = site.client(user).get("/warnings/mine")
        assert mine.status_code == 200 and wid in ids(mine), user
        assert "Giao cho tôi / đơn vị tôi" in mine.text
    officer = site.client("canbo.sct")
    detail = officer.get(f"/warnings/{wid}")
    assert "Rà soát và bổ sung số liệu trước hạn" in detail.text and "canbo.sct" in detail.text
    assert f'action="/warnings/{wid}/assign"' not in detail.text  # officers do not assign
    r = officer.post(f"/warnings/{wid}/comments", data={"note": "Đã giao phòng Kế hoạch kiểm tra",
                                                        "csrf_token": csrf_of(detail.text)},
                     headers={"HX-Request": "true", "HX-Target": "warning-panel"})
    assert r.status_code == 200 and "<html" not in r.text and "Đã giao phòng Kế hoạch kiểm tra" in r.text
    assert lines(site, wid)[-1] == ("comment", "canbo.sct", None)
    assert wid in audited(site, "warning.comment")
    # every reader reads the thread; the viewer writes none
    viewer = site.client("xem")
    seen = viewer.get(f"/warnings/{wid}")
    assert "Đã giao phòng Kế hoạch kiểm tra" in seen.text and f'action="/warnings/{wid}/comments"' not in seen.text
    r = viewer.post(f"/warnings/{wid}/comments", data={"note": "x", "csrf_token": csrf_of(seen.text)})
    assert r.status_code == 403
    # reassigned to another agency: that agency reads it, handles it, and the history keeps both
    page = leader.get(f"/warnings/{wid}")
    r = leader.post(f"/warnings/{wid}/assign", data={"unit": "24-STC", "due_on": due.isoformat(),
                                                     "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    assert [a for a, _, _ in lines(site, wid)] == ["assign", "comment", "assign"]
    assert wid in audited(site, "warning.reassign")
    stc = site.client("canbo.stc")
    assert wid in ids(stc.get("/warnings/mine"))
    theirs = stc.get(f"/warnings/{wid}")
    assert theirs.status_code == 200 and f'action="/warnings/{wid}/acknowledge"' in theirs.text
    history = leader.get(f"/warnings/{wid}").text
    assert history.count("Giao việc") >= 2 and "Sở Tài chính" in history


@pytest.mark.parametrize("user", ["canbo.sct", "giamdoc.sct", "xem"])
def test_only_leaders_and_administrators_assign(site, user):
    wid = fresh(site)[1]
    c = site.client(user)
    token = csrf_of(c.get("/indicators?lang=vi").text)
    r = c.post(f"/warnings/{wid}/assign", data={"unit": "24-SCT", "due_on": local_today().isoformat(),
                                                "csrf_token": token})
    assert r.status_code == 403 and "lãnh đạo hoặc quản trị viên" in r.text
    assert lines(site, wid) == []


def test_assignment_is_checked(site):
    wid = fresh(site)[1]
    admin = site.client("quantri")
    token = csrf_of(admin.get(f"/warnings/{wid}").text)
    today = local_today()
    bad = [
        ({"unit": "24-SCT", "username": "canbo.stc", "due_on": today.isoformat()}, "24-STC"),  # not of the unit
        ({"unit": "24-SCT", "due_on": (today - dt.timedelta(days=1)).isoformat()}, "before today"),
        ({"unit": "99-NOPE", "due_on": today.isoformat()}, "99-NOPE"),
        ({"unit": "24-SCT", "due_on": "mai"}, "YYYY-MM-DD"),
    ]
    for form, reason in bad:
        r = admin.post(f"/warnings/{wid}/assign", data={**form, "csrf_token": token})
        assert r.status_code == 400 and reason in r.text, (form, r.status_code)
    r = admin.post(f"/warnings/{wid}/assign", data={"unit": "24-SCT", "due_on": today.isoformat()})
    assert r.status_code == 403  # no CSRF token
    assert lines(site, wid) == []


def test_overdue_goes_to_the_leaders_list_and_is_recorded_once(site):
    wid = fresh(site)[2]
    db = site.database()
    try:  # given a fortnight ago with a due date last week (the store takes any day; the page only today on)
        with db.session() as s:
            assign_warning(s, wid, by="lanhdao", unit_code="24-SCT", due_on=local_today() - dt.timedelta(days=7),
                           note="Hạn một tuần")
    finally:
        db.dispose()
    leader = site.client("lanhdao")
    attention = leader.get("/warnings/attention")
    assert attention.status_code == 200 and "Cần chỉ đạo" in attention.text
    items = attention.context["rows"]
    points = [r["f"].importance for r in items]
    assert points == sorted(points, reverse=True) and all(r["f"].needs_direction for r in items)
    overdue = leader.get("/warnings/attention", params={"overdue": "1"})
    assert wid in ids(overdue) and "Quá hạn 7 ngày" in overdue.text
    leader.get(f"/warnings/{wid}")
    leader.get("/warnings", params={"overdue": "1"})
    assert [a for a, _, _ in lines(site, wid)] == ["assign", "overdue"]  # recorded once, however many reads
    assert wid in audited(site, "warning.overdue")
    assert "Quá hạn xử lý — chuyển lãnh đạo chỉ đạo" in leader.get(f"/warnings/{wid}").text


def test_the_list_is_paged_filtered_and_sorted(site):
    c = site.client("lanhdao")
    first = c.get("/warnings", params={"state": "all"})
    total = first.context["total"]
    assert total > 25 and len(first.context["rows"]) == 25 and first.context["pages"] > 1
    assert 'rel="next"' in first.text
    second = c.get("/warnings", params={"state": "all", "page": 2})
    assert not set(ids(first)) & set(ids(second))
    opened = [r["w"].opened_at for r in first.context["rows"]]
    assert opened == sorted(opened, reverse=True)  # newest first by default
    oldest = [r["w"].opened_at for r in c.get("/warnings", params={"state": "all", "sort": "oldest"}).context["rows"]]
    assert oldest == sorted(oldest)
    nobody = c.get("/warnings", params={"state": "all", "assignee": "none"}).context["rows"]
    assert nobody and all(not r["f"].assigned for r in nobody)
    sct = c.get("/warnings", params={"state": "all", "assignee": "24-SCT"}).context["rows"]
    assert all(r["f"].assignment.unit_code == "24-SCT" for r in sct)
    assert c.get("/warnings", params={"sort": "nope"}).status_code == 400
    # a head sees their own unit's only, also on the attention list
    head = site.client("giamdoc.syt").get("/warnings/attention", params={"state": "all"})
    assert all("24-SYT" in (r["w"].unit_code, r["w"].responsible_unit,
                            r["f"].assignment.unit_code if r["f"].assignment else None)
               for r in head.context["rows"])


def test_the_english_page_is_english(site):
    c = site.client("lanhdao")
    r = c.get("/warnings/attention", params={"lang": "en"})
    assert r.status_code == 200 and "Needs direction" in r.text and "Given to me / my unit" in r.text
    assert "Cần chỉ đạo" not in r.text and "Giao cho" not in r.text
    wid = open_warnings(site, "24-SCT")[-1]
    one = c.get(f"/warnings/{wid}", params={"lang": "en"})
    assert one.status_code == 200 and "Assignment and due date" in one.text and "Comments" in one.text
    for vietnamese in ("Giao việc", "Trao đổi", "Thời hạn", "Ý kiến chỉ đạo"):
        assert vietnamese not in one.text, vietnamese


# ----------------------------------------------------------------------------------- the API

def csrf(client) -> str:
    return client.get("/api/v1/me").json()["csrf_token"]


def test_api_assign_comment_and_attention(site):
    wid = fresh(site)[-1]
    leader = site.client("lanhdao")
    due = (local_today() + dt.timedelta(days=3)).isoformat()
    body = {"unit": "24-SCT", "username": "giamdoc.sct", "due_on": due, "note": "Báo cáo trước hạn"}
    # a leader's token reads only; the leader assigns signed in
    r = leader.post(f"/api/v1/warnings/{wid}/assign", json=body, headers=site.auth("lanhdao"))
    assert r.status_code == 403
    r = leader.post(f"/api/v1/warnings/{wid}/assign", json=body, headers={"X-CSRF-Token": csrf(leader)})
    assert r.status_code == 200, r.text
    assert r.json()["followup"]["assignment"]["username"] == "giamdoc.sct"
    # heads and officers may not assign, even their own unit's warnings
    r = site.client("canbo.sct").post(f"/api/v1/warnings/{wid}/assign", json=body, headers=site.auth("canbo.sct"))
    assert r.status_code == 403 and "leader or an administrator" in r.json()["detail"]
    bad = {**body, "username": "canbo.syt"}
    r = leader.post(f"/api/v1/warnings/{wid}/assign", json=bad, headers={"X-CSRF-Token": csrf(leader)})
    assert r.status_code == 400
    # the head comments with a token; everyone who reads it reads the thread
    r = site.client("giamdoc.sct").post(f"/api/v1/warnings/{wid}/comments", json={"note": "Đang xử lý"},
                                        headers=site.auth("giamdoc.sct"))
    assert r.status_code == 201 and r.json()["by"] == "giamdoc.sct"
    thread = site.client("xem").get(f"/api/v1/warnings/{wid}/comments", headers=site.auth("xem")).json()
    assert [c["note"] for c in thread["items"]] == ["Đang xử lý"]
    r = site.client("xem").post(f"/api/v1/warnings/{wid}/comments", json={"note": "x"}, headers=site.auth("xem"))
    assert r.status_code == 403
    r = site.client("canbo.syt").get(f"/api/v1/warnings/{wid}/comments", headers=site.auth("canbo.syt"))
    assert r.status_code == 403
    one = leader.get(f"/api/v1/warnings/{wid}", headers=site.auth("lanhdao")).json()
    assert [f["action"] for f in one["followups"]] == ["assign", "comment"]
    mine = site.client("giamdoc.sct").get("/api/v1/warnings", params={"assignee": "me", "state": "all"},
                                          headers=site.auth("giamdoc.sct")).json()
    assert wid in [w["id"] for w in mine["items"]]
    ranked = leader.get("/api/v1/warnings/attention", params={"limit": 500}, headers=site.auth("lanhdao")).json()
    points = [w["followup"]["importance"] for w in ranked["items"]]
    assert ranked["total"] > 0 and points == sorted(points, reverse=True)
    assert all(w["followup"]["needs_direction"] and w["state"] != "resolved" for w in ranked["items"])
