"""Schedules and the archive on SQLite and PostgreSQL: due times, idempotent issuing per
(province, window, language, format), files and their SHA-256, authorisation and audit."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from chiso.errors import NotAllowedError, StoreError
from chiso.reports.schedule import due_window, issue, run_due
from chiso.store.models_reports import BulletinArchive, BulletinSchedule
from chiso.store.repo_audit import audit_entries
from chiso.store.repo_reports import Actor, add_schedule, list_archive, list_schedules, stop_schedule

HEAD = Actor("Chánh Văn phòng", "head")
HANOI = dt.timezone(dt.timedelta(hours=7))


def schedule(db, **kw):
    args = dict(province="24", cron="0 7 * * MON", formats=["xlsx", "html"], languages=["vi"])
    args.update(kw)
    with db.session() as s:
        return add_schedule(s, HEAD, **args)


def archive_count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(BulletinArchive))


def made_on(db, schedule_id: int, when: dt.datetime) -> None:
    """Date a schedule back (the seed week is in 2025; schedules are made now)."""
    with db.session() as s:
        s.get(BulletinSchedule, schedule_id).created_at = when


def test_run_due_issues_once_per_key(db, seed_source, tmp_path: Path):
    sch = schedule(db)
    made_on(db, sch.id, dt.datetime(2025, 11, 1, tzinfo=dt.UTC))
    now = dt.datetime(2025, 11, 17, 9, 0, tzinfo=HANOI)  # Monday, after 07:00: week 46 is due
    issued, failures = run_due(db, seed_source, now, data_dir=tmp_path)
    assert failures == []
    assert [(i.window, i.lang, i.format, i.new) for i in issued] == [("2025-W46", "vi", "xlsx", True),
                                                                    ("2025-W46", "vi", "html", True)]
    for i in issued:
        content = Path(i.path).read_bytes()
        assert hashlib.sha256(content).hexdigest() == i.sha256
        assert Path(i.path).parent == tmp_path / "bulletins" / "24" / "2025-W46"
    assert "Tạo lúc 17/11/2025 07:00" in Path(issued[1].path).read_text(encoding="utf-8")
    assert archive_count(db) == 2
    again, failures = run_due(db, seed_source, now + dt.timedelta(hours=5), data_dir=tmp_path)
    assert failures == [] and [i.new for i in again] == [False, False]
    assert [i.sha256 for i in again] == [i.sha256 for i in issued]
    assert archive_count(db) == 2
    with db.session() as s:
        rows = list_archive(s, province="24")
        assert {(r.format, r.issued_by, r.schedule_id) for r in rows} == {("xlsx", "scheduler", sch.id),
                                                                        ("html", "scheduler", sch.id)}
        lines = audit_entries(s, action="bulletin.issue")
        assert len(lines) == 2 and {e.detail["format"] for e in lines} == {"xlsx", "html"}
        stop_schedule(s, HEAD, sch.id)
    later, failures = run_due(db, seed_source, now + dt.timedelta(days=7), data_dir=tmp_path)
    assert later == [] and failures == []  # a stopped schedule issues nothing


def test_issue_is_idempotent_and_adds_missing_formats(db, seed_source, tmp_path: Path):
    first = issue(db, seed_source, "24", "2025-W46", formats=["xlsx"], languages=["vi", "en"], actor=HEAD,
                  data_dir=tmp_path)
    assert [i.new for i in first] == [True, True]
    before = {i.path: Path(i.path).stat().st_mtime_ns for i in first}
    second = issue(db, seed_source, "24", "2025-W46", formats=["xlsx", "html"], languages=["vi", "en"],
                   actor=HEAD, data_dir=tmp_path)
    assert [(i.lang, i.format, i.new) for i in second] == [("vi", "xlsx", False), ("vi", "html", True),
                                                          ("en", "xlsx", False), ("en", "html", True)]
    assert {p: Path(p).stat().st_mtime_ns for p in before} == before  # archived files untouched
    assert archive_count(db) == 4
    assert not list((tmp_path / "bulletins" / "24" / "2025-W46").glob(".issuing-*"))


def test_a_failing_schedule_archives_nothing_and_is_reported(db, seed_source, tmp_path: Path):
    sch = schedule(db)
    made_on(db, sch.id, dt.datetime(2025, 11, 1, tzinfo=dt.UTC))
    issued, failures = run_due(db, seed_source, dt.datetime(2025, 12, 1, 8, 0, tzinfo=HANOI), data_dir=tmp_path)
    assert issued == []
    (f,) = failures
    assert (f.schedule_id, f.window) == (sch.id, "2025-W48") and "no counts file for 2025-W48" in f.reason
    assert archive_count(db) == 0


def test_due_window(db):
    sch = schedule(db)
    assert due_window(sch, sch.created_at) is None or due_window(sch, sch.created_at)[0] >= sch.created_at
    sch.created_at = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
    occurrence, window = due_window(sch, dt.datetime(2025, 11, 19, 12, 0, tzinfo=HANOI))
    assert occurrence == dt.datetime(2025, 11, 17, 7, 0, tzinfo=HANOI)
    assert window.label == "2025-W46"
    occurrence, window = due_window(sch, dt.datetime(2025, 11, 17, 7, 0, tzinfo=HANOI))  # on the minute
    assert window.label == "2025-W46"
    _, window = due_window(sch, dt.datetime(2025, 11, 17, 6, 59, tzinfo=HANOI))
    assert window.label == "2025-W45"  # last Monday's run
    assert due_window(sch, dt.datetime(2025, 10, 30, tzinfo=HANOI)) is None  # before the schedule existed
    with pytest.raises(ValueError):
        due_window(sch, dt.datetime(2025, 11, 19))


def test_schedules_are_authorised_checked_and_audited(db):
    with db.session() as s:
        with pytest.raises(NotAllowedError, match="head of the office or an administrator"):
            add_schedule(s, Actor("cán bộ", "officer"), province="24", cron="0 7 * * MON", formats=["pdf"],
                         languages=["vi"])
        with pytest.raises(NotAllowedError, match="who acts"):
            add_schedule(s, Actor(" ", "admin"), province="24", cron="0 7 * * MON", formats=["pdf"],
                         languages=["vi"])
    for kw, words in [({"cron": "every monday"}, "cron expression"), ({"cron": "0 7 * * MON *"}, "five fields"),
                      ({"province": "24-STC"}, "not a province"), ({"formats": ["odt"]}, "'odt'"),
                      ({"languages": []}, "at least one language"), ({"timezone": "Mars/Base"}, "time zone")]:
        with pytest.raises(StoreError, match=words):
            schedule(db, **kw)
    sch = schedule(db, cron="30  6 * * 1", formats=["PDF", "pdf", "docx"], languages=["vi", "en"])
    assert (sch.cron, sch.formats, sch.languages) == ("30 6 * * 1", ["pdf", "docx"], ["vi", "en"])
    with db.session() as s:
        stop_schedule(s, Actor("quản trị", "admin"), sch.id)
        assert list_schedules(s, active_only=True) == []
        assert [r.active for r in list_schedules(s)] == [False]
        assert [e.action for e in reversed(audit_entries(s))][-2:] == ["bulletin_schedule.add",
                                                                        "bulletin_schedule.stop"]
        with pytest.raises(StoreError, match="no bulletin schedule 999"):
            stop_schedule(s, HEAD, 999)


def test_issue_needs_a_named_actor(db, seed_source, tmp_path: Path):
    with pytest.raises(NotAllowedError):
        issue(db, seed_source, "24", "2025-W46", formats=["xlsx"], languages=["vi"], actor=Actor("", "officer"),
              data_dir=tmp_path)
    assert archive_count(db) == 0
