"""Alembic environment of the relational store.

``chiso.store.database.upgrade`` passes an open connection in
``config.attributes["connection"]``; the Alembic command line (developers writing a new
migration) gets none, and the store named by the chiso settings is opened instead.

On SQLite, foreign keys are switched off while migrations run: batch mode rebuilds a
table by copying it and dropping the original, and with foreign keys on, dropping a parent
table would cascade-delete its children's rows. ``PRAGMA foreign_key_check`` afterwards
makes sure the rebuild left every reference intact.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from chiso.errors import StoreError
from chiso.store.orm import Base


def run_offline() -> None:
    """Write the SQL to standard output instead of running it (``alembic upgrade --sql``)."""
    from chiso import settings

    url = context.config.get_main_option("sqlalchemy.url") or settings.database_url()
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations on the given connection, or on the configured store."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    from chiso.store.database import open_database

    db = open_database(context.config.get_main_option("sqlalchemy.url") or None)
    try:
        with db.engine.connect() as connection:
            run_on(connection)
            connection.commit()
    finally:
        db.dispose()


def run_on(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _foreign_keys(connection, on=False)
    try:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            connection.commit()
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise StoreError(f"a migration broke foreign keys: {broken[:5]}")
    finally:
        if sqlite:
            connection.rollback()  # nothing pending after a success; undoes a failure
            _foreign_keys(connection, on=True)


def _foreign_keys(connection: Connection, *, on: bool) -> None:
    # The pragma is a no-op inside a transaction, so end the one SQLAlchemy began.
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    connection.commit()


# Alembic runs this file with ``context`` set up; a plain import (say, a test walking every
# module of the package) finds no ``context.config`` and must do nothing.
if getattr(context, "config", None) is not None:
    if context.is_offline_mode():
        run_offline()
    else:
        run_online()
