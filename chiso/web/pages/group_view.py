"""Cách trình bày nhóm trên trang (a page's group view): six groups or five.

A page shows the 766 score's groups in the view the deployment chose (``CHISO_GROUP_VIEW``)
unless it is asked otherwise with ``?nhom=5`` or ``?nhom=6`` (``chiso.catalog.presentation``).
A page reads the view with :func:`page_view` and derives what it shows with ``present`` /
``present_frame``; the small switch (``templates/_group_view.html``) links the same page in
the other view. A wrong ``nhom`` is answered 400 (a ``SettingsError``).
"""
from __future__ import annotations

from fastapi import Request

from chiso.catalog.presentation import PAGE_PARAMETER, SIX, VIEWS, GroupView, group_view, group_views, present

#: ``?nhom=`` value of each view on links (the number of groups).
NUMBER = {"six": "6", "five": "5"}


def page_view(request: Request, definition) -> GroupView:
    """The view this request asks for (``?nhom=5|6``), else the deployment's."""
    return group_view(definition, request.query_params.get(PAGE_PARAMETER))


def switch(definition, view: GroupView) -> dict:
    """What the switch shows: each view of the definition with its name and its ``?nhom=`` value."""
    views = group_views(definition)
    return {"current": view.code, "parameter": PAGE_PARAMETER,
            "choices": [{"code": c, "name": views[c].name, "name_en": views[c].name_en, "number": NUMBER[c]}
                        for c in VIEWS if c in views]}


def context(request: Request, definition) -> tuple[GroupView, dict]:
    """(the view, the template context: ``group_view``, the switch ``group_switch`` and
    ``group_asked``, the ``nhom`` a form must carry on when the page was asked for one)."""
    view = page_view(request, definition)
    asked = request.query_params.get(PAGE_PARAMETER)
    return view, {"group_view": view, "group_switch": switch(definition, view),
                  "group_asked": NUMBER[view.code] if asked else None}


def shown_groups(row: dict, view: GroupView, before: dict | None = None) -> list[dict]:
    """A unit's row (one column per definition group) as the view's groups: code, name, name_en,
    score (points), max, ratio, percent, members, and ``change`` against ``before`` when given."""
    rows = present({m: row.get(m) for g in view.groups for m in g.members}, view)
    prev = {r.code: r.points for r in present({m: before.get(m) for g in view.groups for m in g.members}, view)} \
        if before is not None else {}
    out = []
    for r in rows:
        d = r.as_dict()
        d["score"] = r.points
        p = prev.get(r.code)
        d["change"] = None if before is None or p is None or r.points is None else round(r.points - p, view.digits)
        out.append(d)
    return out


def is_six(view: GroupView) -> bool:
    return view.code == SIX
