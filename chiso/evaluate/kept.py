"""Counts kept between refreshes (số đếm lưu sẵn): the scan's rows stored in the record store.

Counts are the sufficient statistics of the index, and the expensive part of computing them
is the scan of the records (:func:`chiso.engine.counts.compile_stage`): per windowed record
kind, one row per (unit, bucket) of additive measures, and one row per (unit, distinct
value) of bucket masks. Every column of those rows is a function of one bucket's records
only — window-dependent measures are judged at the bucket's end and, for the plan's whole
range, at the range's end, both fixed by the plan. So the rows can be **kept** in a table
of the record store and, after records change, **refreshed incrementally**: the store's
change log (:data:`chiso.store.records_base.CHANGES`) names the days whose records changed, and
only the buckets holding those days are recomputed from their records (additive rows
replaced; mask bits of those buckets cleared and set again).

Reading a weekly series (:func:`chiso.evaluate.counts.compute_series`) then takes the kept
rows instead of scanning records — every bucket of the request must be a bucket of the kept
plan (same first and last day), and the whole range only when it is the kept plan's own.

Counts can also be **kept by day** (:func:`keep_days`, :mod:`chiso.engine.daily`): per-day
sums, the window-dependent measures' change steps and day masks of distinct values, from
which any window inside the kept range is counted (:func:`read` falls back to them when no
plan's buckets match), refreshed day by day from the same change log.

A kept table is named after the hash of the SQL that computes it, which covers the index
definition's measures, the plan (range, grain, judgement at the end) and the relation: a
changed definition or holiday calendar simply does not find its table, and the records are
scanned. A kept table is used only when its stamp equals the store's last change stamp;
a writable store refreshes it first, a read-only one scans.

>>> import datetime as dt
>>> plan = CountsPlan(dt.date(2026, 1, 1), dt.date(2026, 12, 31), "week", outer=True)
>>> [(f, l) for _, f, l in plan.buckets()][:2]
[(datetime.date(2026, 1, 1), datetime.date(2026, 1, 4)), (datetime.date(2026, 1, 5), datetime.date(2026, 1, 11))]
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from chiso.catalog.index_definition import IndexDefinition
from chiso.catalog.records import RECORD_KINDS
from chiso.engine import daily
from chiso.engine.counts import MASK_BUCKETS, CountsPlan, compile_counts, compile_reduce, compile_stage, keepable
from chiso.engine.dialects import day_number
from chiso.engine.dialects import dialect as get_target
from chiso.errors import StoreError
from chiso.store.records_base import NO_CHANGES, Changes, literal

MANIFEST = "_kept_counts"
#: The manifest's ``grain`` of the relations kept by day (``keep_days``): per (unit, day) sums
#: and distinct flags, and the window-dependent measures' change steps.
BY_DAY, CHANGES = "daily", "changes"
#: … and of the counts of a kind without a window (the procedures catalogue): the same for
#: every window, kept whole beside the relations kept by day and recomputed when it changes.
STATIC = "static"


@dataclass(frozen=True)
class KeptEntry:
    """One kept table: which kind and plan it holds, and the change stamp it reflects."""

    table: str
    kind: str
    distinct: bool
    plan: CountsPlan
    stamp: int
    rows: int
    refreshed_at: dt.datetime

    @property
    def by_day(self) -> bool:
        """Kept by day (``keep_days``: any window inside the range), not by a plan's buckets."""
        return self.plan.grain in (BY_DAY, CHANGES, STATIC)


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh did to one kept table."""

    table: str
    kind: str
    distinct: bool
    buckets: int  # buckets (days, for counts kept by day) recomputed (0: nothing had changed)
    rows: int  # rows in the table afterwards
    seconds: float
    by_day: bool = False  # kept by day: ``buckets`` counts the received days recomputed


# -------------------------------------------------------------------- the manifest
def _ensure_manifest(store) -> None:
    t = store.TEXT_TYPE
    store._execute(f"CREATE TABLE IF NOT EXISTS {MANIFEST} (kept_table {t} PRIMARY KEY, kind {t} NOT NULL, "
                   "is_distinct BOOLEAN NOT NULL, plan_start DATE NOT NULL, plan_end DATE NOT NULL, "
                   f"grain {t} NOT NULL, judged_at_end BOOLEAN NOT NULL, stamp BIGINT NOT NULL, "
                   "row_count BIGINT NOT NULL, refreshed_at TIMESTAMP NOT NULL)")


def _has_manifest(store) -> bool:
    rows = store.query_arrow("SELECT count(*) AS n FROM information_schema.tables "
                             "WHERE table_schema = current_schema() AND table_name = $1", [MANIFEST]).to_pylist()
    return bool(rows[0]["n"])


def entries(store) -> list[KeptEntry]:
    """Every kept table of the store (none when nothing was ever kept)."""
    if not _has_manifest(store):
        return []
    rows = store.query_arrow(f"SELECT * FROM {MANIFEST} ORDER BY kind, is_distinct, plan_start").to_pylist()
    return [KeptEntry(r["kept_table"], r["kind"], bool(r["is_distinct"]),
                      CountsPlan(r["plan_start"], r["plan_end"], r["grain"], bool(r["judged_at_end"])),
                      int(r["stamp"]), int(r["row_count"]), r["refreshed_at"]) for r in rows]


def _record(store, table: str, kind: str, distinct: bool, plan: CountsPlan, stamp: int,
            rows: int | None = None) -> int:
    """Write the table's manifest line; ``rows`` when the caller knows them (a refresh that
    counted what it deleted and inserted: PostgreSQL counts a table of a million rows by reading
    it), else counted."""
    if rows is None:
        rows = store._scalar(f"SELECT count(*) FROM {table}")
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    store._execute(f"DELETE FROM {MANIFEST} WHERE kept_table = $1", [table])
    store._execute(f"INSERT INTO {MANIFEST} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                   [table, kind, distinct, plan.start, plan.end, plan.grain, plan.outer, stamp, rows, now])
    return rows


# -------------------------------------------------------------------- naming
def _stage_sql(definition: IndexDefinition, store, kind: str, plan: CountsPlan, distinct: bool,
               only: Sequence[tuple[dt.date, dt.date]] | None = None) -> str:
    tgt = get_target(store.dialect)
    tree = compile_stage(definition, kind, tgt, store.relation(kind), plan, distinct=distinct, only=only)
    assert tree is not None
    return tgt.render(tree)


def table_name(definition: IndexDefinition, store, kind: str, plan: CountsPlan, distinct: bool) -> str:
    """The kept table's name: a hash of the SQL computing it (definition, plan, relation)."""
    sql = _stage_sql(definition, store, kind, plan, distinct)
    return "_kept_" + hashlib.sha256(sql.encode()).hexdigest()[:20]


