"""What the CLI, the web app and reports ask for: scores of a window, from records or from
a counts file, with the previous window for changes; the records behind a criterion."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from chiso.catalog.index_definition import IndexDefinition
from chiso.collect.portal_counts import read_portal_counts
from chiso.engine.dialects import dialect as get_dialect
from chiso.engine.records import compile_distinct, compile_names, compile_records, compile_totals, distinct_key
from chiso.errors import ChisoError, UnknownUnitError
from chiso.evaluate.counts import Counts, compute_counts, compute_series
from chiso.evaluate.scores import ScoreSeries, ScoreTable, inputs_from_counts, score_counts, score_window
from chiso.periods.windows import Window, parse_window, week_of
from chiso.units.model import Unit


def units_frame(units: list[Unit]) -> pl.DataFrame:
    return pl.DataFrame(
        {"unit_code": [u.code for u in units], "name": [u.name for u in units], "level": [u.level for u in units],
         "parent_code": [u.parent_code for u in units], "province_code": [u.province_code for u in units]},
        schema={"unit_code": pl.Utf8, "name": pl.Utf8, "level": pl.Utf8, "parent_code": pl.Utf8,
                "province_code": pl.Utf8})


def scored_units(tree, counts: Counts) -> pl.DataFrame:
    """The units to score: every province with records, with all its departments and communes
    (a unit without records is scored on empty counts, as the portal does)."""
    provinces = sorted(set(counts.frame["province_code"].drop_nulls().to_list()))
    units: list[Unit] = []
    for code in provinces:
        if code not in tree:
            raise UnknownUnitError(f"records name province {code!r}, which is not in the unit list")
        units.append(tree.get(code))
        units.extend(u for u in tree.units(province=code) if u.level in ("department", "commune"))
    return units_frame(units)


def latest_day(store) -> dt.date | None:
    """The last day with a received dossier (the default window is the week holding it)."""
    table = store.query_arrow(f"SELECT MAX(received_date) AS d FROM {store.relation('dossiers')}")
    value = table.column("d")[0].as_py()
    return value


def default_window(store) -> Window:
    day = latest_day(store)
    if day is None:
        raise ChisoError("the store has no dossiers yet: load records (chiso load) or run chiso init --demo")
    return week_of(day)


def score_from_counts(definition: IndexDefinition, counts: Counts, tree, window: Window,
                      previous: Window | None, adjustments: pl.DataFrame | None = None) -> ScoreTable:
    units = scored_units(tree, counts)
    prev_table = None
    if previous is not None:
        prev_inputs = inputs_from_counts(definition, counts.for_window(previous), units)
        prev_table = score_window(definition, previous.label, prev_inputs, units)
    inputs = inputs_from_counts(definition, counts.for_window(window), units)
    return score_window(definition, window.label, inputs, units, previous=prev_table, adjustments=adjustments)


def score_records(definition: IndexDefinition, store, tree, window: Window | str | None = None, *,
                  with_previous: bool = True, adjustments: pl.DataFrame | None = None) -> ScoreTable:
    """Score every unit for a window from the records in ``store`` (and the window before, for changes)."""
    if window is None:
        window = default_window(store)
    elif isinstance(window, str):
        window = parse_window(window)
    previous = window.previous() if with_previous else None
    if previous is not None and window.kind == "week":
        # one scan for both weeks
        counts = compute_series(definition, store, previous.start, window.end)
    else:
        counts = compute_counts(definition, store, [window] + ([previous] if previous else []))
    return score_from_counts(definition, counts, tree, window, previous, adjustments)


@dataclass(frozen=True)
class WindowSeries:
    """Consecutive windows scored together: ``windows`` in time order and their ``scores``."""

    windows: tuple[Window, ...]
    scores: ScoreSeries


def score_series(definition: IndexDefinition, store, tree, start: dt.date, end: dt.date, *,
                 weeks_only: bool = False) -> WindowSeries:
    """Every window of [start, end] (ISO weeks; a short first or last bucket unless
    ``weeks_only``) scored from one scan of the records, each against the window before it."""
    counts = compute_series(definition, store, start, end)
    windows = tuple(w for w in counts.windows if not weeks_only or w.kind == "week")
    labels = [w.label for w in windows]
    scores = score_counts(definition, counts.frame, scored_units(tree, counts), labels,
                          previous=dict(zip(labels[1:], labels[:-1])))
    return WindowSeries(windows, scores)


def score_counts_file(definition: IndexDefinition, path: str, window: str | None = None) -> ScoreTable:
    """Score the units a portal counts file defines, from its counts and official scores."""
    label = parse_window(window).label if window else "counts-file"
    pc = read_portal_counts(path, definition)
    return score_window(definition, label, pc.inputs, pc.units, group_overrides=pc.group_scores)


def explain(definition: IndexDefinition, store, tree, unit_code: str, criterion_code: str,
            window: Window | str | None = None, *, only_lost: bool = True, limit: int | None = 100,
            offset: int = 0, lang: str = "vi") -> dict:
    """What lies behind a unit's criterion in a window: by default what lost it points.

    A criterion counting records lists records (each with ``_counted``); one counting
    distinct values (procedures with an online payment over procedures with a fee) lists
    the values, lost ones first, with their evidence (``chiso.engine.records``).
    ``distinct`` names the value counted (None for records), ``sources`` the record kinds
    read, and ``totals`` what the whole list adds up to: its rows, the counted ones, and
    the criterion's numerator and denominator.

    Every row carries ``_reason``, why it lost the point (in ``lang``; None when counted),
    and ``procedures`` names the procedure codes of the rows listed (the catalogue's names).
    ``inherited`` is true when the unit takes the province's figure for the criterion (its
    ``inherit: province``): the rows are then the whole province's.
    """
    if window is None:
        window = default_window(store)
    elif isinstance(window, str):
        window = parse_window(window)
    unit = tree.get(unit_code)
    try:
        criterion = definition.criterion(criterion_code)
    except KeyError:
        raise ChisoError(f"{criterion_code!r} is not a criterion of {definition.code}; criteria: "
                         + ", ".join(c.code for c in definition.criteria)) from None
    if criterion.attested is not None:
        raise ChisoError(f"{criterion.code} is attested by the province ({criterion.attested:g}), "
                         "not counted from records")
    if (limit is not None and limit < 0) or offset < 0:
        raise ChisoError("limit and offset cannot be negative")
    # a province's own counts, and a criterion its units inherit, come from all its records
    province_scope = unit.level == "province" or criterion.inherit == "province"
    column = "province_code" if province_scope else "unit_code"
    code = unit.province_code if province_scope else unit.code
    kinds = sorted({definition.measures[m].records for m in criterion.measures})
    records = definition.measures[criterion.denominator[0][1]].records
    tgt = get_dialect(store.dialect)
    scope = dict(start=window.start, end=window.end, unit_column=column, unit_code=code)
    try:
        key = distinct_key(definition, criterion)
        if key is None:
            def listing(**kw):
                return compile_records(definition, criterion, tgt, store.relation(records), **scope, lang=lang,
                                       **kw)
        else:
            def listing(**kw):
                return compile_distinct(definition, criterion, tgt, {k: store.relation(k) for k in kinds},
                                        **scope, lang=lang, **kw)
        sql = listing(only_lost=only_lost, limit=limit, offset=offset)
        totals_sql = compile_totals(listing(only_lost=False, limit=None))
    except ValueError as e:  # a definition whose criterion no single list explains
        raise ChisoError(str(e)) from None
    rows = store.query_arrow(tgt.render(sql)).to_pylist()
    totals = store.query_arrow(tgt.render(totals_sql)).to_pylist()[0]
    totals = {k: int(v or 0) for k, v in totals.items()}
    codes = sorted({r["procedure_code"] for r in rows if r.get("procedure_code")})
    names = {}
    if codes:
        names = {r["procedure_code"]: r["name"] for r in store.query_arrow(
            tgt.render(compile_names(store.relation("procedures"), codes))).to_pylist()}
    return {"unit": unit.code, "name": unit.name, "criterion": criterion.code, "window": window.label,
            "records": records, "distinct": key, "sources": kinds, "scope": column, "only_lost": only_lost,
            "offset": offset, "limit": limit, "totals": totals, "rows": rows, "procedures": names,
            "inherited": criterion.inherit == "province" and unit.level != "province"}
