"""The API's request parameters: pages of lists and windows.

Pagination (phân trang): ``limit`` and ``offset`` in, an envelope out. Every list answers
``{"items": [...], "total": N, "limit": L, "offset": O}`` and sets a ``Link`` header
(RFC 8288) with the ``first``, ``prev``, ``next`` and ``last`` pages, so a client can walk a
list without computing offsets itself. Lists also carry a strong ``ETag``
(``chiso.web.api.etag``).

Windows (``window``, ``at``, ``period``) are read before the view by ``window_param``: the
label of the window (``chiso.web.errors.window_label``: a window chiso cannot read, or outside
the years ``FIRST_YEAR``–``LAST_YEAR``, is 400 with its reason); the schema states the forms as
the pattern ``WINDOW``. The other written forms (days, codes, text) are in ``chiso.web.errors``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query, Request, Response
from pydantic import WithJsonSchema

from chiso.web.api.etag import SHORT, cached
from chiso.web.errors import PERIOD, PERIOD_EXAMPLES, WINDOW, WINDOW_EXAMPLES, WINDOW_FORMS, period_label, window_label

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


# ------------------------------------------------------------------ windows
#: A window parameter in the schema: a string matching ``WINDOW``.
WindowText = Annotated[str, WithJsonSchema({"type": "string", "pattern": WINDOW})]
#: A reporting period in the schema: a string matching ``PERIOD``.
PeriodText = Annotated[str, WithJsonSchema({"type": "string", "pattern": PERIOD})]


def window_param(name: str = "window", description: str = "the window (default: the latest week): "
                 + WINDOW_FORMS) -> Callable[..., str | None]:
    """A dependency reading the window parameter ``name``: its label (``window_label``: 400 for a
    window chiso cannot read or outside FIRST_YEAR–LAST_YEAR), None when absent."""
    def dependency(text: WindowText | None = Query(None, alias=name, description=description,
                                                   examples=WINDOW_EXAMPLES)) -> str | None:
        return window_label(text)

    dependency.__name__ = f"{name}_param"
    return dependency


def period_param(name: str, description: str) -> Callable[..., str | None]:
    """A dependency reading the reporting period parameter ``name`` (``period_label``), None when absent."""
    def dependency(text: PeriodText | None = Query(None, alias=name, description=description,
                                                   examples=PERIOD_EXAMPLES)) -> str | None:
        return period_label(text)

    dependency.__name__ = f"{name}_param"
    return dependency