def _parts(definition: IndexDefinition, plan: CountsPlan) -> list[tuple[str, bool]]:
    return [(k, d) for k in RECORD_KINDS for d in (False, True) if keepable(definition, k, plan, distinct=d)]


def _writable(store) -> None:
    reason = store.derived_read_only_reason
    if reason:
        raise StoreError(f"cannot keep counts: the record store {reason}")


# -------------------------------------------------------------------- building
def keep(definition: IndexDefinition, store, plan: CountsPlan) -> list[KeptEntry]:
    """Compute and keep the counts of every windowed kind for ``plan`` (replacing any kept
    table of the same definition and plan), in one transaction."""
    if plan.grain == "all":
        raise ValueError("counts are kept by bucket: give a plan of weeks, days or months")
    _writable(store)
    with store.transaction():
        _ensure_manifest(store)
        stamp = store.stamp()
        for kind, distinct in _parts(definition, plan):
            name = table_name(definition, store, kind, plan, distinct)
            store._execute(f"DROP TABLE IF EXISTS {name}")
            store._execute(f"CREATE TABLE {name} AS {_stage_sql(definition, store, kind, plan, distinct)}")
            _record(store, name, kind, distinct, plan, stamp)
    return [e for e in entries(store) if e.plan == plan]


def keep_year(definition: IndexDefinition, store, year: int) -> list[KeptEntry]:
    """Keep the counts of a calendar year's weekly series and the year itself."""
    return keep(definition, store, CountsPlan(dt.date(year, 1, 1), dt.date(year, 12, 31), "week", outer=True))


