"""Caching headers on heavy reads: a strong ``ETag`` computed from the content.

``cached`` renders the answer to JSON once, hashes the bytes (SHA-256), and answers
``304 Not Modified`` with no body when the request's ``If-None-Match`` names that tag
(or ``*``). The same content always gives the same tag, whichever worker computed it,
so a dashboard that polls gets 304s until the data behind it changes.
``Cache-Control: private`` because answers depend on who asks (roles see different
lists); ``max-age`` short, since values and warnings change during the day.
"""
from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder

#: Seconds a client may reuse an answer without asking again.
SHORT = 30
LONG = 300


def etag_of(body: bytes) -> str:
    """The strong entity tag of a body (quoted, as HTTP writes it)."""
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def finite(value: Any) -> Any:
    """JSON-ready data with NaN and infinities as null (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def _matches(header: str | None, tag: str) -> bool:
    if not header:
        return False
    wanted = [t.strip() for t in header.split(",")]
    return "*" in wanted or tag in wanted


def cached(request: Request, content: Any, *, max_age: int = SHORT, headers: dict[str, str] | None = None,
           status_code: int = 200) -> Response:
    """A JSON response with ``ETag`` and ``Cache-Control``; 304 when the client has it already."""
    body = json.dumps(finite(jsonable_encoder(content)), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")
    tag = etag_of(body)
    out = {"ETag": tag, "Cache-Control": f"private, max-age={max_age}", "Vary": "Authorization, Cookie",
           **(headers or {})}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=out)
    return Response(body, status_code=status_code, media_type="application/json", headers=out)
