"""Compile an index definition's measures into counts queries — one pass per record kind.

Counts are the sufficient statistics of the index: every score is a function of
per-unit, per-window counts. For a record kind, one query scans its records once and
returns, per (province, unit, bucket), every measure over that kind:

- the records are cut into buckets (ISO weeks, months, days, or one bucket for the whole
  range); a measure that depends on the window end (an unfinished dossier is judged at
  the window's last day) is evaluated at its bucket's end;
- with ``outer=True`` the same scan also evaluates those measures at the end of the whole
  range (column ``<measure>__outer``), so the range's own counts are the sum of these
  over its buckets: a year and its 52 weekly snapshots come from one scan.

Measures counting distinct values (procedures with an online payment) are not additive
across buckets or units; their query keeps one row per (unit, procedure) inside the engine,
with a BIGINT mask per measure whose bit *b* says "a record of bucket *b* meets the
condition" (up to 62 buckets: a year of ISO weeks), and reduces it there — exactly — to
unit, province, bucket and whole-range counts. Plans with more buckets keep one row per
(unit, procedure, bucket) instead.

>>> import datetime as dt
>>> from chiso.catalog.index_definition import load_index_definition
>>> from chiso.engine.dialects import dialect
>>> plan = CountsPlan(dt.date(2026, 8, 17), dt.date(2026, 8, 23), grain="all")
>>> sql = compile_counts(load_index_definition(), "petitions", dialect("duckdb"), "petitions", plan)
>>> "GROUP BY" in dialect("duckdb").render(sql)
True
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlglot import exp

from chiso.catalog.index_definition import IndexDefinition, Measure
from chiso.catalog.records import RECORD_KINDS, RecordKind
from chiso.engine.dialects import Dialect, date_literal, day_number
from chiso.engine.predicates import PredicateCompiler

Grain = Literal["all", "week", "day", "month"]
OUTER_BUCKET = -1
KEYS = ("province_code", "unit_code")
# Buckets a BIGINT bucket mask holds (bit 63, the sign, left alone): a year's 53 ISO weeks fit.
MASK_BUCKETS = 62


@dataclass(frozen=True)
class CountsPlan:
    """What one scan computes: the range, how it is cut into buckets, and whether the
    whole range is evaluated too."""

    start: dt.date
    end: dt.date
    grain: Grain = "all"
    outer: bool = False

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the range ends before it starts")

    @property
    def anchor(self) -> dt.date:
        """Where buckets are counted from: weekly buckets are ISO weeks, so the Monday on or
        before ``start`` (a range starting mid-week has a short first bucket)."""
        if self.grain == "week":
            return self.start - dt.timedelta(days=self.start.isoweekday() - 1)
        return self.start

    def buckets(self) -> list[tuple[int, dt.date, dt.date]]:
        """(bucket number, first day, last day) of each bucket, the last one cut at ``end``."""
        if self.grain == "all":
            return [(0, self.start, self.end)]
        out, i, first = [], 0, self.anchor
        while first <= self.end:
            if self.grain == "day":
                last = first
            elif self.grain == "week":
                last = first + dt.timedelta(days=6)
            else:
                nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
                last = nxt - dt.timedelta(days=1)
            last = min(last, self.end)
            out.append((i, max(first, self.start), last))
            i, first = i + 1, last + dt.timedelta(days=1)
        return out


def merge_ranges(ranges: Sequence[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Day ranges sorted, with touching or overlapping ones joined."""
    out: list[tuple[dt.date, dt.date]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _n(v: int) -> exp.Expression:
    return exp.Literal.number(v)


def _max_if(cond: exp.Expression | None) -> exp.Expression:
    if cond is None:
        return _n(1)
    return exp.Max(this=exp.Case(ifs=[exp.If(this=exp.Paren(this=cond), true=_n(1))], default=_n(0)))


def _cap(x: exp.Expression, limit: int) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=exp.GT(this=x, expression=_n(limit)), true=_n(limit))], default=x.copy())


