"""What the task pages show (``chiso.evaluate.tasks.views``), hand-checked on a small register built
through ``repo_tasks`` (as every import and page builds it), on SQLite and PostgreSQL.

The register of province 24, looked at on 15/11/2026 (and the previous month's end, 31/10/2026):

====  ======  ==========  ==========  =========================================  =================================
task  lead    assigned    deadline    life                                       state at 15/11 (at 31/10)
====  ======  ==========  ==========  =========================================  =================================
a     24-SYT  10/01/2026  02/03/2026  nothing; starred, field ECONOMY            open overdue 258 days, > 120 (243)
b     24-SYT  01/09/2026  20/11/2026  progress 30% 01/11, 60% 10/11, 90% 16/11   open in time, due soon, updated, 60%
c     24-STC  01/02/2026  30/06/2026  completed 25/06, accepted 26/06            done on time
d     24-STC  01/02/2026  15/05/2026  completed 14/07, accepted 20/07            done late (60 days)
e     24-STC  01/03/2026  20/10/2026  nothing                                    open overdue 26 days, 1–30 (11)
f     24-SCT  01/04/2026  none        nothing; co-operating 24-SYT               open in time, no deadline
g     24-SCT  01/03/2025  30/06/2025  completed 20/06/2025, accepted             done in 2025: not counted
h     24-SCT  01/05/2026  31/08/2026  extension approved 25/08 → 31/12/2026      open in time (extended)
j     24-SCT  01/06/2026  25/10/2026  completed 05/11, accepted 06/11            done late 11 days (open overdue 6)
i     24-SYT  20/11/2026  30/11/2026  nothing                                    not yet assigned
====  ======  ==========  ==========  =========================================  =================================

Leaders: a, b, c by "Chủ tịch UBND tỉnh Nguyễn Văn A"; the others by "Phó Chủ tịch UBND tỉnh Trần Thị B".
"""
from __future__ import annotations

import datetime as dt

import pytest

from chiso.evaluate.tasks import views
from chiso.store import repo_tasks
from chiso.tasks.states import Policy

D = dt.date
AT, BEFORE = D(2026, 11, 15), D(2026, 10, 31)
POLICY = Policy("approved", 7, 7)
CHAIR, VICE = "Chủ tịch UBND tỉnh Nguyễn Văn A", "Phó Chủ tịch UBND tỉnh Trần Thị B"
SYT, STC, SCT = "24-SYT", "24-STC", "24-SCT"


def _add(s, ext, lead, assigned, deadline, *, by=VICE, content=None, province="24", **kw):
    values = {"doc_number": f"{ext.upper()}/TB-UBND", "content": content or f"Nhiệm vụ {ext}", "assigned_by": by,
              "assigned_on": assigned, "lead_unit": lead, "deadline_kind": "date" if deadline else "none",
              "deadline": deadline, **kw}
    row, _ = repo_tasks.upsert_task(s, values, province=province, source="api", by="office", external_id=ext)
    return row


def _done(s, row, completed, accepted):
    repo_tasks.add_event(s, row, "completion", by="head", unit_code=row.lead_unit, day=completed)
    repo_tasks.add_event(s, row, "acceptance", by="office", unit_code="24-VPUBND", day=accepted, decision="accepted")


