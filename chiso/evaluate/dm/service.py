"""The thin layer between the pure DM evaluation and the store.

It gathers what the rules read — live indicators (catalogue store), the values relation,
late flags and connector status (values store), targets and statistical figures (this
subject's tables) — runs the rules or the overview, and writes warnings back.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chiso import settings as chiso_settings
from chiso.catalog.index_definition import load_index_definition
from chiso.catalog.indicator import LIVE_STATES, Indicator
from chiso.collect.connectors import connector_status
from chiso.collect.connectors.sources import target_of
from chiso.collect.values.submit import local_today
from chiso.errors import StoreError
from chiso.evaluate.dm.derived import all_values, index_values
from chiso.evaluate.dm.overview import overview
from chiso.evaluate.dm.status import STATUSES
from chiso.evaluate.dm.targets import TargetBook, TargetRecord, catalogue_targets, seasonal_profiles
from chiso.evaluate.dm.trend import TrendSettings
from chiso.evaluate.dm.warning_sync import SyncCounts, sync_warnings
from chiso.evaluate.dm.warnings import (
    PORTAL_SUBJECT,
    ConnectorStatus,
    Evaluation,
    LateValue,
    WarningInputs,
    WarningSettings,
    evaluate_warnings,
)
from chiso.evaluate.tasks.indicators import task_values
from chiso.store import repo_evaluation as repo
from chiso.store.models import ScoreRun
from chiso.store.models_catalogue import IndicatorVersion, LifecycleTransition
from chiso.store.models_evaluation import TargetRow
from chiso.store.models_tasks import TaskChange, TaskEvent, TaskRow
from chiso.store.models_values import IndicatorValue, IndicatorValueHistory, ValueSubmission
from chiso.store.repo_catalogue import live_indicators as live
from chiso.store.repo_values import current_values as values
from chiso.store.repo_values import list_connectors, list_values
from chiso.tasks.states import Policy
from chiso.units import load_units


def live_indicators(session: Session, province: str) -> dict[str, Indicator]:
    """The province's approved and operating indicators, from the catalogue store."""
    return live(session, province)


def live_since(session: Session, province: str) -> dict[str, dt.date]:
    """The day each indicator of the province went live, from the catalogue store's dates.

    An indicator that entered the catalogue already approved or in operation is live from
    its first version's ``valid_from``; one moved into a live state later is live from the
    day of its latest such move (a move between two live states does not restart it).
    """
    first = dict(session.execute(
        select(IndicatorVersion.code, func.min(IndicatorVersion.valid_from))
        .where(IndicatorVersion.province == province).group_by(IndicatorVersion.code)).all())
    out: dict[str, dt.date] = {}
    for code, before, after, at in session.execute(
            select(LifecycleTransition.code, LifecycleTransition.from_state, LifecycleTransition.to_state,
                   LifecycleTransition.at)
            .where(LifecycleTransition.province == province).order_by(LifecycleTransition.id)):
        if after not in LIVE_STATES or before in LIVE_STATES:
            continue
        out[code] = first[code] if before is None and code in first else at.date()
    return out


def current_values(session: Session, province: str, indicators: Mapping[str, Indicator]) -> pl.DataFrame:
    """The values relation of the province's live indicators: submitted values from the
    values store, with the index-fed, aggregated and formula values derived from them
    (``chiso.evaluate.dm.derived``)."""
    through = local_today()
    stamp = _values_stamp(session, province, indicators) + _tasks_stamp(session, through)
    hit = _DERIVED.get(stamp)
    if hit is not None:
        return hit
    tree = load_units()
    submitted = values(session, province=province, indicators=list(indicators))
    fed = pl.concat([index_values(session, indicators, tree, province, load_index_definition()),
                     task_values(session, indicators, tree, province, through)], how="vertical")
    derived = all_values(indicators, submitted, tree, index_rows=fed)
    _DERIVED.clear()  # one province's latest state is what is asked for again and again
    _DERIVED[stamp] = derived
    return derived


#: Derived values are recomputed only when what they are derived from changed: the
#: stamp holds the store, the province, the indicators and their versions, the latest
#: accepted submission and value change, and the latest score run.
_DERIVED: dict[tuple, pl.DataFrame] = {}


def _values_stamp(session: Session, province: str, indicators: Mapping[str, Indicator]) -> tuple:
    bind = session.get_bind()
    return (str(bind.url), province, tuple(sorted((c, i.version) for c, i in indicators.items())),
            session.scalar(select(func.max(ValueSubmission.id))),
            session.scalar(select(func.count()).select_from(IndicatorValue)),
            session.scalar(select(func.count()).select_from(IndicatorValueHistory)),
            session.scalar(select(func.max(ScoreRun.id))))


def _tasks_stamp(session: Session, through: dt.date) -> tuple:
    """What the task-fed values depend on: the register (tasks, their changes, their events),
    the day they are counted up to and the settings that judge states."""
    return (session.scalar(select(func.count()).select_from(TaskRow)),
            session.scalar(select(func.count()).select_from(TaskChange)),
            session.scalar(select(func.max(TaskEvent.id))), through, Policy.from_settings())


def late_values(session: Session, province: str, indicators: Mapping[str, Indicator]) -> list[LateValue]:
    """Accepted values flagged late by collection (breakdown rows and drafts left out).

    Days late: from the reporting deadline (period end + ``deadline_days``) to the day the
    value was recorded (UTC).
    """
    units = set(_province_units(province))
    out = []
    for code, ind in indicators.items():
        for row in list_values(session, indicator=code, include_drafts=False, limit=1_000_000):
            if not row.late or row.breakdown != "" or row.unit_code not in units:
                continue
            deadline = row.period_end + dt.timedelta(days=ind.deadline_days)
            out.append(LateValue(code, row.unit_code, row.period, max(0, (row.recorded_at.date() - deadline).days)))
    return out


