"""Connectors: register them, run them (now, or when due), and say whether they are stale.

A run goes through the same submit path as a person — ownership, sources, validation,
locks — acting as the connector's owner unit. Every run is recorded (``connector_runs``)
and a failure becomes the connector's ``last_error``: the seed's "technical problems
synchronising data" must be visible, not silent. A connector is **stale** when its last
success is older than its indicators' reporting period plus their deadline (or its own
``max_age_hours``); a records connector (``target: records``) when its cursor has not moved
for its ``stale_after``. A portal connector (``target: portal``) keeps the figures the national
portal publishes (``portal.py``); it is stale after ``max_age_hours`` (default a day).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from croniter import croniter
from sqlalchemy.orm import Session

from chiso.catalog.indicator import Indicator
from chiso.collect.connectors import portal as portal_pull
from chiso.collect.connectors import records as record_pull
from chiso.collect.connectors.sources import FetchError, check_config, fetch_http, fetch_sql, target_of
from chiso.collect.readers import file_sha256
from chiso.collect.tasks.imports import import_items
from chiso.collect.values.batch import SUFFIXES, Batch, batch_from_records, read_batch
from chiso.collect.values.rules import Units, ValidationConfig, owner_text
from chiso.collect.values.submit import SubmitResult, Submitter, submit_batch
from chiso.errors import ChisoError, LoadError, NotAllowedError, Problem
from chiso.store import repo_connectors
from chiso.store import repo_values as repo
from chiso.store.models_values import CONNECTOR_KINDS, Connector
from chiso.store.orm import utcnow

#: A catalogue for a province: ``chiso.store.repo_catalogue.live_indicators`` fits.
CatalogueFor = Callable[[Session, str], Mapping[str, Indicator]]

FREQUENCY_DAYS = {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92, "yearly": 366}
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,127}$")
_INTERVAL = re.compile(r"^(\d+)\s*(m|h|d)$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


# --------------------------------------------------------------------------- schedule

def check_schedule(schedule: str) -> None:
    """``15m``, ``6h``, ``1d`` (an interval) or a cron expression (``0 7 * * 1-5``)."""
    if _INTERVAL.match(schedule.strip()):
        if int(_INTERVAL.match(schedule.strip())[1]) == 0:
            raise ChisoError("a schedule interval must be at least 1")
        return
    if not croniter.is_valid(schedule):
        raise ChisoError(f"cannot read schedule {schedule!r}: write an interval (15m, 6h, 1d) or a cron "
                         "expression (0 7 * * 1-5)")


def next_due(connector: Connector) -> dt.datetime | None:
    """When the connector should run next; None = now (it never ran)."""
    if connector.last_run_at is None:
        return None
    m = _INTERVAL.match(connector.schedule.strip())
    if m:
        return connector.last_run_at + dt.timedelta(**{_UNITS[m[2]]: int(m[1])})
    return croniter(connector.schedule, connector.last_run_at).get_next(dt.datetime)


def is_due(connector: Connector, now: dt.datetime) -> bool:
    due = next_due(connector)
    return connector.enabled and (due is None or due <= now)


# --------------------------------------------------------------------------- staleness

def max_age(connector: Connector, catalogue: Mapping[str, Indicator]) -> dt.timedelta:
    """How old the last success may be: the configured age, else the strictest indicator's
    reporting period plus its deadline."""
    if connector.max_age_hours is not None:
        return dt.timedelta(hours=connector.max_age_hours)
    ages = [FREQUENCY_DAYS[i.frequency] + i.deadline_days
            for code in connector.indicators if (i := catalogue.get(code)) is not None]
    return dt.timedelta(days=min(ages) if ages else 1)


def is_stale(connector: Connector, catalogue: Mapping[str, Indicator], now: dt.datetime) -> bool:
    """Data overdue: no success within ``max_age`` (counted from creation if it never succeeded)."""
    since = connector.last_success_at or connector.created_at
    return now - since > max_age(connector, catalogue)


# --------------------------------------------------------------------------- register

def add_connector(session: Session, catalogue: Mapping[str, Indicator], units: Units, *, name: str,
                  kind: str, as_unit: str, config: Mapping[str, Any], indicators: Sequence[str],
                  schedule: str, source: str | None = None, max_age_hours: float | None = None,
                  by: str = "cli", now: dt.datetime | None = None) -> Connector:
    """Register a connector after checking everything a run would rely on."""
    if not NAME.match(name):
        raise ChisoError(f"connector name {name!r}: lower-case letters, digits, '.', '_' and '-'")
    if kind not in CONNECTOR_KINDS:
        raise ChisoError(f"unknown connector kind {kind!r}; expected one of {', '.join(CONNECTOR_KINDS)}")
    check_config(kind, config)
    check_schedule(schedule)
    if as_unit not in units:
        raise ChisoError(f"--as {as_unit!r}: no unit has this code")
    if target_of(config) in ("tasks", "records", "portal"):  # the task register, the record store, the
        # portal's published figures: no indicators
        if indicators:
            raise ChisoError(f"a connector bringing {target_of(config)} brings no indicator values: name no "
                             "indicator")
        if target_of(config) == "records":
            record_pull.check_records_config(config)
            if max_age_hours is not None:
                raise ChisoError("a records connector is stale when its cursor has not moved for its "
                                 "stale_after (config), not after max age hours")
        if target_of(config) == "portal":
            portal_pull.check_portal_config(config, units, as_unit)
            if max_age_hours is not None and not max_age_hours > 0:
                raise ChisoError("max age must be a positive number of hours")
        return repo.add_connector(session, name=name, kind=kind, as_unit=as_unit, config=dict(config),
                                  indicators=[], schedule=schedule.strip(), source=source,
                                  max_age_hours=max_age_hours, created_by=by, at=now)
    if not indicators:
        raise ChisoError("name the indicator(s) the connector brings")
    if max_age_hours is not None and not max_age_hours > 0:
        raise ChisoError("max age must be a positive number of hours")
    for code in indicators:
        ind = catalogue.get(code)
        if ind is None:
            raise ChisoError(f"unknown indicator {code!r}: not in the catalogue")
        if ind.owner != as_unit:
            raise NotAllowedError(f"only the owner agency {owner_text(ind, units)} may bring the values of "
                                  f"{code}; a connector acting as {as_unit} may not")
        allowed = (ind.source_system, *ind.other_sources)
        if (source or ind.source_system) not in allowed:
            raise NotAllowedError(f"{code} takes its data only from {', '.join(repr(a) for a in allowed)}, "
                                  f"not {source!r}")
    return repo.add_connector(session, name=name, kind=kind, as_unit=as_unit, config=dict(config),
                              indicators=list(indicators), schedule=schedule.strip(), source=source,
                              max_age_hours=max_age_hours, created_by=by, at=now)


# --------------------------------------------------------------------------- runs

@dataclass
class RunOutcome:
    """One run of one connector (a folder run may submit several files)."""

    connector: str
    status: str                     # accepted | unchanged | refused | failed
    rows: int = 0
    submissions: list[int] | None = None
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"connector": self.connector, "status": self.status, "rows": self.rows,
                "submissions": self.submissions or [], "message": self.message}


def _short(error: Exception, limit: int = 2000) -> str:
    text = str(error)
    return text if len(text) <= limit else text[:limit] + " …"


def _submitter(connector: Connector) -> Submitter:
    # A source system revising its own figures is a correction too: history keeps the old value.
    return Submitter(as_unit=connector.as_unit, by=f"connector:{connector.name}", role="system",
                     source=connector.source, connector=connector.name,
                     reason=f"cập nhật từ hệ thống nguồn / revised by the source (connector {connector.name})")


def _outside(batch: Batch, connector: Connector) -> None:
    """Refuse rows of indicators the connector was not registered for."""
    declared = set(connector.indicators)
    problems = [Problem(batch.name, r.row, "indicator",
                        f"connector {connector.name} brings {', '.join(sorted(declared))} only", code)
                for r in batch.rows if (code := r.get("indicator")) is not None and code not in declared]
    if problems:
        raise LoadError(problems[:1000], total=len(problems))


def _submit(db, batch: Batch, connector: Connector, catalogue, units, config, now) -> SubmitResult:
    _outside(batch, connector)
    return submit_batch(db, batch, _submitter(connector), catalogue, units, config=config, now=now)


def _record(db, connector_id: int, started: dt.datetime, outcome: RunOutcome) -> None:
    with db.session() as session:
        connector = session.get(Connector, connector_id)
        repo.record_run(session, connector, started_at=started, status=outcome.status, rows=outcome.rows,
                        submission_id=(outcome.submissions or [None])[-1], message=outcome.message)


def _fetch_and_submit(db, connector: Connector, catalogue, units, config, now) -> RunOutcome:
    try:
        records = fetch_sql(connector.config) if connector.kind == "sql" else fetch_http(connector.config)
        batch = batch_from_records(f"connector {connector.name} ({connector.kind})", records)
        result = _submit(db, batch, connector, catalogue, units, config, now)
    except (LoadError, NotAllowedError) as exc:
        return RunOutcome(connector.name, "refused", message=_short(exc))
    except (FetchError, ChisoError) as exc:
        return RunOutcome(connector.name, "failed", message=_short(exc))
    except Exception as exc:  # noqa: BLE001 - a source's driver may raise anything; a run never dies silently
        return RunOutcome(connector.name, "failed", message=f"{type(exc).__name__}: {_short(exc)}")
    ids = [result.submission_id] if result.submission_id is not None else []
    return RunOutcome(connector.name, result.status, result.rows, ids,
                      None if result.status == "unchanged" else f"{result.inserted} new, "
                      f"{result.corrected} corrected, {result.late} late")


def _fetch_tasks(db, connector: Connector, units, catalogue) -> RunOutcome:
    """A task connector's run: its records into the task register of its unit's province, through
    the same import as a file (all or nothing; the same records again change nothing)."""
    what = f"connector {connector.name} ({connector.kind})"
    try:
        records = fetch_http(connector.config)
        province = units.get(connector.as_unit).province_code
        with db.session() as session:
            result = import_items(session, records, province=province, tree=units, catalogue=catalogue,
                                  by=f"connector:{connector.name}", source="connector", what=what)
    except LoadError as exc:
        return RunOutcome(connector.name, "refused", message=_short(exc))
    except (FetchError, ChisoError) as exc:
        return RunOutcome(connector.name, "failed", message=_short(exc))
    except Exception as exc:  # noqa: BLE001 - a run never dies silently
        return RunOutcome(connector.name, "failed", message=f"{type(exc).__name__}: {_short(exc)}")
    status = "accepted" if result.created or result.changed else "unchanged"
    return RunOutcome(connector.name, status, len(records), [],
                      f"{result.created} created, {result.changed} changed, {result.unchanged} unchanged")


def _run_folder(db, connector: Connector, catalogue, units, config, now) -> list[RunOutcome]:
    """Submit every new or changed file of the watched folder; remember each by its hash."""
    folder = Path(connector.config["path"])
    if not folder.is_dir():
        return [RunOutcome(connector.name, "failed", message=f"watched folder {folder} does not exist")]
    with db.session() as session:
        seen = set(repo.processed_files(session, session.get(Connector, connector.id)))
    outcomes = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES):
        digest = file_sha256(path)
        if digest in seen:
            continue
        try:
            result = _submit(db, read_batch(path), connector, catalogue, units, config, now)
            outcome = RunOutcome(connector.name, result.status, result.rows,
                                 [result.submission_id] if result.submission_id else [], f"{path.name}: "
                                 f"{result.inserted} new, {result.corrected} corrected, {result.late} late")
        except (LoadError, NotAllowedError) as exc:
            outcome = RunOutcome(connector.name, "refused", message=f"{path.name}: {_short(exc)}")
        except ChisoError as exc:
            outcome = RunOutcome(connector.name, "failed", message=f"{path.name}: {_short(exc)}")
        if outcome.status != "failed":
            with db.session() as session:
                repo.remember_file(session, session.get(Connector, connector.id), sha256=digest,
                                   path=str(path), status=outcome.status,
                                   submission_id=(outcome.submissions or [None])[-1])
            seen.add(digest)
        outcomes.append(outcome)
    return outcomes or [RunOutcome(connector.name, "unchanged", message="no new files")]


def _pull_records(db, connector: Connector, records, units, now) -> RunOutcome:
    """A records connector's run: pages since its cursor into the record store (``records.py``)."""
    run = record_pull.run_records(db, connector, records, units, now)
    return RunOutcome(connector.name, run.status, run.rows, [], run.message)


