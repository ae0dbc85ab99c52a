"""Compile the queries that list what lies behind a criterion (drill-down).

Every number is explainable: a criterion's points come from its numerator and
denominator counts, and those from records.

- ``compile_records`` lists the records of one unit and window that a criterion's
  measures count, each with ``_counted`` telling whether it counts in the numerator —
  the records behind lost points are those with ``_counted = FALSE`` — and its
  contributions ``_numerator`` and ``_denominator`` (so ``on_time - complained`` is
  explained too: a late dossier with a complaint contributes −1).
- ``compile_distinct`` does the same for criteria that count distinct values — the
  procedures with an online payment among the window's dossiers over the procedures
  with a fee in the catalogue (PROCEDURE_PAID_ONLINE): one row per procedure, from every
  record kind the criterion reads, with the evidence (how many qualifying records, the
  first one). A procedure counts for a province when any of its units counts it, exactly
  as ``chiso.engine.counts`` reduces distinct measures.

Summing ``_numerator`` and ``_denominator`` over all rows gives the criterion's numerator
and denominator as the counts query computes them.

Both listings carry ``_reason`` (lý do mất điểm): on every row not counted, the declared
reasons (``Measure.reasons``, docs/definitions.md) that hold, joined with "; " — of each
numerator measure added that does not count the row (its flag is 0), and of each measure
subtracted that does (flag 1) — the same flags ``_counted`` is made of, so a reason is
written exactly where a point is lost. A row no declared reason explains still says which
condition it failed ("không đạt điều kiện: …"); a counted row has none (NULL).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlglot import exp

from chiso.catalog.index_definition import Criterion, IndexDefinition, Measure, Reason
from chiso.catalog.records import RECORD_KINDS, RecordKind
from chiso.engine.dialects import Dialect, date_literal, day_number
from chiso.engine.predicates import PredicateCompiler, working_days_through

ORDER_KEYS = ("_date", "_id", "_unit")
REASON_SEPARATOR = "; "
FALLBACK = {"vi": "không đạt điều kiện: ", "en": "does not meet: "}


def _n(v: int) -> exp.Expression:
    return exp.Literal.number(v)


def _flag(cond: exp.Expression | None) -> exp.Expression:
    """1 where ``cond`` holds (every record when None), else 0."""
    if cond is None:
        return _n(1)
    return exp.Case(ifs=[exp.If(this=exp.Paren(this=cond), true=_n(1))], default=_n(0))


def _bool(cond: exp.Expression) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=exp.Paren(this=cond), true=exp.Boolean(this=True))],
                    default=exp.Boolean(this=False))


def _signed_sum(terms: list[tuple[int, exp.Expression]]) -> exp.Expression:
    """``a - b + c`` of flag expressions (0 when there are none)."""
    if not terms:
        return _n(0)
    out = terms[0][1] if terms[0][0] > 0 else exp.Neg(this=terms[0][1])
    for sign, e in terms[1:]:
        out = exp.Add(this=out, expression=e) if sign > 0 else exp.Sub(this=out, expression=e)
    return exp.Paren(this=out)


def _any(conds: list[exp.Expression]) -> exp.Expression | None:
    if not conds:
        return None
    out = exp.Paren(this=conds[0])
    for c in conds[1:]:
        out = exp.Or(this=out, expression=exp.Paren(this=c))
    return out


class _Scope:
    """The records of one kind in one unit (or province) and window, with day numbers,
    and the criterion's measure conditions over them."""

    def __init__(self, kind: RecordKind, target: Dialect, relation: str, *, start: dt.date, end: dt.date,
                 unit_column: str, unit_code: str):
        self.kind = kind
        dates = [f.name for f in kind.fields if f.type == "date"]
        day_cols = {n: f"_d_{n}" for n in dates}
        self.compiler = PredicateCompiler(kind, target, window_start=_n(day_number(start)),
                                          window_end=_n(day_number(end)), day_columns=day_cols)
        inner = exp.select(*[exp.column(c) for c in kind.columns],
                           *[exp.alias_(target.days(exp.column(n)), day_cols[n]) for n in dates]
                           ).from_(exp.to_table(relation)).where(
            exp.EQ(this=exp.column(unit_column), expression=exp.Literal.string(unit_code)))
        if kind.window_field is not None:
            inner = inner.where(exp.Between(this=exp.column(kind.window_field), low=date_literal(start),
                                            high=date_literal(end)))
        self.source = inner.subquery("r")

    def cond(self, m: Measure) -> exp.Expression | None:
        """The measure's condition, or None when it counts every record of the kind."""
        return self.compiler.compile(m.where) if m.where is not None else None

    def flag(self, m: Measure) -> exp.Expression:
        return _flag(self.cond(m)) if m.records == self.kind.name else _n(0)