def bucket_expressions(plan: CountsPlan, target: Dialect, d: exp.Expression) -> tuple[exp.Expression, exp.Expression,
                                                                       exp.Expression]:
    """(bucket number, bucket start day, bucket end day) as expressions of the day number ``d``."""
    d0, dn = day_number(plan.anchor), day_number(plan.end)
    if plan.grain == "all":
        return _n(0), _n(d0), _n(dn)
    if plan.grain in ("week", "day"):
        width = 7 if plan.grain == "week" else 1
        b = target.int_div(exp.Paren(this=exp.Sub(this=d.copy(), expression=_n(d0))), _n(width))
        start = exp.Add(this=_n(d0), expression=exp.Mul(this=_n(width), expression=b.copy()))
        end = exp.Add(this=start.copy(), expression=_n(width - 1))
        if (dn - d0 + 1) % width:  # the last bucket is cut at the end of the range
            end = _cap(end, dn)
        if plan.anchor != plan.start:  # … and the first at its start
            start = exp.Case(ifs=[exp.If(this=exp.LT(this=start, expression=_n(day_number(plan.start))),
                                         true=_n(day_number(plan.start)))], default=start.copy())
        return b, start, end
    # months: a few CASE branches, evaluated per row
    buckets = plan.buckets()
    def case(values):
        return exp.Case(ifs=[exp.If(this=exp.LTE(this=d.copy(), expression=_n(day_number(last))), true=_n(v))
                             for (_, _, last), v in zip(buckets, values)], default=_n(values[-1]))
    return (case([i for i, _, _ in buckets]), case([day_number(f) for _, f, _ in buckets]),
            case([day_number(last) for _, _, last in buckets]))


def _scan(kind: RecordKind, relation: str, target: Dialect, plan: CountsPlan, measures: list[Measure],
          extra_keys: tuple[str, ...], only: Sequence[tuple[dt.date, dt.date]] | None = None
          ) -> tuple[exp.Select, PredicateCompiler, PredicateCompiler]:
    """The inner SELECT: the records of the range, with day numbers, bucket and bucket window.

    ``only`` restricts a windowed kind's records to some day ranges inside the plan (the
    buckets a refresh recomputes); bucket numbers and windows stay the plan's."""
    needed: set[str] = set()
    for m in measures:
        if m.where is not None:
            needed |= {c.name for c in m.where.find_all(exp.Column)}
    date_fields = sorted(n for n in needed if kind.has(n) and kind.field(n).type == "date")
    plain = sorted(n for n in needed if kind.has(n) and kind.field(n).type != "date")
    day_cols = {n: f"_d_{n}" for n in date_fields}

    projections: list[exp.Expression] = [exp.column(k) for k in KEYS + extra_keys]
    projections += [exp.column(n) for n in plain if n not in KEYS + extra_keys]
    projections += [exp.alias_(target.days(exp.column(n)), day_cols[n]) for n in date_fields]
    select = exp.select(*projections).from_(exp.to_table(relation))

    windowed = kind.window_field is not None
    if windowed:
        wf = kind.window_field
        d = target.days(exp.column(wf))
        b, ws, we = bucket_expressions(plan, target, d)
        select = select.select(exp.alias_(b, "_b"), exp.alias_(ws, "_ws"), exp.alias_(we, "_we"))
        select = select.where(exp.Between(this=exp.column(wf), low=date_literal(plan.start),
                                          high=date_literal(plan.end)))
        if only is not None:
            ranges = [exp.Between(this=exp.column(wf), low=date_literal(a), high=date_literal(b))
                      for a, b in merge_ranges(only)]
            select = select.where(exp.or_(*ranges) if ranges else exp.false())
        per_bucket = PredicateCompiler(kind, target, window_start=exp.column("_ws"),
                                       window_end=exp.column("_we"), day_columns=day_cols)
    else:
        per_bucket = PredicateCompiler(kind, target, window_start=_n(day_number(plan.start)),
                                       window_end=_n(day_number(plan.end)), day_columns=day_cols)
    whole = PredicateCompiler(kind, target, window_start=_n(day_number(plan.start)),
                              window_end=_n(day_number(plan.end)), day_columns=day_cols)
    return select, per_bucket, whole


def compile_counts(definition: IndexDefinition, records: str, target: Dialect, relation: str,
                   plan: CountsPlan, *, distinct: bool = False) -> exp.Select | None:
    """The counts query for one record kind's additive (or, with ``distinct``, distinct) measures.

    Result columns: ``province_code, unit_code, bucket`` then one column per measure, plus
    ``<measure>__outer`` for window-dependent measures when ``plan.outer``. For distinct
    measures, rows with a NULL ``unit_code`` are the province's own counts and bucket
    ``-1`` is the whole range. Returns None when the kind has no such measures.
    """
    kind = RECORD_KINDS[records]
    measures = kind_measures(definition, records, distinct)
    if not measures:
        return None
    if not distinct:
        return compile_stage(definition, records, target, relation, plan, distinct=False)
    if _masks_apply(kind, plan):
        base = compile_stage(definition, records, target, relation, plan, distinct=True)
        assert base is not None
        reduced = compile_reduce(definition, records, target, "base", plan)
        return reduced.with_("base", as_=base, materialized=target.MATERIALIZE_CTE or None)
    return _compile_distinct(kind, relation, target, plan, measures)


