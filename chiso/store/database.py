"""Opening the relational store and bringing its schema up to date.

``open_database`` gives a ``Database`` (engine + session factory) for SQLite or
PostgreSQL; ``upgrade`` runs the Alembic migrations shipped inside the package, so no
``alembic.ini`` is needed where chiso is run; ``init_store`` does both and is what
``chiso init`` calls.

On PostgreSQL the store lives in whatever schema the connection's ``search_path`` names
first (``?options=-csearch_path%3Dmyschema`` in the URL), version table included.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from chiso import settings
from chiso.errors import StoreError
from chiso.store.repo_audit import audit

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


@dataclass
class Database:
    """An open relational store: the engine and a factory of sessions bound to it."""

    engine: Engine
    _sessions: sessionmaker[Session] = field(repr=False)

    @property
    def dialect_name(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        """The URL with any password hidden, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back otherwise.

        Objects stay usable after the block (``expire_on_commit=False``), so a repository
        function can return rows that callers read once the session is closed.
        """
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection (tests, and before dropping a PostgreSQL schema)."""
        self.engine.dispose()


def open_database(url: str | None = None) -> Database:
    """Open the store at ``url`` (``None`` = ``CHISO_DATABASE_URL`` or SQLite in the data dir).

    Creates the folder of a SQLite file, turns on SQLite foreign keys and WAL, and checks
    that a connection can be made, so a wrong URL fails here with a clear ``StoreError``
    rather than at the first query.
    """
    raw = url if url is not None else settings.database_url()
    try:
        parsed = make_url(raw)
    except ArgumentError as exc:
        raise StoreError(f"cannot read the database URL {raw!r}: {exc}") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"the store runs on SQLite or PostgreSQL, not {parsed.get_backend_name()!r}")
    if parsed.get_backend_name() == "sqlite":
        _make_sqlite_folder(parsed)
    try:
        engine = create_engine(parsed)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot open the store at {_shown(parsed)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreError(f"cannot open the store at {_shown(parsed)}: {reason}") from None
    return Database(engine, sessionmaker(bind=engine, expire_on_commit=False))


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _make_sqlite_folder(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection; without this the
    # ON DELETE CASCADE of results would silently do nothing. WAL lets readers (the web
    # app) proceed while a load writes.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def alembic_config() -> Config:
    """An Alembic configuration pointing at the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of chiso."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001
        raise StoreError("no migrations found in the package")
    return head


def current_revision(db: Database) -> str | None:
    """The migration the store is at; ``None`` for an empty (never initialised) store."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> None:
    """Run the migrations up to ``revision``; a store already there is left untouched."""
    _migrate(db, command.upgrade, revision)


def downgrade(db: Database, revision: str) -> None:
    """Undo migrations down to ``revision`` (``"base"`` = empty store). Loses data."""
    _migrate(db, command.downgrade, revision)


def _migrate(db: Database, step: Callable[[Config, str], None], revision: str) -> None:
    config = alembic_config()
    try:
        with db.engine.connect() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
            connection.commit()
    except (SQLAlchemyError, CommandError) as exc:
        raise StoreError(f"cannot migrate the store at {db.url} to {revision}: {exc}") from exc


def require_current(db: Database) -> None:
    """Refuse a store whose schema is not at this chiso's head (run ``chiso init``)."""
    current, head = current_revision(db), head_revision()
    if current != head:
        state = "empty" if current is None else f"at revision {current}"
        raise StoreError(f"the store at {db.url} is {state}, this chiso needs {head}: "
                         "run `chiso init`")


def init_store(url: str | None = None, actor: str = "system") -> Database:
    """Open the store and upgrade it to head; safe to call again on a prepared store.

    When the schema actually moved, an ``init`` line is written to the audit log with the
    revisions before and after.
    """
    db = open_database(url)
    before = current_revision(db)
    upgrade(db)
    after = current_revision(db)
    if after != before:
        with db.session() as session:
            audit(session, actor, "init", "store", after, {"from": before, "to": after})
    return db
