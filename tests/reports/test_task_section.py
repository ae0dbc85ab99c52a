"""The bulletin's task section, hand-computed for the seed week 2025-W46 (10/11–16/11/2025).

The register (province 24), counted on Sunday 16/11 and a week before (09/11):

====  =======  ==========  =================  =============================================
task  lead     assigned    deadline           life → at 09/11 / at 16/11
====  =======  ==========  =================  =============================================
T1    24-SXD   01/09/2025  15/10/2025         open → overdue 25 / 32 days
T2    24-STC   02/06/2025  01/07/2025, ★      open → overdue 131 / 138 days (> 120)
T3    24-STC   01/09/2025  12/11/2025         progress 14/11 → in time / overdue 4 days
T4    24-SXD   01/10/2025  31/10/2025         done 30/10 → on time
T5    07210    01/10/2025  07/11/2025         done 12/11 → overdue 2 days / done late
T6    24-SXD   03/11/2025  none               progress 10/11 → in time (updated at 16/11)
T7    24-SNV   06/01/2025  28/02/2025         done 20/02 → on time
T8    24-SNV   01/10/2025  monthly, day 20    2025-10 done 25/10 (late); 2025-11 open in time
====  =======  ==========  =================  =============================================

At 16/11: 9 tasks — 2 on time, 2 late, 2 in time, 3 overdue (1 over 120 days); on-time rate
2 / (2 + 2 + 3) = 28,6% against 2 / (2 + 1 + 3) = 33,3% a week before (−4,8 points); 2 of 5 open
tasks updated in 7 days (40%). Longest overdue: T2, T1, T3.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chiso.reports.html import render_html
from chiso.reports.service import bulletin_for
from chiso.reports.task_section import tasks_from_store
from chiso.reports.text import write_text
from chiso.store import repo_tasks
from chiso.store.database import init_store

D = dt.date
NOW = dt.datetime(2025, 11, 17, 1, 0, tzinfo=dt.UTC)  # Monday morning in Hà Nội


@pytest.fixture
def db(tmp_path: Path):
    db = init_store(f"sqlite:///{(tmp_path / 'chiso.sqlite').as_posix()}", actor="test")
    yield db
    db.dispose()


def _task(s, code, lead, assigned, deadline=None, *, starred=False, monthly=None):
    values = {"doc_number": f"{code[1:]}/TB-UBND", "content": f"Nội dung nhiệm vụ {code}", "assigned_on": assigned,
              "lead_unit": lead, "deadline_kind": "date" if deadline else "monthly" if monthly else "none",
              "deadline": deadline, "due_day": monthly, "starred": starred}
    row, _ = repo_tasks.upsert_task(s, values, province="24", source="file", by="test", code=code)
    return row


def _done(s, row, completed, accepted, instance=""):
    repo_tasks.add_event(s, row, "completion", by="head", unit_code=row.lead_unit, day=completed, instance=instance)
    repo_tasks.add_event(s, row, "acceptance", by="office", unit_code="24-VPUBND", day=accepted,
                         decision="accepted", instance=instance)


def build(s):
    _task(s, "T1", "24-SXD", D(2025, 9, 1), D(2025, 10, 15))
    _task(s, "T2", "24-STC", D(2025, 6, 2), D(2025, 7, 1), starred=True)
    t3 = _task(s, "T3", "24-STC", D(2025, 9, 1), D(2025, 11, 12))
    repo_tasks.add_event(s, t3, "progress", by="officer", unit_code="24-STC", day=D(2025, 11, 14), percent=80)
    _done(s, _task(s, "T4", "24-SXD", D(2025, 10, 1), D(2025, 10, 31)), D(2025, 10, 30), D(2025, 10, 31))
    _done(s, _task(s, "T5", "07210", D(2025, 10, 1), D(2025, 11, 7)), D(2025, 11, 12), D(2025, 11, 13))
    t6 = _task(s, "T6", "24-SXD", D(2025, 11, 3))
    repo_tasks.add_event(s, t6, "progress", by="officer", unit_code="24-SXD", day=D(2025, 11, 10), percent=10)
    _done(s, _task(s, "T7", "24-SNV", D(2025, 1, 6), D(2025, 2, 28)), D(2025, 2, 20), D(2025, 2, 21))
    t8 = _task(s, "T8", "24-SNV", D(2025, 10, 1), monthly=20)
    _done(s, t8, D(2025, 10, 25), D(2025, 10, 27), instance="2025-10")


@pytest.fixture
def facts(db):
    with db.session() as s:
        build(s)
    with db.session() as s:
        return tasks_from_store(s, "24", D(2025, 11, 16), today=D(2025, 11, 17))


def test_the_counts_at_the_weeks_end_and_a_week_before(facts):
    now, before = facts.now, facts.previous
    assert (now.day, before.day) == ("2025-11-16", "2025-11-09")
    assert (now.total, now.done_on_time, now.done_late, now.open_in_time, now.open_overdue, now.overdue_120) == \
        (9, 2, 2, 2, 3, 1)
    assert (before.total, before.done_on_time, before.done_late, before.open_in_time, before.open_overdue) == \
        (9, 2, 1, 3, 3)
    assert now.total == now.done_on_time + now.done_late + now.open_in_time + now.open_overdue
    assert (now.open, now.updated) == (5, 2) and now.update_rate == pytest.approx(40.0)
    assert now.on_time_rate == pytest.approx(200 / 7) and before.on_time_rate == pytest.approx(100 / 3)
    assert facts.rate_change == pytest.approx(200 / 7 - 100 / 3) and facts.overdue_change == 0


def test_the_longest_overdue_by_days(facts):
    assert [(t.code, t.days, t.starred) for t in facts.longest] == [("T2", 138, True), ("T1", 32, False),
                                                                    ("T3", 4, False)]
    first = facts.longest[0]
    assert (first.unit_name, first.deadline, first.document, first.content) == (
        "Sở Tài chính", "2025-07-01", "2/TB-UBND", "Nội dung nhiệm vụ T2")


def test_the_section_in_vietnamese_and_english(db, seed_source):
    with db.session() as s:
        build(s)
    b = bulletin_for(seed_source, "24", "2025-W46", db=db, now=NOW)
    assert b.tasks is not None and b.tasks.now.day == "2025-11-16"
    vi = write_text(b, "vi")
    keys = [s.key for s in vi.sections]
    assert keys.index("tasks") == keys.index("focus") - 1
    section = vi.section("tasks")
    assert section.heading == "Thực hiện nhiệm vụ UBND tỉnh, Chủ tịch UBND tỉnh giao"
    assert section.paragraphs[0] == (
        "Tính đến ngày 16/11/2025, lũy kế từ đầu năm có 9 nhiệm vụ: 2 hoàn thành đúng hạn, 2 hoàn thành quá hạn, "
        "2 đang thực hiện trong hạn và 3 đang thực hiện quá hạn (trong đó 1 nhiệm vụ quá hạn trên 120 ngày); số "
        "nhiệm vụ quá hạn không đổi so với tuần trước.")
    assert section.paragraphs[1] == (
        "Tỷ lệ hoàn thành đúng hạn đạt 28,6%, giảm 4,8 điểm phần trăm so với tuần trước; 2/5 nhiệm vụ đang thực "
        "hiện được cập nhật tiến độ trong 7 ngày qua (40,0%).")
    assert section.paragraphs[2] == "Các nhiệm vụ quá hạn lâu nhất:"
    assert section.items[0] == ("Sở Tài chính: Nội dung nhiệm vụ T2 (T2, theo 2/TB-UBND, hạn 01/07/2025) — quá hạn "
                                "138 ngày, nhiệm vụ trọng tâm")
    assert len(section.items) == 3 and section.items[1].startswith("Sở Xây dựng: ")
    en = write_text(b, "en").section("tasks")
    assert en.paragraphs[1].startswith("The on-time rate is 28.6%, down 4.8 percentage points on the week before")
    assert "Department of Finance: " in en.items[0] and "138 days overdue, a priority task" in en.items[0]
    page = render_html(b, "vi")
    assert 'id="tasks"' in page and "quá hạn 138 ngày" in page


def test_no_tasks_no_section(db, seed_source):
    b = bulletin_for(seed_source, "24", "2025-W46", db=db, now=NOW)
    assert b.tasks is None
    assert "tasks" not in [s.key for s in write_text(b, "vi").sections]


def test_a_week_not_over_is_counted_today(db):
    with db.session() as s:
        build(s)
        facts = tasks_from_store(s, "24", D(2025, 11, 16), today=D(2025, 11, 12))
    # on Wednesday 12/11: T3 is due that day (in time); T5 was completed that day, late (its
    # acceptance on 13/11 dates it from the completion); only T1 and T2 are overdue
    assert facts.now.day == "2025-11-12" and facts.previous.day == "2025-11-05"
    assert (facts.now.open_in_time, facts.now.open_overdue, facts.now.done_late) == (3, 2, 2)


def test_nothing_assigned_by_then(db):
    with db.session() as s:
        _task(s, "T9", "24-SXD", D(2025, 11, 3))
        assert tasks_from_store(s, "24", D(2025, 11, 2), today=D(2025, 11, 20)) is None
        assert tasks_from_store(s, "24", D(2025, 11, 9), today=D(2025, 11, 20)).now.open_in_time == 1


def test_the_focus_names_the_agencies_with_the_most_overdue(db, seed_source):
    with db.session() as s:
        build(s)
    b = bulletin_for(seed_source, "24", "2025-W46", db=db, now=NOW)
    assert [(u.code, u.overdue) for u in b.tasks.most_overdue] == [("24-STC", 2), ("24-SXD", 1)]
    assert write_text(b, "vi").section("focus").items[-1] == (
        "Đôn đốc xử lý dứt điểm 3 nhiệm vụ UBND tỉnh, Chủ tịch UBND tỉnh giao đã quá hạn (trong đó 1 nhiệm vụ quá "
        "hạn trên 120 ngày), trước hết tại Sở Tài chính (2 nhiệm vụ) và Sở Xây dựng (1 nhiệm vụ).")
    assert write_text(b, "en").section("focus").items[-1].startswith("Settle the 3 overdue tasks")
