"""Score windows: counts → criteria → groups → total → ranks → bands → changes.

The pipeline is a tuple of small steps over two frames:

- ``criteria``: one row per (unit, criterion): numerator, denominator, ratio, points, max;
- ``units``: one row per unit: name, level, parent, province, the group scores, total,
  rank among its peers, band, and the change against the previous window.

Every step is keyed by the window as well as the unit, so a whole series — a year and its
53 weekly snapshots, ~216,000 unit scores — is scored in one vectorised pass
(:func:`score_windows`); :func:`score_window` is the same pipeline for one window. Criterion
rules (maximum, ``full_at``, ``when_empty``) are columns joined from a small table, never a
loop over criteria or units.

Peers: provinces rank nationally; departments, and communes, rank within their province.
Ranks are competition ranks on the rounded total (equal totals share a rank).

A criterion whose rule is not settled (``status: undetermined``) scores None — "chưa xác
định" — never 0: its ratio, points and lost points are null and its row says
``determined = false``; a group all of whose criteria are undetermined is null; a group and
the total are the points of their determined part, and ``max_determined`` beside the total
is the maximum of that part (100 once every rule is settled).

Versions: a table or series is scored by the version of the definition in force for each
window (``chiso.catalog.definition_versions.version_for``, chosen by
``chiso.evaluate.service``); a table carries that choice (``method``) so that what a
window spanning a change of method says travels with its scores.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from chiso.catalog.definition_versions import VersionChoice
from chiso.catalog.index_definition import BandSet, IndexDefinition
from chiso.errors import ChisoError, UnknownUnitError
from chiso.evaluate.points import criterion_points, round_half_up_expr

#: The levels units are ranked at, each among its peers.
RANKED_LEVELS: tuple[str, ...] = ("province", "department", "commune")

UNIT_COLUMNS = ("unit_code", "name", "level", "parent_code", "province_code")
WINDOW = "window"  # the key column of a series (kỳ đánh giá)
INPUT_COLUMNS = ("unit_code", "criterion", "numerator", "denominator", "given_ratio", "given_points", "inherited")
LEVEL_ORDER = {"nation": 0, "province": 1, "department": 2, "commune": 3}


@dataclass
class ScoreTable:
    """The scores of every unit for one window."""

    definition: IndexDefinition
    window: str
    units: pl.DataFrame
    criteria: pl.DataFrame
    previous_window: str | None = None
    meta: dict = field(default_factory=dict)
    # the version that scored the window and the changes of method inside it (None: scored
    # by ``definition`` as given, no version chosen)
    method: VersionChoice | None = None
    # the previous window's scores the changes were measured against (without changes of
    # their own), kept so that a cache can hand them to the next scoring of this window
    before: ScoreTable | None = field(default=None, repr=False, compare=False)
    # the provinces with records in the window itself (None: not said): a cached table's, with
    # the next window's counts, gives the units both are scored over without counting it again
    provinces: frozenset[str] | None = field(default=None, compare=False)

    def method_note(self, lang: str = "vi") -> str | None:
        """What to show beside the scores when the window spans a change of method
        ("Kỳ này có thay đổi phương pháp tính từ ngày 01/07/2026 (phiên bản 2026.2). …"), else None."""
        return self.method.message(lang) if self.method is not None else None

    def unit(self, code: str) -> dict:
        rows = self.units.filter(pl.col("unit_code") == code).to_dicts()
        if not rows:
            raise UnknownUnitError(f"unit {code!r} has no score in window {self.window}")
        return rows[0]

    def unit_criteria(self, code: str) -> pl.DataFrame:
        return self.criteria.filter(pl.col("unit_code") == code)

    def select(self, *, province: str | None = None, level: str | None = None) -> pl.DataFrame:
        df = self.units
        if province is not None:
            df = df.filter((pl.col("province_code") == province) | (pl.col("unit_code") == province))
        if level is not None:
            df = df.filter(pl.col("level") == level)
        return df

    def ranking(self, level: str, province: str | None = None) -> pl.DataFrame:
        """A ranking among peers, best first: the provinces nationally (``province`` is then
        ignored), or a province's departments or communes (``province=None``: every
        province's, each ranked within its own province)."""
        if level not in RANKED_LEVELS:
            raise ChisoError(f"cấp {level!r} không hợp lệ: {', '.join(RANKED_LEVELS)} / level must be one of "
                             f"{', '.join(RANKED_LEVELS)}")
        return self.select(province=None if level == "province" else province, level=level).sort("rank", "unit_code")


