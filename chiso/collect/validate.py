"""Check a read file against its record schema, with polars expressions over whole columns.

Every check is a column operation that finds the failing rows at once; Problem objects are
built only for those rows, so a clean million-row file costs a few column passes. All
problems are gathered (up to a cap, with the true total kept) so that a user fixes a file
in one round, not one error at a time.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import polars as pl

from chiso.catalog.records import Field, RecordKind
from chiso.collect.readers import ROW, Source
from chiso.errors import Problem
from chiso.files.limits import current_limits
from chiso.units.model import Unit

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # the stores keep INTEGER columns

TRUE_WORDS = ("true", "1", "yes", "có", "co", "x", "y")
FALSE_WORDS = ("false", "0", "no", "không", "khong", "n")
BOOL_WORDS = {**{w: True for w in TRUE_WORDS}, **{w: False for w in FALSE_WORDS}}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")  # ISO, and the DD/MM/YYYY Vietnamese offices write


class UnitLookup(Protocol):
    """What validation needs of the unit hierarchy (chiso.units.registry.UnitTree fits)."""

    def __contains__(self, code: object) -> bool: ...

    def get(self, code: str) -> Unit: ...


@dataclass
class Problems:
    """Problems gathered across the files of one load: the first ``cap`` kept, all counted."""

    cap: int = field(default_factory=lambda: current_limits().max_problems)  # CHISO_FILE_MAX_PROBLEMS
    items: list[Problem] = field(default_factory=list)
    total: int = 0
    order: dict[str, int] = field(default_factory=dict)  # file name → position, for sorting

    def add(self, problem: Problem) -> None:
        self.total += 1
        self.order.setdefault(problem.file, len(self.order))
        self.items.append(problem)

    def extend(self, problems: list[Problem], total: int | None = None) -> None:
        for p in problems:
            self.add(p)
        if total is not None and total > len(problems):
            self.total += total - len(problems)

    def add_rows(self, file: str, column: str | None, failed: pl.DataFrame,
                 reason: str | Callable[[dict], str]) -> None:
        """One Problem per row of ``failed`` (columns ROW, value, and any a reason needs).

        Only the first ``cap`` rows become objects: the rest are counted, never built.
        """
        self.order.setdefault(file, len(self.order))
        self.total += failed.height
        for row in failed.head(self.cap).iter_rows(named=True):
            value = row.get("value")
            text = reason(row) if callable(reason) else reason
            self.items.append(Problem(file, row[ROW], column, text,
                                      None if value is None else str(value)))

    def __bool__(self) -> bool:
        return self.total > 0

    def sorted(self) -> list[Problem]:
        """The first ``cap`` problems in file order, then row order (file-level ones first)."""
        def key(p: Problem) -> tuple:
            return self.order.get(p.file, 0), -1 if p.row is None else p.row, p.column or ""

        return sorted(self.items, key=key)[: self.cap]


# -- text and typed columns -----------------------------------------------------------------

def as_text(s: pl.Series) -> pl.Series:
    """Cells as trimmed NFC text (empty → null), whatever the file's own type was."""
    if s.dtype == pl.String:
        out = s
    elif s.dtype.is_float():
        whole = s.is_finite() & (s == s.round(0))
        out = pl.select(pl.when(pl.lit(whole)).then(s.cast(pl.Int64, strict=False).cast(pl.String))
                        .otherwise(s.cast(pl.String))).to_series()
    elif s.dtype.is_numeric() or s.dtype in (pl.Boolean, pl.Date) or isinstance(s.dtype, pl.Datetime):
        out = s.cast(pl.String)
    else:  # lists, structs, …: no field holds those
        out = pl.select(pl.when(pl.lit(s.is_not_null())).then(pl.lit(f"<{s.dtype}>"))).to_series()
    out = out.str.strip_chars().str.normalize("NFC")
    return pl.select(pl.when(pl.lit(out) == "").then(None).otherwise(pl.lit(out))).to_series().alias(s.name)


