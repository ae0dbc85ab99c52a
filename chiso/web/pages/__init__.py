"""Server-rendered pages: one router per page family, gathered in ``router``.

``mount_static(app)`` serves ``chiso/web/static`` (styles, script, vendored HTMX and
ECharts) at ``/static``; ``render`` (chiso.web.pages.render) renders every page.
"""
from __future__ import annotations

from fastapi import APIRouter

from chiso.web.pages import (
    account,
    completeness,
    composite,
    desk,
    inbox,
    indicators,
    leader,
    maps,
    notifications,
    open_data,
    overview,
    rankings,
    reconcile,
    submissions,
    task_page,
    tasks,
    unit_records,
    units,
    wall,
    warnings,
    workflow,
)
from chiso.web.pages.render import mount_static

__all__ = ["router", "mount_static"]

router = APIRouter()
for _family in (overview, rankings, units, wall, indicators, warnings, submissions, workflow, desk, inbox):
    # pages answer HTML to people: the API's schema (/api/v1/openapi.json) lists the API alone
    router.include_router(_family.router, include_in_schema=False)
for _family in (completeness, notifications, tasks, task_page, account, unit_records, maps, leader, reconcile,
                composite, open_data):
    router.include_router(_family.router, include_in_schema=False)
