"""Indicator values in the store: submissions, current values, their history, period states,
connectors — and ``current_values``, the values relation every later step reads.

Every function that writes calls ``audit`` in the same session. Deciding *whether* a write
is allowed (owner, source, locks, validation) is ``chiso.collect.values``; this module
only keeps what was decided, and never overwrites a value without moving the old one to
``indicator_value_history``.

Writers of one indicator × period take turns: ``hold_periods`` (before reading what the
write depends on) holds them until the transaction ends, so two first submissions at the
same moment never both insert — the second sees the first's row.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from chiso.errors import Problem, StoreError, WindowError
from chiso.periods.windows import parse_window
from chiso.store.database import serialise
from chiso.store.models_values import (
    ROLES,
    SUBMISSION_STATUSES,
    VALUE_STATES,
    Connector,
    ConnectorFile,
    ConnectorRun,
    IndicatorValue,
    IndicatorValueHistory,
    ValuePeriod,
    ValueSubmission,
)
from chiso.store.orm import utcnow
from chiso.store.repo_audit import audit
from chiso.units.registry import load_units

#: The values relation: its columns and their types, in order (the shared contract).
VALUES_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.String, "unit_code": pl.String, "period": pl.String,
    "period_kind": pl.String, "period_start": pl.Date, "period_end": pl.Date,
    "value": pl.Float64, "indicator_version": pl.Int64,
}

Key = tuple[str, str, str, str]  # indicator, unit_code, period, breakdown


# --------------------------------------------------------------------------- taking turns

def hold_periods(session: Session, pairs: Iterable[tuple[str, str]], *, wait: float | None = None) -> bool:
    """Hold these (indicator, period) pairs — their values and their state — until the
    transaction ends; ``False`` if another writer held one longer than ``wait`` seconds."""
    return serialise(session, (("value_period", code, period) for code, period in pairs), wait=wait)


def hold_refusal(session: Session, content_sha256: str, *, wait: float | None = None) -> bool:
    """Hold the registration of refusals of one batch content until the transaction ends."""
    return serialise(session, [("value_refusal", content_sha256)], wait=wait)


# --------------------------------------------------------------------------- submissions

def add_submission(session: Session, *, file_name: str, content_sha256: str, submitted_by: str,
                   role: str, as_unit: str, status: str, state: str = "submitted",
                   source: str | None = None, connector: str | None = None,
                   reason: str | None = None, rows: int = 0, inserted: int = 0,
                   corrected: int = 0, unchanged: int = 0, late: int = 0,
                   report: Iterable[Problem | dict[str, Any]] | None = None,
                   at: datetime | None = None) -> ValueSubmission:
    """Register one batch, accepted or refused; a refused one wrote no value."""
    if status not in SUBMISSION_STATUSES:
        raise StoreError(f"unknown submission status {status!r}")
    if state not in VALUE_STATES:
        raise StoreError(f"unknown submission state {state!r}")
    if role not in ROLES:
        raise StoreError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if status == "refused" and (inserted or corrected):
        raise StoreError("a refused submission wrote nothing: inserted and corrected must be 0")
    problems = None if report is None else [
        dataclasses.asdict(p) if isinstance(p, Problem) else dict(p) for p in report]
    row = ValueSubmission(file_name=file_name, content_sha256=content_sha256,
                          submitted_by=submitted_by or "system", role=role, as_unit=as_unit,
                          source=source, connector=connector, status=status, state=state,
                          reason=reason, rows=rows, inserted=inserted, corrected=corrected,
                          unchanged=unchanged, late=late, report=problems, at=at or utcnow())
    session.add(row)
    session.flush()
    audit(session, row.submitted_by, "values.submit" if status == "accepted" else "values.refuse",
          "value_submission", row.id,
          {"file_name": file_name, "as_unit": as_unit, "role": role, "status": status,
           "state": state, "rows": rows, "inserted": inserted, "corrected": corrected,
           "unchanged": unchanged, "late": late, "reason": reason, "connector": connector,
           "problems": None if problems is None else len(problems)})
    return row


def get_submission(session: Session, submission_id: int) -> ValueSubmission | None:
    return session.get(ValueSubmission, submission_id)


def submissions(session: Session, *, limit: int = 50, content_sha256: str | None = None,
                status: str | None = None) -> list[ValueSubmission]:
    """The most recent submissions first, optionally with one content hash or status."""
    query = select(ValueSubmission).order_by(ValueSubmission.id.desc()).limit(limit)
    if content_sha256 is not None:
        query = query.where(ValueSubmission.content_sha256 == content_sha256)
    if status is not None:
        query = query.where(ValueSubmission.status == status)
    return list(session.scalars(query))


# --------------------------------------------------------------------------- current values

def current_rows(session: Session, keys: Iterable[Key]) -> dict[Key, IndicatorValue]:
    """The current value rows of the given keys (absent keys are simply missing)."""
    wanted = set(keys)
    if not wanted:
        return {}
    pairs = sorted({(k[0], k[2]) for k in wanted})
    found: dict[Key, IndicatorValue] = {}
    for start in range(0, len(pairs), 500):
        chunk = pairs[start:start + 500]
        query = select(IndicatorValue).where(
            tuple_(IndicatorValue.indicator, IndicatorValue.period).in_(chunk))
        for row in session.scalars(query):
            key = (row.indicator, row.unit_code, row.period, row.breakdown)
            if key in wanted:
                found[key] = row
    return found


def insert_value(session: Session, *, submission: ValueSubmission, indicator: str,
                 indicator_version: int, unit_code: str, period: str, period_kind: str,
                 period_start: date, period_end: date, breakdown: str, value: float | None,
                 note: str | None, source: str, late: bool, state: str) -> IndicatorValue:
    """A value for a key that has none yet."""
    row = IndicatorValue(indicator=indicator, indicator_version=indicator_version,
                         unit_code=unit_code, period=period, period_kind=period_kind,
                         period_start=period_start, period_end=period_end, breakdown=breakdown,
                         value=value, note=note, source=source, submission_id=submission.id,
                         late=late, state=state, recorded_at=submission.at,
                         recorded_by=submission.submitted_by)
    session.add(row)
    return row


_KEPT = ("indicator", "indicator_version", "unit_code", "period", "period_kind", "period_start",
         "period_end", "breakdown", "value", "note", "source", "submission_id", "late", "state",
         "recorded_at", "recorded_by")


def replace_value(session: Session, current: IndicatorValue, *, submission: ValueSubmission,
                  reason: str, indicator_version: int, value: float | None, note: str | None,
                  source: str, late: bool, state: str) -> IndicatorValue:
    """Correct a value (đính chính): the old row goes to history with who, when and why."""
    if not (reason or "").strip():
        raise StoreError(f"replacing {current.indicator} {current.unit_code} {current.period} "
                         "needs a reason")
    session.add(IndicatorValueHistory(
        **{name: getattr(current, name) for name in _KEPT},
        replaced_at=submission.at, replaced_by=submission.submitted_by,
        replaced_by_submission=submission.id, reason=reason.strip()))
    current.indicator_version = indicator_version
    current.value, current.note, current.source = value, note, source
    current.submission_id, current.late, current.state = submission.id, late, state
    current.recorded_at, current.recorded_by = submission.at, submission.submitted_by
    return current


def promote_values(session: Session, submission: ValueSubmission, rows: Sequence[IndicatorValue],
                   state: str) -> None:
    """Change the state of unchanged values (a draft submitted as it stands)."""
    for row in rows:
        row.state = state


def earlier_values(session: Session, indicator: str, unit_code: str, breakdown: str,
                   before: date, limit: int = 24) -> list[float]:
    """The latest submitted values of one series in periods ending before ``before``."""
    query = (select(IndicatorValue.value)
             .where(IndicatorValue.indicator == indicator, IndicatorValue.unit_code == unit_code,
                    IndicatorValue.breakdown == breakdown, IndicatorValue.period_end < before,
                    IndicatorValue.state == "submitted", IndicatorValue.value.is_not(None))
             .order_by(IndicatorValue.period_end.desc()).limit(limit))
    return [float(v) for v in session.scalars(query)]


def earlier_values_for(session: Session, series: set[tuple[str, str, str]], before: date
                       ) -> dict[tuple[str, str, str], list[tuple[date, float]]]:
    """Every submitted value of the given (indicator, unit, breakdown) series in periods ending
    before ``before``, newest first — one query for a whole batch instead of one per row."""
    out: dict[tuple[str, str, str], list[tuple[date, float]]] = {key: [] for key in series}
    for indicator in sorted({k[0] for k in series}):
        units = sorted({k[1] for k in series if k[0] == indicator})
        query = (select(IndicatorValue.unit_code, IndicatorValue.breakdown, IndicatorValue.period_end,
                        IndicatorValue.value)
                 .where(IndicatorValue.indicator == indicator, IndicatorValue.unit_code.in_(units),
                        IndicatorValue.period_end < before, IndicatorValue.state == "submitted",
                        IndicatorValue.value.is_not(None))
                 .order_by(IndicatorValue.period_end.desc()))
        for unit, breakdown, end, value in session.execute(query):
            key = (indicator, unit, breakdown)
            if key in out:
                out[key].append((end, float(value)))
    return out


def same_season(session: Session, indicator: str, unit_code: str, breakdown: str, period: str,
                years: int = 3, limit: int = 24) -> list[tuple[float, list[float]]]:
    """For the same period of each of the ``years`` earlier years (2025-12 → 2024-12, 2023-12…):
    its submitted value and the series' values before it — what a seasonal check compares."""
    out = []
    for back in range(1, years + 1):
        try:
            earlier = parse_window(f"{int(period[:4]) - back}{period[4:]}")
        except (WindowError, ValueError):
            continue  # no ISO week 53 or 29 February that year
        value = session.scalar(select(IndicatorValue.value).where(
            IndicatorValue.indicator == indicator, IndicatorValue.unit_code == unit_code,
            IndicatorValue.breakdown == breakdown, IndicatorValue.period == earlier.label,
            IndicatorValue.state == "submitted", IndicatorValue.value.is_not(None)))
        if value is not None:
            out.append((float(value), earlier_values(session, indicator, unit_code, breakdown, earlier.start,
                                                     limit)))
    return out