def day_sql(definition: IndexDefinition, store, kind: str, part: str, distinct: bool, start: dt.date, end: dt.date,
            only: Sequence[tuple[dt.date, dt.date]] | None = None, relation: str | None = None) -> str | None:
    """The SQL of one relation kept by day (``part``: BY_DAY, CHANGES or STATIC) over the
    records of ``relation`` (default: the kind's), or None when the kind has no such measures.
    Without ``only`` the SQL is compiled once per definition, dialect and relation (``_SQLS``)."""
    relation = relation or store.relation(kind)
    key = (id(definition), store.dialect, relation, kind, part, distinct, start, end)
    hit = _SQLS.get(key) if only is None else None
    if hit is not None and hit[0] is definition:
        return hit[1]
    tgt = get_target(store.dialect)
    if part == STATIC:  # no window: the counts of any plan are the same
        tree = compile_counts(definition, kind, tgt, relation, CountsPlan(start, end), distinct=distinct)
    else:
        compile_ = (daily.compile_distinct_days if distinct else
                    daily.compile_days if part == BY_DAY else daily.compile_changes)
        tree = compile_(definition, kind, tgt, relation, start, end, only)
    sql = None if tree is None else tgt.render(tree)
    if only is None:
        if len(_SQLS) >= _NAMES_KEPT:
            _SQLS.pop(next(iter(_SQLS)))
        _SQLS[key] = (definition, sql)
    return sql


def day_parts(definition: IndexDefinition) -> list[tuple[str, str, bool]]:
    """(kind, part, distinct) of every relation kept by day for the definition (worked out once
    per definition: every read asks)."""
    hit = _PARTS.get(id(definition))
    if hit is not None and hit[0] is definition:
        return hit[1]
    if len(_PARTS) >= _NAMES_KEPT:
        _PARTS.pop(next(iter(_PARTS)))
    parts = _day_parts(definition)
    _PARTS[id(definition)] = (definition, parts)
    return parts


def _day_parts(definition: IndexDefinition) -> list[tuple[str, str, bool]]:
    out = []
    for kind in RECORD_KINDS:
        if RECORD_KINDS[kind].window_field is None:
            measures = definition.measures_of(kind)
            out += [(kind, STATIC, d) for d in (False, True) if any((m.distinct is not None) == d for m in measures)]
        elif daily.day_keepable(definition, kind):
            measures = definition.measures_of(kind)
            additive = [m for m in measures if m.distinct is None]
            out += [(kind, BY_DAY, False)] if additive else []
            out += [(kind, CHANGES, False)] if any(m.window_dependent for m in additive) else []
            out += [(kind, BY_DAY, True)] if len(additive) < len(measures) else []
    return out


def _day_table(sql: str, part: str, distinct: bool) -> str:
    prefix = {(BY_DAY, False): "_kday_", (CHANGES, False): "_kchg_", (BY_DAY, True): "_kdst_",
              (STATIC, False): "_kall_", (STATIC, True): "_kals_"}[(part, distinct)]
    return prefix + hashlib.sha256(sql.encode()).hexdigest()[:20]


#: The names of relations kept by day, per (definition, dialect, relation, kind, part, distinct,
#: range): compiling the SQL a name is hashed from takes ~0.1 s, and every read checks the name.
#: The definition itself is held in the value and compared by identity (an id is never reused
#: while its object is held); oldest entries dropped past ``_NAMES_KEPT``.
_NAMES: dict[tuple, tuple[IndexDefinition, str | None]] = {}
_NAMES_KEPT = 256
#: day_parts per definition (held, compared by identity, as in ``_NAMES``).
_PARTS: dict[int, tuple[IndexDefinition, list[tuple[str, str, bool]]]] = {}
#: The SQL of relations kept by day, per the same key and with the same rule (:func:`day_sql`).
_SQLS: dict[tuple, tuple[IndexDefinition, str | None]] = {}


def day_name(definition: IndexDefinition, store, kind: str, part: str, distinct: bool, start: dt.date,
             end: dt.date) -> str | None:
    """The name of the relation kept by day (None: the kind has no such measures)."""
    key = (id(definition), store.dialect, store.relation(kind), kind, part, distinct, start, end)
    hit = _NAMES.get(key)
    if hit is not None and hit[0] is definition:
        return hit[1]
    sql = day_sql(definition, store, kind, part, distinct, start, end)
    name = None if sql is None else _day_table(sql, part, distinct)
    if len(_NAMES) >= _NAMES_KEPT:
        _NAMES.pop(next(iter(_NAMES)))
    _NAMES[key] = (definition, name)
    return name


