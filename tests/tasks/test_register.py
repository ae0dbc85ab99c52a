"""The register in the store, on SQLite and PostgreSQL: a generated export imported twice changes
nothing the second time (hypothesis), and the states and counts read back from the store are
the ones computed by hand."""
from __future__ import annotations

import datetime as dt
import itertools

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from chiso.collect.tasks import import_items, import_tasks
from chiso.collect.tasks.columns import HEADERS
from chiso.evaluate.tasks.register import counts, on_time_rate, states_at
from chiso.store import repo_tasks
from chiso.store.models import AuditEntry
from chiso.store.models_tasks import TaskChange
from chiso.tasks.states import Policy
from tests.collect.tasks.conftest import write_csv

D = dt.date
LEADS = ["24-STC", "Sở Nội vụ", "24-SYT", "Phường Bắc Giang", "07228"]
DEADLINES = ["", "30/11/2026", "2026-12-15", "15 ngày", "10 ngày làm việc", "hằng tháng ngày 20", "hằng quý ngày 15",
             "02/09/2026", "không thời hạn"]
_run = itertools.count()


@st.composite
def export(draw):
    """A document-management export of 1–8 tasks, as rows of text under the Vietnamese headers."""
    run = next(_run)
    rows = []
    for i in range(draw(st.integers(1, 8))):
        assigned = D(2026, 1, 1) + dt.timedelta(days=draw(st.integers(0, 240)))
        deadline = draw(st.sampled_from(DEADLINES))
        if "/" in deadline or "-" in deadline:  # a date: not before the day assigned
            deadline = (assigned + dt.timedelta(days=draw(st.integers(0, 90)))).strftime(
                draw(st.sampled_from(["%d/%m/%Y", "%Y-%m-%d"])))
        until = (assigned + dt.timedelta(days=draw(st.integers(30, 400)))).strftime("%d/%m/%Y") \
            if deadline.startswith("hằng") and draw(st.booleans()) else ""
        rows.append([f"P{run}-{i}", f"{draw(st.integers(1, 999))}/TB-UBND", assigned.strftime("%d/%m/%Y"),
                     draw(st.text("abc đươ ", max_size=20)), "UBND tỉnh", "",
                     draw(st.text("Rà soát kế hoạch ", min_size=1, max_size=40)).strip() or "Rà soát",
                     "Chủ tịch UBND tỉnh", assigned.strftime(draw(st.sampled_from(["%d/%m/%Y", "%Y-%m-%d"]))),
                     draw(st.sampled_from(LEADS)), "; ".join(draw(st.lists(st.sampled_from(LEADS), max_size=2))),
                     deadline, until, draw(st.sampled_from(["", "x", "có", "✓", "1", "không"])),
                     draw(st.sampled_from(["", "ECONOMY", "Xã hội", "hành chính công"])),
                     draw(st.sampled_from(["", "NS.THU_NSNN", "NS.THU_NSNN; HC.CAI_CACH"]))])
    return rows


