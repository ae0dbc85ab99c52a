"""The indicator catalogue in the store: imports, versions, lifecycle moves.

Versioning rule (docs/catalogue.md): **every content change makes a new version**. An
indicator's content is all its attributes except ``status`` and ``version``; importing
the same content again changes nothing. A new version keeps the previous version's
lifecycle state; the previous version stays, with ``valid_to`` set to the day before the
new one starts. Values keep the version they were computed with (``indicator_version``).

Lifecycle states change only through ``move_indicator`` (who, when, a comment); a file
that states another status than the stored one is refused (an entry without ``status``
leaves the stored state alone). A new indicator enters at the status its entry gives. Imports are all or nothing,
and every write leaves an audit line in the same transaction.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chiso.catalog.catalogue import (
    Catalogue,
    RawCatalogue,
    TextPlace,
    read_catalogue_file,
    validate_catalogue,
)
from chiso.catalog.indicator import FieldSpec, Indicator
from chiso.catalog.lifecycle import check_transition
from chiso.errors import ChisoError, LoadError, LockedError, NotFoundError, Problem
from chiso.store.database import serialise
from chiso.store.models_catalogue import CatalogueImport, IndicatorVersion, LifecycleTransition
from chiso.store.orm import utcnow
from chiso.store.repo_audit import audit

#: Attributes that are not content: the lifecycle state and the version number.
NOT_CONTENT = frozenset({"status", "version"})
#: Content that says when a version applies (shown as such, not listed among changes).
VALIDITY = frozenset({"valid_from", "valid_to"})


# ---------------------------------------------------------------- content
def indicator_content(ind: Indicator) -> dict[str, Any]:
    """The attributes that make a version (everything but status and version), as JSON data."""
    return ind.model_dump(mode="json", exclude=set(NOT_CONTENT))


def content_sha256(content: Mapping[str, Any]) -> str:
    """A stable hash of an indicator's content (keys sorted, UTF-8)."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _indicator(row: IndicatorVersion) -> Indicator:
    return Indicator.model_validate({**row.content, "status": row.status, "version": row.version,
                                     "valid_from": row.valid_from, "valid_to": row.valid_to})


# ---------------------------------------------------------------- reading
def _latest_rows(session: Session, province: str) -> dict[str, IndicatorVersion]:
    """The newest version row of each indicator of the province, in first-import order."""
    newest = (select(IndicatorVersion.code, func.max(IndicatorVersion.version).label("v"),
                     func.min(IndicatorVersion.id).label("first"))
              .where(IndicatorVersion.province == province)
              .group_by(IndicatorVersion.code).subquery())
    rows = session.execute(
        select(IndicatorVersion)
        .join(newest, (IndicatorVersion.code == newest.c.code) & (IndicatorVersion.version == newest.c.v))
        .where(IndicatorVersion.province == province)
        .order_by(newest.c.first)).scalars()
    return {r.code: r for r in rows}


def _latest_import(session: Session, province: str) -> CatalogueImport | None:
    return session.scalar(select(CatalogueImport).where(CatalogueImport.province == province)
                          .order_by(CatalogueImport.id.desc()).limit(1))


def current_catalogue(session: Session, province: str) -> Catalogue:
    """The latest version of each indicator of the province, retired ones included.

    Fields and the version label are those of the latest import. A province with no
    imported catalogue gives an empty catalogue.
    """
    latest = _latest_import(session, province)
    fields = {f["code"]: FieldSpec.model_validate(f) for f in latest.fields} if latest else {}
    indicators = {code: _indicator(row) for code, row in _latest_rows(session, province).items()}
    return Catalogue(province=province, version=latest.label if latest else "", fields=fields,
                     indicators=indicators, path=f"store: province {province}")


def live_indicators(session: Session, province: str) -> dict[str, Indicator]:
    """The approved and operating indicators of the province (latest versions), by code."""
    return current_catalogue(session, province).live()


def _province_of(session: Session, code: str, province: str | None) -> str:
    query = select(IndicatorVersion.province).where(IndicatorVersion.code == code).distinct()
    if province is not None:
        query = query.where(IndicatorVersion.province == province)
    found = sorted(session.scalars(query))
    if not found:
        where = f" in province {province}" if province else ""
        raise NotFoundError(f"no indicator {code!r}{where} in the catalogue")
    if len(found) > 1:
        raise ChisoError(f"indicator {code!r} is in the catalogues of provinces {', '.join(found)}: "
                         "name the province")
    return found[0]


