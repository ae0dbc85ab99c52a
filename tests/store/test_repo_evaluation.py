"""Targets, statistical figures and warnings in the store, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from chiso.errors import ChisoError, ConflictError, NotFoundError, WindowError
from chiso.evaluate.dm.service import current_targets
from chiso.evaluate.dm.warning_sync import sync_warnings
from chiso.evaluate.dm.warnings import EarlyWarning, Evaluation
from chiso.store.database import Database
from chiso.store.models_evaluation import WarningEvent, WarningRow
from chiso.store.repo_audit import audit_entries
from chiso.store.repo_evaluation import (
    acknowledge_warning,
    list_warnings,
    resolve_warning,
    set_statistical_value,
    set_target,
    statistical_values,
    target_rows,
    warning_events,
    warning_to_dict,
)

# --- targets ---------------------------------------------------------------------------------

def test_targets_keep_history_and_setting_again_changes_nothing(db: Database) -> None:
    with db.session() as s:
        first, wrote = set_target(s, indicator="NS.THU", unit_code="24", period="2026", value=1200,
                                  set_by="Sở Tài chính", basis="Nghị quyết HĐND")
        assert wrote and first.period_kind == "year"
    with db.session() as s:
        again, wrote = set_target(s, indicator="NS.THU", unit_code="24", period=" 2026 ", value=1200.0,
                                  set_by="someone else", basis="Nghị quyết HĐND")
        assert not wrote and again.id == first.id
        changed, wrote = set_target(s, indicator="NS.THU", unit_code="24", period="2026", value=1350,
                                    set_by="UBND tỉnh")
        assert wrote
        set_target(s, indicator="NS.THU", unit_code="24", period="2026-q3", value=900, set_by="UBND tỉnh")
    with db.session() as s:
        assert [(r.value, r.set_by) for r in target_rows(s, indicator="NS.THU", period="2026")] == [
            (1200.0, "Sở Tài chính"), (1350.0, "UBND tỉnh")]
        now = current_targets(s)
        assert [(t.period, t.value, t.source, t.basis) for t in now] == [
            ("2026", 1350.0, "store", None), ("2026-Q3", 900.0, "store", None)]
        assert current_targets(s, indicators=["OTHER"]) == []
        entries = audit_entries(s, action="target.set")
    assert [e.detail["previous"] for e in reversed(entries)] == [None, 1200.0, None]
    assert entries[1].actor == "UBND tỉnh"


@pytest.mark.parametrize("kw, error, message", [
    (dict(indicator="ns.thu"), ChisoError, "indicator code"),
    (dict(period="2026-13"), WindowError, "no month 13"),
    (dict(period="2026-01-01..2026-02-01"), WindowError, "not a reporting period"),
    (dict(value=float("nan")), ChisoError, "finite"),
    (dict(value="nhiều"), ChisoError, "not a number"),
    (dict(set_by="  "), ChisoError, "--by"),
    (dict(unit_code=""), ChisoError, "unit code"),
])
def test_bad_targets_are_refused_and_write_nothing(db: Database, kw, error, message) -> None:
    args = dict(indicator="NS.THU", unit_code="24", period="2026", value=1.0, set_by="x") | kw
    with pytest.raises(error, match=message):
        with db.session() as s:
            set_target(s, **args)
    with db.session() as s:
        assert target_rows(s) == [] and audit_entries(s, action="target.set") == []


def test_statistical_values_keep_history(db: Database) -> None:
    with db.session() as s:
        set_statistical_value(s, statistical_code="0501", unit_code="24", period="2026-Q3", value=1000,
                              set_by="Thống kê", source="Báo cáo quý III")
        _, wrote = set_statistical_value(s, statistical_code="0501", unit_code="24", period="2026-Q3",
                                         value=1000, set_by="Thống kê", source="Báo cáo quý III")
        assert not wrote
        set_statistical_value(s, statistical_code="0501", unit_code="24", period="2026-Q3", value=1010,
                              set_by="Thống kê", source="Niên giám")
    with db.session() as s:
        frame = statistical_values(s)
        assert frame.to_dicts() == [{"statistical_code": "0501", "unit_code": "24", "period": "2026-Q3",
                                     "value": 1010.0, "source": "Niên giám"}]
        assert len(audit_entries(s, action="statistical_value.set")) == 2


# --- warnings --------------------------------------------------------------------------------

def warning(rule="below_threshold", unit="24", period="2026-09", severity="warning", value=90.0,
            indicator="HC.DUNG_HAN") -> EarlyWarning:
    return EarlyWarning(rule, severity, indicator, unit, "24-VPUBND" if unit == "24" else unit, period,
                        "ADMINISTRATION", f"Tỷ lệ hồ sơ đúng hạn: {value}", f"On-time dossiers: {value}",
                        {"value": value})


def run(*warnings: EarlyWarning, checked=None) -> Evaluation:
    subjects = {w.subject for w in warnings} if checked is None else set(checked)
    return Evaluation(list(warnings), subjects)


def states(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {r.key: r.state for r in list_warnings(s, "24", state="all")}


def actions(db: Database, key: str) -> list[str]:
    with db.session() as s:
        row = s.scalar(select(WarningRow).where(WarningRow.key == key))
        return [e.action for e in warning_events(s, row.id)]


def test_sync_is_idempotent_and_records_every_change(db: Database) -> None:
    a, b = warning(), warning(unit="07210", value=80.0)
    with db.session() as s:
        assert sync_warnings(s, "24", run(a, b)).as_dict() == dict(
            opened=2, updated=0, escalated=0, reopened=0, resolved=0, unchanged=0)
    with db.session() as s:
        counts = sync_warnings(s, "24", run(a, b))
        assert (counts.changed, counts.unchanged) == (0, 2)
        assert s.scalar(select(func.count()).select_from(WarningRow)) == 2
        assert len(audit_entries(s, action="warnings.refresh")) == 1       # the idle run wrote nothing
    # new numbers, same condition: updated in place, old figures kept in the event
    with db.session() as s:
        assert sync_warnings(s, "24", run(warning(value=89.0), b)).updated == 1
    assert actions(db, a.key) == ["open", "update"]
    with db.session() as s:
        row = s.scalar(select(WarningRow).where(WarningRow.key == a.key))
        assert row.evidence == {"value": 89.0}
        assert warning_events(s, row.id)[1].detail["before"]["evidence"] == {"value": 90.0}


def test_a_condition_that_clears_resolves_and_comes_back_reopened(db: Database) -> None:
    a, b = warning(), warning(unit="07210")
    with db.session() as s:
        sync_warnings(s, "24", run(a, b))
    # b's series was checked and is fine now; a's was not checked at all (left as it is)
    with db.session() as s:
        counts = sync_warnings(s, "24", run(checked=[b.subject]))
        assert (counts.resolved, counts.unchanged) == (1, 0)
    assert states(db) == {a.key: "open", b.key: "resolved"}
    assert actions(db, b.key) == ["open", "auto_resolve"]
    with db.session() as s:
        assert sync_warnings(s, "24", run(a, b)).reopened == 1
    assert states(db)[b.key] == "open"
    assert actions(db, b.key) == ["open", "auto_resolve", "reopen"]
    # a newer period supersedes the older warning of the same series
    newer = warning(period="2026-10")
    with db.session() as s:
        counts = sync_warnings(s, "24", run(newer, b))
        assert (counts.opened, counts.resolved) == (1, 1)
    assert states(db)[a.key] == "resolved" and states(db)[newer.key] == "open"


def test_acknowledge_and_resolve_need_a_note_and_the_right_state(db: Database) -> None:
    a = warning()
    with db.session() as s:
        sync_warnings(s, "24", run(a))
        wid = s.scalar(select(WarningRow.id).where(WarningRow.key == a.key))
    for kw, message in ((dict(by="Chánh VP", note="   "), "note"), (dict(by="", note="đã giao"), "--by")):
        with pytest.raises(ChisoError, match=message):
            with db.session() as s:
                acknowledge_warning(s, wid, **kw)
        with pytest.raises(ChisoError, match=message):
            with db.session() as s:
                resolve_warning(s, wid, **kw)
    assert states(db)[a.key] == "open" and actions(db, a.key) == ["open"]
    with pytest.raises(NotFoundError, match="no warning with id 999"):
        with db.session() as s:
            acknowledge_warning(s, 999, by="x", note="y")
    with db.session() as s:
        acknowledge_warning(s, wid, by="Chánh VP", note="  Đã giao Sở Nội vụ kiểm tra  ")
    with pytest.raises(ConflictError, match="only an open warning"):
        with db.session() as s:
            acknowledge_warning(s, wid, by="Chánh VP", note="lần nữa")
    with db.session() as s:
        resolve_warning(s, wid, by="Sở Nội vụ", note="Đã cập nhật số liệu")
    with pytest.raises(ConflictError, match="already resolved"):
        with db.session() as s:
            resolve_warning(s, wid, by="Sở Nội vụ", note="lần nữa")
    with db.session() as s:
        events = warning_events(s, wid)
        assert [(e.action, e.by, e.note) for e in events[1:]] == [
            ("acknowledge", "Chánh VP", "Đã giao Sở Nội vụ kiểm tra"),
            ("resolve", "Sở Nội vụ", "Đã cập nhật số liệu")]
        assert [e.action for e in audit_entries(s, target_kind="warning")] == [
            "warning.resolve", "warning.acknowledge"]
    # resolved by hand, the same condition persisting does not reopen it
    with db.session() as s:
        assert sync_warnings(s, "24", run(a)).unchanged == 1
    assert states(db)[a.key] == "resolved"


def test_escalation_reopens_an_acknowledged_warning(db: Database) -> None:
    a = warning()
    with db.session() as s:
        sync_warnings(s, "24", run(a))
        wid = s.scalar(select(WarningRow.id).where(WarningRow.key == a.key))
        acknowledge_warning(s, wid, by="Chánh VP", note="theo dõi")
    with db.session() as s:
        assert sync_warnings(s, "24", run(warning(value=80.0))).updated == 1      # same severity
    assert states(db)[a.key] == "acknowledged"
    with db.session() as s:
        assert sync_warnings(s, "24", run(warning(severity="critical", value=70.0))).escalated == 1
    assert states(db)[a.key] == "open"
    assert actions(db, a.key)[-1] == "escalate"


def test_list_filters_and_order(db: Database) -> None:
    info = warning(rule="late_data", severity="info")
    crit = EarlyWarning("missing_data", "critical", "NS.CHI", "24", "24-STC", "2026-08", "FINANCE",
                        "Thiếu số liệu", "Missing data", {"days_overdue": 40})
    other_province = warning(unit="01")
    with db.session() as s:
        sync_warnings(s, "24", run(info, crit, warning()))
        sync_warnings(s, "01", run(other_province))
    with db.session() as s:
        assert [r.severity for r in list_warnings(s, "24")] == ["critical", "warning", "info"]
        assert [r.key for r in list_warnings(s, "24", field="FINANCE")] == [crit.key]
        assert [r.key for r in list_warnings(s, "24", severity="info")] == [info.key]
        assert [r.key for r in list_warnings(s, "24", unit_code="24-STC")] == [crit.key]
        assert [r.key for r in list_warnings(s, "01")] == [other_province.key]
        assert list_warnings(s, "24", state="resolved") == []
        with pytest.raises(ChisoError, match="state"):
            list_warnings(s, "24", state="closed")
        doc = warning_to_dict(list_warnings(s, "24", severity="critical")[0])
    assert (doc["responsible"], doc["evidence"], doc["message_vi"]) == ("24-STC", {"days_overdue": 40}, "Thiếu số liệu")


def test_event_notes_are_never_empty_in_the_database(db: Database) -> None:
    with db.session() as s:
        sync_warnings(s, "24", run(warning()))
        wid = s.scalar(select(WarningRow.id))
    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.add(WarningEvent(warning_id=wid, action="resolve", by="x", note="  "))
            s.flush()
    with pytest.raises(IntegrityError):
        with db.engine.begin() as c:
            c.execute(text("UPDATE warnings SET state = 'closed'"))
