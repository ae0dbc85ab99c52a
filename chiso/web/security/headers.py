"""Tiêu đề bảo mật (security headers) on every answer of the web application.

``SecurityHeaders`` is a pure ASGI middleware, added last in ``create_app`` so that it is the
outermost one the application adds: it also covers the answers ``chiso.web.hot.HotAnswers``
gives from its cache before routing (and their 304s), the static files, the error pages, and
— when a view fails before answering — the 500 it sends itself (below). A header the
answer already carries is left as it is.

- ``Content-Security-Policy`` — ``POLICY``: scripts, styles, fonts and connections from
  this site only, no inline script, no inline style (``style="…"`` attributes included: the
  templates use classes of ``chiso.css``, and ``chiso.js`` sets the few computed sizes
  through the CSSOM), images from this site and ``data:``, no plugins (``object-src
  'none'``), ``base-uri 'self'``, forms posted to this site only, never framed
  (``frame-ancestors 'none'``). One kind of page gets a policy of its own (``policy_for``):

  * the bulletin (``/reports/…``, ``/api/v1/reports/…``) is one self-contained document —
    the same HTML is archived, mailed and printed — with its CSS in a ``<style>`` element
    and its charts as inline SVG full of ``style`` attributes: ``BULLETIN_POLICY`` is
    ``POLICY`` with ``style-src 'unsafe-inline'``; scripts stay this site's only (it has none).

  The interactive API documentation (``/api/v1/docs``, ``chiso.web.api_docs``) is Swagger UI
  served from this site and started by a static script: it needs nothing more than ``POLICY``.
- ``X-Content-Type-Options: nosniff`` — answers are read as the type they declare.
- ``Referrer-Policy: same-origin`` — nothing of a chiso address leaves for another site.
- ``X-Frame-Options: DENY`` — ``frame-ancestors`` for browsers that predate it.
"""
from __future__ import annotations

#: The policy of every answer but those below.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
          "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
#: The bulletin (one self-contained HTML document): inline styles allowed, nothing else more.
BULLETIN_POLICY = POLICY.replace("style-src 'self';", "style-src 'self' 'unsafe-inline';")
BULLETIN_PREFIXES = ("/reports/", "/api/v1/reports/")

#: The headers every answer carries (Content-Security-Policy is added by path).
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)

_FAILED = b"Internal Server Error"


def policy_for(path: str) -> str:
    """The Content-Security-Policy of the answer to ``path``."""
    if path.startswith(BULLETIN_PREFIXES):
        return BULLETIN_POLICY
    return POLICY


def with_security_headers(headers, path: str) -> list[tuple[bytes, bytes]]:
    """``headers`` (ASGI: lower-case byte names) with the security headers it lacks added."""
    out = list(headers)
    present = {name.lower() for name, _ in out}
    for name, value in (*HEADERS, (b"content-security-policy", policy_for(path).encode("ascii"))):
        if name not in present:
            out.append((name, value))
    return out


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP answer (see the module).

    When the application fails before answering, this middleware answers the plain 500
    Starlette would (``Internal Server Error``), with the headers, and lets the exception go
    on to be logged.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        started = False

        async def send_with_headers(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": with_security_headers(message.get("headers", ()), path)}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                headers = [(b"content-type", b"text/plain; charset=utf-8"),
                           (b"content-length", str(len(_FAILED)).encode("ascii"))]
                await send({"type": "http.response.start", "status": 500,
                            "headers": with_security_headers(headers, path)})
                await send({"type": "http.response.body", "body": _FAILED})
            raise
