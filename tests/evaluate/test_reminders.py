"""Reminders through a real SMTP server (aiosmtpd on 127.0.0.1): who gets what, once, in Vietnamese;
the command that sends them; and the completeness board read from a real store (late flags, returned)."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.collect.values import Submitter, batch_from_records, submit_batch
from chiso.errors import ChisoError
from chiso.evaluate.dm.completeness import gather
from chiso.evaluate.reminders import send_reminders
from chiso.settings import SmtpSettings
from chiso.store.database import init_store
from chiso.store.models_accounts import Account
from chiso.store.models_notifications import Notification, Reminder
from chiso.store.repo_catalogue import import_catalogue, live_indicators
from chiso.store.repo_notifications import mark_read, notifications, set_email, unread
from chiso.store.repo_values import set_period_state
from chiso.units import load_units
from chiso.web.security import accounts

CATALOGUE = Path(__file__).parents[2] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
SPENDING = "NS.CHI_NSDP"          # Sở Tài chính's monthly spending, deadline 5 days after the month
PASSWORD = "Mật-khẩu-thử-2026!"
NOW = dt.datetime(2026, 10, 3, 3, tzinfo=dt.UTC)


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.rcpt: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        self.rcpt.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, SmtpSettings(host="127.0.0.1", port=port, user=None, password=None,
                                  sender="chiso@so-lieu.bacninh.gov.vn", starttls=False)
    finally:
        controller.stop()


@pytest.fixture
def store(db):
    tree = load_units()
    with db.session() as s:
        import_catalogue(s, CATALOGUE, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2026, 1, 2))
        catalogue = live_indicators(s, "24")
    rows = [{"indicator": SPENDING, "unit": "24", "period": f"2026-{m:02d}", "value": 60.0 * m} for m in range(1, 9)]
    submit_batch(db, batch_from_records("chi-2026.json", rows),
                 Submitter(as_unit="24-STC", by="canbo.stc", role="officer"), catalogue, tree, now=NOW)
    for username, role, unit in (("giamdoc.stc", "head", "24-STC"), ("canbo.stc", "officer", "24-STC"),
                                 ("canbo2.stc", "officer", "24-STC"), ("canbo.syt", "officer", "24-SYT"),
                                 ("lanhdao", "leader", "24")):
        accounts.create_account(db, "thiết lập", username=username, password=PASSWORD, role=role, unit_code=unit,
                                tree=tree, display_name=f"Ông {username}")
    with db.session() as s:
        set_email(s, "giamdoc.stc", "giamdoc.stc@bacninh.gov.vn", by="thiết lập")
        set_email(s, "canbo.stc", "canbo.stc@bacninh.gov.vn", by="thiết lập")
    return db, tree


def _sent(db, kind: str) -> list[Reminder]:
    with db.session() as s:
        return list(s.scalars(select(Reminder).where(Reminder.indicator == SPENDING, Reminder.kind == kind)))


def test_reminders_go_once_to_the_agencys_head_and_officers_in_vietnamese(store, smtp_server) -> None:
    db, tree = store
    inbox, smtp = smtp_server
    today = dt.date(2026, 10, 3)        # September's deadline is 5 October: 2 days left; August is in
    with db.session() as s:
        first = send_reminders(s, "24", tree, today, smtp, days_before=2)
    soon = _sent(db, "due_soon")
    assert [(r.unit_code, r.period, r.deadline) for r in soon] == [("24-STC", "2026-09", dt.date(2026, 10, 5))]
    assert soon[0].notified == 3 and soon[0].emailed == 2          # canbo2.stc has no e-mail address
    assert not [r for r in _sent(db, "overdue") if r.period == "2026-08"]
    assert first.emails == 2 == len(inbox.messages)
    assert sorted(r[0] for r in inbox.rcpt) == ["canbo.stc@bacninh.gov.vn", "giamdoc.stc@bacninh.gov.vn"]
    message = inbox.messages[0]
    assert message["Subject"].startswith("[chiso] Nhắc nộp số liệu:") and "sắp đến hạn" in message["Subject"]
    body = message.get_content()
    assert message.get_content_charset() == "utf-8"
    assert "Chi ngân sách địa phương (NS.CHI_NSDP) — tháng 9/2026, hạn 05/10/2026" in body
    assert "Sở Tài chính" in body and "Sắp đến hạn nộp:" in body
    # again the same day, and the next: nothing twice
    with db.session() as s:
        again = send_reminders(s, "24", tree, today, smtp, days_before=2)
    with db.session() as s:
        next_day = send_reminders(s, "24", tree, today + dt.timedelta(days=1), smtp, days_before=2)
    assert again.reminders == [] and again.already_sent == len(first.reminders) and again.emails == 0
    assert all(d.indicator != SPENDING or d.period != "2026-09" for d in next_day.reminders)
    assert len(_sent(db, "due_soon")) == 1
    # past the deadline, still missing: one overdue reminder
    with db.session() as s:
        late = send_reminders(s, "24", tree, dt.date(2026, 10, 7), smtp, days_before=2)
    overdue = _sent(db, "overdue")
    assert [(r.period, r.deadline) for r in overdue] == [("2026-09", dt.date(2026, 10, 5))]
    assert any(d.indicator == SPENDING and d.kind == "overdue" for d in late.reminders)
    assert any("quá hạn" in m["Subject"] and "Đã quá hạn nộp:" in m.get_content() for m in inbox.messages[2:])
    # the agency's people have the notices in the app; other agencies and the leader none
    with db.session() as s:
        ids = {a: s.scalar(select(Account.id).where(Account.username == a))
               for a in ("canbo2.stc", "canbo.syt", "lanhdao")}
        own = notifications(s, ids["canbo2.stc"], limit=500)
        assert {(r.indicator, r.period, r.kind) for _, r in own} >= {(SPENDING, "2026-09", "due_soon"),
                                                                    (SPENDING, "2026-09", "overdue")}
        assert not notifications(s, ids["lanhdao"])
        assert all(r.unit_code == "24-SYT" for _, r in notifications(s, ids["canbo.syt"], limit=500))
        before = unread(s, ids["canbo2.stc"])
        assert mark_read(s, ids["canbo2.stc"], "canbo2.stc", [own[0][0].id]) == 1
        # another person's notice is not theirs to mark
        assert mark_read(s, ids["canbo.syt"], "canbo.syt", [own[1][0].id]) == 0
    with db.session() as s:
        assert unread(s, ids["canbo2.stc"]) == before - 1


def test_nothing_is_recorded_when_the_smtp_server_is_away(store) -> None:
    db, tree = store
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    smtp = SmtpSettings(host="127.0.0.1", port=closed, user=None, password=None, sender="chiso@localhost",
                        starttls=False)
    with pytest.raises(ChisoError, match="SMTP"), db.session() as s:
        send_reminders(s, "24", tree, dt.date(2026, 10, 3), smtp, days_before=2)
    with db.session() as s:
        assert s.scalar(select(Reminder.id)) is None and s.scalar(select(Notification.id)) is None


def test_without_smtp_the_notices_are_made_in_the_app_alone(store) -> None:
    db, tree = store
    smtp = SmtpSettings(host=None, port=25, user=None, password=None, sender="chiso@localhost", starttls=False)
    with db.session() as s:
        result = send_reminders(s, "24", tree, dt.date(2026, 10, 3), smtp, days_before=2)
    assert result.emails == 0 and result.notifications > 0
    assert _sent(db, "due_soon")[0].emailed == 0


def test_the_command_sends_once_and_lists_what_it_sent(tmp_path, monkeypatch, smtp_server) -> None:
    inbox, smtp = smtp_server
    url = f"sqlite:///{(tmp_path / 'chiso.sqlite').as_posix()}"
    for name, value in (("CHISO_DATABASE_URL", url), ("CHISO_DATA_DIR", str(tmp_path)),
                        ("CHISO_SMTP_HOST", smtp.host), ("CHISO_SMTP_PORT", str(smtp.port)),
                        ("CHISO_SMTP_STARTTLS", "false"), ("CHISO_SMTP_FROM", smtp.sender)):
        monkeypatch.setenv(name, value)
    db = init_store(url)
    try:
        tree = load_units()
        with db.session() as s:
            import_catalogue(s, CATALOGUE, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2026, 1, 2))
        accounts.create_account(db, "thiết lập", username="canbo.stc", password=PASSWORD, role="officer",
                                unit_code="24-STC", tree=tree, display_name="Cán bộ Sở Tài chính")
    finally:
        db.dispose()
    run = CliRunner()
    assert run.invoke(app, ["reminders", "email", "canbo.stc", "canbo.stc@bacninh.gov.vn"]).exit_code == 0
    first = run.invoke(app, ["reminders", "send", "--today", "2026-10-03", "--format", "json"])
    assert first.exit_code == 0, first.output
    doc = json.loads(first.stdout)
    assert doc["reminders"] > 0 and doc["emails"] == 1 == len(inbox.messages)
    assert any(r["indicator"] == SPENDING and r["period"] == "2026-09" and r["kind"] == "due_soon" for r in doc["sent"])
    again = json.loads(run.invoke(app, ["reminders", "send", "--today", "2026-10-03", "--format", "json"]).stdout)
    assert again["reminders"] == 0 and again["already_sent"] == doc["reminders"] and len(inbox.messages) == 1
    listed = json.loads(run.invoke(app, ["reminders", "list", "--unit", "24-STC", "--format", "json"]).stdout)
    assert len(listed["reminders"]) == sum(r["unit"] == "24-STC" for r in doc["sent"])
    bad = run.invoke(app, ["reminders", "email", "canbo.stc", "not an address"])
    assert bad.exit_code != 0


def test_the_board_from_the_store_reads_late_flags_and_returned_periods(store) -> None:
    db, tree = store
    with db.session() as s:
        set_period_state(s, indicator=SPENDING, period="2026-08", owner="24-STC", state="returned",
                         actor="giamdoc.stc", role="head", reason="Số chi tháng 8 chưa khớp Kho bạc")
    with db.session() as s:
        board = gather(s, "24", tree, dt.date(2026, 10, 10), months=3)
    spending = {i.period.label: i.status for i in board.agencies["24-STC"].items if i.indicator == SPENDING}
    # August came on 3 October (after its deadline) and was sent back; September is missing; October runs
    assert spending == {"2026-08": "returned", "2026-09": "missing", "2026-10": "not_due"}
    with db.session() as s:
        earlier = gather(s, "24", tree, dt.date(2026, 10, 10), months=4)
    assert {i.period.label: i.status for i in earlier.agencies["24-STC"].items
            if i.indicator == SPENDING}["2026-07"] == "late"
