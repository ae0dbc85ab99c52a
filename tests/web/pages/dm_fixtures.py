"""A small Bắc Ninh DM site for the DM page tests: catalogue, values, warnings, accounts.

Everything goes through the real parts: the catalogue store imports ``catalogue-24.yaml``;
collection submits the sample DM history (``chiso.demo.indicators``) of a few owner
agencies; the warning rules run; the security module creates one account per role and
signs them in with real sessions. The record store is an empty DuckDB file (the DM pages
do not read records).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient

PASSWORD = "Mật-khẩu-thử-2026!"
CATALOGUE = Path(__file__).parents[3] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
TODAY = dt.date(2026, 8, 31)
NOW = dt.datetime(2026, 8, 31, 3, tzinfo=dt.UTC)
#: The owner agencies whose sample history is submitted (Sở Y tế, Sở Công Thương).
OWNERS = ("24-SYT", "24-SCT")
#: username → (role, unit)
ACCOUNTS = {
    "quantri": ("admin", "24"),
    "lanhdao": ("leader", "24"),
    "giamdoc.syt": ("head", "24-SYT"),
    "canbo.syt": ("officer", "24-SYT"),
    "giamdoc.sct": ("head", "24-SCT"),
    "canbo.sct": ("officer", "24-SCT"),
    "giamdoc.stc": ("head", "24-STC"),
    "xem": ("viewer", "24"),
}
ROLES_SAMPLE = ("quantri", "lanhdao", "giamdoc.syt", "canbo.syt", "xem")


@dataclass
class DmSite:
    app: object
    database_url: str
    tree: object
    folder: Path
    _cookies: dict[str, str] = field(default_factory=dict)

    def cookie(self, username: str) -> str:
        """A signed-in session for ``username`` (the raw cookie value), made once."""
        if username not in self._cookies:
            from chiso.store.database import open_database
            from chiso.web.security import accounts, sessions

            db = open_database(self.database_url)
            try:
                account = accounts.sign_in(db, username, PASSWORD, "127.0.0.1")
                self._cookies[username] = sessions.sign_in(db, account, "127.0.0.1")
            finally:
                db.dispose()
        return self._cookies[username]

    def client(self, username: str | None) -> TestClient:
        """A test client signed in as ``username`` (None: anonymous); follows no redirects."""
        from chiso.web.security.sessions import COOKIE_NAME

        c = TestClient(self.app, base_url="http://testserver", follow_redirects=False)
        if username is not None:
            c.cookies.set(COOKIE_NAME, self.cookie(username))
        return c

    def database(self):
        from chiso.store.database import open_database

        return open_database(self.database_url)


def csrf_of(html: str) -> str:
    """The CSRF token a page hands its forms."""
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def _dm_data(database_url: str, folder: Path, tree) -> None:
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
        files = write_submissions(folder, start=dt.date(2025, 1, 1), end=dt.date(2026, 8, 30), seed=5, units=tree)
        for path in files:
            if path.stem not in OWNERS:
                continue
            with db.session() as s:
                submit(s, read_batch(path), Submitter(as_unit=path.stem, by=f"cán bộ {path.stem}"),
                       live_indicators(s, "24"), tree, now=NOW)
        with db.session() as s:
            refresh_warnings(s, "24", today=TODAY, units=tree)
    finally:
        db.dispose()


def build_dm_site(tmp: Path) -> DmSite:
    from chiso.store.database import init_store, open_database
    from chiso.store.records import open_records
    from chiso.units import load_units
    from chiso.web.app import create_app
    from chiso.web.pages.render import mount_static
    from chiso.web.security import accounts

    tree = load_units()
    records = open_records(f"duckdb:///{tmp / 'records.duckdb'}")
    url = f"sqlite:///{(tmp / 'chiso.sqlite').as_posix()}"
    init_store(url).dispose()
    _dm_data(url, tmp / "dm", tree)
    db = open_database(url)
    try:
        for username, (role, unit) in ACCOUNTS.items():
            accounts.create_account(db, "thiết lập", username=username, password=PASSWORD, role=role,
                                    unit_code=unit, tree=tree, display_name=f"Tài khoản {username}")
    finally:
        db.dispose()
    app = create_app(store=records, tree=tree, database_url=url)
    mount_static(app)
    return DmSite(app=app, database_url=url, tree=tree, folder=tmp)


_BUILT: dict[str, DmSite] = {}


def shared_dm_site(tmp_path_factory) -> DmSite:
    """One DM site for the whole test session (building it takes a while): tests that change
    it act on their own indicator, period or warning."""
    if "site" not in _BUILT:
        _BUILT["site"] = build_dm_site(tmp_path_factory.mktemp("dm-site"))
    return _BUILT["site"]
