"""The JSON API under ``/api/v1``: one router per subject, gathered in ``router``.

Every route needs a signed-in principal (``chiso.web.security.deps``); see docs/api.md.
"""
from __future__ import annotations

from fastapi import APIRouter

from chiso.web.api import connectors, indicators, scores, status, units, values, warnings

router = APIRouter()
for _module in (units, indicators, values, warnings, connectors, status, scores):
    router.include_router(_module.router)
