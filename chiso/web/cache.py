"""The web layer's in-memory caches, written once.

``BoundedCache`` is a small thread-safe wrapper over cachetools (``LRUCache``, or ``TTLCache``
with a time to live): bounded by entries and, optionally, by bytes; hit and miss counters; and
rebuild claims (one caller rebuilds a value while the others wait or go on with the old one),
which cachetools does not have. Every cache of the web layer is one: the page parts
(``PageCache``, below, which adds per-entry expiry on top), finished answers
(``chiso.web.hot.HotStore``), resumed sessions (``chiso.web.security.sessions.ResumeCache``),
built bulletins (``chiso.web.routes_reports.BulletinCache``) and the scores, derived values and
weekly series of ``chiso.web.context.WebContext``.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any

import cachetools

_MISSING = object()


class _EntryBound:
    """Mixin for a cachetools cache: at most ``max_entries`` entries on top of its ``maxsize``
    (which counts bytes when the cache has a ``getsizeof``), least recently used dropped first."""

    max_entries: int

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)  # type: ignore[misc]
        while len(self) > self.max_entries:  # type: ignore[arg-type]
            self.popitem()  # type: ignore[attr-defined]


class _LRU(_EntryBound, cachetools.LRUCache):
    """cachetools' ``LRUCache`` with an entry bound."""


class _TTL(_EntryBound, cachetools.TTLCache):
    """cachetools' ``TTLCache`` (least recently used first, every entry for ``ttl`` seconds) with
    an entry bound."""


class BoundedCache:
    """A thread-safe cache, least recently used dropped first (cachetools underneath).

    Bounded by ``size`` entries and, with ``sizeof`` (a value's bytes), by ``max_bytes`` as well —
    a value larger than ``max_bytes`` on its own is not cached. With ``ttl`` every entry lasts
    that many seconds of ``clock`` (``clock`` may be replaced, e.g. by a test's clock). ``get``
    counts ``hits`` and ``misses``; ``peek`` and ``cache[key]`` do not. ``claim`` hands one caller
    the rebuilding of a key. ``lock`` is re-entrant: a cache built on this one holds it to make
    several steps one.
    """

    def __init__(self, size: int, *, max_bytes: int | None = None, sizeof: Callable[[Any], int] | None = None,
                 ttl: float | None = None, clock: Callable[[], float] = time.monotonic):
        if (max_bytes is None) != (sizeof is None):
            raise ValueError("a byte bound needs both max_bytes and sizeof")
        self.size, self.max_bytes, self.ttl, self.clock = size, max_bytes, ttl, clock
        bound = size if max_bytes is None else max_bytes
        if ttl is None:
            self._data: cachetools.Cache = _LRU(bound, getsizeof=sizeof)
        else:
            self._data = _TTL(bound, ttl, timer=lambda: self.clock(), getsizeof=sizeof)
        self._data.max_entries = size
        self._claims: dict[Hashable, float] = {}
        self._building: dict[Hashable, threading.Lock] = {}  # one builder per key (get_or_build)
        self.lock = threading.RLock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value of ``key`` (a hit, and now the most recently used), else ``default`` (a miss)."""
        with self.lock:
            value = self._data.get(key, _MISSING)
            self.tally(value is not _MISSING)
        return default if value is _MISSING else value

    def peek(self, key: Hashable, default: Any = None) -> Any:
        """``get`` without counting a hit or a miss (for a cache that counts in its own terms)."""
        with self.lock:
            return self._data.get(key, default)

    def tally(self, hit: bool) -> None:
        """Count one look-up as a hit or a miss."""
        with self.lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def put(self, key: Hashable, value: Any) -> Any:
        """Cache ``value`` under ``key``, dropping the least recently used beyond the bounds; the
        value. One larger than ``max_bytes`` is not cached (and what ``key`` held is dropped)."""
        with self.lock:
            try:
                self._data[key] = value
            except ValueError:  # larger than the whole cache
                self.pop(key)
        return value

    def get_or_build(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The value of ``key``, built by ``build()`` and cached on a miss — by one caller at a
        time per key: callers missing the same key meanwhile wait for it and take its value
        (a window's scores are computed once however many first readers arrive together).
        Other keys are built and read meanwhile; the cache's own lock is never held while
        building."""
        value = self.get(key, _MISSING)
        if value is not _MISSING:
            return value
        with self.lock:
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            value = self.peek(key, _MISSING)  # built by the caller this one waited for
            if value is _MISSING:
                try:
                    value = self.put(key, build())
                finally:
                    with self.lock:
                        self._building.pop(key, None)
        return value

    def pop(self, key: Hashable, default: Any = None) -> Any:
        """Drop ``key``; its value, or ``default``."""
        with self.lock:
            try:
                return self._data.pop(key, default)
            except KeyError:  # expired between the check and the removal (``TTLCache``)
                return default

    def claim(self, key: Hashable, lapse: float = float("inf")) -> bool:
        """True for the one caller that should rebuild ``key`` now: False to every other caller
        until the claim is released (``release``) or ``lapse`` seconds have passed (the claimant
        may have failed)."""
        with self.lock:
            now = self.clock()
            since = self._claims.get(key)
            if since is not None and now - since < lapse:
                return False
            self._claims[key] = now
            return True

    def release(self, key: Hashable) -> None:
        """End a claim on ``key``."""
        with self.lock:
            self._claims.pop(key, None)

    def clear(self) -> None:
        """Drop every entry and claim (the counters stay)."""
        with self.lock:
            self._data.clear()
            self._claims.clear()

    def keys(self) -> list:
        """The keys (a copy)."""
        with self.lock:
            return list(self._data)

    def items(self) -> list[tuple[Any, Any]]:
        """(key, value) pairs (a copy; the order of use is left as it is)."""
        with self.lock:
            return [(k, cachetools.Cache.__getitem__(self._data, k)) for k in list(self._data)]

    @property
    def nbytes(self) -> int:
        """Bytes held, as ``sizeof`` counts them (0 without a byte bound)."""
        with self.lock:
            return self._data.currsize if self.max_bytes is not None else 0

    def __getitem__(self, key: Hashable) -> Any:
        with self.lock:
            value = self._data.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: Hashable) -> bool:
        with self.lock:
            return key in self._data

    def __iter__(self) -> Iterator:
        return iter(self.keys())

    def __len__(self) -> int:
        with self.lock:
            if self.ttl is not None:
                self._data.expire()  # type: ignore[attr-defined]
            return len(self._data)