@pytest.fixture
def register(db):
    with db.session() as s:
        _add(s, "a", SYT, D(2026, 1, 10), D(2026, 3, 2), by=CHAIR, starred=True, field="ECONOMY",
             content="Đầu tư nâng cấp đường giao thông liên xã")
        b = _add(s, "b", SYT, D(2026, 9, 1), D(2026, 11, 20), by=CHAIR)
        for day, pct in ((D(2026, 11, 1), 30), (D(2026, 11, 10), 60), (D(2026, 11, 16), 90)):
            repo_tasks.add_event(s, b, "progress", by="officer", unit_code=SYT, day=day, percent=pct)
        _done(s, _add(s, "c", STC, D(2026, 2, 1), D(2026, 6, 30), by=CHAIR), D(2026, 6, 25), D(2026, 6, 26))
        _done(s, _add(s, "d", STC, D(2026, 2, 1), D(2026, 5, 15)), D(2026, 7, 14), D(2026, 7, 20))
        _add(s, "e", STC, D(2026, 3, 1), D(2026, 10, 20))
        _add(s, "f", SCT, D(2026, 4, 1), None, co_units=[SYT])
        _done(s, _add(s, "g", SCT, D(2025, 3, 1), D(2025, 6, 30)), D(2025, 6, 20), D(2025, 6, 21))
        h = _add(s, "h", SCT, D(2026, 5, 1), D(2026, 8, 31))
        repo_tasks.add_event(s, h, "extension_request", by="officer", unit_code=SCT, day=D(2026, 8, 20),
                             requested=D(2026, 12, 31), text="chờ ý kiến bộ")
        repo_tasks.add_event(s, h, "extension_decision", by="office", unit_code="24-VPUBND", day=D(2026, 8, 25),
                             decision="approved")
        _done(s, _add(s, "j", SCT, D(2026, 6, 1), D(2026, 10, 25)), D(2026, 11, 5), D(2026, 11, 6))
        _add(s, "i", SYT, D(2026, 11, 20), D(2026, 11, 30))
        s.commit()
        codes = {r.external_id: r.code for r in repo_tasks.all_tasks(s, "24")}
    return db, codes


def _rows(db):
    with db.session() as s:
        return views.register_rows(s, "24", AT, policy=POLICY)


def _ids(rows, codes):
    back = {v: k for k, v in codes.items()}
    return [back[r["task"]] for r in rows]


def test_the_rows_are_the_year_to_date_population_with_progress(register):
    db, codes = register
    frame = _rows(db)
    by = {r["task"]: r for r in frame.to_dicts()}
    assert sorted(_ids(frame.to_dicts(), codes)) == ["a", "b", "c", "d", "e", "f", "h", "j"]  # not g (2025), not i
    a, b, e, h = (by[codes[k]] for k in "abeh")
    assert (a["state"], a["overdue_days"], a["bucket"], a["starred"], a["field"]) == \
        ("open_overdue", 258, "120+", True, "ECONOMY")
    assert (b["state"], b["due_soon"], b["updated"], b["percent"]) == ("open_in_time", True, True, 60)
    assert (e["state"], e["overdue_days"], e["bucket"]) == ("open_overdue", 26, "1-30")
    assert (h["state"], h["deadline"]) == ("open_in_time", D(2026, 12, 31))
    assert by[codes["d"]]["state"] == "done_late" and by[codes["d"]]["overdue_days"] == 60
    assert by[codes["j"]]["state"] == "done_late" and by[codes["j"]]["overdue_days"] == 11
    assert by[codes["f"]]["co_units"] == [SYT] and by[codes["f"]]["deadline"] is None
    assert a["assigned_by"] == CHAIR and by[codes["c"]]["percent"] is None


