"""Bulletins on the web: the bulletin page, its files, and the archive of issued bulletins.

- ``GET /reports/{province}?window=&lang=`` — the bulletin as an HTML page;
- ``GET /api/v1/reports/{province}?window=&format=pdf|docx|xlsx|html&lang=vi|en`` — the file;
- ``GET /api/v1/reports/{province}/archive`` — issued bulletins, newest first;
- ``GET /api/v1/reports/archive/{id}`` — one archived file, as it was issued (its SHA-256 checked);
- ``GET /reports/{province}/tasks.xlsx?unit=&as_of=`` — the list of open assigned tasks the office
  sends to agencies (``chiso.reports.task_followup``): leaders, administrators and the office get
  the province's (or one agency's, ``unit``), a head or officer their own unit's.

``reports_router`` builds the router over a score source (the record store by default).

Building a bulletin scores twelve weeks and reads the DM state (≈ 26 s once on the demo), so a
built bulletin is cached (``BulletinCache``) per province, window and **data stamp** — what the
bulletin is made of: the records loaded (``load_batches``), the values, the catalogue, the
warnings and the connectors' runs (counts and latest ids), and the day (a connector becomes
stale with time); the rendered page and files are cached per language and format on top. Any
change in the store gives another stamp, so a changed bulletin is built anew.

A province the unit tree does not have is refused (404) before the store is opened or anything
is scored; a window is read as the API reads it (``chiso.web.errors.window_label``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import DBAPIError

from chiso.catalog.index_definition import load_index_definition
from chiso.catalog.presentation import view_name
from chiso.collect.values.submit import local_today
from chiso.errors import ChisoError
from chiso.reports.html import render_html
from chiso.reports.render import FORMATS, check, file_name, render
from chiso.reports.service import bulletin_for
from chiso.reports.sources import RecordsSource
from chiso.reports.task_followup import file_name as followup_name
from chiso.reports.task_followup import followup_rows, followup_workbook
from chiso.store.database import current_revision, head_revision, open_database
from chiso.store.models import LoadBatch
from chiso.store.models_catalogue import IndicatorVersion, LifecycleTransition
from chiso.store.models_evaluation import StatisticalValueRow, TargetRow, WarningEvent, WarningRow
from chiso.store.models_reports import BulletinArchive
from chiso.store.models_tasks import TaskChange, TaskEvent, TaskRow
from chiso.store.models_values import ConnectorRun, IndicatorValue, IndicatorValueHistory, ValueSubmission
from chiso.store.repo_reports import list_archive
from chiso.units import load_units
from chiso.web.api.pagination import WindowText
from chiso.web.cache import BoundedCache
from chiso.web.errors import CODE, COMMON, UNIT_EXAMPLES, WINDOW_EXAMPLES, as_http, declared, window_label
from chiso.web.security.deps import Principal, current_principal
from chiso.web.security.tasks import UNIT_ROLES, is_office, office_unit

#: What a bulletin file may be (the schema's ``format`` and ``lang``; ``check`` refuses others, 400).
FORMAT = {"enum": list(FORMATS)}
LANG = {"enum": ["vi", "en"]}
#: The media types of a bulletin file.
FILES = {200: {"description": "the bulletin file", "content": {media.split(";")[0]: {} for _, media in
                                                               FORMATS.values()}}}
#: The answers of an archived file besides ``COMMON``: the file gone (410), or changed since (409).
ARCHIVED = {**FILES, **declared(409, 410)}


def _problem(e: Exception) -> HTTPException:
    """A refused bulletin as HTTP: a chiso error with the status of its class (``chiso.web.errors``:
    this router also serves apps without chiso's error handlers), a bad key or value 400."""
    if isinstance(e, ChisoError):
        return as_http(e)
    return HTTPException(400, e.args[0] if e.args else str(e))


def data_stamp(db) -> tuple | None:
    """What a bulletin is made of, as counts and latest ids of the relational store (``None``
    without a prepared store): records loaded, values, catalogue, warnings, connector runs, and
    the task register (tasks, their changes, their events)."""
    if db is None:
        return None
    from sqlalchemy import func, select

    with db.session() as s:
        out = [s.scalar(select(func.max(LoadBatch.id)))]
        for model in (ValueSubmission, IndicatorValue, IndicatorValueHistory, IndicatorVersion, LifecycleTransition,
                      TargetRow, StatisticalValueRow, WarningRow, WarningEvent, ConnectorRun, TaskRow, TaskChange,
                      TaskEvent):
            out.append(s.scalar(select(func.count()).select_from(model)))
        out.append(s.scalar(select(func.max(WarningRow.updated_at))))
    return tuple(out)


def followup_unit(principal: Principal, province: str, unit: str | None) -> str | None:
    """Whose open tasks ``principal`` may download: leaders, administrators and the office any
    agency's of their province (``unit``) or all (None); a head or officer only their own unit's
    (whatever ``unit`` says, another unit is refused); anyone else nothing (403)."""
    if principal.role != "admin" and principal.province_code != province:
        raise HTTPException(403, f"không có quyền xem nhiệm vụ của tỉnh {province} / not allowed for province "
                                 f"{province}")
    if principal.role in ("admin", "leader") or is_office(principal):
        return unit
    if principal.role in UNIT_ROLES and principal.unit_code:
        if unit not in (None, principal.unit_code):
            raise HTTPException(403, f"chỉ xem được nhiệm vụ của đơn vị mình ({principal.unit_code}) / only your "
                                     f"own unit's tasks ({principal.unit_code})")
        return principal.unit_code
    raise HTTPException(403, "danh sách nhiệm vụ dành cho lãnh đạo, Văn phòng UBND tỉnh và đơn vị chủ trì / the "
                             "task list is for leaders, the office and the lead units")


def _rendered_size(value) -> int:
    """The bytes of a cached page (text) or file (``(content, media type)``); 0 for a bulletin."""
    if isinstance(value, bytes | str):
        return len(value)
    if isinstance(value, tuple):
        return sum(len(v) for v in value if isinstance(v, bytes | str))
    return 0


class BulletinCache(BoundedCache):
    """Built bulletins and their rendered page and files, least recently used dropped first
    (a ``BoundedCache`` of ``size * 8`` entries and ``max_bytes`` of pages and files).

    Keys: (province, window asked, data stamp) for a bulletin; the same plus format and language
    for what was rendered from it. One bulletin is built at a time (a second view of the same
    bulletin waits for the first instead of building it again)."""

    def __init__(self, size: int = 16, max_bytes: int = 128 << 20):
        super().__init__(size * 8, max_bytes=max_bytes, sizeof=_rendered_size)
        self.building = threading.Lock()
        self.builds = 0


def reports_router(source=None, *, store=None, tree=None, definition=None, lock: threading.Lock | None = None,
                   database: Callable | None = None, cache: BulletinCache | None = None,
                   generation: Callable[[], int] = lambda: 0) -> APIRouter:
    """The bulletin routes over ``source`` (a ``chiso.reports.sources.ScoreSource``), or over the
    record store ``store`` with ``tree`` and ``definition``; ``database`` opens the relational
    store holding the archive (default: ``open_database()``). Built bulletins are cached in
    ``cache`` (a new ``BulletinCache`` by default); ``generation`` is the web context's data
    generation (records reloaded in this process)."""
    if source is None:
        if store is None:
            raise ValueError("reports_router needs a score source, or a record store")
        if definition is None:
            definition = load_index_definition()
        if tree is None:
            tree = load_units()
        source = RecordsSource(definition, store, tree, lock)
    if database is None:
        database = open_database
    router = APIRouter(tags=["bulletins"], responses=COMMON)
    bulletins = cache if cache is not None else BulletinCache()
    router.bulletins = bulletins  # type: ignore[attr-defined] - for tests and the application

    def known(province: str) -> None:
        """404 for a province the unit tree does not have (without a tree: the source's answer)."""
        if tree is not None and (province not in tree or tree.get(province).level != "province"):
            raise HTTPException(404, f"no province with code {province!r}")

    def bulletin(province: str, window: str | None, view: str | None = None):
        """(the bulletin, its cache key): built once per province, window, group view and data stamp."""
        known(province)
        try:
            window = window_label(window)
            view = view_name(view)  # six or five: the asked one, else CHISO_GROUP_VIEW
        except ChisoError as e:
            raise _problem(e) from None
        db = _prepared()
        try:
            key = ("bulletin", province, window, view, generation(), dt.datetime.now(dt.UTC).date(),
                   data_stamp(db))
            found = bulletins.get(key)
            if found is not None:
                return found, key
            with bulletins.building:
                found = bulletins.get(key)
                if found is None:
                    found = bulletin_for(source, province, window, db=db, view=view)
                    bulletins.builds += 1
                    bulletins.put(key, found)
            return found, key
        except (ChisoError, KeyError, ValueError) as e:
            raise _problem(e) from None
        finally:
            if db is not None:
                db.dispose()

    def rendered(key: tuple, what: tuple, make):
        """What was rendered from the bulletin of ``key`` (``what``: format and language), cached."""
        return bulletins.get_or_build((*key, *what), make)

    def _prepared():
        """The store for the DM section, when it is prepared and current (else no DM section)."""
        try:
            db = database()
        except ChisoError:
            return None
        if current_revision(db) != head_revision():
            db.dispose()
            return None
        return db

    @router.get("/api/v1/reports/{province}", responses=FILES)
    def api_report(province: str = PathParam(pattern=CODE, examples=UNIT_EXAMPLES),
                   window: WindowText | None = Query(None, examples=WINDOW_EXAMPLES),
                   format: str = Query("pdf", description="pdf, docx, xlsx or html", json_schema_extra=FORMAT),
                   lang: str = Query("vi", description="vi or en", json_schema_extra=LANG),
                   view: Literal["six", "five"] | None = Query(
                       None, description="groups shown: six (online services /12 + online payment /10) or five "
                       "(online service provision /22); default the setting CHISO_GROUP_VIEW")) -> Response:
        """A province's bulletin for a window (default: the latest complete week) as a file."""
        try:
            check(format, lang)
        except ValueError as e:
            raise _problem(e) from None
        b, key = bulletin(province, window, view)
        content, media_type = rendered(key, (format, lang), lambda: _file(render(b, format, lang)))
        disposition = "inline" if format == "html" else "attachment"
        return Response(content, media_type=media_type, headers={
            "Content-Disposition": f'{disposition}; filename="{file_name(province, b.window, format, lang)}"'})

    def _file(r) -> tuple[bytes, str]:
        return r.content, r.media_type

    @router.get("/reports/{province}", response_class=HTMLResponse, include_in_schema=False)  # a page
    def report_page(province: str = PathParam(pattern=CODE, examples=UNIT_EXAMPLES), window: WindowText | None = None,
                    lang: str = Query("vi", json_schema_extra=LANG), nhom: str | None = None,
                    view: str | None = None) -> HTMLResponse:
        """The bulletin page (``?nhom=5|6`` or ``view=five|six``: the group view)."""
        if lang not in ("vi", "en"):
            raise HTTPException(400, f"language {lang!r}: vi or en")
        b, key = bulletin(province, window, nhom or view)
        return HTMLResponse(rendered(key, ("page", lang), lambda: render_html(b, lang, downloads=True)))

    @router.get("/reports/{province}/tasks.xlsx", include_in_schema=False)  # a download from the pages
    def task_followup(province: str = PathParam(pattern=CODE, examples=UNIT_EXAMPLES),
                      unit: str | None = Query(None, pattern=CODE), as_of: dt.date | None = None,
                      principal: Principal = Depends(current_principal)) -> Response:
        """Danh sách nhiệm vụ chưa hoàn thành: the province's open tasks (or one agency's) as XLSX."""
        known(province)
        unit = followup_unit(principal, province, unit)
        if unit is not None and (tree is not None and (unit not in tree or unit == province
                                                       or tree.province_of(unit).code != province)):
            raise HTTPException(404, f"không có đơn vị {unit} trong tỉnh {province} / no unit {unit!r} "
                                     f"in province {province}")
        day = as_of or local_today()
        try:
            db = database()
        except ChisoError as e:
            raise _problem(e) from None
        try:
            with db.session() as s:
                units = tree if tree is not None else load_units()
                rows = followup_rows(s, province, day, units, unit=unit)
        except DBAPIError as e:  # an unprepared store has no task register
            raise HTTPException(503, f"the task register cannot be read: run `chiso init` "
                                     f"({type(e).__name__})") from None
        finally:
            db.dispose()
        content = followup_workbook(rows, province=province, as_of=day, tree=units, office=office_unit(province),
                                    unit=unit)
        return Response(content, media_type=FORMATS["xlsx"][1], headers={
            "Content-Disposition": f'attachment; filename="{followup_name(province, day, unit)}"'})

    def _archive_rows(province: str | None, limit: int) -> list[dict]:
        try:
            db = database()
        except ChisoError as e:
            raise _problem(e) from None
        try:
            with db.session() as s:
                return [{"id": r.id, "province": r.province, "window": r.window, "lang": r.lang,
                         "format": r.format, "sha256": r.sha256, "size": r.size, "issued_by": r.issued_by,
                         "issued_at": r.issued_at.isoformat(), "schedule_id": r.schedule_id,
                         "url": f"/api/v1/reports/archive/{r.id}", "_path": r.path}
                        for r in list_archive(s, province=province, limit=limit)]
        except DBAPIError as e:  # an unprepared store has no archive table (nothing else is a 503)
            raise HTTPException(503, f"the bulletin archive cannot be read: run `chiso init` "
                                     f"({type(e).__name__})") from None
        finally:
            db.dispose()

    @router.get("/api/v1/reports/{province}/archive")
    def api_archive(province: str = PathParam(pattern=CODE, examples=UNIT_EXAMPLES),
                    limit: int = Query(100, ge=1, le=1000)) -> dict:
        """Issued bulletins of a province, newest first."""
        known(province)
        rows = _archive_rows(province, limit)
        return {"province": province, "bulletins": [{k: v for k, v in r.items() if k != "_path"} for r in rows]}

    @router.get("/api/v1/reports/archive/{archive_id}", responses=ARCHIVED)
    def api_archived_file(archive_id: int = PathParam(ge=1, le=2**31 - 1)) -> Response:
        """One archived bulletin file, exactly as issued."""
        try:
            db = database()
        except ChisoError as e:
            raise _problem(e) from None
        try:
            with db.session() as s:
                row = s.get(BulletinArchive, archive_id)
                if row is None:
                    raise HTTPException(404, f"no archived bulletin {archive_id}")
                path, digest, fmt = Path(row.path), row.sha256, row.format
        finally:
            db.dispose()
        try:
            content = path.read_bytes()
        except OSError:
            raise HTTPException(410, f"archived bulletin {archive_id}: its file {path} is gone") from None
        if hashlib.sha256(content).hexdigest() != digest:
            raise HTTPException(409, f"archived bulletin {archive_id}: {path} no longer matches its SHA-256")
        return Response(content, media_type=FORMATS[fmt][1],
                        headers={"Content-Disposition": f'attachment; filename="{path.name}"'})

    return router