def _text(reason: Reason, lang: str, value: exp.Expression | None) -> exp.Expression:
    """The reason's text; ``{value}`` replaced by the value written as a whole number."""
    text = reason.text(lang)
    if value is None or "{value}" not in text:
        return exp.Literal.string(text)
    pieces: list[exp.Expression] = []
    for i, part in enumerate(text.split("{value}")):
        if i:
            pieces.append(exp.cast(exp.cast(value.copy(), "BIGINT"), "VARCHAR"))
        if part:
            pieces.append(exp.Literal.string(part))
    return _concat_ws("", pieces)


def _concat_ws(separator: str, items: list[exp.Expression]) -> exp.Expression:
    """``CONCAT_WS(sep, …)``: DuckDB, PostgreSQL and Spark all skip its NULL arguments (written
    as the function itself: sqlglot would otherwise rewrite it for null semantics it assumes)."""
    return exp.Anonymous(this="CONCAT_WS", expressions=[exp.Literal.string(separator), *items])


def _label(m: Measure, lang: str) -> str:
    return m.label if lang == "vi" and m.label else m.name.replace("_", " ")


def _reason_column(parts: list[exp.Expression], fallback: list[exp.Expression], counted: exp.Expression,
                   lang: str) -> exp.Expression:
    """``CASE WHEN NOT counted THEN COALESCE(reasons that hold, "không đạt điều kiện: …") END``."""
    def joined(items: list[exp.Expression]) -> exp.Expression:
        if not items:
            return exp.null()
        return exp.Nullif(this=_concat_ws(REASON_SEPARATOR, items), expression=exp.Literal.string(""))

    failed = joined(fallback)
    text = exp.Coalesce(this=joined(parts), expressions=[
        exp.Case(ifs=[exp.If(this=exp.Not(this=exp.Is(this=failed, expression=exp.null())),
                             true=_concat_ws("", [exp.Literal.string(FALLBACK[lang]), failed.copy()]))]),
        exp.Literal.string(FALLBACK[lang].rstrip(": "))])
    return exp.Case(ifs=[exp.If(this=exp.Not(this=exp.Paren(this=counted)), true=text)])


def _when(gate: exp.Expression, cond: exp.Expression | None, text: exp.Expression) -> exp.Expression:
    test = gate if cond is None else exp.And(this=gate, expression=exp.Paren(this=cond))
    return exp.Case(ifs=[exp.If(this=test, true=text)])


class _Hoist:
    """``WORKDAYS(a, b)`` in a listing's conditions and reasons becomes ``(_wd1 - _wd0)``: the
    working-day number of each distinct argument is computed once a row, in its own column
    (``working_days_through``), instead of the calendar's CASE being written out at every use —
    the same arithmetic as ``chiso.engine.predicates.workdays``, a tenth of the SQL."""

    def __init__(self):
        self.args: dict[str, tuple[str, exp.Expression]] = {}

    def _column(self, arg: exp.Expression) -> exp.Expression:
        key = arg.sql()
        if key not in self.args:
            self.args[key] = (f"_wd{len(self.args)}", arg.copy())
        return exp.column(self.args[key][0])

    def rewrite(self, tree: exp.Expression) -> exp.Expression:
        def swap(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Anonymous) and str(node.this).upper() == "WORKDAYS":
                a, b = node.expressions
                return exp.Paren(this=exp.Sub(this=self._column(b), expression=self._column(a)))
            return node

        return tree.copy().transform(swap)


def _terms(definition: IndexDefinition, criterion: Criterion):
    names = list(criterion.measures)
    measures = [definition.measures[n] for n in names]
    num = [(s, names.index(m)) for s, m in criterion.numerator]
    den = [(s, names.index(m)) for s, m in criterion.denominator]
    return measures, num, den