def units_with_values(session: Session, indicator: str, period: str) -> set[str]:
    """The units that have a value (no breakdown) for one indicator × period."""
    query = select(IndicatorValue.unit_code).where(
        IndicatorValue.indicator == indicator, IndicatorValue.period == period,
        IndicatorValue.breakdown == "")
    return set(session.scalars(query))


def _province_units(province: str) -> list[str]:
    return [u.code for u in load_units().units(province=province)]


def current_values(session: Session, province: str | None = None,
                   indicators: Iterable[str] | None = None, *,
                   include_drafts: bool = False) -> pl.DataFrame:
    """The values relation: current accepted values, one row per indicator × unit × period.

    Breakdown rows are left out (they stay in the store), and so are drafts unless asked
    for. Columns and types are ``VALUES_SCHEMA``, sorted by indicator, unit, period start.
    """
    query = select(*(getattr(IndicatorValue, c) for c in VALUES_SCHEMA)).where(
        IndicatorValue.breakdown == "")
    if not include_drafts:
        query = query.where(IndicatorValue.state == "submitted")
    if indicators is not None:
        codes = sorted(set(indicators))
        query = query.where(IndicatorValue.indicator.in_(codes))
    if province is not None:
        query = query.where(IndicatorValue.unit_code.in_(_province_units(province)))
    query = query.order_by(IndicatorValue.indicator, IndicatorValue.unit_code,
                           IndicatorValue.period_start, IndicatorValue.period)
    rows = [tuple(r) for r in session.execute(query)]
    return pl.DataFrame(rows, schema=VALUES_SCHEMA, orient="row")


