"""Server-rendered pages: one router per page family, gathered in ``router``.

``mount_static(app)`` serves ``chiso/web/static`` (styles, script, vendored HTMX and
ECharts) at ``/static``; ``render`` (chiso.web.pages.render) renders every page.
"""
from __future__ import annotations

from fastapi import APIRouter

from chiso.web.pages import overview, rankings, units, wall
from chiso.web.pages.render import mount_static

__all__ = ["router", "mount_static"]

router = APIRouter()
router.include_router(overview.router)
router.include_router(rankings.router)
router.include_router(units.router)
router.include_router(wall.router)
from chiso.web.pages import indicators; router.include_router(indicators.router)  # noqa: E402,E702
from chiso.web.pages import warnings; router.include_router(warnings.router)  # noqa: E402,E702
from chiso.web.pages import submissions; router.include_router(submissions.router)  # noqa: E402,E702
from chiso.web.pages import workflow; router.include_router(workflow.router)  # noqa: E402,E702
