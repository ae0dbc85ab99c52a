"""Figures the national portal (Cổng DVCQG) publishes for the 766 index (issue 15, part A).

A connector with ``target: portal`` reads the portal's published index responses and keeps,
per (connector, unit, window, item, kind), the value published: ``item`` is ``total``, a
group code or a criterion code of the index definition; ``kind`` is ``score``, ``numerator``
or ``denominator``. Fetching the same value again changes nothing; a value the portal
changes is replaced only after the old one is copied to ``portal_figure_history`` — no
published datum is silently overwritten. Migration 0015.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chiso.store.orm import Base, UTCDateTime, one_of

FIGURE_KINDS = ("score", "numerator", "denominator")
TOTAL = "total"


class PortalFigure(Base):
    """One published figure as the portal gives it now."""

    __tablename__ = "portal_figures"
    __table_args__ = (
        UniqueConstraint("connector", "unit_code", "window", "item", "kind"),
        CheckConstraint(one_of("kind", FIGURE_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector: Mapped[str] = mapped_column(String(128))           # the connector that fetched it
    unit_code: Mapped[str] = mapped_column(String(32), index=True)  # chiso's code (mapped)
    window: Mapped[str] = mapped_column(String(32), index=True)     # 2026-W34, 2026-08, 2026-Q3, 2026
    item: Mapped[str] = mapped_column(String(64))                   # total | group | criterion code
    kind: Mapped[str] = mapped_column(String(16))                   # score | numerator | denominator
    value: Mapped[float] = mapped_column(Float)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)       # when this value was first fetched
    response_sha256: Mapped[str] = mapped_column(String(64))        # the raw response(s) it came in


class PortalFigureHistory(Base):
    """A value the portal published before it changed it (kept, never overwritten)."""

    __tablename__ = "portal_figure_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    figure_id: Mapped[int] = mapped_column(ForeignKey("portal_figures.id", ondelete="CASCADE"), index=True)
    value: Mapped[float] = mapped_column(Float)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)       # when the old value was first fetched
    response_sha256: Mapped[str] = mapped_column(String(64))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime)      # when a fetch brought another value
