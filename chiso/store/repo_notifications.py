"""Reminders sent and in-app notifications (thông báo) in the store.

``record_reminder`` writes one reminder (agency × indicator × period × kind, once: a second
one of the same key is refused by the unique key and answered ``None`` here) and one
notification for each recipient; ``mark_read`` marks an account's own notifications read.
Every write is audited in the same session.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from chiso.errors import NotFoundError, StoreError
from chiso.store.models_accounts import Account
from chiso.store.models_notifications import REMINDER_KINDS, Notification, Reminder
from chiso.store.orm import utcnow
from chiso.store.repo_audit import audit

#: The roles a reminder goes to: the agency's head (thủ trưởng) and officers (cán bộ).
RECIPIENT_ROLES = ("head", "officer")


def sent_keys(session: Session, unit_codes: Iterable[str] | None = None) -> set[tuple[str, str, str, str]]:
    """The (unit, indicator, period, kind) of every reminder already sent (of these units)."""
    query = select(Reminder.unit_code, Reminder.indicator, Reminder.period, Reminder.kind)
    if unit_codes is not None:
        query = query.where(Reminder.unit_code.in_(list(unit_codes)))
    return {tuple(r) for r in session.execute(query)}


def account_id(session: Session, username: str) -> int | None:
    """The id of an account (None for an API token's unknown owner)."""
    return session.scalar(select(Account.id).where(Account.username == username))


def recipients(session: Session, unit_code: str) -> list[Account]:
    """The active head and officers of one agency, by username."""
    return list(session.scalars(select(Account).where(
        Account.unit_code == unit_code, Account.active.is_(True), Account.role.in_(RECIPIENT_ROLES))
        .order_by(Account.username)))


def record_reminder(session: Session, *, unit_code: str, indicator: str, period: str, kind: str,
                    deadline: dt.date, accounts: Iterable[Account], emailed: int = 0,
                    by: str = "system", at: dt.datetime | None = None) -> Reminder | None:
    """One reminder and a notification per account; ``None`` if this key was sent already."""
    if kind not in REMINDER_KINDS:
        raise StoreError(f"unknown reminder kind {kind!r}; expected one of {', '.join(REMINDER_KINDS)}")
    if session.scalar(select(Reminder.id).where(
            Reminder.unit_code == unit_code, Reminder.indicator == indicator, Reminder.period == period,
            Reminder.kind == kind)) is not None:
        return None
    people = list(accounts)
    when = at or utcnow()
    row = Reminder(unit_code=unit_code, indicator=indicator, period=period, kind=kind, deadline=deadline,
                   sent_at=when, notified=len(people), emailed=emailed)
    session.add(row)
    session.flush()
    for account in people:
        session.add(Notification(account_id=account.id, reminder_id=row.id, created_at=when))
    session.flush()
    audit(session, by, "reminders.send", "reminder", row.id,
          {"unit": unit_code, "indicator": indicator, "period": period, "kind": kind,
           "deadline": deadline.isoformat(), "notified": [a.username for a in people], "emailed": emailed})
    return row


def reminders(session: Session, *, unit_code: str | None = None, limit: int = 200) -> list[Reminder]:
    """The reminders sent, newest first."""
    query = select(Reminder).order_by(Reminder.id.desc()).limit(limit)
    if unit_code is not None:
        query = query.where(Reminder.unit_code == unit_code)
    return list(session.scalars(query))


def notifications(session: Session, account_id: int, *, limit: int = 25, offset: int = 0,
                  unread_only: bool = False) -> list[tuple[Notification, Reminder]]:
    """One account's notifications with their reminders, newest first."""
    query = (select(Notification, Reminder).join(Reminder, Reminder.id == Notification.reminder_id)
             .where(Notification.account_id == account_id)
             .order_by(Notification.id.desc()).limit(limit).offset(offset))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return [(n, r) for n, r in session.execute(query)]


def count(session: Session, account_id: int, *, unread_only: bool = False) -> int:
    query = select(func.count()).select_from(Notification).where(Notification.account_id == account_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return int(session.scalar(query) or 0)


def unread(session: Session, account_id: int) -> int:
    """How many of one account's notifications are not read yet (the bell's number)."""
    return count(session, account_id, unread_only=True)


def mark_read(session: Session, account_id: int, by: str, ids: Iterable[int] | None = None) -> int:
    """Mark one account's notifications read (``ids`` None: all of them); how many changed.

    Only the account's own: an id of another account's notification changes nothing."""
    query = (update(Notification).where(Notification.account_id == account_id, Notification.read_at.is_(None))
             .values(read_at=utcnow()))
    chosen = None if ids is None else sorted({int(i) for i in ids})
    if chosen is not None:
        if not chosen:
            return 0
        query = query.where(Notification.id.in_(chosen))
    changed = session.execute(query.execution_options(synchronize_session=False)).rowcount or 0
    if changed:
        audit(session, by, "notifications.read", "account", account_id, {"ids": chosen, "count": changed})
    return changed


def set_email(session: Session, username: str, email: str | None, *, by: str) -> Account:
    """Give an account an e-mail address for reminders (``None``: none); audited."""
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None:
        raise NotFoundError(f"no account {username!r}")
    address = (email or "").strip() or None
    if address is not None and ("@" not in address or any(c.isspace() for c in address) or len(address) > 255):
        raise StoreError(f"{address!r} is not an e-mail address")
    before = account.email
    account.email = address
    account.updated_at, account.updated_by = utcnow(), by
    audit(session, by, "account.email", "account", account.username, {"before": before, "after": address})
    return account