def indicator_version(session: Session, code: str, version: int | None = None, *,
                      province: str | None = None) -> Indicator:
    """One stored version of an indicator; the latest when ``version`` is None."""
    prov = _province_of(session, code, province)
    query = select(IndicatorVersion).where(IndicatorVersion.province == prov,
                                           IndicatorVersion.code == code)
    if version is None:
        row = session.scalar(query.order_by(IndicatorVersion.version.desc()).limit(1))
    else:
        row = session.scalar(query.where(IndicatorVersion.version == version))
    if row is None:
        known = sorted(session.scalars(select(IndicatorVersion.version).where(
            IndicatorVersion.province == prov, IndicatorVersion.code == code)))
        raise NotFoundError(f"{code} has no version {version}; its versions are "
                         f"{', '.join(map(str, known))}")
    return _indicator(row)


@dataclass(frozen=True)
class VersionInfo:
    """One stored version, and which attributes differ from the version before
    (validity dates aside)."""

    version: int
    status: str
    valid_from: dt.date
    valid_to: dt.date | None
    created_at: dt.datetime
    created_by: str
    content_sha256: str
    changed: tuple[str, ...]


@dataclass(frozen=True)
class TransitionInfo:
    """One lifecycle move."""

    version: int
    from_state: str | None
    to_state: str
    at: dt.datetime
    by: str
    comment: str


@dataclass(frozen=True)
class IndicatorHistory:
    """An indicator's versions (oldest first) and lifecycle moves (oldest first)."""

    province: str
    code: str
    versions: list[VersionInfo]
    transitions: list[TransitionInfo]

    def document(self) -> dict[str, Any]:
        """Plain data (JSON)."""
        return {"province": self.province, "code": self.code,
                "versions": [_plain(v.__dict__) for v in self.versions],
                "transitions": [_plain(t.__dict__) for t in self.transitions]}


def _plain(d: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else
                list(v) if isinstance(v, tuple) else v) for k, v in d.items()}


def indicator_history(session: Session, code: str, *, province: str | None = None) -> IndicatorHistory:
    """Every version of an indicator and every lifecycle move, oldest first."""
    prov = _province_of(session, code, province)
    rows = list(session.scalars(select(IndicatorVersion).where(
        IndicatorVersion.province == prov, IndicatorVersion.code == code)
        .order_by(IndicatorVersion.version)))
    versions, before = [], None
    for r in rows:
        changed = () if before is None else tuple(
            k for k in sorted(set(before) | set(r.content))
            if k not in VALIDITY and before.get(k) != r.content.get(k))
        versions.append(VersionInfo(r.version, r.status, r.valid_from, r.valid_to, r.created_at,
                                    r.created_by, r.content_sha256, changed))
        before = r.content
    moves = session.scalars(select(LifecycleTransition).where(
        LifecycleTransition.province == prov, LifecycleTransition.code == code)
        .order_by(LifecycleTransition.id))
    transitions = [TransitionInfo(t.version, t.from_state, t.to_state, t.at, t.by, t.comment)
                   for t in moves]
    return IndicatorHistory(prov, code, versions, transitions)


def lifecycle_log(session: Session, province: str) -> list[dict[str, Any]]:
    """Every lifecycle move of the province's indicators, oldest first (the workbook's history)."""
    moves = session.scalars(select(LifecycleTransition).where(LifecycleTransition.province == province)
                            .order_by(LifecycleTransition.id))
    return [{"code": t.code, "version": t.version, "from_state": t.from_state, "to_state": t.to_state,
             "at": t.at, "by": t.by, "comment": t.comment} for t in moves]