def counted(db):
    with db.session() as s:
        return (len(repo_tasks.all_tasks(s, "24")), s.scalar(select(func.count()).select_from(TaskChange)),
                s.scalar(select(func.count()).select_from(AuditEntry)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=export())
def test_re_importing_the_same_file_changes_nothing(db, tree, catalogue, tmp_path, rows):
    path = write_csv(tmp_path / "export.csv", list(HEADERS), rows)
    with db.session() as s:
        first = import_tasks(s, path, province="24", tree=tree, catalogue=catalogue, by="vanphong")
    assert first.created == len(rows) and first.changed == first.unchanged == 0
    before = counted(db)
    with db.session() as s:
        snapshot = [(t.code, t.revision, t.deadline, t.co_units) for t in repo_tasks.all_tasks(s, "24")]
    with db.session() as s:
        again = import_tasks(s, path, province="24", tree=tree, catalogue=catalogue, by="someone else")
    assert (again.created, again.changed, again.unchanged, again.codes) == (0, 0, len(rows), first.codes)
    assert counted(db) == before and before[1] == 0
    with db.session() as s:
        assert [(t.code, t.revision, t.deadline, t.co_units) for t in repo_tasks.all_tasks(s, "24")] == snapshot


def _item(ext, lead, deadline, assigned=D(2026, 1, 5), starred=False):
    return {"external_id": ext, "doc_number": "12/KH-UBND", "content": f"Nhiệm vụ {ext}", "assigned_on":
            assigned.isoformat(), "lead_unit": lead, "deadline": deadline, "starred": starred}


def test_states_and_counts_from_the_store(db, tree, catalogue):
    items = [_item("A", "24-STC", "31/03/2026", starred=True), _item("B", "24-STC", "31/03/2026"),
             _item("C", "24-SNV", "31/03/2026"), _item("D", "24-SNV", ""), _item("E", "07210", "31/01/2026"),
             _item("F", "07210", "hằng quý ngày 15")]
    with db.session() as s:
        result = import_items(s, items, province="24", tree=tree, catalogue=catalogue, by="api")
        code = dict(zip("ABCDEF", result.codes, strict=True))
        ev = lambda c, kind, day, **kw: repo_tasks.add_event(  # noqa: E731
            s, repo_tasks.get_task(s, code[c]), kind, by="t", unit_code="24-STC", day=day, **kw)
        ev("A", "completion", D(2026, 3, 31))                       # on the deadline day: on time
        ev("A", "acceptance", D(2026, 4, 1), decision="accepted")
        ev("B", "completion", D(2026, 4, 1))                        # the day after: late
        ev("B", "acceptance", D(2026, 4, 2), decision="accepted")
        ev("C", "extension_request", D(2026, 3, 20), requested=D(2026, 5, 31), text="Chờ ý kiến các bộ")
        ev("C", "extension_decision", D(2026, 3, 25), decision="approved")
        ev("C", "progress", D(2026, 4, 28), percent=50)
        ev("E", "completion", D(2026, 2, 10))                       # reported, then returned: still open
        ev("E", "acceptance", D(2026, 2, 12), decision="returned", text="Thiếu số liệu")
    with db.session() as s:
        approved = states_at(s, "24", [D(2026, 4, 30)], policy=Policy(update_days=7))
        original = states_at(s, "24", [D(2026, 4, 30)], policy=Policy(against="original"))
    got = {(r["task"], r["key"]): (r["state"], r["overdue_days"], r["updated"]) for r in approved.to_dicts()}
    assert got == {
        (code["A"], ""): ("done_on_time", 0, False), (code["B"], ""): ("done_late", 1, False),
        (code["C"], ""): ("open_in_time", 0, True),    # extended to 31/05, progress 2 days ago
        (code["D"], ""): ("open_in_time", 0, False),   # no deadline
        (code["E"], ""): ("open_overdue", 87, False),  # 31/01/2026 is a Saturday: due 02/02; 87 days on 30/04
        (code["F"], "2026-Q1"): ("open_overdue", 45, False),  # due 16/03 (15/03 is a Sunday)
        (code["F"], "2026-Q2"): ("open_in_time", 0, False),
    }
    assert {r["task"]: r["state"] for r in original.to_dicts()}[code["C"]] == "open_overdue"
    per_unit = {r["lead_unit"]: r for r in counts(approved).to_dicts()}
    assert {u: (r["total"], r["done_on_time"], r["done_late"], r["open_in_time"], r["open_overdue"], r["updated"],
                r["starred_open_overdue"]) for u, r in per_unit.items()} == {
        "24-STC": (2, 1, 1, 0, 0, 0, 0), "24-SNV": (2, 0, 0, 2, 0, 1, 0), "07210": (3, 0, 0, 1, 2, 0, 0)}
    province = counts(approved.with_columns(pl.lit("24").alias("lead_unit"))).to_dicts()[0]
    assert province["total"] == sum(r["total"] for r in per_unit.values()) == 7
    assert on_time_rate(province["done_on_time"], province["done_late"], province["open_overdue"]) == 25.0
