"""Bulletins (bản tin): the schedule and the archive of issued bulletins.

A schedule says when a province's bulletin is issued (a cron expression read in the
schedule's time zone, e.g. ``0 7 * * MON`` = Monday 07:00 Hà Nội time), in which formats and
languages. Every issued file is archived: where it is, its SHA-256, who issued it and when.
One archive row per (province, window, language, format): issuing again what is already
archived changes nothing, so a file once circulated is never silently replaced.

Tables are declared on ``chiso.store.models.Base``; the schema is created by the
Alembic migration of the same subject (0005_reports).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chiso.store.orm import Base, UTCDateTime, one_of, utcnow

BULLETIN_FORMATS = ("html", "pdf", "docx", "xlsx")
BULLETIN_LANGS = ("vi", "en")
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


class BulletinSchedule(Base):
    """When a province's bulletin is issued, in which formats and languages."""

    __tablename__ = "bulletin_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province: Mapped[str] = mapped_column(String(32), index=True)
    cron: Mapped[str] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    formats: Mapped[Any] = mapped_column(JSON)  # ["pdf", "docx"]
    languages: Mapped[Any] = mapped_column(JSON)  # ["vi", "en"]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128))


class BulletinArchive(Base):
    """One issued bulletin file."""

    __tablename__ = "bulletin_archive"
    __table_args__ = (
        UniqueConstraint("province", "window", "lang", "format"),
        CheckConstraint(one_of("format", BULLETIN_FORMATS), name="format"),
        CheckConstraint(one_of("lang", BULLETIN_LANGS), name="lang"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("bulletin_schedules.id"), index=True)
    province: Mapped[str] = mapped_column(String(32), index=True)
    window: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(8))
    format: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(1024))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(128))