def test_the_list_counts_filters_sorts_and_pages(register):
    db, codes = register
    frame = _rows(db)
    everything = views.task_list(frame, views.Filters())
    assert everything["counts"] == {"done_on_time": 1, "done_late": 2, "open_in_time": 3, "open_overdue": 2}
    # most overdue first, then due soonest (no deadline last), then done late, then on time
    assert _ids(everything["paged"]["rows"], codes) == ["a", "e", "b", "h", "f", "j", "d", "c"]
    overdue = views.task_list(frame, views.Filters(state="open_overdue"))
    assert overdue["counts"] == everything["counts"]  # the counts ignore the state filter: each is a link
    assert _ids(overdue["paged"]["rows"], codes) == ["a", "e"]
    stc = views.task_list(frame, views.Filters(unit=STC))
    assert stc["counts"] == {"done_on_time": 1, "done_late": 1, "open_in_time": 0, "open_overdue": 1}
    one = lambda **f: _ids(views.task_list(frame, views.Filters(**f))["paged"]["rows"], codes)  # noqa: E731
    assert one(starred=True) == ["a"]
    assert one(bucket="1-30") == ["e"] and one(bucket="120+") == ["a"] and one(bucket="31-60") == []
    assert one(due_soon=True) == ["b"]
    assert one(leader=CHAIR) == ["a", "b", "c"]
    assert one(field="ECONOMY") == ["a"]
    assert one(q="duong GIAO thong") == ["a"]  # accents and case ignored
    assert one(q=codes["e"]) == ["e"]
    assert one(unit=SCT, state="done_late") == ["j"]
    by_progress = views.task_list(frame, views.Filters(), order="progress")["paged"]["rows"]
    assert _ids(by_progress, codes)[0] == "b"
    by_code = _ids(views.task_list(frame, views.Filters(), order="code")["paged"]["rows"], codes)
    assert by_code == sorted(by_code, key=lambda k: codes[k])
    paged = views.task_list(frame, views.Filters(), page=3, size=3)["paged"]
    assert (paged["page"], paged["pages"], paged["total"], paged["first"], paged["last"]) == (3, 3, 8, 7, 8)
    assert _ids(paged["rows"], codes) == ["d", "c"]
    assert views.task_list(frame, views.Filters(), page=99, size=3)["paged"]["page"] == 3
    assert views.leaders(frame) == [CHAIR, VICE]


def test_bad_filters_are_refused_by_name():
    with pytest.raises(ValueError, match="unknown task state"):
        views.Filters(state="late")
    with pytest.raises(ValueError, match="overdue bucket"):
        views.Filters(bucket="200+")


def test_the_gantt_rows_of_a_unit_and_of_a_leader(register):
    db, codes = register
    with db.session() as s:
        syt = views.gantt_rows(s, "24", AT, unit=SYT, policy=POLICY)
        sct = views.gantt_rows(s, "24", AT, unit=SCT, policy=POLICY)
        chair = views.gantt_rows(s, "24", AT, leader=CHAIR, policy=POLICY)
    a, b = syt["bars"]
    assert (a["task"], a["start"], a["deadline"], a["state"], a["overdue_days"], a["starred"], a["extended"]) == \
        (codes["a"], D(2026, 1, 10), D(2026, 3, 2), "open_overdue", 258, True, False)
    assert (b["task"], b["due_soon"], b["percent"]) == (codes["b"], True, 60)
    assert syt["undated"] == []
    [h] = sct["bars"]  # j is done, g too; f has no deadline
    assert (h["task"], h["start"], h["original"], h["deadline"], h["extended"]) == \
        (codes["h"], D(2026, 5, 1), D(2026, 8, 31), D(2026, 12, 31), True)
    assert [u["task"] for u in sct["undated"]] == [codes["f"]]
    assert [x["task"] for x in chair["bars"]] == [codes["a"], codes["b"]]  # c is done


def test_the_gantt_bars_of_a_recurring_task_are_its_open_instances(db):
    with db.session() as s:
        _add(s, "r", "01-SCT", D(2026, 10, 5), None, province="01", content="Báo cáo tình hình hằng tháng",
             deadline_kind="monthly", due_day=10)
        bars = views.gantt_rows(s, "01", AT, unit="01-SCT", policy=POLICY)["bars"]
    by_key = {b["key"]: b for b in bars}
    assert set(by_key) == {"2026-10", "2026-11"}
    assert by_key["2026-10"]["start"] == D(2026, 10, 5)  # assigned after its month began
    assert by_key["2026-11"]["start"] == D(2026, 11, 1)
    assert (by_key["2026-11"]["deadline"], by_key["2026-11"]["state"], by_key["2026-11"]["overdue_days"]) == \
        (D(2026, 11, 10), "open_overdue", 5)