# ---------------------------------------------------------------- lifecycle moves
def move_indicator(session: Session, code: str, to_state: str, *, by: str, comment: str,
                   province: str | None = None, at: dt.datetime | None = None) -> TransitionInfo:
    """Move an indicator (its latest version) to another lifecycle state.

    Refused with ``NotAllowedError`` (nothing written) unless the lifecycle allows it and
    ``by`` and ``comment`` are given.
    """
    prov = _province_of(session, code, province)
    row = _latest_rows(session, prov)[code]
    check_transition(code, row.status, to_state, by=by, comment=comment)
    move = LifecycleTransition(province=prov, code=code, version=row.version, from_state=row.status,
                               to_state=to_state, at=at or utcnow(), by=by.strip(), comment=comment.strip())
    row.status = to_state
    session.add(move)
    session.flush()
    audit(session, move.by, "catalogue.move", "indicator", f"{prov}:{code}",
          {"version": row.version, "from": move.from_state, "to": to_state, "comment": move.comment})
    return TransitionInfo(move.version, move.from_state, move.to_state, move.at, move.by, move.comment)


# ---------------------------------------------------------------- import
@dataclass
class ImportReport:
    """What an import did: indicators created, versioned, unchanged; those the file omits."""

    province: str
    label: str
    file: str
    import_id: int | None = None
    created: list[str] = field(default_factory=list)
    versioned: list[tuple[str, int]] = field(default_factory=list)   # (code, new version)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.import_id is not None

    def rows(self) -> list[dict[str, Any]]:
        """One row per indicator of the file and of the store: what happened to it."""
        out = [{"code": c, "result": "created", "version": 1} for c in self.created]
        out += [{"code": c, "result": "new version", "version": v} for c, v in self.versioned]
        out += [{"code": c, "result": "unchanged", "version": None} for c in self.unchanged]
        out += [{"code": c, "result": "not in file (kept)", "version": None} for c in self.not_in_file]
        return out

    def document(self) -> dict[str, Any]:
        return {"province": self.province, "label": self.label, "file": self.file,
                "import_id": self.import_id, "created": self.created,
                "versioned": [{"code": c, "version": v} for c, v in self.versioned],
                "unchanged": self.unchanged, "not_in_file": self.not_in_file}


def import_catalogue(session: Session, source: str | Path | RawCatalogue, *, by: str,
                     province: str | None = None, units: Any = None, index: Any = None,
                     today: dt.date | None = None) -> ImportReport:
    """Validate a catalogue file against itself and the stored catalogue, then store it.

    All or nothing: any problem raises ``LoadError`` and nothing is written. New
    indicators enter at the state the file gives (a transition from nothing, with ``by``
    and the file in the comment); changed ones get version n+1; the same content again
    changes nothing and leaves no import row and no audit line.
    """
    if not by or not by.strip():
        raise ChisoError("say who imports the catalogue (by)")
    raw = source if isinstance(source, RawCatalogue) else read_catalogue_file(source)
    file_sha = _file_sha256(source, raw)
    prov = province or (raw.top.get("province") if isinstance(raw.top.get("province"), str) else None)
    if prov and not serialise(session, [("catalogue", prov)]):
        # two imports of one province's catalogue at once take turns (the later one sees the
        # earlier one's versions: an unchanged file is then "unchanged", not a second version)
        raise LockedError(f"another import of province {prov}'s catalogue is still being written; try again")
    stored = _latest_rows(session, prov) if prov else {}
    known = {c: _indicator(r) for c, r in stored.items()}
    catalogue = validate_catalogue(raw, units=units, index=index, known=known, province=province)
    today = today or dt.date.today()

    stated = {item.get("code") for item, _ in raw.indicators if isinstance(item, dict) and "status" in item}
    plan, problems = _plan(catalogue, stored, today, stated)
    if problems:
        raise LoadError(problems)
    report = ImportReport(catalogue.province, catalogue.version, raw.path,
                          not_in_file=[c for c in stored if c not in catalogue])
    for code, (kind, _content, _vf) in plan.items():
        if kind == "unchanged":
            report.unchanged.append(code)
    fields = [f.model_dump(mode="json") for f in catalogue.fields.values()]
    previous = _latest_import(session, catalogue.province)
    same_frame = previous is not None and previous.fields == fields and previous.label == catalogue.version
    if all(kind == "unchanged" for kind, _, _ in plan.values()) and same_frame:
        return report

    record = CatalogueImport(province=catalogue.province, label=catalogue.version, fields=fields,
                             file_name=raw.path, file_sha256=file_sha, imported_at=utcnow(),
                             imported_by=by.strip(), created=0, versioned=0,
                             unchanged=len(report.unchanged))
    session.add(record)
    session.flush()
    for code, (kind, content, valid_from) in plan.items():
        ind = catalogue[code]
        if kind == "unchanged":
            continue
        before = stored.get(code)
        version = 1 if before is None else before.version + 1
        status = ind.status if before is None else before.status
        if before is not None:
            end = max(before.valid_from, valid_from - dt.timedelta(days=1))
            before.valid_to = end if before.valid_to is None else min(before.valid_to, end)
        session.add(IndicatorVersion(
            province=catalogue.province, code=code, version=version, status=status, owner=ind.owner,
            field=ind.field, indicator_group=ind.group, valid_from=valid_from,
            valid_to=ind.valid_to, content=content, content_sha256=content_sha256(content),
            created_at=record.imported_at, created_by=record.imported_by, import_id=record.id))
        if before is None:
            report.created.append(code)
        else:
            report.versioned.append((code, version))
    session.flush()
    for code in report.created:
        session.add(LifecycleTransition(
            province=catalogue.province, code=code, version=1, from_state=None,
            to_state=catalogue[code].status, at=record.imported_at, by=record.imported_by,
            comment=f"Nhập danh mục từ tệp {Path(raw.path).name} (phiên bản {catalogue.version}) / "
                    "entered the catalogue by import"))
    record.created, record.versioned = len(report.created), len(report.versioned)
    session.flush()
    report.import_id = record.id
    audit(session, record.imported_by, "catalogue.import", "catalogue", record.id,
          {"province": catalogue.province, "label": catalogue.version, "file": raw.path,
           "sha256": file_sha, "created": report.created,
           "versioned": [f"{c} v{v}" for c, v in report.versioned],
           "unchanged": len(report.unchanged), "not_in_file": report.not_in_file})
    return report


