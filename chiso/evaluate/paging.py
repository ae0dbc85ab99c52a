"""One page of a frame's rows, with what a pager needs — the one paging rule of every list."""
from __future__ import annotations

import polars as pl


def page_of(frame: pl.DataFrame, page: int, size: int) -> dict:
    """Rows of page ``page`` (brought within 1…pages) of ``size`` rows, with ``page``, ``pages``,
    ``total`` and the positions of the ``first`` and ``last`` rows shown (1-based; 0 when empty)."""
    total = frame.height
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    rows = frame.slice((page - 1) * size, size).to_dicts()
    first = (page - 1) * size + 1 if total else 0
    return {"rows": rows, "page": page, "pages": pages, "total": total, "first": first,
            "last": first + len(rows) - 1 if rows else 0}
