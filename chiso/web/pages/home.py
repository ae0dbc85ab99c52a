"""Trang chủ của cơ quan (the agency's home): what ``/`` shows a department's or commune's head
or officer.

The province overview answers a leader's question; a head's is "how is my agency doing, and
what waits for me". So for a ``head`` or ``officer`` whose unit is a department or commune,
``/`` (``chiso.web.pages.overview``) shows, for the latest week (or ``?window=``):

- the agency's Decision 766 score, its rank among the province's departments (or communes),
  its change, its band — with the band table that applies to its level (``band_note``);
- its own indicators' status (``chiso.evaluate.dm.service.status_report`` rows of the
  indicators it owns, at the province), counted by status, the ones that need attention first;
- the periods of its indicators awaiting approval (state ``submitted``, newest first), with a
  link to the approval inbox ``/inbox`` (a head) or the officer's desk ``/desk``;
- the open warnings it is responsible for, by severity, linking to ``/warnings?unit=…``.

``?view=province`` shows them the province overview instead (a link on the page).

``band_note(level, province)`` (a template global installed here) says which band table a
level is judged by: provinces by the national bands of Decision 766, a province's departments
and communes by the province's own bands when it set some — so 89,73 "Tốt" for a province and
89,99 "Nhóm cần cải thiện" for a commune read as two tables, not a contradiction.
"""
from __future__ import annotations

from jinja2 import pass_context

from chiso.catalog.index_definition import BandSet, IndexDefinition
from chiso.evaluate.dm.service import status_report
from chiso.evaluate.dm.status import STATUS_LABELS
from chiso.store import repo_values
from chiso.text import format_number
from chiso.web import i18n
from chiso.web.context import WebContext
from chiso.web.pages import tasks, views
from chiso.web.pages.render import TEMPLATES, render
from chiso.web.security.deps import Principal

#: Roles whose ``/`` is their agency's home.
AGENCY_ROLES = ("head", "officer")
#: Levels of the units that have an agency home.
AGENCY_LEVELS = ("department", "commune")
#: The order statuses are counted in: what needs attention first.
STATUS_ORDER = ("off_track", "at_risk", "no_data", "no_target", "on_track", "achieved")
#: How long the status report behind the home is kept (seconds): it reads every live
#: indicator's history; values change by submission, not by the second.
STATUS_SECONDS = 300
SHOWN = 6


def has_agency_home(principal: Principal, ctx: WebContext) -> bool:
    """Whether ``/`` is the agency home for this person: a head or officer of a department or commune."""
    unit = principal.unit_code
    return (principal.role in AGENCY_ROLES and bool(unit) and unit in ctx.tree
            and ctx.tree.get(unit).level in AGENCY_LEVELS)


def _optional(fn, *args):
    try:
        return fn(*args), None
    except Exception as e:  # noqa: BLE001 - a missing panel must not take the whole page down
        return None, str(e)


def score_of(ctx: WebContext, window: str | None, province: str, unit: str, level: str) -> dict:
    """The unit's row of the window's scores (total, rank, peers, band, change) and its level's peers."""
    table = views.scores(ctx, window)
    peers = table.select(province=province, level=level)
    mine = peers.filter(peers["unit_code"] == unit).to_dicts()
    return {"window": table.window, "me": mine[0] if mine else None, "peers": peers.height,
            "definition": table.definition}


def agency_indicators(ctx: WebContext, province: str, unit: str) -> dict:
    """The status rows of the indicators ``unit`` owns (at the province), attention first, and
    their counts by status."""
    report = ctx.short_lived(("home_status", province), STATUS_SECONDS,
                             lambda: _report(ctx, province))
    rows = [r for r in report if r["owner"] == unit]
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    rows.sort(key=lambda r: (rank.get(r["status"], len(rank)), r["indicator"]))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: rank.get(kv[0], len(rank)))
    return {"rows": rows, "counts": ordered, "total": len(rows)}


def _report(ctx: WebContext, province: str) -> list[dict]:
    with ctx.database.session() as s:
        return status_report(s, province)["indicators"]


def pending_approvals(ctx: WebContext, unit: str, limit: int = SHOWN) -> dict:
    """The periods of ``unit``'s indicators awaiting approval (state ``submitted``), newest first."""
    with ctx.database.session() as s:
        rows, total = repo_values.periods_in_state(s, "submitted", owners=[unit], limit=limit)
        items = [{"indicator": r.indicator, "period": r.period, "at": r.changed_at, "by": r.changed_by}
                 for r in rows]
    return {"items": items, "total": total}


def agency_home(request, ctx: WebContext, principal: Principal, window: str | None):
    """The agency home page (see the module's text)."""
    province = views.home_province(principal, ctx.tree)
    unit = ctx.tree.get(principal.unit_code)
    score, score_error = _optional(score_of, ctx, window, province, unit.code, unit.level)
    indicators, indicators_error = _optional(agency_indicators, ctx, province, unit.code)
    pending, pending_error = _optional(pending_approvals, ctx, unit.code)
    warnings, warnings_error = _optional(views.open_warnings_cached, ctx, province, principal)
    return render(request, "home_agency.html", {
        "unit": unit, "level": unit.level, "province": province, "score": score, "score_error": score_error,
        "indicators": indicators, "indicators_error": indicators_error, "shown": SHOWN,
        "pending": pending, "pending_error": pending_error,
        "warnings": warnings, "warnings_error": warnings_error,
        "status_labels": STATUS_LABELS, **tasks.panels_context(ctx, principal, unit=unit.code)},
        principal=principal, active="overview", window=score["window"] if score else window)


# ---------------------------------------------------------------- which band table applies
def _bound(level, lang: str, digits: int = 0) -> str:
    if level.gt is not None:
        return i18n.translate(lang, "admin.bands.above", score=format_number(level.gt, digits, lang, trim=True))
    if level.gte is not None:
        return i18n.translate(lang, "admin.bands.from", score=format_number(level.gte, digits, lang, trim=True))
    return i18n.translate(lang, "admin.bands.otherwise")


def band_table(definition: IndexDefinition, level: str, province: str | None) -> tuple[str, BandSet]:
    """``("national" | "province", bands)``: the band table a unit of ``level`` is judged by."""
    bands = definition.bands_for(level, province)
    return ("province" if bands is not definition.national_bands else "national"), bands


def band_note_text(definition: IndexDefinition, level: str, province: str | None, lang: str) -> str:
    """One sentence: which table bands this level, and its levels (``Tốt từ 80 điểm`` …)."""
    kind, bands = band_table(definition, level, province)
    levels = "; ".join(f"{lv.label if lang == 'vi' else lv.label_en} {_bound(lv, lang, 2)}" for lv in bands.levels)
    level_name = i18n.translate(lang, f"admin.bands.level.{level}")
    return i18n.translate(lang, f"admin.bands.{kind}", level=level_name, levels=levels)


@pass_context
def _band_note(context, level: str, province: str | None = None) -> str:
    """``{{ band_note(level, province) }}`` in a template: the sentence of ``band_note_text``
    (empty when no definition is at hand)."""
    definition = context.get("definition")
    if definition is None:
        request = context.get("request")
        app_ctx = getattr(getattr(getattr(request, "app", None), "state", None), "ctx", None)
        definition = getattr(app_ctx, "definition", None)
    if definition is None or not level:
        return ""
    lang = context.get("lang") if context.get("lang") in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    return band_note_text(definition, level, province, lang)


TEMPLATES.env.globals["band_note"] = _band_note
