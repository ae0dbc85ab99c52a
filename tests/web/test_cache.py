"""The web layer's one cache (``chiso.web.cache.BoundedCache``) and what is built on it:
bounds by entries and by bytes, least-recently-used order, time to live on an injected clock,
rebuild claims, counters, thread safety; the page parts' expiry and claims (``PageCache``),
the finished answers' renewal (``HotStore``) and the bulletins' byte count (``BulletinCache``)."""
from __future__ import annotations

import random
import sys
import threading

import pytest

from chiso.web.app import warm
from chiso.web.cache import AHEAD, CLAIM_SECONDS, BoundedCache, PageCache, Parts
from chiso.web.context import WebContext
from chiso.web.hot import CachedAnswer, HotStore
from chiso.web.routes_reports import BulletinCache


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


# ------------------------------------------------------------------ BoundedCache
def test_entries_beyond_the_bound_drop_the_least_recently_used():
    cache = BoundedCache(3)
    for key in "abc":
        cache.put(key, key.upper())
    assert cache.get("a") == "A"  # "a" is now the most recently used: "b" goes first
    cache.put("d", "D")
    assert "b" not in cache and set(cache.keys()) == {"a", "c", "d"}
    cache.put("e", "E")
    assert set(cache) == {"a", "d", "e"} and len(cache) == 3


def test_peek_and_indexing_count_nothing_but_still_mark_the_entry_used():
    cache = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.peek("a") == 1 and cache["a"] == 1 and cache.peek("x", "none") == "none"
    with pytest.raises(KeyError):
        cache["x"]
    assert cache.hits == cache.misses == 0
    cache.put("c", 3)  # "b" was used least recently
    assert set(cache) == {"a", "c"}


def test_bytes_beyond_the_bound_drop_the_least_recently_used():
    cache = BoundedCache(100, max_bytes=10, sizeof=len)
    cache.put("a", "aaaa")
    cache.put("b", "bbbb")
    cache.put("c", "cc")
    assert cache.nbytes == 10 and len(cache) == 3
    cache.get("a")
    cache.put("d", "d")  # 11 bytes: the least recently used ("b") goes
    assert set(cache) == {"a", "c", "d"} and cache.nbytes == 7
    cache.put("a", "aaaaaaaa")  # a bigger value under a known key makes room as well
    assert cache.nbytes <= 10 and cache["a"] == "aaaaaaaa"


def test_a_value_larger_than_the_byte_bound_is_not_cached_and_drops_the_old_one():
    cache = BoundedCache(10, max_bytes=10, sizeof=len)
    cache.put("a", "short")
    cache.put("keep", "x")
    assert cache.put("a", "far too long for it") == "far too long for it"
    assert "a" not in cache and cache["keep"] == "x" and cache.nbytes == 1


def test_both_bounds_hold_together():
    cache = BoundedCache(2, max_bytes=100, sizeof=len)
    for key in "abc":
        cache.put(key, "x")
    assert len(cache) == 2 and cache.nbytes == 2


def test_a_byte_bound_needs_both_its_parts():
    with pytest.raises(ValueError):
        BoundedCache(4, max_bytes=10)
    with pytest.raises(ValueError):
        BoundedCache(4, sizeof=len)


def test_entries_live_for_their_time_to_live_on_the_injected_clock():
    clock = Clock()
    cache = BoundedCache(4, ttl=10, clock=clock)
    cache.put("a", 1)
    clock.now += 9.9
    assert cache.get("a") == 1 and len(cache) == 1
    cache.put("b", 2)
    clock.now += 0.2
    assert cache.get("a") is None and "a" not in cache and cache.get("b") == 2
    assert len(cache) == 1 and cache.pop("a", "gone") == "gone"
    clock.now += 10
    assert len(cache) == 0 and cache.keys() == []


def test_the_clock_can_be_replaced_after_construction():
    cache = BoundedCache(4, ttl=5)
    clock = Clock(cache.clock())
    cache.clock = clock
    cache.put("a", 1)
    clock.now += 6
    assert cache.get("a") is None


def test_hits_and_misses_are_counted_by_get_and_tally():
    cache = BoundedCache(4)
    cache.put("a", None)  # a cached None is a hit, not a miss
    assert cache.get("a", "default") is None and cache.get("b") is None
    cache.tally(True)
    cache.tally(False)
    assert (cache.hits, cache.misses) == (2, 2)


def test_get_or_build_builds_once_and_caches_what_it_built():
    cache = BoundedCache(4)
    calls = []

    def build():
        calls.append(1)
        return None

    assert cache.get_or_build("k", build) is None and cache.get_or_build("k", build) is None
    assert len(calls) == 1 and (cache.hits, cache.misses) == (1, 1)


def test_callers_missing_one_key_together_build_it_once():
    """Eight first readers of one window arriving together: one builds, the others wait for
    its value; another key is built meanwhile, not queued behind it."""
    cache = BoundedCache(4)
    started, release = threading.Event(), threading.Event()
    builds: list[str] = []

    def slow():
        builds.append("slow")
        started.set()
        release.wait(10)
        return "scores"

    got: list = []
    readers = [threading.Thread(target=lambda: got.append(cache.get_or_build("W48", slow))) for _ in range(8)]
    readers[0].start()
    started.wait(10)
    for t in readers[1:]:
        t.start()
    assert cache.get_or_build("W47", lambda: "other") == "other"  # not behind W48's build
    release.set()
    for t in readers:
        t.join(10)
    assert got == ["scores"] * 8 and builds == ["slow"]


