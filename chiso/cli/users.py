"""``chiso users``: accounts and API tokens from the command line (quản lý tài khoản).

    chiso users add USERNAME --role officer --unit 24-STC [--password-stdin]
    chiso users list
    chiso users deactivate USERNAME
    chiso users token create USERNAME --name "báo cáo" [--scope "read write"] [--days 90]
    chiso users token list [USERNAME]
    chiso users token revoke PREFIX

The actor written to the audit log is ``--actor`` (default: the system user name).
"""
from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from chiso.cli.common import Format, emit, handled
from chiso.store import repo_accounts
from chiso.store.database import init_store

app = typer.Typer(help="Tài khoản và mã truy cập API / accounts and API tokens.", no_args_is_help=True)
token_app = typer.Typer(help="Mã truy cập API / API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")

DATABASE = typer.Option(None, "--database", help="store URL (default: CHISO_DATABASE_URL or the local SQLite)")
ACTOR = typer.Option(None, "--actor", help="who does it, for the audit log (default: the OS user)")


@contextmanager
def _db(url) -> Iterator:
    """The relational store, prepared, and disposed of afterwards (no connection left open)."""
    db = init_store(url, actor="cli")
    try:
        yield db
    finally:
        db.dispose()


def _actor(actor: str | None) -> str:
    return actor or f"cli:{getpass.getuser()}"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu / password: ")
    second = getpass.getpass("Nhập lại / again: ")
    if first != second:
        raise ValueError("hai lần nhập mật khẩu không khớp / the two passwords differ")
    return first


@app.command("add")
def add(username: str, role: str = typer.Option(..., "--role", help="admin, leader, head, officer, viewer"),
        unit: str = typer.Option(..., "--unit", help="unit code: the province (24), a department (24-STC), a commune"),
        display_name: str = typer.Option(None, "--name", help="display name (default: the username)"),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
        database: str = DATABASE, actor: str = ACTOR) -> None:
    """Tạo tài khoản / create an account."""
    @handled
    def run():
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.units import load_units
        from chiso.web.security import accounts

        password = _read_password(password_stdin)
        with _db(database) as db:
            account = accounts.create_account(db, _actor(actor), username=username, password=password,
                                              role=role, unit_code=unit, tree=load_units(), display_name=display_name)
        typer.echo(f"đã tạo / created {account.username} ({account.role}, {account.unit_code})")
    run()


@app.command("list")
def list_(database: str = DATABASE, format: str = typer.Option("table", "--format", help="table, json, csv")) -> None:
    """Danh sách tài khoản / list accounts."""
    @handled
    def run():
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.web.security.accounts import account_to_dict

        with _db(database) as db, db.session() as s:
            rows = [account_to_dict(a) for a in repo_accounts.list_accounts(s)]
        emit(Format(format), {"accounts": rows}, rows, "Tài khoản / accounts",
              [{k: r[k] for k in ("username", "display_name", "role", "unit_code", "active")} for r in rows])
    run()


@app.command("deactivate")
def deactivate(username: str, database: str = DATABASE, actor: str = ACTOR) -> None:
    """Khoá tài khoản (kết thúc phiên, thu hồi mã truy cập) / deactivate an account."""
    @handled
    def run():
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.web.security import accounts

        with _db(database) as db:
            account = accounts.set_active(db, _actor(actor), username, False)
        typer.echo(f"đã khoá / deactivated {account.username}")
    run()


@token_app.command("create")
def token_create(username: str, name: str = typer.Option(..., "--name", help="what the token is for"),
                 scope: str = typer.Option("read", "--scope", help="'read', 'read write' or 'read ingest'"),
                 days: int = typer.Option(None, "--days", help="expires after this many days"),
                 database: str = DATABASE, actor: str = ACTOR) -> None:
    """Tạo mã truy cập (chỉ hiện một lần) / create a token (shown once)."""
    @handled
    def run():
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.web.security import tokens

        with _db(database) as db:
            new = tokens.create(db, _actor(actor), username, name, scope, days)
        typer.echo(new.secret)
        typer.echo(f"prefix {new.prefix}, scope '{new.scope}', owner {new.owner} — "
                   "mã chỉ hiện một lần / shown once", err=True)
    run()


@token_app.command("list")
def token_list(username: str = typer.Argument(None), database: str = DATABASE,
               format: str = typer.Option("table", "--format", help="table, json, csv")) -> None:
    """Danh sách mã truy cập / list tokens (never the secrets)."""
    @handled
    def run():
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.web.security.tokens import token_to_dict

        with _db(database) as db, db.session() as s:
            account = repo_accounts.require_account(s, username) if username else None
            rows = [token_to_dict(t, owner) for t, owner in repo_accounts.list_tokens(s, account)]
        emit(Format(format), {"tokens": rows}, rows, "Mã truy cập / API tokens",
              [{k: r[k] for k in ("prefix", "name", "owner", "scope", "state", "last_used_at")} for r in rows])
    run()


@token_app.command("revoke")
def token_revoke(prefix: str, database: str = DATABASE, actor: str = ACTOR) -> None:
    """Thu hồi mã truy cập / revoke a token."""
    @handled
    def run():
        # lazy: only this command needs it; `chiso --help` stays light (decision 44)
        from chiso.web.security.accounts import AccountError

        with _db(database) as db, db.session() as s:
            row = repo_accounts.token_by_prefix(s, prefix)
            if row is None:
                raise AccountError(f"không có mã truy cập {prefix!r} / no API token {prefix!r}")
            repo_accounts.revoke_token(s, _actor(actor), row)
        typer.echo(f"đã thu hồi / revoked {prefix}")
    run()
