"""Targets, statistical counterpart figures and early warnings in the relational store.

Every function takes a ``Session`` first and leaves committing to it; every write appends
an audit line in the same session (``chiso.store.repo_audit.audit``).

* Targets and statistical figures keep history: setting a different value adds a row;
  setting the same value again changes nothing (idempotent).
* Warnings: the rows and their events; the state machine that writes one run of the
  rules is ``chiso.evaluate.dm.warning_sync``.
* Acknowledging and resolving need a person and a note.
"""
from __future__ import annotations

import datetime as dt
import math

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.errors import ChisoError, ConflictError, NotFoundError
from chiso.formula.parse import CODE_PATTERN
from chiso.periods.reporting import period as parse_period
from chiso.store.models_evaluation import (
    SEVERITIES,
    WARNING_STATES,
    StatisticalValueRow,
    TargetRow,
    WarningEvent,
    WarningFollowup,
    WarningRow,
)
from chiso.store.orm import utcnow
from chiso.store.repo_accounts import get_account
from chiso.store.repo_audit import audit


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ChisoError(f"{what} is required and must not be empty")
    return text


def _number(value: float, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ChisoError(f"{what} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ChisoError(f"{what} must be a finite number, not {value!r}")
    return number


def _indicator(code: str) -> str:
    import re

    code = (code or "").strip()
    if not re.match(CODE_PATTERN, code):
        raise ChisoError(f"indicator code {code!r} is not valid (upper-case letters, digits, _ and .)")
    return code


# ------------------------------------------------------------------------------- targets

def set_target(session: Session, *, indicator: str, unit_code: str, period: str, value: float,
               set_by: str, basis: str | None = None) -> tuple[TargetRow, bool]:
    """Set a target; returns (the row in force, whether a row was written).

    The same value and basis as the target in force writes nothing; a different one adds
    a row and keeps the earlier one as history.
    """
    indicator = _indicator(indicator)
    unit_code = _text(unit_code, "the unit code")
    w = parse_period(period)
    value = _number(value, "the target value")
    set_by = _text(set_by, "who sets the target (--by)")
    basis = (basis or "").strip() or None
    current = session.scalars(
        select(TargetRow).where(TargetRow.indicator == indicator, TargetRow.unit_code == unit_code,
                                TargetRow.period == w.label).order_by(TargetRow.id.desc()).limit(1)).first()
    if current is not None and current.value == value and current.basis == basis:
        return current, False
    row = TargetRow(indicator=indicator, unit_code=unit_code, period=w.label, period_kind=w.kind,
                    value=value, basis=basis, set_by=set_by, set_at=utcnow())
    session.add(row)
    session.flush()
    audit(session, set_by, "target.set", "target", row.id,
          {"indicator": indicator, "unit_code": unit_code, "period": w.label, "value": value,
           "basis": basis, "previous": None if current is None else current.value})
    return row, True


def target_rows(session: Session, indicator: str | None = None, unit_code: str | None = None,
                period: str | None = None) -> list[TargetRow]:
    """Every target row (history included), oldest first."""
    query = select(TargetRow).order_by(TargetRow.id)
    if indicator is not None:
        query = query.where(TargetRow.indicator == indicator)
    if unit_code is not None:
        query = query.where(TargetRow.unit_code == unit_code)
    if period is not None:
        query = query.where(TargetRow.period == parse_period(period).label)
    return list(session.scalars(query))


# ------------------------------------------------------------------ statistical figures

def set_statistical_value(session: Session, *, statistical_code: str, unit_code: str, period: str,
                          value: float, set_by: str, source: str | None = None
                          ) -> tuple[StatisticalValueRow, bool]:
    """Record a published statistical figure; same idempotency and history as targets."""
    code = _text(statistical_code, "the statistical code")
    unit_code = _text(unit_code, "the unit code")
    w = parse_period(period)
    value = _number(value, "the statistical value")
    set_by = _text(set_by, "who records the figure (--by)")
    source = (source or "").strip() or None
    current = session.scalars(
        select(StatisticalValueRow).where(
            StatisticalValueRow.statistical_code == code, StatisticalValueRow.unit_code == unit_code,
            StatisticalValueRow.period == w.label).order_by(StatisticalValueRow.id.desc()).limit(1)).first()
    if current is not None and current.value == value and current.source == source:
        return current, False
    row = StatisticalValueRow(statistical_code=code, unit_code=unit_code, period=w.label, value=value,
                              source=source, set_by=set_by, set_at=utcnow())
    session.add(row)
    session.flush()
    audit(session, set_by, "statistical_value.set", "statistical_value", row.id,
          {"statistical_code": code, "unit_code": unit_code, "period": w.label, "value": value,
           "source": source, "previous": None if current is None else current.value})
    return row, True


def statistical_values(session: Session) -> pl.DataFrame:
    """The statistical figures in force: statistical_code, unit_code, period, value, source."""
    newest: dict[tuple[str, str, str], StatisticalValueRow] = {}
    for row in session.scalars(select(StatisticalValueRow).order_by(StatisticalValueRow.id)):
        newest[(row.statistical_code, row.unit_code, row.period)] = row
    rows = sorted(newest.values(), key=lambda r: (r.statistical_code, r.unit_code, r.period))
    return pl.DataFrame(
        {"statistical_code": [r.statistical_code for r in rows], "unit_code": [r.unit_code for r in rows],
         "period": [r.period for r in rows], "value": [r.value for r in rows],
         "source": [r.source for r in rows]},
        schema={"statistical_code": pl.Utf8, "unit_code": pl.Utf8, "period": pl.Utf8,
                "value": pl.Float64, "source": pl.Utf8})


# ------------------------------------------------------------------------------ warnings

def add_warning_event(session: Session, row: WarningRow, action: str, by: str, note: str, at: dt.datetime,
           detail: dict | None = None) -> WarningEvent:
    """Append one event to a warning's history."""
    event = WarningEvent(warning_id=row.id, action=action, by=by, at=at, note=note, detail=detail)
    session.add(event)
    return event


def list_warnings(session: Session, province: str | None = None, *, state: str | None = "open",
                  severity: str | None = None, field: str | None = None, indicator: str | None = None,
                  unit_code: str | None = None) -> list[WarningRow]:
    """Warnings, most severe first then newest; ``state`` None or "all" = every state."""
    query = select(WarningRow)
    if province is not None:
        query = query.where(WarningRow.province_code == province)
    if state not in (None, "all"):
        if state not in WARNING_STATES:
            raise ChisoError(f"state {state!r}: one of {', '.join(WARNING_STATES)} or all")
        query = query.where(WarningRow.state == state)
    if severity is not None:
        if severity not in SEVERITIES:
            raise ChisoError(f"severity {severity!r}: one of {', '.join(SEVERITIES)}")
        query = query.where(WarningRow.severity == severity)
    if field is not None:
        query = query.where(WarningRow.field == field)
    if indicator is not None:
        query = query.where(WarningRow.indicator == indicator)
    if unit_code is not None:
        query = query.where((WarningRow.unit_code == unit_code) | (WarningRow.responsible_unit == unit_code))
    rows = list(session.scalars(query))
    return sorted(rows, key=lambda r: (-SEVERITIES.index(r.severity), -r.updated_at.timestamp(), r.id))


def get_warning(session: Session, warning_id: int) -> WarningRow:
    row = session.get(WarningRow, warning_id)
    if row is None:
        raise NotFoundError(f"no warning with id {warning_id}")
    return row


def warning_events(session: Session, warning_id: int) -> list[WarningEvent]:
    """A warning's history, oldest first."""
    return list(session.scalars(select(WarningEvent).where(WarningEvent.warning_id == warning_id)
                                .order_by(WarningEvent.id)))


def acknowledge_warning(session: Session, warning_id: int, *, by: str, note: str) -> WarningRow:
    """Acknowledge an open warning (đã tiếp nhận): who and a note are required."""
    by, note = _text(by, "who acknowledges (--by)"), _text(note, "a note (--note)")
    row = get_warning(session, warning_id)
    if row.state != "open":
        raise ConflictError(f"warning {warning_id} is {row.state}; only an open warning can be acknowledged")
    now = utcnow()
    row.state, row.updated_at = "acknowledged", now
    add_warning_event(session, row, "acknowledge", by, note, now)
    session.flush()
    audit(session, by, "warning.acknowledge", "warning", row.id, {"key": row.key, "note": note})
    return row


def resolve_warning(session: Session, warning_id: int, *, by: str, note: str) -> WarningRow:
    """Resolve an open or acknowledged warning (đã xử lý): who and a note are required."""
    by, note = _text(by, "who resolves (--by)"), _text(note, "a note (--note)")
    row = get_warning(session, warning_id)
    if row.state == "resolved":
        raise ConflictError(f"warning {warning_id} is already resolved")
    now = utcnow()
    row.state, row.updated_at = "resolved", now
    add_warning_event(session, row, "resolve", by, note, now)
    session.flush()
    audit(session, by, "warning.resolve", "warning", row.id, {"key": row.key, "note": note})
    return row


def warning_to_dict(row: WarningRow) -> dict:
    """The JSON shape of a stored warning (CLI, API, bulletins)."""
    return {"id": row.id, "key": row.key, "province": row.province_code, "rule": row.rule,
            "severity": row.severity, "state": row.state, "indicator": row.indicator, "field": row.field,
            "unit": row.unit_code, "responsible": row.responsible_unit, "period": row.period,
            "message_vi": row.message_vi, "message_en": row.message_en, "evidence": row.evidence,
            "opened_at": row.opened_at.isoformat(), "updated_at": row.updated_at.isoformat()}


# ------------------------------------------------------------- warnings followed up

def _followup_text(value: str | None, limit: int = 2000) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise ChisoError(f"the note is {len(text)} characters long; at most {limit}")
    return text or None


def current_assignments(session: Session, warning_ids: list[int] | None = None) -> dict[int, WarningFollowup]:
    """warning id → the assignment in force (the newest ``assign`` line)."""
    query = select(WarningFollowup).where(WarningFollowup.action == "assign").order_by(WarningFollowup.id)
    if warning_ids is not None:
        if not warning_ids:
            return {}
        query = query.where(WarningFollowup.warning_id.in_(warning_ids))
    return {line.warning_id: line for line in session.scalars(query)}


def comment_counts(session: Session, warning_ids: list[int] | None = None) -> dict[int, int]:
    """warning id → how many comments its thread holds."""
    query = select(WarningFollowup.warning_id).where(WarningFollowup.action == "comment")
    if warning_ids is not None:
        if not warning_ids:
            return {}
        query = query.where(WarningFollowup.warning_id.in_(warning_ids))
    counts: dict[int, int] = {}
    for warning_id in session.scalars(query):
        counts[warning_id] = counts.get(warning_id, 0) + 1
    return counts


def overdue_recorded(session: Session, assignment_ids: list[int]) -> set[int]:
    """The assignments among ``assignment_ids`` whose passing of the due date is recorded."""
    if not assignment_ids:
        return set()
    return set(session.scalars(select(WarningFollowup.assignment_id).where(
        WarningFollowup.action == "overdue", WarningFollowup.assignment_id.in_(assignment_ids))))


def warning_followups(session: Session, warning_id: int) -> list[WarningFollowup]:
    """A warning's follow-up lines (assignments, comments, overdue), oldest first."""
    return list(session.scalars(select(WarningFollowup).where(WarningFollowup.warning_id == warning_id)
                                .order_by(WarningFollowup.id)))


def assign_warning(session: Session, warning_id: int, *, by: str, unit_code: str, due_on: dt.date,
                   username: str | None = None, note: str | None = None,
                   today: dt.date | None = None) -> WarningFollowup:
    """Give a warning to a unit — and, when named, one of its accounts — to handle by ``due_on``.

    A later assignment replaces the one in force (reassignment); both stay in the history.
    A resolved warning is not assigned (``ConflictError``); the person must be an active account
    of the unit; the due date may not be before ``today``.
    """
    by = _text(by, "who assigns")
    unit_code = _text(unit_code, "the unit the warning is given to")
    if not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime):
        raise ChisoError(f"the due date {due_on!r} must be a day (YYYY-MM-DD)")
    if today is not None and due_on < today:
        raise ChisoError(f"the due date {due_on.isoformat()} is before today ({today.isoformat()})")
    username = (username or "").strip() or None
    note = _followup_text(note)
    row = get_warning(session, warning_id)
    if row.state == "resolved":
        raise ConflictError(f"warning {warning_id} is resolved; a resolved warning is not assigned")
    if username is not None:
        account = get_account(session, username)
        if account is None or not account.active:
            raise ChisoError(f"no active account {username!r}")
        if account.unit_code != unit_code:
            raise ChisoError(f"{username} is an account of {account.unit_code}, not of {unit_code}: a warning "
                             f"is given to a person of the unit it is given to")
    before = current_assignments(session, [warning_id]).get(warning_id)
    line = WarningFollowup(warning_id=row.id, action="assign", by=by, at=utcnow(), unit_code=unit_code,
                           username=username, due_on=due_on, note=note)
    session.add(line)
    session.flush()
    audit(session, by, "warning.reassign" if before is not None else "warning.assign", "warning", row.id,
          {"key": row.key, "unit_code": unit_code, "username": username, "due_on": due_on.isoformat(),
           "note": note, "before": None if before is None else {
               "unit_code": before.unit_code, "username": before.username,
               "due_on": before.due_on.isoformat() if before.due_on else None}})
    return line


def comment_warning(session: Session, warning_id: int, *, by: str, note: str) -> WarningFollowup:
    """Add a comment to a warning's thread (who and a text that is not empty)."""
    by = _text(by, "who comments")
    note = _followup_text(note)
    if note is None:
        raise ChisoError("a comment needs a text")
    row = get_warning(session, warning_id)
    line = WarningFollowup(warning_id=row.id, action="comment", by=by, at=utcnow(), note=note)
    session.add(line)
    session.flush()
    audit(session, by, "warning.comment", "warning", row.id, {"key": row.key, "note": note})
    return line


def record_overdue(session: Session, assignment: WarningFollowup, *, by: str, at: dt.datetime) -> WarningFollowup | None:
    """Record, once per assignment, that its due date passed with the warning not resolved;
    ``None`` when it was recorded before."""
    if assignment.id in overdue_recorded(session, [assignment.id]):
        return None
    line = WarningFollowup(warning_id=assignment.warning_id, action="overdue", by=by, at=at,
                           unit_code=assignment.unit_code, username=assignment.username,
                           due_on=assignment.due_on, assignment_id=assignment.id)
    session.add(line)
    session.flush()
    audit(session, by, "warning.overdue", "warning", assignment.warning_id,
          {"assignment": assignment.id, "unit_code": assignment.unit_code, "username": assignment.username,
           "due_on": assignment.due_on.isoformat() if assignment.due_on else None})
    return line


def followup_to_dict(line: WarningFollowup) -> dict:
    """The JSON shape of a follow-up line."""
    return {"id": line.id, "action": line.action, "by": line.by, "at": line.at.isoformat(),
            "unit": line.unit_code, "username": line.username,
            "due_on": line.due_on.isoformat() if line.due_on else None, "note": line.note,
            "assignment_id": line.assignment_id}
