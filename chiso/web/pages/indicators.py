"""The indicator catalogue pages (danh mục chỉ số): ``/indicators`` and ``/indicators/{code}``.

``/indicators`` shows the catalogue as a field × group matrix (6 lĩnh vực × 5 nhóm chỉ
số) and a filterable list; only live indicators (approved, in operation) unless an
administrator or a leader asks for all. ``/indicators/{code}`` shows one indicator: its
definition, owner, source, formula (normalised, references linked), its trend against the
target path, its value history (corrections with who, when and why) and its versions and
lifecycle moves.

Values are agency data: a head or officer reads only their own unit's values (``can_read_unit``);
asking for another unit's values is a 403 naming the rule. The helpers at the top are
shared by the other DM pages (warnings, submissions, workflow).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from chiso import settings
from chiso.catalog.indicator import DEFAULT_FIELDS, GROUPS, LIVE_STATES, Indicator
from chiso.catalog.lifecycle import STATE_LABELS
from chiso.errors import NotFoundError
from chiso.evaluate.dm.overview import overview
from chiso.evaluate.dm.service import target_book
from chiso.formula import parse_formula
from chiso.store.repo_catalogue import current_catalogue, indicator_history
from chiso.store.repo_values import current_values, list_values, value_history
from chiso.store.repo_values import periods as period_states
from chiso.text import fold
from chiso.web.context import WebContext, web_context
from chiso.web.pages.render import render as render_page
from chiso.web.security.deps import Principal, can_read_unit, current_principal

router = APIRouter()

#: Roles that may list the whole catalogue, retired and draft indicators included.
SEE_ALL_ROLES = ("admin", "leader")


# ---------------------------------------------------------------- shared by the DM pages
def render(request: Request, name: str, context: dict[str, Any], principal: Principal, active: str,
           status_code: int = 200, block: str | None = None) -> HTMLResponse:
    """A DM page (or one block of it, for HTMX) through the shared layout (language, CSRF, navigation)."""
    return render_page(request, name, context, principal=principal, active=active, block=block,
                       status_code=status_code)


def province_of(principal: Principal) -> str:
    """The province a page is about: the principal's own (the installation's by default)."""
    return principal.province_code or settings.get("CHISO_PROVINCE")


def forbidden(message: str) -> HTTPException:
    """A 403 with a clear message (the page layer renders it as the 403 page)."""
    return HTTPException(403, message)


def unit_name(ctx: WebContext, code: str | None) -> str:
    """A unit's name, or its code when the tree does not know it."""
    if code and code in ctx.tree:
        return ctx.tree.get(code).name
    return code or ""


def reads_all_values(principal: Principal) -> bool:
    """Whether the principal reads every unit's values of their province (admin, leader, viewer)."""
    return principal.role in ("admin", "leader", "viewer")


def who_text(principal: Principal) -> str:
    """``"ns.officer (officer, 24-STC)"`` — how refusals name the person."""
    return f"{principal.username} ({principal.role}, {principal.unit_code})"


# ---------------------------------------------------------------- the catalogue
def catalogue_of(ctx: WebContext, province: str):
    """The province's current catalogue (latest version of every indicator) from the store."""
    with ctx.database.session() as session:
        return current_catalogue(session, province)


def field_names(catalogue) -> dict[str, tuple[str, str]]:
    """Field code → (Vietnamese, English) name, in the catalogue's order."""
    if catalogue.fields:
        return {code: (f.name, f.name_en) for code, f in catalogue.fields.items()}
    return dict(DEFAULT_FIELDS)


def filter_indicators(indicators: Iterable[Indicator], *, field: str | None = None, group: str | None = None,
                      status: str | None = None, owner: str | None = None, q: str | None = None,
                      live_only: bool = True) -> list[Indicator]:
    """The indicators that pass every filter given; ``q`` matches code, names and definition,
    without diacritics (``"dung han"`` finds ``"đúng hạn"``)."""
    words = fold(q).split()
    out = []
    for ind in indicators:
        if live_only and ind.status not in LIVE_STATES:
            continue
        if (field and ind.field != field) or (group and ind.group != group) \
                or (status and ind.status != status) or (owner and ind.owner != owner):
            continue
        if words:
            hay = fold(" ".join([ind.code, ind.name, ind.name_en, ind.definition, ind.source_system]))
            if not all(w in hay for w in words):
                continue
        out.append(ind)
    return out


def matrix(indicators: list[Indicator], fields: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """One row per field: the count of indicators in each group, and the row total."""
    rows = []
    for code, names in fields.items():
        counts = {g: sum(1 for i in indicators if i.field == code and i.group == g) for g in GROUPS}
        rows.append({"field": code, "name": names, "counts": counts, "total": sum(counts.values())})
    return rows


#: The catalogue list's page size and the orders it may be sorted in.
LIST_PAGE_SIZE = 25
LIST_SORTS = ("code", "name", "field", "group", "owner", "frequency", "status")
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "yearly")


