"""The head's approval inbox (/inbox): newest first, old → new, approve or return (with a required
comment) several at once, by role and ownership, audited — and the API's return move."""
from __future__ import annotations

import datetime as dt

import pytest

from chiso.collect.values import Submitter, batch_from_records, submit_batch
from chiso.store.repo_audit import audit_entries
from chiso.store.repo_catalogue import live_indicators
from chiso.store.repo_values import get_period
from tests.web.site import csrf_of


def send(site, rows: list[tuple[str, str, float]], by: str = "canbo.stc", unit: str = "24-STC"):
    """The officer submits values (indicator, period, value) for the province, now."""
    records = [{"indicator": code, "unit": "24", "period": period, "value": value} for code, period, value in rows]
    db = site.database()
    try:
        with db.session() as s:
            catalogue = live_indicators(s, "24")
        return submit_batch(db, batch_from_records(f"{by}.json", records), Submitter(as_unit=unit, by=by),
                            catalogue, site.tree, now=dt.datetime.now(dt.UTC))
    finally:
        db.dispose()


def period_row(site, code: str, period: str):
    db = site.database()
    try:
        with db.session() as s:
            row = get_period(s, code, period)
            if row is not None:
                s.expunge(row)
            return row
    finally:
        db.dispose()


def act(client, **form):
    token = csrf_of(client.get("/inbox").text)
    return client.post("/inbox", data={"csrf_token": token, **form})


def test_the_latest_submission_is_at_the_top_with_old_new_difference_and_percent(site):
    send(site, [("DT.FDI", "2026-09", 40.0)])
    send(site, [("DT.FDI", "2026-10", 50.0)])
    head = site.client("giamdoc.stc")
    r = head.get("/inbox")
    assert r.status_code == 200
    items = r.context["items"]
    assert [i["key"] for i in items[:2]] == ["DT.FDI@2026-10", "DT.FDI@2026-09"]
    top = items[0]["values"][0]
    assert (top["old"], top["value"], top["diff"], top["was"], top["old_period"]) == (
        40.0, 50.0, 10.0, "earlier", "2026-09")
    assert top["pct"] == pytest.approx(25.0)
    html = r.text
    assert "Tháng 10/2026" in html and "so với Tháng 9/2026" in html and "+10,00" in html and "+25,0" in html
    assert "2026-10</" not in html  # periods as people say them
    assert html.index("item-DT-FDI-2026-10") < html.index("item-DT-FDI-2026-09")
    # only the head's agency: Sở Y tế's head does not see Sở Tài chính's
    syt = site.client("giamdoc.syt").get("/inbox")
    assert all(i["p"].owner == "24-SYT" for i in syt.context["items"]) and "DT.FDI" not in syt.text


def test_the_head_approves_several_at_once_audited(site):
    send(site, [("DT.VON_DTXH", "2026-Q2", 900.0), ("DT.VON_DTXH", "2026-Q3", 960.0)])
    r = act(site.client("giamdoc.stc"), action="approve", item=["DT.VON_DTXH@2026-Q2", "DT.VON_DTXH@2026-Q3"])
    assert r.status_code == 303 and r.headers["location"] == "/inbox?approved=2"
    assert [period_row(site, "DT.VON_DTXH", p).state for p in ("2026-Q2", "2026-Q3")] == ["approved"] * 2
    assert "Đã duyệt 2 mục." in site.client("giamdoc.stc").get("/inbox?approved=2").text
    db = site.database()
    try:
        with db.session() as s:
            moves = [e for e in audit_entries(s) if e.action == "values.period.approved"
                     and e.target_id in ("DT.VON_DTXH@2026-Q2", "DT.VON_DTXH@2026-Q3")]
    finally:
        db.dispose()
    assert len(moves) == 2 and {e.actor for e in moves} == {"giamdoc.stc"}


