"""Counts by day: the statistics from which **any** window is counted without the records.

A window's count of a measure is a sum over the records received in the window, each judged
at the window's last day ``W``. For a measure that does not look at ``W`` the record's
contribution is fixed, so per-(unit, received day) sums serve every window. For one that does
(an unfinished dossier is on time while ``W`` is before its deadline), the record's truth is a
step function of ``W``: it can change only where ``W`` crosses a day the predicate compares it
with. For a comparison ``W op T`` (T an expression of the record: a deadline, a finished day)
the truth changes only between ``T − 1`` and ``T`` or between ``T`` and ``T + 1``; so with the
*candidate days* ``{T, T + 1}`` of every such comparison,

    P(W) = P(r) + Σ over distinct candidates c with r < c ≤ W of (P(c) − P(c − 1))

where ``r`` is the record's received day (a window holding the record ends on or after it).
Three relations are kept per windowed record kind:

- **days** — per (unit, day ``r``): every additive measure, the window-dependent ones judged
  at ``W = r``;
- **changes** — per (unit, day ``r``, change day ``c > r``): the sum of the steps
  ``P(c) − P(c − 1)`` of each window-dependent measure (rows whose steps are all 0 dropped);
- **distinct days** — per (unit, distinct value): day masks (bit *i* of mask *w*: day
  ``start + 62w + i``) of the days a record has the value and meets each distinct measure's
  condition (distinct measures never depend on ``W``).

A window ``[a, b]`` then counts ``Σ days[a ≤ r ≤ b] + Σ changes[a ≤ r, c ≤ b]``, a bucket of a
series the same with its own end, and a distinct measure the values whose masks share a bit
with the window's days. Every row (every mask bit) depends on one received day's records only,
so a changed day is recomputed alone.

A measure whose predicate uses ``window_start``, or ``window_end`` other than compared whole
with an expression of the record (``WORKDAYS(x, window_end)``, ``window_end - x > 3``), is not
kept by day (:func:`day_keepable`): its windows are scanned.

>>> from chiso.catalog.index_definition import load_index_definition
>>> d = load_index_definition()
>>> day_keepable(d, "dossiers"), day_keepable(d, "procedures")
(True, False)
>>> sorted(len(thresholds(m.where)) for m in d.measures_of("dossiers") if m.window_dependent)
[1, 1, 2]
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlglot import exp

from chiso.catalog.index_definition import IndexDefinition, Measure
from chiso.catalog.records import RECORD_KINDS
from chiso.engine.counts import (
    KEYS,
    MASK_BUCKETS,
    OUTER_BUCKET,
    CountsPlan,
    bucket_expressions,
    distinct_field,
    kind_measures,
    merge_ranges,
    reduce_distinct,
)
from chiso.engine.dialects import Dialect, date_literal, day_number
from chiso.engine.predicates import PredicateCompiler

_n = exp.Literal.number
#: The column names of the kept relations.
DAY, CHANGE = "received_day", "change_day"
_COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE)


def _is_window(node: exp.Expression, name: str) -> bool:
    return isinstance(node, exp.Column) and node.name == name and not node.table


def thresholds(where: exp.Expression | None) -> list[exp.Expression] | None:
    """The expressions ``window_end`` is compared with in ``where`` (each once), or None when
    the predicate uses ``window_start`` or ``window_end`` in any other way."""
    if where is None:
        return []
    found: dict[str, exp.Expression] = {}
    seen_ends = 0
    for node in where.find_all(exp.Column):
        if _is_window(node, "window_start"):
            return None
        if _is_window(node, "window_end"):
            seen_ends += 1
    used = 0
    for cmp in where.find_all(*_COMPARISONS):
        left, right = cmp.this, cmp.expression
        if _is_window(left, "window_end") and not any(_is_window(c, "window_end") for c in right.find_all(exp.Column)):
            other = right
        elif _is_window(right, "window_end") and not any(_is_window(c, "window_end")
                                                          for c in left.find_all(exp.Column)):
            other = left
        else:
            continue
        used += 1
        found.setdefault(other.sql(), other)
    if used != seen_ends:  # window_end somewhere else: inside arithmetic or a function
        return None
    return list(found.values())


def day_keepable(definition: IndexDefinition, records: str) -> bool:
    """Whether ``records``' measures can be kept by day: a windowed kind, every window-dependent
    predicate compares ``window_end`` whole (see :func:`thresholds`), no distinct measure
    depends on the window."""
    hit = _KEEPABLE.get((id(definition), records))
    if hit is not None and hit[0] is definition:
        return hit[1]
    if len(_KEEPABLE) >= 256:
        _KEEPABLE.pop(next(iter(_KEEPABLE)))
    answer = _day_keepable(definition, records)
    _KEEPABLE[(id(definition), records)] = (definition, answer)
    return answer


#: day_keepable per (definition, kind): the definition held and compared by identity (an id is
#: never reused while its object is held); asked by every read of counts kept by day.
_KEEPABLE: dict[tuple[int, str], tuple[IndexDefinition, bool]] = {}


def _day_keepable(definition: IndexDefinition, records: str) -> bool:
    kind = RECORD_KINDS[records]
    measures = list(definition.measures_of(records))
    if kind.window_field is None or not measures:
        return False
    for m in measures:
        if m.window_dependent and (m.distinct is not None or thresholds(m.where) is None):
            return False
    return True


def _scan(kind, relation: str, target: Dialect, measures: list[Measure], extra: tuple[str, ...],
          start: dt.date, end: dt.date, only: Sequence[tuple[dt.date, dt.date]] | None
          ) -> tuple[exp.Select, dict[str, str]]:
    """The records received in [start, end] (and in ``only``'s days, when given), with the
    received day ``_r`` and the day numbers of the date fields the measures read."""
    needed: set[str] = set()
    for m in measures:
        if m.where is not None:
            needed |= {c.name for c in m.where.find_all(exp.Column)}
    dates = sorted(n for n in needed if kind.has(n) and kind.field(n).type == "date")
    plain = sorted(n for n in needed if kind.has(n) and kind.field(n).type != "date" and n not in KEYS + extra)
    day_cols = {n: f"_d_{n}" for n in dates}
    wf = exp.column(kind.window_field)
    cols = [exp.column(k) for k in KEYS + extra] + [exp.column(n) for n in plain]
    cols += [exp.alias_(target.days(exp.column(n)), day_cols[n]) for n in dates]
    cols.append(exp.alias_(target.days(wf.copy()), "_r"))
    select = exp.select(*cols).from_(exp.to_table(relation)).where(
        exp.Between(this=wf.copy(), low=date_literal(start), high=date_literal(end)))
    if only is not None:
        ranges = [exp.Between(this=wf.copy(), low=date_literal(a), high=date_literal(b)) for a, b in merge_ranges(only)]
        select = select.where(exp.or_(*ranges) if ranges else exp.false())
    return select, day_cols


def compile_scope(records: str, target: Dialect, relation: str,
                  only: Sequence[tuple[dt.date, dt.date]], units: Sequence[str] | None = None) -> exp.Select:
    """The records of ``relation`` received in ``only``'s days (of ``units`` only, when given):
    a view the kept counts of those days are recounted over, so that the counting SQL, compiled
    once over the view's name, is the same for any days (compiling it takes longer than running
    it on a batch's days)."""
    wf = exp.column(RECORD_KINDS[records].window_field)
    ranges = [exp.Between(this=wf.copy(), low=date_literal(a), high=date_literal(b)) for a, b in merge_ranges(only)]
    where = exp.or_(*ranges) if ranges else exp.false()
    if units is not None:
        listed = [exp.Literal.string(u) for u in units]
        where = exp.and_(exp.Paren(this=where), exp.In(this=exp.column("unit_code"), expressions=listed)
                         if listed else exp.false())
    return exp.select(exp.Star()).from_(exp.to_table(relation)).where(where)


def _judge(kind, target: Dialect, day_cols: dict[str, str], at: exp.Expression) -> PredicateCompiler:
    return PredicateCompiler(kind, target, window_start=at, window_end=at, day_columns=day_cols)


def compile_days(definition: IndexDefinition, records: str, target: Dialect, relation: str, start: dt.date,
                 end: dt.date, only: Sequence[tuple[dt.date, dt.date]] | None = None) -> exp.Select | None:
    """Per (unit, received day): every additive measure, window-dependent ones judged that day."""
    kind = RECORD_KINDS[records]
    measures = kind_measures(definition, records, False)
    if not measures:
        return None
    scan, day_cols = _scan(kind, relation, target, measures, (), start, end, only)
    judge = _judge(kind, target, day_cols, exp.column("_r"))
    cols: list[exp.Expression] = [exp.alias_(exp.Min(this=exp.column("province_code")), "province_code"),
                                  exp.column("unit_code"), exp.alias_(exp.column("_r"), DAY)]
    cols += [exp.alias_(target.count_if(judge.compile(m.where) if m.where is not None else None), m.name) for m in measures]
    return exp.select(*cols).from_(scan.subquery("r")).group_by(exp.column("unit_code"), exp.column("_r"))


def _flag(cond: exp.Expression) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=exp.Paren(this=cond), true=_n(1))], default=_n(0))


