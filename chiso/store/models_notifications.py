"""Notifications (thông báo) and the reminders that made them (nhắc hạn nộp số liệu).

A reminder is one agency × indicator × period × kind ("due_soon" before the reporting
deadline, "overdue" after it); ``reminders`` keeps each one sent, once (a unique key), so
``chiso reminders send`` may run as often as a timer likes. Each reminder gives every
active head and officer of the agency one in-app ``notifications`` row (read or not) and,
when the account has an e-mail address and SMTP is set, one e-mail.

Tables are declared on ``chiso.store.models.Base``; the schema is created by the Alembic
migration of the same subject (0010_notifications).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chiso.store.orm import Base, UTCDateTime, one_of, utcnow

#: Before the deadline (sắp đến hạn) and after it (quá hạn).
REMINDER_KINDS = ("due_soon", "overdue")


class Reminder(Base):
    """One reminder sent: an agency × indicator × period × kind, once."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("unit_code", "indicator", "period", "kind"),
        CheckConstraint(one_of("kind", REMINDER_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32), index=True)   # the owner agency
    indicator: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified: Mapped[int] = mapped_column(Integer)   # in-app notifications made
    emailed: Mapped[int] = mapped_column(Integer)    # e-mails handed to the SMTP server


class Notification(Base):
    """One in-app notice to one account; ``read_at`` set when its reader marks it read."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_account_read", "account_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
