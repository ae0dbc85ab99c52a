"""The warnings' state machine: one run of the rules written to the store.

New conditions open a warning, changed numbers update it (escalating an acknowledged one
back to open when its severity rises), conditions that cleared are resolved automatically
(a rule that checked all its subjects says so with the subject ``(rule,)``: then every
warning of the rule it did not produce again has cleared),
and a condition that comes back after clearing reopens its warning. A warning resolved by
hand stays resolved while its condition persists. Each change is a ``warning_events`` row,
and a run that changed anything is audited. The rows themselves are the store's
(``chiso.store.repo_evaluation``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.errors import LockedError
from chiso.evaluate.dm.warnings import EarlyWarning, Evaluation, subject_of
from chiso.store.database import serialise
from chiso.store.models_evaluation import SEVERITIES, WarningEvent, WarningRow
from chiso.store.orm import utcnow
from chiso.store.repo_audit import audit
from chiso.store.repo_evaluation import add_warning_event

SYSTEM = "system"
NOTES = {
    "open": "Phát hiện điều kiện cảnh báo — condition found",
    "update": "Số liệu của cảnh báo thay đổi — the warning's figures changed",
    "escalate": "Mức độ cảnh báo tăng — severity rose",
    "auto_resolve": "Điều kiện cảnh báo không còn — condition cleared",
    "reopen": "Điều kiện cảnh báo xuất hiện lại — condition came back",
}


@dataclass
class SyncCounts:
    """What one run of the rules changed in the store."""

    opened: int = 0
    updated: int = 0
    escalated: int = 0
    reopened: int = 0
    resolved: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.opened + self.updated + self.escalated + self.reopened + self.resolved

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _snapshot(row: WarningRow) -> dict:
    return {"severity": row.severity, "evidence": row.evidence, "responsible_unit": row.responsible_unit,
            "message_vi": row.message_vi, "message_en": row.message_en}


def _differs(row: WarningRow, w: EarlyWarning) -> bool:
    return (row.severity, row.evidence, row.responsible_unit, row.message_vi, row.message_en, row.field) != (
        w.severity, w.evidence, w.responsible, w.message_vi, w.message_en, w.field)


def _apply(row: WarningRow, w: EarlyWarning, now: dt.datetime) -> None:
    row.severity, row.evidence, row.responsible_unit = w.severity, w.evidence, w.responsible
    row.message_vi, row.message_en, row.field, row.updated_at = w.message_vi, w.message_en, w.field, now


def _last_action(session: Session, row: WarningRow) -> str | None:
    return session.scalars(select(WarningEvent.action).where(WarningEvent.warning_id == row.id)
                           .order_by(WarningEvent.id.desc()).limit(1)).first()


def sync_warnings(session: Session, province: str, evaluation: Evaluation, *, actor: str = SYSTEM,
                  now: dt.datetime | None = None) -> SyncCounts:
    """Write one run of the rules for a province (idempotent: the same run twice changes nothing)."""
    now = now or utcnow()
    counts = SyncCounts()
    if not serialise(session, [("warnings", province)]):
        # two refreshes of one province at once take turns: the later one sees the warnings
        # the earlier one opened, instead of opening them again under the same key
        raise LockedError(f"the warnings of province {province} are being refreshed by another run; try again")
    existing = {r.key: r for r in session.scalars(select(WarningRow).where(WarningRow.province_code == province))}
    produced = evaluation.by_key()
    for key, w in produced.items():
        row = existing.get(key)
        if row is None:
            row = WarningRow(key=key, province_code=province, rule=w.rule, severity=w.severity,
                             indicator=w.indicator, field=w.field, unit_code=w.unit,
                             responsible_unit=w.responsible, period=w.period, message_vi=w.message_vi,
                             message_en=w.message_en, evidence=w.evidence, state="open",
                             opened_at=now, updated_at=now)
            session.add(row)
            session.flush()
            add_warning_event(session, row, "open", actor, NOTES["open"], now, {"severity": w.severity})
            counts.opened += 1
            continue
        differs = _differs(row, w)
        if row.state == "resolved":
            if _last_action(session, row) == "auto_resolve":
                before = _snapshot(row)
                _apply(row, w, now)
                row.state = "open"
                add_warning_event(session, row, "reopen", actor, NOTES["reopen"], now, {"before": before})
                counts.reopened += 1
            elif differs:
                before = _snapshot(row)
                _apply(row, w, now)
                add_warning_event(session, row, "update", actor, NOTES["update"], now, {"before": before})
                counts.updated += 1
            else:
                counts.unchanged += 1
            continue
        if not differs:
            counts.unchanged += 1
            continue
        before = _snapshot(row)
        escalated = SEVERITIES.index(w.severity) > SEVERITIES.index(row.severity)
        _apply(row, w, now)
        if escalated:
            row.state = "open"
            add_warning_event(session, row, "escalate", actor, NOTES["escalate"], now, {"before": before})
            counts.escalated += 1
        else:
            add_warning_event(session, row, "update", actor, NOTES["update"], now, {"before": before})
            counts.updated += 1
    for key, row in existing.items():
        if key in produced or row.state == "resolved":
            continue
        if subject_of(row.rule, row.indicator, row.unit_code, row.period) not in evaluation.checked \
                and (row.rule,) not in evaluation.checked:
            continue
        row.state, row.updated_at = "resolved", now
        add_warning_event(session, row, "auto_resolve", actor, NOTES["auto_resolve"], now)
        counts.resolved += 1
    session.flush()
    if counts.changed:
        audit(session, actor, "warnings.refresh", "province", province, counts.as_dict())
    return counts
