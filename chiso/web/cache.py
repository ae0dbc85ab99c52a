"""Rendered parts of heavy pages kept in memory (``PageCache``), shared by the web context
and the page renderer."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace


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


class PageCache:
    """Rendered parts of heavy pages (the ranking table, the overview's panels), kept in memory.

    A key names everything the parts depend on — the page, the data generation
    (``WebContext.generation``, bumped when records change), the language, the path and every
    query parameter, and the viewer's role, province and unit (``Viewer``) — so one user's parts
    are served to another only when they would have been rendered identically; what is
    personal (name, role label, CSRF token, sign-out form) is rendered per request around them.
    Bounded by entries and bytes (least recently used dropped first); an entry may also carry a
    time to live (parts that show live data such as open warnings).
    """

    def __init__(self, size: int = 512, max_bytes: int = 64 << 20, clock=time.monotonic):
        self.size, self.max_bytes, self.clock = size, max_bytes, clock
        self._items: OrderedDict[tuple, Parts] = OrderedDict()
        self._claims: dict[tuple, float] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> Parts | None:
        """Fresh parts, or ``None``."""
        with self._lock:
            hit = self._items.get(key)
            if hit is None or self.clock() >= hit.expires:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return hit

    def lookup(self, key: tuple) -> tuple[Parts | None, bool]:
        """(parts, whether this caller builds them anew). Parts with a time to live are rebuilt
        ahead (in their last ``AHEAD`` seconds) by one caller while the others go on using them,
        and once expired they are still served to others while one caller rebuilds them — so
        a crowd of requests never builds the same parts at the same moment."""
        now = self.clock()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                if now < hit.expires - AHEAD:
                    self.hits += 1
                    return hit, False
            claimed = self._claims.get(key)
            if claimed is not None and now - claimed < CLAIM_SECONDS:
                if hit is not None:
                    self.hits += 1
                    return hit, False  # another request rebuilds them
                self.misses += 1
                return None, True  # nothing to show meanwhile: build as well
            self._claims[key] = now
            if hit is not None and now < hit.expires:
                self.hits += 1
                return hit, True  # still fresh: this caller rebuilds ahead
            self.misses += 1
            return hit, True

    def release(self, key: tuple) -> None:
        with self._lock:
            self._claims.pop(key, None)

    def put(self, key: tuple, parts: Parts, ttl: float | None = None) -> Parts:
        """Keep ``parts`` (at most ``ttl`` seconds); the parts as kept, with their expiry."""
        parts = replace(parts, expires=self.clock() + ttl if ttl is not None else float("inf"))
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._items[key] = parts
            self._bytes += parts.size
            while self._items and (len(self._items) > self.size or self._bytes > self.max_bytes):
                _, gone = self._items.popitem(last=False)
                self._bytes -= gone.size
        return parts

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._claims.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


#: Parts with a time to live are rebuilt this many seconds before they expire (``PageCache.lookup``).
AHEAD = 2.0
#: A claim to rebuild parts lapses after this long (the request that claimed them failed).
CLAIM_SECONDS = 30.0
