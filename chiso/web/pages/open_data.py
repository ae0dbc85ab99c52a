"""Dữ liệu mở (``/du-lieu-mo``): the indicators the province publishes, for anyone, no sign-in.

Routes (every one answers without an account; none reads or needs a session):

- ``GET /du-lieu-mo`` — every public indicator of the province (``CHISO_PROVINCE``): its latest
  published value and period (as people say it: *Tháng 10/2026*, *Tuần 48/2026*), target,
  achievement, status — *Không đạt chỉ tiêu* and *Chậm tiến độ* shown as they are —, owner agency
  and source; the figures awaiting publication named;
- ``GET /du-lieu-mo/{code}`` — the stable address of one indicator: its definition, series and
  every target with its outcome; an indicator that is not public (or not in operation) is 404,
  the same answer as an unknown code;
- ``GET /du-lieu-mo.csv``, ``/du-lieu-mo.json`` — everything; ``/du-lieu-mo/{code}.csv`` and
  ``.json`` — one indicator. CSV: UTF-8 with a byte order mark (Excel reads the diacritics), a
  decimal point, every cell through ``chiso.text.csv_field``; headers in the page's language
  (``?lang=en``: English). JSON: keys in English, labels in the language.

The data is ``chiso.evaluate.open_data`` (published values only, see there), cached
``OPEN_DATA_SECONDS`` per province and day and dropped with the other views of indicator
values (``WebContext.forget_values``: an approval in this process shows at once). Every answer
carries a strong ``ETag`` of its bytes and answers ``304`` to a matching ``If-None-Match``; the
downloads may be kept ``DOWNLOAD_MAX_AGE`` seconds by any cache (``public``), the pages are
revalidated each time (``no-cache``: their language follows a cookie).
"""
from __future__ import annotations

import hashlib
import json
import re

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from chiso import settings
from chiso.collect.values.submit import local_today
from chiso.evaluate.open_data import PUBLISHED_STATES, STATUSES, OpenData, PublicIndicator, open_data
from chiso.periods.spoken import spoken_period
from chiso.text import csv_field, format_number
from chiso.web.context import DM_VALUES, WebContext, web_context
from chiso.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, format_period, request_language, translate
from chiso.web.pages.render import render

router = APIRouter()

#: The address of the open data page (Vietnamese, without diacritics: safe to type and to print).
PATH = "/du-lieu-mo"
#: How long the assembled data is reused before it is read again (seconds).
OPEN_DATA_SECONDS = 300.0
#: How long a cache may keep a download without asking again (seconds).
DOWNLOAD_MAX_AGE = 300
#: ``{code}.csv`` / ``{code}.json``: a catalogue code is upper case, so the lower-case suffix is unambiguous.
_DOWNLOAD = re.compile(r"^(?P<code>.+)\.(?P<fmt>csv|json)$")
#: The CSV columns, in order (headers: ``open_data.csv.<key>`` in the language).
CSV_COLUMNS = ("code", "name", "field", "unit", "period", "period_code", "start", "end", "value", "target",
               "target_period", "achievement", "status", "owner", "owner_code", "source", "address")


# ---------------------------------------------------------------------------- the data
def current(ctx: WebContext) -> OpenData:
    """The province's open data, read at most every ``OPEN_DATA_SECONDS`` (and after every value
    write, approval or catalogue change in this process)."""
    province = settings.province()
    today = local_today()

    def compute() -> OpenData:
        with ctx.database.session() as s:
            return open_data(s, province, tree=ctx.tree, today=today)

    return ctx.short_lived((DM_VALUES, "open_data", province, today), OPEN_DATA_SECONDS, compute)


def download_language(request: Request) -> str:
    """The language of a download: ``?lang=`` only (the address alone says what it holds)."""
    asked = request.query_params.get("lang")
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


def address(request: Request, code: str | None = None) -> str:
    """The absolute address of the page, or of one indicator."""
    base = str(request.base_url).rstrip("/")
    return f"{base}{PATH}" + (f"/{code}" if code else "")


def number(value: float | None) -> str | None:
    """A number as a data file writes it: ``62000``, ``13.6`` (a decimal point, no grouping)."""
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def status_label(lang: str, status: str) -> str:
    return translate(lang, f"open_data.status.{status}")


# ---------------------------------------------------------------------------- answers
def tagged(request: Request, body: bytes, media_type: str, *, cache_control: str,
           headers: dict[str, str] | None = None) -> Response:
    """``body`` with a strong ETag; 304 when the client holds it already."""
    tag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    out = {"ETag": tag, "Cache-Control": cache_control, **(headers or {})}
    wanted = request.headers.get("if-none-match")
    if wanted and (wanted.strip() == "*" or tag in [t.strip() for t in wanted.split(",")]):
        return Response(status_code=304, headers=out)
    return Response(body, media_type=media_type, headers=out)


def page(request: Request, template: str, context: dict) -> Response:
    """A page for anyone (no principal: the public header, no navigation of the signed-in pages)."""
    lang = request_language(request)

    def figure(value: float | None) -> str:  # a figure as the page writes it: 62.000, 91,46
        return format_number(value, 2, lang, trim=True)

    def inline_period(label: str) -> str:  # a period inside a sentence: "số liệu tháng 11/2026"
        return spoken_period(label, lang, capital=False)

    rendered = render(request, template, {**context, "figure": figure, "inline_period": inline_period},
                      principal=None, active="open_data")
    answer = tagged(request, rendered.body, "text/html; charset=utf-8", cache_control="no-cache",
                    headers={"Vary": "Cookie"})
    for name, value in rendered.headers.items():
        if name.lower() == "set-cookie":  # ?lang= remembered
            answer.headers.append(name, value)
    return answer