def compile_records(definition: IndexDefinition, criterion: Criterion, target: Dialect, relation: str, *,
                    start: dt.date, end: dt.date, unit_column: str, unit_code: str,
                    only_lost: bool = True, limit: int | None = 100, offset: int = 0,
                    lang: str = "vi") -> exp.Select:
    """Records of ``unit_column = unit_code`` in [start, end] behind ``criterion``.

    A record is listed when any of the criterion's measures counts it; ``_counted`` is
    its numerator contribution being positive, ``_reason`` why it is not (in ``lang``).
    Ordered by the kind's window date, then its key. ``limit=None`` lists every record.
    """
    measures, num, den = _terms(definition, criterion)
    kinds = {m.records for m in measures}
    if len(kinds) != 1:
        raise ValueError(f"{criterion.code} counts {' and '.join(sorted(kinds))}: list each kind's records "
                         "with its own measure")
    kind = RECORD_KINDS[kinds.pop()]
    scope = _Scope(kind, target, relation, start=start, end=end, unit_column=unit_column, unit_code=unit_code)
    hoist = _Hoist()

    def compiled(tree: exp.Expression) -> exp.Expression:
        return scope.compiler.compile(hoist.rewrite(tree))

    # each measure's flag computed once a row (``_f0`` …), read by the counts and the reasons
    conds = [compiled(m.where) if m.where is not None else None for m in measures]
    flags = [exp.column(f"_f{i}") for i in range(len(measures))]
    numerator = _signed_sum([(s, flags[i]) for s, i in num])
    denominator = _signed_sum([(s, flags[i]) for s, i in den])
    counted = exp.GT(this=numerator.copy(), expression=_n(0))
    parts, fallback = [], []
    for sign, i in num:
        m = measures[i]
        # an added measure loses the point where it does not count the record; a subtracted one where it does
        gate = exp.EQ(this=flags[i].copy(), expression=_n(0 if sign > 0 else 1))
        fallback.append(_when(gate.copy(), None, exp.Literal.string(_label(m, lang))))
        for r in m.reasons:
            cond = compiled(r.when) if r.when is not None else None
            value = compiled(r.value) if r.value is not None else None
            parts.append(_when(gate.copy(), cond, _text(r, lang, value)))
    steps = scope.compiler.calendar.correction_steps() if hoist.args else []
    with_days = exp.select(exp.Star(), *[
        exp.alias_(working_days_through(scope.compiler.compile(arg), target, steps), name)
        for name, arg in hoist.args.values()]).from_(scope.source, copy=False).subquery("w", copy=False)
    with_flags = exp.select(exp.Star(), *[exp.alias_(_flag(c), f"_f{i}") for i, c in enumerate(conds)]
                            ).from_(with_days, copy=False).subquery("f", copy=False)
    q = exp.select(*[exp.column(c) for c in kind.columns], exp.alias_(_bool(counted), "_counted"),
                   exp.alias_(numerator, "_numerator"), exp.alias_(denominator, "_denominator"),
                   exp.alias_(_bool(exp.GT(this=denominator.copy(), expression=_n(0))), "_in_denominator"),
                   exp.alias_(_reason_column(parts, fallback, counted.copy(), lang), "_reason"),
                   ).from_(with_flags, copy=False)
    if all(c is not None for c in conds):
        q = q.where(_any([exp.EQ(this=f.copy(), expression=_n(1)) for f in flags]), copy=False)
    if only_lost:
        q = q.where(exp.Not(this=exp.Paren(this=counted.copy())), copy=False)
    order = [exp.column(kind.window_field)] if kind.window_field else []
    order += [exp.column(k) for k in kind.key]
    q = q.order_by(*order, copy=False)
    if limit is not None:
        return q.limit(limit, copy=False).offset(offset, copy=False)
    return q.offset(offset, copy=False) if offset else q


def distinct_key(definition: IndexDefinition, criterion: Criterion) -> str | None:
    """The field a criterion counts distinct values of (``procedure_code``), or None when
    it counts records. Mixing the two, or two distinct fields, is refused."""
    measures = [definition.measures[m] for m in criterion.measures]
    keys = {m.distinct for m in measures}
    if keys == {None}:
        return None
    if None in keys or len(keys) != 1:
        raise ValueError(f"{criterion.code} mixes counts of records and of distinct values "
                         f"({', '.join(sorted(str(k) for k in keys))}): no single list explains it")
    return keys.pop()