@dataclass
class ScoreSeries:
    """The scores of every unit for several windows, scored together (chuỗi kỳ đánh giá).

    ``units`` is the frame of :class:`ScoreTable` with a leading ``window`` column;
    ``previous`` maps a window to the window its changes are measured against. The long
    ``criteria`` frame (~4 million rows for a national year) is built only when asked for,
    for one window by :meth:`table` or for all by :attr:`criteria`.
    """

    definition: IndexDefinition
    windows: tuple[str, ...]
    units: pl.DataFrame
    scored: pl.DataFrame  # one row per (window, unit): each criterion's inputs, ratio and points
    previous: dict[str, str | None] = field(default_factory=dict)
    # per window, the version that scored it and the changes of method inside it (empty: every
    # window scored by ``definition``); ``definition`` is then the newest version used
    methods: dict[str, VersionChoice] = field(default_factory=dict)

    def definition_of(self, window: str) -> IndexDefinition:
        """The version that scored ``window``."""
        choice = self.methods.get(window)
        return choice.definition if choice is not None else self.definition

    @property
    def criteria(self) -> pl.DataFrame:
        parts = []
        for d, windows in _by_version(self, self.windows):
            pick = pl.col(WINDOW).is_in(list(windows))
            parts.append(_long_criteria(d, self.scored.lazy().filter(pick), windows))
        return pl.concat(parts).collect()

    def table(self, window: str) -> ScoreTable:
        """One window's scores, as :func:`score_window` gives them."""
        if window not in self.windows:
            raise ChisoError(f"window {window!r} is not in this series ({', '.join(self.windows)})")
        pick = pl.col(WINDOW) == window
        d = self.definition_of(window)
        criteria = _long_criteria(d, self.scored.lazy().filter(pick), [window]).collect()
        units = self.units.filter(pick).drop(WINDOW)
        groups = {g.code for g in d.groups}
        stale = [g.code for v in {id(c.definition): c.definition for c in self.methods.values()}.values()
                 for g in v.groups if g.code not in groups and g.code in units.columns]
        return ScoreTable(d, window, units.drop(*dict.fromkeys(stale)), criteria.drop(WINDOW),
                          self.previous.get(window), method=self.methods.get(window))


def _by_version(series: ScoreSeries, windows) -> list[tuple[IndexDefinition, list[str]]]:
    """Consecutive windows scored by the same version, in order."""
    out: list[tuple[IndexDefinition, list[str]]] = []
    for w in windows:
        d = series.definition_of(w)
        if out and out[-1][0] is d:
            out[-1][1].append(w)
        else:
            out.append((d, [w]))
    return out


# ---------------------------------------------------------------- inputs
# The pipeline works on one row per (window, unit) with a few columns per criterion; the
# long frames (one row per unit and criterion) are its input and output shapes.
PARTS = ("numerator", "denominator", "given_ratio", "given_points", "inherited")


def _col(code: str, part: str) -> str:
    return f"{code}:{part}"