def _typed(f: Field, raw: pl.Series, text: pl.Series) -> pl.Series:
    """The column in the field's type; cells that do not convert become null."""
    dt = raw.dtype
    if f.type == "str":
        return text
    if f.type == "enum":
        return text.str.to_lowercase()
    if f.type == "int":
        if dt.is_integer():
            out = raw.cast(pl.Int64)
        else:
            out = text.cast(pl.Int64, strict=False)
        return pl.select(pl.when(pl.lit(out).is_between(INT_MIN, INT_MAX)).then(pl.lit(out))).to_series()
    if f.type == "bool":
        if dt == pl.Boolean:
            return raw
        return text.str.to_lowercase().replace_strict(BOOL_WORDS, default=None, return_dtype=pl.Boolean)
    if f.type == "date":
        if dt == pl.Date:
            return raw
        if isinstance(dt, pl.Datetime):
            return raw.dt.date()
        # a spreadsheet or export may add a midnight time to a date: that is still the date
        bare = text.str.replace(r"[T ]00:00(:00(\.0+)?)?$", "")
        parsed = [bare.str.to_date(fmt, strict=False) for fmt in DATE_FORMATS]
        return pl.select(pl.coalesce(parsed)).to_series()
    raise ValueError(f"field type {f.type!r} has no reader")


_EXPECTED = {
    "int": "not a whole number",
    "bool": "not a yes/no value (write true/false, 1/0, yes/no, có/không)",
    "date": "not a date (write YYYY-MM-DD or DD/MM/YYYY)",
}


def _check_column(f: Field, raw: pl.Series, rows: pl.Series, file: str,
                  sink: Problems) -> pl.Series:
    text = as_text(raw)
    typed = _typed(f, raw, text).alias(f.name)
    frame = pl.DataFrame({ROW: rows, "value": text, "typed": typed})
    if f.type in _EXPECTED:
        sink.add_rows(file, f.name, frame.filter(pl.col("value").is_not_null() & pl.col("typed").is_null()),
                      _EXPECTED[f.type])
    if f.required:
        sink.add_rows(file, f.name, frame.filter(pl.col("value").is_null()), "required value is empty")
    if f.choices:
        bad = frame.filter(pl.col("typed").is_not_null() & ~pl.col("typed").is_in(list(f.choices)))
        sink.add_rows(file, f.name, bad, f"not one of the allowed values: {', '.join(f.choices)}")
    if f.minimum is not None:
        sink.add_rows(file, f.name, frame.filter(pl.col("typed") < f.minimum), f"below the minimum {f.minimum}")
    if f.type == "date":
        bad = frame.filter((pl.col("typed") < EARLIEST) | (pl.col("typed") > LATEST))
        sink.add_rows(file, f.name, bad.with_columns(pl.col("typed").cast(pl.String).alias("value")),
                      f"impossible date: before {EARLIEST} or after {LATEST}")
    return typed


# -- units ----------------------------------------------------------------------------------

def unit_provinces(codes: pl.Series, units: UnitLookup) -> dict[str, str | None]:
    """Each distinct known unit code → its province code (a loop over distinct codes only)."""
    known: dict[str, str | None] = {}
    for code in codes.drop_nulls().unique().to_list():
        if code in units:
            known[code] = units.get(code).province_code
    return known


def _check_units(typed: pl.DataFrame, units: UnitLookup, file: str, sink: Problems) -> None:
    if "unit_code" not in typed.columns:
        return
    provinces = unit_provinces(typed["unit_code"], units)
    unknown = typed.filter(pl.col("unit_code").is_not_null() & ~pl.col("unit_code").is_in(list(provinces)))
    sink.add_rows(file, "unit_code", unknown.select(ROW, pl.col("unit_code").alias("value")),
                  "unknown unit: no unit has this code")
    if "province_code" not in typed.columns or not provinces:
        return
    mapping = {k: v for k, v in provinces.items() if v is not None}
    with_prov = typed.with_columns(
        pl.col("unit_code").replace_strict(mapping, default=None, return_dtype=pl.String).alias("_unit_prov"))
    bad = with_prov.filter(pl.col("province_code").is_not_null() & pl.col("_unit_prov").is_not_null()
                           & (pl.col("province_code") != pl.col("_unit_prov")))
    sink.add_rows(file, "province_code",
                  bad.select(ROW, pl.col("province_code").alias("value"), "unit_code", "_unit_prov"),
                  lambda r: f"unit {r['unit_code']} belongs to province {r['_unit_prov']}, "
                            f"not {r['value']}")


