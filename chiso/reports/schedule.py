"""Issuing bulletins on a schedule, and the archive of what was issued.

``issue`` writes a province's bulletin for one window in the formats and languages asked,
under ``CHISO_DATA_DIR/bulletins/<province>/<window>/`` (e.g.
``bulletins/24/2025-W46/bulletin-24-2025-W46-vi.pdf``), and archives each file with its
SHA-256. It is idempotent per (province, window, language, format): what is archived is
neither rendered nor written again.

``run_due(now)`` issues, for every active schedule, the bulletin of its latest occurrence
at or before ``now`` (read in the schedule's time zone; none before the schedule existed).
The window is the latest week complete before the occurrence's day: a Monday 07:00
schedule issues the week that ended the day before.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from chiso import settings
from chiso.errors import ChisoError
from chiso.periods.windows import Window, parse_window
from chiso.reports.facts import Bulletin
from chiso.reports.render import file_name, render
from chiso.reports.service import bulletin_for
from chiso.reports.sources import ScoreSource, latest_complete_week
from chiso.store.database import Database
from chiso.store.models_reports import BulletinSchedule
from chiso.store.repo_reports import Actor, archive_bulletin, archived, authorise, list_schedules

SCHEDULER = Actor("scheduler", "system")


@dataclass(frozen=True)
class Issued:
    """One bulletin file: newly issued (``new``) or already in the archive."""

    province: str
    window: str
    lang: str
    format: str
    path: str
    sha256: str
    new: bool
    schedule_id: int | None = None


@dataclass(frozen=True)
class Failure:
    """A schedule that could not issue its bulletin (nothing was archived for it)."""

    schedule_id: int
    province: str
    window: str | None
    reason: str


def bulletins_dir(data_dir: Path | None = None) -> Path:
    return (data_dir or settings.data_dir()) / "bulletins"


def _write_atomically(folder: Path, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".issuing-")
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    return Path(tmp)


def issue(db: Database, source: ScoreSource, province: str, window: str | Window, *,
          formats: Sequence[str], languages: Sequence[str], actor: Actor, data_dir: Path | None = None,
          schedule_id: int | None = None, at: dt.datetime | None = None) -> list[Issued]:
    """Issue a province's bulletin for ``window``: render what is not archived yet, write it, archive it."""
    authorise(actor, "issue")
    label = window.label if isinstance(window, Window) else parse_window(window).label
    wanted = [(lang, fmt) for lang in languages for fmt in formats]
    done: dict[tuple[str, str], Issued] = {}
    with db.session() as s:
        for lang, fmt in wanted:
            row = archived(s, province, label, lang, fmt)
            if row is not None:
                done[(lang, fmt)] = Issued(province, label, lang, fmt, row.path, row.sha256, False, row.schedule_id)
    missing = [k for k in wanted if k not in done]
    if missing:
        # the DM section comes from the same store the archive is in
        bulletin: Bulletin = bulletin_for(source, province, label, db=db, now=at)
        if bulletin.window != label:
            raise ChisoError(f"the scores are for {bulletin.window}, not {label}")
        folder = bulletins_dir(data_dir) / province / label
        for lang, fmt in missing:
            rendered = render(bulletin, fmt, lang, at=at)
            digest = hashlib.sha256(rendered.content).hexdigest()
            final = folder / file_name(province, label, fmt, lang)
            tmp = _write_atomically(folder, rendered.content)
            try:
                with db.session() as s:
                    row = archived(s, province, label, lang, fmt)
                    if row is None:  # still not archived: the file takes its place, then its row
                        os.replace(tmp, final)
                        row, new = archive_bulletin(s, actor, province=province, window=label, lang=lang,
                                                    format=fmt, path=str(final), sha256=digest,
                                                    size=len(rendered.content), schedule_id=schedule_id)
                    else:  # another run archived it meanwhile: keep theirs
                        new = False
            except BaseException:
                if tmp.exists():
                    tmp.unlink()
                raise
            if tmp.exists():
                tmp.unlink()
            done[(lang, fmt)] = Issued(province, label, lang, fmt, row.path, row.sha256, new, row.schedule_id)
    return [done[k] for k in wanted]


def due_window(schedule: BulletinSchedule, now: dt.datetime) -> tuple[dt.datetime, Window] | None:
    """The schedule's latest occurrence at or before ``now`` and the week it issues, or None
    when that occurrence is before the schedule was made."""
    from croniter import croniter

    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    tz = ZoneInfo(schedule.timezone)
    local = now.astimezone(tz)
    occurrence = croniter(schedule.cron, local).get_prev(dt.datetime)
    if local == local.replace(second=0, microsecond=0) and croniter.match(schedule.cron, local):
        occurrence = local  # exactly on time
    if occurrence < schedule.created_at.astimezone(tz):
        return None
    return occurrence, latest_complete_week(occurrence.date() - dt.timedelta(days=1))


def run_due(db: Database, source: ScoreSource, now: dt.datetime, *, data_dir: Path | None = None
            ) -> tuple[list[Issued], list[Failure]]:
    """Issue every active schedule's due bulletin; a schedule that fails does not stop the others."""
    with db.session() as s:
        schedules = list_schedules(s, active_only=True)
    issued: list[Issued] = []
    failures: list[Failure] = []
    for sch in schedules:
        due = due_window(sch, now)
        if due is None:
            continue
        occurrence, window = due
        try:
            issued += issue(db, source, sch.province, window, formats=sch.formats, languages=sch.languages,
                            actor=SCHEDULER, data_dir=data_dir, schedule_id=sch.id, at=occurrence)
        except ChisoError as e:
            failures.append(Failure(sch.id, sch.province, window.label, str(e)))
    return issued, failures
