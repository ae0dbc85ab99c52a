"""The officer's desk (việc của đơn vị): ``/desk``.

What an agency owes now: each live indicator it owns and submits (no formula), for the period
just ended and the current one of its frequency (weekly, monthly, quarterly, yearly), with its
reporting deadline (the period's end + the indicator's ``deadline_days``), the state of that
indicator × period — chưa nộp, nháp, đã gửi, bị trả lại, đã duyệt, khoá sổ — and whether it is
late (the deadline passed with nothing submitted, or a value arrived after it). Returned
periods come first, with the head's comment; each period links to its pre-filled template
(``/submissions/template?period=…``) and the submissions page.

An officer or head sees their own agency; an administrator, leader or viewer picks an agency of
the province (``?unit=``). Reading only: the desk writes nothing.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from chiso.catalog.indicator import Indicator
from chiso.collect.values.rules import PERIOD_KIND
from chiso.collect.values.submit import local_today
from chiso.periods.windows import Window, month, quarter, week_of, year
from chiso.store.models_values import ValuePeriod
from chiso.store.repo_catalogue import live_indicators
from chiso.store.repo_values import late_periods, periods_in_state, periods_of
from chiso.web.context import WebContext, web_context
from chiso.web.pages.indicators import province_of, render
from chiso.web.security.deps import Principal, current_principal

router = APIRouter()

#: Rows of the desk's table on one page.
PAGE_SIZE = 25
#: Roles that pick the agency they look at (the others see their own).
PICKING_ROLES = ("admin", "leader", "viewer")
#: The states a desk row may show: none yet (not_started), then the period states.
DESK_STATES = ("not_started", "draft", "submitted", "returned", "approved", "locked")
#: States in which the agency still owes the period (late once its deadline has passed).
OWING = ("not_started", "draft", "returned")


def window_of(kind: str, day: dt.date) -> Window:
    """The period of ``kind`` (week, month, quarter, year) that contains ``day``."""
    if kind == "week":
        return week_of(day)
    if kind == "month":
        return month(day.year, day.month)
    if kind == "quarter":
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if kind == "year":
        return year(day.year)
    raise ValueError(f"no desk period of kind {kind!r}")


@dataclass(frozen=True)
class Duty:
    """One indicator × period the agency owes: its deadline, state and lateness."""

    indicator: Indicator
    window: Window
    current: bool            # the period under way (the other: the one just ended)
    deadline: dt.date
    state: str               # one of DESK_STATES
    late: bool               # the deadline passed with the period still owed, or a value came late
    period: ValuePeriod | None

    @property
    def overdue(self) -> bool:
        return self.state in OWING and self.late


def duties(catalogue: Mapping[str, Indicator], unit: str, today: dt.date,
           states: Mapping[tuple[str, str], ValuePeriod], late: set[tuple[str, str]]) -> list[Duty]:
    """The agency's indicator × periods due as of ``today``: for each indicator it owns and
    submits, the period just ended and the current one. Owed ones first (overdue first), then
    by deadline and code."""
    out = []
    for ind in catalogue.values():
        if ind.owner != unit or not ind.collected or ind.frequency not in PERIOD_KIND:
            continue
        kind = PERIOD_KIND[ind.frequency]
        if kind == "day":
            continue  # daily values come from connectors, not from the desk
        now = window_of(kind, today)
        for window, current in ((now.previous(), False), (now, True)):
            row = states.get((ind.code, window.label))
            state = row.state if row is not None else "not_started"
            deadline = window.end + dt.timedelta(days=ind.deadline_days)
            is_late = (state in OWING and today > deadline) or (ind.code, window.label) in late
            out.append(Duty(ind, window, current, deadline, state, is_late, row))
    out.sort(key=lambda d: (d.state not in OWING, not d.overdue, d.deadline, d.indicator.code))
    return out


def _agencies(ctx: WebContext, catalogue: Mapping[str, Indicator]) -> list[tuple[str, object]]:
    """(code, unit) of each agency that owns an indicator it submits (unknown units by code)."""
    owners = sorted({i.owner for i in catalogue.values() if i.collected})
    return [(code, ctx.tree.get(code) if code in ctx.tree else {"name": code}) for code in owners]


@router.get("/desk", response_class=HTMLResponse)
def desk_page(request: Request, unit: str | None = None, page: int = 1, ctx: WebContext = Depends(web_context),
              principal: Principal = Depends(current_principal)):
    """Việc của đơn vị: what the agency owes this period, returned periods first."""
    province = province_of(principal)
    today = local_today()
    with ctx.database.session() as session:
        catalogue = live_indicators(session, province)
        agencies = _agencies(ctx, catalogue)
        if principal.role in PICKING_ROLES:
            codes = [c for c, _ in agencies]
            chosen = unit if unit in codes else (principal.unit_code if principal.unit_code in codes
                                                 else (codes[0] if codes else principal.unit_code))
        else:
            chosen = principal.unit_code
        owned = [c for c, i in catalogue.items() if i.owner == chosen and i.collected]
        pairs = []
        for code in owned:
            kind = PERIOD_KIND.get(catalogue[code].frequency)
            if kind and kind != "day":
                now = window_of(kind, today)
                pairs += [(code, now.label), (code, now.previous().label)]
        states = periods_of(session, pairs)
        late = late_periods(session, pairs)
        returned, _ = periods_in_state(session, "returned", owners=[chosen], indicators=owned)
        # a period returned and then reworked as a draft keeps the head's comment
        reworked = [p for p in periods_in_state(session, "draft", owners=[chosen], indicators=owned)[0]
                    if p.return_comment]
    rows = duties(catalogue, chosen, today, states, late)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, page), pages)
    counts = {s: sum(d.state == s for d in rows) for s in DESK_STATES}
    windows = sorted({(d.window.kind, d.window.label, d.current) for d in rows},
                     key=lambda w: (w[2], w[0], w[1]))
    return render(request, "desk.html", {
        "rows": rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], "total": len(rows), "page": page,
        "pages": pages, "counts": counts, "overdue": sum(d.overdue for d in rows),
        "returned": [(p, catalogue.get(p.indicator)) for p in returned + reworked],
        "unit": chosen, "unit_obj": ctx.tree.get(chosen) if chosen in ctx.tree else {"name": chosen}, "today": today,
        "agencies": agencies if principal.role in PICKING_ROLES else [],
        "template_periods": [label for _, label, _ in windows],
        "may_submit": principal.role in ("officer", "head", "admin"),
        "may_approve": principal.role == "head" and principal.unit_code == chosen,
        "states": DESK_STATES}, principal, "desk")