def test_returning_needs_a_comment_and_the_officer_sees_it_on_the_desk_then_resubmits(site):
    send(site, [("DT.KH_VON_DTC", "2025", 12000.0)])
    head = site.client("giamdoc.stc")
    r = act(head, action="return", item=["DT.KH_VON_DTC@2025"], comment="  ")
    assert r.status_code == 200 and "Trả lại cần ghi ý kiến" in r.text
    assert period_row(site, "DT.KH_VON_DTC", "2025").state == "submitted"
    comment = "Kế hoạch vốn năm 2025 chưa khớp nghị quyết HĐND, đề nghị rà soát"
    r = act(head, action="return", item=["DT.KH_VON_DTC@2025"], comment=comment)
    assert r.status_code == 303 and r.headers["location"] == "/inbox?returned=1"
    row = period_row(site, "DT.KH_VON_DTC", "2025")
    assert (row.state, row.returned_by, row.return_comment) == ("returned", "giamdoc.stc", comment)
    assert "DT.KH_VON_DTC@2025" not in [i["key"] for i in head.get("/inbox").context["items"]]
    desk = site.client("canbo.stc").get("/desk")
    assert desk.status_code == 200
    returned = desk.text[desk.text.index('id="returned"'):desk.text.index('id="due"')]
    assert comment in returned and "giamdoc.stc" in returned and "Năm 2025" in returned
    # the officer fixes the figure; no reason of their own is needed: the head's comment is recorded
    result = send(site, [("DT.KH_VON_DTC", "2025", 12500.0)])
    assert (result.corrected, result.periods) == (1, {"DT.KH_VON_DTC@2025": "submitted"})
    again = head.get("/inbox")
    top = next(i for i in again.context["items"] if i["key"] == "DT.KH_VON_DTC@2025")
    assert (top["values"][0]["old"], top["values"][0]["was"]) == (12000.0, "replaced")
    assert comment in again.text  # the last return is shown beside it
    assert 'id="returned"' not in site.client("canbo.stc").get("/desk").text


@pytest.mark.parametrize("user", ["canbo.stc", "lanhdao", "xem"])
def test_only_heads_and_administrators_open_the_inbox(site, user):
    assert site.client(user).get("/inbox").status_code == 403


def test_an_officer_cannot_approve_and_another_agencys_head_is_refused_per_item(site):
    send(site, [("DT.VON_DTXH", "2026-Q1", 870.0)])
    officer = site.client("canbo.stc")
    token = csrf_of(officer.get("/desk").text)
    r = officer.post("/inbox", data={"csrf_token": token, "action": "approve", "item": "DT.VON_DTXH@2026-Q1"})
    assert r.status_code == 403
    r = act(site.client("giamdoc.syt"), action="approve", item=["DT.VON_DTXH@2026-Q1"])
    assert r.status_code == 200 and "Không xử lý được 1 mục" in r.text and "only the head" in r.text
    assert period_row(site, "DT.VON_DTXH", "2026-Q1").state == "submitted"
    # without the CSRF token nothing moves
    r = site.client("giamdoc.stc").post("/inbox", data={"action": "approve", "item": "DT.VON_DTXH@2026-Q1"})
    assert r.status_code == 403 and period_row(site, "DT.VON_DTXH", "2026-Q1").state == "submitted"


def test_an_administrator_returns_but_does_not_approve(site):
    send(site, [("DT.VON_DTXH", "2025-Q4", 850.0)])
    admin = site.client("quantri")
    page = admin.get("/inbox")
    assert page.status_code == 200 and 'value="approve"' not in page.text and 'value="return"' in page.text
    r = act(admin, action="approve", item=["DT.VON_DTXH@2025-Q4"])
    assert r.status_code == 200 and period_row(site, "DT.VON_DTXH", "2025-Q4").state == "submitted"
    r = act(admin, action="return", item=["DT.VON_DTXH@2025-Q4"], comment="Thiếu số liệu quý IV, đề nghị bổ sung")
    assert r.status_code == 303 and period_row(site, "DT.VON_DTXH", "2025-Q4").state == "returned"


def test_the_inbox_in_english_is_english(site):
    html = site.client("giamdoc.stc").get("/inbox?lang=en").text
    assert "Awaiting approval" in html and "Return to the officer" in html and "Chờ duyệt" not in html


def test_the_api_returns_a_period_with_a_required_comment(site):
    from fastapi.testclient import TestClient

    send(site, [("DT.FDI", "2026-08", 35.0)])
    api = TestClient(site.app)
    path = "/api/v1/periods/DT.FDI/2026-08/return"
    assert api.post(path, json={"comment": "sai"}, headers=site.auth("canbo.stc")).status_code == 403
    assert api.post(path, json={}, headers=site.auth("giamdoc.stc")).status_code == 400
    r = api.post(path, json={"comment": "Số FDI tháng 8 chưa khớp Bộ KH&ĐT"}, headers=site.auth("giamdoc.stc"))
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["action"]) == ("returned", "return")
    assert period_row(site, "DT.FDI", "2026-08").return_comment == "Số FDI tháng 8 chưa khớp Bộ KH&ĐT"