def _wide_from_counts(definition: IndexDefinition, counts: pl.LazyFrame, units: pl.DataFrame,
                      windows: Sequence[str] | None) -> pl.LazyFrame:
    """Criterion inputs per (window, unit) straight from the counts (measures per unit)."""
    measures = list(definition.measures)
    keyed = windows is not None
    scored = units.lazy().select("unit_code", "province_code")
    if keyed:
        scored = scored.join(pl.LazyFrame({WINDOW: list(windows)}, schema={WINDOW: pl.Utf8}), how="cross")
    else:
        counts = counts.select(pl.exclude(WINDOW))
        scored = scored.with_columns(pl.lit("", pl.Utf8).alias(WINDOW))
        counts = counts.with_columns(pl.lit("", pl.Utf8).alias(WINDOW))
    base = scored.join(counts.select(WINDOW, "unit_code", *measures), on=[WINDOW, "unit_code"], how="left"
                       ).with_columns(*[pl.col(m).fill_null(0) for m in measures])
    province_rows = base.filter(pl.col("unit_code") == pl.col("province_code")).select(
        WINDOW, pl.col("unit_code").alias("province_code"), *[pl.col(m).alias(f"{m}__p") for m in measures])
    base = base.join(province_rows, on=[WINDOW, "province_code"], how="left")

    def combine(terms, inherited: bool) -> pl.Expr:
        expr = pl.lit(0, pl.Int64)
        for sign, m in terms:
            col = pl.col(f"{m}__p" if inherited else m).fill_null(0)
            expr = expr + col * sign
        return expr.cast(pl.Float64)

    cols = []
    for c in definition.criteria:
        inherited = c.inherit == "province"
        if not c.determined or c.attested is not None:
            num = den = pl.lit(None, pl.Float64)
            given = pl.lit(c.attested if c.determined else None, pl.Float64)
        else:
            num, den = combine(c.numerator, inherited), combine(c.denominator, inherited)
            given = pl.lit(None, pl.Float64)
        cols += [num.alias(_col(c.code, "numerator")), den.alias(_col(c.code, "denominator")),
                 given.alias(_col(c.code, "given_ratio")), pl.lit(None, pl.Float64).alias(_col(c.code, "given_points")),
                 pl.lit(inherited).alias(_col(c.code, "inherited")), pl.lit(True).alias(_col(c.code, "has"))]
    return base.select(WINDOW, "unit_code", *cols)


def _wide_from_long(definition: IndexDefinition, inputs: pl.LazyFrame) -> pl.LazyFrame:
    """Long inputs (one row per unit and criterion, keyed by window) → one row per (window, unit)."""
    wide = inputs.select(WINDOW, "unit_code").unique()
    types = {"numerator": pl.Float64, "denominator": pl.Float64, "given_ratio": pl.Float64,
             "given_points": pl.Float64, "inherited": pl.Boolean}
    for c in definition.criteria:
        part = inputs.filter(pl.col("criterion") == c.code).select(
            WINDOW, "unit_code", *[pl.col(p).cast(types[p]).alias(_col(c.code, p)) for p in PARTS],
            pl.lit(True).alias(_col(c.code, "has")))
        wide = wide.join(part, on=[WINDOW, "unit_code"], how="left")
    return wide.with_columns(*[pl.col(_col(c.code, "has")).fill_null(False) for c in definition.criteria])


def _long_criteria(definition: IndexDefinition, scored: pl.LazyFrame, windows: Sequence[str]) -> pl.LazyFrame:
    """The scored wide frame as one row per (window, unit, criterion) present."""
    order = pl.LazyFrame({WINDOW: list(windows), "_w": list(range(len(windows)))},
                         schema={WINDOW: pl.Utf8, "_w": pl.Int64})
    frames = []
    for i, c in enumerate(definition.criteria):
        frames.append(scored.filter(pl.col(_col(c.code, "has"))).select(
            WINDOW, "unit_code", pl.lit(c.code).alias("criterion"), *[pl.col(_col(c.code, p)).alias(p) for p in PARTS],
            *[pl.col(_col(c.code, p)).alias(p) for p in ("ratio", "points")], pl.lit(float(c.max)).alias("max"),
            pl.lit(c.group).alias("group"), pl.col(_col(c.code, "lost")).alias("lost"),
            pl.lit(c.determined).alias("determined"), pl.lit(i).alias("_c")))
    return (pl.concat(frames).join(order, on=WINDOW).sort("_w", "unit_code", "_c").drop("_w", "_c"))


def inputs_from_counts(definition: IndexDefinition, counts: pl.DataFrame, units: pl.DataFrame,
                       windows: Sequence[str] | None = None) -> pl.DataFrame:
    """Criterion inputs (numerator, denominator, given ratio) per unit from counts, one row
    per unit and criterion.

    ``units`` lists the units to score; a unit without records gets zero counts. Without
    ``windows``, ``counts`` holds one window's rows (any ``window`` column is ignored); with
    ``windows``, ``counts`` has a ``window`` column and the inputs of every listed window
    come out keyed by it.
    """
    wide = _wide_from_counts(definition, counts.lazy(), units, windows)
    frames = [wide.select(WINDOW, "unit_code", pl.lit(c.code).alias("criterion"),
                          *[pl.col(_col(c.code, p)).alias(p) for p in PARTS]) for c in definition.criteria]
    out = pl.concat(frames).collect()
    return out if windows is not None else out.drop(WINDOW)


