"""DM indicator status (tình trạng chỉ số) over the API: each live indicator's latest value,
target, achievement, status and trend, for the province or one of its units.

Leaders, viewers and administrators read every unit of the province; a head or officer
reads their own unit's status.

The first status read after values changed derives the province's values (aggregates and
formula indicators: seconds on the demo, ``chiso.evaluate.dm.service.current_values``, which
keeps them until the values change). One read per province does that at a time
(``_deriving``), in a thread beside the request: a read waits for it up to ``FRESH_WAIT``
(2 s) and otherwise — or when another read is already deriving — gets the last status
derived for the same question at once, marked ``"refreshing": true`` with the time it was
derived (``derived_at``). A dashboard polling during the weekly submissions keeps
answering, and the threads serving the API are never parked behind derivations (under 100
clients with uploads every few seconds they were: reads of every route timed out). Only a
question never answered before waits for its derivation.
"""
from __future__ import annotations

import datetime as dt
import threading
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from chiso.evaluate.dm.service import status_report
from chiso.web.api.access import (
    Principal,
    WebContext,
    check_unit,
    province_for,
    reads_province,
    signed_in,
    web_context,
)
from chiso.web.api.etag import cached
from chiso.web.api.pagination import period_param
from chiso.web.errors import CODE, NOT_MODIFIED, UNIT_EXAMPLES

router = APIRouter(prefix="/api/v1", tags=["status"])

def _deriving(ctx: WebContext, province: str) -> threading.Lock:
    """The lock of one province's status derivations in this application (provinces are
    checked codes: a bounded set)."""
    with ctx.statuses.lock:  # held for a look-up only (ctx.lock is held while scoring)
        return ctx.status_locks.setdefault(province, threading.Lock())


def _derive(ctx: WebContext, key: tuple) -> dict:
    province, unit, at, spread = key
    with ctx.database.session() as session:
        doc = status_report(session, province, unit=unit, at=at, spread=spread)
    last = ctx.statuses.peek(key)
    same = last is not None and {k: v for k, v in last.items() if k not in _STAMPS} == doc
    # the moment this answer was first derived: unchanged answers keep it (and their ETag)
    derived_at = last["derived_at"] if same else dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    doc = {**doc, "derived_at": derived_at, "refreshing": False}
    ctx.statuses.put(key, doc)
    return doc


_STAMPS = ("derived_at", "refreshing")


#: How long a read waits for the refresh it started before answering the last status instead.
FRESH_WAIT = 2.0


def current_status(ctx: WebContext, province: str, unit: str, at: str | None = None,
                   spread: str = "linear", wait: float = FRESH_WAIT) -> dict:
    """The status now — or the last one derived for the same question, marked ``refreshing``,
    when deriving it anew takes longer than ``wait`` seconds or another read is at it (see the
    module). The derivation runs beside the request, one per province at a time."""
    key = (province, unit, at, spread)
    lock = _deriving(ctx, province)
    last = ctx.statuses.get(key)
    if last is None:  # never answered: wait for whatever derivation is under way, then derive
        with lock:
            return _derive(ctx, key)
    if not lock.acquire(blocking=False):
        return {**last, "refreshing": True}
    done, failed = threading.Event(), []

    def refresh() -> None:
        try:
            _derive(ctx, key)
        except Exception as exc:  # noqa: BLE001 - handed to the request that started it
            failed.append(exc)
        finally:
            lock.release()
            done.set()

    threading.Thread(target=refresh, name=f"chiso-status-{province}", daemon=True).start()
    if not done.wait(wait):
        return {**last, "refreshing": True}
    if failed:
        raise failed[0]
    return ctx.statuses.peek(key, last)


@router.get("/status", summary="Tình trạng chỉ số CĐĐH / DM indicator status", responses=NOT_MODIFIED)
def status(request: Request, province: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES),
           unit: str | None = Query(None, pattern=CODE, examples=UNIT_EXAMPLES,
                                   description="a unit of the province (default: the province)"),
           at: str | None = Depends(period_param("at", "period to judge (default: the latest): 2026, 2026-Q3, "
                                                       "2026-08, 2026-W34 or 2026-08-17")),
           spread: Literal["linear", "seasonal"] = "linear",
           field: str | None = Query(None, pattern=CODE, description="only this field group"),
           principal: Principal = Depends(signed_in), ctx: WebContext = Depends(web_context)):
    """Each live indicator's latest value, target, achievement, status and trend."""
    province = province_for(principal, province, ctx)
    unit = unit or (province if reads_province(principal) else principal.unit_code)
    check_unit(principal, unit, ctx)
    if ctx.tree.get(unit).province_code != province:
        raise HTTPException(404, f"no unit {unit} in province {province}")
    doc = current_status(ctx, province, unit, at, spread)
    if field is not None:
        doc["indicators"] = [r for r in doc["indicators"] if r.get("field") == field]
    return cached(request, doc)
