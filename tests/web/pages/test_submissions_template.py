"""The submissions page for the people who run the weekly cycle: the pre-filled template, the
entry form, the report by the file's own rows with the wrong character, the batch link and the
next step after success, and the lists paged, filtered and sorted."""
from __future__ import annotations

import io
import re

import openpyxl

from chiso.collect.values.template import SHEET
from tests.web.site import OWN_INDICATOR, csrf_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _template(client, period: str, **params):
    return client.get("/submissions/template", params={"period": period, **params})


def _filled(data: bytes, values: dict[int, object]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    column = [c.value for c in ws[1]].index("Giá trị") + 1
    for row, value in values.items():
        ws.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_officer_downloads_the_template_of_the_agencys_rows(site):
    officer = site.client("canbo.syt")
    r = _template(officer, "2026-10")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert 'filename="mau-so-lieu-24-SYT-2026-10.xlsx"' in r.headers["content-disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(r.content))[SHEET]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2) if row[0].value]
    assert rows and {row[0] for row in rows} >= {OWN_INDICATOR} and all(row[4] == "2026-10" for row in rows)
    assert int(r.headers["x-chiso-rows"]) == len(rows)
    # the page links the templates of recent periods, named as people say them
    page = officer.get("/submissions").text
    assert re.search(r'href="/submissions/template\?period=2026-\d\d"', page) and "Mẫu Tháng" in page


def test_who_may_download_which_template(site):
    assert _template(site.client("xem"), "2026-10").status_code == 403
    assert _template(site.client("lanhdao"), "2026-10").status_code == 403
    assert _template(site.client("canbo.syt"), "2026-10", as_unit="24-STC").status_code == 403
    admin = _template(site.client("quantri"), "2026-10", as_unit="24-SYT")
    assert admin.status_code == 200 and "24-SYT" in admin.headers["content-disposition"]
    assert _template(site.client("canbo.syt"), "2026-13").status_code == 400
    assert _template(site.client("canbo.syt"), "2099-01").status_code == 400


def test_a_filled_template_with_a_slip_is_reported_at_the_sheets_row_with_the_character(site):
    officer = site.client("canbo.syt")
    data = _template(officer, "2026-10").content
    ws = openpyxl.load_workbook(io.BytesIO(data))[SHEET]
    n = sum(1 for row in ws.iter_rows(min_row=2) if row[0].value)
    bad = _filled(data, {**{r: 50 + r for r in range(2, n + 2)}, 2: "3.1O8,2"})
    token = csrf_of(officer.get("/submissions").text)
    r = officer.post("/submissions", data={"csrf_token": token, "reason": "thử mẫu"},
                     files={"file": ("mau-10.xlsx", bad, XLSX)})
    assert r.status_code == 200 and r.context["refused"]
    [problem] = [p for p in r.context["problems"] if p.column == "value"]
    assert problem.row == 2 and r.context["sheet"] == SHEET
    assert "ký tự &#39;O&#39; ở vị trí 4 không phải chữ số: 3.1O8,2" in r.text
    assert "trang tính «Số liệu»" in r.text and 'data-code="value.character"' in r.text


def test_the_entry_form_submits_through_the_same_rules_and_shows_the_next_step(site):
    officer = site.client("canbo.syt")
    page = officer.get("/submissions")
    entry = page.context["entry"]
    assert [i.code for i in entry["indicators"]] == sorted(i.code for i in entry["indicators"])
    assert OWN_INDICATOR in [i.code for i in entry["indicators"]] and entry["periods"]
    assert all(i.owner == "24-SYT" for i in entry["indicators"])
    token = csrf_of(page.text)
    form = {"csrf_token": token, "indicator": [OWN_INDICATOR, ""], "unit": ["24", ""],
            "period": ["2026-06", ""], "value": ["3.1O8,2", ""], "note": ["", ""], "reason": "rà soát"}
    refused = officer.post("/submissions/entry", data=form)
    assert refused.status_code == 200 and refused.context["refused"]
    [problem] = refused.context["problems"]
    assert (problem.row, problem.column, problem.value) == (1, "value", "3.1O8,2")
    assert "không phải chữ số" in refused.text and "biểu mẫu nhập trực tiếp" in refused.text
    assert 'value="3.1O8,2"' in refused.text  # what was typed comes back to be fixed
    form["value"] = ["61,7", ""]
    ok = officer.post("/submissions/entry", data=form)
    assert ok.status_code == 200 and not ok.context["refused"], ok.text[:2000]
    result = ok.context["result"]
    assert result.status == "accepted" and result.submission_id
    assert f'href="/submissions/{result.submission_id}"' in ok.text
    assert "chờ thủ trưởng duyệt" in ok.text and 'href="/desk"' in ok.text
    # the head sees "approve" as the next step of the same kind of result
    assert "Bước tiếp theo" in ok.text
    assert officer.post("/submissions/entry", data={**form, "csrf_token": ""}).status_code == 403


def test_an_officer_cannot_enter_another_agencys_values(site):
    officer = site.client("canbo.syt")
    token = csrf_of(officer.get("/submissions").text)
    r = officer.post("/submissions/entry", data={"csrf_token": token, "indicator": "KT.BAN_LE", "unit": "24",
                                                 "period": "2026-07", "value": "1", "note": ""})
    assert r.status_code == 200 and r.context["refused"]
    assert any("24-SCT" in p.reason for p in r.context["problems"])
    r = officer.post("/submissions/entry", data={"csrf_token": token, "as_unit": "24-SCT", "indicator": "KT.BAN_LE",
                                                 "unit": "24", "period": "2026-07", "value": "1"})
    assert r.status_code == 403
    viewer = site.client("xem")
    r = viewer.post("/submissions/entry", data={"csrf_token": csrf_of(viewer.get("/indicators").text),
                                                "indicator": OWN_INDICATOR, "value": "1"})
    assert r.status_code == 403


def test_the_lists_are_paged_filtered_and_sorted_newest_first(site):
    admin = site.client("quantri")
    first = admin.get("/submissions")
    pp = first.context["period_page"]
    assert pp["total"] > 25 and len(first.context["periods"]) == 25 and pp["pages"] > 1
    changed = [r["p"].changed_at for r in first.context["periods"]]
    assert changed == sorted(changed, reverse=True)  # the latest moved first
    second = admin.get("/submissions?page=2").context["periods"]
    assert {(r["p"].indicator, r["p"].period) for r in second}.isdisjoint(
        {(r["p"].indicator, r["p"].period) for r in first.context["periods"]})
    assert "/submissions?page=2" in first.text
    only = admin.get(f"/submissions?indicator={OWN_INDICATOR}&sort=period").context["periods"]
    assert only and {r["p"].indicator for r in only} == {OWN_INDICATOR}
    labels = [r["p"].period for r in only]
    assert labels == sorted(labels, reverse=True)
    approved = admin.get("/submissions?state=approved").context["periods"]
    assert all(r["p"].state == "approved" for r in approved)
    refused = admin.get("/submissions?status=refused").context["batches"]
    assert all(b.status == "refused" for b in refused)
    batches = first.context["batches"]
    assert len(batches) <= 25 and [b.id for b in batches] == sorted((b.id for b in batches), reverse=True)
    # periods in the list and the filter are named as people say them
    assert re.search(r"<td>(Tháng|Tuần|Quý|Năm) ", first.text) and "<td>2026-" not in first.text


def test_the_page_in_english_is_english(site):
    officer = site.client("canbo.syt")
    en = officer.get("/submissions?lang=en").text
    assert "Values template (Excel)" in en and "Enter a few values" in en and "Latest changed first" in en
    for vietnamese in ("Mẫu nhập số liệu", "Nhập trực tiếp", "Mẫu Tháng", "chờ thủ trưởng duyệt"):
        assert vietnamese not in en, vietnamese
    assert re.search(r"Template (January|February|March|April|May|June|July|August|September|October|November|"
                     r"December) 20\d\d", en)
    officer.get("/submissions?lang=vi")  # back to Vietnamese for the other tests


def test_after_the_heads_own_submission_the_next_step_is_approve(site):
    head = site.client("giamdoc.syt")
    token = csrf_of(head.get("/submissions").text)
    r = head.post("/submissions/entry", data={"csrf_token": token, "indicator": OWN_INDICATOR, "unit": "24",
                                              "period": "2026-04", "value": "66,6", "note": "",
                                              "reason": "thủ trưởng rà soát"})
    assert r.status_code == 200 and r.context["result"].submission_id, r.text[:1500]
    assert r.context["next_periods"] == {(OWN_INDICATOR, "2026-04"): "submitted"}
    step = r.text[r.text.index('id="next-step"'):]
    step = step[:step.index("</ul>")]
    assert 'action="/submissions/approve"' in step and 'value="2026-04"' in step and "Phê duyệt" in step
    assert "chờ thủ trưởng duyệt" not in step and 'href="/inbox"' in r.text
    approved = head.post("/submissions/approve", data={"csrf_token": token, "indicator": OWN_INDICATOR,
                                                       "period": "2026-04"})
    assert approved.status_code == 303
