"""Data submission: upload (row-level report on refusal), batches, approve and lock by role."""
from __future__ import annotations

import io
import re

import pytest
import xlsxwriter

from chiso.web.context import DM_VALUES
from tests.web.site import ONE_PER_ROLE as ROLES_SAMPLE
from tests.web.site import csrf_of, period_state


def cached_value_panels(site) -> list[tuple]:
    """The short-lived values read from the indicator values (``DM_VALUES``) the web holds now."""
    return [k for k in site.app.state.ctx._short.keys() if k[0] == DM_VALUES]


def upload(client, name: str, text: str, **form):
    token = csrf_of(client.get("/submissions").text)
    return client.post("/submissions", data={"csrf_token": token, **form},
                       files={"file": (name, text.encode("utf-8"), "text/csv")})


@pytest.mark.parametrize("user", ROLES_SAMPLE)
def test_submissions_page_renders_for_every_role(site, user):
    r = site.client(user).get("/submissions")
    assert r.status_code == 200, r.text
    assert "Nộp số liệu" in r.text and "Trạng thái các kỳ số liệu" in r.text
    ctx = r.context
    assert ctx["may_submit"] == (user in ("quantri", "giamdoc.syt", "canbo.syt"))
    if user in ("giamdoc.syt", "canbo.syt"):
        assert all(b.as_unit == "24-SYT" for b in ctx["batches"])
        assert ctx["periods"] and all(p["p"].owner == "24-SYT" for p in ctx["periods"])


def test_an_upload_with_errors_shows_the_row_level_report_and_writes_nothing(site):
    officer = site.client("canbo.syt")
    before = len(officer.get("/submissions").context["batches"])
    r = upload(officer, "tiem-chung-loi.csv",
               "indicator,unit,period,value\nXH.TIEM_CHUNG,24,2026-13,50\nXH.TIEM_CHUNG,24,2026-06,không biết\n")  # unlike the browser test's file: the same bytes are the same batch
    assert r.status_code == 200 and r.context["refused"]
    html = r.text
    assert "bị từ chối" in html and "không ghi dữ liệu nào" in html
    problems = r.context["problems"]
    assert {p.row for p in problems} >= {2, 3}  # the spreadsheet's rows: the header is row 1
    assert {p.column for p in problems} >= {"period", "value"}
    assert all(p.file == "tiem-chung-loi.csv" for p in problems)
    assert "2026-13" in html and "không biết" in html
    batches = officer.get("/submissions").context["batches"]
    assert len(batches) == before + 1 and batches[0].status == "refused"  # registered with its report
    detail = officer.get(f"/submissions/{batches[0].id}")
    assert detail.status_code == 200 and "không biết" in detail.text


def test_the_report_gives_each_reason_in_the_users_language_with_its_code(site):
    officer = site.client("canbo.syt")
    text = "indicator,unit,period,value\nXH.TIEM_CHUNG,24,2026-05,không biết\nXH.TIEM_CHUNG,24,2026-13,50\n"
    vi = upload(officer, "loi.csv", text)
    assert vi.status_code == 200 and vi.context["refused"]
    assert "không phải là số (ghi 12.5 hoặc 12,5)" in vi.text and "not a number" not in vi.text
    assert "không đọc được kỳ báo cáo" in vi.text  # the period the parser cannot read
    assert 'data-code="value.not_number"' in vi.text and 'data-code="period.unreadable"' in vi.text
    # the stored report keeps the English reasons; the batch page translates them as well
    batch = officer.get("/submissions").context["batches"][0]
    assert "not a number" in batch.report[0]["reason"] or "not a number" in batch.report[1]["reason"]
    detail = officer.get(f"/submissions/{batch.id}")
    assert "không phải là số" in detail.text and 'data-code="value.not_number"' in detail.text
    en = officer.get(f"/submissions/{batch.id}?lang=en")
    assert "not a number (write 12.5 or 12,5)" in en.text and "không phải là số" not in en.text
    assert 'data-code="value.not_number"' in en.text
    officer.get("/submissions?lang=vi")  # back to Vietnamese for the other tests


def test_an_officer_cannot_submit_another_agencys_indicator(site):
    r = upload(site.client("canbo.syt"), "ban-le.csv", "indicator,unit,period,value\nKT.BAN_LE,24,2026-07,1\n")
    assert r.status_code == 200 and r.context["refused"]
    assert any(p.column == "indicator" or "owner" in p.reason or "24-SCT" in p.reason for p in r.context["problems"])