class OnBoundedCache:
    """A cache with rules of its own kept in a ``BoundedCache`` (``self._items``): its clock
    (a test may replace it) and its hit and miss counts are the store's."""

    _items: BoundedCache

    @property
    def clock(self) -> Callable[[], float]:
        return self._items.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self._items.clock = clock

    @property
    def hits(self) -> int:
        return self._items.hits

    @property
    def misses(self) -> int:
        return self._items.misses


@dataclass(frozen=True)
class Parts:
    """A page's rendered blocks (``title``, ``content`` …, or one HTMX fragment) and the window
    they show (for the period picker of the shell)."""

    window: str | None
    blocks: dict[str, str]
    expires: float = float("inf")  # set by ``PageCache.put`` from its time to live

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.blocks.values())


class PageCache(OnBoundedCache):
    """Rendered parts of heavy pages (the ranking table, the overview's panels), cached in memory.

    A key names everything the parts depend on — the page, the data generation
    (``WebContext.generation``, bumped when records change), the language, the path and every
    query parameter, and the viewer's role, province and unit (``Viewer``) — so one user's parts
    are served to another only when they would have been rendered identically; what is
    personal (name, role label, CSRF token, sign-out form) is rendered per request around them.
    Bounded by entries and bytes (a ``BoundedCache``: least recently used dropped first); an entry
    may also carry a time to live (parts that show live data such as open warnings), checked here
    so that expired parts can still be served while one caller rebuilds them (``lookup``).
    """

    def __init__(self, size: int = 512, max_bytes: int = 64 << 20, clock=time.monotonic):
        self._items = BoundedCache(size, max_bytes=max_bytes, sizeof=attrgetter("size"), clock=clock)

    def get(self, key: tuple) -> Parts | None:
        """Fresh parts, or ``None``."""
        with self._items.lock:
            hit = self._items.peek(key)
            fresh = hit is not None and self.clock() < hit.expires
            self._items.tally(fresh)
            return hit if fresh else None

    def lookup(self, key: tuple) -> tuple[Parts | None, bool]:
        """(parts, whether this caller builds them anew). Parts with a time to live are rebuilt
        ahead (in their last ``AHEAD`` seconds) by one caller while the others go on using them,
        and once expired they are still served to others while one caller rebuilds them — so
        a crowd of requests never builds the same parts at the same moment. A hit is counted
        when the parts are served as they are or still fresh, a miss when they must be built."""
        with self._items.lock:
            now = self.clock()
            hit = self._items.peek(key)
            if hit is not None and now < hit.expires - AHEAD:
                self._items.tally(True)
                return hit, False
            if not self._items.claim(key, CLAIM_SECONDS):  # another request rebuilds them:
                self._items.tally(hit is not None)
                return hit, hit is None  # … serve these meanwhile, or build as well with nothing to show
            self._items.tally(hit is not None and now < hit.expires)  # fresh: this caller rebuilds ahead
            return hit, True

    def release(self, key: tuple) -> None:
        """End this caller's claim to rebuild the parts of ``key`` (built, or failed)."""
        self._items.release(key)

    def put(self, key: tuple, parts: Parts, ttl: float | None = None) -> Parts:
        """Cache ``parts`` (at most ``ttl`` seconds); the parts as cached, with their expiry."""
        parts = replace(parts, expires=self.clock() + ttl if ttl is not None else float("inf"))
        return self._items.put(key, parts)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


#: Parts with a time to live are rebuilt this many seconds before they expire (``PageCache.lookup``).
AHEAD = 2.0
#: A claim to rebuild parts lapses after this long (the request that claimed them failed).
CLAIM_SECONDS = 30.0
