"""Bản đồ (maps): the provinces of Việt Nam and a province's communes, coloured by score.

- ``/maps`` — the 34 provinces coloured by the 766 total (the national bands) or one group's
  score; hover names the province, its value and its rank ("Hạng 3/34"); a click opens it.
- ``/maps/{province}`` — the province's communes coloured by the total, a group or one of its
  DM indicators reported per commune; a click opens the commune's page (``/units/{code}``).
  Without commune shapes (``unit_shapes``, imported with ``chiso units boundaries import``)
  the communes are a ranked tile grid and the page says so: never invented geography.

Other pages show a map through ``map_context`` and the macro ``map_panel`` of
``templates/_map.html`` (the wall, the leader's phone view)::

    context["map_data"] = map_context(ctx, table, lang, kind="provinces", principal=principal)
    {% from "_map.html" import map_panel with context %}{{ map_panel('provinces') }}

Shapes come from ``/api/v1/maps/…`` (``chiso.web.api.maps``), fetched by ``static/map.js``;
the values are the page's own, as JSON in the map's ``data-map-values`` attribute.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from chiso.catalog.presentation import GroupView, present_frame, six_view
from chiso.evaluate.dm.service import current_values, live_indicators
from chiso.store import repo_shapes
from chiso.text import format_number, rounded
from chiso.units.registry import short_name
from chiso.web.context import DM_VALUES, WebContext, web_context
from chiso.web.i18n import localized_name, request_language, translate
from chiso.web.pages import group_view, views
from chiso.web.pages.render import render
from chiso.web.security.deps import Principal, can_read_unit, current_principal

router = APIRouter()

KINDS = ("provinces", "communes")
TOTAL = "total"
DM_PREFIX = "dm:"
#: Colour classes of the maps and tile grids, worst (0) to best (4); ``map-none`` without data.
CLASSES = 5
#: How long the DM measures of a province are kept (seconds): values change by submission.
DM_SECONDS = 300


def map_key(kind: str, province: str | None) -> str:
    """The name a map's shapes are registered under in the browser (one per shapes file)."""
    return "vn-provinces" if kind == "provinces" else f"vn-communes-{province}"


def shapes_url(kind: str, province: str | None) -> str:
    return "/api/v1/maps/provinces" if kind == "provinces" else f"/api/v1/maps/{province}/communes"


def measure_choices(ctx: WebContext, table, lang: str, *, kind: str, province: str | None,
                    view: GroupView | None = None) -> list[tuple[str, str]]:
    """What a map can be coloured by: the total, each group (as ``view`` shows them), and
    (communes) the province's DM indicators reported per commune, as (value, label) pairs."""
    out = [(TOTAL, translate(lang, "maps.measure.total"))]
    out += [(g.code, localized_name(g, lang)) for g in (view or six_view(table.definition)).groups]
    if kind == "communes" and province is not None:
        for code, ind in _commune_indicators(ctx, province).items():
            name = ind.name_en if lang == "en" and ind.name_en else ind.name
            out.append((DM_PREFIX + code, f"{translate(lang, 'maps.measure.dm')}: {name} ({ind.unit})"))
    return out


def _commune_indicators(ctx: WebContext, province: str) -> dict:
    """The province's live DM indicators whose values are reported per commune (cached)."""
    def read():
        try:
            with ctx.database.session() as s:
                found = live_indicators(s, province)
        except Exception:  # noqa: BLE001 - no catalogue store yet: no DM measures
            return {}
        return {c: i for c, i in sorted(found.items()) if "commune" in i.levels}

    return ctx.short_lived((DM_VALUES, "maps-indicators", province), DM_SECONDS, read)


def _dm_latest(ctx: WebContext, province: str, code: str) -> tuple[dict[str, float], str | None]:
    """Each commune's value of a DM indicator in the latest period any commune reported, and
    that period's label."""
    def read():
        with ctx.database.session() as s:
            indicators = live_indicators(s, province)
            values = current_values(s, province, indicators)
        communes = {u.code for u in ctx.tree.units(province=province, level="commune")}
        rows = values.filter((values["indicator"] == code) & values["unit_code"].is_in(list(communes))
                             & values["value"].is_not_null())
        if rows.is_empty():
            return {}, None
        last = rows.sort("period_end")["period"][-1]
        rows = rows.filter(rows["period"] == last)
        return {r["unit_code"]: float(r["value"]) for r in rows.iter_rows(named=True)}, last

    return ctx.short_lived((DM_VALUES, "maps-values", province, code), DM_SECONDS, read)


def _ranks(values: dict[str, float | None], higher_better: bool = True) -> dict[str, int]:
    """Competition ranks (1 = best; equal values share a rank) of the units with a value."""
    have = sorted(((v, c) for c, v in values.items() if v is not None), key=lambda x: (-x[0] if higher_better else x[0]))
    out: dict[str, int] = {}
    prev, rank = None, 0
    for i, (v, c) in enumerate(have, start=1):
        if v != prev:
            rank, prev = i, v
        out[c] = rank
    return out


