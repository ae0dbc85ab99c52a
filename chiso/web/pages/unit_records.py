"""Hồ sơ mất điểm (the records behind a criterion's lost points): ``/units/{code}/records``
and its Excel export ``/units/{code}/records.xlsx``.

An HTMX fragment of the unit page: one page of the records (or, for a criterion counting
procedures, the procedures) that lost the criterion its points, read by
``chiso.evaluate.service.explain``, in plain words — a chosen, ordered set of columns per
record kind named as the record schema names them (``chiso.catalog.records``), the
procedure's and the unit's names (their codes in a tooltip), dates as dd/mm/yyyy, booleans
"Có"/"Không", the channel and the rating in words, and "Lý do mất điểm": the reasons the
engine wrote from the criterion's own predicates (``_reason``, docs/definitions.md).

Scope: a unit's own records for a criterion counted from them; for a criterion its units
inherit from the province (``inherit: province``), the province's records, said so above
the list, with the unit column telling where each record comes from.

Who may read them: ``readable_unit`` (the unit page's rule); the export too.
"""
from __future__ import annotations

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlglot import exp

from chiso.catalog.index_definition import Criterion, IndexDefinition
from chiso.catalog.records import RECORD_KINDS
from chiso.errors import ChisoError
from chiso.evaluate.paging import page_of
from chiso.evaluate.service import explain
from chiso.periods.spoken import day_text, spoken_period
from chiso.reports.records_xlsx import Column, records_workbook
from chiso.text import format_number
from chiso.web.context import WebContext, web_context
from chiso.web.i18n import request_language, translate
from chiso.web.pages import views
from chiso.web.pages.render import render
from chiso.web.pages.units import readable_unit
from chiso.web.security.deps import Principal, current_principal

router = APIRouter()
RECORDS_PAGE = 20
#: the most rows one Excel export writes (the first ones, in the list's order); said in the file
EXPORT_LIMIT = 10_000

#: the columns shown for each record kind, in order, before the criterion's own fields and the reason
BASE_COLUMNS: dict[str, tuple[str, ...]] = {
    "dossiers": ("id", "procedure", "unit", "received_date", "appointment_date", "finished_date", "channel"),
    "petitions": ("id", "unit", "received_date", "due_date", "handled_date"),
    "publications": ("id", "procedure", "unit", "decision_date", "legal_effective_date", "public_date"),
    "procedures": ("procedure", "unit"),
}
DISTINCT_COLUMNS = ("procedure", "_seen", "_listed")
#: fields never shown as a criterion's own (already in the base columns, or the record's place)
_HIDDEN = {"unit_code", "province_code", "procedure_code", "name"}
#: enum fields whose values are said in words (``records.value.<field>.<value>``)
_WORDED = {"channel", "rating"}


def _heading(name: str, lang: str, records: str | None = None) -> str:
    """A column's heading (``records.col.*``: the record schema's names, a few as the office says
    them); a record's number is named by its kind (Mã hồ sơ, Mã PAKN, Mã công bố)."""
    if name == "id" and records in ("petitions", "publications"):
        name = f"id_{records}"
    try:
        return translate(lang, f"records.col.{name}")
    except KeyError:  # a field a province's own definition reads that the messages do not name
        kind = RECORD_KINDS.get(records or "")
        if lang == "vi" and kind is not None and kind.has(name) and kind.field(name).vi:
            return kind.field(name).vi
        return name.replace("_", " ").capitalize()


def criterion_fields(definition: IndexDefinition, criterion: Criterion, kind: str) -> list[str]:
    """The record fields the criterion's numerator conditions read that the base columns do not
    show (``synced_national`` for DOSSIER_SYNC; the supplementation counts for ON_TIME; not
    ``full_online_eligible`` for FULLY_ONLINE, which every listed record shares), in schema
    order: the facts the reason speaks of."""
    def fields_of(names) -> set[str]:
        out: set[str] = set()
        for _, name in names:
            m = definition.measures[name]
            if m.records == kind and m.where is not None:
                out |= {node.name for node in m.where.find_all(exp.Column)}
        return out

    used = fields_of(criterion.numerator)
    # a field every listed record shares (the denominator's condition: "eligible", "has a fee") says nothing
    if all(definition.measures[n].where is not None for _, n in criterion.denominator):
        used -= fields_of(criterion.denominator)
    base = set(BASE_COLUMNS.get(kind, ()))
    fields = RECORD_KINDS[kind].fields
    return [f.name for f in fields if f.name in used and f.name not in base and f.name not in _HIDDEN
            and f.type != "date"]


def columns_of(ctx: WebContext, criterion: Criterion, found: dict) -> list[str]:
    if found["distinct"]:
        return [*DISTINCT_COLUMNS, "_reason"]
    kind = found["records"]
    return [*BASE_COLUMNS.get(kind, ("id", "unit")), *criterion_fields(ctx.definition, criterion, kind), "_reason"]


def _kind_of(name: str, records: str | None) -> str:
    if name in ("_seen", "_listed"):
        return "int"
    kind = RECORD_KINDS.get(records or "")
    if kind is not None and kind.has(name):
        t = kind.field(name).type
        return {"date": "date", "int": "int", "bool": "bool"}.get(t, "text")
    return "text"