def sort_indicators(indicators: list[Indicator], sort: str, names) -> list[Indicator]:
    """The list in the asked order (``-code`` descending); ``names(code)`` names an owner."""
    key, descending = sort.lstrip("-"), sort.startswith("-")
    order = {"code": lambda i: i.code, "name": lambda i: fold(i.name),
             "field": lambda i: (i.field, i.code), "group": lambda i: (list(GROUPS).index(i.group), i.code),
             "owner": lambda i: (fold(names(i.owner)), i.code),
             "frequency": lambda i: (FREQUENCIES.index(i.frequency) if i.frequency in FREQUENCIES else 9, i.code),
             "status": lambda i: (i.status, i.code)}[key]
    return sorted(indicators, key=order, reverse=descending)


@router.get("/indicators", response_class=HTMLResponse)
def catalogue_page(request: Request, field: str | None = None, group: str | None = None,
                   status: str | None = None, owner: str | None = None, q: str | None = None,
                   frequency: str | None = None,
                   sort: str = Query("code", pattern="^-?(" + "|".join(LIST_SORTS) + ")$"),
                   page: int = Query(1, ge=1, le=10_000),
                   all: bool = False, ctx: WebContext = Depends(web_context),  # noqa: A002
                   principal: Principal = Depends(current_principal)):
    """Danh mục chỉ số: the field × group matrix (counts of indicators, "Số chỉ số") and the
    filtered list (group, field, owner, status, frequency, search), sortable, paged."""
    if all and principal.role not in SEE_ALL_ROLES:
        raise forbidden(f"Chỉ quản trị viên và lãnh đạo xem được cả chỉ số chưa phê duyệt / only an "
                        f"administrator or a leader lists indicators that are not live; "
                        f"{who_text(principal)} sees approved and operating ones")
    province = province_of(principal)
    catalogue = catalogue_of(ctx, province)
    fields = field_names(catalogue)
    every = list(catalogue.indicators.values())
    live_only = not all
    shown = filter_indicators(every, field=field or None, group=group or None, status=status or None,
                              owner=owner or None, q=q, live_only=live_only)
    if frequency:
        shown = [i for i in shown if i.frequency == frequency]
    shown = sort_indicators(shown, sort, lambda c: unit_name(ctx, c))
    pages = max(1, -(-len(shown) // LIST_PAGE_SIZE))
    page = min(page, pages)
    first = (page - 1) * LIST_PAGE_SIZE
    in_matrix = filter_indicators(every, live_only=live_only)
    owners = sorted({i.owner for i in every}, key=lambda c: unit_name(ctx, c))
    return render(request, "indicators.html", {
        "province": province, "province_name": unit_name(ctx, province), "catalogue": catalogue,
        "fields": fields, "groups": GROUPS, "matrix": matrix(in_matrix, fields),
        "matrix_total": len(in_matrix), "indicators": shown[first:first + LIST_PAGE_SIZE],
        "found": len(shown), "page": page, "pages": pages, "first": first + 1 if shown else 0,
        "last": min(first + LIST_PAGE_SIZE, len(shown)), "sort": sort, "frequencies": FREQUENCIES,
        "states": STATE_LABELS,
        "owners": [(c, unit_name(ctx, c)) for c in owners], "unit_name": lambda c: unit_name(ctx, c),
        "filters": {"field": field or "", "group": group or "", "status": status or "",
                    "owner": owner or "", "q": q or "", "all": all, "frequency": frequency or ""},
        "may_see_all": principal.role in SEE_ALL_ROLES}, principal, "indicators")


# ---------------------------------------------------------------- one indicator
#: A reference to an indicator inside a normalised formula.
REFERENCE = re.compile(r"[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+|[A-Z][A-Z0-9_]*")


def formula_parts(text: str | None) -> list[tuple[str, str | None]]:
    """The normalised formula as (text, linked code or None) pieces; references become links.

    The formula is parsed by the formula language (never evaluated); a formula that does
    not parse is shown as written, unlinked.
    """
    if not text:
        return []
    try:
        parsed = parse_formula(text)
    except Exception:  # noqa: BLE001 - shown as written; the catalogue check reports it
        return [(text, None)]
    refs, out, at = set(parsed.references), [], 0
    for m in REFERENCE.finditer(parsed.text):
        if m.group(0) in refs:
            out.append((parsed.text[at:m.start()], None))
            out.append((m.group(0), m.group(0)))
            at = m.end()
    out.append((parsed.text[at:], None))
    return [p for p in out if p[0]]


def may_read_values(principal: Principal, ind: Indicator, unit_code: str, tree) -> bool:
    """Whether the principal reads ``ind``'s values of ``unit_code``: where ``can_read_unit``
    allows, and — one data, one owner — every value of the indicators their own agency owns."""
    if can_read_unit(principal, unit_code, tree):
        return True
    return (principal.role in ("head", "officer") and ind.owner == principal.unit_code
            and unit_code in tree and tree.get(unit_code).province_code == principal.province_code)


def readable_units(principal: Principal, ctx: WebContext, ind: Indicator, codes: Iterable[str]) -> list[str]:
    """The codes among ``codes`` whose values of ``ind`` the principal may read."""
    return [c for c in codes if may_read_values(principal, ind, c, ctx.tree)]


def series_for(ctx: WebContext, province: str, ind: Indicator, unit: str) -> dict[str, Any]:
    """The indicator's values for one unit, the resolved target of each period, and its status row."""
    with ctx.database.session() as session:
        values = current_values(session, province=province, indicators=[ind.code])
        book = target_book(session, province, {ind.code: ind}, values)
    rows = values.filter(values["unit_code"] == unit).sort("period_end")
    points = []
    for period, value in rows.select("period", "value").iter_rows():
        t = book.target(ind.code, unit, period)
        points.append({"period": period, "value": value, "target": None if t is None else t.value})
    status = overview({ind.code: ind}, values, book, unit)[0] if ind.live else None
    return {"points": points, "status": status}


@router.get("/indicators/{code}", response_class=HTMLResponse)
def indicator_page(request: Request, code: str, unit: str | None = None,
                   ctx: WebContext = Depends(web_context),
                   principal: Principal = Depends(current_principal)):
    """One indicator: definition, owner, source, formula, trend against target, values, history."""
    province = province_of(principal)
    catalogue = catalogue_of(ctx, province)
    ind = catalogue.indicators.get(code)
    if ind is None:
        raise HTTPException(404, f"Không có chỉ số {code!r} trong danh mục của tỉnh {province} / "
                                 f"no indicator {code!r} in the catalogue of province {province}")
    if not ind.live and principal.role not in SEE_ALL_ROLES:
        raise forbidden(f"{code} đang ở bước {STATE_LABELS[ind.status][0]}, chưa phê duyệt: chỉ quản trị "
                        f"viên và lãnh đạo xem được / {code} is {ind.status}, not live: only an administrator "
                        f"or a leader sees it; {who_text(principal)}")
    with ctx.database.session() as session:
        try:
            history = indicator_history(session, code, province=province)
        except NotFoundError:
            history = None
        present = sorted({r.unit_code for r in list_values(session, indicator=code)})
    units = readable_units(principal, ctx, ind, present)
    if unit is not None:
        if unit not in ctx.tree:
            raise HTTPException(404, f"Không có đơn vị {unit!r} / no unit with code {unit!r}")
        if not may_read_values(principal, ind, unit, ctx.tree):
            raise forbidden(f"Không được xem số liệu {code} của {unit_name(ctx, unit)} ({unit}): cán bộ và thủ "
                            f"trưởng chỉ xem số liệu của đơn vị mình và của chỉ số cơ quan mình chủ quản / may "
                            f"not read the {code} values of unit {unit}: a head or officer reads their own "
                            f"unit's data and their own agency's indicators only; {who_text(principal)}")
        chosen = unit
    elif province in units:
        chosen = province
    elif principal.unit_code in units:
        chosen = principal.unit_code
    else:
        chosen = units[0] if units else None
    series = series_for(ctx, province, ind, chosen) if chosen else {"points": [], "status": None}
    versions = []
    if chosen:
        with ctx.database.session() as session:
            versions = value_history(session, code, chosen)
    versions.sort(key=lambda v: (v["period_start"], v["period"], v["breakdown"], v["recorded_at"]), reverse=True)
    periods = []
    if chosen:
        with ctx.database.session() as session:
            periods = {p.period: p.state for p in period_states(session, indicator=code)}
    used_by = sorted(c for c, other in catalogue.indicators.items()
                     if other.formula and code in formula_parts_codes(other.formula))
    return render(request, "indicator.html", {
        "ind": ind, "province": province, "fields": field_names(catalogue), "groups": GROUPS,
        "states": STATE_LABELS, "owner_name": unit_name(ctx, ind.owner),
        "formula": formula_parts(ind.formula), "used_by": used_by, "history": history,
        "units": [(c, unit_name(ctx, c)) for c in units], "unit": chosen, "unit_label": unit_name(ctx, chosen),
        "series": series, "versions": versions, "period_states": periods,
        "hidden_units": len(present) - len(units), "unit_name": lambda c: unit_name(ctx, c)},
        principal, "indicators")


def formula_parts_codes(text: str) -> set[str]:
    """The indicator codes a formula refers to (empty when it does not parse)."""
    return {c for _, c in formula_parts(text) if c}