def list_values(session: Session, *, indicator: str | None = None, unit: str | None = None,
                period: str | None = None, include_drafts: bool = True,
                limit: int = 10_000) -> list[IndicatorValue]:
    """Current value rows (breakdowns included) for listing."""
    query = select(IndicatorValue).order_by(IndicatorValue.indicator, IndicatorValue.period_start,
                                            IndicatorValue.unit_code, IndicatorValue.breakdown)
    if indicator is not None:
        query = query.where(IndicatorValue.indicator == indicator)
    if unit is not None:
        query = query.where(IndicatorValue.unit_code == unit)
    if period is not None:
        query = query.where(IndicatorValue.period == period)
    if not include_drafts:
        query = query.where(IndicatorValue.state == "submitted")
    return list(session.scalars(query.limit(limit)))


def value_history(session: Session, indicator: str, unit_code: str,
                  period: str | None = None) -> list[dict[str, Any]]:
    """Every version of one indicator × unit (each period, each breakdown), oldest first.

    Each entry says who recorded it, when, from which file, and — for a replaced one —
    who replaced it, when and why; ``current`` marks the version in force.
    """
    files = dict(session.execute(select(ValueSubmission.id, ValueSubmission.file_name)).all())
    out: list[dict[str, Any]] = []
    old = select(IndicatorValueHistory).where(IndicatorValueHistory.indicator == indicator,
                                              IndicatorValueHistory.unit_code == unit_code)
    now = select(IndicatorValue).where(IndicatorValue.indicator == indicator,
                                       IndicatorValue.unit_code == unit_code)
    if period is not None:
        old = old.where(IndicatorValueHistory.period == period)
        now = now.where(IndicatorValue.period == period)
    for row in session.scalars(old):
        out.append({**_version(row, files), "current": False, "replaced_at": row.replaced_at,
                    "replaced_by": row.replaced_by, "reason": row.reason,
                    "replaced_by_submission": row.replaced_by_submission})
    for row in session.scalars(now):
        out.append({**_version(row, files), "current": True, "replaced_at": None,
                    "replaced_by": None, "reason": None, "replaced_by_submission": None})
    out.sort(key=lambda v: (v["period_start"], v["period"], v["breakdown"], v["recorded_at"],
                            v["current"]))
    return out


