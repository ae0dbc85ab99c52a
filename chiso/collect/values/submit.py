"""Submitting a batch of values (nộp số liệu): check everything, then write all or nothing.

``submit`` runs the rules of ``rules.py`` over a batch, compares each value with the one in
force, and — only if nothing refuses the batch — inserts new values, moves corrected ones
to history (with who, when, file and reason), submits drafts and moves period states. A
batch that would change nothing writes nothing and comes back ``unchanged``. A period the
head returned (bị trả lại) accepts a new submission, which makes it submitted again (even
with the same values); its values may be corrected without a reason of the batch's own —
the head's comment is recorded as the reason (``RETURNED_FIXED``).
``submit_batch`` wraps it for a ``Database``: a refused batch is then registered (with
its row-level report) in a separate transaction that writes no value.

Submissions of the same indicator × period take turns (``repo.hold_periods``, taken before
anything the decision depends on is read): of two first submissions at the same moment, the
second is judged against the first's values, exactly as if it had come a second later — an
``unchanged`` batch, a correction kept in history, or the ordinary refusal. A submission
that waits longer than ``wait`` seconds for another is refused with ``period.busy``
(``LockedError``, 409) and writes nothing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso import settings
from chiso.catalog.indicator import Indicator
from chiso.collect.values import reasons
from chiso.collect.values.batch import Batch
from chiso.collect.values.rules import (
    Entry,
    Findings,
    Units,
    ValidationConfig,
    check_columns,
    check_completeness,
    check_duplicates,
    check_locks,
    check_outliers,
    check_owner,
    is_late,
    read_rows,
)
from chiso.errors import ChisoError, LoadError, LockedError, NotAllowedError, Problem
from chiso.files.limits import current_limits
from chiso.store import repo_values as repo
from chiso.store.models_values import ROLES, IndicatorValue
from chiso.store.orm import utcnow


def local(moment: dt.datetime) -> dt.datetime:
    """``moment`` in the province's time zone (``CHISO_TIMEZONE``, Asia/Ho_Chi_Minh): deadlines
    are its days."""
    return moment.astimezone(settings.timezone())


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today in the province's time zone (``now``: this moment)."""
    return local(now or dt.datetime.now(dt.UTC)).date()


DRAFT_REVISED = "bản nháp được sửa (draft revised)"
#: Why a value of a returned period was corrected when the batch gives no reason of its own.
RETURNED_FIXED = "sửa theo ý kiến trả lại của {by} (fixed as returned): {comment}"


@dataclass(frozen=True)
class Submitter:
    """Who submits, as which unit, and how (the CLI's --as, --by, --role, --admin, --reason…)."""

    as_unit: str
    by: str = "cli"
    role: str = "officer"
    admin: bool = False
    reason: str | None = None
    source: str | None = None
    draft: bool = False
    connector: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ChisoError(f"unknown role {self.role!r}; expected one of {', '.join(ROLES)}")
        if self.admin and self.role != "admin":
            object.__setattr__(self, "role", "admin")
        if self.admin and not (self.reason or "").strip():
            raise NotAllowedError("an administrator writing another agency's values must give a "
                                  "reason (--reason), which is recorded")


@dataclass
class SubmitResult:
    """What a submission did."""

    status: Literal["accepted", "unchanged"]
    submission_id: int | None
    rows: int
    inserted: int = 0
    corrected: int = 0
    unchanged: int = 0
    promoted: int = 0
    late: int = 0
    warnings: list[Problem] = field(default_factory=list)
    periods: dict[str, str] = field(default_factory=dict)   # "CODE@PERIOD" → state after
    same_as: int | None = None   # for an unchanged batch: the accepted batch with the same content

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self),
                "warnings": [dataclasses.asdict(p) for p in self.warnings]}


def refusal(findings: Findings) -> ChisoError:
    """The error a refused batch raises; ``problems`` lists every refusing finding."""
    refusing = findings.refusing
    problems = [f.problem for f in refusing]
    kinds = {f.kind for f in refusing}
    if kinds <= {"invalid"}:
        return LoadError(problems[:findings.limit or len(problems)], total=len(problems), at_least=findings.full)
    cls = LockedError if "locked" in kinds else NotAllowedError
    head = [f.problem for f in refusing if f.kind == ("locked" if cls is LockedError else "not_allowed")]
    lines = [f"refused: {head[0].reason}; nothing was written",
             f"{len(problems)} problem{'s' if len(problems) != 1 else ''}:"]
    lines += [f"  - {p}" for p in problems[:50]]
    if len(problems) > 50:
        lines.append(f"  … and {len(problems) - 50} more")
    error = cls("\n".join(lines))
    error.problems = problems  # type: ignore[attr-defined]
    return error


