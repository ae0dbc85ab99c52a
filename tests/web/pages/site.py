"""A small Bắc Ninh site for the page tests: records, the DM catalogue and values, accounts.

Everything goes through the real parts: the demo generator and loader for the records of
Bắc Ninh and Hà Nội (so Bắc Ninh has a national rank), the catalogue store for
``catalogue-24.yaml``, collection for the sample DM history, the warning rules, and the
security module for one account per role (signed in with a real session).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "Mật-khẩu-thử-2026!"
CATALOGUE = Path(__file__).parents[3] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
WINDOW = "2026-W34"
TODAY = dt.date(2026, 8, 31)
#: username → (role, unit)
ACCOUNTS = {
    "quantri": ("admin", "24"),
    "lanhdao": ("leader", "24"),
    "giamdoc.syt": ("head", "24-SYT"),
    "canbo.syt": ("officer", "24-SYT"),
    "xem": ("viewer", "24"),
}


@dataclass
class Site:
    app: object
    records: object
    database_url: str
    tree: object

    def session_cookie(self, username: str) -> str:
        """A signed-in session for ``username`` (the raw cookie value)."""
        from chiso.store.database import open_database
        from chiso.web.security import accounts, sessions

        db = open_database(self.database_url)
        try:
            account = accounts.sign_in(db, username, PASSWORD, "127.0.0.1")
            return sessions.sign_in(db, account, "127.0.0.1")
        finally:
            db.dispose()


def _dm_history(database_url: str, folder: Path, tree) -> None:
    from chiso.collect.values import Submitter, submit
    from chiso.collect.values.batch import read_batch
    from chiso.demo.indicators import write_submissions
    from chiso.evaluate.dm.service import refresh_warnings
    from chiso.store.database import open_database
    from chiso.store.repo_catalogue import import_catalogue, live_indicators

    db = open_database(database_url)
    try:
        with db.session() as s:
            import_catalogue(s, CATALOGUE, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2026, 1, 2))
        files = write_submissions(folder, start=dt.date(2026, 7, 1), end=dt.date(2026, 8, 30), seed=5, units=tree)
        for path in files:
            with db.session() as s:
                submit(s, read_batch(path), Submitter(as_unit=path.stem, by=f"cán bộ {path.stem}"),
                       live_indicators(s, "24"), tree, now=dt.datetime(2026, 8, 31, 3, tzinfo=dt.UTC))
        with db.session() as s:
            refresh_warnings(s, "24", today=TODAY, units=tree)
    finally:
        db.dispose()


def build_site(tmp: Path) -> Site:
    from chiso.collect.load import load_paths
    from chiso.demo.generate import generate_for
    from chiso.store.database import init_store, open_database
    from chiso.store.records import open_records
    from chiso.units import load_units
    from chiso.web.app import create_app
    from chiso.web.pages.render import mount_static
    from chiso.web.security import accounts

    tree = load_units()
    files = generate_for(tmp / "gen", provinces=["24", "01"], dossiers=30_000, seed=3,
                         start=dt.date(2026, 5, 4), end=dt.date(2026, 8, 23))
    records = open_records(f"duckdb:///{tmp / 'records.duckdb'}")
    load_paths([str(p) for paths in files.values() for p in paths], records, tree)
    url = f"sqlite:///{(tmp / 'chiso.sqlite').as_posix()}"
    init_store(url).dispose()
    _dm_history(url, tmp / "dm", tree)
    db = open_database(url)
    try:
        for username, (role, unit) in ACCOUNTS.items():
            accounts.create_account(db, "thiết lập", username=username, password=PASSWORD, role=role,
                                    unit_code=unit, tree=tree, display_name=f"Tài khoản {username}")
    finally:
        db.dispose()
    app = create_app(store=records, tree=tree, database_url=url)
    mount_static(app)
    return Site(app=app, records=records, database_url=url, tree=tree)
