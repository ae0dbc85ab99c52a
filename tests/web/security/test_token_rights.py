"""An API token never carries more than its owner's role (chiso.web.security.tokens,
``principal.token_scopes``): ``read write`` only for the roles that write data — admin, head,
officer; a leader's or a viewer's token reads. Through the API (asking for yourself, or an
administrator for someone else), the CLI, and for a token stored before the rule."""
from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from chiso.cli.app import app as cli
from chiso.store import repo_accounts
from chiso.store.database import init_store
from chiso.store.models import AuditEntry
from chiso.store.models_accounts import ApiToken
from chiso.web.security.principal import ROLES, TOKEN_WRITERS, token_scopes
from chiso.web.security.tokens import token_hash
from tests.web.security.conftest import PEOPLE, csrf_of


def tokens_of(database, username: str) -> list[ApiToken]:
    with database.session() as s:
        account = repo_accounts.require_account(s, username)
        return list(s.scalars(select(ApiToken).where(ApiToken.account_id == account.id)))


def token_audits(database) -> int:
    with database.session() as s:
        return len(list(s.scalars(select(AuditEntry).where(AuditEntry.action == "token.create"))))


def test_the_scopes_each_role_may_hold():
    assert TOKEN_WRITERS == ("admin", "head", "officer")
    assert {r: token_scopes(r) for r in ROLES} == {
        "admin": {"read", "write", "ingest"}, "head": {"read", "write", "ingest"},
        "officer": {"read", "write", "ingest"},
        "leader": {"read"}, "viewer": {"read"}}
    assert token_scopes("nobody") == {"read"}


@pytest.mark.parametrize("username,role", [("lanhdao", "leader"), ("xem", "viewer")])
@pytest.mark.parametrize("scope", ["read write", "write", "read,write"])
def test_a_role_that_writes_no_data_gets_no_write_token(signed_in, database, username, role, scope):
    c = signed_in(username)
    h = {"X-CSRF-Token": csrf_of(c)}
    before = token_audits(database)
    r = c.post("/api/v1/tokens", json={"name": "tích hợp", "scope": scope}, headers=h)
    assert r.status_code == 403, r.text
    detail = r.json()["detail"]
    assert f"has role {role}" in detail and "scope 'read' only" in detail and "admin, head, officer" in detail
    assert "chỉ được có mã truy cập phạm vi 'read'" in detail  # and in Vietnamese
    assert tokens_of(database, username) == [] and token_audits(database) == before  # nothing made
    ok = c.post("/api/v1/tokens", json={"name": "chỉ đọc", "scope": "read"}, headers=h)
    assert ok.status_code == 201 and ok.json()["scope"] == "read"
    bearer = c.get("/api/v1/me", headers={"Authorization": f"Bearer {ok.json()['token']}"}).json()
    assert bearer["scopes"] == ["read"]


@pytest.mark.parametrize("username", ["quantri", "thutruong", "canbo"])
def test_the_roles_that_write_data_get_write_tokens(signed_in, username):
    c = signed_in(username)
    r = c.post("/api/v1/tokens", json={"name": "tích hợp", "scope": "read write"},
               headers={"X-CSRF-Token": csrf_of(c)})
    assert r.status_code == 201 and r.json()["scope"] == "read write"
    writer = c.post("/api/v1/probe/write", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert writer.status_code == 200 and writer.json() == {"written_by": username}


def test_an_administrator_cannot_give_a_leader_a_write_token(signed_in, database):
    admin = signed_in("quantri")
    h = {"X-CSRF-Token": csrf_of(admin)}
    r = admin.post("/api/v1/tokens", json={"name": "hộ", "scope": "read write", "owner": "lanhdao"}, headers=h)
    assert r.status_code == 403 and "'lanhdao'" in r.json()["detail"]
    assert tokens_of(database, "lanhdao") == []
    r = admin.post("/api/v1/tokens", json={"name": "hộ", "scope": "read write", "owner": "canbo"}, headers=h)
    assert r.status_code == 201 and r.json()["owner"] == "canbo" and r.json()["scope"] == "read write"


def test_the_command_line_keeps_the_rule(tmp_path, password_hash):
    """``chiso users token create`` (on SQLite: the command leaves its store open, which a
    PostgreSQL connection would report)."""
    url = f"sqlite:///{(tmp_path / 'chiso.sqlite').as_posix()}"
    db = init_store(url, actor="test")
    with db.session() as s:
        for username, (role, unit) in (("xem", PEOPLE["xem"]), ("canbo", PEOPLE["canbo"])):
            repo_accounts.create_account(s, "test", username=username, display_name=username, role=role,
                                         unit_code=unit, province_code="24", password_hash=password_hash)
    db.dispose()
    runner = CliRunner()
    base = ["users", "token", "create", "--name", "tích hợp", "--database", url, "--actor", "thử"]
    refused = runner.invoke(cli, [*base[:3], "xem", *base[3:], "--scope", "read write"])
    assert refused.exit_code == 2 and "scope 'read' only" in refused.stderr
    made = runner.invoke(cli, [*base[:3], "xem", *base[3:], "--scope", "read"])
    assert made.exit_code == 0 and made.stdout.startswith("chiso_"), made.output
    made = runner.invoke(cli, [*base[:3], "canbo", *base[3:], "--scope", "read write"])
    assert made.exit_code == 0 and "scope 'read write'" in made.stderr


def test_a_write_token_stored_before_the_rule_only_reads(client, database, people):
    """A leader's ``read write`` token written by an older chiso: it authenticates as ``read``."""
    raw = f"chiso_{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"
    with database.session() as s:
        account = repo_accounts.require_account(s, "lanhdao")
        repo_accounts.add_token(s, "cũ", account, name="cũ", prefix=raw.split("_")[1], secret_sha256=token_hash(raw),
                                scope="read write", expires_at=None)
    h = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=h).json()["scopes"] == ["read"]
    r = client.post("/api/v1/probe/write", headers=h)
    assert r.status_code == 403 and "'read' scope" in r.json()["detail"]
