"""Protection against cross-site request forgery (CSRF).

A browser sends the session cookie with every request, including one a hostile page
makes it send. So every unsafe request (POST, PUT, PATCH, DELETE) authenticated by the
session cookie must also carry

- the session's CSRF token — HMAC-SHA256 of the session's random ``csrf_secret`` —
  as the form field ``csrf_token`` or the header ``X-CSRF-Token`` (HTMX: the base
  template sets ``hx-headers``); and
- an ``Origin`` (or, failing that, ``Referer``) of this very site, when the browser
  sends one (every current browser sends ``Origin`` on POST).

Requests authenticated by ``Authorization: Bearer`` are exempt: a hostile page cannot
make the browser attach a bearer token.
"""
from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

FIELD = "csrf_token"
HEADER = "x-csrf-token"
_CONTEXT = b"chiso-csrf-v1"


def token_for(secret: str) -> str:
    """The CSRF token of a session's secret."""
    return hmac.new(secret.encode("utf-8"), _CONTEXT, hashlib.sha256).hexdigest()


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origin(request: Request) -> str:
    """``scheme://host[:port]`` of this site as the request reached it."""
    return f"{request.url.scheme}://{request.url.netloc}".lower()


def check_origin(request: Request) -> None:
    """403 when ``Origin`` (or ``Referer``) names another site."""
    origin = request.headers.get("origin")
    source = "Origin"
    if origin is None and request.headers.get("referer"):
        origin, source = _origin_of(request.headers["referer"]) or "null", "Referer"
    if origin is None:
        return
    if origin.lower() != own_origin(request):
        raise HTTPException(403, f"Từ chối yêu cầu từ nguồn khác: {source} {origin!r} không phải "
                                 f"{own_origin(request)!r} (chống giả mạo yêu cầu, CSRF) / "
                                 f"cross-origin request refused: {source} {origin!r} is not "
                                 f"{own_origin(request)!r} (CSRF protection)")


async def submitted_token(request: Request) -> str | None:
    """The CSRF token the request carries: header first, then the form field."""
    header = request.headers.get(HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(FIELD)
        return value if isinstance(value, str) else None
    return None


async def check_request(request: Request) -> None:
    """403 unless the request comes from this site and carries its session's CSRF token."""
    check_origin(request)
    secret = getattr(request.state, "csrf_secret", None)
    given = await submitted_token(request)
    if not given:
        raise HTTPException(403, "Thiếu mã chống giả mạo (CSRF): gửi trường 'csrf_token' hoặc tiêu đề "
                                 "'X-CSRF-Token' / CSRF token missing: send the 'csrf_token' form field "
                                 "or the 'X-CSRF-Token' header")
    if secret is None or not hmac.compare_digest(given, token_for(secret)):
        raise HTTPException(403, "Mã chống giả mạo (CSRF) không đúng hoặc đã hết hạn; tải lại trang / "
                                 "CSRF token invalid or expired; reload the page")
