"""``chiso reminders``: send the reporting reminders (nhắc hạn nộp số liệu), list them, set e-mails.

``chiso reminders send`` is what a cron job or a systemd timer runs (once a day is enough, more
often does no harm: each agency × indicator × period × kind is sent once). Thin: each command
calls one function of ``chiso.evaluate.reminders`` or ``chiso.store.repo_notifications``.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer

from chiso import settings
from chiso.cli.common import Format, echo, emit, handled, province_code, store_session

app = typer.Typer(help="Nhắc hạn nộp số liệu / reporting reminders: send (cron), list, e-mail addresses.",
                  no_args_is_help=True)

ProvinceOpt = Annotated[Optional[str], typer.Option("--province", "-p",
                                                    help="province code (default: CHISO_PROVINCE)")]


@app.command("send")
@handled
def send(province: ProvinceOpt = None,
         today: Annotated[Optional[dt.datetime], typer.Option(
             "--today", formats=["%Y-%m-%d"], help="the day to remind as of (default: today in Việt Nam)")] = None,
         days_before: Annotated[Optional[int], typer.Option(
             "--days-before", min=0, help="days before a deadline to remind (default: CHISO_REMINDER_DAYS_BEFORE)")] = None,
         format: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """Send today's reminders: in-app notifications and e-mails, each reminder once."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.evaluate.reminders import send_reminders
    from chiso.units import load_units

    code = province_code(province)
    day = today.date() if today else dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    before = days_before if days_before is not None else settings.whole_number("CHISO_REMINDER_DAYS_BEFORE",
                                                                                minimum=0)
    with store_session() as session:
        result = send_reminders(session, code, load_units(), day, settings.smtp(), days_before=before,
                                by="chiso reminders send")
    doc = result.as_dict()
    rows = [{"unit": d.unit_code, "indicator": d.indicator, "period": d.period, "kind": d.kind,
             "deadline": d.deadline.isoformat(), "units": len(d.units)} for d in result.reminders]
    emit(format, {**doc, "sent": rows}, rows,
         f"{doc['reminders']} nhắc nhở ({doc['overdue']} quá hạn, {doc['due_soon']} sắp đến hạn), "
         f"{doc['notifications']} thông báo, {doc['emails']} thư; {doc['already_sent']} đã gửi trước đó — "
         f"ngày {day.isoformat()}")


@app.command("list")
@handled
def list_sent(unit: Annotated[Optional[str], typer.Option(help="only this agency")] = None,
              limit: int = 200, format: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """The reminders sent, newest first."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_notifications import reminders

    with store_session() as session:
        rows = [{"id": r.id, "unit": r.unit_code, "indicator": r.indicator, "period": r.period, "kind": r.kind,
                 "deadline": r.deadline.isoformat(), "sent_at": r.sent_at.isoformat(), "notified": r.notified,
                 "emailed": r.emailed} for r in reminders(session, unit_code=unit, limit=limit)]
    emit(format, {"reminders": rows}, rows, f"{len(rows)} nhắc nhở đã gửi")


@app.command("email")
@handled
def email(username: str, address: Annotated[str, typer.Argument(help="the address; '' to remove it")]) -> None:
    """Set the e-mail address an account's reminders go to."""
    # lazy: only this command needs it; `chiso --help` stays light (decision 44)
    from chiso.store.repo_notifications import set_email

    with store_session() as session:
        account = set_email(session, username, address, by="chiso reminders email")
        echo(f"{account.username}: {account.email or '—'}")
