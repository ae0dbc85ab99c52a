"""Đường nóng (the hot path): answers cached for one browser session, served before routing.

Under load the cost of a page whose parts are cached (``chiso.web.pages.render.cached_page``)
is no longer the page but the framework around it: routing through a hundred routes,
solving the dependencies, rendering the per-user header, hashing the body for its ETag.
So the finished answer — status, headers, bytes and ETag — is cached as well, under a key
that names **the session** (the principal and the session's CSRF secret, so no other
person, and no other session of the same person, ever gets it) and everything the page
depends on (path, every query parameter, language, the HTMX headers, the data generation).

``HotAnswers`` (an ASGI middleware) answers a ``GET`` from that store when

- the request carries a session cookie (no ``Authorization`` header) that the session
  cache (``sessions.ResumeCache``, a few seconds) holds as live — a signed-out, revoked or
  expired session is never answered here;
- it was cached under the current data generation (one request every ``stamp_seconds`` asks
  the store for the data stamp first) and has not outlived the parts it was built from
  (open warnings: ``views.WARNINGS_SECONDS``);
- no ``?lang=`` asks to change the language cookie.

Anything else goes through the application as usual. ``If-None-Match`` gets a 304.
Writes are never answered here, and the store is dropped with the page parts
(``WebContext.forget_scores``, ``forget_short``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from chiso import settings
from chiso.web import i18n
from chiso.web.cache import BoundedCache, OnBoundedCache
from chiso.web.security.sessions import COOKIE_NAME

#: An answer with a time to live is renewed by one request in its last seconds (``HotStore.get``).
AHEAD = 2.0


@dataclass(frozen=True)
class CachedAnswer:
    """A finished answer."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]  # without content-length
    body: bytes
    etag: str
    expires: float


def _body_size(answer: CachedAnswer) -> int:
    return len(answer.body)


class HotStore(OnBoundedCache):
    """Finished answers per session and request (see the module): a ``BoundedCache`` (least
    recently used dropped first, bounded by entries and by the bytes of the bodies) with each
    answer's own expiry and the renewal ahead of it on top."""

    def __init__(self, size: int = 4096, max_bytes: int = 128 << 20, clock=time.monotonic):
        self._items = BoundedCache(size, max_bytes=max_bytes, sizeof=_body_size, clock=clock)

    def get(self, key: tuple) -> CachedAnswer | None:
        """The cached answer, or ``None`` — also ``None`` for one caller once the answer enters its
        last ``AHEAD`` seconds: that request goes through the application and caches the new
        answer, while the others are still answered from here."""
        items = self._items
        with items.lock:
            cached = items.peek(key)
            if cached is not None:
                now = self.clock()
                if now >= cached.expires:
                    items.pop(key)
                    items.release(key)
                    cached = None
                elif now >= cached.expires - AHEAD and items.claim(key, AHEAD):
                    cached = None  # this caller renews it
            items.tally(cached is not None)
            return cached

    def put(self, key: tuple, answer: CachedAnswer) -> None:
        with self._items.lock:
            self._items.release(key)
            self._items.put(key, answer)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def answer_key(request: Request, principal, csrf_secret: str, generation: int) -> tuple:
    """The key of a finished answer: the session, the request, the data generation."""
    query = tuple(sorted((k, v) for k, v in request.query_params.multi_items() if k != "lang"))
    headers = request.headers
    return (request.scope["path"], query, i18n.request_language(request), headers.get("hx-request"),
            headers.get("hx-target"), principal, csrf_secret, generation,
            settings.get("CHISO_GROUP_VIEW"))  # the deployment's group view shapes what ?nhom= does not ask


def remember(request: Request, ctx, principal, response, *, body: bytes, etag: str, generation: int,
             expires: float = float("inf")) -> None:
    """Cache a finished ``response`` (its ``body`` and ``etag``) for this session, if it may be:
    a browser session's ``GET`` that sets no cookie."""
    secret = getattr(request.state, "csrf_secret", None)
    if (request.method != "GET" or principal is None or principal.via != "session" or secret is None
            or "set-cookie" in response.headers):
        return
    headers = tuple((k, v) for k, v in response.raw_headers if k != b"content-length")
    ctx.hot.put(answer_key(request, principal, secret, generation),
                CachedAnswer(200, headers, body, etag, expires))


def _not_modified(request: Request, etag: str) -> bool:
    wanted = request.headers.get("if-none-match")
    return bool(wanted) and (wanted.strip() == "*" or etag in [t.strip() for t in wanted.split(",")])


class HotAnswers:
    """ASGI middleware: a cached answer for a live session, before routing (see the module)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return await self.app(scope, receive, send)
        application = scope.get("app")
        ctx = getattr(getattr(application, "state", None), "ctx", None)
        if ctx is None or not len(ctx.hot):
            return await self.app(scope, receive, send)
        await ctx.check_data_async()  # one request in ``stamp_seconds`` asks the store
        request = Request(scope)
        answer = await self._cached(request, ctx)
        if answer is None:
            return await self.app(scope, receive, send)
        if _not_modified(request, answer.etag):
            await send({"type": "http.response.start", "status": 304, "headers": list(answer.headers)})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": answer.status,
                    "headers": [*answer.headers, (b"content-length", str(len(answer.body)).encode())]})
        await send({"type": "http.response.body", "body": answer.body})

    @staticmethod
    async def _cached(request: Request, ctx) -> CachedAnswer | None:
        if "authorization" in request.headers:
            return None
        cookies = request.cookies
        raw = cookies.get(COOKIE_NAME)
        if not raw:
            return None
        asked = request.query_params.get("lang")
        if asked is not None and asked != cookies.get(i18n.COOKIE_NAME):
            return None  # the application sets the language cookie
        session = ctx.sessions.get(raw)
        if session is None:
            return None
        if ctx.sessions.claim_refresh(raw):  # this request re-reads the session for everyone
            session = await run_in_threadpool(ctx.sessions.refresh, ctx.database, raw)
            if session is None:
                return None
        principal, secret = session
        return ctx.hot.get(answer_key(request, principal, secret, ctx.generation))