def compile_distinct(definition: IndexDefinition, criterion: Criterion, target: Dialect,
                     relations: Mapping[str, str], *, start: dt.date, end: dt.date, unit_column: str,
                     unit_code: str, only_lost: bool = True, limit: int | None = 100,
                     offset: int = 0, lang: str = "vi") -> exp.Select:
    """One row per distinct value (procedure) behind a criterion counting distinct values.

    ``relations`` maps each record kind the criterion reads to its table. Columns: the
    key (``procedure_code``), ``name`` (when a kind has one: the catalogue's), then
    ``_counted``, ``_numerator``, ``_denominator``, ``_in_denominator`` and the evidence:
    ``_records`` (records the numerator counts it from, e.g. the dossiers paid online),
    ``_first_id``, ``_first_unit``, ``_first_date`` (the first of them, by date then id),
    ``_listed`` (records the denominator counts it from, e.g. catalogue rows with a fee:
    for a province, how many of its units list it) and ``_seen`` (all records of the
    numerator's kinds with that value, whatever their condition) and ``_reason`` (why a value is
    not counted: its measures' reasons, in ``lang``). Lost values first.
    """
    key = distinct_key(definition, criterion)
    if key is None:
        raise ValueError(f"{criterion.code} counts records, not distinct values: use compile_records")
    measures, num, den = _terms(definition, criterion)
    kinds = sorted({m.records for m in measures})
    num_kinds = {measures[i].records for s, i in num if s > 0}
    named = any(RECORD_KINDS[k].has("name") for k in kinds)
    branches = []
    for k in kinds:
        kind = RECORD_KINDS[k]
        scope = _Scope(kind, target, relations[k], start=start, end=end, unit_column=unit_column,
                       unit_code=unit_code)
        own = [i for i, m in enumerate(measures) if m.records == k]

        def qualifies(terms, scope=scope, own=own) -> exp.Expression:
            conds = [scope.cond(measures[i]) for s, i in terms if s > 0 and i in own]
            if any(c is None for c in conds):
                return _n(1)
            return _flag(_any(conds)) if conds else _n(0)

        cols: list[exp.Expression] = [exp.alias_(exp.column(key), "_key")]
        if named:
            cols.append(exp.alias_(exp.column("name") if kind.has("name") else exp.cast(exp.null(), "VARCHAR"),
                                   "_name"))
        cols += [exp.alias_(exp.column("id") if kind.has("id") else exp.cast(exp.null(), "VARCHAR"), "_id"),
                 exp.alias_(exp.column("unit_code"), "_unit"),
                 exp.alias_(exp.column(kind.window_field) if kind.window_field else exp.cast(exp.null(), "DATE"),
                            "_date")]
        cols += [exp.alias_(scope.flag(m), f"_m{i}") for i, m in enumerate(measures)]
        cols += [exp.alias_(qualifies(num), "_q"), exp.alias_(qualifies(den), "_dq"),
                 exp.alias_(_n(1 if k in num_kinds else 0), "_nk")]
        branches.append(exp.select(*cols).from_(scope.source))
    hits = branches[0]
    for b in branches[1:]:
        hits = exp.union(hits, b, distinct=False)

    rank = exp.Window(this=exp.RowNumber(), partition_by=[exp.column("_key"), exp.column("_q")],
                      order=exp.Order(expressions=[exp.Ordered(this=exp.column(c), nulls_first=False)
                                                   for c in ORDER_KEYS]))
    ranked = exp.select("*", exp.alias_(rank, "_rn")).from_(exp.Subquery(this=hits, alias=exp.TableAlias(
        this=exp.to_identifier("h"))))
    first = exp.And(this=exp.EQ(this=exp.column("_q"), expression=_n(1)),
                    expression=exp.EQ(this=exp.column("_rn"), expression=_n(1)))

    def first_of(col: str) -> exp.Expression:
        return exp.Max(this=exp.Case(ifs=[exp.If(this=first.copy(), true=exp.column(col))]))

    def total(col: str) -> exp.Expression:
        return exp.cast(exp.Sum(this=exp.column(col)), "BIGINT")

    per_key = exp.select(
        exp.alias_(exp.column("_key"), key),
        *([exp.alias_(exp.Max(this=exp.column("_name")), "name")] if named else []),
        *[exp.alias_(exp.Max(this=exp.column(f"_m{i}")), f"_m{i}") for i in range(len(measures))],
        exp.alias_(total("_q"), "_records"), exp.alias_(first_of("_id"), "_first_id"),
        exp.alias_(first_of("_unit"), "_first_unit"), exp.alias_(first_of("_date"), "_first_date"),
        exp.alias_(total("_dq"), "_listed"),
        exp.alias_(total("_nk"), "_seen"),
    ).from_(ranked.subquery("x")).group_by(exp.column("_key"))

    m = [exp.column(f"_m{i}") for i in range(len(measures))]
    numerator = _signed_sum([(s, m[i]) for s, i in num])
    denominator = _signed_sum([(s, m[i]) for s, i in den])
    counted = exp.GT(this=numerator.copy(), expression=_n(0))
    in_den = exp.GT(this=denominator.copy(), expression=_n(0))
    parts, fallback = [], []
    for sign, i in num:
        gate = exp.EQ(this=m[i].copy(), expression=_n(0 if sign > 0 else 1))
        fallback.append(_when(gate.copy(), None, exp.Literal.string(_label(measures[i], lang))))
        parts += [_when(gate.copy(), None, _text(r, lang, None)) for r in measures[i].reasons]
    q = exp.select(
        exp.column(key), *([exp.column("name")] if named else []),
        exp.alias_(_bool(counted), "_counted"), exp.alias_(exp.cast(numerator, "BIGINT"), "_numerator"),
        exp.alias_(exp.cast(denominator, "BIGINT"), "_denominator"), exp.alias_(_bool(in_den), "_in_denominator"),
        exp.column("_records"), exp.column("_first_id"), exp.column("_first_unit"), exp.column("_first_date"),
        exp.column("_listed"), exp.column("_seen"),
        exp.alias_(_reason_column(parts, fallback, counted.copy(), lang), "_reason"),
    ).from_(per_key.subquery("k"))
    anything = m[0].copy()
    for c in m[1:]:
        anything = exp.Add(this=anything, expression=c.copy())
    q = q.where(exp.GT(this=exp.Paren(this=anything), expression=_n(0)))  # counted by some measure
    if only_lost:
        q = q.where(exp.Not(this=exp.Paren(this=counted.copy())))
    q = q.order_by(_flag(counted.copy()), exp.Ordered(this=_flag(in_den.copy()), desc=True), exp.column(key))
    return q.limit(limit).offset(offset) if limit is not None else q.offset(offset) if offset else q


