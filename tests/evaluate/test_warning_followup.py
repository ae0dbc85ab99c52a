"""Warnings followed up (chiso.evaluate.dm.followup): overdue on read, the "needs direction"
rule and its ranking, the sorts — on hand-made warnings and assignments (store rows, not saved)."""
from __future__ import annotations

import datetime as dt

from chiso.evaluate.dm.followup import WEIGHTS, Followed, attention, sort_followed
from chiso.store.models_evaluation import WarningFollowup, WarningRow

TODAY = dt.date(2026, 11, 30)


def warning(wid: int, severity: str = "warning", state: str = "open", opened: dt.date = TODAY) -> WarningRow:
    at = dt.datetime.combine(opened, dt.time(3), tzinfo=dt.UTC)
    return WarningRow(id=wid, key=f"k{wid}", province_code="24", rule="off_track", severity=severity,
                      indicator="XH.A", field="SOCIETY", unit_code="24-SYT", responsible_unit="24-SYT",
                      period="2026-11", message_vi="m", message_en="m", evidence={}, state=state,
                      opened_at=at, updated_at=at)


def given(wid: int, due: dt.date, unit: str = "24-SYT", username: str | None = None) -> WarningFollowup:
    return WarningFollowup(id=100 + wid, warning_id=wid, action="assign", by="lanhdao",
                           at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), unit_code=unit, username=username,
                           due_on=due)


def followed(row: WarningRow, assignment: WarningFollowup | None = None, comments: int = 0) -> Followed:
    return Followed(row, assignment, comments, TODAY)


def test_overdue_is_past_the_due_date_and_not_resolved():
    late = followed(warning(1), given(1, TODAY - dt.timedelta(days=3)))
    assert late.overdue and late.days_overdue == 3
    assert not followed(warning(2), given(2, TODAY)).overdue  # due today: not yet
    assert not followed(warning(3, state="resolved"), given(3, TODAY - dt.timedelta(days=9))).overdue
    assert not followed(warning(4)).overdue  # given to nobody: no due date


def test_needs_direction():
    assert followed(warning(1, "info"), given(1, TODAY - dt.timedelta(days=1))).needs_direction  # overdue
    assert followed(warning(2, "warning")).needs_direction  # given to nobody
    assert not followed(warning(3, "info")).needs_direction  # information given to nobody
    assert not followed(warning(4, "critical"), given(4, TODAY + dt.timedelta(days=5))).needs_direction
    old = TODAY - dt.timedelta(days=WEIGHTS.open_critical_days)
    assert followed(warning(5, "critical", opened=old), given(5, TODAY + dt.timedelta(days=5))).needs_direction
    assert not followed(warning(6, "critical", "acknowledged", old), given(6, TODAY)).needs_direction
    assert not followed(warning(7, "critical", "resolved")).needs_direction


def test_attention_ranks_overdue_critical_first_then_unassigned():
    items = [
        followed(warning(1, "info"), given(1, TODAY - dt.timedelta(days=2))),            # overdue info
        followed(warning(2, "warning")),                                                 # unassigned warning
        followed(warning(3, "critical"), given(3, TODAY - dt.timedelta(days=10))),       # overdue critical
        followed(warning(4, "critical")),                                                # unassigned critical
        followed(warning(5, "info")),                                                    # not listed
        followed(warning(6, "warning", opened=TODAY - dt.timedelta(days=60))),           # old unassigned warning
    ]
    ranked = attention(items)
    # 3: 60 + 40 + 10 + 5 = 115; 4: 60 + 15 + 5 = 80; 6: 30 + 15 + 60 × 0.2 + 5 = 62;
    # 1: 10 + 40 + 2 + 5 = 57; 2: 30 + 15 + 5 = 50
    assert [f.warning.id for f in ranked] == [3, 4, 6, 1, 2]
    assert [f.importance for f in ranked] == [115.0, 80.0, 62.0, 57.0, 50.0]
    assert [key for key, _ in ranked[0].reasons] == ["overdue", "critical"]
    points = [f.importance for f in ranked]
    assert points == sorted(points, reverse=True)
    # the weights are the data: without points for being overdue, the unassigned critical one leads
    from dataclasses import replace
    calm = replace(WEIGHTS, overdue=0.0, overdue_per_day=0.0)
    again = attention([Followed(f.warning, f.assignment, 0, TODAY, calm) for f in items])
    assert again[0].warning.id == 4