def _file_sha256(source: str | Path | RawCatalogue, raw: RawCatalogue) -> str:
    if not isinstance(source, RawCatalogue):
        return hashlib.sha256(Path(source).read_bytes()).hexdigest()
    text = json.dumps({"top": raw.top, "fields": [f for f, _ in raw.fields or []],
                       "indicators": [i for i, _ in raw.indicators]},
                      sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plan(catalogue: Catalogue, stored: Mapping[str, IndicatorVersion], today: dt.date,
          stated: set[str]) -> tuple[dict[str, tuple[str, dict[str, Any], dt.date]], list[Problem]]:
    """For each indicator of the file: created / new version / unchanged, its content and
    start date; and the problems that refuse the import. ``stated``: the codes whose entry
    writes a status (one that does not leaves the stored state alone)."""
    plan: dict[str, tuple[str, dict[str, Any], dt.date]] = {}
    problems: list[Problem] = []

    def problem(code: str, loc: tuple[str, ...], reason: str, value: Any = None) -> None:
        place = catalogue.places.get(code) or TextPlace(code)
        problems.append(Problem(catalogue.path, place.row(loc), place.column(loc), reason,
                                None if value is None else str(value)))

    for code, ind in catalogue.indicators.items():
        before = stored.get(code)
        if before is None:
            valid_from = ind.valid_from or today
            kind = "created"
        else:
            if code in stated and ind.status != before.status:
                problem(code, ("status",), f"{code} is {before.status} in the store, {ind.status} in the "
                        f"file: lifecycle states change with `chiso catalog move {code} {ind.status}`, "
                        "which records who and why", ind.status)
                continue
            given = ind.valid_from
            same = given is None or given == before.valid_from
            probe = indicator_content(ind.model_copy(update={"valid_from": before.valid_from} if same else {}))
            if content_sha256(probe) == before.content_sha256:
                plan[code] = ("unchanged", probe, before.valid_from)
                continue
            if not same and given < before.valid_from:
                problem(code, ("valid_from",), f"{code}: a new version cannot start on {given}, before "
                        f"version {before.version} ({before.valid_from})", given)
                continue
            valid_from = given if not same else max(today, before.valid_from)
            kind = "versioned"
        try:
            fixed = Indicator.model_validate({**ind.model_dump(), "valid_from": valid_from})
        except ValidationError as err:
            problem(code, ("valid_to",), f"{code}: starting on {valid_from}: "
                    + str(err.errors()[0]["msg"]).removeprefix("Value error, "), ind.valid_to)
            continue
        plan[code] = (kind, indicator_content(fixed), valid_from)
    return plan, problems
