"""Bulletin schedules and the archive of issued bulletins, each write authorised and audited.

Who may do what (roles as in the values store: officer, head, admin, system):

- add or stop a schedule: the head of the office (``head``) or an administrator (``admin``);
- issue (archive) a bulletin: anyone named, the scheduler acting as ``system``.

The archive keeps one row per (province, window, language, format); archiving the same key
again returns the row already there and changes nothing.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiso.errors import NotAllowedError, StoreError
from chiso.store.models_reports import (
    BULLETIN_FORMATS,
    BULLETIN_LANGS,
    DEFAULT_TIMEZONE,
    BulletinArchive,
    BulletinSchedule,
)
from chiso.store.repo_audit import audit
from chiso.units import load_units

ROLES = ("officer", "head", "admin", "system")
SCHEDULERS = ("head", "admin")


@dataclass(frozen=True)
class Actor:
    """Who acts, and in which role."""

    by: str
    role: str = "officer"


def authorise(actor: Actor, action: str) -> None:
    """Refuse (NotAllowedError) an actor who may not do ``action`` (``schedule`` or ``issue``)."""
    if not actor.by or not actor.by.strip():
        raise NotAllowedError(f"{action}: say who acts (--by NAME)")
    if actor.role not in ROLES:
        raise NotAllowedError(f"{action}: unknown role {actor.role!r}; roles: {', '.join(ROLES)}")
    if action == "schedule" and actor.role not in SCHEDULERS:
        raise NotAllowedError(f"only the head of the office or an administrator (--role head|admin) changes "
                              f"bulletin schedules; {actor.by} acts as {actor.role}")


def _check_choice(kind: str, values: Sequence[str], allowed: tuple[str, ...]) -> list[str]:
    values = list(dict.fromkeys(v.strip().lower() for v in values if v.strip()))
    if not values:
        raise StoreError(f"a schedule needs at least one {kind}: {', '.join(allowed)}")
    bad = [v for v in values if v not in allowed]
    if bad:
        raise StoreError(f"{kind} {', '.join(map(repr, bad))}: choose among {', '.join(allowed)}")
    return values


def check_cron(cron: str) -> str:
    from croniter import croniter

    cron = " ".join(cron.split())
    if not croniter.is_valid(cron) or len(cron.split()) != 5:
        raise StoreError(f"{cron!r} is not a cron expression of five fields, e.g. '0 7 * * MON' "
                         "(minute hour day-of-month month day-of-week)")
    return cron


def add_schedule(session: Session, actor: Actor, *, province: str, cron: str, formats: Sequence[str],
                 languages: Sequence[str], timezone: str = DEFAULT_TIMEZONE) -> BulletinSchedule:
    """Schedule a province's bulletin; the cron expression is read in ``timezone``."""
    authorise(actor, "schedule")
    tree = load_units()
    if province not in tree or tree.get(province).level != "province":
        raise StoreError(f"{province!r} is not a province code (e.g. 24 = Bắc Ninh)")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise StoreError(f"unknown time zone {timezone!r} (e.g. {DEFAULT_TIMEZONE})") from None
    row = BulletinSchedule(province=province, cron=check_cron(cron), timezone=timezone,
                           formats=_check_choice("format", formats, BULLETIN_FORMATS),
                           languages=_check_choice("language", languages, BULLETIN_LANGS),
                           active=True, created_by=actor.by.strip())
    session.add(row)
    session.flush()
    audit(session, actor.by, "bulletin_schedule.add", "bulletin_schedule", row.id,
          {"province": province, "cron": row.cron, "timezone": timezone, "formats": row.formats,
           "languages": row.languages, "role": actor.role})
    return row


def stop_schedule(session: Session, actor: Actor, schedule_id: int) -> BulletinSchedule:
    """Stop a schedule (kept, inactive: what it issued stays traceable to it)."""
    authorise(actor, "schedule")
    row = session.get(BulletinSchedule, schedule_id)
    if row is None:
        raise StoreError(f"no bulletin schedule {schedule_id}")
    if not row.active:
        return row
    row.active = False
    session.flush()
    audit(session, actor.by, "bulletin_schedule.stop", "bulletin_schedule", row.id, {"role": actor.role})
    return row


def list_schedules(session: Session, *, active_only: bool = False) -> list[BulletinSchedule]:
    query = select(BulletinSchedule).order_by(BulletinSchedule.id)
    if active_only:
        query = query.where(BulletinSchedule.active.is_(True))
    return list(session.scalars(query))


def archived(session: Session, province: str, window: str, lang: str, format: str) -> BulletinArchive | None:
    return session.scalars(select(BulletinArchive).where(
        BulletinArchive.province == province, BulletinArchive.window == window, BulletinArchive.lang == lang,
        BulletinArchive.format == format)).one_or_none()


def archive_bulletin(session: Session, actor: Actor, *, province: str, window: str, lang: str, format: str,
                     path: str, sha256: str, size: int, schedule_id: int | None = None
                     ) -> tuple[BulletinArchive, bool]:
    """Record an issued file; (row, True) when new, (the existing row, False) when already archived."""
    authorise(actor, "issue")
    if format not in BULLETIN_FORMATS or lang not in BULLETIN_LANGS:
        raise StoreError(f"cannot archive a bulletin in format {format!r}, language {lang!r}")
    existing = archived(session, province, window, lang, format)
    if existing is not None:
        return existing, False
    row = BulletinArchive(schedule_id=schedule_id, province=province, window=window, lang=lang, format=format,
                          path=path, sha256=sha256, size=size, issued_by=actor.by.strip())
    session.add(row)
    session.flush()
    audit(session, actor.by, "bulletin.issue", "bulletin", row.id,
          {"province": province, "window": window, "lang": lang, "format": format, "path": path,
           "sha256": sha256, "schedule_id": schedule_id, "role": actor.role})
    return row, True


def list_archive(session: Session, *, province: str | None = None, limit: int = 100) -> list[BulletinArchive]:
    """Issued bulletins, newest first."""
    query = select(BulletinArchive).order_by(BulletinArchive.issued_at.desc(), BulletinArchive.id.desc()).limit(limit)
    if province is not None:
        query = query.where(BulletinArchive.province == province)
    return list(session.scalars(query))