# ---------------------------------------------------------------- pipeline steps
def _criteria_points(definition: IndexDefinition, wide: pl.LazyFrame) -> pl.LazyFrame:
    """ratio → points → rounding, per criterion; given scores (official) taken as they are."""
    digits = definition.digits
    cols = []
    for c in definition.criteria:
        def part(p: str) -> pl.Expr:
            return pl.col(_col(c.code, p))
        ratio, points = criterion_points(c, part("numerator"), part("denominator"), digits)
        given = round_half_up_expr((part("given_ratio") * (c.max / c.full_at)).clip(0, c.max), digits)
        points = (pl.when(part("given_points").is_not_null()).then(part("given_points"))
                  .when(part("given_ratio").is_not_null()).then(given).otherwise(points))
        present = part("has")
        if not c.determined:  # chưa xác định: no ratio, no points, nothing lost — never 0
            cols += [pl.lit(None, pl.Float64).alias(_col(c.code, "ratio")),
                     pl.lit(None, pl.Float64).alias(_col(c.code, "points"))]
            continue
        cols += [pl.when(present).then(pl.coalesce(part("given_ratio"), ratio)).alias(_col(c.code, "ratio")),
                 pl.when(present).then(points).alias(_col(c.code, "points"))]
    lost = [((pl.lit(float(c.max)) - pl.col(_col(c.code, "points")).fill_null(0)).round(digits) if c.determined
             else pl.lit(None, pl.Float64)).alias(_col(c.code, "lost")) for c in definition.criteria]
    return wide.with_columns(*cols).with_columns(*lost)


def _group_scores(definition: IndexDefinition, scored: pl.LazyFrame, units: pl.LazyFrame,
                  group_overrides: pl.LazyFrame | None) -> pl.LazyFrame:
    """A group is the sum of its rounded criteria (or the official group score given)."""
    sums = []
    for g in definition.groups:
        if not g.determined:  # every criterion chưa xác định: the group is too (None, not 0)
            sums.append(pl.lit(None, pl.Float64).alias(g.code))
            continue
        parts = [pl.col(_col(c.code, "points")).fill_null(0.0) for c in g.criteria if c.determined]
        present = [pl.col(_col(c.code, "has")) for c in g.criteria]
        total = pl.sum_horizontal(*parts) if parts else pl.lit(0.0)
        sums.append(pl.when(pl.any_horizontal(*present) if present else pl.lit(False)).then(total).alias(g.code))
    groups = [g.code for g in definition.groups]
    df = units.join(scored.select(WINDOW, "unit_code", *sums), on=[WINDOW, "unit_code"], how="left")
    if group_overrides is not None:
        on = [WINDOW, "unit_code"] if WINDOW in group_overrides.collect_schema() else ["unit_code"]
        given = group_overrides.group_by(*on).agg(
            *[pl.col("points").filter(pl.col("group") == g).first().alias(f"{g}__given") for g in groups])
        df = df.join(given, on=on, how="left").with_columns(
            *[pl.coalesce(f"{g}__given", g).alias(g) for g in groups]).drop(*[f"{g}__given" for g in groups])
    return df.with_columns(*[round_half_up_expr(pl.col(g.code).fill_null(0.0), definition.digits) if g.determined
                             else pl.col(g.code).cast(pl.Float64) for g in definition.groups])


def _totals(definition: IndexDefinition, units: pl.LazyFrame, adjustments: pl.LazyFrame | None) -> pl.LazyFrame:
    groups = [g.code for g in definition.groups]
    units = units.with_columns(pl.sum_horizontal(*[pl.col(g) for g in groups]).alias("total_before_adjustment"))
    if adjustments is not None:
        on = [WINDOW, "unit_code"] if WINDOW in adjustments.collect_schema() else ["unit_code"]
        adj = adjustments.group_by(*on).agg(pl.col("points").sum().alias("adjustment"))
        units = units.join(adj, on=on, how="left")
    else:
        units = units.with_columns(pl.lit(None, pl.Float64).alias("adjustment"))
    return units.with_columns(
        round_half_up_expr((pl.col("total_before_adjustment") + pl.col("adjustment").fill_null(0)).clip(0, None),
                           definition.digits).alias("total"),
        # the scale of the total: the maximum of the criteria whose rule is settled
        pl.lit(float(definition.max_determined)).alias("max_determined"))