def _version(row: IndicatorValue | IndicatorValueHistory, files: dict[int, str]) -> dict[str, Any]:
    return {"indicator": row.indicator, "indicator_version": row.indicator_version,
            "unit_code": row.unit_code, "period": row.period, "period_start": row.period_start,
            "breakdown": row.breakdown, "value": row.value, "note": row.note,
            "source": row.source, "late": row.late, "state": row.state,
            "submission_id": row.submission_id, "file_name": files.get(row.submission_id),
            "recorded_at": row.recorded_at, "recorded_by": row.recorded_by}


# --------------------------------------------------------------------------- period states

def get_period(session: Session, indicator: str, period: str) -> ValuePeriod | None:
    return session.get(ValuePeriod, (indicator, period))


def periods(session: Session, *, indicator: str | None = None,
            state: str | None = None) -> list[ValuePeriod]:
    query = select(ValuePeriod).order_by(ValuePeriod.indicator, ValuePeriod.period)
    if indicator is not None:
        query = query.where(ValuePeriod.indicator == indicator)
    if state is not None:
        query = query.where(ValuePeriod.state == state)
    return list(session.scalars(query))


def periods_in_state(session: Session, state: str, *, owners: Iterable[str] | None = None,
                     indicators: Iterable[str] | None = None, limit: int | None = None,
                     offset: int = 0) -> tuple[list[ValuePeriod], int]:
    """The periods in ``state`` (of these owners, of these indicators), the latest moved first (then
    the latest period: a week before a month of the same year, by label), one page of them (``limit`` from ``offset``) — and how many there are in all."""
    query = select(ValuePeriod).where(ValuePeriod.state == state)
    if owners is not None:
        query = query.where(ValuePeriod.owner.in_(sorted(set(owners))))
    if indicators is not None:
        query = query.where(ValuePeriod.indicator.in_(sorted(set(indicators))))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.order_by(ValuePeriod.changed_at.desc(), ValuePeriod.period.desc(), ValuePeriod.indicator)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(session.scalars(query)), total


def waiting_periods(session: Session, *, owner: str | None = None) -> list[ValuePeriod]:
    """The submitted periods awaiting the head's approval (chờ duyệt), the latest submitted first."""
    return periods_in_state(session, "submitted", owners=None if owner is None else [owner])[0]


def returned_periods(session: Session, *, owner: str | None = None) -> list[ValuePeriod]:
    """The periods returned to the officer (bị trả lại), the latest returned first."""
    return periods_in_state(session, "returned", owners=None if owner is None else [owner])[0]