def keep_days(definition: IndexDefinition, store, start: dt.date, end: dt.date) -> list[KeptEntry]:
    """Keep the counts of every windowed kind **by day** over [start, end] (chiso.engine.daily),
    and those of a kind without a window whole: any window inside the range — a month, a
    quarter, a year to date, a 17-day range, a weekly series — is then counted from them
    without the records. Replaces what was kept by day."""
    _writable(store)
    with store.transaction():
        _ensure_manifest(store)
        stamp = store.stamp()
        for e in entries(store):
            if e.by_day:
                store._execute(f"DROP TABLE IF EXISTS {e.table}")
                store._execute(f"DELETE FROM {MANIFEST} WHERE kept_table = $1", [e.table])
        for kind, part, distinct in day_parts(definition):
            sql = day_sql(definition, store, kind, part, distinct, start, end)
            if sql is None:
                continue
            name = _day_table(sql, part, distinct)
            store._execute(f"DROP TABLE IF EXISTS {name}")
            # in received-day order: a window reads a contiguous run of the table (DuckDB skips
            # the row groups outside it by their min/max)
            order = f" ORDER BY {daily.DAY}" if part in (BY_DAY, CHANGES) and not distinct else ""
            store._execute(f"CREATE TABLE {name} AS SELECT * FROM ({sql}) AS kept{order}")
            if order:  # a window, and a batch's recount, read and replace the rows of some days
                store.index(name, daily.DAY)
            elif distinct and part == BY_DAY:  # a batch's masks are merged into their rows by key
                store.index(name, _columns(store, name)[1:3], unique=True)
            store.analyze(name)
            _record(store, name, kind, distinct, CountsPlan(start, end, part), stamp)  # type: ignore[arg-type]
    return [e for e in entries(store) if e.by_day]


def forget(store, tables: Iterable[str] | None = None) -> int:
    """Drop kept tables (all when ``tables`` is None); returns how many."""
    if not _has_manifest(store):
        return 0
    wanted = {e.table for e in entries(store)} if tables is None else set(tables)
    with store.transaction():
        for name in wanted:
            store._execute(f"DROP TABLE IF EXISTS {name}")
            store._execute(f"DELETE FROM {MANIFEST} WHERE kept_table = $1", [name])
    return len(wanted)


# -------------------------------------------------------------------- refreshing
def _current(definition: IndexDefinition, store, e: KeptEntry) -> bool:
    """Whether the entry was computed by this definition (same SQL, hence the same name)."""
    if e.by_day:
        if e.plan.grain != STATIC and not daily.day_keepable(definition, e.kind):
            return False
        return day_name(definition, store, e.kind, e.plan.grain, e.distinct, e.plan.start, e.plan.end) == e.table
    return keepable(definition, e.kind, e.plan, distinct=e.distinct) and \
        table_name(definition, store, e.kind, e.plan, e.distinct) == e.table


def refresh(definition: IndexDefinition, store, *, buckets: dict[str, Sequence[int]] | None = None
            ) -> list[RefreshReport]:
    """Bring every kept table of ``definition`` up to the store's last change.

    The buckets recomputed are those holding a day the change log names since the table's
    stamp; ``buckets`` (kind → bucket numbers) forces a recomputation of the given ones
    instead (used by the benchmark over Parquet files, which have no change log).
    """
    import time

    _writable(store)
    out = []
    scopes: dict[str, tuple[dt.date, ...]] = {}
    logged: dict[int, dict[str, Changes]] = {}  # the change log after a stamp, read once per stamp
    with store.transaction():
        stamp = store.stamp()
        for e in entries(store):
            if not _current(definition, store, e):
                continue
            t0 = time.perf_counter()
            if e.by_day:
                if buckets is not None or e.stamp == stamp:
                    continue
                n, delta = _refresh_days(definition, store, e, scopes, _changes(store, e, logged))
                rows = _record(store, e.table, e.kind, e.distinct, e.plan, stamp,
                               None if delta is None else e.rows + delta)
                out.append(RefreshReport(e.table, e.kind, e.distinct, n, rows, time.perf_counter() - t0, True))
                continue
            if buckets is not None:
                todo = sorted(set(buckets.get(e.kind, ())))
                unknown = set(todo) - {i for i, _, _ in e.plan.buckets()}
                if unknown:
                    raise ValueError(f"bucket(s) {sorted(unknown)} are not buckets of the kept plan "
                                     f"{e.plan.start}..{e.plan.end}")
            else:
                if e.stamp == stamp:
                    continue
                changes = _changes(store, e, logged)
                todo = [i for i, f, l in e.plan.buckets()
                        if changes.everything or any(f <= d <= l for d in changes.days)]
            if todo:
                _recompute(definition, store, e, todo)
            rows = _record(store, e.table, e.kind, e.distinct, e.plan, stamp)
            out.append(RefreshReport(e.table, e.kind, e.distinct, len(todo), rows, time.perf_counter() - t0))
        for kind in scopes:
            store._execute(f"DROP TABLE IF EXISTS {_scope_name(kind)}")
    return out


