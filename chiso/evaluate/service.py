"""What the CLI, the web app and reports ask for: scores of a window, from records or from
a counts file, with the previous window for changes; the records behind a criterion.

Every window is scored by the version of the definition in force on its last day
(``chiso.catalog.definition_versions.version_for``): the ``definition`` handed in is the
newest version of its set (``IndexDefinition.versions``), and each function here picks the
version of each window — its counts counted by that version's measures, its points by that
version's criteria — and keeps the choice on the table (``ScoreTable.method``) so that a
window spanning a change of method says so.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import polars as pl

from chiso.catalog.definition_versions import VersionChoice, version_for
from chiso.catalog.index_definition import IndexDefinition
from chiso.collect.portal_counts import read_portal_counts
from chiso.engine.dialects import dialect as get_dialect
from chiso.engine.records import compile_distinct, compile_names, compile_records, compile_totals, distinct_key
from chiso.errors import ChisoError, UnknownUnitError
from chiso.evaluate.counts import Counts, compute_counts, compute_series
from chiso.evaluate.scores import (
    ScoreSeries,
    ScoreTable,
    join_series,
    score_counts,
    score_window,
    score_window_counts,
)
from chiso.periods.windows import Window, parse_window, week_of
from chiso.units.crosswalk import Crosswalk
from chiso.units.model import Unit


def units_frame(units: list[Unit]) -> pl.DataFrame:
    return pl.DataFrame(
        {"unit_code": [u.code for u in units], "name": [u.name for u in units], "level": [u.level for u in units],
         "parent_code": [u.parent_code for u in units], "province_code": [u.province_code for u in units]},
        schema={"unit_code": pl.Utf8, "name": pl.Utf8, "level": pl.Utf8, "parent_code": pl.Utf8,
                "province_code": pl.Utf8})


def counted_provinces(frame: pl.DataFrame) -> frozenset[str]:
    """The provinces with records in a counts frame."""
    return frozenset(frame["province_code"].drop_nulls().to_list())


def scored_units(tree, counts: Counts, also: frozenset[str] = frozenset()) -> pl.DataFrame:
    """The units to score: every province with records (in ``counts``, or among ``also``), with
    all its departments and communes (a unit without records is scored on empty counts, as the
    portal does)."""
    provinces = sorted(counted_provinces(counts.frame) | also)
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


def _counted_by(definition: IndexDefinition, counts: Counts) -> None:
    missing = [m for m in definition.measures if m not in counts.measures]
    if missing:
        raise ValueError(f"the counts were not counted by version {definition.version} of {definition.code}: "
                         f"no {', '.join(missing)}")


def scoring_version(definition: IndexDefinition, window: Window | None) -> IndexDefinition | None:
    """The version that scores ``window`` (None: no window, or none in force — a previous
    window before the method's first version has no scores to compare with)."""
    if window is None or definition.in_force(window.end) is None:
        return None
    return version_for(definition, window).definition


def _scored_alike(table: ScoreTable | None, definition: IndexDefinition, window: Window, units: pl.DataFrame) -> bool:
    """Whether ``table`` holds what scoring ``window`` by ``definition`` over ``units`` gives: the
    same window and version, and the same units (a rank is a place among them)."""
    return (table is not None and table.window == window.label and table.definition is definition
            and table.units.height == units.height
            and table.units.get_column("unit_code").sort().equals(units.get_column("unit_code").sort()))


def score_from_counts(definition: IndexDefinition, counts: Counts, tree, window: Window,
                      previous: Window | None, adjustments: pl.DataFrame | None = None, *,
                      previous_counts: Counts | None = None, previous_table: ScoreTable | None = None) -> ScoreTable:
    """Score ``window`` (and ``previous``, for changes) from counts, each by its version.

    ``counts`` holds the window's counts (and the previous window's, unless
    ``previous_counts`` does, as when the two windows are scored by different versions).
    ``previous_table``: the previous window's scores already computed from the same records
    (a cache's): taken as they are when they were scored by the same version over the same
    units, else computed again."""
    choice = version_for(definition, window)
    d = choice.definition
    _counted_by(d, counts)
    units = scored_units(tree, counts, _provinces_of(previous_table, previous) if previous_counts is None else frozenset())
    prev_table = None
    before = scoring_version(definition, previous)
    if before is not None and _scored_alike(previous_table, before, previous, units):
        prev_table = previous_table
    elif before is not None:
        source = previous_counts if previous_counts is not None else counts
        _counted_by(before, source)
        frame = source.for_window(previous)
        prev_table = score_window_counts(before, previous.label, frame, units)
        prev_table.provinces = counted_provinces(frame)
    frame = counts.for_window(window)
    table = score_window_counts(d, window.label, frame, units, previous=prev_table, adjustments=adjustments)
    table.provinces = counted_provinces(frame)
    # kept without its own week before: a chain of cached weeks would hold every earlier one
    table.method = choice
    table.before = prev_table if prev_table is None or prev_table.before is None else replace(prev_table, before=None)
    return table


def _provinces_of(table: ScoreTable | None, window: Window | None) -> frozenset[str]:
    """The provinces with records in ``window`` as a cached table of it says (empty: no such table)."""
    if table is None or window is None or table.window != window.label or table.provinces is None:
        return frozenset()
    return table.provinces


def score_records(definition: IndexDefinition, store, tree, window: Window | str | None = None, *,
                  with_previous: bool = True, adjustments: pl.DataFrame | None = None,
                  previous_table: ScoreTable | None = None) -> ScoreTable:
    """Score every unit for a window from the records in ``store`` (and the window before, for
    changes), each by the version of ``definition`` in force for it. ``previous_table``: the
    window before's scores, computed from the same records (``score_from_counts``)."""
    if window is None:
        window = default_window(store)
    elif isinstance(window, str):
        window = parse_window(window)
    previous = window.previous() if with_previous else None
    d = version_for(definition, window).definition
    before = scoring_version(definition, previous)
    if previous is not None and before is not d:
        # the window before is scored by another version (or by none): counted by its own measures
        counts = compute_counts(d, store, [window])
        earlier = compute_counts(before, store, [previous]) if before is not None else None
        return score_from_counts(definition, counts, tree, window, previous, adjustments, previous_counts=earlier,
                                 previous_table=previous_table)
    if previous is not None and previous_table is not None and _provinces_of(previous_table, previous) \
            and previous_table.definition is before:
        # the window before is scored already (a cache's, from the same records): the window's
        # counts alone, scored over the units of both — unless those are not the table's units
        counts = compute_counts(d, store, [window])
        if _scored_alike(previous_table, before, previous, scored_units(tree, counts, previous_table.provinces)):
            return score_from_counts(definition, counts, tree, window, previous, adjustments,
                                     previous_table=previous_table)
    if previous is not None and window.kind == "week":
        # one scan for both weeks
        counts = compute_series(d, store, previous.start, window.end)
    else:
        counts = compute_counts(d, store, [window] + ([previous] if previous else []))
    return score_from_counts(definition, counts, tree, window, previous, adjustments, previous_table=previous_table)


def score_consecutive(definition: IndexDefinition, store, tree, windows: list[Window]) -> list[ScoreTable]:
    """Score ``windows`` (any kinds, in time order), each against the one before it in the
    list, each by its version: the windows a version scores are counted together, by its
    measures (one scan per version, usually one)."""
    choices = [version_for(definition, w) for w in windows]
    counted: dict[int, Counts] = {}
    for choice in choices:
        d = choice.definition
        if id(d) not in counted:
            counted[id(d)] = compute_counts(d, store, [w for w, c in zip(windows, choices) if c.definition is d])
    # every province with records in any of the windows, as one count over them all would list
    provinces = pl.concat([c.frame.select("province_code") for c in counted.values()]) if counted else None
    units = scored_units(tree, Counts(provinces, tuple(windows), ())) if provinces is not None else None
    tables: list[ScoreTable] = []
    previous = None
    for w, choice in zip(windows, choices):
        d = choice.definition
        previous = score_window_counts(d, w.label, counted[id(d)].for_window(w), units, previous=previous)
        previous.method = choice
        tables.append(previous)
    return tables


@dataclass(frozen=True)
class WindowSeries:
    """Consecutive windows scored together: ``windows`` in time order and their ``scores``."""

    windows: tuple[Window, ...]
    scores: ScoreSeries


def score_series(definition: IndexDefinition, store, tree, start: dt.date, end: dt.date, *,
                 weeks_only: bool = False) -> WindowSeries:
    """Every window of [start, end] (ISO weeks; a short first or last bucket unless
    ``weeks_only``) scored from one scan of the records (one per version in force over the
    range, decision 226), each against the window before it, each by its version."""
    # the versions in force over [start, end] (usually one): each counts and scores its windows
    versions = [v for v in definition.versions
                if v.valid_from <= end and (v.valid_to is None or v.valid_to >= start)] or [definition]
    counted = {id(v): compute_series(v, store, start, end) for v in versions}
    newest = counted[id(versions[-1])]  # the windows (buckets) are the same whichever version counts
    windows = tuple(w for w in newest.windows if not weeks_only or w.kind == "week")
    labels = [w.label for w in windows]
    previous = dict(zip(labels[1:], labels[:-1]))
    methods: dict[str, VersionChoice] = {w.label: version_for(definition, w) for w in windows}
    units = scored_units(tree, newest)
    parts: list[ScoreSeries] = []
    for v in versions:
        mine = [w for w in labels if methods[w].definition is v]
        if not mine:
            continue
        links = {w: p for w, p in previous.items() if w in mine and p in mine}
        parts.append(score_counts(v, counted[id(v)].frame, units, mine, previous=links))
    return WindowSeries(windows, join_series(parts, previous, methods))


def score_counts_file(definition: IndexDefinition, path: str, window: str | None = None,
                      crosswalk: Crosswalk | None = None) -> ScoreTable:
    """Score the units a portal counts file defines, from its counts and official scores; unit codes
    in the portal's ids read through ``crosswalk`` (the store's: ``chiso.store.repo_crosswalk.load``;
    None: the shipped one)."""
    choice = version_for(definition, window) if window else None
    if choice is not None:
        definition = choice.definition
    label = parse_window(window).label if window else "counts-file"
    pc = read_portal_counts(path, definition, crosswalk=crosswalk)
    table = score_window(definition, label, pc.inputs, pc.units, group_overrides=pc.group_scores)
    table.method = choice
    return table


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
    definition = version_for(definition, window).definition
    try:
        criterion = definition.criterion(criterion_code)
    except KeyError:
        raise ChisoError(f"{criterion_code!r} is not a criterion of {definition.code}; criteria: "
                         + ", ".join(c.code for c in definition.criteria)) from None
    if not criterion.determined:
        raise ChisoError(f"tiêu chí {criterion.code} chưa xác định cách tính (phiên bản {definition.version}): "
                         f"chưa có bản ghi nào được tính điểm / {criterion.code} is not yet determined")
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
