"""Fixtures of the task page and task API tests: a store of their own (SQLite and PostgreSQL,
once per test module), the real application over it (``create_app``), one account per role
that matters for tasks — the office's officer and head, the lead unit's head and officer, a
co-operating unit's officer, an unrelated agency's officer, admin, leader, viewer, and a
leader of another province — each with a real session and an API token.

Not the one demo site of the other web tests (tests/web/site.py): these tests write tasks and
their events and read them back as they are; each test makes its own task (``TaskSite.task``).
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from chiso.collect.values.submit import local_today
from chiso.store import repo_accounts, repo_tasks
from chiso.store.database import Database, init_store
from chiso.store.records import open_records
from chiso.store.repo_catalogue import import_catalogue
from chiso.units import load_units
from chiso.web.app import create_app
from chiso.web.security import sessions, tokens
from chiso.web.security.passwords import hash_password
from chiso.web.security.sessions import COOKIE_NAME
from tests.factories import POSTGRES_URL, postgres_unavailable

PASSWORD = "Mật-khẩu-thử-2026!"
CATALOGUE = Path(__file__).parents[3] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
OFFICE = "24-VPUBND"
LEAD = "24-SYT"
CO_UNIT = "24-SCT"
OTHER = "24-STC"
#: username → (role, unit, display name)
PEOPLE = {
    "vanphong": ("officer", OFFICE, "Chuyên viên Văn phòng"),
    "chanhvanphong": ("head", OFFICE, "Chánh Văn phòng"),
    "quantri": ("admin", "24", "Quản trị"),
    "lanhdao": ("leader", "24", "Lãnh đạo tỉnh"),
    "xem": ("viewer", "24", "Người xem"),
    "giamdoc.syt": ("head", LEAD, "Giám đốc Sở Y tế"),
    "canbo.syt": ("officer", LEAD, "Cán bộ Sở Y tế"),
    "canbo.sct": ("officer", CO_UNIT, "Cán bộ Sở Công Thương"),
    "canbo.stc": ("officer", OTHER, "Cán bộ Sở Tài chính"),
    "lanhdao.hn": ("leader", "01", "Lãnh đạo Hà Nội"),
}


@dataclass
class TaskSite:
    app: object
    db: Database
    tree: object
    tokens: dict[str, str]
    read_tokens: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)

    def client(self, username: str | None) -> TestClient:
        c = TestClient(self.app, base_url="http://testserver", follow_redirects=False)
        if username is not None:
            c.cookies.set(COOKIE_NAME, self.cookies[username])
        return c

    def auth(self, username: str, *, read_only: bool = False) -> dict[str, str]:
        secret = (self.read_tokens if read_only else self.tokens)[username]
        return {"Authorization": f"Bearer {secret}"}

    def task(self, **values) -> str:
        """A new task of Bắc Ninh led by Sở Y tế with Sở Công Thương co-operating (``values``
        override), made through the register; its code."""
        today = local_today()
        base = {"doc_number": "125/TB-UBND", "doc_date": today - dt.timedelta(days=40),
                "doc_summary": "Kết luận của Chủ tịch UBND tỉnh tại cuộc họp giao ban", "doc_issuer": "UBND tỉnh",
                "content": "Rà soát, báo cáo tình hình tiêm chủng mở rộng", "assigned_by": "Chủ tịch UBND tỉnh",
                "assigned_on": today - dt.timedelta(days=40), "lead_unit": LEAD, "co_units": [CO_UNIT],
                "deadline_kind": "date", "deadline": today + dt.timedelta(days=20), "deadline_text": "",
                "starred": False, "field": None, "indicators": []}
        base.update(values)
        with self.db.session() as s:
            row, _ = repo_tasks.upsert_task(s, base, province="24", source="web", by="vanphong",
                                            external_id=f"TEST-{uuid.uuid4().hex[:10]}")
            return row.code


def _postgres_url() -> Iterator[str]:
    schema = f"chiso_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        postgres_unavailable(str(exc.orig).strip().splitlines()[0])
    try:
        yield make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def task_site(request, tmp_path_factory, password_hash) -> Iterator[TaskSite]:
    """A store with the Bắc Ninh catalogue and the accounts of ``PEOPLE``, and the app over it."""
    if request.param == "sqlite":
        urls = iter([f"sqlite:///{(tmp_path_factory.mktemp('tasks') / 'chiso.sqlite').as_posix()}"])
    else:
        urls = _postgres_url()
    url = next(urls)
    tree = load_units(["24", "01"])
    db = init_store(url, actor="test")
    with db.session() as s:
        import_catalogue(s, CATALOGUE, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2026, 1, 2))
        for username, (role, unit, name) in PEOPLE.items():
            repo_accounts.create_account(s, "test", username=username, display_name=name, role=role,
                                         unit_code=unit, province_code=tree.province_of(unit).code,
                                         password_hash=password_hash)
    records = open_records("duckdb:///:memory:")
    app = create_app(store=records, tree=tree, database_url=url)
    site = TaskSite(app=app, db=db, tree=tree, tokens={}, read_tokens={})
    for username, (role, _unit, _name) in PEOPLE.items():
        with db.session() as s:
            account = repo_accounts.get_account(s, username)
        site.cookies[username] = sessions.sign_in(db, account, "127.0.0.1")
        if role in ("admin", "head", "officer"):
            site.tokens[username] = tokens.create(db, "test", username, "thử nghiệm", "read write").secret
        site.read_tokens[username] = tokens.create(db, "test", username, "chỉ đọc", "read").secret
    try:
        yield site
    finally:
        app.state.ctx.database.dispose() if app.state.ctx._database is not None else None
        db.dispose()
        records.close()
        for _ in urls:  # drop the PostgreSQL schema
            pass


@pytest.fixture(scope="module")
def clients(task_site) -> Iterator[dict[str, TestClient]]:
    out = {u: task_site.client(u) for u in PEOPLE}
    yield out
    for c in out.values():
        c.close()