# -- keys and dates -------------------------------------------------------------------------

def key_text(kind: RecordKind, row: dict) -> str:
    return ", ".join(f"{k}={row[k]!r}" for k in kind.key)


def _key_value(keys: list[str]) -> pl.Expr:
    """The key as one text for Problem.value: the value itself, or ``k=v, k=v`` for a pair."""
    if len(keys) == 1:
        return pl.col(keys[0]).cast(pl.String).alias("value")
    return pl.concat_str([pl.lit(f"{k}=") + pl.col(k).cast(pl.String) for k in keys],
                         separator=", ").alias("value")


def _check_duplicates(kind: RecordKind, typed: pl.DataFrame, file: str, sink: Problems) -> None:
    if not all(k in typed.columns for k in kind.key):
        return
    keys = list(kind.key)
    dup = (typed.select(ROW, *keys)
           .filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
           .with_columns(pl.col(ROW).min().over(keys).alias("_first"))
           .filter(pl.col(ROW) != pl.col("_first")))
    dup = dup.with_columns(_key_value(keys))
    sink.add_rows(file, ", ".join(keys), dup,
                  lambda r: f"duplicate key {key_text(kind, r)}: row {r['_first']} has the same key")


def _check_date_order(kind: RecordKind, typed: pl.DataFrame, file: str, sink: Problems) -> None:
    for later, earlier in kind.date_order:
        if later not in typed.columns or earlier not in typed.columns:
            continue
        bad = typed.filter(pl.col(later) < pl.col(earlier)).select(
            ROW, pl.col(later).cast(pl.String).alias("value"), pl.col(earlier).cast(pl.String).alias("_e"))
        sink.add_rows(file, later, bad, lambda r: f"{later} is before {earlier} ({r['_e']})")


# -- the whole file -------------------------------------------------------------------------

def validate(source: Source, units: UnitLookup, sink: Problems) -> pl.DataFrame:
    """The file's columns in their schema types (plus ROW); its problems go to ``sink``."""
    kind, frame, file = source.kind, source.frame, source.name
    present = [c for c in frame.columns if c != ROW]
    expected = ", ".join(kind.columns)
    for col in present:
        if not kind.has(col):
            sink.add(Problem(file, None, col, f"unknown column for {kind.name}; expected columns: {expected}"))
    for f in kind.fields:
        if f.required and f.name not in present:
            sink.add(Problem(file, None, f.name, f"required column missing from this {kind.name} file"))
    typed = [_check_column(f, frame[f.name], frame[ROW], file, sink)
             for f in kind.fields if f.name in present]
    out = pl.DataFrame([frame[ROW], *typed]) if typed else frame.select(ROW)
    _check_units(out, units, file, sink)
    _check_duplicates(kind, out, file, sink)
    _check_date_order(kind, out, file, sink)
    return out


def check_across_files(kind: RecordKind, frames: list[tuple[str, pl.DataFrame]],
                       sink: Problems) -> None:
    """A key may occur in only one file of a load: report every later file's copy."""
    keys = list(kind.key)
    parts = [df.select(ROW, *keys).with_columns(pl.lit(i).alias("_file"))
             for i, (_, df) in enumerate(frames) if all(k in df.columns for k in keys)]
    if len(parts) < 2:
        return
    names = [name for name, _ in frames]
    allrows = (pl.concat(parts).filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
               .sort("_file", ROW)
               .with_columns(pl.col("_file").first().over(keys).alias("_ff"),
                             pl.col(ROW).first().over(keys).alias("_fr")))
    clash = allrows.filter(pl.col("_file") != pl.col("_ff"))
    clash = clash.with_columns(_key_value(keys))
    for i, name in enumerate(names):
        mine = clash.filter(pl.col("_file") == i)
        if mine.height:
            sink.add_rows(name, ", ".join(keys), mine,
                          lambda r: f"duplicate key {key_text(kind, r)}: also in {names[r['_ff']]} "
                                    f"row {r['_fr']} of this load")