def peer_key() -> pl.Expr:
    """Provinces compete nationally; departments and communes within their province, by level."""
    return (pl.when(pl.col("level") == "province").then(pl.lit("nation"))
            .otherwise(pl.col("province_code").fill_null("") + pl.lit(":") + pl.col("level")))


def _ranks(units: pl.LazyFrame) -> pl.LazyFrame:
    units = units.with_columns(peer_key().alias("_peers"))
    return units.with_columns(
        pl.col("total").rank(method="min", descending=True).over(WINDOW, "_peers").cast(pl.Int64).alias("rank"),
        pl.len().over(WINDOW, "_peers").cast(pl.Int64).alias("peers"),
    ).drop("_peers")


def _band_of(bands: BandSet, attr: str) -> pl.Expr:
    """The first level of ``bands`` whose bound the total meets (BandLevel.holds), as an expression."""
    total = pl.col("total")
    expr = None
    for level in bands.levels:
        if level.gt is not None:
            cond = total > level.gt
        elif level.gte is not None:
            cond = total >= level.gte
        else:
            cond = pl.lit(True)
        value = pl.lit(getattr(level, attr), pl.Utf8)
        expr = pl.when(cond).then(value) if expr is None else expr.when(cond).then(value)
    return pl.when(total.is_null()).then(pl.lit(None, pl.Utf8)).otherwise(expr.otherwise(pl.lit(None, pl.Utf8)))


def _bands(definition: IndexDefinition, units: pl.LazyFrame) -> pl.LazyFrame:
    """Provinces are banded nationally; a province's units by its own bands when it set some
    (IndexDefinition.bands_for)."""
    local = pl.col("level").is_in(["department", "commune"])
    cols = []
    for attr, name in (("code", "band"), ("label", "band_label"), ("label_en", "band_label_en")):
        expr = None
        for province, bands in definition.province_bands.items():
            cond = local & (pl.col("province_code") == province)
            expr = (pl.when(cond) if expr is None else expr.when(cond)).then(_band_of(bands, attr))
        national = _band_of(definition.national_bands, attr)
        cols.append((national if expr is None else expr.otherwise(national)).alias(name))
    return units.with_columns(*cols)


def _changes(units: pl.LazyFrame, previous: pl.LazyFrame | None) -> pl.LazyFrame:
    """``previous``: window, unit_code, previous_total, previous_rank (the window's previous scores)."""
    if previous is None:
        return units.with_columns(pl.lit(None, pl.Float64).alias("previous_total"),
                                  pl.lit(None, pl.Int64).alias("previous_rank"),
                                  pl.lit(None, pl.Float64).alias("score_change"),
                                  pl.lit(None, pl.Int64).alias("rank_change"))
    units = units.join(previous, on=[WINDOW, "unit_code"], how="left")
    return units.with_columns(
        round_half_up_expr(pl.col("total") - pl.col("previous_total"), 2).alias("score_change"),
        # positive = moved up (23rd → 4th is +19)
        (pl.col("previous_rank") - pl.col("rank")).alias("rank_change"),
    )


