"""What every request handler shares: the stores, the unit tree, the index definition.

``create_app`` builds one ``WebContext`` and puts it on ``app.state.ctx``; routers reach
it through the ``web_context`` dependency (``ctx: WebContext = Depends(web_context)``).
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from chiso.errors import ChisoError
from chiso.evaluate.service import score_records
from chiso.periods.windows import parse_window
from chiso.store.database import open_database
from chiso.store.models import LoadBatch
from chiso.web.cache import BoundedCache, PageCache
from chiso.web.hot import HotStore
from chiso.web.security.sessions import ResumeCache

_UNSEEN = object()  # no data stamp read yet
#: How many score tables, derived values, weekly series and short-lived values are cached (least
#: recently used dropped first).
SCORE_TABLES, DERIVED_VALUES, WEEKLY_SERIES, SHORT_LIVED = 32, 256, 8, 1024

#: The first item of the task panels' keys in ``WebContext.short_lived`` (``forget_tasks``).
TASK_PANELS = "task_panels"
#: The first item of the keys of what is read from the indicator values and the catalogue in
#: ``WebContext.short_lived`` (the off-track panel, the wall's board, the maps' DM measures):
#: ``forget_values`` drops them.
DM_VALUES = "dm_values"


def _cache(size: int):
    return field(default_factory=lambda: BoundedCache(size), repr=False)


def _ended_before(window: str | None, day: dt.date) -> bool:
    """Whether ``window`` (a cache's key) names a window that ended before ``day``."""
    if window is None:
        return False  # the latest week: it moves with the records
    try:
        return parse_window(window).end < day
    except ChisoError:
        return False


@dataclass
class WebContext:
    """The stores and definitions behind the web application.

    ``records`` is the record store (DuckDB or PostgreSQL); ``database`` opens the
    relational store lazily (units, catalogue, values, warnings, accounts, audit).
    DuckDB runs one query at a time per connection, hence ``lock``.
    """

    records: Any
    tree: Any
    definition: Any
    database_url: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    _database: Any = field(default=None, repr=False)
    _opening: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _scores: BoundedCache = _cache(SCORE_TABLES)
    _scores_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: The windows before those in ``_scores``, as their scorings measured changes against them
    #: (``ScoreTable.before``): the next scoring of a window after a batch takes its week before here.
    _befores: BoundedCache = _cache(SCORE_TABLES)
    _derived: BoundedCache = _cache(DERIVED_VALUES)
    #: Resumed browser sessions cached a few seconds (``chiso.web.security.sessions.ResumeCache``).
    sessions: Any = field(default=None, repr=False)
    #: Rendered parts of heavy pages, as text (``chiso.web.cache.PageCache``).
    pages: Any = field(default=None, repr=False)
    #: Built bulletins (``chiso.web.routes_reports.BulletinCache``), set by ``create_app``.
    bulletins: Any = field(default=None, repr=False)
    #: Finished answers per session (``chiso.web.hot.HotStore``), served before routing.
    hot: Any = field(default=None, repr=False)
    #: Checkpoints the writable embedded record store once pushes go quiet
    #: (``chiso.web.checkpoints.QuietCheckpoint``), set by ``create_app``.
    checkpoints: Any = field(default=None, repr=False)
    #: Bumped by ``forget_scores``: part of every key of what was derived from the scores.
    generation: int = 0
    #: How often (seconds) ``check_data`` asks the store whether records were loaded since.
    stamp_seconds: float = 10.0
    clock: Any = field(default=time.monotonic, repr=False)
    _stamp: Any = field(default=_UNSEEN, repr=False)
    _stamp_checked: float = field(default=float("-inf"), repr=False)
    _short: BoundedCache = _cache(SHORT_LIVED)
    #: Weekly series per (window, weeks) (``chiso.web.pages.views.weekly_series``).
    weekly: BoundedCache = _cache(WEEKLY_SERIES)
    #: The last DM status derived per (province, unit, period, spread) (``chiso.web.api.status``)
    #: and the lock of each province's derivations.
    statuses: BoundedCache = field(default_factory=lambda: BoundedCache(512), repr=False)
    status_locks: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.sessions is None:
            self.sessions = ResumeCache()
        if self.pages is None:
            self.pages = PageCache()
        if self.hot is None:
            self.hot = HotStore()

    @property
    def database(self):
        """The relational store (opened on first use)."""
        if self._database is None:
            with self._opening:  # two first requests at once open one engine, not two
                if self._database is None:
                    self._database = open_database(self.database_url)
        return self._database

    def cached_scores(self, window: str | None):
        """The ScoreTable of a window if it was computed already, else ``None`` (no work)."""
        return self._scores.peek(window)

    def cached(self, key: tuple):
        """A ``derived`` value if it is there, else ``None`` (no work)."""
        return self._derived.peek(key)


    def scores(self, window: str | None):
        """The ScoreTable of a window (default: the latest week), computed once and cached."""

        def compute():
            earlier = self._previous_scores(window)
            with self.lock:
                table = score_records(self.definition, self.records, self.tree, window, previous_table=earlier)
            if table.before is not None:
                self._befores.put(table.before.window, table.before)
            return table

        return self._scores.get_or_build(window, compute)

    def _previous_scores(self, window: str | None):
        """The cached table of the window before ``window`` (its changes are measured against it),
        else None. The default window (None) changes with the records: none."""
        if window is None:
            return None
        try:
            before = parse_window(window).previous()
        except ChisoError:
            return None  # the scoring says what is wrong with the window
        found = self._scores.peek(before.label)
        return found if found is not None else self._befores.peek(before.label)

    def derived(self, key: tuple, compute):
        """A value derived from the scores alone (a ranking's serialised answer, a page's
        panels), computed once per ``key`` and dropped with the scores (``forget_scores``).

        ``key`` must name everything the value depends on (the window label first).
        """
        return self._derived.get_or_build(key, compute)

    def forget_scores(self, since: dt.date | None = None) -> None:
        """Drop computed scores and what was derived from them (after new records are loaded):
        the scores, ``derived`` values, the weekly series and the cached page parts.

        ``since``: the earliest day whose records changed — the scores of windows that ended
        before it stay (a window's counts, window-end measures too, read records received up to
        its end; its changes, the window before it, which ended earlier still)."""
        with self._scores_lock:
            for cache in (self._scores, self._befores):
                if since is None:
                    cache.clear()
                for key in cache.keys() if since is not None else ():
                    if not _ended_before(key, since):
                        cache.pop(key)
            self._derived.clear()
            self.weekly.clear()
            self.generation += 1
        self.pages.clear()
        self.hot.clear()

    def data_stamp(self):
        """What says the records changed: the last registered record load (``chiso load``
        registers every file in ``load_batches``), or ``None`` without a prepared store."""
        from sqlalchemy import func, select

        try:
            with self.database.session() as s:
                return s.scalar(select(func.max(LoadBatch.id)))
        except Exception:  # noqa: BLE001 - no relational store (or not prepared): nothing to compare
            return None

    def saw_load(self, batch: str) -> None:
        """This process wrote and registered the load ``batch`` and dropped what it changed:
        ``check_data`` need not drop every score again for it — unless another load was
        registered since the stamp last seen, which it still must."""
        from sqlalchemy import select

        seen = self._stamp
        if seen is _UNSEEN:
            return
        try:
            with self.database.session() as s:
                query = select(LoadBatch.id, LoadBatch.batch)
                rows = s.execute(query if seen is None else query.where(LoadBatch.id > seen)).all()
        except Exception:  # noqa: BLE001 - no relational store (or not prepared): as data_stamp
            return
        if rows and all(b == batch for _, b in rows):
            self._stamp = max(i for i, _ in rows)

    def stamp_due(self) -> bool:
        """Whether ``check_data`` would ask the store now."""
        return self.clock() - self._stamp_checked >= self.stamp_seconds

    def claim_stamp_check(self) -> bool:
        """True for the one caller that should ask the store now (``check_data(claimed=True)``,
        in the thread pool); every other request goes on with the current generation meanwhile."""
        with self._scores_lock:
            now = self.clock()
            if now - self._stamp_checked < self.stamp_seconds:
                return False
            self._stamp_checked = now
            return True

    async def check_data_async(self) -> None:
        """``check_data`` from async code: only the claimant asks the store, in the thread pool."""
        if self.claim_stamp_check():
            from starlette.concurrency import run_in_threadpool

            await run_in_threadpool(self.check_data, True)

    def check_data(self, claimed: bool = False) -> int:
        """At most every ``stamp_seconds``, compare the data stamp with the one seen before and
        ``forget_scores`` when records were loaded since (another process may load them);
        the current ``generation``. Cheap between checks (a clock read)."""
        if not claimed and not self.claim_stamp_check():
            return self.generation
        stamp = self.data_stamp()
        if self._stamp is not _UNSEEN and stamp != self._stamp:
            self.forget_scores()
        self._stamp = stamp
        return self.generation

    def short_lived(self, key: tuple, seconds: float, compute):
        """A value cached ``seconds`` (live data read on every page, such as the open warnings:
        a few seconds of delay against a store query per request); ``forget_short`` drops them."""
        now = self.clock()
        hit = self._short.get(key)
        if hit is not None and now < hit[0]:
            return hit[1]
        value = compute()
        self._short.put(key, (now + seconds, value))
        return value

    def forget_tasks(self) -> None:
        """After a write to the task register: the task panels (overview, agency home, wall) and
        the page parts built from them show it at once."""
        self.forget_short(TASK_PANELS)

    def forget_values(self) -> None:
        """After a write of indicator values, a period's approval or lock, or a catalogue change in
        this process: the panels read from them (``DM_VALUES``) show it at once."""
        self.forget_short(DM_VALUES)

    def forget_short(self, prefix: str | None = None) -> None:
        """Drop short-lived values (those whose key starts with ``prefix``, or all), and the
        page parts built from them: a write in this process shows at once."""
        for key in self._short.keys():
            if prefix is None or key[0] == prefix:
                self._short.pop(key)
        self.pages.clear()
        self.hot.clear()


async def web_context(request: Request) -> WebContext:
    """FastAPI dependency: the application's context."""
    return request.app.state.ctx
