"""Shared pieces of the task import tests: the fixture export, the nation's unit tree (a unit of
another province must be refused), a small catalogue, file writers and a store reader."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from chiso.catalog.catalogue import load_catalogue
from chiso.store import repo_tasks
from chiso.units.registry import load_units

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tasks"
EXPORT = FIXTURES / "nhiem-vu.csv"


@pytest.fixture(scope="session")
def tree():
    return load_units()


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue(FIXTURES / "catalogue.yaml")


def export_rows() -> tuple[list[str], list[list[str]]]:
    """The fixture export's header and rows, as text."""
    rows = list(csv.reader(io.StringIO(EXPORT.read_text(encoding="utf-8"))))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def with_cells(rows: list[list[str]], header: list[str], changes: dict[tuple[int, str], str]) -> list[list[str]]:
    """The rows with cells changed: (row index from 0, header) → text."""
    out = [list(r) for r in rows]
    for (i, column), value in changes.items():
        out[i][header.index(column)] = value
    return out


_DMY = "%d/%m/%Y"


def write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """The rows as a workbook the way a document-management system writes one: dates as real
    Excel dates (dd/mm/yyyy, ISO or not), everything else as text."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append(header)
    for row in rows:
        cells: list[object] = []
        for text in row:
            try:
                cells.append(dt.datetime.strptime(text, _DMY))
            except ValueError:
                try:
                    cells.append(dt.datetime.strptime(text, "%Y-%m-%d"))
                except ValueError:
                    cells.append(text or None)
        ws.append(cells)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy"
    wb.save(path)
    return path


def register(session, province: str = "24") -> list[dict]:
    """The province's register as plain values (what an import must produce, or not change)."""
    out = []
    for t in repo_tasks.all_tasks(session, province):
        out.append({k: getattr(t, k) for k in ("code", "external_id", "source", "revision", *repo_tasks.TASK_FIELDS)})
    return out
