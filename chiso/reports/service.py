"""A province's bulletin from a score source and, when a prepared store is there, its DM
indicators, open warnings and stale sources — what the CLI, the web app and the scheduler call."""
from __future__ import annotations

import datetime as dt

from chiso import settings
from chiso.errors import WindowError
from chiso.periods.windows import parse_window
from chiso.reports.dm import dm_from_store
from chiso.reports.facts import Bulletin, build_bulletin
from chiso.reports.sources import ScoreSource
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
                 now: dt.datetime | None = None) -> Bulletin:
    """Score the window and build the bulletin; with ``db``, add the DM section and stale sources."""
    scores = source.scores(window)
    if db is None:
        return build_bulletin(scores, province)
    try:
        period = parse_window(scores.window).label
    except WindowError:
        period = None  # a counts file without a window: the indicators' latest values
    with db.session() as s:
        dm, stale = dm_from_store(s, province, period, now=now)
    return build_bulletin(scores, province, dm=dm, stale=stale)
