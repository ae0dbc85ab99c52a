"""Deadlines from the source's words, rolled to a working day, and a recurring task's instances —
by hand against the 2026 calendar (chiso/periods/holidays.yaml): Tết 14–22/02, Quốc khánh
31/08–02/09, New Year 01–02/01 with Saturday 10/01 worked in its place, 22/08 worked for 31/08."""
from __future__ import annotations

import datetime as dt

import pytest

from chiso.periods.holidays import load_holidays
from chiso.tasks.deadlines import add_days, instances, is_working_day, parse_deadline, roll
from chiso.tasks.model import Deadline, Task

D = dt.date
CAL = load_holidays()


def deadline(text, assigned=D(2026, 1, 5), **kw) -> Deadline:
    return parse_deadline(text, assigned, CAL, how="next_working_day", **kw)


@pytest.mark.parametrize(("written", "day"), [
    ("30/11/2026", D(2026, 11, 30)),        # a Monday: stays
    ("2026-11-30", D(2026, 11, 30)),
    ("02/09/2026", D(2026, 9, 3)),          # Quốc khánh (Wednesday, off 31/08–02/09): Thursday 03/09
    ("31/08/2026", D(2026, 9, 3)),          # the bridge day off: the same Thursday
    ("16/02/2026", D(2026, 2, 23)),         # Tết (off Saturday 14 to Sunday 22/02): Monday 23/02
    ("10/01/2026", D(2026, 1, 10)),         # a make-up Saturday is a working day: stays
    ("22/08/2026", D(2026, 8, 22)),         # the other make-up Saturday of 2026
    ("17/01/2026", D(2026, 1, 19)),         # an ordinary Saturday: Monday
    ("01/01/2026", D(2026, 1, 5)),          # New Year: 01 and 02/01 off, then the weekend
    ("30/04/2026", D(2026, 5, 4)),          # Reunification Day and 01/05 (Thu, Fri), weekend: Monday 04/05
])
def test_a_date_deadline_is_rolled_to_the_next_working_day(written, day):
    d = deadline(written)
    assert (d.kind, d.day, d.text) == ("date", day, written)
    # CHISO_TASK_DEADLINE_ROLL=none: the day written
    written_day = dt.date.fromisoformat(written) if "-" in written else dt.datetime.strptime(written, "%d/%m/%Y").date()
    assert parse_deadline(written, D(2026, 1, 5), CAL, how="none").day == written_day


def test_days_from_the_day_assigned_calendar_and_working():
    # calendar days: 15 days from Friday 06/11/2026 is Saturday 21/11 → Monday 23/11
    assert deadline("15 ngày", D(2026, 11, 6)).day == D(2026, 11, 23)
    assert deadline("trong 15 ngày", D(2026, 11, 6)).day == D(2026, 11, 23)
    # 10 working days from Tuesday 13/10/2026: 14, 15, 16, 19–23, 26, 27
    assert deadline("10 ngày làm việc", D(2026, 10, 13)).day == D(2026, 10, 27)
    # across Tết: from Thursday 12/02/2026, 5 working days: 13, (14–22 off), 23, 24, 25, 26
    assert deadline("trong vòng 5 ngày làm việc", D(2026, 2, 12)).day == D(2026, 2, 26)
    # calendar days ending in Tết roll out of it: 12/02 + 5 = 17/02 → 23/02
    assert deadline("5 ngày", D(2026, 2, 12)).day == D(2026, 2, 23)
    # the make-up Saturday counts: from Thursday 08/01/2026, 3 working days are 09, Saturday 10, 12/01
    assert deadline("3 ngày làm việc", D(2026, 1, 8)).day == D(2026, 1, 12)
    # across New Year: from Wednesday 31/12/2025, 1 working day is Monday 05/01/2026
    assert deadline("1 ngày làm việc", D(2025, 12, 31)).day == D(2026, 1, 5)
    # across Quốc khánh: from Friday 28/08/2026, 2 working days: (31/08–02/09 off) 03/09, 04/09
    assert deadline("2 ngày làm việc", D(2026, 8, 28)).day == D(2026, 9, 4)
    assert add_days(D(2026, 8, 28), 2, CAL, working=True) == D(2026, 9, 4)
    assert [is_working_day(D(2026, 1, d), CAL) for d in (9, 10, 11, 12)] == [True, True, False, True]


def test_recurring_none_and_unreadable_deadlines():
    assert deadline("hằng tháng ngày 20") == Deadline("monthly", due_day=20, text="hằng tháng ngày 20")
    assert deadline("Hằng quý ngày 15", until=D(2026, 12, 31)) == Deadline(
        "quarterly", due_day=15, until=D(2026, 12, 31), text="Hằng quý ngày 15")
    assert deadline("định kỳ hằng tháng").due_day == 31  # no day: the period's last day
    for none in ("", "  ", "không thời hạn", "Không có thời hạn", None):
        assert deadline(none).kind == "none"
    for bad, words in (("sớm", "không hiểu thời hạn"), ("0 ngày", "phải từ 1 trở lên"),
                       ("hằng tháng ngày 32", "ngày 32 không có"), ("31/02/2026", "không có trong lịch")):
        with pytest.raises(ValueError, match=words):
            deadline(bad)


def task(kind, due_day, assigned, until=None) -> Task:
    return Task("NV-1", "Báo cáo", "24-STC", assigned, Deadline(kind, due_day=due_day, until=until))


def test_monthly_instances_day_31_in_february_and_until():
    got = list(instances(task("monthly", 31, D(2026, 1, 20), until=D(2026, 3, 15)), D(2026, 12, 31), CAL,
                         "next_working_day"))
    assert [(i.key, i.opens_on, i.deadline) for i in got] == [
        ("2026-01", D(2026, 1, 20), D(2026, 2, 2)),   # 31/01/2026 is a Saturday
        ("2026-02", D(2026, 2, 1), D(2026, 3, 2)),    # day 31 in February: 28/02 (a Saturday) → Monday 02/03
        ("2026-03", D(2026, 3, 1), D(2026, 3, 31)),   # until 15/03: March exists, April does not
    ]
    # without until, only what exists by the date asked
    open_ended = list(instances(task("monthly", 20, D(2026, 11, 5)), D(2027, 1, 1), CAL, "next_working_day"))
    assert [(i.key, i.deadline) for i in open_ended] == [
        ("2026-11", D(2026, 11, 20)), ("2026-12", D(2026, 12, 21)), ("2027-01", D(2027, 1, 20))]
    assert list(instances(task("monthly", 20, D(2026, 11, 5)), D(2026, 11, 4), CAL)) == []


def test_quarterly_instances():
    got = list(instances(task("quarterly", 15, D(2026, 2, 10), until=D(2026, 6, 30)), D(2026, 12, 31), CAL,
                         "next_working_day"))
    assert [(i.key, i.opens_on, i.deadline) for i in got] == [
        ("2026-Q1", D(2026, 2, 10), D(2026, 3, 16)),  # 15/03/2026 is a Sunday
        ("2026-Q2", D(2026, 4, 1), D(2026, 6, 15)),
    ]
    assert [i.deadline for i in instances(task("quarterly", 31, D(2026, 10, 1)), D(2027, 4, 1), CAL,
                                          "next_working_day")] == [D(2026, 12, 31), D(2027, 3, 31), D(2027, 6, 30)]


def test_roll_none_keeps_the_day():
    assert roll(D(2026, 9, 2), CAL, "none") == D(2026, 9, 2)
    assert roll(D(2026, 9, 2), CAL, "next_working_day") == D(2026, 9, 3)