def problems_of(error: ChisoError) -> list[Problem]:
    """The row-level report of a refusal."""
    found = getattr(error, "problems", None)
    if found:
        return list(found)
    return [Problem("", None, None, str(error))]


def _same(current: IndicatorValue, e: Entry) -> bool:
    same_value = current.value is not None and math.isclose(current.value, e.value, rel_tol=1e-12,
                                                            abs_tol=0.0)
    return same_value and (current.note or None) == (e.note or None) and current.source == e.source


def _when(row: IndicatorValue) -> str:
    return local(row.recorded_at).strftime("%Y-%m-%d %H:%M")


@dataclass
class _Plan:
    inserts: list[Entry] = field(default_factory=list)
    corrections: list[tuple[Entry, IndicatorValue]] = field(default_factory=list)
    unchanged: list[tuple[Entry, IndicatorValue]] = field(default_factory=list)
    promotions: list[IndicatorValue] = field(default_factory=list)
    states: dict[tuple[str, str], tuple[str | None, str, Indicator]] = field(default_factory=dict)
    #: the returned periods of the batch → why a correction of theirs is made (the head's comment)
    returned: dict[tuple[str, str], str] = field(default_factory=dict)


def _plan(session: Session, entries: list[Entry], who: Submitter, states: Mapping[tuple[str, str], str],
          file: str, found: Findings) -> _Plan:
    plan = _Plan()
    current = repo.current_rows(session, (e.key for e in entries))
    reason = (who.reason or "").strip()
    for pair, state in states.items():
        if state == "returned":  # the head asked for the fix: correcting needs no other reason
            period = repo.get_period(session, *pair)
            plan.returned[pair] = RETURNED_FIXED.format(by=period.returned_by or period.changed_by,
                                                        comment=period.return_comment or period.reason or "")
    for e in entries:
        row = current.get(e.key)
        if row is None:
            plan.inserts.append(e)
        elif _same(row, e):
            plan.unchanged.append((e, row))
        elif row.state == "draft" or reason or (e.indicator.code, e.window.label) in plan.returned:
            plan.corrections.append((e, row))
        else:
            found.add("invalid", file, e.row, "value",
                      reasons.text("value.correction", current=f"{row.value:g}", who=row.recorded_by,
                                   when=_when(row), batch=row.submission_id),
                      f"{e.value:g}")
    pairs: dict[tuple[str, str], Indicator] = {}
    for e in entries:
        pairs.setdefault((e.indicator.code, e.window.label), e.indicator)
    changed_pairs = {(e.indicator.code, e.window.label) for e in plan.inserts} | {
        (e.indicator.code, e.window.label) for e, _ in plan.corrections}
    if not who.draft:
        for code, period in pairs:
            query = select(IndicatorValue).where(IndicatorValue.indicator == code,
                                                 IndicatorValue.period == period,
                                                 IndicatorValue.state == "draft")
            corrected = {id(r) for _, r in plan.corrections}
            plan.promotions += [r for r in session.scalars(query) if id(r) not in corrected]
    for pair, indicator in pairs.items():
        before = states.get(pair)
        if who.draft:
            after = "draft"
        elif before == "approved" and pair not in changed_pairs:
            after = "approved"
        else:
            after = "submitted"
        if after != before:
            plan.states[pair] = (before, after, indicator)
    return plan