def periods_of(session: Session, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], ValuePeriod]:
    """The state rows of these (indicator, period) pairs (pairs without one are missing)."""
    wanted = sorted(set(pairs))
    found: dict[tuple[str, str], ValuePeriod] = {}
    for start in range(0, len(wanted), 500):
        query = select(ValuePeriod).where(
            tuple_(ValuePeriod.indicator, ValuePeriod.period).in_(wanted[start:start + 500]))
        found.update({(row.indicator, row.period): row for row in session.scalars(query)})
    return found


def late_periods(session: Session, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Of these (indicator, period) pairs, those with a value that arrived late."""
    wanted = sorted(set(pairs))
    found: set[tuple[str, str]] = set()
    for start in range(0, len(wanted), 500):
        query = select(IndicatorValue.indicator, IndicatorValue.period).where(
            tuple_(IndicatorValue.indicator, IndicatorValue.period).in_(wanted[start:start + 500]),
            IndicatorValue.late.is_(True)).distinct()
        found.update((code, period) for code, period in session.execute(query))
    return found


def period_changes(session: Session, indicator: str, period: str,
                   limit: int = 200) -> tuple[list[dict[str, Any]], int]:
    """The values of one indicator × period against what came before each: the value it replaced
    in this period (``was: "replaced"``, a correction) or else the same series' latest submitted
    value of an earlier period (``was: "earlier"``, its period in ``old_period``); ``old`` is None
    when there is neither. The rows without breakdown first (by unit), at most ``limit`` of them,
    and how many there are in all."""
    rows = list(session.scalars(select(IndicatorValue).where(
        IndicatorValue.indicator == indicator, IndicatorValue.period == period)
        .order_by(IndicatorValue.breakdown != "", IndicatorValue.unit_code, IndicatorValue.breakdown)))
    total = len(rows)
    rows = rows[:limit]
    if not rows:
        return [], total
    replaced: dict[tuple[str, str], float | None] = {}
    history = (select(IndicatorValueHistory).where(IndicatorValueHistory.indicator == indicator,
                                                   IndicatorValueHistory.period == period)
               .order_by(IndicatorValueHistory.replaced_at, IndicatorValueHistory.id))
    for old in session.scalars(history):
        replaced[(old.unit_code, old.breakdown)] = old.value  # the last one replaced wins
    earlier: dict[tuple[str, str], tuple[str, float | None]] = {}
    query = (select(IndicatorValue.unit_code, IndicatorValue.breakdown, IndicatorValue.period,
                    IndicatorValue.value)
             .where(IndicatorValue.indicator == indicator,
                    IndicatorValue.unit_code.in_(sorted({r.unit_code for r in rows})),
                    IndicatorValue.period_end < rows[0].period_start, IndicatorValue.state == "submitted")
             .order_by(IndicatorValue.period_end.desc()))
    for unit, breakdown, label, value in session.execute(query):
        earlier.setdefault((unit, breakdown), (label, value))  # the latest first
    out = []
    for row in rows:
        key = (row.unit_code, row.breakdown)
        if key in replaced:
            was, old_period, old = "replaced", row.period, replaced[key]
        elif key in earlier:
            was, (old_period, old) = "earlier", earlier[key]
        else:
            was, old_period, old = None, None, None
        out.append({"unit_code": row.unit_code, "breakdown": row.breakdown, "value": row.value,
                    "old": old, "was": was, "old_period": old_period, "late": row.late, "state": row.state,
                    "submission_id": row.submission_id, "recorded_by": row.recorded_by,
                    "recorded_at": row.recorded_at})
    return out, total


def set_period_state(session: Session, *, indicator: str, period: str, owner: str, state: str,
                     actor: str, role: str, reason: str | None = None,
                     at: datetime | None = None) -> ValuePeriod:
    """Move one indicator × period to ``state`` (the caller has checked the move is allowed)."""
    at = at or utcnow()
    row = get_period(session, indicator, period)
    before = None if row is None else row.state
    if row is None:
        row = ValuePeriod(indicator=indicator, period=period, owner=owner)
        session.add(row)
    row.owner, row.state, row.changed_at, row.changed_by = owner, state, at, actor or "system"
    row.role, row.reason = role, reason
    if state == "approved":
        row.approved_at, row.approved_by = at, actor
    if state == "locked":
        row.locked_at, row.locked_by = at, actor
    if state == "returned":
        row.returned_at, row.returned_by, row.return_comment = at, actor, reason
    session.flush()
    audit(session, actor, f"values.period.{state}", "value_period", f"{indicator}@{period}",
          {"indicator": indicator, "period": period, "owner": owner, "from": before, "to": state,
           "role": role, "reason": reason})
    return row


# --------------------------------------------------------------------------- connectors

def add_connector(session: Session, *, name: str, kind: str, as_unit: str, config: dict[str, Any],
                  indicators: Sequence[str], schedule: str, source: str | None = None,
                  max_age_hours: float | None = None, created_by: str = "system",
                  enabled: bool = True, at: datetime | None = None) -> Connector:
    """Register a connector; a name already taken is refused."""
    if session.scalar(select(Connector).where(Connector.name == name)) is not None:
        raise StoreError(f"a connector named {name!r} already exists")
    row = Connector(name=name, kind=kind, as_unit=as_unit, source=source, config=dict(config),
                    indicators=list(indicators), schedule=schedule, max_age_hours=max_age_hours,
                    enabled=enabled, created_at=at or utcnow(), created_by=created_by or "system")
    session.add(row)
    session.flush()
    audit(session, row.created_by, "connector.add", "connector", row.id,
          {"name": name, "kind": kind, "as_unit": as_unit, "config": dict(config),
           "indicators": list(indicators), "schedule": schedule, "source": source,
           "max_age_hours": max_age_hours})
    return row


def get_connector(session: Session, name: str) -> Connector:
    row = session.scalar(select(Connector).where(Connector.name == name))
    if row is None:
        known = ", ".join(c.name for c in list_connectors(session)) or "none yet"
        raise StoreError(f"no connector named {name!r} (known: {known})")
    return row


def list_connectors(session: Session) -> list[Connector]:
    return list(session.scalars(select(Connector).order_by(Connector.name)))


def record_run(session: Session, connector: Connector, *, started_at: datetime, status: str,
               rows: int = 0, submission_id: int | None = None,
               message: str | None = None, finished_at: datetime | None = None) -> ConnectorRun:
    """Record one run and update the connector's last run, success and error."""
    finished_at = finished_at or utcnow()
    run = ConnectorRun(connector_id=connector.id, started_at=started_at, finished_at=finished_at,
                       status=status, rows=rows, submission_id=submission_id, message=message)
    session.add(run)
    connector.last_run_at, connector.last_status = started_at, status
    if status in ("accepted", "unchanged"):
        connector.last_success_at = started_at
    else:
        connector.last_error_at, connector.last_error = started_at, message or status
    session.flush()
    audit(session, f"connector:{connector.name}", "connector.run", "connector", connector.id,
          {"status": status, "rows": rows, "submission_id": submission_id, "message": message})
    return run


def connector_runs(session: Session, connector: Connector, limit: int = 20) -> list[ConnectorRun]:
    query = (select(ConnectorRun).where(ConnectorRun.connector_id == connector.id)
             .order_by(ConnectorRun.id.desc()).limit(limit))
    return list(session.scalars(query))


def processed_files(session: Session, connector: Connector) -> dict[str, ConnectorFile]:
    """The files a folder connector has already processed, by content hash."""
    query = select(ConnectorFile).where(ConnectorFile.connector_id == connector.id)
    return {f.sha256: f for f in session.scalars(query)}


def remember_file(session: Session, connector: Connector, *, sha256: str, path: str, status: str,
                  submission_id: int | None = None, at: datetime | None = None) -> ConnectorFile:
    """Remember a processed file, once: two runs of the connector at the same moment keep the
    first one's row (the second's batch came back unchanged)."""
    serialise(session, [("connector_file", str(connector.id), sha256)])
    known = session.get(ConnectorFile, (connector.id, sha256))
    if known is not None:
        return known
    row = ConnectorFile(connector_id=connector.id, sha256=sha256, path=path,
                        processed_at=at or utcnow(), status=status, submission_id=submission_id)
    session.add(row)
    session.flush()
    audit(session, f"connector:{connector.name}", "connector.file", "connector", connector.id,
          {"path": path, "sha256": sha256, "status": status, "submission_id": submission_id})
    return row