def test_sorts():
    a = followed(warning(1, "info", opened=TODAY - dt.timedelta(days=5)), given(1, TODAY + dt.timedelta(days=9)))
    b = followed(warning(2, "critical", opened=TODAY - dt.timedelta(days=1)))
    c = followed(warning(3, "warning", opened=TODAY - dt.timedelta(days=3)), given(3, TODAY + dt.timedelta(days=1)))
    ids = lambda items: [f.warning.id for f in items]  # noqa: E731
    assert ids(sort_followed([a, b, c])) == [2, 3, 1]  # newest first by default
    assert ids(sort_followed([a, b, c], "oldest")) == [1, 3, 2]
    assert ids(sort_followed([a, b, c], "severity")) == [2, 3, 1]
    assert ids(sort_followed([a, b, c], "due")) == [3, 1, 2]  # nearest due first, none last


def test_given_to_a_person_or_their_unit():
    f = followed(warning(1), given(1, TODAY, unit="24-STC", username="canbo.stc"))
    assert f.assigned_to("canbo.stc", "24-STC") and f.assigned_to("giamdoc.stc", "24-STC")
    assert not f.assigned_to("canbo.syt", "24-SYT")
    assert f.to_dict()["assignment"]["username"] == "canbo.stc"


# ------------------------------------------------------------------ in the store (SQLite, PostgreSQL)

def stored_warning(session, wid: int, state: str = "open") -> WarningRow:
    row = warning(wid, "warning", state)
    session.add(row)
    session.flush()
    return row


def test_assignments_comments_and_escalation_in_the_store(db):
    import pytest

    from chiso.errors import ChisoError, ConflictError
    from chiso.evaluate.dm.followup import escalate_overdue, follow
    from chiso.store.repo_audit import audit_entries
    from chiso.store.repo_evaluation import assign_warning, comment_warning, current_assignments, warning_followups

    with db.session() as s:
        stored_warning(s, 1)
        stored_warning(s, 2, "resolved")
        assign_warning(s, 1, by="lanhdao", unit_code="24-SYT", due_on=TODAY - dt.timedelta(days=2), note="Xử lý")
        assign_warning(s, 1, by="lanhdao", unit_code="24-STC", due_on=TODAY - dt.timedelta(days=1))
        comment_warning(s, 1, by="canbo.stc", note="Đang rà soát")
        with pytest.raises(ConflictError):  # a resolved warning is not assigned
            assign_warning(s, 2, by="lanhdao", unit_code="24-SYT", due_on=TODAY)
        with pytest.raises(ChisoError, match="before today"):
            assign_warning(s, 1, by="lanhdao", unit_code="24-SYT", due_on=TODAY - dt.timedelta(days=1), today=TODAY)
        with pytest.raises(ChisoError, match="text"):
            comment_warning(s, 1, by="canbo.stc", note="   ")
    with db.session() as s:
        current = current_assignments(s, [1])[1]
        assert (current.unit_code, current.due_on) == ("24-STC", TODAY - dt.timedelta(days=1))  # the newest
        (f,) = follow(s, [s.get(WarningRow, 1)], today=TODAY)
        assert f.overdue and f.days_overdue == 1 and f.comments == 1
        assert escalate_overdue(s, "24", today=TODAY) == 1
        assert escalate_overdue(s, "24", today=TODAY) == 0  # once per assignment
        actions = [(line.action, line.unit_code) for line in warning_followups(s, 1)]
        assert actions == [("assign", "24-SYT"), ("assign", "24-STC"), ("comment", None), ("overdue", "24-STC")]
        audited = [e.action for e in audit_entries(s, action=None) if e.action.startswith("warning.")]
        assert sorted(audited) == ["warning.assign", "warning.comment", "warning.overdue", "warning.reassign"]