def _pipeline(definition: IndexDefinition, windows: Sequence[str], wide: pl.LazyFrame, units: pl.DataFrame, *,
              group_overrides: pl.DataFrame | None, adjustments: pl.DataFrame | None,
              previous: Mapping[str, str | None] | pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The steps for every window at once: (units frame, scored wide frame)."""
    order = pl.LazyFrame({WINDOW: list(windows), "_w": list(range(len(windows)))},
                         schema={WINDOW: pl.Utf8, "_w": pl.Int64})
    scored_units = units.lazy().select(*UNIT_COLUMNS).join(order.select(WINDOW), how="cross")
    scored = _criteria_points(definition, wide).collect().lazy()
    df = _group_scores(definition, scored, scored_units,
                       group_overrides.lazy() if group_overrides is not None and group_overrides.height else None)
    df = _totals(definition, df, adjustments.lazy() if adjustments is not None and adjustments.height else None)
    df = _bands(definition, _ranks(df)).collect().lazy()
    if isinstance(previous, Mapping):
        previous = _linked(df, previous)
    elif isinstance(previous, pl.DataFrame):
        previous = previous.lazy()
    df = _changes(df, previous)
    level = pl.col("level").replace_strict(LEVEL_ORDER, default=4, return_dtype=pl.Int64)
    df = df.join(order, on=WINDOW).sort("_w", level, "province_code", "rank", "unit_code", nulls_last=True).drop("_w")
    return df.collect(), scored.collect()


def _linked(df: pl.LazyFrame, previous: Mapping[str, str | None]) -> pl.LazyFrame | None:
    """Each window's previous scores (window, unit_code, previous_total, previous_rank) from
    the windows of the same frame, as ``previous`` links them."""
    links = [(w, p) for w, p in previous.items() if p is not None]
    if not links:
        return None
    link = pl.LazyFrame({WINDOW: [w for w, _ in links], "_prev": [p for _, p in links]},
                        schema={WINDOW: pl.Utf8, "_prev": pl.Utf8})
    earlier = df.select(pl.col(WINDOW).alias("_prev"), "unit_code", pl.col("total").alias("previous_total"),
                        pl.col("rank").alias("previous_rank"))
    return link.join(earlier, on="_prev", how="inner").drop("_prev")


def join_series(parts: Sequence[ScoreSeries], previous: Mapping[str, str | None],
                methods: Mapping[str, VersionChoice]) -> ScoreSeries:
    """Series scored one after another by different versions of the definition, as one
    series: the windows in the parts' order, each window's changes measured against its
    previous window's total and rank whichever version scored that one (totals are on one
    scale of 100 points in every version)."""
    if len(parts) == 1:
        only = parts[0]
        return ScoreSeries(only.definition, only.windows, only.units, only.scored, dict(only.previous),
                           dict(methods))
    windows = tuple(w for p in parts for w in p.windows)
    previous = {w: previous.get(w) for w in windows}
    unknown = sorted({p for p in previous.values() if p is not None} - set(windows))
    if unknown:
        raise ValueError(f"previous names windows outside the series: {', '.join(unknown)}")
    units = pl.concat([p.units for p in parts], how="diagonal_relaxed")
    order = units.columns
    changes = ("previous_total", "previous_rank", "score_change", "rank_change")
    units = units.with_row_index("_row")
    relinked = _changes(units.lazy().drop(*changes), _linked(units.lazy(), previous)).sort("_row").collect()
    scored = pl.concat([p.scored for p in parts], how="diagonal_relaxed")
    return ScoreSeries(parts[-1].definition, windows, relinked.select(order), scored, previous, dict(methods))


def score_window(definition: IndexDefinition, window: str, inputs: pl.DataFrame, units: pl.DataFrame, *,
                 group_overrides: pl.DataFrame | None = None, adjustments: pl.DataFrame | None = None,
                 previous: ScoreTable | None = None) -> ScoreTable:
    """Run the pipeline for one window.

    ``inputs``: unit_code, criterion, numerator, denominator, given_ratio, given_points, inherited.
    ``units``: unit_code, name, level, parent_code, province_code.
    """
    keyed = inputs.lazy().select(pl.lit(window, pl.Utf8).alias(WINDOW), *INPUT_COLUMNS)
    return _window_table(definition, window, _wide_from_long(definition, keyed), units,
                         group_overrides=group_overrides, adjustments=adjustments, previous=previous)


def score_window_counts(definition: IndexDefinition, window: str, counts: pl.DataFrame, units: pl.DataFrame, *,
                        adjustments: pl.DataFrame | None = None, previous: ScoreTable | None = None) -> ScoreTable:
    """:func:`score_window` straight from one window's counts (``unit_code`` and one column per
    measure), as :func:`score_counts` scores a series: the criteria's inputs go from the counts
    to the pipeline's one row per unit without the long frame in between (one row per unit and
    criterion, then a join per criterion to widen it again) — the same table as
    ``score_window(definition, window, inputs_from_counts(definition, counts, units), units)``.
    """
    keyed = counts.lazy().select(pl.lit(window, pl.Utf8).alias(WINDOW), "unit_code", *definition.measures)
    return _window_table(definition, window, _wide_from_counts(definition, keyed, units, [window]), units,
                         group_overrides=None, adjustments=adjustments, previous=previous)


def _window_table(definition: IndexDefinition, window: str, wide: pl.LazyFrame, units: pl.DataFrame, *,
                  group_overrides: pl.DataFrame | None, adjustments: pl.DataFrame | None,
                  previous: ScoreTable | None) -> ScoreTable:
    """One window's table from its criteria inputs (one row per unit), changes measured
    against ``previous``."""
    prev = None
    if previous is not None:
        prev = previous.units.select(pl.lit(window, pl.Utf8).alias(WINDOW), "unit_code",
                                     pl.col("total").alias("previous_total"), pl.col("rank").alias("previous_rank"))
    out_units, scored = _pipeline(definition, [window], wide, units, group_overrides=group_overrides,
                                  adjustments=adjustments, previous=prev)
    criteria = _long_criteria(definition, scored.lazy(), [window]).collect()
    return ScoreTable(definition, window, out_units.drop(WINDOW), criteria.drop(WINDOW),
                      previous.window if previous is not None else None)


def score_windows(definition: IndexDefinition, windows: Sequence[str], inputs: pl.DataFrame, units: pl.DataFrame,
                  *, previous: Mapping[str, str | None] | None = None,
                  adjustments: pl.DataFrame | None = None) -> ScoreSeries:
    """Run the pipeline for every window of a series in one vectorised pass.

    ``inputs`` carries a ``window`` column (``inputs_from_counts(…, windows=…)``);
    ``previous`` maps a window to the window of the series its changes are measured against
    (e.g. each week to the week before). ``adjustments`` without a ``window`` column apply
    to every window.
    """
    if WINDOW not in inputs.columns:
        raise ValueError("score_windows needs inputs with a window column (inputs_from_counts(…, windows=…))")
    wide = _wide_from_long(definition, inputs.lazy().select(WINDOW, *INPUT_COLUMNS))
    return _series(definition, windows, wide, units, previous, adjustments)


def score_counts(definition: IndexDefinition, counts: pl.DataFrame, units: pl.DataFrame, windows: Sequence[str], *,
                 previous: Mapping[str, str | None] | None = None,
                 adjustments: pl.DataFrame | None = None) -> ScoreSeries:
    """Score every unit for every window straight from a counts frame (``window``, ``unit_code``,
    one column per measure): the one-pass scoring of a whole series.

    >>> from chiso.catalog.index_definition import load_index_definition
    >>> d = load_index_definition()
    >>> units = pl.DataFrame({"unit_code": ["24"], "name": ["Bắc Ninh"], "level": ["province"],
    ...                       "parent_code": ["VN"], "province_code": ["24"]})
    >>> counts = pl.DataFrame({"window": ["2026-W33", "2026-W34"], "unit_code": ["24", "24"],
    ...                        "received": [4, 4], "on_time": [2, 3]})
    >>> counts = counts.with_columns(*[pl.lit(0).alias(m) for m in d.measures if m not in counts.columns])
    >>> series = score_counts(d, counts, units, ["2026-W33", "2026-W34"], previous={"2026-W34": "2026-W33"})
    >>> week = series.table("2026-W34").unit("24")
    >>> week["PROGRESS"], week["score_change"]  # 20 × 3/4; progress +5, dossier satisfaction +1.67
    (15.0, 6.67)
    """
    wide = _wide_from_counts(definition, counts.lazy(), units, windows)
    return _series(definition, windows, wide, units, previous, adjustments)


def _series(definition: IndexDefinition, windows: Sequence[str], wide: pl.LazyFrame, units: pl.DataFrame,
            previous: Mapping[str, str | None] | None, adjustments: pl.DataFrame | None) -> ScoreSeries:
    previous = dict(previous or {})
    unknown = sorted({w for pair in previous.items() for w in pair if w is not None} - set(windows))
    if unknown:
        raise ValueError(f"previous names windows outside the series: {', '.join(unknown)}")
    out_units, scored = _pipeline(definition, windows, wide, units, group_overrides=None, adjustments=adjustments,
                                  previous=previous)
    return ScoreSeries(definition, tuple(windows), out_units, scored, {w: previous.get(w) for w in windows})
