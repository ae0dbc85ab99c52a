"""Fill what a valid file leaves implicit, so every stored record is complete.

- ``province_code`` comes from the unit;
- optional fields that are absent or empty take their schema default;
- a dossier without an appointment date gets received date + the procedure's statutory
  working days, the procedure being looked up by (unit_code, procedure_code) in the
  store or in the same load; a dossier whose procedure is unknown cannot be judged on
  time, so that is a problem, not a guess;
- a dossier's ``full_online_eligible`` / ``result_paper`` come from the procedure catalogue
  (unknown procedure: not eligible / paper result);
- a petition without a due date gets received date + 15 working days.

Working days (ngày làm việc) are Monday–Friday minus public holidays plus make-up
Saturdays, from the holidays file (``chiso.periods.holidays``, ``CHISO_HOLIDAYS``). A
deadline that would need a year the file does not list is a problem too: the dossier
names the year to add, rather than being judged against a guessed calendar.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from chiso.catalog.records import DOSSIERS, PETITIONS, PROCEDURES, RecordKind
from chiso.collect.readers import ROW
from chiso.collect.validate import Problems, UnitLookup, unit_provinces
from chiso.periods.holidays import HolidayCalendar, WorkingDays, load_holidays
from chiso.store.records_base import POLARS_TYPES, RecordStore, literal

PETITION_WORKING_DAYS = 15
CATALOGUE_COLUMNS = ("unit_code", "procedure_code", "statutory_days", "full_online_eligible",
                     "paper_result")
_CATALOGUE_SCHEMA = {"unit_code": pl.String, "procedure_code": pl.String, "statutory_days": pl.Int64,
                     "full_online_eligible": pl.Boolean, "paper_result": pl.Boolean}
Holidays = HolidayCalendar | WorkingDays | Sequence[date]


def working_calendar(holidays: Holidays = ()) -> WorkingDays:
    """The working days deadlines are counted in: a calendar as given, or the configured
    holidays file's listed years with ``holidays`` (extra dates) also off."""
    if isinstance(holidays, WorkingDays):
        return holidays
    if isinstance(holidays, HolidayCalendar):
        return holidays.working_days()
    cal = load_holidays()
    extra = list(holidays)
    if not extra:
        return _listed_years(cal)
    base = cal.working_days()
    off = {d for y in cal.years.values() for d in y.off()} | set(extra)
    make_up = {m.day for y in cal.years.values() for m in y.make_up_days}
    return WorkingDays.build(base.first, base.last, off, make_up)


_CACHE: dict[str, WorkingDays] = {}


def _listed_years(cal: HolidayCalendar) -> WorkingDays:
    key = f"{cal.path}:{cal.sha256}"
    if key not in _CACHE:
        _CACHE[key] = cal.working_days()
    return _CACHE[key]


def add_working_days(start: pl.Series, days: pl.Series | int,
                     holidays: Holidays = ()) -> tuple[pl.Series, pl.Series]:
    """(``start`` + ``days`` working days, beyond) for whole columns.

    A start on a weekend or a day off counts from the next working day. ``beyond`` is
    True where the start or the result lies outside the calendar's years (the result is
    then null). Null in, null out (and not beyond).

    >>> ends, beyond = add_working_days(pl.Series([date(2026, 8, 28)]), 3)  # a Friday
    >>> ends.to_list(), beyond.to_list()  # 31/8 (swapped), 1/9 and 2/9 (Quốc khánh) are off
    ([datetime.date(2026, 9, 7)], [False])
    """
    calendar = working_calendar(holidays)
    if isinstance(days, int):
        days = pl.Series([days] * len(start), dtype=pl.Int64)
    valid = (start.is_not_null() & days.is_not_null()).to_numpy()
    starts = start.cast(pl.Date).fill_null(calendar.first).to_numpy().astype("datetime64[D]")
    offsets = days.cast(pl.Int64).fill_null(0).to_numpy()
    ends, inside = calendar.add(starts, offsets)
    known = valid & inside
    result = pl.Series(start.name, ends).cast(pl.Date)
    result = result.zip_with(pl.Series(known), pl.Series([None] * len(start), dtype=pl.Date))
    return result, pl.Series("beyond", valid & ~inside)


def _beyond_reason(calendar: WorkingDays, what: str, fix: str):
    def reason(row: dict) -> str:
        return (f"{what} is empty and counting {row['_n']} working days from {row['value']} needs public "
                f"holidays beyond the holiday calendar ({calendar.first.year}–{calendar.last.year}); {fix} "
                "or add that year's days off to the holidays file (CHISO_HOLIDAYS, docs/holidays.md)")
    return reason


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