def compile_totals(listing: exp.Select) -> exp.Select:
    """Totals of an unpaged listing (``only_lost=False, limit=None``): rows, counted rows,
    and the numerator and denominator they add up to."""
    inner = listing.copy()
    inner.set("order", None)
    inner.set("limit", None)
    inner.set("offset", None)
    return exp.select(
        exp.alias_(exp.cast(exp.Count(this=exp.Star()), "BIGINT"), "rows"),
        exp.alias_(exp.cast(exp.Sum(this=_flag(exp.column("_counted"))), "BIGINT"), "counted"),
        exp.alias_(exp.cast(exp.Sum(this=exp.column("_numerator")), "BIGINT"), "numerator"),
        exp.alias_(exp.cast(exp.Sum(this=exp.column("_denominator")), "BIGINT"), "denominator"),
    ).from_(inner.subquery("t"))


def compile_names(relation: str, codes: list[str]) -> exp.Select:
    """The catalogue's name of each procedure code in ``codes`` (``procedure_code``, ``name``):
    the drill-down names procedures, not codes. One name a code (the first alphabetically,
    should units' catalogues spell it differently)."""
    wanted = [exp.Literal.string(c) for c in dict.fromkeys(codes)] or [exp.null()]
    return exp.select(exp.column("procedure_code"), exp.alias_(exp.Min(this=exp.column("name")), "name")
                      ).from_(exp.to_table(relation)).where(
        exp.In(this=exp.column("procedure_code"), expressions=wanted)).group_by(exp.column("procedure_code"))