def _changes(store, e: KeptEntry, logged: dict[int, dict[str, Changes]]) -> Changes:
    """What the change log says of the entry's kind since the entry's stamp (``logged``: what
    this refresh has read of the log, by stamp)."""
    if e.stamp not in logged:
        logged[e.stamp] = store.changes_since(e.stamp)
    return logged[e.stamp].get(e.kind, NO_CHANGES)


def _refresh_days(definition: IndexDefinition, store, e: KeptEntry, scopes: dict[str, tuple],
                  changes: Changes) -> tuple[int, int | None]:
    """Recompute the rows of the received days the change log names since the entry's stamp
    (``changes``), of the units it names (a row depends on its unit's records of its day alone);
    returns how many days, and by how many rows the table grew (None: not counted)."""
    days, everything = changes.days, changes.everything
    units = None if everything else _changed_units(changes)
    only_units = "" if units is None else f" AND unit_code IN ({', '.join(literal(u) for u in sorted(units))})"
    start, end = e.plan.start, e.plan.end
    if e.plan.grain == STATIC:  # any change: counted again whole (a catalogue: small)
        if not (days or everything):
            return 0, 0
        store._execute(f"DELETE FROM {e.table}")
        store._execute(f"INSERT INTO {e.table} {day_sql(definition, store, e.kind, STATIC, e.distinct, start, end)}")
        return 1, None
    if e.distinct and not everything:
        todo = sorted(d for d in days if start <= d <= end)
        if todo:
            fresh = _scoped_sql(definition, store, e, todo, scopes, units)
            n_words = daily.words(start, end)
            cleared = [0] * n_words
            for d in todo:
                i = (d - start).days
                cleared[i // MASK_BUCKETS] |= 1 << (i % MASK_BUCKETS)
            delta = _merge_masks(store, e.table, fresh, {c: ~cleared[int(c.rsplit("__w", 1)[1])]
                                                          for c in _columns(store, e.table) if "__w" in c},
                                 only_units)
            return len(todo), delta
        return 0, 0
    deleted: int | None = 0  # rows, as the store reports them (None: the table emptied whole)
    if everything:
        todo = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        store._execute(f"DELETE FROM {e.table}")
        deleted = None
    else:
        todo = sorted(d for d in days if start <= d <= end)
        if not todo:
            return 0, 0
        for i in range(0, len(todo), 500):
            listed = ", ".join(str(day_number(d)) for d in todo[i:i + 500])
            gone = store._execute(f"DELETE FROM {e.table} WHERE {daily.DAY} IN ({listed}){only_units}")
            deleted = None if deleted is None or gone < 0 else deleted + gone
    if everything:
        fresh = day_sql(definition, store, e.kind, e.plan.grain, e.distinct, start, end)
    else:
        fresh = _scoped_sql(definition, store, e, todo, scopes, units)
    assert fresh is not None
    inserted = store._execute(f"INSERT INTO {e.table} {fresh}")
    return len(todo), None if deleted is None or inserted < 0 else inserted - deleted


def _scope_name(kind: str) -> str:
    return f"_chiso_scope_{kind}"


def _changed_units(changes: Changes) -> frozenset[str] | None:
    """The units whose records changed, or None (every unit: the log does not say, or so many
    that a list would not narrow the recount)."""
    return None if changes.units is None or len(changes.units) > UNITS_LISTED else changes.units


#: Past this many changed units a batch's days are recounted for every unit.
UNITS_LISTED = 2_000


def _scoped_sql(definition: IndexDefinition, store, e: KeptEntry, todo: Sequence[dt.date],
                scopes: dict[str, tuple], units: frozenset[str] | None = None) -> str:
    """The entry's SQL over a temporary table of the records received on ``todo``'s days (of
    ``units`` only, when given), read from the records once for every entry of the kind
    (``scopes``: kind → the days and units it holds)."""
    scope = _scope_name(e.kind)
    if scopes.get(e.kind) != (tuple(todo), units):
        tgt = get_target(store.dialect)
        rows = tgt.render(daily.compile_scope(e.kind, tgt, store.relation(e.kind), [(d, d) for d in todo],
                                              units=None if units is None else sorted(units)))
        store._execute(f"DROP TABLE IF EXISTS {scope}")
        store._execute(f"CREATE TEMP TABLE {scope} AS {rows}")
        scopes[e.kind] = (tuple(todo), units)
    sql = day_sql(definition, store, e.kind, e.plan.grain, e.distinct, e.plan.start, e.plan.end, relation=scope)
    assert sql is not None
    return sql


def _recompute(definition: IndexDefinition, store, e: KeptEntry, todo: Sequence[int]) -> None:
    spans = {i: (f, l) for i, f, l in e.plan.buckets()}
    only = [spans[i] for i in todo]
    fresh = _stage_sql(definition, store, e.kind, e.plan, e.distinct, only=only)
    if not e.distinct:
        listed = ", ".join(str(i) for i in todo)
        store._execute(f"DELETE FROM {e.table} WHERE bucket IN ({listed})")
        store._execute(f"INSERT INTO {e.table} {fresh}")
        return
    # masks: clear the recomputed buckets' bits, then OR in their new bits
    cleared = 0
    for i in todo:
        cleared |= 1 << i
    masks = _columns(store, e.table)[3:]  # province_code, unit_code, <distinct field>, _any, masks…
    _merge_masks(store, e.table, fresh, {m: ~cleared for m in masks})


def _columns(store, table: str) -> list[str]:
    return list(store.query_arrow(f"SELECT * FROM {table} LIMIT 0").column_names)


def _merge_masks(store, table: str, fresh: str, keep: dict[str, int], only_units: str = "") -> int | None:
    """Merge the rows of ``fresh`` (unit, distinct value, masks) into ``table`` in place: each
    mask column ``m`` keeps its old bits of ``keep[m]`` (those not recomputed) and takes the new
    ones; a row left with no bit of any ``_any`` mask goes. Only the rows holding a recomputed
    bit, and those of ``fresh``, are written; ``only_units`` (`` AND unit_code IN (…)``) names
    the units recomputed when not all were. Returns by how many rows the table grew (None: the
    store did not say)."""
    cols = _columns(store, table)
    value = cols[2]
    tmp = f"{table}_new"
    store._execute(f"DROP TABLE IF EXISTS {tmp}")
    store._execute(f"CREATE TEMP TABLE {tmp} AS {fresh}")
    store.analyze(tmp, ["unit_code", value])  # its size known, a batch's rows are merged through the key's index

    def big(v: int) -> str:
        return f"CAST({v} AS BIGINT)"

    cleared = {m: bits for m, bits in keep.items() if ~bits}
    # the new bits lie on recomputed days: only the columns holding those days take them. A row
    # of ``fresh`` is written once, its old bits of those days cleared and the new ones set
    # together (PostgreSQL writes a new version of every row updated: twice was half the merge)
    masks = list(cleared) or list(keep)

    def merged(m: str) -> str:
        old = f"{table}.{m}"
        return f"{m} = ({old} & {big(cleared[m])}) | n.{m}" if m in cleared else f"{m} = {old} | n.{m}"

    # the other rows of the recomputed units holding a bit of those days: cleared of them
    stale = (f"UPDATE {table} SET " + ", ".join(f"{m} = {m} & {big(bits)}" for m, bits in cleared.items())
             + " WHERE (" + " OR ".join(f"({m} & {big(~bits)}) <> 0" for m, bits in cleared.items())
             + f"){only_units} AND ")
    same = f"o.unit_code = n.unit_code AND o.{value} = n.{value}"
    if store.ROW_ID:  # the stored row's address found once; the update joins on it
        found = f"{table}_at"
        store._execute(f"DROP TABLE IF EXISTS {found}")
        store._execute(f"CREATE TEMP TABLE {found} AS SELECT n.*, o.{store.ROW_ID} AS _at FROM {tmp} n "
                       f"LEFT JOIN {table} o ON {same}")
        store._execute(f"UPDATE {table} SET " + ", ".join(merged(m) for m in masks)
                       + f" FROM {found} n WHERE {table}.{store.ROW_ID} = n._at")
        if cleared:
            store._execute(stale + f"{store.ROW_ID} NOT IN "
                           f"(SELECT _at FROM {found} WHERE _at IS NOT NULL)")
        inserted = store._execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT "
                                  f"{', '.join('n.' + c for c in cols)} FROM {found} n WHERE n._at IS NULL")
        store._execute(f"DROP TABLE {found}")
    else:
        store._execute(f"UPDATE {table} SET " + ", ".join(merged(m) for m in masks)
                       + f" FROM {tmp} n WHERE {table}.unit_code = n.unit_code AND {table}.{value} = n.{value}")
        if cleared:
            store._execute(stale + f"NOT EXISTS (SELECT 1 FROM {tmp} n WHERE "
                           f"n.unit_code = {table}.unit_code AND n.{value} = {table}.{value})")
        inserted = store._execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT "
                                  f"{', '.join('n.' + c for c in cols)} "
                                  f"FROM {tmp} n WHERE NOT EXISTS (SELECT 1 FROM {table} o WHERE {same})")
    anys = [c for c in keep if c == "_any" or c.startswith("_any__w")]
    deleted = 0
    if cleared:
        deleted = store._execute(f"DELETE FROM {table} WHERE (" + " AND ".join(f"{c} = 0" for c in anys)
                                 + f"){only_units}")
    store._execute(f"DROP TABLE {tmp}")
    return None if inserted < 0 or deleted < 0 else inserted - deleted


