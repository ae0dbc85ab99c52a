"""The one demo site of the web tests (pages, API, browser, errors): built once per session.

Everything goes through the real parts: the demo generator and loader write the records of
Bắc Ninh and Hà Nội (so national ranks exist; ``NO_RECORDS`` is a province of the tree with
none, so no score); the catalogue store imports the Bắc Ninh sample ``catalogue-24.yaml``;
collection submits the sample DM history of the owner agencies the tests use (``OWNERS``)
and six months of Sở Tài chính's spending (``SPENDING``) by its officer; the warning rules
run; the security module creates one account per role and agency (one password) and an
API token for each (read write for the roles that write data, read for leaders and viewers).
The app is ``chiso.web.app.create_app`` over these stores.

Tests that change the site act on their own indicator, period, warning or account, so the
others see what they expect in any order: the API's lifecycle moves take
``API_CANDIDATE``, the workflow page's ``PAGE_CANDIDATE``; uploads go to ``SPENDING``
(API) and ``OWN_INDICATOR`` (pages).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient

from chiso.collect.load import load_paths
from chiso.collect.tasks import import_tasks
from chiso.collect.values import Submitter, batch_from_records, submit, submit_batch
from chiso.collect.values.batch import read_batch
from chiso.demo.generate import generate_for
from chiso.demo.indicators import write_submissions
from chiso.evaluate.dm.service import refresh_warnings
from chiso.store.database import init_store, open_database
from chiso.store.records import open_records
from chiso.store.repo_catalogue import current_catalogue, import_catalogue, live_indicators
from chiso.store.repo_evaluation import list_warnings
from chiso.store.repo_values import get_period
from chiso.units import load_units
from chiso.web.app import create_app
from chiso.web.security import accounts, sessions, tokens
from chiso.web.security.principal import TOKEN_WRITERS
from chiso.web.security.sessions import COOKIE_NAME

PASSWORD = "Mật-khẩu-thử-2026!"
CATALOGUE = Path(__file__).parents[2] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
#: Provinces with generated records; a province of the tree without any (no score there).
PROVINCES = ("24", "01")
NO_RECORDS = "19"
#: The records: 13 weeks, 2026-W23 … 2026-W35; the tests read this week (and the one before).
RECORDS_FROM, RECORDS_TO = dt.date(2026, 6, 1), dt.date(2026, 8, 30)
WINDOW = "2026-W34"
TODAY = dt.date(2026, 8, 31)
NOW = dt.datetime(2026, 8, 31, 3, tzinfo=dt.UTC)
#: The owner agencies whose sample DM history (2025-01 … 2026-08) is submitted: Sở Y tế, Sở Công Thương.
OWNERS = ("24-SYT", "24-SCT")
DM_FROM = dt.date(2025, 1, 1)
#: Sở Tài chính's monthly spending: 60, 120, … 360 for 2026-01 … 2026-06, its only values.
SPENDING = "NS.CHI_NSDP"
#: Candidates of the sample catalogue: the API's lifecycle test moves one (Bảo hiểm xã hội's),
#: the workflow page the other (Sở Tài chính's).
API_CANDIDATE = "XH.CHI_SO_AN_SINH"
PAGE_CANDIDATE = "KT.CHI_SO_DONG_LUC"
#: An indicator owned by Sở Y tế (the officer's agency) and one owned by another agency.
OWN_INDICATOR = "XH.TIEM_CHUNG"
OTHER_INDICATOR = "KT.BAN_LE"
OTHER_AGENCY = "24-STC"
#: username → (role, unit)
ACCOUNTS = {
    "quantri": ("admin", "24"),
    "lanhdao": ("leader", "24"),
    "xem": ("viewer", "24"),
    "giamdoc.syt": ("head", "24-SYT"),
    "canbo.syt": ("officer", "24-SYT"),
    "giamdoc.sct": ("head", "24-SCT"),
    "canbo.sct": ("officer", "24-SCT"),
    "giamdoc.stc": ("head", "24-STC"),
    "canbo.stc": ("officer", "24-STC"),
    "giamdoc.bhxh": ("head", "24-BHXH"),
    "canbo.bhxh": ("officer", "24-BHXH"),
    "lanhdao.hn": ("leader", "01"),
}
#: One account per role (the head and the officer of Sở Y tế): the pages are rendered for these.
ONE_PER_ROLE = ("quantri", "lanhdao", "giamdoc.syt", "canbo.syt", "xem")
#: A read-only token of the administrator, beside each account's own (read write where its role writes).
READ_ONLY = "quantri.doc"


TASKS = Path(__file__).resolve().parents[1] / "fixtures" / "tasks" / "nhiem-vu.csv"

def period_state(site, code: str, period: str) -> str | None:
    """The state of an indicator's period in the site's store (None: no values)."""
    db = site.database()
    try:
        with db.session() as s:
            row = get_period(s, code, period)
            return None if row is None else row.state
    finally:
        db.dispose()


def open_warnings(site, responsible: str) -> list[int]:
    """The ids of Bắc Ninh's open warnings a unit is responsible for."""
    db = site.database()
    try:
        with db.session() as s:
            return sorted(w.id for w in list_warnings(s, "24", state="open") if w.responsible_unit == responsible)
    finally:
        db.dispose()


