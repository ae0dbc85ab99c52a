"""The state of an instance at a date, by hand at every boundary: the deadline day itself, the day
after, the overdue age buckets (30/31, 60/61, 120/121), extensions (approved or original,
decided before or after the completion), no deadline, the update window and "due soon"; each
answer also asked of ``classify`` (the many-at-once path), which must say the same."""
from __future__ import annotations

import datetime as dt

import pytest

from chiso.periods.holidays import load_holidays
from chiso.tasks.deadlines import instances, parse_deadline
from chiso.tasks.model import Deadline, Instance, Life, Task
from chiso.tasks.states import Policy, State, bucket_of, classify, frames, state_at

D = dt.date
DAY = dt.timedelta(days=1)
DEADLINE = D(2026, 3, 31)
INSTANCE = Instance("NV-1", "", "24-STC", D(2026, 1, 5), DEADLINE)
CAL = load_holidays()


def both(instance: Instance, life: Life, day: dt.date, policy: Policy = Policy()) -> State | None:
    """``state_at``'s answer, checked against ``classify``'s for the same instance and day."""
    one = state_at(instance, life, day, policy)
    frame = classify(*frames([(instance, life)]), [day], policy)
    if one is None:
        assert frame.is_empty()
        return None
    [row] = frame.to_dicts()
    assert (row["state"], row["deadline"], row["overdue_days"], row["bucket"], row["due_soon"], row["updated"]) == (
        one.state, one.deadline, one.overdue_days, one.bucket, one.due_soon, one.updated)
    return one


def at(day: dt.date, life: Life = Life(), policy: Policy = Policy(), instance: Instance = INSTANCE):
    s = both(instance, life, day, policy)
    return None if s is None else (s.state, s.overdue_days, s.bucket)


def test_before_it_exists_there_is_no_state():
    assert at(D(2026, 1, 4)) is None
    assert at(D(2026, 1, 5)) == ("open_in_time", 0, None)


@pytest.mark.parametrize(("days_after", "expected"), [
    (-1, ("open_in_time", 0, None)),
    (0, ("open_in_time", 0, None)),          # the deadline day itself is in time
    (1, ("open_overdue", 1, "1-30")),        # the day after: one day overdue
    (30, ("open_overdue", 30, "1-30")),
    (31, ("open_overdue", 31, "31-60")),
    (60, ("open_overdue", 60, "31-60")),
    (61, ("open_overdue", 61, "61-120")),
    (120, ("open_overdue", 120, "61-120")),
    (121, ("open_overdue", 121, "120+")),
    (400, ("open_overdue", 400, "120+")),
])
def test_open_states_and_overdue_buckets_at_every_boundary(days_after, expected):
    assert at(DEADLINE + days_after * DAY) == expected


def test_bucket_of():
    assert [bucket_of(n) for n in (-3, 0, 1, 30, 31, 60, 61, 120, 121)] == [
        None, None, "1-30", "1-30", "31-60", "31-60", "61-120", "61-120", "120+"]


def done(completed: dt.date, accepted: dt.date | None = None, **kw) -> Life:
    return Life(completed_on=completed, accepted_on=accepted or completed + DAY, **kw)


def test_done_on_the_deadline_is_on_time_and_the_day_after_is_late():
    assert at(D(2026, 4, 30), done(DEADLINE)) == ("done_on_time", 0, None)
    assert at(D(2026, 4, 30), done(DEADLINE + DAY)) == ("done_late", 1, None)
    assert at(D(2026, 12, 31), done(DEADLINE + 45 * DAY)) == ("done_late", 45, None)
    # before the completion day it was open (and overdue the day after the deadline)
    assert at(DEADLINE, done(DEADLINE + 3 * DAY)) == ("open_in_time", 0, None)
    assert at(DEADLINE + 2 * DAY, done(DEADLINE + 3 * DAY)) == ("open_overdue", 2, "1-30")
    # a completion report not (yet) accepted is no completion; a returned one neither
    assert at(D(2026, 4, 30), Life(completed_on=D(2026, 3, 20))) == ("open_overdue", 30, "1-30")


def test_an_accepted_completion_counts_from_the_day_the_work_was_completed():
    # completed 20/03, accepted 10/04: on 25/03 the instance is done (what the register says now)
    life = done(D(2026, 3, 20), accepted=D(2026, 4, 10))
    assert at(D(2026, 3, 25), life) == ("done_on_time", 0, None)
    assert at(D(2026, 3, 19), life) == ("open_in_time", 0, None)