def _even_pieces(low: float, high: float, higher_better: bool, digits: int) -> list[dict]:
    """Five equal steps from the lowest value to the highest; the best step gets class 4."""
    if high <= low:
        return [{"min": low, "max": high, "cls": 4 if higher_better else 0, "label": None}]
    step = (high - low) / CLASSES
    pieces = []
    for i in range(CLASSES):
        lo, hi = low + i * step, (high if i == CLASSES - 1 else low + (i + 1) * step)
        pieces.append({"min": float(rounded(lo, digits)), "max": float(rounded(hi, digits)),
                       "cls": i if higher_better else CLASSES - 1 - i, "label": None})
    return pieces[::-1]  # best first, as the bands are


def _band_pieces(bandset, lang: str) -> list[dict]:
    """The bands of the total as legend pieces, best first: each band its colour class — the
    best 4 (green), the next 3, 2, 1, the last band (below every bound: "chưa xếp loại", "cần cải
    thiện") 0 (red)."""
    levels = bandset.levels
    n = len(levels)
    out = []
    upper = None
    for i, lv in enumerate(levels):
        bound = lv.gt if lv.gt is not None else lv.gte
        cls = 0 if i == n - 1 and n > 1 else max(CLASSES - 1 - i, 1)
        label = lv.label_en if lang == "en" and lv.label_en else lv.label
        piece = {"cls": cls, "label": label, "band": lv.code, "min": bound, "max": upper,
                 "open_min": lv.gt is not None}
        out.append(piece)
        upper = bound
    return out


def _class_of(value: float | None, pieces: list[dict]) -> int | None:
    if value is None:
        return None
    for p in pieces:  # best first
        lo = p["min"]
        if lo is None or value > lo or (value == lo and not p.get("open_min")):
            return p["cls"]
    return pieces[-1]["cls"]


def map_context(ctx: WebContext, table, lang: str, *, kind: str, province: str | None = None,
                measure: str = TOTAL, principal: Principal | None = None, view: GroupView | None = None) -> dict:
    """What ``map_panel`` (``templates/_map.html``) draws: the units of the map, each with its
    value, rank among the map's units, colour class and link, and the legend.

    ``kind`` — ``provinces`` (the 34, nationally) or ``communes`` (``province``'s);
    ``measure`` — ``total``, a group code (``PROGRESS``…) or ``dm:<indicator>`` (communes only);
    ``principal`` — when given, only the units they may open are links;
    ``view`` — the group view (``chiso.catalog.presentation``): its groups are the group measures.
    """
    if kind not in KINDS:
        raise HTTPException(400, f"loại bản đồ {kind!r} không hợp lệ: {', '.join(KINDS)} / map kind must be one of "
                                 f"{', '.join(KINDS)}")
    if kind == "communes" and (province is None or province not in ctx.tree
                               or ctx.tree.get(province).level != "province"):
        raise HTTPException(404, f"không có tỉnh {province!r} / no province {province!r}")
    definition = table.definition
    view = view or six_view(definition)
    groups = {g.code: g for g in view.groups}
    level = "province" if kind == "provinces" else "commune"
    frame = present_frame(table.select(level=level, province=None if kind == "provinces" else province), view)
    rows = {r["unit_code"]: r for r in frame.iter_rows(named=True)}
    units = (ctx.tree.units(level="province") if kind == "provinces"
             else ctx.tree.units(province=province, level="commune"))
    digits, unit_label, period, higher = 2, translate(lang, "maps.points"), None, True
    if measure == TOTAL:
        values = {u.code: (rows.get(u.code) or {}).get("total") for u in units}
        ranks = {c: r["rank"] for c, r in rows.items() if r.get("rank") is not None}
        pieces = _band_pieces(definition.bands_for(level, province), lang)
        label = translate(lang, "maps.measure.total")
        maximum = definition.max_total
    elif measure in groups:
        g = groups[measure]
        values = {u.code: (rows.get(u.code) or {}).get(measure) for u in units}
        ranks = _ranks(values)
        have = [v for v in values.values() if v is not None]
        # steps over the values found, not 0…max: units of one province often sit within a point
        # of each other, and five steps of the whole scale would paint them one colour
        pieces = _even_pieces(min(have), max(have), True, 2) if have else []
        label = localized_name(g, lang)
        maximum = float(g.max)
    elif measure.startswith(DM_PREFIX) and kind == "communes":
        code = measure[len(DM_PREFIX):]
        ind = _commune_indicators(ctx, province).get(code)
        if ind is None:
            raise HTTPException(404, f"chỉ tiêu {code!r} không có số liệu theo xã của tỉnh {province} / "
                                     f"no per-commune indicator {code!r} in province {province}")
        found, period = _dm_latest(ctx, province, code)
        values = {u.code: found.get(u.code) for u in units}
        higher = ind.polarity != "lower"
        ranks = _ranks(values, higher)
        have = [v for v in values.values() if v is not None]
        pieces = _even_pieces(min(have), max(have), higher, 2) if have else []
        label = ind.name_en if lang == "en" and ind.name_en else ind.name
        unit_label, maximum = ind.unit, None
    else:
        raise HTTPException(400, f"không tô màu bản đồ theo {measure!r} được / cannot colour the map by {measure!r}")
    peers = sum(1 for v in values.values() if v is not None)
    items = []
    for u in units:
        value = values.get(u.code)
        row = rows.get(u.code) or {}
        readable = principal is None or can_read_unit(principal, u.code, ctx.tree)
        items.append({
            "code": u.code, "name": row.get("name") or u.name, "value": None if value is None else float(value),
            "rank": ranks.get(u.code), "peers": peers if value is not None else None,
            "cls": _class_of(value, pieces), "url": f"/units/{u.code}" if readable else None,
        })
    ordered = sorted(items, key=lambda i: (i["rank"] is None, i["rank"] or 0, i["name"]))
    has_shapes = True if kind == "provinces" else _has_shapes(ctx, province)
    for p in pieces:
        if p["label"] is None:
            p["label"] = _range_label(p, lang, digits)
        else:
            p["label"] = f"{p['label']} ({_range_label(p, lang, digits)})"
    return {
        "kind": kind, "province": province, "measure": measure, "label": label, "unit": unit_label,
        "maximum": maximum, "period": period, "window": table.window, "digits": digits,
        "higher_better": higher, "key": map_key(kind, province), "shapes_url": shapes_url(kind, province),
        "has_shapes": has_shapes, "items": ordered, "pieces": pieces, "lang": lang,
        "texts": {"rank": translate(lang, "maps.rank"), "no_data": translate(lang, "maps.no_data"),
                  "unavailable": translate(lang, "maps.unavailable")},
    }


