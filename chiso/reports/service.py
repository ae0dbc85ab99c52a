"""A province's bulletin from a score source and, when a prepared store is there, its DM
indicators, open warnings and stale sources — what the CLI, the web app and the scheduler call."""
from __future__ import annotations

import datetime as dt

from chiso import settings
from chiso.catalog.presentation import group_view
from chiso.collect.values.submit import local_today
from chiso.errors import WindowError
from chiso.periods.windows import parse_window
from chiso.reports.dm import dm_from_store
from chiso.reports.facts import Bulletin, build_bulletin
from chiso.reports.sources import ScoreSource
from chiso.reports.task_section import tasks_from_store
from chiso.store.database import current_revision, head_revision, open_database


def prepared_database():
    """The relational store when one has been prepared (``chiso init``) and is current, else None."""
    if settings.get("CHISO_DATABASE_URL") is None and not (settings.data_dir() / "chiso.sqlite").exists():
        return None
    db = open_database()
    if current_revision(db) != head_revision():
        db.dispose()
        return None
    return db


def bulletin_for(source: ScoreSource, province: str, window: str | None = None, *, db=None,
                 now: dt.datetime | None = None, view: str | None = None) -> Bulletin:
    """Score the window and build the bulletin; with ``db``, add the DM section, stale sources and
    the assigned tasks at the window's end (``chiso.reports.task_section``). ``view``: the group
    view (``six``/``five``, ``5``/``6``; default the setting ``CHISO_GROUP_VIEW``)."""
    scores = source.scores(window)
    shown = group_view(scores.table.definition, view)
    if db is None:
        return build_bulletin(scores, province, view=shown)
    try:
        window = parse_window(scores.window)
        period, end = window.label, window.end
    except WindowError:
        period, end = None, None  # a counts file without a window: the indicators' latest values
    today = local_today(now)
    with db.session() as s:
        dm, stale = dm_from_store(s, province, period, now=now)
        tasks = tasks_from_store(s, province, end or today, today=today)
    return build_bulletin(scores, province, dm=dm, stale=stale, tasks=tasks, view=shown)
