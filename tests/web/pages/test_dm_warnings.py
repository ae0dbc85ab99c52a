"""The warnings centre: filters, list, one warning, acknowledge / resolve with a note and CSRF."""
from __future__ import annotations

import pytest

from chiso.store.repo_evaluation import list_warnings, warning_events
from tests.web.site import ONE_PER_ROLE as ROLES_SAMPLE
from tests.web.site import csrf_of


def open_warnings(site, responsible: str) -> list[int]:
    db = site.database()
    try:
        with db.session() as s:
            return [w.id for w in list_warnings(s, "24", state="open") if w.responsible_unit == responsible]
    finally:
        db.dispose()


def events(site, warning_id: int) -> list[tuple[str, str, str]]:
    db = site.database()
    try:
        with db.session() as s:
            return [(e.action, e.by, e.note) for e in warning_events(s, warning_id)]
    finally:
        db.dispose()


@pytest.mark.parametrize("user", ROLES_SAMPLE)
def test_warnings_centre_renders_for_every_role(site, user):
    r = site.client(user).get("/warnings")
    assert r.status_code == 200, r.text
    assert "Trung tâm cảnh báo" in r.text and "Mức độ" in r.text
    rows = r.context["rows"]
    assert rows
    if user in ("giamdoc.syt", "canbo.syt"):
        assert all("24-SYT" in (x["w"].unit_code, x["w"].responsible_unit,
                                x["f"].assignment.unit_code if x["f"].assignment else None) for x in rows)


def test_filters(site):
    c = site.client("lanhdao")
    crit = c.get("/warnings", params={"severity": "critical", "state": "all"}).context["rows"]
    assert all(x["w"].severity == "critical" for x in crit)
    social = c.get("/warnings", params={"field": "SOCIETY"}).context["rows"]
    assert social and all(x["w"].field == "SOCIETY" for x in social)
    assert c.get("/warnings", params={"severity": "nope"}).status_code == 400


def test_officer_cannot_read_another_units_warnings(site):
    other = open_warnings(site, "24-STC")[0]
    c = site.client("canbo.syt")
    r = c.get(f"/warnings/{other}")
    assert r.status_code == 403 and "their own unit" in r.text
    assert c.get("/warnings", params={"unit": "24-STC"}).status_code == 403


def test_officer_acknowledges_then_head_resolves_with_notes(site):
    wid = open_warnings(site, "24-SYT")[0]
    officer = site.client("canbo.syt")
    page = officer.get(f"/warnings/{wid}")
    assert page.status_code == 200 and "Tiếp nhận" in page.text
    token = csrf_of(page.text)
    # the note is required
    r = officer.post(f"/warnings/{wid}/acknowledge", data={"note": "  ", "csrf_token": token})
    assert r.status_code == 400 and "ghi chú" in r.text
    r = officer.post(f"/warnings/{wid}/acknowledge", data={"note": "Đã giao phòng chuyên môn rà soát",
                                                           "csrf_token": token},
                     headers={"HX-Request": "true", "HX-Target": "warning-panel"})
    assert r.status_code == 200 and "Đã tiếp nhận" in r.text and 'id="warning-panel"' in r.text
    assert "<html" not in r.text  # a fragment, not the page
    head = site.client("giamdoc.syt")
    token = csrf_of(head.get(f"/warnings/{wid}").text)
    r = head.post(f"/warnings/{wid}/resolve", data={"note": "Số liệu đã bổ sung", "csrf_token": token})
    assert r.status_code == 303
    assert events(site, wid)[-2:] == [("acknowledge", "canbo.syt", "Đã giao phòng chuyên môn rà soát"),
                                      ("resolve", "giamdoc.syt", "Số liệu đã bổ sung")]
    history = head.get(f"/warnings/{wid}").text
    assert "Lịch sử cảnh báo" in history and "Số liệu đã bổ sung" in history


@pytest.mark.parametrize("user", ["lanhdao", "xem", "canbo.sct"])
def test_roles_that_may_not_act_are_refused(site, user):
    wid = open_warnings(site, "24-SYT")[-1]
    c = site.client(user)
    token = csrf_of(c.get("/indicators?lang=vi").text)
    r = c.post(f"/warnings/{wid}/acknowledge", data={"note": "thử", "csrf_token": token})
    assert r.status_code in (403,), r.text
    assert events(site, wid)[-1][0] != "acknowledge"


def test_csrf_is_required(site):
    wid = open_warnings(site, "24-SYT")[-1]
    r = site.client("quantri").post(f"/warnings/{wid}/acknowledge", data={"note": "không có mã CSRF"})
    assert r.status_code == 403
    assert events(site, wid)[-1][0] != "acknowledge"