def _pull_portal(db, connector: Connector, units, now) -> RunOutcome:
    """A portal connector's run: the published figures of its window (``portal.py``)."""
    run = portal_pull.run_portal(db, connector, units, now)
    return RunOutcome(connector.name, run.status, run.rows, [], run.message)


def run_connector(db, name: str, catalogue_for: CatalogueFor, units: Units, *,
                  config: ValidationConfig | None = None, now: dt.datetime | None = None,
                  records=None) -> list[RunOutcome]:
    """Run one connector now; every outcome is recorded, none raised. ``records``: the record
    store (a ``RecordStore``), which a records connector loads into."""
    now = now or utcnow()
    with db.session() as session:
        connector = repo.get_connector(session, name)
        province = units.get(connector.as_unit).province_code if connector.as_unit in units else None
        catalogue = dict(catalogue_for(session, province)) if province else {}
    if connector.kind == "folder":
        outcomes = _run_folder(db, connector, catalogue, units, config, now)
    elif target_of(connector.config) == "tasks":
        outcomes = [_fetch_tasks(db, connector, units, catalogue)]
    elif target_of(connector.config) == "records":
        outcomes = [_pull_records(db, connector, records, units, now)]
    elif target_of(connector.config) == "portal":
        outcomes = [_pull_portal(db, connector, units, now)]
    else:
        outcomes = [_fetch_and_submit(db, connector, catalogue, units, config, now)]
    for outcome in outcomes:
        _record(db, connector.id, now, outcome)
    return outcomes


