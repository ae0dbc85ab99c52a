"""Pushing records (nạp hồ sơ qua API): ``POST /api/v1/records/{kind}``.

A one-stop system (or the national portal's relay) sends a batch of one record kind —
dossiers, procedures, publications or petitions — as JSON lines, CSV or Parquet. The batch
goes through ``chiso.collect.load.load_batch``: the reader, validation, derivation, upsert,
change log, load log and register of ``chiso load``, all of it or nothing. The answer is the
batch's stamp: its name, how many records it inserted, updated and left unchanged, the
record store's change stamp and the web's data generation after it — the next score read,
page or API, already sees the batch (``WebContext.forget_scores``).

Who: an API token with scope ``read ingest`` (a session never pushes records: no CSRF
question arises, and a leaked values token cannot rewrite the records the index is
computed from). What: the records of the token's own unit (``deps.can_write_for``: an
administrator's token any unit). Where to: the record store must be writable from the
web — PostgreSQL records always are (a connection of the batch's own), DuckDB only when
``CHISO_INGEST_WRITER=web`` made the one web process hold the writer; otherwise 503 naming
the setting.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from starlette.concurrency import run_in_threadpool

from chiso import settings
from chiso.collect.load import load_batch
from chiso.errors import LoadError, SettingsError
from chiso.evaluate import kept
from chiso.files.reasons import size_text
from chiso.store.records import open_records
from chiso.web.api.uploads import refused
from chiso.web.context import WebContext, web_context
from chiso.web.errors import WRITES, ErrorAnswer, Refusal, declared
from chiso.web.security.deps import can_write_for, current_principal
from chiso.web.security.principal import Principal

router = APIRouter(prefix="/api/v1/records", tags=["records"])

#: The media types of a batch and the format each is read as.
MEDIA_TYPES: dict[str, str] = {
    "application/x-ndjson": "jsonl", "application/jsonl": "jsonl", "application/jsonlines": "jsonl",
    "text/csv": "csv", "application/vnd.apache.parquet": "parquet", "application/octet-stream": "parquet",
}
#: The record kinds (``chiso.catalog.records.RECORD_KINDS``; a test holds them equal).
Kind = Literal["dossiers", "procedures", "publications", "petitions"]

WRITER = "CHISO_INGEST_WRITER"
#: How many keys of ignored (stale) records the answer lists; ``stale`` counts them all.
STALE_LISTED = 100


def web_writes_records() -> bool:
    """Whether the web process holds the record store writable (``CHISO_INGEST_WRITER=web``)."""
    value = (settings.get(WRITER) or "").strip().lower()
    if value not in ("", "web"):
        raise SettingsError(f"{WRITER} must be 'web' or unset, not {value!r}")
    return value == "web"


async def require_ingest(principal: Principal = Depends(current_principal)) -> Principal:
    """An API token with the ``ingest`` scope; 403 for a session or any other token."""
    if principal.via != "token" or not principal.can("ingest"):
        held = "a browser session" if principal.via != "token" else f"a token with scope '{' '.join(sorted(principal.scopes))}'"
        raise HTTPException(403, "Nạp hồ sơ cần mã truy cập phạm vi 'read ingest' (chiso users token create --scope "
                                 f"'read ingest'); yêu cầu này dùng {held} / pushing records needs an API token with "
                                 f"scope 'read ingest'; this request uses {held}")
    return principal


#: One batch at a time per process: a batch's upsert and the next one's read of stored records
#: must not interleave. Across processes (several web workers, a connector run) the store orders
#: them itself: a batch's version check, write and kept versions are one records transaction
#: under the kind's versions lock (``RecordStore.lock_versions``: PostgreSQL's advisory lock;
#: DuckDB has one writer).
_ONE_BATCH = threading.Lock()


def _postgres_url() -> str | None:
    url = settings.records_url()
    return url if url.startswith(("postgresql:", "postgresql+psycopg:", "postgres:")) else None


def _check_writable(ctx: WebContext) -> None:
    """503 naming the setting when a batch cannot be written from the web."""
    if ctx.records.READ_ONLY_REASON and _postgres_url() is None:
        raise HTTPException(503, "Kho hồ sơ DuckDB đang mở chỉ đọc; đặt CHISO_INGEST_WRITER=web (chiso serve một "
                                 "tiến trình) hoặc dùng PostgreSQL (CHISO_RECORDS_URL) để nạp hồ sơ qua API / "
                                 "the DuckDB record store is open read-only: set CHISO_INGEST_WRITER=web (chiso serve "
                                 "with one worker) or keep records in PostgreSQL (CHISO_RECORDS_URL) to push records")


@contextmanager
def _writer(ctx: WebContext) -> Iterator[tuple[object, object]]:
    """The writable record store for a batch and the lock to hold while writing: the web's own
    store (DuckDB held writable, or a store given writable) under ``ctx.lock``, else a fresh
    connection to the PostgreSQL records; 503 naming the setting when neither is possible."""
    if not ctx.records.READ_ONLY_REASON:
        yield ctx.records, ctx.lock
        return
    _check_writable(ctx)
    own = open_records(_postgres_url())
    try:
        yield own, nullcontext()
    finally:
        own.close()


async def _body(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it passes ``limit`` — a declared length first."""
    declared_length = request.headers.get("content-length")
    too_large = HTTPException(413, f"Lô hồ sơ lớn hơn {size_text(limit)} (CHISO_INGEST_MAX_BYTES) / "
                                   f"the batch is larger than {size_text(limit)} (CHISO_INGEST_MAX_BYTES)")
    if declared_length and declared_length.isdigit() and int(declared_length) > limit:
        raise too_large
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise too_large
    return bytes(data)