def test_one_caller_claims_a_rebuild_until_release_or_lapse():
    clock = Clock()
    cache = BoundedCache(4, clock=clock)
    assert cache.claim("k") and not cache.claim("k")
    cache.release("k")
    assert cache.claim("k", lapse=5) and not cache.claim("k", lapse=5)
    clock.now += 5
    assert cache.claim("k", lapse=5)  # the claimant failed: another one takes over
    cache.clear()
    assert cache.claim("k") and len(cache) == 0


def test_items_are_a_copy_that_leaves_the_order_of_use_alone():
    cache = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert sorted(cache.items()) == [("a", 1), ("b", 2)]
    cache.put("c", 3)  # "a" is still the least recently used
    assert set(cache) == {"b", "c"}


@pytest.fixture
def busy_switching():
    """Threads switch as often as the interpreter allows (races show up, if there are any)."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def test_many_threads_at_once_keep_the_bounds_and_the_counts(busy_switching):
    cache = BoundedCache(50, max_bytes=400, sizeof=len)
    gets_per_thread, threads, failures = 2000, 8, []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(gets_per_thread):
                key = rng.randrange(200)
                if cache.get(key) is None:
                    cache.put(key, "x" * rng.randrange(1, 20))
                if rng.random() < 0.05:
                    cache.pop(rng.randrange(200))
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert failures == []
    assert cache.hits + cache.misses == gets_per_thread * threads
    assert len(cache) <= 50 and cache.nbytes <= 400
    assert cache.nbytes == sum(len(v) for _, v in cache.items())


# ------------------------------------------------------------------ PageCache
def parts(text: str = "x") -> Parts:
    return Parts("2026-W10", {"content": text})


def test_page_parts_with_a_time_to_live_are_rebuilt_ahead_by_one_caller():
    clock = Clock()
    pages = PageCache(clock=clock)
    assert pages.lookup("k") == (None, True)  # nothing yet: this caller builds
    assert pages.lookup("k") == (None, True)  # nothing to show meanwhile: build as well
    cached = pages.put("k", parts(), ttl=10)
    pages.release("k")
    assert cached.expires == clock.now + 10 and pages.lookup("k") == (cached, False)
    clock.now += 10 - AHEAD + 0.1
    assert pages.lookup("k") == (cached, True)  # still fresh: this caller rebuilds ahead …
    assert pages.lookup("k") == (cached, False)  # … while the others go on with these
    clock.now += AHEAD
    assert pages.get("k") is None  # expired
    assert pages.lookup("k") == (cached, False)  # … still served while the claimant rebuilds
    clock.now += CLAIM_SECONDS
    assert pages.lookup("k") == (cached, True)  # the claimant failed: another one rebuilds


def test_page_parts_are_bounded_by_their_characters():
    pages = PageCache(size=10, max_bytes=10)
    pages.put("a", parts("aaaaaa"))
    pages.put("b", parts("bbbbbb"))
    assert len(pages) == 1 and pages.get("b") is not None and pages.get("a") is None


# ------------------------------------------------------------------ HotStore
def answer(expires: float, body: bytes = b"<html>") -> CachedAnswer:
    return CachedAnswer(200, (), body, '"tag"', expires)


def test_a_cached_answer_is_renewed_by_one_request_and_dropped_when_expired():
    clock = Clock()
    hot = HotStore(clock=clock)
    hot.put("k", answer(clock.now + 10))
    assert hot.get("k") is not None and hot.hits == 1
    clock.now += 10 - AHEAD
    assert hot.get("k") is None  # this request goes through the application …
    assert hot.get("k") is not None  # … the others are still answered from here
    hot.put("k", answer(clock.now + 10))  # the renewed answer
    assert hot.get("k").expires == clock.now + 10
    clock.now += 10
    assert hot.get("k") is None and len(hot) == 0


def test_cached_answers_are_bounded_by_the_bytes_of_their_bodies():
    hot = HotStore(size=10, max_bytes=10)
    hot.put("a", answer(float("inf"), b"123456"))
    hot.put("b", answer(float("inf"), b"123456"))
    assert len(hot) == 1 and hot.get("a") is None


# ------------------------------------------------------------------ BulletinCache
def test_bulletin_pages_and_files_count_towards_the_byte_bound():
    bulletins = BulletinCache(size=16, max_bytes=200)
    bulletins.put(("bulletin",), object())  # a built bulletin weighs nothing here
    bulletins.put(("bulletin", "page", "vi"), "p" * 40)
    bulletins.put(("bulletin", "pdf", "vi"), (b"f" * 50, "application/pdf"))
    assert bulletins.nbytes == 40 + 50 + len("application/pdf")
    bulletins.get(("bulletin",))
    bulletins.put(("bulletin", "docx", "vi"), (b"d" * 85, "application/docx"))  # 206 bytes: too many
    assert ("bulletin", "page", "vi") not in bulletins and ("bulletin",) in bulletins
    assert bulletins.nbytes == 65 + 85 + len("application/docx")
    assert bulletins.size == 16 * 8 and not bulletins.building.locked()


def test_a_serving_process_scores_the_latest_week_as_it_starts(site):
    ctx = WebContext(records=site.records, tree=site.tree, definition=site.app.state.ctx.definition,
                     database_url=site.database_url)
    assert ctx.cached_scores(None) is None
    warm(ctx).join(300)
    assert ctx.cached_scores(None) is not None