EXTENDED = Life(extensions=((D(2026, 3, 25), D(2026, 4, 30)),))


def test_an_approved_extension_judges_against_the_approved_deadline_or_the_original():
    original = Policy(against="original")
    # open on 15/04: in time against the approved 30/04, 15 days overdue against 31/03
    assert at(D(2026, 4, 15), EXTENDED) == ("open_in_time", 0, None)
    assert at(D(2026, 4, 15), EXTENDED, original) == ("open_overdue", 15, "1-30")
    assert both(INSTANCE, EXTENDED, D(2026, 4, 15)).deadline == D(2026, 4, 30)
    # before the decision the original deadline holds, even under "approved"
    assert both(INSTANCE, EXTENDED, D(2026, 3, 24)).deadline == DEADLINE
    # done 20/04: on time against the approved deadline, 20 days late against the original
    life = Life(extensions=EXTENDED.extensions, completed_on=D(2026, 4, 20), accepted_on=D(2026, 4, 21))
    assert at(D(2026, 5, 31), life) == ("done_on_time", 0, None)
    assert at(D(2026, 5, 31), life, original) == ("done_late", 20, None)
    # overdue past the approved deadline counts from it: 01/05 is one day
    assert at(D(2026, 5, 1), EXTENDED) == ("open_overdue", 1, "1-30")


def test_an_extension_decided_when_already_overdue_does_not_rewrite_the_past():
    late_decision = Life(extensions=((D(2026, 4, 10), D(2026, 4, 30)),))
    assert at(D(2026, 4, 5), late_decision) == ("open_overdue", 5, "1-30")
    assert at(D(2026, 4, 10), late_decision) == ("open_in_time", 0, None)


def test_an_extension_decided_after_the_completion_does_not_make_it_on_time():
    # completed 10/04 (10 days after 31/03); an extension to 30/04 decided 12/04 comes too late
    life = Life(extensions=((D(2026, 4, 12), D(2026, 4, 30)),), completed_on=D(2026, 4, 10),
                accepted_on=D(2026, 4, 15))
    assert at(D(2026, 6, 1), life) == ("done_late", 10, None)
    # decided on the completion day itself, it counts
    same_day = Life(extensions=((D(2026, 4, 10), D(2026, 4, 30)),), completed_on=D(2026, 4, 10),
                    accepted_on=D(2026, 4, 15))
    assert at(D(2026, 6, 1), same_day) == ("done_on_time", 0, None)


def test_two_extensions_the_last_decided_holds():
    life = Life(extensions=((D(2026, 3, 25), D(2026, 4, 30)), (D(2026, 4, 28), D(2026, 5, 15))))
    assert both(INSTANCE, life, D(2026, 4, 27)).deadline == D(2026, 4, 30)
    assert both(INSTANCE, life, D(2026, 5, 10)).deadline == D(2026, 5, 15)
    assert at(D(2026, 5, 16), life) == ("open_overdue", 1, "1-30")


NO_DEADLINE = Instance("NV-2", "", "24-SNV", D(2026, 1, 5), None)


def test_no_deadline_is_never_late_nor_due_soon():
    for day in (D(2026, 1, 5), D(2027, 12, 31), D(2030, 1, 1)):
        s = both(NO_DEADLINE, Life(), day)
        assert (s.state, s.deadline, s.overdue_days, s.bucket, s.due_soon) == ("open_in_time", None, 0, None, False)
    assert at(D(2030, 1, 1), done(D(2029, 6, 1)), instance=NO_DEADLINE) == ("done_on_time", 0, None)


def test_due_soon_edges():
    policy = Policy(due_soon_days=7)
    soon = lambda day: both(INSTANCE, Life(), day, policy).due_soon  # noqa: E731
    assert [soon(DEADLINE - n * DAY) for n in (8, 7, 1, 0)] == [False, True, True, True]
    assert soon(DEADLINE + DAY) is False                      # overdue is not "due soon"
    assert both(INSTANCE, done(D(2026, 3, 28)), D(2026, 3, 29), policy).due_soon is False  # done neither
    assert [both(INSTANCE, Life(), DEADLINE - n * DAY, Policy(due_soon_days=0)).due_soon for n in (1, 0)] == [
        False, True]