def compile_changes(definition: IndexDefinition, records: str, target: Dialect, relation: str, start: dt.date,
                    end: dt.date, only: Sequence[tuple[dt.date, dt.date]] | None = None) -> exp.Select | None:
    """Per (unit, received day, change day after it): each window-dependent measure's steps
    (see the module); None when no measure of the kind depends on the window."""
    kind = RECORD_KINDS[records]
    dependent = [m for m in kind_measures(definition, records, False) if m.window_dependent]
    if not dependent:
        return None
    scan, day_cols = _scan(kind, relation, target, dependent, (), start, end, only)
    plain = _judge(kind, target, day_cols, exp.column("_r"))
    candidates: dict[str, exp.Expression] = {}
    for m in dependent:
        for t in thresholds(m.where) or []:
            day = plain.compile(t)
            for c in (day, exp.Add(this=exp.Paren(this=day.copy()), expression=_n(1))):
                candidates.setdefault(c.sql(), c)
    parts = []
    earlier: list[exp.Expression] = []
    for c in candidates.values():
        at, before = _judge(kind, target, day_cols, c), _judge(kind, target, day_cols, exp.Sub(
            this=exp.Paren(this=c.copy()), expression=_n(1)))
        cols: list[exp.Expression] = [exp.column("province_code"), exp.column("unit_code"),
                                      exp.alias_(exp.column("_r"), DAY), exp.alias_(c.copy(), CHANGE)]
        cols += [exp.alias_(exp.Sub(this=_flag(at.compile(m.where)), expression=_flag(before.compile(m.where))), m.name)
                 for m in dependent]
        conds = [exp.GT(this=c.copy(), expression=exp.column("_r"))]
        # a candidate day met before (the same day from another comparison) steps once
        conds += [exp.or_(exp.Is(this=e.copy(), expression=exp.null()), exp.NEQ(this=c.copy(), expression=e.copy()))
                  for e in earlier]
        parts.append(exp.select(*cols).from_("r").where(exp.and_(*conds)))
        earlier.append(c)
    union: exp.Expression = parts[0]
    for p in parts[1:]:
        union = exp.union(union, p, distinct=False)
    sums = [exp.Sum(this=exp.column(m.name)) for m in dependent]
    cols = [exp.alias_(exp.Min(this=exp.column("province_code")), "province_code"), exp.column("unit_code"),
            exp.column(DAY), exp.column(CHANGE)] + [exp.alias_(s, m.name) for s, m in zip(sums, dependent)]
    nonzero = exp.or_(*[exp.NEQ(this=s.copy(), expression=_n(0)) for s in sums])
    return (exp.select(*cols).from_(union.subquery("steps"))
            .group_by(exp.column("unit_code"), exp.column(DAY), exp.column(CHANGE)).having(nonzero)
            .with_("r", as_=scan, materialized=target.MATERIALIZE_CTE or None))


