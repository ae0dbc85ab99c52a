"""One answer per error (một lỗi, một câu trả lời): the HTTP status of every chiso error, by class.

Views only raise: a chiso error (``chiso.errors``) that leaves a view becomes an answer here,
the same for the JSON API and for the pages. ``STATUS`` is the one table from exception
class to status; ``status_of`` finds an error's status the way Starlette finds an exception
handler — by walking ``type(exc).__mro__`` — so a subclass answers like its parent unless
the table lists it::

    ChisoError        400  bad input (the root: every error not listed below)
    NotFoundError     404  no such indicator, version or warning (UnknownUnitError: no such unit)
    ConflictError     409  a change the current state does not allow (already resolved)
    NotAllowedError   403  refused by role or ownership
    LockedError       409  a write to a locked period (a NotAllowedError, listed apart)
    LoadError         422  an input file refused; nothing from it was written
    StoreError        503  the store cannot be opened or is not prepared

``install_errors`` adds the handler that answers ``{"detail": message}`` with that status
(FastAPI's own JSON shape, as for an ``HTTPException``). The pages install an HTML-aware
handler instead (``chiso.web.pages.errors``): a browser's page request gets the error page,
everything else this same JSON.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from starlette.responses import Response

from chiso.errors import ChisoError, ConflictError, LoadError, LockedError, NotAllowedError, NotFoundError, StoreError

#: The HTTP status of each chiso exception class; a class not listed answers as its nearest listed parent.
STATUS: Mapping[type[BaseException], int] = {
    ChisoError: 400,
    NotFoundError: 404,
    ConflictError: 409,
    NotAllowedError: 403,
    LockedError: 409,
    LoadError: 422,
    StoreError: 503,
}

#: The status of an exception no class of the table covers (not a chiso error: the server's fault).
UNKNOWN = 500

Handler = Callable[[Request, Exception], Awaitable[Response]]


def status_of(exc: BaseException, table: Mapping[type[BaseException], int] = STATUS) -> int:
    """The status of ``exc``: the table's entry for its class or its nearest parent (``__mro__``
    order), ``UNKNOWN`` when none is listed."""
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return UNKNOWN


def as_http(exc: ChisoError) -> HTTPException:
    """A chiso error as the ``HTTPException`` of its status, with its message as the detail."""
    return HTTPException(status_of(exc), str(exc))


async def chiso_error_json(request: Request, exc: Exception) -> Response:
    """The JSON answer of a chiso error raised by a view: ``{"detail": message}`` with its status."""
    return await http_exception_handler(request, as_http(exc))


def install_errors(app: FastAPI, handler: Handler = chiso_error_json) -> None:
    """Answer every chiso error raised by a view of ``app`` with ``handler`` (JSON by default)."""
    app.add_exception_handler(ChisoError, handler)
