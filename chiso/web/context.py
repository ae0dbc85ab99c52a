"""What every request handler shares: the stores, the unit tree, the index definition.

``create_app`` builds one ``WebContext`` and puts it on ``app.state.ctx``; routers reach
it through the ``web_context`` dependency (``ctx: WebContext = Depends(web_context)``).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException, Request

from chiso.errors import ChisoError, StoreError, UnknownUnitError


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
    _scores: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _scores_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _derived: OrderedDict = field(default_factory=OrderedDict, repr=False)

    @property
    def database(self):
        """The relational store (opened on first use)."""
        if self._database is None:
            from chiso.store.database import open_database

            self._database = open_database(self.database_url)
        return self._database

    def scores(self, window: str | None):
        """The ScoreTable of a window (default: the latest week), computed once and kept."""
        with self._scores_lock:
            if window in self._scores:
                self._scores.move_to_end(window)
                return self._scores[window]
        from chiso.evaluate.service import score_records

        with self.lock:
            table = score_records(self.definition, self.records, self.tree, window)
        with self._scores_lock:
            self._scores[window] = table
            while len(self._scores) > 32:
                self._scores.popitem(last=False)
        return table

    def derived(self, key: tuple, compute):
        """A value derived from the scores alone (a ranking's serialised answer, a page's
        panels), computed once per ``key`` and dropped with the scores (``forget_scores``).

        ``key`` must name everything the value depends on (the window label first).
        """
        with self._scores_lock:
            if key in self._derived:
                self._derived.move_to_end(key)
                return self._derived[key]
        value = compute()
        with self._scores_lock:
            self._derived[key] = value
            while len(self._derived) > 256:
                self._derived.popitem(last=False)
        return value

    def forget_scores(self) -> None:
        """Drop computed scores and what was derived from them (after new records are loaded)."""
        with self._scores_lock:
            self._scores.clear()
            self._derived.clear()


def web_context(request: Request) -> WebContext:
    """FastAPI dependency: the application's context."""
    return request.app.state.ctx


def http_error(e: Exception) -> HTTPException:
    """A chiso error as an HTTP error with its clear message: 404 unknown unit, 503 store, 400 else."""
    if isinstance(e, UnknownUnitError):
        return HTTPException(404, str(e))
    if isinstance(e, StoreError):
        return HTTPException(503, str(e))
    if isinstance(e, ChisoError):
        return HTTPException(400, str(e))
    return HTTPException(400, e.args[0] if e.args else str(e))