def check_batch(session: Session, batch: Batch, who: Submitter, catalogue: Mapping[str, Indicator],
                units: Units, *, config: ValidationConfig, today: dt.date, hold: bool = False,
                wait: float | None = None) -> tuple[list[Entry], Findings, _Plan]:
    """Every rule over the batch, and the writes it would make (nothing is written here).

    With ``hold``, the batch's indicator × periods are held for the rest of the transaction
    before the store is read (a writer's check); a pair another writer holds longer than
    ``wait`` seconds is a ``period.busy`` finding, and nothing more is checked.
    """
    found = Findings(limit=current_limits().max_problems)
    if who.as_unit not in units:
        raise NotAllowedError(f"--as {who.as_unit!r}: no unit has this code")
    if not check_columns(batch, found):
        return [], found, _Plan()
    entries = read_rows(batch, catalogue, units, declared_source=who.source, today=today, found=found)
    check_duplicates(entries, batch.name, found)
    check_owner(entries, who.as_unit, who.admin, units, batch.name, found)
    if hold and not _hold(session, entries, batch.name, found, wait):
        return entries, found, _Plan()
    states = {}
    for code, period in {(e.indicator.code, e.window.label) for e in entries}:
        row = repo.get_period(session, code, period)
        if row is not None:
            states[(code, period)] = row.state
    check_locks(entries, states, who.draft, batch.name, found)
    earlier = repo.earlier_values_for(session, {(e.indicator.code, e.unit.code, e.breakdown) for e in entries},
                                      max((e.window.start for e in entries), default=dt.date.min))

    def history(e: Entry) -> list[float]:
        series = earlier[(e.indicator.code, e.unit.code, e.breakdown)]
        return [v for end, v in series if end < e.window.start][:config.outlier_window]

    check_outliers(entries, history, config, batch.name, found,
        season=lambda e: repo.same_season(session, e.indicator.code, e.unit.code, e.breakdown, e.window.label,
                                          limit=config.outlier_window))
    if not who.draft:
        check_completeness(entries, lambda c, p: repo.units_with_values(session, c, p), units, config,
                           batch.name, found)
    plan = _plan(session, entries, who, states, batch.name, found)
    return entries, found, plan


def _hold(session: Session, entries: list[Entry], file: str, found: Findings, wait: float | None) -> bool:
    """Hold the batch's indicator × periods; if another writer keeps one too long, a ``period.busy``
    finding (a ``locked`` kind: 409) on the first row of each."""
    first: dict[tuple[str, str], Entry] = {}
    for e in entries:
        first.setdefault((e.indicator.code, e.window.label), e)
    if repo.hold_periods(session, first, wait=wait):
        return True
    for (code, period), e in sorted(first.items()):
        found.add("locked", file, e.row, "period", reasons.text("period.busy", code=code, period=period), period)
    return False


def _busy(error: ChisoError) -> bool:
    """A refusal because another writer held a period too long (the batch was not judged)."""
    return any(reasons.code_of(p.reason, p.column) == "period.busy" for p in getattr(error, "problems", None) or [])


