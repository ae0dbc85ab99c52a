"""The demo's task register (``chiso.demo.tasks``): ≈1,500 tasks of two years, imported from an
export file by the import a province uses, their lives entered by ``repo_tasks.add_event``.

Built once on a small store (units, the sample catalogue, no records): the states at the
demo's today are computed by the register's one reader (``register.states_at``) and judged
against what a province's register looks like; a rebuild with the same seed gives the same
register, file and lives.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from chiso.collect.tasks.imports import read_rows
from chiso.demo.dm import import_demo_catalogue
from chiso.demo.tasks import (
    EXTERNAL_PREFIX,
    HEADERS,
    LEADERS,
    TARGET_TASKS,
    TASKS_FILE,
    build_demo_tasks,
    demo_task_count,
    plan_register,
)
from chiso.evaluate.tasks.register import counts, states_at
from chiso.store.database import init_store
from chiso.store.models_tasks import TaskChange, TaskEvent, TaskRow
from chiso.store.repo_catalogue import current_catalogue
from chiso.units import load_units

TODAY = dt.date(2026, 11, 29)
SEED = 7


def _build(url: str, out: Path, *, seed: int = SEED):
    db = init_store(url, actor="test")
    tree = load_units()
    with db.session() as s:
        import_demo_catalogue(s, start=dt.date(2025, 1, 1))
    with db.session() as s:
        summary = build_demo_tasks(s, today=TODAY, seed=seed, province="24", tree=tree,
                                   catalogue=current_catalogue(s, "24"), out=out)
    return db, summary


def _snapshot(db) -> tuple[list[tuple], list[tuple]]:
    """The register as content: tasks by external id, and every event in order (ids aside)."""
    with db.session() as s:
        tasks = sorted(s.execute(select(
            TaskRow.external_id, TaskRow.code, TaskRow.doc_number, TaskRow.doc_date, TaskRow.content,
            TaskRow.assigned_by, TaskRow.assigned_on, TaskRow.lead_unit, TaskRow.co_units, TaskRow.deadline_kind,
            TaskRow.deadline, TaskRow.due_day, TaskRow.until, TaskRow.starred, TaskRow.field, TaskRow.indicators,
            TaskRow.source, TaskRow.revision)).all(), key=lambda r: r[0])
        events = s.execute(select(TaskRow.external_id, TaskEvent.instance, TaskEvent.kind, TaskEvent.day,
                                  TaskEvent.at, TaskEvent.by, TaskEvent.unit_code, TaskEvent.percent,
                                  TaskEvent.text, TaskEvent.requested, TaskEvent.granted, TaskEvent.decision)
                           .join(TaskRow, TaskRow.id == TaskEvent.task_id)
                           .order_by(TaskRow.external_id, TaskEvent.instance, TaskEvent.at, TaskEvent.id)).all()
    return [tuple(map(str, r)) for r in tasks], [tuple(map(str, r)) for r in events]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = tmp_path_factory.mktemp("tasks")
    db, summary = _build(f"sqlite:///{data / 'chiso.sqlite'}", data / "demo")
    with db.session() as s:
        states = states_at(s, "24", [TODAY])
    yield db, summary, data / "demo", states
    db.dispose()


def test_the_register_is_entered_through_the_file_import_a_province_uses(built):
    db, summary, out, _ = built
    assert summary["tasks"] == summary["created"] == TARGET_TASKS
    path = out / TASKS_FILE
    assert path.is_file() and path.stat().st_size == summary["bytes"]
    # the file is the export: its headers are the import's, one row per task
    name, rows = read_rows(path)
    assert len(rows) == TARGET_TASKS
    book = load_workbook(path, read_only=True)
    try:
        assert tuple(c.value for c in next(book.worksheets[0].iter_rows(max_row=1))) == HEADERS
    finally:
        book.close()
    with db.session() as s:
        assert demo_task_count(s, "24") == TARGET_TASKS
        assert s.scalar(select(func.count()).select_from(TaskRow).where(TaskRow.source != "file")) == 0
        assert s.scalar(select(func.count()).select_from(TaskChange)) == 0       # no history: created once
        assert set(s.scalars(select(TaskRow.revision))) == {1}
        assert set(s.scalars(select(TaskRow.created_by))) == {"demo"}
        assert all(x.startswith(EXTERNAL_PREFIX) for x in s.scalars(select(TaskRow.external_id)))
        n_events = s.scalar(select(func.count()).select_from(TaskEvent))
        assert n_events == summary["events"] > 4 * TARGET_TASKS // 2
        # each event by the lead unit's officer or head, or by the office; dated in the past, at its day
        rows = s.execute(select(TaskEvent.kind, TaskEvent.by, TaskEvent.unit_code, TaskEvent.day, TaskEvent.at,
                                TaskRow.lead_unit).join(TaskRow, TaskRow.id == TaskEvent.task_id)).all()
    for kind, by, unit, day, at, lead in rows:
        assert day <= TODAY
        if kind in ("progress", "extension_request", "completion"):
            assert unit == lead and by in (f"demo:{lead}", f"demo:{lead}:thu-truong")
        else:
            assert unit == "24-VPUBND" and by == "demo:24-VPUBND"
        local = at.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7)))
        assert local.date() == day and 8 <= local.hour < 17


def test_documents_and_tasks_look_like_a_provinces(built):
    db, *_ = built
    with db.session() as s:
        tasks = s.scalars(select(TaskRow)).all()
        tree = load_units()
        kinds = Counter(re.sub(r"^\d+/", "", t.doc_number) for t in tasks)
        assert set(kinds) == {"TB-UBND", "UBND-KT", "UBND-TH", "UBND-NC", "UBND-KGVX", "QĐ-UBND", "KH-UBND",
                              "CT-UBND"}
        assert all(re.fullmatch(r"\d{1,5}/[A-ZĐ-]+", t.doc_number) for t in tasks)
        per_doc = Counter((t.doc_number, t.doc_date) for t in tasks)
        assert sum(per_doc.values()) / len(per_doc) > 2.2 and max(per_doc.values()) >= 8
        # leaders by role title only
        assert {t.assigned_by for t in tasks} <= set(LEADERS.values())
        assert Counter(t.assigned_by for t in tasks)["Chủ tịch UBND tỉnh"] > 0.2 * len(tasks)
        # departments get most, communes some; every field
        levels = Counter(tree.get(t.lead_unit).level for t in tasks)
        assert levels["department"] > 0.6 * len(tasks) and 0.1 * len(tasks) < levels["commune"] < 0.35 * len(tasks)
        assert len({t.lead_unit for t in tasks if tree.get(t.lead_unit).level == "department"}) >= 15
        assert {t.field for t in tasks} == {"ECONOMY", "FINANCE", "INVESTMENT", "ENTERPRISE", "SOCIETY",
                                            "ADMINISTRATION"}
        assert any(t.co_units for t in tasks) and any(t.indicators for t in tasks)
        # two years up to today, deadlines of every kind, ~10% starred
        assert min(t.assigned_on for t in tasks) >= TODAY - dt.timedelta(days=731)
        assert max(t.assigned_on for t in tasks) >= TODAY - dt.timedelta(days=10)
        deadline_kinds = Counter(t.deadline_kind for t in tasks)
        assert set(deadline_kinds) == {"date", "none", "monthly", "quarterly"}
        assert 0.03 < deadline_kinds["none"] / len(tasks) < 0.15
        assert any(re.fullmatch(r"\d+ ngày làm việc", t.deadline_text) for t in tasks)
        assert any(t.until for t in tasks if t.deadline_kind in ("monthly", "quarterly"))
        assert 0.07 < sum(t.starred for t in tasks) / len(tasks) < 0.13


def test_the_states_at_today_are_a_plausible_mix(built):
    _, _, _, states = built
    share = states.group_by("state").len().with_columns(pl.col("len") / states.height).rows()
    share = dict(share)
    assert set(share) == {"done_on_time", "done_late", "open_in_time", "open_overdue"}
    assert share["done_on_time"] > 0.5                        # most done on time
    assert 0.08 < share["done_late"] < 0.3                    # some done late
    assert 0.08 < share["open_in_time"] < 0.3                 # many open within the deadline
    assert 0.01 < share["open_overdue"] < 0.06                # a few overdue
    buckets = Counter(states["bucket"].drop_nulls().to_list())
    assert set(buckets) == {"1-30", "31-60", "61-120", "120+"}
    assert 3 <= buckets["120+"] <= 15                         # a handful long overdue
    assert states.filter(pl.col("key") != "").height > 100     # recurring report tasks' instances
    # the update rate of open tasks: realistic, not all of them
    opened = states.filter(pl.col("state").is_in(["open_in_time", "open_overdue"]))
    assert 0.3 < opened["updated"].mean() < 0.75
    assert opened["due_soon"].sum() > 0
    assert states.filter(pl.col("starred") & (pl.col("state") == "open_overdue")).height > 0
    # the year-to-date counts the indicators read: an on-time rate like the Government Office's
    total = counts(states).select(pl.exclude("date", "lead_unit")).sum().row(0, named=True)
    rate = total["done_on_time"] / (total["done_on_time"] + total["done_late"] + total["open_overdue"])
    assert 0.6 < rate < 0.85


def test_lives_have_extensions_returns_and_waiting_reports(built):
    db, *_ = built
    with db.session() as s:
        events = s.execute(select(TaskEvent.id, TaskEvent.task_id, TaskEvent.instance, TaskEvent.kind,
                                  TaskEvent.decision, TaskEvent.requested, TaskEvent.granted, TaskEvent.text,
                                  TaskEvent.evidence, TaskEvent.answers).order_by(TaskEvent.at, TaskEvent.id)).all()
    kinds = Counter((e.kind, e.decision) for e in events)
    assert kinds[("extension_decision", "approved")] > 30 and kinds[("extension_decision", "refused")] > 5
    assert kinds[("acceptance", "returned")] >= 10
    assert kinds[("acceptance", "accepted")] > 0.7 * TARGET_TASKS
    assert kinds[("progress", None)] > TARGET_TASKS
    assert all(e.granted == e.requested or e.granted is not None for e in events
               if e.kind == "extension_decision" and e.decision == "approved")
    assert all(e.text for e in events if e.decision in ("refused", "returned") or e.kind == "extension_request")
    assert all(e.evidence and e.evidence[0]["number"] for e in events if e.kind == "completion")
    # some wait for the office at today: a request not decided, a report not answered
    answered = {e.answers for e in events if e.answers is not None}
    waiting = Counter(e.kind for e in events if e.kind in ("extension_request", "completion") and e.id not in answered)
    assert waiting["extension_request"] >= 1 and waiting["completion"] >= 3


def test_the_same_seed_gives_the_same_register_and_a_rebuild_starts_clean(built, tmp_path):
    db, summary, out, _ = built
    before = _snapshot(db)
    digest = hashlib.sha256((out / TASKS_FILE).read_bytes()).hexdigest()
    with db.session() as s:   # the step run again over its own output (a forced rebuild)
        again = build_demo_tasks(s, today=TODAY, seed=SEED, province="24", tree=load_units(),
                                 catalogue=current_catalogue(s, "24"), out=out)
    assert again["removed"] == TARGET_TASKS and again["created"] == TARGET_TASKS
    assert {k: v for k, v in again.items() if k != "removed"} == {k: v for k, v in summary.items() if k != "removed"}
    tasks, events = _snapshot(db)
    assert [t[:1] + t[2:] for t in tasks] == [t[:1] + t[2:] for t in before[0]]   # register codes aside
    assert events == before[1]
    assert hashlib.sha256((out / TASKS_FILE).read_bytes()).hexdigest() == digest
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(TaskChange)) == 0


def test_another_seed_gives_another_register():
    tree = load_units()
    one = plan_register(today=TODAY, seed=SEED, tree=tree)
    same = plan_register(today=TODAY, seed=SEED, tree=tree)
    other = plan_register(today=TODAY, seed=SEED + 1, tree=tree)
    assert [(p.external_id, p.content, p.lead, p.deadline_text, p.life) for p in one] == \
           [(p.external_id, p.content, p.lead, p.deadline_text, p.life) for p in same]
    assert len(other) == len(one) == TARGET_TASKS
    assert [(p.content, p.lead) for p in other] != [(p.content, p.lead) for p in one]


@pytest.mark.postgres
def test_on_postgresql_the_build_gives_the_same_register(built, postgres_schema, tmp_path):
    db, summary, _, states = built
    url, _schema = postgres_schema
    pg, again = _build(url, tmp_path / "demo")
    try:
        assert again == summary
        assert _snapshot(pg) == _snapshot(db)
        with pg.session() as s:
            on_pg = states_at(s, "24", [TODAY])
        key = ["task", "key"]
        assert on_pg.sort(key).equals(states.sort(key))
    finally:
        pg.dispose()
