"""Reminders (nhắc hạn nộp số liệu): before a reporting deadline and after it, to the owning agency.

``send_reminders`` (run by ``chiso reminders send``, from a cron job or a systemd timer) reads
the completeness board (``chiso.evaluate.dm.completeness``) as of ``today``:

- **due_soon** (sắp đến hạn): an indicator × period not yet in, whose deadline is within
  ``days_before`` days (``CHISO_REMINDER_DAYS_BEFORE``, default 2);
- **overdue** (quá hạn): an indicator × period missing after its deadline (or returned by the head),
  whose deadline passed within ``overdue_days`` days — older debts are on the board, not re-sent.

Each agency × indicator × period × kind is sent once (``reminders``' unique key): running the
command again the same day, or every hour, sends nothing twice. Each reminder gives every active
head and officer of the agency an in-app notification; each of them with an e-mail address gets
one e-mail for the run, listing all their new reminders (Vietnamese, UTF-8), through SMTP
(``CHISO_SMTP_*``; unset host: no e-mail). The store's writes and the e-mails go together: when
the SMTP server refuses, the transaction is rolled back, so the next run tries again.
"""
from __future__ import annotations

import datetime as dt
import smtplib
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy.orm import Session

from chiso.catalog.indicator import Indicator
from chiso.errors import ChisoError
from chiso.evaluate.dm.completeness import gather
from chiso.periods.spoken import day_text, spoken_period
from chiso.settings import SmtpSettings
from chiso.store import repo_notifications as repo
from chiso.store.repo_catalogue import live_indicators

KIND_NAMES = {"due_soon": "sắp đến hạn", "overdue": "quá hạn"}


@dataclass(frozen=True)
class Due:
    """One reminder to make: an agency × indicator × period × kind, with the units it concerns."""

    unit_code: str
    indicator: str
    period: str
    kind: str
    deadline: dt.date
    units: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.unit_code, self.indicator, self.period, self.kind)


@dataclass
class SendResult:
    today: dt.date
    reminders: list[Due] = field(default_factory=list)
    notifications: int = 0
    emails: int = 0
    already_sent: int = 0

    def as_dict(self) -> dict:
        return {"today": self.today.isoformat(), "reminders": len(self.reminders),
                "due_soon": sum(r.kind == "due_soon" for r in self.reminders),
                "overdue": sum(r.kind == "overdue" for r in self.reminders),
                "notifications": self.notifications, "emails": self.emails, "already_sent": self.already_sent}


def due_reminders(board, today: dt.date, *, days_before: int, overdue_days: int) -> list[Due]:
    """The reminders the board calls for today (before dropping those sent already)."""
    grouped: dict[tuple[str, str, str, str], list] = defaultdict(list)
    for agency in board.agencies.values():
        for item in agency.items:
            left = (item.deadline - today).days
            if item.status == "not_due" and 0 <= left <= days_before:
                kind = "due_soon"
            elif item.status in ("missing", "returned") and -overdue_days <= left < 0:
                kind = "overdue"
            else:
                continue
            grouped[(item.owner, item.indicator, item.period.label, kind)].append(item)
    return [Due(o, i, p, k, items[0].deadline, tuple(sorted(it.unit for it in items)))
            for (o, i, p, k), items in sorted(grouped.items())]


def message_for(account, dues: list[Due], indicators: Mapping[str, Indicator], *, sender: str,
                unit_name: Callable[[str], str], today: dt.date) -> EmailMessage:
    """One e-mail to one person listing their new reminders, in Vietnamese."""
    soon = [d for d in dues if d.kind == "due_soon"]
    late = [d for d in dues if d.kind == "overdue"]
    parts = []
    if late:
        parts.append(f"{len(late)} chỉ số quá hạn")
    if soon:
        parts.append(f"{len(soon)} chỉ số sắp đến hạn")
    msg = EmailMessage()
    msg["Subject"] = f"[chiso] Nhắc nộp số liệu: {', '.join(parts)}"
    msg["From"] = sender
    msg["To"] = account.email
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="chiso")
    lines = [f"Kính gửi {account.display_name},", "",
             f"Hệ thống chiso nhắc {unit_name(dues[0].unit_code)} nộp số liệu các chỉ số sau "
             f"(tính đến ngày {day_text(today, 'vi')}):", ""]
    for title, group in (("Đã quá hạn nộp:", late), ("Sắp đến hạn nộp:", soon)):
        if not group:
            continue
        lines.append(title)
        for d in group:
            ind = indicators.get(d.indicator)
            name = ind.name if ind is not None else d.indicator
            where = "" if d.units == (d.unit_code,) else f", {len(d.units)} đơn vị báo cáo"
            lines.append(f"  • {name} ({d.indicator}) — {spoken_period(d.period, 'vi', capital=False)}, "
                         f"hạn {day_text(d.deadline, 'vi')}{where}")
        lines.append("")
    lines += ["Xin vui lòng nộp số liệu trên trang Nộp số liệu của chiso.",
              "Thư này do hệ thống gửi tự động; xin đừng trả lời thư.", ""]
    msg.set_content("\n".join(lines), charset="utf-8")
    return msg


def deliver(smtp: SmtpSettings, messages: list[EmailMessage]) -> int:
    """Hand the messages to the SMTP server in one connection; how many were accepted."""
    if not messages or smtp.host is None:
        return 0
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as server:
            if smtp.starttls:
                server.starttls()
            if smtp.user:
                server.login(smtp.user, smtp.password or "")
            for message in messages:
                server.send_message(message)
    except (OSError, smtplib.SMTPException) as err:
        raise ChisoError(f"the SMTP server {smtp.host}:{smtp.port} did not take the reminders: {err}") from err
    return len(messages)


def send_reminders(session: Session, province: str, tree, today: dt.date, smtp: SmtpSettings, *,
                   days_before: int = 2, overdue_days: int = 31, by: str = "system") -> SendResult:
    """Make today's reminders of ``province``: notifications, e-mails and their record (once each)."""
    board = gather(session, province, tree, today, months=3)
    indicators = live_indicators(session, province)
    wanted = due_reminders(board, today, days_before=days_before, overdue_days=overdue_days)
    done = repo.sent_keys(session, {d.unit_code for d in wanted})
    result = SendResult(today)
    mail: dict[int, tuple[object, list[Due]]] = {}

    def unit_name(code: str) -> str:
        return tree.get(code).name if code in tree else code

    pending = []
    for due in wanted:
        if due.key in done:
            result.already_sent += 1
            continue
        people = repo.recipients(session, due.unit_code)
        emailed = [p for p in people if p.email] if smtp.host else []
        pending.append((due, people, len(emailed)))
        for person in emailed:
            mail.setdefault(person.id, (person, []))[1].append(due)
    messages = [message_for(person, dues, indicators, sender=smtp.sender, unit_name=unit_name, today=today)
                for person, dues in mail.values()]
    for due, people, emailed in pending:
        if repo.record_reminder(session, unit_code=due.unit_code, indicator=due.indicator, period=due.period,
                                kind=due.kind, deadline=due.deadline, accounts=people, emailed=emailed,
                                by=by) is not None:
            result.reminders.append(due)
            result.notifications += len(people)
    session.flush()
    result.emails = deliver(smtp, messages)   # raises before the caller commits: nothing recorded
    return result