def submit(session: Session, batch: Batch, who: Submitter, catalogue: Mapping[str, Indicator],
           units: Units, *, config: ValidationConfig | None = None,
           now: dt.datetime | None = None, wait: float | None = None) -> SubmitResult:
    """Accept the batch whole, or raise (LoadError, NotAllowedError, LockedError) writing nothing.

    The batch's indicator × periods are held until ``session``'s transaction ends; ``wait``
    is how long to wait for another writer of them (default: the store's ``WRITE_WAIT_SECONDS``).
    """
    config = config or ValidationConfig()
    now = now or utcnow()
    today = local(now).date()
    entries, found, plan = check_batch(session, batch, who, catalogue, units, config=config, today=today,
                                       hold=True, wait=wait)
    if found.refusing:
        raise refusal(found)
    warnings = found.of("warning")
    if not (plan.inserts or plan.corrections or plan.promotions or plan.states):
        same = repo.submissions(session, limit=1, content_sha256=batch.content_sha256, status="accepted")
        return SubmitResult("unchanged", None, len(batch), unchanged=len(entries), warnings=warnings,
                            same_as=same[0].id if same else None)
    state = "draft" if who.draft else "submitted"
    late_flags = {e.row: is_late(e, today) for e in entries}
    written_late = (sum(late_flags[e.row] for e in plan.inserts)
                    + sum(late_flags[e.row] for e, _ in plan.corrections))
    promoted_late = sum(bool(r.late or today > _deadline_of(r, catalogue)) for r in plan.promotions)
    submission = repo.add_submission(
        session, file_name=batch.name, content_sha256=batch.content_sha256, submitted_by=who.by,
        role=who.role, as_unit=who.as_unit, status="accepted", state=state, source=who.source,
        connector=who.connector, reason=who.reason, rows=len(batch), inserted=len(plan.inserts),
        corrected=len(plan.corrections), unchanged=len(plan.unchanged),
        late=written_late + promoted_late, report=stored_report(batch, warnings) or None, at=now)
    for e in plan.inserts:
        repo.insert_value(session, submission=submission, indicator=e.indicator.code,
                          indicator_version=e.indicator.version, unit_code=e.unit.code,
                          period=e.window.label, period_kind=e.window.kind,
                          period_start=e.window.start, period_end=e.window.end,
                          breakdown=e.breakdown, value=e.value, note=e.note, source=e.source,
                          late=late_flags[e.row], state=state)
    for e, row in plan.corrections:
        why = ((who.reason or "").strip() or plan.returned.get((e.indicator.code, e.window.label))
               or DRAFT_REVISED)
        repo.replace_value(session, row, submission=submission, reason=why,
                           indicator_version=e.indicator.version, value=e.value, note=e.note,
                           source=e.source, late=late_flags[e.row], state=state)
    for row in plan.promotions:
        row.late = bool(row.late or today > _deadline_of(row, catalogue))
    repo.promote_values(session, submission, plan.promotions, "submitted")
    periods = {}
    for (code, period), (_before, after, indicator) in sorted(plan.states.items()):
        repo.set_period_state(session, indicator=code, period=period, owner=indicator.owner,
                              state=after, actor=who.by, role=who.role, reason=who.reason, at=now)
        periods[f"{code}@{period}"] = after
    session.flush()
    return SubmitResult("accepted", submission.id, len(batch), inserted=len(plan.inserts),
                        corrected=len(plan.corrections), unchanged=len(plan.unchanged),
                        promoted=len(plan.promotions), late=written_late + promoted_late,
                        warnings=warnings, periods=periods)


def _deadline_of(row: IndicatorValue, catalogue: Mapping[str, Indicator]) -> dt.date:
    indicator = catalogue.get(row.indicator)
    days = indicator.deadline_days if indicator is not None else 0
    return row.period_end + dt.timedelta(days=days)


def stored_report(batch: Batch, problems: Iterable[Problem]) -> list[dict]:
    """A batch's report as the store keeps it: each problem's file, row, column, reason and value,
    and — for a workbook — the sheet whose rows they are (``sheet``), so a report shown later
    names the sheet as the live one did."""
    out = []
    for p in problems:
        doc = dataclasses.asdict(p)
        if batch.sheet:
            doc["sheet"] = batch.sheet
        out.append(doc)
    return out


def record_refusal(session: Session, batch: Batch, who: Submitter, problems: list[Problem],
                   now: dt.datetime | None = None) -> int | None:
    """Register a refused batch with its report, once: the same refusal again — even at the same
    moment — is not re-recorded."""
    report = stored_report(batch, problems[:1000])
    repo.hold_refusal(session, batch.content_sha256)  # held too long: registered twice at worst
    last = repo.submissions(session, limit=1, content_sha256=batch.content_sha256)
    if last and last[0].status == "refused" and last[0].report == report and last[0].as_unit == who.as_unit:
        return last[0].id
    row = repo.add_submission(
        session, file_name=batch.name, content_sha256=batch.content_sha256, submitted_by=who.by,
        role=who.role, as_unit=who.as_unit, status="refused", state="draft" if who.draft else "submitted",
        source=who.source, connector=who.connector, reason=who.reason, rows=len(batch),
        report=report, at=now or utcnow())
    return row.id


def submit_batch(db, batch: Batch, who: Submitter, catalogue: Mapping[str, Indicator], units: Units, *,
                 config: ValidationConfig | None = None, now: dt.datetime | None = None,
                 wait: float | None = None) -> SubmitResult:
    """``submit`` in its own transaction; a refusal is registered, then raised again (one for
    ``period.busy`` is not: the batch was not judged, and the store is busy)."""
    try:
        with db.session() as session:
            return submit(session, batch, who, catalogue, units, config=config, now=now, wait=wait)
    except (LoadError, NotAllowedError) as exc:
        if not _busy(exc):
            with db.session() as session:
                record_refusal(session, batch, who, problems_of(exc), now)
        raise
