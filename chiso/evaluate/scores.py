"""Score one window: counts → criteria → groups → total → ranks → bands → changes.

The pipeline is a tuple of small steps over two frames:

- ``criteria``: one row per (unit, criterion): numerator, denominator, ratio, points, max;
- ``units``: one row per unit: name, level, parent, province, the group scores, total,
  rank among its peers, band, and the change against the previous window.

Peers: provinces rank nationally; departments, and communes, rank within their province.
Ranks are competition ranks on the rounded total (equal totals share a rank).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from chiso.catalog.index_definition import IndexDefinition
from chiso.evaluate.points import criterion_points, round_half_up_expr

UNIT_COLUMNS = ("unit_code", "name", "level", "parent_code", "province_code")


@dataclass
class ScoreTable:
    """The scores of every unit for one window."""

    definition: IndexDefinition
    window: str
    units: pl.DataFrame
    criteria: pl.DataFrame
    previous_window: str | None = None
    meta: dict = field(default_factory=dict)

    def unit(self, code: str) -> dict:
        rows = self.units.filter(pl.col("unit_code") == code).to_dicts()
        if not rows:
            from chiso.errors import UnknownUnitError

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


# ---------------------------------------------------------------- inputs
def inputs_from_counts(definition: IndexDefinition, counts: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """Criterion inputs (numerator, denominator, given ratio) per unit from one window's counts.

    ``units`` lists the units to score; a unit without records gets zero counts.
    """
    measures = list(definition.measures)
    base = units.select("unit_code", "province_code").join(
        counts.select("unit_code", *measures), on="unit_code", how="left"
    ).with_columns(*[pl.col(m).fill_null(0) for m in measures])
    province_rows = base.filter(pl.col("unit_code") == pl.col("province_code")).select(
        pl.col("unit_code").alias("province_code"), *[pl.col(m).alias(f"{m}__p") for m in measures])
    base = base.join(province_rows, on="province_code", how="left")

    def combine(terms, inherited: bool) -> pl.Expr:
        expr = pl.lit(0, pl.Int64)
        for sign, m in terms:
            col = pl.col(f"{m}__p" if inherited else m).fill_null(0)
            expr = expr + col * sign
        return expr.cast(pl.Float64)

    frames = []
    for c in definition.criteria:
        inherited = c.inherit == "province"
        if c.attested is not None:
            frame = base.select("unit_code", pl.lit(c.code).alias("criterion"),
                                pl.lit(None, pl.Float64).alias("numerator"),
                                pl.lit(None, pl.Float64).alias("denominator"),
                                pl.lit(c.attested, pl.Float64).alias("given_ratio"),
                                pl.lit(None, pl.Float64).alias("given_points"),
                                pl.lit(inherited).alias("inherited"))
        else:
            frame = base.select("unit_code", pl.lit(c.code).alias("criterion"),
                                combine(c.numerator, inherited).alias("numerator"),
                                combine(c.denominator, inherited).alias("denominator"),
                                pl.lit(None, pl.Float64).alias("given_ratio"),
                                pl.lit(None, pl.Float64).alias("given_points"),
                                pl.lit(inherited).alias("inherited"))
        frames.append(frame)
    return pl.concat(frames)


# ---------------------------------------------------------------- pipeline steps
def _criteria_points(definition: IndexDefinition, inputs: pl.DataFrame) -> pl.DataFrame:
    """ratio → points → rounding, per criterion; given scores (official) taken as they are."""
    out = []
    for c in definition.criteria:
        part = inputs.filter(pl.col("criterion") == c.code)
        if part.height == 0:
            continue
        ratio, points = criterion_points(c, pl.col("numerator"), pl.col("denominator"), definition.digits)
        given_ratio_points = round_half_up_expr((pl.col("given_ratio") * (c.max / c.full_at)).clip(0, c.max),
                                                definition.digits)
        part = part.with_columns(
            pl.coalesce(pl.col("given_ratio"), ratio).alias("ratio"),
            pl.when(pl.col("given_points").is_not_null()).then(pl.col("given_points"))
            .when(pl.col("given_ratio").is_not_null()).then(given_ratio_points)
            .otherwise(points).alias("points"),
            pl.lit(c.max).alias("max"),
            pl.lit(c.group).alias("group"),
        )
        out.append(part)
    if not out:
        out = [inputs.with_columns(pl.lit(None, pl.Float64).alias("ratio"), pl.lit(None, pl.Float64).alias("points"),
                                   pl.lit(None, pl.Float64).alias("max"), pl.lit(None, pl.Utf8).alias("group"))]
    return pl.concat(out).with_columns(
        (pl.col("max") - pl.col("points").fill_null(0)).round(definition.digits).alias("lost"))


def _group_scores(definition: IndexDefinition, criteria: pl.DataFrame, units: pl.DataFrame,
                  group_overrides: pl.DataFrame | None) -> pl.DataFrame:
    sums = criteria.group_by("unit_code", "group").agg(pl.col("points").fill_null(0).sum().alias("points"))
    if group_overrides is not None and group_overrides.height:
        sums = (sums.join(group_overrides.rename({"points": "given"}), on=["unit_code", "group"], how="full",
                          coalesce=True)
                .with_columns(pl.coalesce("given", "points").alias("points")).drop("given"))
    wide = sums.pivot(on="group", index="unit_code", values="points")
    groups = [g.code for g in definition.groups]
    for g in groups:
        if g not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(g))
    df = units.join(wide.select("unit_code", *groups), on="unit_code", how="left").with_columns(
        *[round_half_up_expr(pl.col(g).fill_null(0.0), definition.digits) for g in groups])
    return df


def _totals(definition: IndexDefinition, units: pl.DataFrame, adjustments: pl.DataFrame | None) -> pl.DataFrame:
    groups = [g.code for g in definition.groups]
    total = pl.sum_horizontal(*[pl.col(g) for g in groups])
    units = units.with_columns(total.alias("total_before_adjustment"))
    if adjustments is not None and adjustments.height:
        adj = adjustments.group_by("unit_code").agg(pl.col("points").sum().alias("adjustment"))
        units = units.join(adj, on="unit_code", how="left")
    else:
        units = units.with_columns(pl.lit(None, pl.Float64).alias("adjustment"))
    return units.with_columns(
        round_half_up_expr((pl.col("total_before_adjustment") + pl.col("adjustment").fill_null(0)).clip(0, None),
                           definition.digits).alias("total"))


def peer_key() -> pl.Expr:
    """Provinces compete nationally; departments and communes within their province, by level."""
    return (pl.when(pl.col("level") == "province").then(pl.lit("nation"))
            .otherwise(pl.col("province_code").fill_null("") + pl.lit(":") + pl.col("level")))


def _ranks(units: pl.DataFrame) -> pl.DataFrame:
    units = units.with_columns(peer_key().alias("_peers"))
    return units.with_columns(
        pl.col("total").rank(method="min", descending=True).over("_peers").cast(pl.Int64).alias("rank"),
        pl.len().over("_peers").cast(pl.Int64).alias("peers"),
    ).drop("_peers")


def _bands(definition: IndexDefinition, units: pl.DataFrame) -> pl.DataFrame:
    codes, labels, labels_en = [], [], []
    for level, province, total in zip(units["level"], units["province_code"], units["total"]):
        band = definition.bands_for(level, province).band(total)
        codes.append(band.code if band else None)
        labels.append(band.label if band else None)
        labels_en.append(band.label_en if band else None)
    return units.with_columns(pl.Series("band", codes, pl.Utf8), pl.Series("band_label", labels, pl.Utf8),
                              pl.Series("band_label_en", labels_en, pl.Utf8))


def _changes(units: pl.DataFrame, previous: ScoreTable | None) -> pl.DataFrame:
    if previous is None:
        return units.with_columns(pl.lit(None, pl.Float64).alias("previous_total"),
                                  pl.lit(None, pl.Int64).alias("previous_rank"),
                                  pl.lit(None, pl.Float64).alias("score_change"),
                                  pl.lit(None, pl.Int64).alias("rank_change"))
    prev = previous.units.select("unit_code", pl.col("total").alias("previous_total"),
                                 pl.col("rank").alias("previous_rank"))
    units = units.join(prev, on="unit_code", how="left")
    return units.with_columns(
        round_half_up_expr(pl.col("total") - pl.col("previous_total"), 2).alias("score_change"),
        # positive = moved up (23rd → 4th is +19)
        (pl.col("previous_rank") - pl.col("rank")).alias("rank_change"),
    )


def score_window(definition: IndexDefinition, window: str, inputs: pl.DataFrame, units: pl.DataFrame, *,
                 group_overrides: pl.DataFrame | None = None, adjustments: pl.DataFrame | None = None,
                 previous: ScoreTable | None = None) -> ScoreTable:
    """Run the pipeline for one window.

    ``inputs``: unit_code, criterion, numerator, denominator, given_ratio, given_points, inherited.
    ``units``: unit_code, name, level, parent_code, province_code.
    """
    criteria = _criteria_points(definition, inputs)
    df = _group_scores(definition, criteria, units.select(*UNIT_COLUMNS), group_overrides)
    df = _totals(definition, df, adjustments)
    df = _ranks(df)
    df = _bands(definition, df)
    df = _changes(df, previous)
    order = pl.col("level").replace_strict({"nation": 0, "province": 1, "department": 2, "commune": 3},
                                           default=4, return_dtype=pl.Int64)
    df = df.sort(order, "province_code", "rank", "unit_code", nulls_last=True)
    return ScoreTable(definition, window, df, criteria.sort("unit_code"),
                      previous.window if previous is not None else None)
