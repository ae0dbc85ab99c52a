"""Races: several people submitting the first value of the same indicator × period at the same
moment, on SQLite (a file) and PostgreSQL, with real threads released together by a barrier.

Writers of one indicator × period are serialised (chiso.store.database.serialise), so every
loser gets the answer it would have got a second later: ``unchanged`` (the same value), a
correction kept in history (a reason given), or the ordinary refusal ``value.correction``
(a different value without a reason) — never a database error. Approving the same period at
once audits one move; a writer that finds the period held too long is refused with
``period.busy`` (409) and nothing is written. Two runs of a folder connector at once remember a
processed file once.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from chiso.collect.values import Actor, Submitter, approve, batch_from_records, reasons, submit_batch
from chiso.errors import LoadError, LockedError
from chiso.store import repo_values as repo
from chiso.store.models import AuditEntry
from chiso.store.models_values import (
    Connector,
    ConnectorFile,
    IndicatorValue,
    IndicatorValueHistory,
    ValuePeriod,
    ValueSubmission,
)
from tests.factories import race

from .conftest import NOW

THREADS = 8
ROUNDS = 4
CODE = "TC.THU_NSNN"  # Sở Tài chính's, the province as a whole, monthly
BASE = 1000.0


@dataclass(frozen=True)
class Writer:
    """One thread's submission: who, which value, with or without a reason."""

    n: int
    value: float
    reason: str | None

    @property
    def who(self) -> Submitter:
        role = "head" if self.n % 2 else "officer"   # the officer and the head of the same agency
        return Submitter(as_unit="24-STC", by=f"{role}-{self.n}", role=role, reason=self.reason)


def writers() -> list[Writer]:
    """Two send the same value (the same batch twice at once), two another value each without a
    reason, the rest a value each with a reason (a correction, if they come second)."""
    out = [Writer(0, BASE, None), Writer(1, BASE, None), Writer(2, BASE + 2, None), Writer(3, BASE + 3, None)]
    out += [Writer(n, BASE + n, f"đối chiếu lần {n}") for n in range(4, THREADS)]
    return out


def batch_of(w: Writer, period: str):
    return batch_from_records(f"thu-{w.n}.json", [{"indicator": CODE, "unit": "24", "period": period,
                                                   "value": w.value}])


def test_first_values_of_the_same_period_at_once_serialise(db, catalogue, units):
    for month in range(8 - ROUNDS + 1, 9):
        period = f"2026-{month:02d}"
        ws = writers()
        outcomes = race([lambda w=w: submit_batch(db, batch_of(w, period), w.who, catalogue, units, now=NOW)
                         for w in ws])
        inserted, corrected, unchanged, refused = [], [], [], []
        for w, (result, exc) in zip(ws, outcomes, strict=True):
            if exc is not None:
                # the only refusal a loser may get: the ordinary one of a correction without a reason
                assert isinstance(exc, LoadError), f"{period} writer {w.n}: {exc!r}"
                assert w.reason is None
                assert [reasons.code_of(p.reason, p.column) for p in exc.problems] == ["value.correction"]
                refused.append(w)
            elif result.status == "unchanged":
                assert w.value == BASE and result.same_as is not None
                unchanged.append((w, result))
            else:
                assert result.status == "accepted" and result.inserted + result.corrected == 1
                (inserted if result.inserted else corrected).append((w, result))
                if result.corrected:
                    assert w.reason is not None
        assert len(inserted) == 1, (period, inserted)
        assert len(inserted) + len(corrected) + len(unchanged) + len(refused) == THREADS
        writes = sorted(inserted + corrected, key=lambda pair: pair[1].submission_id)
        assert writes[0] == inserted[0]  # the first writer inserted, every later one corrected
        by_id = {r.submission_id: w for w, r in writes}
        with db.session() as s:
            current = s.scalars(select(IndicatorValue).where(IndicatorValue.indicator == CODE,
                                                             IndicatorValue.period == period)).all()
            assert len(current) == 1
            assert (current[0].submission_id, current[0].value) == (writes[-1][1].submission_id, writes[-1][0].value)
            # every replaced value is in history, in the order the writers came
            history = s.scalars(select(IndicatorValueHistory).where(IndicatorValueHistory.period == period)
                                .order_by(IndicatorValueHistory.replaced_by_submission)).all()
            assert [(h.submission_id, h.value, h.replaced_by_submission, h.reason) for h in history] == [
                (a.submission_id, wa.value, b.submission_id, wb.reason)
                for (wa, a), (wb, b) in zip(writes, writes[1:])]
            assert all(by_id[h.replaced_by_submission].who.by == h.replaced_by for h in history)
            # an unchanged batch names the accepted one with the same content
            for _w, result in unchanged:
                assert by_id[result.same_as].value == BASE
            period_row = s.get(ValuePeriod, (CODE, period))
            assert period_row.state == "submitted"
            # audit: one period move, one line per accepted batch, one per registered refusal
            audits = Counter((a.action, a.target_id) for a in s.scalars(select(AuditEntry)))
            assert audits[("values.period.submitted", f"{CODE}@{period}")] == 1
            for _w, result in writes:
                assert audits[("values.submit", str(result.submission_id))] == 1
    with db.session() as s:
        refused_rows = s.scalars(select(ValueSubmission).where(ValueSubmission.status == "refused")).all()
        accepted_rows = s.scalars(select(ValueSubmission).where(ValueSubmission.status == "accepted")).all()
        audits = Counter(a.action for a in s.scalars(select(AuditEntry)))
        assert audits["values.refuse"] == len(refused_rows)
        assert audits["values.submit"] == len(accepted_rows)
        assert all(r.report and reasons.code_of(r.report[0]["reason"]) == "value.correction" for r in refused_rows)