def kind_measures(definition: IndexDefinition, records: str, distinct: bool) -> list[Measure]:
    return [m for m in definition.measures_of(records) if (m.distinct is not None) == distinct]


def _masks_apply(kind: RecordKind, plan: CountsPlan) -> bool:
    return kind.window_field is not None and plan.grain != "all" and len(plan.buckets()) <= MASK_BUCKETS


def keepable(definition: IndexDefinition, records: str, plan: CountsPlan, *, distinct: bool) -> bool:
    """Whether this kind's counts of this plan can be kept between refreshes: windowed kinds,
    additive measures by bucket, distinct ones by per-bucket masks."""
    kind = RECORD_KINDS[records]
    if kind.window_field is None or plan.grain == "all" or not kind_measures(definition, records, distinct):
        return False
    return not distinct or _masks_apply(kind, plan)


def compile_stage(definition: IndexDefinition, records: str, target: Dialect, relation: str, plan: CountsPlan,
                  *, distinct: bool, only: Sequence[tuple[dt.date, dt.date]] | None = None) -> exp.Select | None:
    """The scan of one kind's records — the expensive part, whose rows can be kept.

    Additive measures: one row per (unit, bucket), as :func:`compile_counts` returns them.
    Distinct measures (mask route only): one row per (unit, distinct value) with a BIGINT
    mask per measure (bit *b*: a record of bucket *b* meets the condition), ``_any`` (bit
    *b*: the value has a record in bucket *b*) and, with ``plan.outer``, ``<m>__o`` (bit
    *b*: a record of bucket *b* meets the condition judged at the range's end). Every
    column is a function of each bucket's records alone, so a bucket's rows (or bits) can
    be recomputed from its records without touching the others (``only``).
    """
    kind = RECORD_KINDS[records]
    measures = kind_measures(definition, records, distinct)
    if not measures:
        return None
    windowed = kind.window_field is not None
    if distinct:
        if not _masks_apply(kind, plan):
            return None
        return _distinct_base(kind, relation, target, plan, measures, only)
    scan, per_bucket, whole = _scan(kind, relation, target, plan, measures, (), only)
    # a unit lies in one province: grouping by the unit alone (and taking its province
    # along) halves the hashing work of grouping by both
    cols: list[exp.Expression] = [exp.alias_(exp.Min(this=exp.column("province_code")), "province_code"),
                                  exp.column("unit_code")]
    cols.append(exp.alias_(exp.column("_b") if windowed else _n(0), "bucket"))
    for m in measures:
        cond = per_bucket.compile(m.where) if m.where is not None else None
        cols.append(exp.alias_(target.count_if(cond), m.name))
        if plan.outer and m.window_dependent:
            cols.append(exp.alias_(target.count_if(whole.compile(m.where)), f"{m.name}__outer"))
    group = [exp.column("unit_code")] + ([exp.column("_b")] if windowed else [])
    return exp.select(*cols).from_(scan.subquery("r")).group_by(*group)


def _compile_distinct(kind: RecordKind, relation: str, target: Dialect, plan: CountsPlan,
                      measures: list[Measure]) -> exp.Expression:
    """Distinct counts the generic way: one row per (unit, value, bucket)."""
    windowed = kind.window_field is not None
    key = distinct_field(kind, measures)
    scan, per_bucket, whole = _scan(kind, relation, target, plan, measures, (key,))
    bucket = exp.column("_b") if windowed else _n(0)
    base_cols: list[exp.Expression] = [exp.column(k) for k in KEYS] + [exp.column(key),
                                                                       exp.alias_(bucket, "bucket")]
    for m in measures:
        cond = per_bucket.compile(m.where) if m.where is not None else None
        base_cols.append(exp.alias_(_max_if(cond), m.name))
        if plan.outer and windowed:
            c = whole.compile(m.where) if m.where is not None else None
            base_cols.append(exp.alias_(_max_if(c), f"{m.name}__o"))
    group = [exp.column(k) for k in KEYS] + [exp.column(key)] + ([exp.column("_b")] if windowed else [])
    base = exp.select(*base_cols).from_(scan.subquery("r")).group_by(*group)

    return reduce_distinct(base, key, [m.name for m in measures], plan.outer and windowed, target)


