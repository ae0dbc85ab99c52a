"""The returned state (bị trả lại): a head or an administrator returns a submitted period with
a comment; the officer's next submission makes it submitted again — on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from chiso.collect.values import Actor, Submitter, approve, read_batch, return_period, submit_batch
from chiso.errors import ChisoError, LoadError, NotAllowedError
from chiso.store.models_values import IndicatorValueHistory
from chiso.store.repo_audit import audit_entries
from chiso.store.repo_values import current_values, get_period, returned_periods, waiting_periods

from .conftest import NOW

OFFICER = Submitter(as_unit="24-STC", by="Nguyễn Văn An")
HEAD = Actor("Giám đốc Sở Tài chính", "head", "24-STC")
COMMENT = "Số thu tháng 8 chưa khớp Kho bạc, đề nghị rà soát"


def send(db, catalogue, units, path, who=OFFICER):
    return submit_batch(db, read_batch(path), who, catalogue, units, now=NOW)


def give_back(db, catalogue, units, actor=HEAD, comment=COMMENT, period="2026-08"):
    with db.session() as s:
        return return_period(s, catalogue, units, indicator="TC.THU_NSNN", period=period, actor=actor,
                             comment=comment, now=NOW)


def test_a_head_returns_a_submitted_period_with_a_comment_recorded_and_audited(db, catalogue, units, write):
    send(db, catalogue, units, write("t8.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n"))
    assert give_back(db, catalogue, units) == "returned"
    assert give_back(db, catalogue, units) == "returned"  # twice: one move
    with db.session() as s:
        row = get_period(s, "TC.THU_NSNN", "2026-08")
        assert (row.state, row.returned_by, row.return_comment, row.reason) == (
            "returned", HEAD.by, COMMENT, COMMENT)
        moves = [e for e in audit_entries(s) if e.action == "values.period.returned"]
        assert len(moves) == 1 and moves[0].actor == HEAD.by
        assert moves[0].detail["from"] == "submitted" and moves[0].detail["reason"] == COMMENT
        assert [p.period for p in returned_periods(s, owner="24-STC")] == ["2026-08"]
        assert waiting_periods(s, owner="24-STC") == []
        # a returned period is no longer waiting; it cannot be approved until it is submitted again
        with pytest.raises(ChisoError, match="is returned; only a submitted period can be approved"):
            approve(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08", actor=HEAD)
        # its values stay in the values relation (as submitted values do before approval)
        assert current_values(s)["value"].to_list() == [1610.0]


@pytest.mark.parametrize(("actor", "comment", "error", "match"), [
    (Actor("cán bộ", "officer", "24-STC"), COMMENT, NotAllowedError, "only the head of the owner agency"),
    (Actor("Giám đốc Sở Y tế", "head", "24-SYT"), COMMENT, NotAllowedError, "only the head of the owner agency"),
    (HEAD, "  ", NotAllowedError, "needs a comment"),
])
def test_only_the_owners_head_or_an_administrator_returns_and_only_with_a_comment(
        db, catalogue, units, write, actor, comment, error, match):
    send(db, catalogue, units, write("t8.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n"))
    with pytest.raises(error, match=match):
        give_back(db, catalogue, units, actor=actor, comment=comment)
    with db.session() as s:
        assert get_period(s, "TC.THU_NSNN", "2026-08").state == "submitted"


def test_an_administrator_returns_and_only_submitted_periods_are_returned(db, catalogue, units, write):
    with pytest.raises(ChisoError, match="has no values"):
        give_back(db, catalogue, units)
    send(db, catalogue, units, write("t8.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n"))
    with db.session() as s:
        approve(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08", actor=HEAD)
    with pytest.raises(ChisoError, match="is approved; only a submitted period can be returned"):
        give_back(db, catalogue, units)
    send(db, catalogue, units, write("t7.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-07,1500\n"))
    assert give_back(db, catalogue, units, actor=Actor("quản trị", "admin"), period="2026-07") == "returned"


def test_a_returned_period_is_submitted_again_with_a_fix_that_keeps_the_heads_comment(db, catalogue, units, write):
    send(db, catalogue, units, write("t8.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n"))
    give_back(db, catalogue, units)
    # the fix needs no reason of its own: the head's comment is why the value changed
    result = send(db, catalogue, units, write("sua.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1650\n"))
    assert (result.status, result.corrected, result.periods) == ("accepted", 1, {"TC.THU_NSNN@2026-08": "submitted"})
    with db.session() as s:
        row = get_period(s, "TC.THU_NSNN", "2026-08")
        assert (row.state, row.return_comment) == ("submitted", COMMENT)  # the last return is kept
        old = s.scalars(select(IndicatorValueHistory)).one()
        assert old.value == 1610.0 and COMMENT in old.reason and HEAD.by in old.reason
        assert [p.period for p in waiting_periods(s, owner="24-STC")] == ["2026-08"]
        assert returned_periods(s, owner="24-STC") == []
        assert approve(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08", actor=HEAD) == "approved"
    # once submitted again, a correction needs a reason as before
    with pytest.raises(LoadError):
        send(db, catalogue, units, write("lai.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1700\n"))


def test_the_same_values_sent_again_resubmit_a_returned_period(db, catalogue, units, write):
    path = write("t8.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n")
    send(db, catalogue, units, path)
    assert send(db, catalogue, units, path).status == "unchanged"
    give_back(db, catalogue, units)
    result = send(db, catalogue, units, path)  # the officer checked and stands by the figures
    assert (result.status, result.inserted, result.corrected, result.periods) == (
        "accepted", 0, 0, {"TC.THU_NSNN@2026-08": "submitted"})


def test_a_returned_period_may_be_reworked_as_a_draft_and_keeps_the_comment(db, catalogue, units, write):
    send(db, catalogue, units, write("t8.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n"))
    give_back(db, catalogue, units)
    draft = Submitter(as_unit="24-STC", by="Nguyễn Văn An", draft=True)
    send(db, catalogue, units, write("nhap.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1640\n"),
         who=draft)
    with db.session() as s:
        row = get_period(s, "TC.THU_NSNN", "2026-08")
        assert (row.state, row.return_comment, row.returned_by) == ("draft", COMMENT, HEAD.by)


def test_returning_and_approving_the_same_period_at_once_is_one_move(db, catalogue, units, write):
    """Serialised (decision 54): of heads returning and approving at the same moment, one moves the
    period; the others see the state it left and are answered as they would be a second later."""
    from sqlalchemy import select

    from chiso.store.models import AuditEntry
    from tests.factories import race

    send(db, catalogue, units, write("t8.csv", "indicator,unit,period,value\nTC.THU_NSNN,24,2026-08,1610\n"))

    def approving():
        with db.session() as s:
            return approve(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08", actor=HEAD, now=NOW)

    def returning():
        with db.session() as s:
            return return_period(s, catalogue, units, indicator="TC.THU_NSNN", period="2026-08", actor=HEAD,
                                 comment=COMMENT, now=NOW)

    outcomes = race([approving, returning] * 3)
    with db.session() as s:
        final = get_period(s, "TC.THU_NSNN", "2026-08").state
        moves = s.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            ("values.period.approved", "values.period.returned")))).all()
    assert final in ("approved", "returned") and len(moves) == 1 and moves[0].detail["from"] == "submitted"
    for (result, error), move in zip(outcomes, ["approved", "returned"] * 3):
        if move == final:
            assert (result, error) == (final, None)  # the winner, and the same move again: done
        else:
            assert result is None and isinstance(error, ChisoError) and f"is {final}" in str(error)
