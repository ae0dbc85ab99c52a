"""The steps of ``chiso init --demo`` as they finish, and the counts a resumed build checks.

A build begins with a ``setup.begin`` line in the audit log (the options it was begun with)
and records each step it finishes with a ``setup.step`` line: the step's name, a fingerprint
of what it was made from (``input``), one of what it made (``output``) and a summary. The
line is written by the caller in the same session as the step's last write to this store,
so a step is recorded exactly when its work here has committed. Steps recorded before the
latest ``setup.begin`` (a ``--force`` rebuild) no longer count. The audit log is
append-only, so the history of every build — interrupted ones included — stays readable.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chiso.store.models import AuditEntry, ScoreRun
from chiso.store.models_catalogue import IndicatorVersion
from chiso.store.models_evaluation import WarningRow
from chiso.store.models_values import IndicatorValue, ValueSubmission
from chiso.store.repo_audit import audit

BEGIN = "setup.begin"
STEP = "setup.step"
TARGET = "setup_step"


@dataclass(frozen=True)
class StepRecord:
    """One finished step of a build."""

    name: str
    finished_at: datetime
    input: str
    output: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class SetupState:
    """The latest build begun in the store: its options and the steps it has finished."""

    begun_at: datetime
    options: dict[str, Any]
    steps: dict[str, StepRecord] = field(default_factory=dict)


def begin_setup(session: Session, options: dict[str, Any], *, force: bool, actor: str) -> None:
    """Start a build: earlier steps stop counting."""
    audit(session, actor, BEGIN, TARGET, "demo", {"options": options, "force": force})


def record_step(session: Session, name: str, *, input: str, output: str, summary: dict[str, Any],
                actor: str) -> StepRecord:
    """Record that step ``name`` finished (in the caller's session: it commits with the step)."""
    entry = audit(session, actor, STEP, TARGET, name, {"input": input, "output": output, "summary": summary})
    return StepRecord(name, entry.at, input, output, summary)


def setup_state(session: Session) -> SetupState | None:
    """The latest build and its finished steps; None when no build was ever begun here."""
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action.in_((BEGIN, STEP)))
                              .order_by(AuditEntry.id))
    state: SetupState | None = None
    for e in entries:
        detail = e.detail or {}
        if e.action == BEGIN:
            state = SetupState(e.at, dict(detail.get("options") or {}))
        elif state is not None and e.target_id:
            state.steps[e.target_id] = StepRecord(e.target_id, e.at, str(detail.get("input", "")),
                                                  str(detail.get("output", "")),
                                                  dict(detail.get("summary") or {}))
    return state


# ---------------------------------------------------------------- what a resumed build checks
def existing_runs(session: Session, ids: Iterable[int]) -> int:
    """How many of the score runs ``ids`` exist."""
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    return int(session.scalar(select(func.count()).where(ScoreRun.id.in_(wanted))) or 0)


def runs_of_windows(session: Session, windows: Iterable[str], source: str) -> list[int]:
    """The ids of the runs of these windows computed from ``source``."""
    labels = sorted(set(windows))
    if not labels:
        return []
    return list(session.scalars(select(ScoreRun.id).where(ScoreRun.window.in_(labels), ScoreRun.source == source)
                                .order_by(ScoreRun.id)))


def catalogue_versions(session: Session, province: str) -> list[tuple[str, int, str]]:
    """(code, version, content hash) of every stored indicator version of a province."""
    rows = session.execute(select(IndicatorVersion.code, IndicatorVersion.version, IndicatorVersion.content_sha256)
                           .where(IndicatorVersion.province == province)
                           .order_by(IndicatorVersion.code, IndicatorVersion.version))
    return [(r[0], int(r[1]), r[2]) for r in rows]


def accepted_files(session: Session, by_prefix: str) -> set[tuple[str, str]]:
    """(unit, file name) of every accepted value submission made by someone whose name starts
    with ``by_prefix``."""
    rows = session.execute(select(ValueSubmission.as_unit, ValueSubmission.file_name)
                           .where(ValueSubmission.status == "accepted",
                                  ValueSubmission.submitted_by.startswith(by_prefix, autoescape=True)))
    return {(r[0], r[1]) for r in rows}


def submitted_values(session: Session, by_prefix: str) -> tuple[int, int]:
    """(accepted submissions, current values) recorded by names starting with ``by_prefix``."""
    batches = session.scalar(select(func.count()).where(
        ValueSubmission.status == "accepted", ValueSubmission.submitted_by.startswith(by_prefix, autoescape=True)))
    values = session.scalar(select(func.count()).where(
        IndicatorValue.recorded_by.startswith(by_prefix, autoescape=True)))
    return int(batches or 0), int(values or 0)


def warnings_of(session: Session, province: str) -> int:
    """How many warnings (whatever their state) a province has."""
    return int(session.scalar(select(func.count()).where(WarningRow.province_code == province)) or 0)
