"""Entry point: write a deterministic, realistic synthetic dataset as Parquet.

``generate`` takes the units to generate for; ``generate_for`` looks them up by province
in the official list. Output layout (the loader reads it as is)::

    out_dir/dossiers/part-00000.parquet …     rows ordered by received date, then unit
    out_dir/petitions/part-00000.parquet …
    out_dir/procedures/procedures.parquet     one row per (unit, procedure)
    out_dir/publications/publications.parquet
    out_dir/indicators/24-STC.csv …           DM indicator submissions, one per owner agency
                                              (``generate_indicator_submissions``)

Memory stays bounded whatever the size: rows are made in fixed blocks of
``plan.BLOCK_ROWS`` and streamed to the writer; only per-(day, unit) counts are held for
the whole period (~12 MB for the nation). The same seed gives the same values whatever
``chunk_rows`` is (it only decides where files are split).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from chiso.catalog.records import DOSSIERS, PETITIONS, PROCEDURES, PUBLICATIONS, RecordKind
from chiso.demo import dossiers as dossier_rows
from chiso.demo import petitions as petition_rows
from chiso.demo.indicators import default_period, write_submissions
from chiso.demo.parquet import PartWriter, write_table
from chiso.demo.plan import CellPlan
from chiso.demo.procedures import procedures_table
from chiso.demo.publications import publications_table
from chiso.demo.rng import stream
from chiso.demo.volume import cell_counts
from chiso.demo.world import World
from chiso.units import load_units
from chiso.units.model import Unit

Progress = Callable[[int, int], None]
DEFAULT_PROVINCES = ("24",)  # Bắc Ninh, the province of seed document 003


def generate(out_dir: str | Path, units: Sequence[Unit], *, dossiers: int, year: int = 2026, seed: int = 0,
             start: date | None = None, end: date | None = None, chunk_rows: int = 2_000_000,
             progress: Progress | None = None) -> dict[str, list[Path]]:
    """Generate records for ``units`` (provinces, departments, communes) into ``out_dir``.

    ``dossiers`` is the exact number of dossiers over the period (default: the whole of
    ``year``); petitions are about one per 200 dossiers. ``progress(done, total)`` is
    called after each block of dossier and petition rows. Ids read ``24-2026-000012345``
    with ``year`` even when ``start``/``end`` reach into another year. Returns the files
    written per record kind. Part files left in the output folders by an earlier run are
    removed.
    """
    if dossiers < 0:
        raise ValueError("dossiers must be non-negative")
    if chunk_rows <= 0:
        raise ValueError("chunk_rows must be positive")
    out = Path(out_dir)
    world = World.build(units, year=year, seed=seed, start=start, end=end)
    written: dict[str, list[Path]] = {}
    streamed = (
        (DOSSIERS, dossiers, dossier_rows.dossier_block, dossier_rows.id_prefixes(world)),
        (PETITIONS, petition_rows.petition_count(dossiers), petition_rows.petition_block,
         petition_rows.id_prefixes(world)),
    )
    total = sum(count for _, count, _, _ in streamed)
    done = 0
    for kind, count, block, prefixes in streamed:
        _clear_parts(out / kind.name)
        counts = cell_counts(count, world.weights, stream(seed, "cells", kind.name))
        plan = CellPlan.build(counts, world.layout.province)
        writer = PartWriter(out / kind.name, kind, chunk_rows)
        try:
            for span in plan.spans():
                writer.write(block(world, span, prefixes))
                done += span.rows
                if progress is not None:
                    progress(done, total)
        finally:
            written[kind.name] = writer.close()
    written[PROCEDURES.name] = [_single(out, PROCEDURES, procedures_table(world.layout, world.sets))]
    written[PUBLICATIONS.name] = [_single(out, PUBLICATIONS, publications_table(world))]
    return written


def generate_for(out_dir: str | Path, *, provinces: Sequence[str] | None = DEFAULT_PROVINCES, dossiers: int,
                 year: int = 2026, seed: int = 0, start: date | None = None, end: date | None = None,
                 chunk_rows: int = 2_000_000, progress: Progress | None = None) -> dict[str, list[Path]]:
    """``generate`` for whole provinces of the official unit list (``None``: the nation).
    An unknown or non-province code raises ``UnknownUnitError``."""
    tree = load_units(None if provinces is None else list(provinces))
    return generate(out_dir, list(tree), dossiers=dossiers, year=year, seed=seed, start=start, end=end,
                    chunk_rows=chunk_rows, progress=progress)


def generate_indicator_submissions(out_dir: str | Path, *, year: int, seed: int = 0,
                                   today: date | None = None) -> list[Path]:
    """Bắc Ninh's DM indicator submissions (chiso.demo.indicators) into ``out_dir/indicators``:
    ``year`` and the two years before it, one CSV per owner agency. A year not over yet
    ends on the last Sunday before ``today`` (default: the real today)."""
    today = today or date.today()
    start, end = date(year - 2, 1, 1), date(year, 12, 31)
    if end >= today:
        end = default_period(today)[1]
    if end < date(year, 1, 1):
        raise ValueError(f"no indicator history for {year}: the year has not started yet (today is {today})")
    return write_submissions(Path(out_dir) / "indicators", start=start, end=end, seed=seed)


def _clear_parts(folder: Path) -> None:
    for old in folder.glob("part-*.parquet"):
        old.unlink()


def _single(out: Path, kind: RecordKind, table) -> Path:
    return write_table(out / kind.name / f"{kind.name}.parquet", table, kind)