def test_update_window_edges():
    policy = Policy(update_days=7)
    life = Life(updates=(D(2026, 3, 1),))
    updated = lambda day, life=life: both(INSTANCE, life, day, policy).updated  # noqa: E731
    assert updated(D(2026, 2, 28)) is False   # an update after the day does not count yet
    assert updated(D(2026, 3, 1)) is True     # the day itself
    assert updated(D(2026, 3, 7)) is True     # the 7th day: 01/03 is within (28/02, 07/03]
    assert updated(D(2026, 3, 8)) is False    # the 8th: too old
    # an overdue instance can be updated; a done one is not counted
    overdue = Life(updates=(D(2026, 4, 3),))
    assert both(INSTANCE, overdue, D(2026, 4, 5), policy).updated is True
    finished = Life(updates=(D(2026, 3, 20),), completed_on=D(2026, 3, 20), accepted_on=D(2026, 3, 21))
    assert both(INSTANCE, finished, D(2026, 3, 22), policy).updated is False


def test_a_holiday_deadline_is_judged_on_the_day_it_rolled_to():
    # 02/09/2026 (Quốc khánh) → Thursday 03/09: in time on the 3rd, one day overdue on the 4th
    day = parse_deadline("02/09/2026", D(2026, 8, 1), CAL, how="next_working_day").day
    inst = Instance("NV-3", "", "24-SYT", D(2026, 8, 1), day)
    assert day == D(2026, 9, 3)
    assert at(D(2026, 9, 3), instance=inst) == ("open_in_time", 0, None)
    assert at(D(2026, 9, 4), instance=inst) == ("open_overdue", 1, "1-30")
    # Tết 2026: 16/02 → Monday 23/02; done on the 23rd is on time
    tet = Instance("NV-4", "", "24-SYT", D(2026, 1, 20),
                   parse_deadline("16/02/2026", D(2026, 1, 20), CAL, how="next_working_day").day)
    assert at(D(2026, 3, 1), done(D(2026, 2, 23)), instance=tet) == ("done_on_time", 0, None)
    assert at(D(2026, 3, 1), done(D(2026, 2, 24)), instance=tet) == ("done_late", 1, None)
    # a make-up Saturday deadline stays: 10/01/2026, one day overdue on Sunday the 11th
    sat = Instance("NV-5", "", "24-SYT", D(2026, 1, 5),
                   parse_deadline("10/01/2026", D(2026, 1, 5), CAL, how="next_working_day").day)
    assert at(D(2026, 1, 11), instance=sat) == ("open_overdue", 1, "1-30")
    # "3 ngày làm việc" from Thursday 08/01 counts that Saturday: due Monday 12/01
    worked = Instance("NV-6", "", "24-SYT", D(2026, 1, 8),
                      parse_deadline("3 ngày làm việc", D(2026, 1, 8), CAL, how="next_working_day").day)
    assert (worked.deadline, at(D(2026, 1, 13), instance=worked)) == (D(2026, 1, 12), ("open_overdue", 1, "1-30"))


def test_a_recurring_tasks_instances_each_have_their_own_state():
    task = Task("NV-7", "Báo cáo thu ngân sách", "24-STC", D(2026, 1, 20), Deadline("monthly", due_day=31,
                                                                                     until=D(2026, 4, 30)))
    insts = {i.key: i for i in instances(task, D(2026, 12, 31), CAL, "next_working_day")}
    assert list(insts) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    lives = {"2026-01": done(D(2026, 2, 2)), "2026-02": done(D(2026, 3, 5)), "2026-03": Life()}
    got = {k: at(D(2026, 4, 10), lives.get(k, Life()), instance=i) for k, i in insts.items()}
    assert got == {
        "2026-01": ("done_on_time", 0, None),         # due 31/01 (Saturday) → 02/02; done on the 2nd
        "2026-02": ("done_late", 3, None),            # due 28/02 (Saturday) → 02/03; done 05/03
        "2026-03": ("open_overdue", 10, "1-30"),      # due 31/03
        "2026-04": ("open_in_time", 0, None),         # opens 01/04, due 30/04
    }
    assert at(D(2026, 3, 31), instance=insts["2026-04"]) is None  # April's does not exist yet
