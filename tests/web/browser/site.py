"""The site the browser tests drive: 766 records and the DM side of Bắc Ninh, one account per role.

Everything goes through the real parts: the demo generator and loader write the records of
Bắc Ninh and two other provinces (so national ranks exist); the catalogue store imports
``catalogue-24.yaml``; collection submits two months of the sample DM history of every owner
agency; the warning rules run; the security module creates one account per role. The app
is ``chiso.web.app.create_app`` over these stores, with its error pages.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "Mật-khẩu-trình-duyệt-2026!"
CATALOGUE = Path(__file__).parents[3] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
PROVINCES = ("24", "01", "19")
TODAY = dt.date(2026, 8, 31)
NOW = dt.datetime(2026, 8, 31, 3, tzinfo=dt.UTC)
#: username → (role, unit): one account per role; the head and officer belong to Sở Y tế.
ACCOUNTS = {
    "quantri": ("admin", "24"),
    "lanhdao": ("leader", "24"),
    "giamdoc.syt": ("head", "24-SYT"),
    "canbo.syt": ("officer", "24-SYT"),
    "xem": ("viewer", "24"),
}
#: An indicator owned by Sở Y tế (the officer's agency) and one owned by another agency.
OWN_INDICATOR = "XH.TIEM_CHUNG"
OTHER_INDICATOR = "KT.BAN_LE"
OTHER_AGENCY = "24-STC"


@dataclass
class BrowserSite:
    app: object
    records: object
    database_url: str
    tree: object


def _dm_side(database_url: str, folder: Path, tree) -> None:
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
        files = write_submissions(folder, start=dt.date(2026, 7, 1), end=dt.date(2026, 8, 30), seed=7, units=tree)
        for path in files:
            with db.session() as s:
                submit(s, read_batch(path), Submitter(as_unit=path.stem, by=f"cán bộ {path.stem}"),
                       live_indicators(s, "24"), tree, now=NOW)
        with db.session() as s:
            refresh_warnings(s, "24", today=TODAY, units=tree)
    finally:
        db.dispose()


def build_browser_site(tmp: Path) -> BrowserSite:
    from chiso.collect.load import load_paths
    from chiso.demo.generate import generate_for
    from chiso.store.database import init_store, open_database
    from chiso.store.records import open_records
    from chiso.units import load_units
    from chiso.web.app import create_app
    from chiso.web.pages.errors import install_error_pages
    from chiso.web.security import accounts

    tree = load_units()
    files = generate_for(tmp / "gen", provinces=list(PROVINCES), dossiers=30_000, seed=11,
                         start=dt.date(2026, 6, 1), end=dt.date(2026, 8, 23))
    records = open_records(f"duckdb:///{tmp / 'records.duckdb'}")
    load_paths([str(p) for paths in files.values() for p in paths], records, tree)
    url = f"sqlite:///{(tmp / 'chiso.sqlite').as_posix()}"
    init_store(url).dispose()
    _dm_side(url, tmp / "dm", tree)
    db = open_database(url)
    try:
        for username, (role, unit) in ACCOUNTS.items():
            accounts.create_account(db, "thiết lập", username=username, password=PASSWORD, role=role,
                                    unit_code=unit, tree=tree, display_name=f"Tài khoản {username}")
    finally:
        db.dispose()
    app = create_app(store=records, tree=tree, database_url=url)
    install_error_pages(app)  # idempotent: create_app may already have installed them
    return BrowserSite(app=app, records=records, database_url=url, tree=tree)