def run_due(db, catalogue_for: CatalogueFor, units: Units, *, now: dt.datetime | None = None,
            config: ValidationConfig | None = None, records=None) -> list[RunOutcome]:
    """Run every enabled connector whose schedule says it is due (``chiso connectors run --due``)."""
    now = now or utcnow()
    with db.session() as session:
        due = [c.name for c in repo.list_connectors(session) if is_due(c, now)]
    outcomes = []
    for name in due:
        outcomes += run_connector(db, name, catalogue_for, units, config=config, now=now, records=records)
    return outcomes


def connector_status(session: Session, catalogue_for: CatalogueFor, units: Units,
                     now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every connector with its last run, last success, last error, and whether it is stale."""
    now = now or utcnow()
    out, catalogues = [], {}
    for c in repo.list_connectors(session):
        province = units.get(c.as_unit).province_code if c.as_unit in units else None
        if province not in catalogues:
            catalogues[province] = dict(catalogue_for(session, province)) if province else {}
        catalogue = catalogues[province]
        cursor = repo_connectors.get_cursor(session, c) if target_of(c.config) == "records" else None
        if target_of(c.config) == "records":  # stale: its cursor has not moved for stale_after
            age = record_pull.stale_after(c)
            stale = record_pull.is_stale(c, cursor.advanced_at if cursor else None, now)
        else:
            age, stale = max_age(c, catalogue), is_stale(c, catalogue, now)
        out.append({
            "name": c.name, "kind": c.kind, "as_unit": c.as_unit, "indicators": list(c.indicators),
            "source": c.source, "schedule": c.schedule, "enabled": c.enabled,
            "last_run_at": c.last_run_at, "last_status": c.last_status,
            "last_success_at": c.last_success_at, "last_error_at": c.last_error_at,
            "last_error": c.last_error, "max_age_hours": age.total_seconds() / 3600,
            "stale": stale, "next_due": next_due(c) or now,
            "cursor": cursor.cursor if cursor else None,
            "cursor_advanced_at": cursor.advanced_at if cursor else None,
        })
    return out