def _province_units(province: str) -> list[str]:
    return [u.code for u in load_units().units(province=province)]


def connector_statuses(session: Session, province: str, now: dt.datetime) -> list[ConnectorStatus]:
    """The province's connectors with their staleness, as collection judges it.

    A connector's last run failed when its last error is newer than its last success. A
    records connector (``target: records``) also brings its record kind, when its cursor last
    moved and its ``stale_after`` (collection's ``max_age_hours`` of it).
    """
    units = set(_province_units(province))
    configs = {c.name: c.config or {} for c in list_connectors(session)}
    out = []
    for s in connector_status(session, live, load_units(), now=now):
        if s["as_unit"] not in units:
            continue
        success, error_at = s.get("last_success_at"), s.get("last_error_at")
        failed = s.get("last_error") if error_at is not None and (success is None or error_at >= success) else None
        config = configs.get(s["name"], {})
        target = target_of(config)
        records = target == "records"
        out.append(ConnectorStatus(
            name=s["name"], owner=s["as_unit"], indicators=tuple(s["indicators"]), stale=bool(s["stale"]),
            last_success=success, last_error=failed, target=target,
            record_kind=config.get("kind") if records else PORTAL_SUBJECT if target == "portal" else None,
            source=s.get("source"),
            data_at=s.get("cursor_advanced_at") if records else None,
            stale_after=(dt.timedelta(hours=s["max_age_hours"]) if target in ("records", "portal")
                         and s.get("max_age_hours") else None)))
    return out


def target_book(session: Session, province: str, indicators: Mapping[str, Indicator],
                values: pl.DataFrame | None = None, spread: str = "linear") -> TargetBook:
    """The catalogue's targets, then the stored ones (which replace them key by key)."""
    records = catalogue_targets(indicators, province) + current_targets(session, indicators)
    profiles = seasonal_profiles(indicators, values) if spread == "seasonal" and values is not None else None
    return TargetBook(indicators, records, province=province, spread=spread, profiles=profiles)


def gather(session: Session, province: str, today: dt.date, *, units=None,
           settings: WarningSettings = WarningSettings(), spread: str = "linear",
           now: dt.datetime | None = None) -> WarningInputs:
    """Read everything the rules need for a province."""
    units = units if units is not None else load_units()
    units.get(province)
    indicators = live_indicators(session, province)
    values = current_values(session, province, indicators)
    late = late_values(session, province, indicators)
    # judging an earlier day (--today), sources are judged at that day's end
    now = now or min(dt.datetime.now(dt.UTC), dt.datetime.combine(today, dt.time.max, dt.UTC))
    connectors = connector_statuses(session, province, now)
    book = target_book(session, province, indicators, values, spread)
    index = load_index_definition()
    return WarningInputs(province=province, indicators=indicators, values=values, targets=book,
                         today=today, units=units, connectors=connectors, late=late,
                         statistical=repo.statistical_values(session), settings=settings,
                         live_since=live_since(session, province), index_code=index.code,
                         index_name=(index.name, index.name_en or index.name), zone=chiso_settings.timezone())


@dataclass
class Refresh:
    evaluation: Evaluation
    counts: SyncCounts


def refresh_warnings(session: Session, province: str, *, today: dt.date | None = None, actor: str = "system",
                     settings: WarningSettings = WarningSettings(), spread: str = "linear", units=None) -> Refresh:
    """Re-run every rule for a province and write the outcome (idempotent)."""
    today = today or dt.date.today()
    inputs = gather(session, province, today, units=units, settings=settings, spread=spread)
    if not inputs.live:
        raise StoreError(f"province {province} has no live (approved or in operation) indicators in the "
                         "catalogue store; import and approve a catalogue first (chiso catalog import)")
    evaluation = evaluate_warnings(inputs)
    counts = sync_warnings(session, province, evaluation, actor=actor)
    return Refresh(evaluation, counts)


def status_report(session: Session, province: str, *, unit: str | None = None, at: str | None = None,
                  spread: str = "linear", trend_settings: TrendSettings = TrendSettings(),
                  today: dt.date | None = None) -> dict:
    """Each live indicator's latest value, target, achievement, status and trend, for one unit.

    Without ``at``, an indicator whose latest due period (as of ``today``, by default the
    current day) has no value is missing data (``no_data``, ``missing_period``)."""
    load_units().get(province)
    indicators = live_indicators(session, province)
    values = current_values(session, province, indicators)
    book = target_book(session, province, indicators, values, spread)
    today = today or dt.date.today()
    rows = overview(indicators, values, book, unit or province, at=at, trend_settings=trend_settings,
                    today=today, live_since=live_since(session, province))
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUSES}
    return {"province": province, "unit": unit or province, "period": at, "spread": spread,
            "today": today.isoformat(), "counts": counts, "indicators": rows}


def current_targets(session: Session, indicators: Iterable[str] | None = None) -> list[TargetRecord]:
    """The stored targets in force: the newest row per indicator × unit × period."""
    wanted = None if indicators is None else set(indicators)
    newest: dict[tuple[str, str, str], TargetRow] = {}
    for row in repo.target_rows(session):
        if wanted is None or row.indicator in wanted:
            newest[(row.indicator, row.unit_code, row.period)] = row
    return [TargetRecord(r.indicator, r.unit_code, r.period, r.value, r.basis, "store", r.set_by, r.set_at)
            for r in sorted(newest.values(), key=lambda r: r.id)]