# -------------------------------------------------------------------- reading
def bucket_map(kept: CountsPlan, wanted: CountsPlan) -> list[tuple[int, int]] | None:
    """(kept bucket, wanted bucket) for every bucket of ``wanted``, or None when one of them
    is not a bucket of ``kept`` or the whole range is wanted and is not the kept one."""
    if kept.grain != wanted.grain:
        return None
    if wanted.outer and not (kept.outer and (kept.start, kept.end) == (wanted.start, wanted.end)):
        return None
    by_span = {(f, l): i for i, f, l in kept.buckets()}
    out = []
    for j, f, l in wanted.buckets():
        i = by_span.get((f, l))
        if i is None:
            return None
        out.append((i, j))
    return out


class Known:
    """What the store keeps, read once (its kept tables and last change's stamp) for the several
    reads of one scoring; :meth:`load` again after a refresh."""

    def __init__(self, store) -> None:
        self.store = store
        self.load()

    def load(self) -> None:
        self.entries = entries(self.store)
        self.stamp = self.store.stamp() if self.entries else 0


def _usable(definition: IndexDefinition, store, plan: CountsPlan, kind: str, distinct: bool,
            known: Known | None = None) -> tuple[KeptEntry, list[tuple[int, int]]] | None:
    """A current kept table covering ``plan`` for this kind, fresh or refreshed now, with its
    bucket map — or None (no such table, or a stale one in a read-only store)."""
    if not keepable(definition, kind, plan, distinct=distinct):
        return None
    known = known or Known(store)
    for e in known.entries:
        if e.kind != kind or e.distinct != distinct or e.by_day:
            continue
        pairs = bucket_map(e.plan, plan)
        if pairs is None or not _current(definition, store, e):
            continue
        if e.stamp != known.stamp:
            if store.derived_read_only_reason:
                continue
            refresh(definition, store)
            known.load()
        return e, pairs
    return None


