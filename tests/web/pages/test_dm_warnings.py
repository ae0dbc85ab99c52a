"""The warnings centre: filters, list, one warning, acknowledge / resolve with a note and CSRF."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from chiso.evaluate.dm.warning_sync import sync_warnings
from chiso.evaluate.dm.warnings import Evaluation, below_threshold
from chiso.periods.reporting import period as reporting_period
from chiso.store.repo_catalogue import live_indicators
from chiso.store.repo_evaluation import list_warnings, warning_events
from chiso.text import format_percent
from tests.evaluate.dm.test_warnings import RATE, inputs
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


# --- a grouped warning's members as a table; shares as percentages (issue 12) -------------------

def _grouped_missing(site, period: str):
    """Sở Tài chính's missing data of one period: one warning for several indicators."""
    with site.db.session() as s:
        rows = [w for w in list_warnings(s, "24", state="all") if w.rule == "missing_data"
                and w.responsible_unit == "24-STC" and w.period == period]
    assert rows and len(rows[0].evidence["indicators"]) > 1, f"the site has Sở Tài chính's gaps of {period}"
    return rows[0]


@pytest.mark.parametrize("period, spoken, spoken_en", [("2026-06", "Tháng 6/2026", "June 2026"),
                                                      ("2026-W33", "Tuần 33/2026", "Week 33, 2026")])
def test_a_missing_data_warning_lists_its_indicators_and_units_as_a_table(site, period, spoken, spoken_en):
    w = _grouped_missing(site, period)
    r = site.client("lanhdao").get(f"/warnings/{w.id}")
    assert r.status_code == 200
    table = r.text.split('id="warning-members-table"')[1].split("</table>")[0]
    found = re.findall(r'<tr data-indicator="([^"]+)" data-unit="([^"]*)" data-units="(\d+)">', table)
    expected = []
    for i in w.evidence["indicators"]:
        units = i["missing_units"]
        # an indicator missing from many units is one row, its units folded inside it
        expected += [(i["indicator"], "", str(len(units)))] if len(units) > 3 else \
            [(i["indicator"], u, "1") for u in units]
    assert found == expected
    with site.db.session() as s:
        catalogue = live_indicators(s, "24")
    looked = dt.date.fromisoformat(w.evidence["deadline"]) + dt.timedelta(days=w.evidence["days_overdue"])
    end = reporting_period(period).end
    for code, unit, count in found:
        ind = catalogue[code]
        row = table.split(f'<tr data-indicator="{code}" data-unit="{unit}"')[1].split("</tr>")[0]
        assert f'href="/indicators/{code}"' in row and ind.name in row
        assert spoken in row and period not in row.replace(f'data-indicator="{code}"', "")
        late = (looked - (end + dt.timedelta(days=ind.deadline_days))).days
        assert f"{late} ngày" in row
        if not unit:
            units = next(i["missing_units"] for i in w.evidence["indicators"] if i["indicator"] == code)
            assert f"{len(units)} đơn vị" in row and all(site.tree.get(u).name in row for u in units)
        else:
            assert site.tree.get(unit).name in row
    title = r.text.split('id="warning-members"')[1].split("</h2>")[0]
    assert f"{len(w.evidence['indicators'])} chỉ số, {w.evidence['values_missing']} lượt" in title
    # the evidence line no longer carries the long list; a share reads as a percentage, a count whole
    evidence = r.text.split('class="evidence">')[1].split("</dd>")[0]
    assert "missing_units" not in evidence and w.evidence["indicators"][0]["indicator"] not in evidence
    assert format_percent(w.evidence["share_missing"], 1, "vi") in evidence
    assert f": {w.evidence['days_overdue']};" in evidence or f": {w.evidence['days_overdue']}<" in evidence
    en = site.client("lanhdao").get(f"/warnings/{w.id}?lang=en").text
    assert spoken_en in en.split('id="warning-members-table"')[1].split("</table>")[0]


@pytest.fixture(scope="module")
def grouped_units(site):
    """A real grouped below-threshold warning (four communes of Bắc Ninh under their target),
    made by the rules and written by the warnings' own sync, on the site's store."""
    communes = [u.code for u in site.tree.units(province="24", level="commune")][:6]
    rows = [("HC.DUNG_HAN", c, "2026-09", 80.0 + i) for i, c in enumerate(communes[:4])]
    rows += [("HC.DUNG_HAN", c, "2026-09", 96.0) for c in communes[4:]]
    (w,) = below_threshold(inputs([RATE], rows, units=site.tree)).warnings
    assert w.evidence.get("members")
    with site.db.session() as s:
        sync_warnings(s, "24", Evaluation([w], set()))
        return next(x for x in list_warnings(s, "24", state="all") if x.key == w.key)


def test_a_grouped_units_warning_shows_each_unit_with_its_achievement_as_a_percentage(site, grouped_units):

    w = grouped_units
    html = site.client("lanhdao").get(f"/warnings/{w.id}").text
    table = html.split('id="warning-members-table"')[1].split("</table>")[0]
    members = w.evidence["members"]
    assert re.findall(r'<tr data-unit="([^"]+)">', table) == [m["unit"] for m in members]
    for m in members:
        row = table.split(f'<tr data-unit="{m["unit"]}">')[1].split("</tr>")[0]
        share = format_percent(m["achievement"], 1, "vi")
        assert share in row and "%" in share                       # "84,2%", not the ratio 0,84
        assert site.tree.get(m["unit"]).name in row
    evidence = html.split('class="evidence">')[1].split("</dd>")[0]
    assert "members" not in evidence and members[0]["unit"] not in evidence