def reduce_distinct(base: exp.Select, key: str, names: list[str], outer: bool, target: Dialect,
                    *, unique: bool = False) -> exp.Expression:
    """Distinct counts from ``base``: rows per (province, unit, ``key`` value, bucket) with a
    0/1 column per measure (and ``<m>__o``, judged at the range's end, with ``outer``) —
    reduced to per-bucket counts by unit and by province, and with ``outer`` the whole range's
    (bucket -1). ``unique``: ``base`` holds one row per (unit, value) and bucket (and so one per
    (unit, value) in the whole), so a unit's counts are its flags' sums, with no reduction to one
    row per value first (a province's still need it: its units share values)."""

    def reduce(by_unit: bool, whole: bool) -> exp.Select:
        src = [f"{n}__o" if whole else n for n in names]
        inner_keys = ["province_code"] + (["unit_code"] if by_unit else []) + [key] + ([] if whole else ["bucket"])
        outer_keys = [k for k in inner_keys if k != key]
        cols = [exp.column("province_code"),
                exp.column("unit_code") if by_unit else exp.alias_(exp.cast(exp.null(), "VARCHAR"), "unit_code"),
                exp.alias_(_n(OUTER_BUCKET), "bucket") if whole else exp.column("bucket")]
        cols += [exp.alias_(exp.cast(exp.Sum(this=exp.column(s)), "BIGINT"), n) for s, n in zip(src, names)]
        if unique and by_unit and not whole:
            return exp.select(*cols).from_("base").group_by(*[exp.column(k) for k in outer_keys])
        inner = exp.select(*[exp.column(k) for k in inner_keys],
                           *[exp.alias_(exp.Max(this=exp.column(s)), s) for s in src]
                           ).from_("base").group_by(*[exp.column(k) for k in inner_keys])
        return exp.select(*cols).from_(inner.subquery("x")).group_by(*[exp.column(k) for k in outer_keys])

    parts = [reduce(True, False), reduce(False, False)]
    if outer:
        parts += [reduce(True, True), reduce(False, True)]
    union = parts[0]
    for p in parts[1:]:
        union = exp.union(union, p, distinct=False)
    materialized = target.MATERIALIZE_CTE or None
    if isinstance(union, exp.Select):
        return union.with_("base", as_=base, materialized=materialized)
    return exp.select("*").from_(union.subquery("u")).with_("base", as_=base, materialized=materialized)


def _bit(mask: exp.Expression, bucket: exp.Expression) -> exp.Expression:
    """((mask >> bucket) & 1) = 1: the bucket's bit is set."""
    shifted = exp.Paren(this=exp.BitwiseRightShift(this=mask, expression=bucket))
    return exp.EQ(this=exp.Paren(this=exp.BitwiseAnd(this=shifted, expression=_n(1))), expression=_n(1))


def distinct_field(kind: RecordKind, measures: list[Measure]) -> str:
    keys = sorted({m.distinct for m in measures})
    if len(keys) != 1:
        raise ValueError(f"{kind.name}: distinct measures must count one field, not {keys}")
    return keys[0]


def _distinct_base(kind: RecordKind, relation: str, target: Dialect, plan: CountsPlan, measures: list[Measure],
                   only: Sequence[tuple[dt.date, dt.date]] | None) -> exp.Select:
    """One row per (unit, distinct value) with a bucket mask per measure (see compile_stage).

    Grouping by unit × value × bucket hashes millions of groups (2.7M for 10M dossiers
    over a year of weeks); grouping by unit × value alone keeps ~300,000, each with a
    BIGINT mask whose bit *b* says "a record in bucket *b* meets the condition".
    """
    key = distinct_field(kind, measures)
    scan, per_bucket, whole = _scan(kind, relation, target, plan, measures, (key,), only)
    one = exp.cast(_n(1), "BIGINT")
    bit_of_row = exp.BitwiseLeftShift(this=one, expression=exp.column("_b"))

    def bits_if(cond: exp.Expression | None) -> exp.Expression:
        if cond is None:
            return exp.BitwiseOrAgg(this=bit_of_row.copy())
        return exp.BitwiseOrAgg(this=exp.Case(ifs=[exp.If(this=exp.Paren(this=cond), true=bit_of_row.copy())],
                                              default=exp.cast(_n(0), "BIGINT")))

    cols: list[exp.Expression] = [exp.alias_(exp.Min(this=exp.column("province_code")), "province_code"),
                                  exp.column("unit_code"), exp.column(key)]
    cols.append(exp.alias_(bits_if(None), "_any"))
    for m in measures:
        cols.append(exp.alias_(bits_if(per_bucket.compile(m.where) if m.where is not None else None), m.name))
        if plan.outer and m.window_dependent:
            cols.append(exp.alias_(bits_if(whole.compile(m.where)), f"{m.name}__o"))
    return exp.select(*cols).from_(scan.subquery("r")).group_by(exp.column("unit_code"), exp.column(key))


