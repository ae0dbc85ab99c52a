"""Error pages (trang lỗi): a refused or failed page request answers with an HTML page.

A page handler refuses with ``HTTPException`` (403 not allowed, 404 unknown, 400 bad
input, 503 store unavailable). Without this, FastAPI answers every path with the JSON
``{"detail": …}`` — right for ``/api/…`` and for scripts, but a browser would show a raw
JSON dump. :func:`install_error_pages` adds an exception handler that renders
``error.html`` (the shared layout, the status, the clear message naming the rule) when:

- the path is not under ``/api/`` (the JSON API always keeps its JSON errors), and
- the client asks for HTML (``Accept: text/html``, as browsers do) or is HTMX
  (``HX-Request``: a fragment, the ``content`` block only).

Everything else — redirects raised as exceptions (the sign-in redirect, 303), API paths,
clients that do not ask for HTML — goes to FastAPI's own handler unchanged (same status,
same headers, same JSON body).

A chiso error a view lets through (``chiso.errors``) answers the same way, with the status
of its class from the one table (``chiso.web.errors.STATUS``): the same error gives the same
status and message on an API path (JSON) and on a page (HTML).
"""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from chiso.web.errors import as_http, install_errors
from chiso.web.pages.render import is_htmx, render
from chiso.web.security.deps import resolve_principal

#: Marks an app whose error pages are installed (installing twice changes nothing).
INSTALLED = "chiso_error_pages"


def wants_html(request: Request) -> bool:
    """Whether this request should get an HTML error page rather than JSON."""
    if request.url.path.startswith("/api/"):
        return False
    if request.headers.get("hx-request") == "true":
        return True
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "application/xhtml+xml" in accept


async def html_http_exception(request: Request, exc: StarletteHTTPException):
    """The HTML error page for a page request; FastAPI's JSON answer otherwise."""
    if exc.status_code < 400 or not wants_html(request):
        return await http_exception_handler(request, exc)
    try:
        principal = await run_in_threadpool(resolve_principal, request)
    except StarletteHTTPException:  # a bad bearer header: show the page without an account
        principal = None
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    response = render(request, "error.html", {"status": exc.status_code, "detail": detail},
                      principal=principal, block="content" if is_htmx(request) else None,
                      status_code=exc.status_code)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def html_chiso_error(request: Request, exc: Exception):
    """A chiso error raised by a view: the answer of the ``HTTPException`` of its status (the
    HTML error page for a page request, FastAPI's JSON otherwise)."""
    return await html_http_exception(request, as_http(exc))


def install_error_pages(app: FastAPI) -> None:
    """Render page errors — refusals and chiso errors — as HTML on ``app`` (idempotent)."""
    if getattr(app.state, INSTALLED, False):
        return
    app.add_exception_handler(StarletteHTTPException, html_http_exception)
    install_errors(app, html_chiso_error)
    setattr(app.state, INSTALLED, True)