def test_the_same_batch_twice_at_once_is_written_once(db, catalogue, units):
    batch = batch_from_records("chi.json", [{"indicator": CODE, "unit": "24", "period": f"2026-{m:02d}",
                                             "value": BASE + m} for m in range(1, 9)])
    who = Submitter(as_unit="24-STC", by="canbo", role="officer")
    outcomes = race([lambda: submit_batch(db, batch, who, catalogue, units, now=NOW)] * THREADS)
    assert [exc for _, exc in outcomes] == [None] * THREADS
    statuses = Counter(result.status for result, _ in outcomes)
    assert statuses == {"accepted": 1, "unchanged": THREADS - 1}
    first = next(result for result, _ in outcomes if result.status == "accepted")
    assert {result.same_as for result, _ in outcomes if result.status == "unchanged"} == {first.submission_id}
    with db.session() as s:
        assert len(s.scalars(select(ValueSubmission)).all()) == 1
        assert len(s.scalars(select(IndicatorValue)).all()) == 8
        assert s.scalars(select(IndicatorValueHistory)).all() == []


def test_the_same_refusal_twice_at_once_is_registered_once(db, catalogue, units):
    batch = batch_from_records("chi.json", [{"indicator": CODE, "unit": "24", "period": "2026-08", "value": -1}])
    who = Submitter(as_unit="24-STC", by="canbo", role="officer")
    outcomes = race([lambda: submit_batch(db, batch, who, catalogue, units, now=NOW)] * THREADS)
    assert all(isinstance(exc, LoadError) for _, exc in outcomes)
    with db.session() as s:
        rows = s.scalars(select(ValueSubmission)).all()
        assert [r.status for r in rows] == ["refused"]
        assert len(s.scalars(select(AuditEntry).where(AuditEntry.action == "values.refuse")).all()) == 1


def test_approving_the_same_period_at_once_is_one_move(db, catalogue, units):
    submit_batch(db, batch_of(Writer(0, BASE, None), "2026-08"), Writer(0, BASE, None).who, catalogue, units,
                 now=NOW)
    head = Actor("giamdoc", "head", "24-STC")

    def approving():
        with db.session() as s:
            return approve(s, catalogue, units, indicator=CODE, period="2026-08", actor=head, now=NOW)

    outcomes = race([approving] * THREADS)
    assert outcomes == [("approved", None)] * THREADS
    with db.session() as s:
        moves = s.scalars(select(AuditEntry).where(AuditEntry.action == "values.period.approved")).all()
        assert len(moves) == 1 and moves[0].detail["from"] == "submitted"


def test_a_period_held_too_long_is_refused_as_busy_and_nothing_is_written(db, catalogue, units):
    w = Writer(0, BASE, None)
    with db.session() as holder:
        assert repo.hold_periods(holder, [(CODE, "2026-08")])
        with pytest.raises(LockedError) as caught:
            submit_batch(db, batch_of(w, "2026-08"), w.who, catalogue, units, now=NOW, wait=0.3)
        with pytest.raises(LockedError) as refused_approval:
            with db.session() as s:
                approve(s, catalogue, units, indicator=CODE, period="2026-08", actor=Actor("giamdoc", "head", "24-STC"),
                        wait=0.3)
    problems = caught.value.problems
    assert [(p.row, p.column, reasons.code_of(p.reason, p.column)) for p in problems] == [(1, "period", "period.busy")]
    assert "TC.THU_NSNN 2026-08" in problems[0].reason
    assert reasons.code_of(str(refused_approval.value)) == "period.busy"
    assert reasons.localise(problems[0].reason, "vi").startswith("TC.THU_NSNN kỳ 2026-08 đang")
    with db.session() as s:
        assert s.scalars(select(IndicatorValue)).all() == []
        assert s.scalars(select(ValueSubmission)).all() == []
    # once the holder is done, the same batch goes through
    assert submit_batch(db, batch_of(w, "2026-08"), w.who, catalogue, units, now=NOW).inserted == 1


def test_a_folder_file_remembered_by_two_runs_at_once_is_remembered_once(db):
    with db.session() as s:
        connector = repo.add_connector(s, name="thu-muc", kind="folder", as_unit="24-STC", config={"path": "/x"},
                                       indicators=[CODE], schedule="daily")

    def remembering():
        with db.session() as s:
            return repo.remember_file(s, s.get(Connector, connector.id), sha256="ab" * 32, path="/x/thu.csv",
                                      status="accepted").processed_at

    outcomes = race([remembering] * THREADS)
    assert [exc for _, exc in outcomes] == [None] * THREADS
    assert len({at for at, _ in outcomes}) == 1  # every run got the one row the first wrote
    with db.session() as s:
        assert len(s.scalars(select(ConnectorFile)).all()) == 1
        assert len(s.scalars(select(AuditEntry).where(AuditEntry.action == "connector.file")).all()) == 1