def test_the_scoreboard_ranks_by_on_time_rate_ties_by_fewer_overdue(register):
    db, _codes = register
    with db.session() as s:
        board = views.scoreboard(s, "24", AT, BEFORE, [SYT, STC, SCT, "24-SNV"], policy=POLICY)
    rows = {r["lead_unit"]: r for r in board["rows"]}
    assert [r["lead_unit"] for r in board["rows"]] == [STC, SCT, SYT]  # 24-SNV leads nothing: not listed
    stc, sct, syt = rows[STC], rows[SCT], rows[SYT]
    assert (stc["total"], stc["done_on_time"], stc["done_late"], stc["open_in_time"], stc["open_overdue"]) == \
        (3, 1, 1, 0, 1)
    assert stc["rate"] == pytest.approx(100 / 3) and stc["due"] == 3
    # 15/11: SCT 0 % with no task overdue ranks above SYT 0 % with one overdue (31/10 they tied: both 2)
    assert (sct["rate"], sct["open_overdue"], sct["rank"], sct["before_rank"], sct["rank_change"]) == (0.0, 0, 2, 2, 0)
    assert (syt["rate"], syt["open_overdue"], syt["rank"], syt["before_rank"], syt["rank_change"]) == \
        (0.0, 1, 3, 2, -1)
    assert (stc["rank"], stc["before_rank"], stc["rank_change"], stc["rate_change"]) == (1, 1, 0, 0.0)
    assert (syt["overdue_120"], stc["overdue_120"]) == (1, 0)
    assert (syt["updated"], syt["open"], syt["update_rate"]) == (1, 2, 50.0)
    assert (sct["total"], sct["open"], sct["update_rate"]) == (3, 2, 0.0)  # f, h open; j done; g left in 2025
    assert (sct["before_open_overdue"], sct["before_done_late"]) == (1, 0)  # j was open and overdue on 31/10
    province = board["province_row"]
    assert (province["total"], province["done_on_time"], province["done_late"], province["open_overdue"]) == \
        (8, 1, 2, 2)
    assert province["rate"] == pytest.approx(20.0)  # 1 on time of 5 fallen due
    assert board["ranked"] == 3


def test_units_where_nothing_fell_due_are_not_ranked(db):
    with db.session() as s:
        _add(s, "n1", SYT, D(2026, 11, 1), D(2026, 12, 20))
        _add(s, "n2", STC, D(2026, 11, 1), D(2026, 11, 10))
        board = views.scoreboard(s, "24", AT, BEFORE, [SYT, STC], policy=POLICY)
    assert [(r["lead_unit"], r["rank"], r["rate"]) for r in board["rows"]] == [(STC, 1, 0.0), (SYT, None, None)]
    assert all(r["before_rank"] is None for r in board["rows"])  # nothing assigned by 31/10


def test_the_panels_list_the_longest_overdue_and_the_soonest_due(register):
    db, codes = register
    frame = _rows(db)
    province = views.panels(frame)
    assert [r["task"] for r in province["overdue"]] == [codes["a"], codes["e"]]
    assert [r["overdue_days"] for r in province["overdue"]] == [258, 26]
    assert (province["overdue_total"], province["long_overdue"], province["due_soon_total"]) == (2, 1, 1)
    assert [r["task"] for r in province["due_soon"]] == [codes["b"]]
    syt = views.panels(frame, lead_unit=SYT, limit=1)
    assert [r["task"] for r in syt["overdue"]] == [codes["a"]] and syt["due_soon"][0]["deadline"] == D(2026, 11, 20)
    assert views.panels(frame, lead_unit=SCT)["overdue_total"] == 0


def test_an_empty_register_shows_nothing(db):
    with db.session() as s:
        frame = views.register_rows(s, "24", AT, policy=POLICY)
        assert frame.height == 0
        assert views.task_list(frame, views.Filters())["counts"] == {
            "done_on_time": 0, "done_late": 0, "open_in_time": 0, "open_overdue": 0}
        assert views.scoreboard(s, "24", AT, BEFORE, [SYT], policy=POLICY)["rows"] == []
        assert views.gantt_rows(s, "24", AT, unit=SYT) == {"bars": [], "undated": []}
        assert views.panels(frame)["overdue"] == []


@pytest.mark.parametrize("day, before", [(D(2026, 11, 15), D(2026, 10, 31)), (D(2026, 1, 31), D(2025, 12, 31)),
                                         (D(2024, 3, 1), D(2024, 2, 29))])
def test_the_previous_month_end(day, before):
    assert views.previous_month_end(day) == before