def csrf_of(html: str) -> str:
    """The CSRF token a page hands its forms."""
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def spending_rows(months: range, per_month: float = 60.0) -> list[dict]:
    """``SPENDING`` for the province, ``per_month`` × the month."""
    return [{"indicator": SPENDING, "unit": "24", "period": f"2026-{m:02d}", "value": per_month * m}
            for m in months]


@dataclass
class Site:
    """What the tests reach: the app, the stores, the unit tree, accounts and API tokens."""

    app: object
    records: object
    db: object
    database_url: str
    tree: object
    folder: Path
    tokens: dict[str, str]
    window: str = WINDOW
    today: dt.date = TODAY
    accounts: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(ACCOUNTS))
    _cookies: dict[str, str] = field(default_factory=dict)

    def session_cookie(self, username: str) -> str:
        """A new signed-in session for ``username`` (the raw cookie value)."""
        account = accounts.sign_in(self.db, username, PASSWORD, "127.0.0.1")
        return sessions.sign_in(self.db, account, "127.0.0.1")

    def cookie(self, username: str) -> str:
        """A signed-in session for ``username``, made once and shared."""
        if username not in self._cookies:
            self._cookies[username] = self.session_cookie(username)
        return self._cookies[username]

    def client(self, username: str | None) -> TestClient:
        """A test client signed in as ``username`` (None: anonymous); follows no redirects."""
        c = TestClient(self.app, base_url="http://testserver", follow_redirects=False)
        if username is not None:
            c.cookies.set(COOKIE_NAME, self.cookie(username))
        return c

    def auth(self, username: str) -> dict[str, str]:
        """The header of ``username``'s API token."""
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def database(self):
        """The relational store opened anew (the caller disposes of it)."""
        return open_database(self.database_url)

    def close(self) -> None:
        self.db.dispose()
        self.records.close()


def _records(folder: Path, tree):
    files = generate_for(folder / "gen", provinces=list(PROVINCES), dossiers=30_000, seed=3,
                         start=RECORDS_FROM, end=RECORDS_TO)
    records = open_records(f"duckdb:///{folder / 'records.duckdb'}")
    load_paths([str(p) for paths in files.values() for p in paths], records, tree)
    return records


def _dm_side(db, folder: Path, tree) -> None:
    with db.session() as s:
        import_catalogue(s, CATALOGUE, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2026, 1, 2))
    files = write_submissions(folder / "dm", start=DM_FROM, end=dt.date(2026, 8, 30), seed=5, units=tree)
    for path in files:
        if path.stem in OWNERS:
            with db.session() as s:
                submit(s, read_batch(path), Submitter(as_unit=path.stem, by=f"cán bộ {path.stem}"),
                       live_indicators(s, "24"), tree, now=NOW)
    with db.session() as s:
        catalogue = live_indicators(s, "24")
    submit_batch(db, batch_from_records("chi-2026.json", spending_rows(range(1, 7))),
                 Submitter(as_unit="24-STC", by="canbo.stc", role="officer"), catalogue, tree, now=NOW)
    with db.session() as s:
        refresh_warnings(s, "24", today=TODAY, units=tree)
    with db.session() as s:  # a few assigned tasks, imported as the office imports them
        import_tasks(s, TASKS, province="24", tree=tree, catalogue=current_catalogue(s, "24"),
                     by="Văn phòng UBND tỉnh")


def build_site(folder: Path) -> Site:
    tree = load_units()
    records = _records(folder, tree)
    url = f"sqlite:///{(folder / 'chiso.sqlite').as_posix()}"
    db = init_store(url)
    _dm_side(db, folder, tree)
    made = {}
    for username, (role, unit) in ACCOUNTS.items():
        accounts.create_account(db, "thiết lập", username=username, password=PASSWORD, role=role,
                                unit_code=unit, tree=tree, display_name=f"Tài khoản {username}")
        # a token carries at most its owner's rights: read write for the roles that write data
        scope = "read write" if role in TOKEN_WRITERS else "read"
        made[username] = tokens.create(db, "thiết lập", username, "thử nghiệm", scope).secret
    made[READ_ONLY] = tokens.create(db, "thiết lập", "quantri", "chỉ đọc", "read").secret
    app = create_app(store=records, tree=tree, database_url=url)
    return Site(app=app, records=records, db=db, database_url=url, tree=tree, folder=folder, tokens=made)
