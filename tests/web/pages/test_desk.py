"""The agency's desk (/desk): what it owes for the period just ended and the current one, with
deadlines, states and the late flag; returned periods first; links to the templates."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from chiso.catalog.indicator import Indicator
from chiso.collect.values.submit import local
from chiso.periods.windows import parse_window
from chiso.store.models_values import ValuePeriod
from chiso.web.pages.desk import duties, window_of
from tests.web.pages.test_inbox import send


def ind(code: str, frequency: str, days: int = 5, **changes) -> Indicator:
    base = dict(code=code, name=f"Chỉ số {code}", name_en=f"Indicator {code}", definition="thử", group="outcome",
                field="FINANCE", unit="tỷ đồng", owner="24-STC", source_system="TABMIS", status="in_operation",
                frequency=frequency, deadline_days=days)
    return Indicator(**{**base, **changes})


def state(code: str, period: str, value: str) -> ValuePeriod:
    return ValuePeriod(indicator=code, period=period, owner="24-STC", state=value, changed_by="x", role="officer")


def test_duties_are_the_period_just_ended_and_the_current_one_with_deadline_state_and_lateness():
    catalogue = {i.code: i for i in [
        ind("A.TUAN", "weekly", 2), ind("B.THANG", "monthly", 5), ind("C.QUY", "quarterly", 10),
        ind("D.NAM", "yearly", 30), ind("E.TINH", "monthly", formula="B.THANG * 2"),
        ind("F.KHAC", "monthly", owner="24-SYT")]}
    today = dt.date(2026, 12, 5)  # a Saturday: week 49; November ended 5 days ago
    states = {("B.THANG", "2026-11"): state("B.THANG", "2026-11", "returned"),
              ("C.QUY", "2026-Q3"): state("C.QUY", "2026-Q3", "approved")}
    rows = duties(catalogue, "24-STC", today, states, late={("C.QUY", "2026-Q3")})
    got = {(d.indicator.code, d.window.label): (d.state, d.deadline, d.late, d.current) for d in rows}
    assert got == {
        ("A.TUAN", "2026-W48"): ("not_started", dt.date(2026, 12, 1), True, False),
        ("A.TUAN", "2026-W49"): ("not_started", dt.date(2026, 12, 8), False, True),
        ("B.THANG", "2026-11"): ("returned", dt.date(2026, 12, 5), False, False),
        ("B.THANG", "2026-12"): ("not_started", dt.date(2027, 1, 5), False, True),
        ("C.QUY", "2026-Q3"): ("approved", dt.date(2026, 10, 10), True, False),  # a value came late
        ("C.QUY", "2026-Q4"): ("not_started", dt.date(2027, 1, 10), False, True),
        ("D.NAM", "2025"): ("not_started", dt.date(2026, 1, 30), True, False),
        ("D.NAM", "2026"): ("not_started", dt.date(2027, 1, 30), False, True),
    }  # computed and other agencies' indicators are not the desk's
    # what is owed comes first, the overdue first; what is done last
    assert [(d.indicator.code, d.window.label) for d in rows[:2]] == [("D.NAM", "2025"), ("A.TUAN", "2026-W48")]
    assert (rows[-1].indicator.code, rows[-1].state) == ("C.QUY", "approved")


@pytest.mark.parametrize(("kind", "day", "label"), [
    ("week", dt.date(2026, 1, 1), "2026-W01"), ("month", dt.date(2026, 2, 28), "2026-02"),
    ("quarter", dt.date(2026, 7, 1), "2026-Q3"), ("year", dt.date(2026, 12, 31), "2026")])
def test_window_of_a_day(kind, day, label):
    assert window_of(kind, day).label == label and parse_window(label).contains(day)


def test_the_officer_sees_the_agencys_duties_in_vietnamese_with_template_links(site):
    today = local(dt.datetime.now(dt.UTC)).date()
    ended = window_of("month", today).previous().label
    r = site.client("canbo.stc").get("/desk")
    assert r.status_code == 200
    html = r.text
    assert r.context["unit"] == "24-STC" and r.context["total"] > 25 and r.context["pages"] >= 2
    assert "Việc của đơn vị" in html and "Sở Tài chính" in html and "Hạn nộp" in html
    assert f"/submissions/template?period={ended}" in html and 'href="/submissions"' in html
    shown = re.sub(r"<[^>]+>", " ", html)
    assert ended not in shown and window_of("month", today).previous().label not in shown  # said, not coded
    assert r.context["rows"] and {d.indicator.owner for d in r.context["rows"]} == {"24-STC"}
    second = site.client("canbo.stc").get("/desk?page=2")
    assert second.status_code == 200 and second.context["page"] == 2
    assert {(d.indicator.code, d.window.label) for d in second.context["rows"]}.isdisjoint(
        {(d.indicator.code, d.window.label) for d in r.context["rows"]})


def test_a_submission_shows_as_submitted_on_the_desk(site):
    today = local(dt.datetime.now(dt.UTC)).date()
    ended = window_of("month", today).previous().label
    send(site, [("NS.THU_NSNN", ended, 1520.0)])
    r = site.client("canbo.stc").get("/desk")
    pages = r.context["pages"]
    found = []
    for page in range(1, pages + 1):
        rows = site.client("canbo.stc").get(f"/desk?page={page}").context["rows"]
        found += [d for d in rows if (d.indicator.code, d.window.label) == ("NS.THU_NSNN", ended)]
    assert [d.state for d in found] == ["submitted"]


def test_the_head_gets_the_inbox_link_and_an_administrator_picks_the_agency(site):
    assert 'href="/inbox"' in site.client("giamdoc.stc").get("/desk").text
    admin = site.client("quantri").get("/desk?unit=24-SYT")
    assert admin.status_code == 200 and admin.context["unit"] == "24-SYT"
    assert {d.indicator.code for d in admin.context["rows"]} == {"XH.TIEM_CHUNG", "XH.BAC_SI"}
    assert '<select name="unit"' in admin.text


def test_the_desk_in_english_is_english(site):
    html = site.client("canbo.stc").get("/desk?lang=en").text
    assert "Agency desk" in html and "Deadline" in html and "Hạn nộp" not in html and "Chưa nộp" not in html
