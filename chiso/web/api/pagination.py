"""Pagination (phân trang) of list resources: ``limit`` and ``offset`` in, an envelope out.

Every list answers ``{"items": [...], "total": N, "limit": L, "offset": O}`` and sets a
``Link`` header (RFC 8288) with the ``first``, ``prev``, ``next`` and ``last`` pages,
so a client can walk a list without computing offsets itself. Lists also carry a strong
``ETag`` (``chiso.web.api.etag``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Query, Request, Response

from chiso.web.api.etag import SHORT, cached

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page:
    """Which slice of a list is asked for."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def slice(self, items: Sequence[Any]) -> list[Any]:
        return list(items[self.offset:self.offset + self.limit])


def page_params(limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT,
                                   description=f"how many items (1–{MAX_LIMIT}, default {DEFAULT_LIMIT})"),
                offset: int = Query(0, ge=0, le=10_000_000, description="how many items to skip")) -> Page:
    """FastAPI dependency: the page asked for (422 when out of range)."""
    return Page(limit=limit, offset=offset)


def link_header(request: Request, page: Page, total: int) -> str:
    """The ``Link`` header of a page: first, prev, next and last, as present."""
    def url(offset: int) -> str:
        return str(request.url.include_query_params(limit=page.limit, offset=offset))

    links = [(url(0), "first")]
    if page.offset > 0:
        links.append((url(max(0, page.offset - page.limit)), "prev"))
    if page.offset + page.limit < total:
        links.append((url(page.offset + page.limit), "next"))
    last = (total - 1) // page.limit * page.limit if total else 0
    links.append((url(last), "last"))
    return ", ".join(f'<{u}>; rel="{rel}"' for u, rel in links)


def envelope(page: Page, items: Sequence[Any], total: int | None = None, **extra: Any) -> dict[str, Any]:
    """The page of ``items`` in the envelope.

    ``items`` is the whole (filtered) list unless ``total`` is given, in which case it is
    already the page and ``total`` counts the whole list.
    """
    if total is None:
        total, items = len(items), page.slice(items)
    return {**extra, "items": list(items), "total": total, "limit": page.limit, "offset": page.offset}


def paged(request: Request, page: Page, items: Sequence[Any], total: int | None = None, *,
          max_age: int = SHORT, **extra: Any) -> Response:
    """The envelope as a cached JSON response with its ``Link`` header."""
    doc = envelope(page, items, total, **extra)
    return cached(request, doc, max_age=max_age, headers={"Link": link_header(request, page, doc["total"])})
