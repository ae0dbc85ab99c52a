"""Fill what a valid file leaves implicit, so every stored record is complete.

- ``province_code`` comes from the unit;
- optional fields that are absent or empty take their schema default;
- a dossier without an appointment date gets received date + the procedure's statutory
  working days (Mon–Fri), the procedure being looked up by (unit_code, procedure_code) in
  the store or in the same load; a dossier whose procedure is unknown cannot be judged on
  time, so that is a problem, not a guess;
- a dossier's ``full_online_eligible`` / ``result_paper`` come from the procedure catalogue
  (unknown procedure: not eligible / paper result);
- a petition without a due date gets received date + 15 working days.

Working days are counted with numpy.busday_offset over whole columns. Public holidays can be
passed in; none are built in yet (the official list changes every year).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl

from chiso.catalog.records import DOSSIERS, PETITIONS, PROCEDURES, RecordKind
from chiso.collect.readers import ROW
from chiso.collect.validate import Problems, UnitLookup, unit_provinces
from chiso.store.records import POLARS_TYPES, RecordStore

PETITION_WORKING_DAYS = 15
CATALOGUE_COLUMNS = ("unit_code", "procedure_code", "statutory_days", "full_online_eligible",
                     "paper_result")
_CATALOGUE_SCHEMA = {"unit_code": pl.String, "procedure_code": pl.String, "statutory_days": pl.Int64,
                     "full_online_eligible": pl.Boolean, "paper_result": pl.Boolean}


def add_working_days(start: pl.Series, days: pl.Series | int,
                     holidays: Sequence[date] = ()) -> pl.Series:
    """``start`` + ``days`` working days (Mon–Fri, minus ``holidays``), for whole columns.

    A start on a weekend or holiday counts from the next working day. Null in, null out.

    >>> add_working_days(pl.Series([date(2026, 8, 14)]), 3).to_list()  # a Friday
    [datetime.date(2026, 8, 19)]
    """
    if isinstance(days, int):
        days = pl.Series([days] * len(start), dtype=pl.Int64)
    valid = (start.is_not_null() & days.is_not_null()).to_numpy()
    starts = start.cast(pl.Date).fill_null(date(2000, 1, 3)).to_numpy().astype("datetime64[D]")
    offsets = days.cast(pl.Int64).fill_null(0).to_numpy()
    ends = np.busday_offset(starts, offsets, roll="forward",
                            holidays=np.array(list(holidays), dtype="datetime64[D]"))
    result = pl.Series(start.name, ends).cast(pl.Date)
    return result.zip_with(pl.Series(valid), pl.Series([None] * len(start), dtype=pl.Date))


def complete(kind: RecordKind, typed: pl.DataFrame, units: UnitLookup) -> pl.DataFrame:
    """Every column of ``kind`` (plus ROW): defaults for absent/empty cells, province from unit."""
    exprs = [pl.col(ROW)]
    for f in kind.fields:
        dtype = POLARS_TYPES[f.type]
        if f.name in typed.columns:
            col = pl.col(f.name).cast(dtype)
            exprs.append(col.fill_null(pl.lit(f.default, dtype=dtype)) if f.default is not None else col)
        else:
            exprs.append(pl.lit(f.default, dtype=dtype).alias(f.name))
    out = typed.select(exprs)
    if kind.has("province_code"):
        provinces = {k: v for k, v in unit_provinces(out["unit_code"], units).items() if v is not None}
        from_unit = pl.col("unit_code").replace_strict(provinces, default=None, return_dtype=pl.String)
        out = out.with_columns(pl.coalesce(pl.col("province_code"), from_unit).alias("province_code"))
    return out


def procedure_catalogue(store: RecordStore | None, loaded: Sequence[pl.DataFrame] = ()) -> pl.DataFrame:
    """The procedures dossiers are judged by: those in this load, then those already stored."""
    frames = [df.select(CATALOGUE_COLUMNS).cast(_CATALOGUE_SCHEMA) for df in loaded]
    fresh = (pl.concat(frames) if frames else pl.DataFrame(schema=_CATALOGUE_SCHEMA)).filter(
        pl.col("unit_code").is_not_null() & pl.col("procedure_code").is_not_null()
        & pl.col("statutory_days").is_not_null()).unique(["unit_code", "procedure_code"], keep="last")
    if store is None:
        return fresh
    cols = ", ".join(CATALOGUE_COLUMNS)
    stored = pl.from_arrow(store.query_arrow(f"SELECT {cols} FROM {store.relation(PROCEDURES.name)}"))
    stored = stored.cast(_CATALOGUE_SCHEMA)  # type: ignore[union-attr]
    return pl.concat([fresh, stored.join(fresh, on=["unit_code", "procedure_code"], how="anti")])


def _derive_dossiers(frame: pl.DataFrame, catalogue: pl.DataFrame, file: str, sink: Problems,
                     holidays: Sequence[date]) -> pl.DataFrame:
    cat = catalogue.rename({"statutory_days": "_days", "full_online_eligible": "_eligible",
                            "paper_result": "_paper"})
    joined = frame.join(cat, on=["unit_code", "procedure_code"], how="left", maintain_order="left")
    unknown = joined.filter(pl.col("appointment_date").is_null() & pl.col("_days").is_null()
                            & pl.col("received_date").is_not_null())
    sink.add_rows(file, "procedure_code",
                  unknown.select(ROW, pl.col("procedure_code").alias("value"), "unit_code"),
                  lambda r: f"appointment_date is empty and procedure {r['value']} is not in the "
                            f"procedure catalogue of unit {r['unit_code']}, so the dossier's due date "
                            "cannot be derived; load that procedure or give the appointment date")
    derived = add_working_days(joined["received_date"], joined["_days"], holidays)
    joined = joined.with_columns(
        pl.coalesce(pl.col("appointment_date"), pl.lit(derived)).alias("appointment_date"),
        pl.coalesce(pl.col("full_online_eligible"), pl.col("_eligible"), pl.lit(False)).alias("full_online_eligible"),
        pl.coalesce(pl.col("result_paper"), pl.col("_paper"), pl.lit(True)).alias("result_paper"),
    )
    return joined.drop("_days", "_eligible", "_paper")


def _derive_petitions(frame: pl.DataFrame, holidays: Sequence[date]) -> pl.DataFrame:
    due = add_working_days(frame["received_date"], PETITION_WORKING_DAYS, holidays)
    return frame.with_columns(pl.coalesce(pl.col("due_date"), pl.lit(due)).alias("due_date"))


def derive(kind: RecordKind, typed: pl.DataFrame, units: UnitLookup, catalogue: pl.DataFrame | None,
           file: str, sink: Problems, holidays: Sequence[date] = ()) -> pl.DataFrame:
    """The complete records of one validated file (all kind columns plus ROW)."""
    frame = complete(kind, typed, units)
    if kind is DOSSIERS:
        if catalogue is None:
            raise ValueError("dossiers need the procedure catalogue to derive appointment dates")
        frame = _derive_dossiers(frame, catalogue, file, sink, holidays)
    elif kind is PETITIONS:
        frame = _derive_petitions(frame, holidays)
    return frame