def cell(name: str, row: dict, found: dict, ctx: WebContext, lang: str) -> dict:
    """One cell: ``text`` as shown, ``title`` (a code behind a name), ``value`` for the workbook."""
    kind = _kind_of(name, found["records"] if not found["distinct"] else None)
    if name == "procedure":
        code = row.get("procedure_code")
        name_ = row.get("name") or found["procedures"].get(code) or code
        return {"text": name_ or "—", "title": code, "value": name_, "code": code}
    if name == "unit":
        code = row.get("unit_code")
        unit = ctx.tree.get(code) if code in ctx.tree else None
        text = (unit.name_en or unit.name) if unit is not None and lang == "en" else unit.name if unit else code
        return {"text": text or "—", "title": code, "value": text, "code": code}
    if name == "_reason":
        v = row.get("_reason") or ""
        return {"text": v, "title": None, "value": v}
    v = row.get(name)
    if v is None:
        return {"text": "—", "title": None, "value": None}
    if kind == "bool":
        text = translate(lang, "records.yes" if v else "records.no")
        return {"text": text, "title": None, "value": text}
    if kind == "date":
        return {"text": day_text(v, lang), "title": None, "value": v}
    if kind == "int":
        return {"text": format_number(v, 0, lang), "title": None, "value": int(v)}
    if name in _WORDED:
        text = translate(lang, f"records.value.{name}.{v}")
        return {"text": text, "title": None, "value": text}
    return {"text": str(v), "title": None, "value": str(v)}


def _found(ctx: WebContext, principal: Principal, code: str, criterion: str, window: str | None, lang: str,
           **kw) -> tuple[dict, Criterion, object]:
    readable_unit(ctx, principal, code)
    table = views.scores(ctx, window)
    try:
        c = ctx.definition.criterion(criterion)
    except KeyError:
        raise HTTPException(400, f"{criterion!r} không phải tiêu chí của bộ chỉ số / not a criterion "
                                 f"of {ctx.definition.code}") from None
    with ctx.lock:
        found = explain(ctx.definition, ctx.records, ctx.tree, code, criterion, table.window, only_lost=True,
                        lang=lang, **kw)
    return found, c, table


def _lost(found: dict) -> int:
    return max(found["totals"].get("rows", 0) - found["totals"].get("counted", 0), 0)


def _scope_note(ctx: WebContext, found: dict, lang: str) -> str | None:
    unit = ctx.tree.get(found["unit"])
    if found["inherited"]:
        province = ctx.tree.get(unit.province_code)
        return translate(lang, "records.inherited", unit=unit.name, province=province.name)
    if found["scope"] == "province_code":
        return translate(lang, "records.province_scope", province=unit.name)
    return None


@router.get("/units/{code}/records", response_class=HTMLResponse)
def unit_records(request: Request, code: str, criterion: str, window: str | None = None, page: int = 1,
                 ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """The records behind a criterion's lost points, one page (an HTMX fragment)."""
    lang = request_language(request)
    page = max(1, page)
    found, c, table = _found(ctx, principal, code, criterion, window, lang, limit=RECORDS_PAGE,
                             offset=(page - 1) * RECORDS_PAGE)
    # the pager by the one paging rule (page brought within 1…pages; "21–40 / 135")
    pager = page_of(pl.DataFrame({"i": pl.int_range(0, _lost(found), eager=True)}), page, RECORDS_PAGE)
    if pager["page"] != page:  # past the last page: show the last one
        found, c, table = _found(ctx, principal, code, criterion, window, lang, limit=RECORDS_PAGE,
                                 offset=(pager["page"] - 1) * RECORDS_PAGE)
    columns = columns_of(ctx, c, found)
    rows = [{name: cell(name, r, found, ctx, lang) for name in columns} for r in found["rows"]]
    return render(request, "unit_records.html", {
        "found": found, "columns": columns, "headings": {n: _heading(n, lang, found["records"]) for n in columns},
        "rows": rows, "criterion": c, "unit_code": code, "pager": pager, "table": table,
        "scope_note": _scope_note(ctx, found, lang), "export_limit": EXPORT_LIMIT,
    }, principal=principal, window=table.window)


@router.get("/units/{code}/records.xlsx")
def unit_records_xlsx(request: Request, code: str, criterion: str, window: str | None = None,
                      ctx: WebContext = Depends(web_context), principal: Principal = Depends(current_principal)):
    """Every record behind the criterion's lost points (at most ``EXPORT_LIMIT``) as a workbook:
    a title naming the unit, the criterion and the window, the same columns as the page."""
    lang = request_language(request)
    try:
        found, c, table = _found(ctx, principal, code, criterion, window, lang, limit=EXPORT_LIMIT)
    except ChisoError as e:
        raise HTTPException(400, str(e)) from None
    columns = columns_of(ctx, c, found)
    unit = ctx.tree.get(code)
    lost = _lost(found)
    titles = [translate(lang, "records.xlsx_title", criterion=c.name_en if lang == "en" and c.name_en else c.name),
              translate(lang, "records.xlsx_subtitle", unit=unit.name_en if lang == "en" and unit.name_en else unit.name,
                        window=spoken_period(table.window, lang, dates=True))]
    note = _scope_note(ctx, found, lang)
    if note:
        titles.append(note)
    if lost > len(found["rows"]):
        titles.append(translate(lang, "records.xlsx_capped", shown=format_number(len(found["rows"]), 0, lang),
                                total=format_number(lost, 0, lang)))
    heads = [Column(_heading(n, lang, found["records"]), _kind_of(n, None if found["distinct"] else found["records"])
                    if n not in ("procedure", "unit", "_reason") else "text") for n in columns]
    heads = [Column(h.heading, "text" if h.kind == "bool" else h.kind) for h in heads]
    rows = [[cell(n, r, found, ctx, lang)["value"] for n in columns] for r in found["rows"]]
    body = records_workbook(titles, heads, rows, lang=lang, sheet=translate(lang, "records.sheet"))
    name = f"ho-so-mat-diem-{code}-{c.code}-{table.window}.xlsx"
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

