"""Opening the relational store and bringing its schema up to date.

``open_database`` gives a ``Database`` (engine + session factory) for SQLite or
PostgreSQL; ``upgrade`` runs the Alembic migrations shipped inside the package, so no
``alembic.ini`` is needed where chiso is run; ``init_store`` does both and is what
``chiso init`` calls.

On PostgreSQL the store lives in whatever schema the connection's ``search_path`` names
first (``?options=-csearch_path%3Dmyschema`` in the URL), version table included.

``serialise`` makes writers of the same thing (one indicator × period, one batch's refusal)
take turns until their transactions end: a transaction-level advisory lock per key on
PostgreSQL, the database's write lock (``BEGIN IMMEDIATE``) on SQLite. A writer that
checks and then writes under it sees everything the writer before it committed.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from chiso import settings
from chiso.errors import StoreError
from chiso.store.repo_audit import audit

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: How long a writer waits for another one before giving up, in seconds: SQLite's busy
#: timeout on every connection (the driver's default is 5 s), and ``serialise``'s default.
WRITE_WAIT_SECONDS = 30.0


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


def serialise(session: Session, keys: Iterable[tuple[str, ...]], *, wait: float | None = None) -> bool:
    """Hold ``keys`` for the rest of ``session``'s transaction, so that writers of the same key
    take turns; ``False`` when another transaction held one longer than ``wait`` seconds
    (default ``WRITE_WAIT_SECONDS``), and then nothing is held and the session stays usable.

    Call it before reading what the write depends on: what is read afterwards includes every
    write of the transactions that held a key before. The hold ends with the transaction
    (commit or rollback); taking a key twice in one transaction is harmless.

    - PostgreSQL: ``pg_advisory_xact_lock`` on a 64-bit number per key, in ascending order
      (two writers of overlapping keys never deadlock), under ``lock_timeout``, in a savepoint.
    - SQLite: one writer at a time for the whole file — ``BEGIN IMMEDIATE`` takes the write
      lock now (waiting up to ``wait``) rather than at the first ``INSERT``, after the checks
      have read. A transaction that has already written holds that lock.
    """
    wanted = sorted({_lock_number(k) for k in keys})
    if not wanted:
        return True
    seconds = WRITE_WAIT_SECONDS if wait is None else wait
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        return _sqlite_write_lock(connection, seconds)
    try:
        with session.begin_nested():
            previous = connection.scalar(text("SELECT current_setting('lock_timeout')"))
            connection.execute(text("SELECT set_config('lock_timeout', :t, true)"),
                               {"t": f"{max(1, int(seconds * 1000))}ms"})
            # one statement; unnest yields the numbers in the array's (ascending) order
            connection.execute(text("SELECT pg_advisory_xact_lock(n) FROM unnest(CAST(:ns AS bigint[])) AS t(n)"),
                               {"ns": wanted}).all()
            connection.execute(text("SELECT set_config('lock_timeout', :t, true)"), {"t": previous})
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
            return False
        raise
    return True


def _lock_number(key: tuple[str, ...]) -> int:
    """A key as a signed 64-bit number, the same in every process (not Python's ``hash``)."""
    digest = hashlib.blake2b("\x1f".join(map(str, key)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _sqlite_write_lock(connection: Any, seconds: float) -> bool:
    raw = connection.connection.dbapi_connection
    if raw.in_transaction:  # the driver begins a transaction only to write: the lock is held
        return True
    connection.exec_driver_sql(f"PRAGMA busy_timeout={max(0, int(seconds * 1000))}")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as exc:
        if "locked" in str(exc.orig) or "busy" in str(exc.orig):
            return False
        raise
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(WRITE_WAIT_SECONDS * 1000)}")
    return True


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