def _bit(mask: exp.Expression, bucket: exp.Expression) -> exp.Expression:
    """((mask >> bucket) & 1) = 1: the bucket's bit is set."""
    shifted = exp.Paren(this=exp.BitwiseRightShift(this=mask, expression=bucket))
    return exp.EQ(this=exp.Paren(this=exp.BitwiseAnd(this=shifted, expression=_n(1))), expression=_n(1))


def compile_reduce(definition: IndexDefinition, records: str, target: Dialect, base: str, plan: CountsPlan,
                   buckets: Sequence[tuple[int, int]] | None = None, *, outer: bool | None = None) -> exp.Select:
    """Distinct counts from the per-(unit, value) masks in relation ``base`` (compile_stage's rows).

    Exactly: a unit's distinct count in bucket *b* = values whose mask has bit *b*; a
    province's = the same over the OR of its units' masks; the whole range's = values with
    any bit (for a window-dependent condition: any bit of its ``__o`` mask). ``buckets``
    lists (bucket in ``base``, bucket number to report) — default every bucket of the plan,
    numbered as they are — and ``outer`` (default ``plan.outer``) adds the whole-range rows
    (bucket -1). Buckets are expanded by a join with their numbers, on the small table only.
    """
    kind = RECORD_KINDS[records]
    measures = kind_measures(definition, records, True)
    key = distinct_field(kind, measures)
    outer = plan.outer if outer is None else outer
    if outer and not plan.outer:
        raise ValueError("the whole range's counts need a plan evaluated at the range's end (outer)")
    if buckets is None:
        buckets = [(i, i) for i, _, _ in plan.buckets()]
    names = [m.name for m in measures]
    judged_at_end = {m.name for m in measures if plan.outer and m.window_dependent}
    outer_flag = {n: exp.NEQ(this=exp.column(f"{n}__o" if n in judged_at_end else n), expression=_n(0))
                  for n in names}

    def province_masks() -> exp.Select:
        cols = [exp.column("province_code"), exp.column(key),
                exp.alias_(exp.BitwiseOrAgg(this=exp.column("_any")), "_any")]
        cols += [exp.alias_(exp.BitwiseOrAgg(this=exp.column(n)), n) for n in names]
        cols += [exp.alias_(exp.BitwiseOrAgg(this=exp.column(f"{n}__o")), f"{n}__o") for n in names
                 if n in judged_at_end]
        return exp.select(*cols).from_(base).group_by(exp.column("province_code"), exp.column(key))

    series = exp.Values(expressions=[exp.Tuple(expressions=[_n(k), _n(o)]) for k, o in buckets],
                        alias=exp.TableAlias(this=exp.to_identifier("t"),
                                             columns=[exp.to_identifier("kept_bucket"), exp.to_identifier("bucket")]))

    def count(cond: exp.Expression) -> exp.Expression:
        return exp.cast(exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=cond)), "BIGINT")

    def per_bucket_counts(source: exp.Expression, by_unit: bool) -> exp.Select:
        kb, bucket = exp.column("kept_bucket", table="t"), exp.column("bucket", table="t")
        cols = [exp.column("province_code"),
                exp.column("unit_code") if by_unit else exp.alias_(exp.cast(exp.null(), "VARCHAR"), "unit_code"),
                exp.alias_(bucket.copy(), "bucket")]
        cols += [exp.alias_(count(_bit(exp.column(n), kb.copy())), n) for n in names]
        group = [exp.column("province_code")] + ([exp.column("unit_code")] if by_unit else []) + [bucket.copy()]
        return (exp.select(*cols).from_(source).join(series.copy(), join_type="cross")
                .where(_bit(exp.column("_any"), kb.copy())).group_by(*group))

    def whole_counts(source: exp.Expression, by_unit: bool) -> exp.Select:
        cols = [exp.column("province_code"),
                exp.column("unit_code") if by_unit else exp.alias_(exp.cast(exp.null(), "VARCHAR"), "unit_code"),
                exp.alias_(_n(OUTER_BUCKET), "bucket")]
        cols += [exp.alias_(count(outer_flag[n].copy()), n) for n in names]
        group = [exp.column("province_code")] + ([exp.column("unit_code")] if by_unit else [])
        return exp.select(*cols).from_(source).group_by(*group)

    provinces = province_masks().subquery("p")
    parts = [per_bucket_counts(exp.to_table(base), True), per_bucket_counts(provinces.copy(), False)]
    if outer:
        parts += [whole_counts(exp.to_table(base), True), whole_counts(provinces.copy(), False)]
    union = parts[0]
    for p in parts[1:]:
        union = exp.union(union, p, distinct=False)
    return exp.select("*").from_(union.subquery("u"))
