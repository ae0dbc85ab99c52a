"""Bulletins (bản tin): the schedule and the archive of issued bulletins.

Tables are declared on ``chiso.store.models.Base``; the schema is created by the
Alembic migration of the same subject.
"""
from __future__ import annotations

from chiso.store.models import Base  # noqa: F401
