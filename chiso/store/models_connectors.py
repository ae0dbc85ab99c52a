"""Where a pull connector for records has got to: its since-cursor (issue 15).

A records connector (``target: records``) asks its source for what changed since the cursor
and moves the cursor only after a page of records has committed in the record store; a
failure part-way leaves the cursor at the last committed page, where the next run resumes.
One row per connector (migration 0013).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from chiso.store.orm import Base, UTCDateTime


class ConnectorCursor(Base):
    """A records connector's cursor: the largest value of its cursor field committed so far."""

    __tablename__ = "connector_cursors"

    connector_id: Mapped[int] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(String(255))
    advanced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # the cursor last moved forward
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a page last committed
    pages: Mapped[int] = mapped_column(Integer, default=0)              # pages committed, all runs
    records: Mapped[int] = mapped_column(Integer, default=0)            # records committed, all runs
    batch: Mapped[str | None] = mapped_column(String(64))               # the last page's load batch