def _load(ctx: WebContext, principal: Principal, kind: str, fmt: str, data: bytes) -> dict:
    with _ONE_BATCH, _writer(ctx) as (store, lock):
        with lock:
            before = store.stamp()
            done = load_batch(data, fmt, kind, store, ctx.tree, ctx.database, loaded_by=principal.username,
                              may_write_for=lambda unit: can_write_for(principal, unit, ctx.tree))
            # counts kept between refreshes follow at once: only the days (weeks) the batch
            # touched are recounted, here rather than in the first read after it
            if kept.entries(store):
                kept.refresh(ctx.definition, store)
            stamp = store.stamp()
            days, everything = store.changed_days(kind, before) if stamp != before else (set(), False)
        if store is ctx.records and ctx.checkpoints is not None:
            ctx.checkpoints.written()  # the log folded into the file once pushes go quiet, not now
        if everything or days:  # the next score read, page or API, computes from the batch; the
            ctx.forget_scores(None if everything else min(days))  # windows that ended before it stay
        ctx.saw_load(done.report.batch)
    report, f = done.report, done.report.files[0]
    return {"batch": report.batch, "kind": f.kind, "rows": f.rows + len(done.stale), "inserted": f.inserted,
            "updated": f.updated, "unchanged": f.unchanged, "stale": len(done.stale),
            "stale_keys": list(done.stale[:STALE_LISTED]), "sha256": f.sha256, "records_stamp": stamp,
            "generation": ctx.generation, "loaded_by": principal.username}


@router.post("/{kind}", summary="Nạp lô hồ sơ / push a batch of records",
             responses={**WRITES, **declared(413),
                        403: {"model": ErrorAnswer, "description": "not a token with scope 'read ingest', or "
                              "records of a unit the token's owner may not write for (every such unit named)"},
                        415: {"model": ErrorAnswer, "description": "a media type that is not JSON lines, CSV or "
                              "Parquet"},
                        422: {"model": Refusal, "description": "the batch refused whole, every problem with its "
                              "row as the sender numbers it, its field and reason; nothing was written"},
                        503: {"model": ErrorAnswer, "description": "the record store cannot be written from the "
                              "web (DuckDB read-only: CHISO_INGEST_WRITER)"}})
async def ingest(request: Request, kind: Kind = Path(description="record kind"),
                 principal: Principal = Depends(require_ingest), ctx: WebContext = Depends(web_context)):
    """Push one batch of records of ``kind`` (body: ``application/x-ndjson``, ``text/csv`` or
    ``application/vnd.apache.parquet`` / ``application/octet-stream``): validated, derived and
    written as ``chiso load`` writes a file, all of it or nothing; a re-sent batch changes
    nothing. The answer is the batch's stamp."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = MEDIA_TYPES.get(media)
    if fmt is None:
        raise HTTPException(415, f"Kiểu nội dung {media or '(không có)'!r} không được nhận; dùng "
                                 f"{', '.join(MEDIA_TYPES)} / media type {media or '(none)'!r} is not accepted; "
                                 f"use {', '.join(MEDIA_TYPES)}")
    _check_writable(ctx)  # before the body is read
    data = await _body(request, settings.whole_number("CHISO_INGEST_MAX_BYTES"))
    name = f"{kind}.{fmt}"
    try:
        return await run_in_threadpool(_load, ctx, principal, kind, fmt, data)
    except LoadError as error:
        head = error.problems[0].reason if error.problems else "the batch was refused"
        return refused(error, f"{name}: refused, nothing was written — {head}")
