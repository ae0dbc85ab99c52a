"""Races on the other shared writes, on SQLite (a file) and PostgreSQL: the same catalogue
imported by several people at once, and the warnings of one province refreshed by several runs
at once. Each takes its turn (chiso.store.database.serialise): one import stores the versions
and the others find them unchanged; one refresh opens the warnings and the others find them
open — never a unique-key error."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from chiso.evaluate.dm.warning_sync import sync_warnings
from chiso.store.database import Database
from chiso.store.models_catalogue import CatalogueImport, IndicatorVersion
from chiso.store.models_evaluation import WarningEvent, WarningRow
from chiso.store.repo_catalogue import import_catalogue
from tests.catalog.test_catalogue import catalogue_doc, finance
from tests.factories import race
from tests.store.test_repo_catalogue import write
from tests.store.test_repo_evaluation import run, warning

THREADS = 6


def test_the_same_catalogue_imported_at_once_is_stored_once(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, catalogue_doc(*finance()))

    def one(n: int):
        def call():
            with db.session() as s:
                return import_catalogue(s, path, by=f"người nhập {n}", today=dt.date(2026, 3, 2))
        return call

    outcomes = race([one(n) for n in range(THREADS)])
    assert [exc for _, exc in outcomes if exc is not None] == []
    reports = [r for r, _ in outcomes]
    assert sum(r.changed for r in reports) == 1                 # one stored the versions …
    assert all(not r.changed and r.unchanged for r in reports if not r.changed)  # … the rest found them
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CatalogueImport)) == 1
        assert s.scalar(select(func.count()).select_from(IndicatorVersion)) == len(finance())


def test_one_provinces_warnings_refreshed_at_once_are_opened_once(db: Database) -> None:
    evaluation = run(warning(), warning(unit="07210", value=80.0), warning(indicator="HC.TRE_HAN", value=70.0))

    def call():
        with db.session() as s:
            return sync_warnings(s, "24", evaluation)

    outcomes = race([call] * THREADS)
    assert [exc for _, exc in outcomes if exc is not None] == []
    opened = sorted(r.opened for r, _ in outcomes)
    assert opened == [0] * (THREADS - 1) + [3]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(WarningRow)) == 3
        assert s.scalar(select(func.count()).select_from(WarningEvent).where(WarningEvent.action == "open")) == 3