def words(start: dt.date, end: dt.date) -> int:
    """How many BIGINT day masks hold the days of [start, end] (MASK_BUCKETS days each)."""
    return ((end - start).days + MASK_BUCKETS) // MASK_BUCKETS


def word_column(name: str, word: int) -> str:
    """The column of measure ``name``'s (or ``_any``'s) day mask number ``word``."""
    return f"{name}__w{word}"


def compile_distinct_days(definition: IndexDefinition, records: str, target: Dialect, relation: str,
                          start: dt.date, end: dt.date, only: Sequence[tuple[dt.date, dt.date]] | None = None
                          ) -> exp.Select | None:
    """Per (unit, distinct value): day masks — bit *i* of mask *w* is day ``start + 62w + i`` —
    saying on which received days a record has the value (``_any``) and meets each distinct
    measure's condition. About 30,000 rows per million dossiers, against ten times as many
    rows per (unit, value, day); a window tests a few masks per row."""
    kind = RECORD_KINDS[records]
    measures = kind_measures(definition, records, True)
    if not measures:
        return None
    key = distinct_field(kind, measures)
    scan, day_cols = _scan(kind, relation, target, measures, (key,), start, end, only)
    judge = _judge(kind, target, day_cols, exp.column("_r"))
    # from the date itself: PostgreSQL cannot read the alias _r in the SELECT that makes it
    index = exp.Paren(this=exp.Sub(this=target.days(exp.column(kind.window_field)), expression=_n(day_number(start))))
    scan = scan.select(exp.alias_(target.int_div(index.copy(), _n(MASK_BUCKETS)), "_w"),
                       exp.alias_(exp.BitwiseLeftShift(this=exp.cast(_n(1), "BIGINT"), expression=exp.Paren(
                           this=exp.Mod(this=index.copy(), expression=_n(MASK_BUCKETS)))), "_bit"))
    zero = exp.cast(_n(0), "BIGINT")

    def bits(word: int, cond: exp.Expression | None) -> exp.Expression:
        test = exp.EQ(this=exp.column("_w"), expression=_n(word))
        if cond is not None:
            test = exp.and_(test, exp.Paren(this=cond))
        return exp.BitwiseOrAgg(this=exp.Case(ifs=[exp.If(this=test, true=exp.column("_bit"))], default=zero.copy()))

    conds = {m.name: judge.compile(m.where) if m.where is not None else None for m in measures}
    cols: list[exp.Expression] = [exp.alias_(exp.Min(this=exp.column("province_code")), "province_code"),
                                  exp.column("unit_code"), exp.column(key)]
    for w in range(words(start, end)):
        cols.append(exp.alias_(bits(w, None), word_column("_any", w)))
        cols += [exp.alias_(bits(w, conds[m.name]), word_column(m.name, w)) for m in measures]
    return exp.select(*cols).from_(scan.subquery("r")).group_by(exp.column("unit_code"), exp.column(key))


