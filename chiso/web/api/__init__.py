"""The JSON API under ``/api/v1``: one router per subject, gathered in ``router``.

Every route needs a signed-in principal (``chiso.web.security.deps``); see docs/api.md.
Every route declares what it may answer besides success: ``COMMON`` (401 and the statuses of
the error table a read may raise, ``chiso.web.errors``) for all of them, here; each route adds
its own (``WRITES`` for changes, ``NOT_MODIFIED`` for reads with an ETag, 410 or 413 where
they happen).
"""
from __future__ import annotations

from fastapi import APIRouter

from chiso.web.api import (
    completeness,
    connectors,
    indicators,
    maps,
    reconcile,
    records,
    regimes,
    scores,
    sdmx,
    status,
    tasks,
    units,
    values,
    warnings,
)
from chiso.web.errors import COMMON

router = APIRouter(responses=COMMON)
for _module in (units, indicators, values, warnings, connectors, status, scores):
    router.include_router(_module.router)
router.include_router(completeness.router)
router.include_router(tasks.router)
router.include_router(maps.router)
router.include_router(records.router)
router.include_router(reconcile.router)
router.include_router(regimes.router)
router.include_router(sdmx.router)
