"""Bringing an exchange file's observations in: indicator values, and 766 scores.

**Units.** A file may code its units in another scheme: ``unit_scheme`` is ``decision19``
(today's codes, the default), ``portal`` (the national portal's ids, ``H44``…),
``before_2025`` (the 63 old provinces and their units) or ``dated`` (each observation in the
scheme of its period: before 1 July 2025 the old codes, from then on today's). Every code goes
through the crosswalk (``chiso.units.crosswalk``, shipped rows and those imported into the
store); a code the crosswalk does not know, or an old unit split across today's (ambiguous), is
a problem of its row — never guessed. Two old units that became one give two rows of the same
key, which the values' own duplicate rule refuses (a value is not summed behind the user's back).

**Values** become a ``Batch`` of the values' columns (``indicator, unit, period, value,
breakdown, note, source, measure``), each row numbered as the file numbers it, and go through
``chiso.collect.values.submit_batch`` — the same rules, ownership, period states, history and
register of batches (accepted or refused, with its report) as a values file: all or nothing,
and the same content again is ``unchanged``. A refusal's problems name the fields as the file
does (``REF_AREA``, ``orgUnit``…).

**Scores** (766) are figures another system published: they are checked (a known unit, an
item of the index definition, a number from 0 to the item's maximum) and kept as published
figures (``chiso.store.repo_portal.save_figures``: under the source's name, a changed figure's
old value kept in history, every write audited), which the reconciliation page sets beside
chiso's own scores. chiso's scores are never overwritten by a file.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping

from chiso.catalog.index_definition import IndexDefinition
from chiso.catalog.indicator import Indicator
from chiso.collect.exchange.observations import Exchange, Observation, ObservationProblem, refuse
from chiso.collect.exchange.structure import DM, SCORES, TOTAL
from chiso.collect.values.batch import Batch, RawRow, content_sha256
from chiso.collect.values.rules import Units, ValidationConfig, parse_number
from chiso.collect.values.submit import SubmitResult, Submitter, submit_batch
from chiso.errors import ChisoError, LoadError, Problem
from chiso.periods.reporting import period
from chiso.store import repo_portal
from chiso.store.models_portal import TOTAL as FIGURE_TOTAL
from chiso.units.crosswalk import Crosswalk, dated_translate

__all__ = ["UNIT_SCHEMES", "import_scores", "import_values", "recode_units", "score_figures", "values_batch"]

UNIT_SCHEMES = ("decision19", "portal", "before_2025", "dated")


def recode_units(exchange: Exchange, crosswalk: Crosswalk, scheme: str = "decision19") -> Exchange:
    """The file with every unit in today's code; a LoadError names each row whose code the
    crosswalk cannot translate to one unit."""
    if scheme not in UNIT_SCHEMES:
        raise ChisoError(f"hệ mã đơn vị {scheme!r} không có; chọn một trong: {', '.join(UNIT_SCHEMES)}")
    if scheme == "decision19":
        return exchange
    field = exchange.field_of("unit")
    recoded: dict[int, str] = {}
    problems: list[Problem] = []
    for o in exchange.observations:
        if not o.unit:
            continue
        if scheme == "dated":
            if o.period is None:
                continue
            t = dated_translate(o.unit, period(o.period).start, crosswalk)
        else:
            t = crosswalk.translate(o.unit, scheme, at=period(o.period).start if o.period else None)
        if t.ok and t.target:
            recoded[o.row] = t.target
        else:
            problems.append(ObservationProblem(exchange.name, o.row, field, t.reason, o.unit))
    if problems:
        raise refuse(problems)
    return exchange.with_units(recoded)


# ------------------------------------------------------------------ values

def values_batch(exchange: Exchange) -> Batch:
    """The values of an exchange file as a batch of the values' columns."""
    if exchange.kind != DM:
        raise ChisoError("tệp này chứa điểm 766, không phải giá trị chỉ số")
    rows = []
    for o in exchange.observations:
        cells = {"indicator": o.subject, "unit": o.unit, "period": o.period, "value": o.value,
                 "breakdown": o.breakdown, "note": o.note, "source": o.source, "measure": o.measure}
        rows.append(RawRow(o.row, cells))
    columns = ("indicator", "unit", "period", "value", "breakdown", "note", "source", "measure")
    return Batch(exchange.name, tuple(rows), columns, content_sha256(rows), exchange.format)