def day_masks(kept_start: dt.date, first: dt.date, last: dt.date, n_words: int) -> list[int]:
    """The masks of the days [first, last] in a kept range starting ``kept_start``, per word.

    >>> day_masks(dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 3, 5), 2)
    [4611686018427387902, 3]
    """
    out = [0] * n_words
    for i in range((first - kept_start).days, (last - kept_start).days + 1):
        out[i // MASK_BUCKETS] |= 1 << (i % MASK_BUCKETS)
    return out


# -------------------------------------------------------------------- reading a plan
def _in_plan(plan: CountsPlan) -> exp.Expression:
    return exp.Between(this=exp.column(DAY), low=_n(day_number(plan.start)), high=_n(day_number(plan.end)))


def compile_read(definition: IndexDefinition, records: str, target: Dialect, days: str, changes: str | None,
                 plan: CountsPlan) -> exp.Select:
    """The counts of ``plan`` from the days and changes relations, in the shape of
    :func:`chiso.engine.counts.compile_stage` (plus ``<m>__outer`` with ``plan.outer``).

    Each relation is summed per (unit, bucket) on its own — the changes only for the measures
    they hold — and the two small results added: measured 2× cheaper than summing one union
    of both relations' rows."""
    measures = kind_measures(definition, records, False)
    dependent = [m for m in measures if m.window_dependent]
    bucket, _, bucket_end = bucket_expressions(plan, target, exp.column(DAY))
    outer = plan.outer and plan.grain != "all"
    keys = [exp.alias_(exp.Min(this=exp.column("province_code")), "province_code"), exp.column("unit_code"),
            exp.alias_(bucket.copy(), "bucket")]
    group = [exp.column("unit_code"), exp.column("bucket")]

    def total(e: exp.Expression, name: str) -> exp.Expression:
        # a count's sum is a count: BIGINT at every step (PostgreSQL's sum of BIGINTs is a
        # NUMERIC, and the outer sum of NUMERICs read a week 15 % slower; DuckDB's a HUGEINT)
        return exp.alias_(exp.cast(exp.Sum(this=e), "BIGINT"), name)

    day_cols = [total(exp.column(m.name), m.name) for m in measures]
    day_cols += [total(exp.column(m.name), f"{m.name}__outer") for m in dependent if outer]
    union: exp.Expression = exp.select(*keys, *day_cols).from_(days).where(_in_plan(plan)).group_by(*group)
    if changes is not None and dependent:
        names = {m.name for m in dependent}
        step_cols = []
        for m in measures:
            if m.name in names and plan.grain == "all":  # one bucket: its end is the range's (the WHERE)
                step_cols.append(total(exp.column(m.name), m.name))
            elif m.name in names:  # a step counts in its bucket when it happens by the bucket's end
                step_cols.append(total(exp.Case(ifs=[exp.If(this=exp.LTE(this=exp.column(CHANGE),
                                                                         expression=bucket_end.copy()),
                                                            true=exp.column(m.name))], default=_n(0)), m.name))
            else:
                step_cols.append(exp.alias_(_n(0), m.name))
        step_cols += [total(exp.column(m.name), f"{m.name}__outer") for m in dependent if outer]
        steps = exp.select(*[k.copy() for k in keys], *step_cols).from_(changes).where(exp.and_(
            _in_plan(plan), exp.LTE(this=exp.column(CHANGE), expression=_n(day_number(plan.end))))
        ).group_by(*[g.copy() for g in group])
        union = exp.union(union, steps, distinct=False)
    names = [m.name for m in measures] + [f"{m.name}__outer" for m in dependent if outer]
    return (exp.select(exp.alias_(exp.Min(this=exp.column("province_code")), "province_code"),
                       exp.column("unit_code"), exp.column("bucket"), *[total(exp.column(n), n) for n in names])
            .from_(union.subquery("k")).group_by(exp.column("unit_code"), exp.column("bucket")))


def compile_read_distinct(definition: IndexDefinition, records: str, target: Dialect, table: str,
                          plan: CountsPlan, kept_start: dt.date, kept_end: dt.date) -> exp.Expression:
    """The distinct counts of ``plan`` from the day masks of [kept_start, kept_end], in the
    shape of :func:`chiso.engine.counts.compile_counts` (unit and province rows, bucket -1 the
    whole): a value counts in a bucket when its masks share a bit with the bucket's days."""
    kind = RECORD_KINDS[records]
    measures = kind_measures(definition, records, True)
    key = distinct_field(kind, measures)
    n_words = words(kept_start, kept_end)
    outer = plan.outer and plan.grain != "all"
    spans = [(i, f, last) for i, f, last in plan.buckets()]
    masks = {i: day_masks(kept_start, f, last, n_words) for i, f, last in spans}
    whole = day_masks(kept_start, plan.start, plan.end, n_words)
    used = [w for w in range(n_words) if whole[w]]

    def big(v: int) -> exp.Expression:
        return exp.cast(_n(v), "BIGINT")

    def meets(name: str, bucket_mask) -> exp.Expression:
        """Whether ``name``'s masks share a bit with the bucket's (``bucket_mask(w)``)."""
        parts = [exp.Paren(this=exp.BitwiseAnd(this=exp.column(word_column(name, w)), expression=bucket_mask(w)))
                 for w in used]
        joined = parts[0]
        for p in parts[1:]:
            joined = exp.BitwiseOr(this=joined, expression=p)
        return exp.NEQ(this=exp.Paren(this=joined), expression=big(0))

    if plan.grain == "all":
        def mask_of(w):
            return big(masks[0][w])
        source: exp.Expression = exp.to_table(table)
        bucket: exp.Expression = _n(0)
    else:
        values = exp.Values(
            expressions=[exp.Tuple(expressions=[_n(i)] + [big(masks[i][w]) for w in used]) for i, _, _ in spans],
            alias=exp.TableAlias(this=exp.to_identifier("t"), columns=[exp.to_identifier("bucket")]
                                 + [exp.to_identifier(f"m{w}") for w in used]))
        def mask_of(w):
            return exp.column(f"m{w}", table="t")
        source = values
        bucket = exp.column("bucket", table="t")
    cols: list[exp.Expression] = [exp.column(k, table="k") for k in KEYS] + [exp.column(key, table="k"),
                                                                             exp.alias_(bucket, "bucket")]
    cols += [exp.alias_(_flag(meets(m.name, mask_of)), m.name) for m in measures]
    cols += [exp.alias_(_flag(meets(m.name, lambda w: big(whole[w]))), f"{m.name}__o") for m in measures if outer]
    base = exp.select(*cols).from_(exp.alias_(exp.to_table(table), "k"))
    if plan.grain != "all":
        base = base.join(source, join_type="cross")
    base = base.where(meets("_any", mask_of))
    if plan.grain != "all":  # the rows holding none of the plan's days dropped before the buckets'
        base = base.where(meets("_any", lambda w: big(whole[w])))  # pairs are made: a week keeps 1 row in 4
    # qualify the mask columns with the kept relation's alias (the VALUES hold the buckets' masks)
    for col in base.find_all(exp.Column):
        if not col.table and col.name.endswith(tuple(f"__w{w}" for w in used)):
            col.set("table", exp.to_identifier("k"))
    # a row per (unit, value) kept, one per bucket paired with it
    return reduce_distinct(base, key, [m.name for m in measures], outer, target, unique=True)


__all__ = ["DAY", "CHANGE", "OUTER_BUCKET", "compile_changes", "compile_days", "compile_distinct_days",
           "compile_read", "compile_read_distinct", "day_keepable", "thresholds"]