def download(request: Request, body: bytes, media_type: str, filename: str) -> Response:
    return tagged(request, body, media_type, cache_control=f"public, max-age={DOWNLOAD_MAX_AGE}",
                  headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# ---------------------------------------------------------------------------- files
def csv_rows(items: tuple[PublicIndicator, ...], lang: str, request: Request) -> list[list]:
    """One row per published value of each indicator (the latest last)."""
    rows = []
    for item in items:
        ind = item.indicator
        field = item.field_name[0] if lang == "vi" else item.field_name[1]
        for p in item.points:
            rows.append([ind.code, ind.name if lang == "vi" else ind.name_en, field, ind.unit,
                         format_period(p.period, lang), p.period, p.start.isoformat(), p.end.isoformat(),
                         number(p.value), number(p.target), p.target_period, number(p.achievement),
                         status_label(lang, p.status), item.owner_name, ind.owner, ind.source_system,
                         address(request, ind.code)])
    return rows


def csv_body(items: tuple[PublicIndicator, ...], lang: str, request: Request) -> bytes:
    header = [translate(lang, f"open_data.csv.{key}") for key in CSV_COLUMNS]
    lines = [",".join(csv_field(v) for v in row) for row in [header, *csv_rows(items, lang, request)]]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def indicator_document(item: PublicIndicator, lang: str, request: Request) -> dict:
    """One public indicator as JSON: its attributes, latest value and status, targets, series."""
    ind = item.indicator

    def point(p) -> dict:
        return {**p.as_dict(), "period_label": format_period(p.period, lang),
                "status_label": status_label(lang, p.status)}

    return {
        "code": ind.code, "name": ind.name, "name_en": ind.name_en, "definition": ind.definition,
        "field": {"code": ind.field, "name": item.field_name[0], "name_en": item.field_name[1]},
        "unit": ind.unit, "polarity": ind.polarity, "frequency": ind.frequency, "cumulative": ind.cumulative,
        "owner": {"code": ind.owner, "name": item.owner_name}, "source": ind.source_system,
        "legal_basis": ind.legal_basis, "address": address(request, ind.code),
        "status": item.status, "status_label": status_label(lang, item.status),
        "latest": None if item.latest is None else point(item.latest),
        "awaiting": None if item.awaiting is None else {
            "period": item.awaiting, "period_label": format_period(item.awaiting, lang)},
        "targets": [{**t.as_dict(), "period_label": format_period(t.period, lang),
                     "outcome_label": translate(lang, f"open_data.outcome.{t.outcome}")} for t in item.targets],
        "series": [point(p) for p in item.points],
    }


def json_body(data: OpenData, items: tuple[PublicIndicator, ...], lang: str, request: Request) -> bytes:
    doc = {"province": {"code": data.province, "name": data.province_name}, "as_of": data.today.isoformat(),
           "address": address(request), "published_states": list(PUBLISHED_STATES),
           "indicators": [indicator_document(i, lang, request) for i in items]}
    return json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False).encode("utf-8")


# ---------------------------------------------------------------------------- routes
def _common(data: OpenData) -> dict:
    return {"data": data, "province_name": data.province_name, "statuses": STATUSES, "path_root": PATH}


@router.get(PATH, response_class=HTMLResponse)
def open_data_page(request: Request, ctx: WebContext = Depends(web_context)):
    data = current(ctx)
    counts = data.counts()
    return page(request, "open_data.html", {**_common(data), "counts": counts})


@router.get(PATH + ".csv")
def open_data_csv(request: Request, ctx: WebContext = Depends(web_context)):
    data = current(ctx)
    return download(request, csv_body(data.indicators, download_language(request), request),
                    "text/csv; charset=utf-8", f"du-lieu-mo-{data.province}.csv")


@router.get(PATH + ".json")
def open_data_json(request: Request, ctx: WebContext = Depends(web_context)):
    data = current(ctx)
    return download(request, json_body(data, data.indicators, download_language(request), request),
                    "application/json", f"du-lieu-mo-{data.province}.json")


@router.get(PATH + "/{name}", response_class=HTMLResponse)
def open_indicator(name: str, request: Request, ctx: WebContext = Depends(web_context)):
    """One indicator's page, or its data (``{code}.csv``, ``{code}.json``)."""
    data = current(ctx)
    wanted = _DOWNLOAD.match(name)
    item = data.get(wanted["code"] if wanted else name)  # NotFoundError: 404, not public or no such code
    if wanted:
        lang = download_language(request)
        if wanted["fmt"] == "csv":
            return download(request, csv_body((item,), lang, request), "text/csv; charset=utf-8",
                            f"{item.code}.csv")
        return download(request, json_body(data, (item,), lang, request), "application/json", f"{item.code}.json")
    return page(request, "open_data_indicator.html", {**_common(data), "item": item,
                                                      "page_address": address(request, item.code)})


__all__ = ["CSV_COLUMNS", "DOWNLOAD_MAX_AGE", "OPEN_DATA_SECONDS", "PATH", "router"]