def _renamed(exchange: Exchange, error: ChisoError) -> ChisoError:
    """The refusal with each problem's field named as the file names it."""
    problems = getattr(error, "problems", None)
    if not problems:
        return error
    renamed = [ObservationProblem(p.file, p.row, exchange.field_of(p.column), p.reason, p.value) for p in problems]
    if isinstance(error, LoadError):
        return LoadError(renamed, total=error.total, at_least=error.at_least)
    head = str(error).splitlines()[0]
    lines = [head, f"{len(renamed)} vấn đề:"] + [f"  - {p}" for p in renamed[:50]]
    if len(renamed) > 50:
        lines.append(f"  … và {len(renamed) - 50} vấn đề khác")
    out = type(error)("\n".join(lines))
    out.problems = renamed  # type: ignore[attr-defined]
    return out


def import_values(db, exchange: Exchange, who: Submitter, catalogue: Mapping[str, Indicator], units: Units, *,
                  config: ValidationConfig | None = None, now: dt.datetime | None = None) -> SubmitResult:
    """Submit the file's values as one batch (``submit_batch``): accepted whole or refused whole."""
    batch = values_batch(exchange)
    try:
        return submit_batch(db, batch, who, catalogue, units, config=config, now=now)
    except ChisoError as exc:
        if getattr(exc, "problems", None):
            raise _renamed(exchange, exc) from None
        raise


# ------------------------------------------------------------------ scores

def _item_max(definition: IndexDefinition) -> dict[str, float]:
    out = {TOTAL: float(definition.max_total)}
    for g in definition.groups:
        out[g.code] = float(g.max)
        for c in g.criteria:
            out[c.code] = float(c.max)
    return out


def score_figures(exchange: Exchange, definition: IndexDefinition, units: Units) -> list[repo_portal.Figure]:
    """The file's 766 scores as published figures; a LoadError names every bad row."""
    if exchange.kind != SCORES:
        raise ChisoError("tệp này chứa giá trị chỉ số, không phải điểm 766")
    maxima = _item_max(definition)
    problems: list[Problem] = []
    figures: dict[tuple[str, str, str], tuple[int, repo_portal.Figure]] = {}
    for o in exchange.observations:
        figure = _figure(exchange, o, maxima, units, problems)
        if figure is None:
            continue
        key = (figure.unit_code, figure.window, figure.item)
        if key in figures:
            problems.append(ObservationProblem(exchange.name, o.row, exchange.field_of("item"),
                                               f"trùng với dòng {figures[key][0]} (cùng đơn vị, kỳ và mục điểm)",
                                               o.subject))
            continue
        figures[key] = (o.row, figure)
    if problems:
        raise refuse(problems)
    return [f for _, f in figures.values()]


def _figure(exchange: Exchange, o: Observation, maxima: dict[str, float], units: Units,
            problems: list[Problem]) -> repo_portal.Figure | None:
    name, before = exchange.name, len(problems)
    if o.subject not in maxima:
        problems.append(ObservationProblem(name, o.row, exchange.field_of("item"),
                                           "không phải TOTAL, mã nhóm hay mã tiêu chí của định nghĩa Bộ chỉ số 766",
                                           o.subject))
    if o.unit and o.unit not in units:
        problems.append(ObservationProblem(name, o.row, exchange.field_of("unit"), "không có đơn vị mang mã này",
                                           o.unit))
    value = parse_number(o.value) if o.value else None
    if value is None or not math.isfinite(value):
        problems.append(ObservationProblem(name, o.row, exchange.field_of("value"), "điểm phải là một số", o.value))
    elif o.subject in maxima and not 0 <= value <= maxima[o.subject]:
        problems.append(ObservationProblem(name, o.row, exchange.field_of("value"),
                                           f"điểm phải từ 0 đến {maxima[o.subject]:g}", o.value))
    if len(problems) > before or o.unit is None or o.period is None or o.subject is None or value is None:
        return None
    item = FIGURE_TOTAL if o.subject == TOTAL else o.subject
    return repo_portal.Figure(unit_code=o.unit, window=o.period, item=item, kind="score", value=value)


def import_scores(db, exchange: Exchange, definition: IndexDefinition, units: Units, *, source: str, by: str,
                  now: dt.datetime | None = None) -> repo_portal.Saved:
    """Keep the file's scores as the figures ``source`` published (one transaction, audited)."""
    source = (source or "").strip()
    if not source:
        raise ChisoError("cần tên nguồn của các điểm (--source): hệ thống đã công bố chúng")
    figures = score_figures(exchange, definition, units)
    digest = hashlib.sha256(json.dumps(sorted([f.unit_code, f.window, f.item, f.value] for f in figures),
                                       ensure_ascii=False).encode("utf-8")).hexdigest()
    with db.session() as session:
        return repo_portal.save_figures(session, source, figures, sha256=digest, at=now, by=by)
