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
    PoolTimeout       503  the store is busy: every connection of its pool stayed in use
                           (SQLAlchemy's ``TimeoutError``; answered with ``Retry-After``)

``install_errors`` adds the handler that answers ``{"detail": message}`` with that status
(FastAPI's own JSON shape, as for an ``HTTPException``). The pages install an HTML-aware
handler instead (``chiso.web.pages.errors``): a browser's page request gets the error page,
everything else this same JSON.

The OpenAPI schema declares what the API answers from the same table (``declared``):

- ``COMMON`` — every API route (the routers' default ``responses=``): 401 (no signed-in
  principal) and the status of each class a read may raise (400, 403, 404, 503);
- ``WRITES`` — routes that change something add the classes only a change raises:
  ``ConflictError``/``LockedError`` (409) and ``LoadError`` (422, the row-level report);
- ``NOT_MODIFIED`` — reads that carry an ``ETag`` answer 304 to a matching ``If-None-Match``.

Each is answered with ``ErrorAnswer`` (``{"detail": message}``; a refused file adds its report).
FastAPI declares its own 422 (``HTTPValidationError``: a parameter or body the schema refuses)
on every route with parameters; a route declaring ``WRITES`` gets ``Refusal``, which is either.

The written forms of parameters, so that what the schema declares is what is accepted and
nonsense never reaches a store (the routers use them as patterns, ``Day`` as a type):

- a **window** (``WINDOW``): every form ``chiso.periods.windows.parse_window`` reads, in the
  years ``FIRST_YEAR``–``LAST_YEAR``. ``window_label`` reads one: 400 (``WindowError``) with
  ``parse_window``'s reason, or for a year outside those — so no window before the calendar's
  first day or after its last reaches the scoring (``date`` overflows). A reporting **period**
  (``PERIOD``, ``period_label``) is a window that is a year, quarter, month, week or day;
- a **day** (``Day``: ``YYYY-MM-DD`` text in those years, nothing else: a number is 422 — pydantic
  alone reads ``until=0`` as 1 January 1970);
- a **code** (``CODE``: units, provinces, indicators, criteria): letters, digits, ``.``, ``_``,
  ``-``;
- **text** filters (``TEXT``): no control characters (PostgreSQL refuses NUL in a string).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from chiso.errors import (
    ChisoError,
    ConflictError,
    LoadError,
    LockedError,
    NotAllowedError,
    NotFoundError,
    StoreError,
    WindowError,
    WindowYearsError,
)
from chiso.periods.windows import parse_window

#: The HTTP status of each chiso exception class; a class not listed answers as its nearest listed parent.
STATUS: Mapping[type[BaseException], int] = {
    ChisoError: 400,
    NotFoundError: 404,
    ConflictError: 409,
    NotAllowedError: 403,
    LockedError: 409,
    LoadError: 422,
    StoreError: 503,
    PoolTimeout: 503,
}

#: The message and headers of a listed class that is not a chiso error (its own text names internals).
OTHERS: Mapping[type[BaseException], tuple[str, dict[str, str]]] = {
    PoolTimeout: ("the store is busy: every connection is in use; try again in a few seconds",
                  {"Retry-After": "5"}),
}

#: The status of an exception no class of the table covers (not a chiso error: the server's fault).
UNKNOWN = 500

Handler = Callable[[Request, Exception], Awaitable[Response]]

#: What each status the API declares means (the description of the response in the schema).
MEANING: Mapping[int, str] = {
    304: "Not modified: the ETag named in If-None-Match is the current one (no body)",
    400: "Bad input: a value the API cannot use (an unreadable window, a rule between parameters, "
         "a code that names nothing in a request body); the detail says which and why",
    401: "Not signed in: a session or an API token (Authorization: Bearer) is required",
    403: "Refused by role, scope, ownership or province; the detail names the rule",
    404: "No such unit, province, indicator, warning, submission or bulletin",
    409: "A change the current state does not allow (already resolved, a locked period)",
    410: "Gone: what the record names is no longer there",
    413: "The uploaded file is too large",
    422: "Refused: a parameter or body outside the schema, or an input file with its row-level "
         "report (nothing was written)",
    503: "The store cannot be opened or is not prepared (run `chiso init`), or is busy (Retry-After)",
}


class ErrorAnswer(BaseModel):
    """The body of every refusal: ``{"detail": message}`` (FastAPI's shape); a refused file adds
    its row-level report (``status``, ``total``, ``problems``)."""

    model_config = ConfigDict(extra="allow")

    detail: str = Field(description="what was refused and why")


class Refusal(BaseModel):
    """A 422: FastAPI's validation errors (``detail`` a list) or a refused input file (``detail`` a
    message, with its row-level report)."""

    model_config = ConfigDict(extra="allow")

    detail: str | list[dict[str, Any]] = Field(description="the message, or the validation errors")


def declared(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route or router declaring these statuses (``MEANING``), each with
    its body model (none for 304)."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted(set(statuses)):
        entry: dict[str, Any] = {"description": MEANING[status]}
        if status == 422:
            entry["model"] = Refusal
        elif status != 304:
            entry["model"] = ErrorAnswer
        out[status] = entry
    return out


#: Error classes only a change raises: declared with ``WRITES`` on the routes that write.
WRITE_ONLY: tuple[type[ChisoError], ...] = (ConflictError, LockedError, LoadError)

#: Every API route: 401 and the status of each class of the table a read may raise.
COMMON = declared(401, *(status for cls, status in STATUS.items() if cls not in WRITE_ONLY))
#: Routes that change something: the statuses of the classes only a change raises, on top of ``COMMON``.
WRITES = declared(*(STATUS[cls] for cls in WRITE_ONLY))
#: Reads answered with an ``ETag`` (``chiso.web.api.etag``).
NOT_MODIFIED = declared(304)


def status_of(exc: BaseException, table: Mapping[type[BaseException], int] = STATUS) -> int:
    """The status of ``exc``: the table's entry for its class or its nearest parent (``__mro__``
    order), ``UNKNOWN`` when none is listed."""
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return UNKNOWN


def as_http(exc: BaseException) -> HTTPException:
    """An error of the table as the ``HTTPException`` of its status: a chiso error's message as
    the detail, a listed other class's own text (``OTHERS``)."""
    for cls in type(exc).__mro__:
        if cls in OTHERS:
            message, headers = OTHERS[cls]
            return HTTPException(status_of(exc), message, headers=dict(headers))
    return HTTPException(status_of(exc), str(exc))


async def chiso_error_json(request: Request, exc: Exception) -> Response:
    """The JSON answer of a chiso error raised by a view: ``{"detail": message}`` with its status."""
    return await http_exception_handler(request, as_http(exc))


#: The methods a 405's ``Allow`` may name.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the application answers at the request's path — the ``Allow``
    of a 405, which Starlette takes from the first route matching the path alone (``GET`` where
    ``GET`` and ``POST`` are two routes). Each method is tried on the routes (``matches``, which
    also walks the routers FastAPI includes without flattening them)."""
    allowed = []
    for method in METHODS:
        for route in request.app.router.routes:
            probe = {"type": "http", "method": method, "path": request.url.path,
                     "root_path": request.scope.get("root_path", ""), "headers": [], "query_string": b""}
            if route.matches(probe)[0] is Match.FULL:
                allowed.append(method)
                break
    return allowed


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    """A 405 (JSON, as FastAPI answers it) whose ``Allow`` names every route's methods at the path."""
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    methods = allowed_methods(request)
    if methods:
        headers["Allow"] = ", ".join(methods)
    return await http_exception_handler(request, StarletteHTTPException(405, exc.detail, headers=headers))


def install_errors(app: FastAPI, handler: Handler = chiso_error_json) -> None:
    """Answer every chiso error raised by a view of ``app`` with ``handler`` (JSON by default), and
    a 405 with the ``Allow`` of every route at its path (``method_not_allowed``)."""
    app.add_exception_handler(ChisoError, handler)
    for cls in OTHERS:
        app.add_exception_handler(cls, handler)
    app.add_exception_handler(405, method_not_allowed)


# ------------------------------------------------------------------ written forms refused at the edge
#: The years a window or a day may name.
FIRST_YEAR, LAST_YEAR = 2000, 2099
_YEAR = "20[0-9]{2}"
#: A day of any year (29 February apart): month and day that every year has.
_MONTH_DAY = ("(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
              "|(?:0[13578]|1[02])-31)")
_LEAP_DAY = "20(?:" + "|".join(f"{y % 100:02d}" for y in range(FIRST_YEAR, LAST_YEAR + 1)
                               if calendar.isleap(y)) + ")-02-29"
_DAY = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_DAY})"
#: ISO week 53 exists in some years only.
_WEEK_53 = "20(?:" + "|".join(f"{y % 100:02d}" for y in range(FIRST_YEAR, LAST_YEAR + 1)
                              if dt.date(y, 12, 28).isocalendar().week == 53) + ")-[Ww]53"
_WEEK = f"(?:{_YEAR}-[Ww](?:0?[1-9]|[1-4][0-9]|5[0-2])|{_WEEK_53})"

#: A day, ``YYYY-MM-DD``, FIRST_YEAR–LAST_YEAR.
DAY = f"^{_DAY}$"
#: A window in every form ``parse_window`` reads (week, quarter, month, year, year to date,
#: range, day), FIRST_YEAR–LAST_YEAR. Only a range's order is not in it (its first day must not
#: come after its last: 400).
WINDOW = (f"^(?:{_WEEK}|{_YEAR}-[Qq][1-4]|{_YEAR}-(?:0?[1-9]|1[0-2])|{_YEAR}|[Yy][Tt][Dd]:{_DAY}"
          f"|{_DAY}\\.\\.{_DAY}|{_DAY})$")
#: A reporting period (kỳ báo cáo) — a year, quarter, month, ISO week or day — FIRST_YEAR–LAST_YEAR.
PERIOD = f"^(?:{_WEEK}|{_YEAR}-[Qq][1-4]|{_YEAR}-(?:0?[1-9]|1[0-2])|{_YEAR}|{_DAY})$"
#: A code of a unit, province, indicator, field or criterion.
CODE = r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$"
#: Examples the schema gives — Bắc Ninh (24), the demo's province, a week and a month of the
#: demo's records — so that a client, and Schemathesis's examples and coverage phases, reach
#: answers past the 404 of an unknown code.
UNIT_EXAMPLES, WINDOW_EXAMPLES, PERIOD_EXAMPLES = ["24"], ["2026-W34"], ["2026-06"]
#: Free text in a filter: no control characters.
TEXT = r"^[^\x00-\x1f\x7f]*$"
WINDOW_FORMS = "2026-W34, 2026-Q3, 2026-08, 2026, ytd:2026-08-17, 2026-08-17 or 2026-08-01..2026-08-17"
PERIOD_FORMS = "2026, 2026-Q3, 2026-08, 2026-W34 or 2026-08-17"
_WINDOW_RE, _PERIOD_RE, _DAY_RE = re.compile(WINDOW), re.compile(PERIOD), re.compile(DAY)


def window_label(text: str | None) -> str | None:
    """The label of the window ``text`` names (None stays None: the default window).

    ``WindowError`` (400) when ``parse_window`` cannot read it — with its reason — or when it
    is not written as ``WINDOW`` states (years FIRST_YEAR–LAST_YEAR)."""
    if text is None:
        return None
    if _WINDOW_RE.fullmatch(text):
        return parse_window(text).label  # a range's order is all it may still refuse
    try:  # not in the pattern: parse_window's own reason when it has one (``2026-W99``: no such week)
        parse_window(text)
    except WindowYearsError:  # the web's narrower years are said below
        pass
    except WindowError:
        raise
    raise WindowError(f"window {text!r}: write {WINDOW_FORMS}, in the years {FIRST_YEAR}–{LAST_YEAR}")


def period_label(text: str | None) -> str | None:
    """The label of the reporting period ``text`` names (None stays None): as ``window_label``,
    and only the forms of ``PERIOD`` (no year to date, no range)."""
    label = window_label(text)
    if text is not None and not _PERIOD_RE.fullmatch(text):
        raise WindowError(f"{text!r} is not a reporting period; write {PERIOD_FORMS} "
                          f"(years {FIRST_YEAR}–{LAST_YEAR})")
    return label


def _iso_day(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` text in FIRST_YEAR–LAST_YEAR is a day (pydantic alone also takes a
    number as seconds since 1970: ``until=0``)."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _DAY_RE.fullmatch(value):
        raise ValueError(f"a day is written YYYY-MM-DD, {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31")
    return value


#: A day parameter: ``YYYY-MM-DD`` (422 otherwise).
Day = Annotated[dt.date, BeforeValidator(_iso_day),
                WithJsonSchema({"type": "string", "format": "date", "pattern": DAY})]
