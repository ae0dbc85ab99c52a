"""Alembic migrations of the relational store, run by ``chiso.store.database.upgrade``.

A package (with ``__init__.py``) only so that the migration files ship in the wheel.
"""