def _range_label(piece: dict, lang: str, digits: int) -> str:
    lo, hi = piece.get("min"), piece.get("max")
    if lo is None:
        return f"< {format_number(hi, digits, lang=lang)}" if hi is not None else ""
    if hi is None:
        return f"{'>' if piece.get('open_min') else '≥'} {format_number(lo, digits, lang=lang)}"
    return f"{format_number(lo, digits, lang=lang)}–{format_number(hi, digits, lang=lang)}"


def _has_shapes(ctx: WebContext, province: str) -> bool:
    def read():
        try:
            with ctx.database.session() as s:
                return repo_shapes.count_shapes(s, province=province, level="commune") > 0
        except Exception:  # noqa: BLE001 - a store without the table (not migrated): no shapes
            return False

    return ctx.short_lived(("maps_has_shapes", province), 30, read)


# ---------------------------------------------------------------- pages
def _measure(asked: str | None) -> str:
    return (asked or TOTAL).strip() or TOTAL


@router.get("/maps", response_class=HTMLResponse)
def national_map(request: Request, measure: str | None = None, window: str | None = None,
                 ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """The 34 provinces coloured by the total or a group."""
    lang = request_language(request)
    table = views.scores(ctx, window)
    chosen = _measure(measure)
    view, switch = group_view.context(request, table.definition)
    data = map_context(ctx, table, lang, kind="provinces", measure=chosen, principal=principal, view=view)
    home = views.home_province(principal, ctx.tree)
    return render(request, "maps.html", {
        "map_data": data, "measures": measure_choices(ctx, table, lang, kind="provinces", province=None, view=view),
        **switch, "table": table, "home": home, "home_name": short_name(ctx.tree.get(home)),
    }, principal=principal, active="maps", window=table.window)


@router.get("/maps/{province}", response_class=HTMLResponse)
def province_map(request: Request, province: str, measure: str | None = None, window: str | None = None,
                 ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """A province's communes coloured by the total, a group or a DM indicator reported per commune."""
    if province not in ctx.tree or ctx.tree.get(province).level != "province":
        raise HTTPException(404, f"không có tỉnh {province!r} / no province {province!r}")
    lang = request_language(request)
    table = views.scores(ctx, window)
    chosen = _measure(measure)
    view, switch = group_view.context(request, table.definition)
    data = map_context(ctx, table, lang, kind="communes", province=province, measure=chosen, principal=principal,
                       view=view)
    shapes_from = None
    if data["has_shapes"]:
        with ctx.database.session() as s:
            shapes_from = repo_shapes.last_import(s, province)
    return render(request, "maps_province.html", {
        "map_data": data, "measures": measure_choices(ctx, table, lang, kind="communes", province=province,
                                                      view=view),
        **switch, "table": table, "province_unit": ctx.tree.get(province), "shapes_from": shapes_from,
    }, principal=principal, active="maps", window=table.window)
