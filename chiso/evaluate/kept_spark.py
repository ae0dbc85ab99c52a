"""Counts kept by day on Spark: the relations of :func:`chiso.evaluate.kept.keep_days`, computed
by Spark from the records' Parquet and written as Parquet beside them.

The SQL is the same — ``chiso.engine.daily``'s, rendered for Spark — and so are the names
(``kept``'s naming call, a hash of that SQL): a ``SparkRecords`` opened on the build
(``chiso.engine.spark``) answers the kept-counts manifest, and :func:`chiso.evaluate.kept.read`
counts any window inside the range from the build exactly as from a record store's tables.
A build made by another definition (or for other relations) has other names and is not
found; a build whose record files changed since is not used (Parquet has no change log: the
manifest holds the files' names, sizes and modification times).
"""
from __future__ import annotations

import datetime as dt

from chiso.catalog.index_definition import IndexDefinition
from chiso.catalog.records import RECORD_KINDS
from chiso.engine.counts import CountsPlan
from chiso.errors import StoreError
from chiso.evaluate import kept
from chiso.evaluate.kept import KeptEntry


def _dossier_days(store) -> tuple[int, dt.date | None, dt.date | None]:
    field = RECORD_KINDS["dossiers"].window_field
    row = store.query_arrow(f"SELECT count(*) AS n, MIN({field}) AS a, MAX({field}) AS b "
                            f"FROM {store.relation('dossiers')}").to_pylist()[0]
    return int(row["n"]), row["a"], row["b"]


def keep_days_on_spark(definition: IndexDefinition, store, start: dt.date, end: dt.date, out: str
                       ) -> list[KeptEntry]:
    """Keep the counts of every windowed kind by day over [start, end] from ``store`` (a
    ``SparkRecords``) as Parquet under ``out`` (replacing what was there, in one rename).

    Refused: an empty range, records without dossiers, a range holding none of them, a
    definition with nothing to keep by day.
    """
    if not hasattr(store, "build_kept"):
        raise StoreError("counts kept as Parquet are built on Spark: open the records with SparkRecords")
    if start > end:
        raise ValueError(f"khoảng ngày rỗng: {start} sau {end} / the range is empty: {start} is after {end}")
    n, first, last = _dossier_days(store)
    if n == 0:
        raise StoreError("không có hồ sơ (dossiers) nào trong các tệp Parquet: không có gì để lưu / the records "
                         "hold no dossiers: nothing to keep")
    if first is None or last is None or last < start or first > end:
        raise StoreError(f"không hồ sơ nào tiếp nhận trong {start}..{end} (hồ sơ từ {first} đến {last}) / no dossier "
                         f"was received in {start}..{end} (the records run from {first} to {last})")
    relations = []
    for kind, part, distinct in kept.day_parts(definition):
        sql = kept.day_sql(definition, store, kind, part, distinct, start, end)
        if sql is None:
            continue
        name = kept.day_name(definition, store, kind, part, distinct, start, end)
        relations.append({"name": name, "kind": kind, "part": part, "distinct": distinct, "start": start,
                          "end": end, "sql": sql})
    if not relations:
        raise ValueError("the index definition keeps nothing by day (no windowed kind can be kept by day)")
    manifest = store.build_kept(relations, out)
    return [KeptEntry(r["name"], r["kind"], r["distinct"], CountsPlan(start, end, r["part"]),  # type: ignore[arg-type]
                      0, r["rows"], dt.datetime.fromisoformat(r["built_at"])) for r in manifest["relations"]]


__all__ = ["keep_days_on_spark"]