def test_correction_then_approve_then_lock(site):
    officer = site.client("canbo.syt")
    text = "indicator,unit,period,value\nXH.TIEM_CHUNG,24,2026-07,54.5\n"
    assert site.client("lanhdao").get("/wall").status_code == 200
    r = upload(officer, "dinh-chinh.csv", text)
    assert r.status_code == 200 and r.context["refused"] and "reason" in r.text  # a correction needs a reason
    assert cached_value_panels(site), "a refused batch wrote nothing: the wall's board stays cached"
    r = upload(officer, "dinh-chinh.csv", text, reason="Sở Y tế rà soát lại số liệu tháng 7")
    assert r.status_code == 200, r.text
    assert r.context["result"].corrected == 1 and "Đã nhận lô số liệu" in r.text
    # the off-track panel, the wall's board and the maps read the new value at once, not minutes later
    assert not cached_value_panels(site)
    page = site.client("giamdoc.syt").get("/indicators/XH.TIEM_CHUNG")
    assert "Sở Y tế rà soát lại số liệu tháng 7" in page.text and "canbo.syt" in page.text
    assert period_state(site, "XH.TIEM_CHUNG", "2026-07") == "submitted"

    token = csrf_of(officer.get("/submissions").text)
    r = officer.post("/submissions/approve", data={"indicator": "XH.TIEM_CHUNG", "period": "2026-07",
                                                   "csrf_token": token})
    assert r.status_code == 403 and "head" in r.text
    other = site.client("giamdoc.sct")
    token = csrf_of(other.get("/submissions").text)
    r = other.post("/submissions/approve", data={"indicator": "XH.TIEM_CHUNG", "period": "2026-07",
                                                 "csrf_token": token})
    assert r.status_code == 403
    assert period_state(site, "XH.TIEM_CHUNG", "2026-07") == "submitted"

    head = site.client("giamdoc.syt")
    token = csrf_of(head.get("/submissions").text)
    r = head.post("/submissions/approve", data={"indicator": "XH.TIEM_CHUNG", "period": "2026-07",
                                                "csrf_token": token})
    assert r.status_code == 303 and period_state(site, "XH.TIEM_CHUNG", "2026-07") == "approved"
    assert not cached_value_panels(site)  # an approval changes what the status counts, too
    r = site.client("lanhdao").post("/submissions/lock", data={
        "indicator": "XH.TIEM_CHUNG", "period": "2026-07", "csrf_token": csrf_of(site.client("lanhdao").get("/indicators").text)})
    assert r.status_code == 403 and period_state(site, "XH.TIEM_CHUNG", "2026-07") == "approved"
    r = head.post("/submissions/lock", data={"indicator": "XH.TIEM_CHUNG", "period": "2026-07", "csrf_token": token},
                  headers={"HX-Request": "true"})
    assert r.status_code == 200 and period_state(site, "XH.TIEM_CHUNG", "2026-07") == "locked"
    # a locked period refuses new values
    r = upload(officer, "sau-khoa.csv", "indicator,unit,period,value\nXH.TIEM_CHUNG,24,2026-07,60\n", reason="thử")
    assert r.status_code == 200 and r.context["refused"]
    assert period_state(site, "XH.TIEM_CHUNG", "2026-07") == "locked"


def test_leader_and_viewer_may_not_upload(site):
    for user in ("lanhdao", "xem"):
        c = site.client(user)
        token = csrf_of(c.get("/indicators").text)
        r = c.post("/submissions", data={"csrf_token": token},
                   files={"file": ("a.csv", b"indicator,unit,period,value\n", "text/csv")})
        assert r.status_code == 403, user


def test_upload_needs_csrf(site):
    r = site.client("canbo.syt").post("/submissions", files={
        "file": ("a.csv", b"indicator,unit,period,value\nXH.TIEM_CHUNG,24,2026-07,1\n", "text/csv")})
    assert r.status_code == 403


def test_officer_cannot_open_another_agencys_batch(site):
    sct = [b for b in site.client("quantri").get("/submissions").context["batches"] if b.as_unit == "24-SCT"][0]
    r = site.client("canbo.syt").get(f"/submissions/{sct.id}")
    assert r.status_code == 403 and "their own unit" in r.text


def _two_sheet_workbook(first: str, rows: list[list]) -> bytes:
    """A workbook of two sheets: the values on ``first`` (read), notes on the second (not read)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    values = book.add_worksheet(first)
    for r, row in enumerate([["indicator", "unit", "period", "value"], *rows]):
        values.write_row(r, 0, row)
    notes = book.add_worksheet("Ghi chú")
    notes.write_row(0, 0, ["Bảng này không phải số liệu", "2026-13", "không biết"])
    book.close()
    return buffer.getvalue()


def test_a_stored_refusal_of_a_workbook_names_its_sheet(site):
    officer = site.client("canbo.syt")
    data = _two_sheet_workbook("Tiêm chủng T6", [["XH.TIEM_CHUNG", "24", "2026-06", 91.5],
                                                 ["XH.TIEM_CHUNG", "24", "2026-14", 90],
                                                 ["XH.TIEM_CHUNG", "24", "2026-05", "chưa có số"]])
    token = csrf_of(officer.get("/submissions").text)
    live = officer.post("/submissions", data={"csrf_token": token}, files={"file": (
        "tiem-chung-2-trang.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert live.status_code == 200 and live.context["refused"] and live.context["sheet"] == "Tiêm chủng T6"
    assert {(p.row, p.column) for p in live.context["problems"]} >= {(3, "period"), (4, "value")}
    assert "«Tiêm chủng T6»" in live.text

    batch = officer.get("/submissions").context["batches"][0]
    assert batch.status == "refused" and batch.file_name == "tiem-chung-2-trang.xlsx"
    assert {(p["file"], p["sheet"], p["row"], p["column"]) for p in batch.report} >= {
        ("tiem-chung-2-trang.xlsx", "Tiêm chủng T6", 3, "period"),
        ("tiem-chung-2-trang.xlsx", "Tiêm chủng T6", 4, "value")}
    stored = officer.get(f"/submissions/{batch.id}")           # reopened later from the list
    assert stored.status_code == 200 and stored.context["sheet"] == "Tiêm chủng T6"
    assert "«Tiêm chủng T6»" in stored.text                     # rows are this sheet's rows
    report = stored.text.split('class="dmtable report"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td class=\"n\">(\d+)</td><td>([^<]+)</td>.*?data-sheet=\"([^\"]+)\"", report, re.S)
    assert {(int(n), c, s) for n, c, s in rows} >= {(3, "period", "Tiêm chủng T6"), (4, "value", "Tiêm chủng T6")}
    assert "Ghi chú" not in report                              # the second sheet was not read
    api = site.client(None).get(f"/api/v1/submissions/{batch.id}", headers=site.auth("canbo.syt"))
    assert api.status_code == 200                               # the API hands the stored report as it is
    assert all(p["sheet"] == "Tiêm chủng T6" for p in api.json()["report"])
