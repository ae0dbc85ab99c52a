"""Fixtures of the security tests: a migrated store on SQLite and PostgreSQL, an app with
the security router (and two probe routes exercising the contract), one account per role.

Passwords are hashed with argon2 once per test session (hashing is deliberately slow);
every account still gets a real argon2 hash and signs in through the real verification.

Not the demo site of the other web tests (tests/web/site.py): these tests lock accounts,
revoke sessions and count sign-in tries and audit lines from nothing, on both backends, so
each gets a fresh store.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from chiso.store import repo_accounts
from chiso.store.database import Database, init_store
from chiso.units import load_units
from chiso.web.context import WebContext
from chiso.web.errors import install_errors
from chiso.web.pages.render import mount_static
from chiso.web.pages.signin import router as security_router
from chiso.web.security.deps import Principal, current_principal, require_roles, require_write
from chiso.web.security.passwords import hash_password

PASSWORD = "Mật-khẩu-đủ-dài-2026"
DEPARTMENT = "24-STC"  # Sở Tài chính: owns most indicators of the sample catalogue
OTHER_DEPARTMENT = "24-SYT"
# username → (role, unit)
PEOPLE = {
    "quantri": ("admin", "24"),
    "lanhdao": ("leader", "24"),
    "thutruong": ("head", DEPARTMENT),
    "canbo": ("officer", DEPARTMENT),
    "canbo.yte": ("officer", OTHER_DEPARTMENT),
    "xem": ("viewer", "24"),
}


@pytest.fixture(scope="session")
def tree():
    return load_units(["24"])


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def database(store_url: str) -> Iterator[Database]:  # noqa: F811
    db = init_store(store_url, actor="test")
    yield db
    db.dispose()


@pytest.fixture
def people(database: Database, tree, password_hash: str) -> dict[str, tuple[str, str]]:
    """One account per role (and a second officer in another department)."""
    with database.session() as s:
        for username, (role, unit) in PEOPLE.items():
            repo_accounts.create_account(s, "test", username=username, display_name=username.title(),
                                         role=role, unit_code=unit,
                                         province_code=tree.province_of(unit).code, password_hash=password_hash)
    return PEOPLE


def build_app(database: Database, tree) -> FastAPI:
    """The security router on a context holding this store (chiso errors answered as JSON, as
    ``create_app`` answers them off the pages), plus probes of the contract."""
    app = FastAPI()
    ctx = WebContext(records=None, tree=tree, definition=None, database_url=None)
    ctx._database = database
    app.state.ctx = ctx
    app.include_router(security_router)
    install_errors(app)
    mount_static(app)

    @app.post("/api/v1/probe/write")
    def probe_write(principal: Principal = Depends(require_write)) -> dict:
        return {"written_by": principal.username}

    @app.get("/probe/page")
    def probe_page(principal: Principal = Depends(current_principal)) -> dict:
        return {"user": principal.username}

    @app.get("/api/v1/probe/leaders")
    def probe_leaders(principal: Principal = Depends(require_roles("leader", "admin"))) -> dict:
        return {"user": principal.username}

    return app


@pytest.fixture
def app(database: Database, tree) -> FastAPI:
    return build_app(database, tree)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def sign_in(client: TestClient, username: str, password: str = PASSWORD, **kw):
    return client.post("/login", data={"username": username, "password": password, "next": "/probe/page"},
                       follow_redirects=False, **kw)


def csrf_of(client: TestClient) -> str:
    return client.get("/api/v1/me").json()["csrf_token"]


@pytest.fixture
def signed_in(app: FastAPI, people):
    """A factory: a TestClient signed in as ``username`` (closed at the end)."""
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        c = TestClient(app)
        clients.append(c)
        r = sign_in(c, username)
        assert r.status_code == 303, r.text
        return c

    yield make
    for c in clients:
        c.close()