#: Up to this many (unit, procedure) pairs, the stored catalogue is read for the pairs alone (a
#: pushed batch: a few thousand rows instead of every procedure of its units); beyond, for the
#: units (a whole file of dossiers).
PAIRS_LISTED = 20_000


def procedure_catalogue(store: RecordStore | None, loaded: Sequence[pl.DataFrame] = (),
                        wanted: pl.DataFrame | None = None) -> pl.DataFrame:
    """The procedures dossiers are judged by: those in this load, then those already stored —
    when ``wanted`` (``unit_code``, ``procedure_code``: the dossiers loaded) is given, only the
    stored ones the dossiers name."""
    frames = [df.select(CATALOGUE_COLUMNS).cast(_CATALOGUE_SCHEMA) for df in loaded]
    fresh = (pl.concat(frames) if frames else pl.DataFrame(schema=_CATALOGUE_SCHEMA)).filter(
        pl.col("unit_code").is_not_null() & pl.col("procedure_code").is_not_null()
        & pl.col("statutory_days").is_not_null()).unique(["unit_code", "procedure_code"], keep="last")
    if store is None:
        return fresh
    cols = ", ".join(f"p.{c}" for c in CATALOGUE_COLUMNS)
    sql = f"SELECT {cols} FROM {store.relation(PROCEDURES.name)} AS p"
    if wanted is not None:
        pairs = wanted.select("unit_code", "procedure_code").drop_nulls().unique()
        if pairs.is_empty():
            sql += " WHERE FALSE"
        elif pairs.height <= PAIRS_LISTED:
            rows = ", ".join(f"({literal(u)}, {literal(c)})" for u, c in pairs.iter_rows())
            sql += (f" JOIN (VALUES {rows}) AS w(unit_code, procedure_code) "
                    "ON p.unit_code = w.unit_code AND p.procedure_code = w.procedure_code")
        else:
            units = pairs.get_column("unit_code").unique().sort()
            sql += f" WHERE p.unit_code IN ({', '.join(literal(u) for u in units)})"
    stored = pl.from_arrow(store.query_arrow(sql))
    stored = stored.cast(_CATALOGUE_SCHEMA)  # type: ignore[union-attr]
    return pl.concat([fresh, stored.join(fresh, on=["unit_code", "procedure_code"], how="anti")])


def _derive_dossiers(frame: pl.DataFrame, catalogue: pl.DataFrame, file: str, sink: Problems,
                     calendar: WorkingDays) -> pl.DataFrame:
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
    derived, beyond = add_working_days(joined["received_date"], joined["_days"], calendar)
    outside = joined.filter(beyond & pl.col("appointment_date").is_null())
    sink.add_rows(file, "received_date",
                  outside.select(ROW, pl.col("received_date").alias("value"), pl.col("_days").alias("_n")),
                  _beyond_reason(calendar, "appointment_date", "give the appointment date"))
    joined = joined.with_columns(
        pl.coalesce(pl.col("appointment_date"), pl.lit(derived)).alias("appointment_date"),
        pl.coalesce(pl.col("full_online_eligible"), pl.col("_eligible"), pl.lit(False)).alias("full_online_eligible"),
        pl.coalesce(pl.col("result_paper"), pl.col("_paper"), pl.lit(True)).alias("result_paper"),
    )
    return joined.drop("_days", "_eligible", "_paper")


def _derive_petitions(frame: pl.DataFrame, file: str, sink: Problems, calendar: WorkingDays) -> pl.DataFrame:
    due, beyond = add_working_days(frame["received_date"], PETITION_WORKING_DAYS, calendar)
    outside = frame.filter(beyond & pl.col("due_date").is_null())
    sink.add_rows(file, "received_date",
                  outside.select(ROW, pl.col("received_date").alias("value"),
                                 pl.lit(PETITION_WORKING_DAYS).alias("_n")),
                  _beyond_reason(calendar, "due_date", "give the due date"))
    return frame.with_columns(pl.coalesce(pl.col("due_date"), pl.lit(due)).alias("due_date"))


def derive(kind: RecordKind, typed: pl.DataFrame, units: UnitLookup, catalogue: pl.DataFrame | None,
           file: str, sink: Problems, holidays: Holidays = ()) -> pl.DataFrame:
    """The complete records of one validated file (all kind columns plus ROW).

    ``holidays``: the working-day calendar (default: the configured holidays file), or
    extra dates off on top of it."""
    frame = complete(kind, typed, units)
    if kind is DOSSIERS:
        if catalogue is None:
            raise ValueError("dossiers need the procedure catalogue to derive appointment dates")
        frame = _derive_dossiers(frame, catalogue, file, sink, working_calendar(holidays))
    elif kind is PETITIONS:
        frame = _derive_petitions(frame, file, sink, working_calendar(holidays))
    return frame