def covers(definition: IndexDefinition, store, plan: CountsPlan) -> bool:
    """Whether kept tables cover ``plan`` for every keepable part of the definition."""
    parts = _parts(definition, plan)
    known = Known(store)
    return bool(parts) and all(_usable(definition, store, plan, k, d, known) is not None for k, d in parts)


def _by_day(definition: IndexDefinition, store, plan: CountsPlan, kind: str, known: Known | None = None
            ) -> dict[tuple[str, bool], KeptEntry] | None:
    """The current relations kept by day of ``kind`` whose range holds ``plan`` ((part,
    distinct) → entry), fresh or refreshed now — or None."""
    static = RECORD_KINDS[kind].window_field is None
    if not (static or daily.day_keepable(definition, kind)):
        return None
    known = known or Known(store)
    found = {(e.plan.grain, e.distinct): e for e in known.entries
             if e.by_day and e.kind == kind and e.plan.start <= plan.start and plan.end <= e.plan.end}
    needed = [(part, d) for k, part, d in day_parts(definition) if k == kind]
    if any(p not in found or not _current(definition, store, found[p]) for p in needed):
        return None
    if any(found[p].stamp != known.stamp for p in needed):
        if store.derived_read_only_reason:
            return None
        refresh(definition, store)
        known.load()
    return {p: found[p] for p in needed}


def covers_days(definition: IndexDefinition, store, plan: CountsPlan) -> bool:
    """Whether counts kept by day hold ``plan``'s range for every kind kept by day."""
    kinds = {k for k, _, _ in day_parts(definition)}
    known = Known(store)
    return bool(kinds) and all(_by_day(definition, store, plan, k, known) is not None for k in kinds)


#: The SQL reading a plan from relations kept by day, per (definition, dialect, relations, plan):
#: the same window is read again after every refresh (the relations keep their names).
_READS: dict[tuple, tuple[IndexDefinition, str]] = {}


def _day_read_sql(definition: IndexDefinition, store, plan: CountsPlan, kind: str, distinct: bool,
                  tables: dict[tuple[str, bool], KeptEntry]) -> str:
    key = (id(definition), store.dialect, kind, distinct, tuple(sorted((p, e.table) for p, e in tables.items())), plan)
    hit = _READS.get(key)
    if hit is not None and hit[0] is definition:
        return hit[1]
    tgt = get_target(store.dialect)
    if distinct:
        e = tables[(BY_DAY, True)]
        tree = daily.compile_read_distinct(definition, kind, tgt, e.table, plan, e.plan.start, e.plan.end)
    else:
        changes = tables.get((CHANGES, False))
        tree = daily.compile_read(definition, kind, tgt, tables[(BY_DAY, False)].table,
                                  changes.table if changes else None, plan)
    sql = tgt.render(tree)
    if len(_READS) >= _NAMES_KEPT:
        _READS.pop(next(iter(_READS)))
    _READS[key] = (definition, sql)
    return sql


def read(definition: IndexDefinition, store, plan: CountsPlan, kind: str, distinct: bool,
         known: Known | None = None) -> pl.DataFrame | None:
    """The counts of ``kind`` for ``plan`` from a kept table, in the shape the scan returns —
    or None when no current, fresh (or refreshable) kept table covers the plan. A plan kept
    by its buckets is read from them; any other plan inside a range kept by day, from those."""
    known = known or Known(store)
    found = _usable(definition, store, plan, kind, distinct, known) if plan.grain != "all" else None
    if found is None:
        tables = _by_day(definition, store, plan, kind, known)
        if tables is None:
            return None
        if (STATIC, distinct) in tables:
            return pl.from_arrow(store.query_arrow(f"SELECT * FROM {tables[(STATIC, distinct)].table}"))
        if (BY_DAY, distinct) not in tables:
            return None
        return pl.from_arrow(store.query_arrow(_day_read_sql(definition, store, plan, kind, distinct, tables)))
    e, pairs = found
    tgt = get_target(store.dialect)
    if distinct:
        sql = tgt.render(compile_reduce(definition, kind, tgt, e.table, e.plan, pairs, outer=plan.outer))
    else:
        pairs_sql = ", ".join(f"({i}, {j})" for i, j in pairs)
        cols = [c for c in store.query_arrow(f"SELECT * FROM {e.table} LIMIT 0").column_names if c != "bucket"]
        sql = (f"SELECT {', '.join('k.' + c for c in cols)}, t.bucket FROM {e.table} k "
               f"JOIN (VALUES {pairs_sql}) AS t(kept_bucket, bucket) ON k.bucket = t.kept_bucket")
    return pl.from_arrow(store.query_arrow(sql))
