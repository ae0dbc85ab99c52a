"""The task pages (``chiso.web.pages.tasks``) over the one demo site, for each role: the list with
its filters, counts, sorting and rights; the Gantt chart's data; the scoreboard; the overdue and
due-soon panels on the overview, the agency home and the wall.

Five tasks are added to the site's register through ``repo_tasks`` (external ids ``P3-…``, all
assigned by one leader no other test uses, so the list filtered by that leader shows them alone):

=====  ======  ==========  ==========  ========================================  ================
id     lead    assigned    deadline    life                                      today
=====  ======  ==========  ==========  ========================================  ================
P3-1   24-SYT  02/01/2025  03/02/2025  starred                                   open overdue
P3-2   24-SYT  today − 10  today + 2   progress 40 %                             open, due soon
P3-3   24-STC  02/01/2025  03/03/2025                                            open overdue
P3-4   24-SCT  02/01/2025  none        co-operating: 24-SYT                      open in time
P3-5   24-STC  02/01/2025  31/12/2025  completed 20/12/2025, accepted 22/12      done in 2025
P3-6   24-SYT  today − 90  today − 20  extension to today + 30 approved today − 22  open in time
=====  ======  ==========  ==========  ========================================  ================
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
from urllib.parse import quote

import pytest

from chiso.collect.values.submit import local_today
from chiso.evaluate.tasks import views as task_views
from chiso.store import repo_tasks
from chiso.web.pages.tasks import PANELS_KEY

LEADER = "Phó Chủ tịch UBND tỉnh Kiểm Thử Ba"
BY_LEADER = "/tasks?leader=" + quote(LEADER)
D = dt.date


def _content(n: int) -> str:
    return {1: "P3 kiểm thử: quá hạn rất lâu của Sở Y tế", 2: "P3 kiểm thử: sắp đến hạn của Sở Y tế",
            3: "P3 kiểm thử: quá hạn của Sở Tài chính", 4: "P3 kiểm thử: Sở Công Thương chủ trì, Sở Y tế phối hợp",
            5: "P3 kiểm thử: đã xong năm 2025", 6: "P3 kiểm thử: được gia hạn của Sở Y tế"}[n]


@pytest.fixture(scope="module")
def tasks(site):
    return add_tasks(site)


def add_tasks(site) -> dict[int, str]:
    """n → code of the six tasks ``P3-n`` (added once; a second call finds them by external id);
    the site's cached panels and pages are dropped."""
    today = local_today()
    specs = {
        1: ("24-SYT", D(2025, 1, 2), D(2025, 2, 3), {"starred": True, "field": "SOCIETY"}),
        2: ("24-SYT", today - dt.timedelta(days=10), today + dt.timedelta(days=2), {}),
        3: ("24-STC", D(2025, 1, 2), D(2025, 3, 3), {}),
        4: ("24-SCT", D(2025, 1, 2), None, {"co_units": ["24-SYT"]}),
        5: ("24-STC", D(2025, 1, 2), D(2025, 12, 31), {}),
        6: ("24-SYT", today - dt.timedelta(days=90), today - dt.timedelta(days=20), {}),
    }
    codes = {}
    db = site.database()
    try:
        with db.session() as s:
            for n, (lead, assigned, deadline, extra) in specs.items():
                values = {"doc_number": f"{n}/TB-UBND", "doc_date": assigned, "content": _content(n),
                          "assigned_by": LEADER, "assigned_on": assigned, "lead_unit": lead,
                          "deadline_kind": "date" if deadline else "none", "deadline": deadline, **extra}
                row, how = repo_tasks.upsert_task(s, values, province="24", source="api", by="p3-test",
                                                  external_id=f"P3-{n}")
                codes[n] = row.code
                if how == "created" and n == 2:
                    repo_tasks.add_event(s, row, "progress", by="canbo.syt", unit_code=lead,
                                         day=today - dt.timedelta(days=1), percent=40)
                if how == "created" and n == 5:
                    repo_tasks.add_event(s, row, "completion", by="giamdoc.stc", unit_code=lead, day=D(2025, 12, 20))
                    repo_tasks.add_event(s, row, "acceptance", by="quantri", unit_code="24-VPUBND",
                                         day=D(2025, 12, 22), decision="accepted")
                if how == "created" and n == 6:
                    repo_tasks.add_event(s, row, "extension_request", by="canbo.syt", unit_code=lead,
                                         day=today - dt.timedelta(days=25), requested=today + dt.timedelta(days=30),
                                         text="chờ ý kiến của Bộ Y tế")
                    repo_tasks.add_event(s, row, "extension_decision", by="quantri", unit_code="24-VPUBND",
                                         day=today - dt.timedelta(days=22), decision="approved")
            s.commit()
    finally:
        db.dispose()
    site.app.state.ctx.forget_short(PANELS_KEY)  # the panels read anew, the pages built from them dropped
    return codes


def _listed(text: str) -> set[str]:
    return set(re.findall(r'<td class="tk-code"><a href="/tasks/([^"?]+)', text))


@pytest.mark.parametrize("username, seen", [
    ("quantri", {1, 2, 3, 4, 6}), ("lanhdao", {1, 2, 3, 4, 6}), ("xem", {1, 2, 3, 4, 6}),
    ("giamdoc.syt", {1, 2, 4, 6}), ("canbo.syt", {1, 2, 4, 6})])
def test_each_role_lists_the_tasks_it_may_read(clients, tasks, username, seen):
    r = clients[username].get(BY_LEADER)
    assert r.status_code == 200, r.text[:500]
    assert _listed(r.text) == {tasks[n] for n in seen}
    assert "Đang thực hiện quá hạn" in r.text and "Nhiệm vụ được giao" in r.text
    whole = username in ("quantri", "lanhdao", "xem")
    assert ('<select name="unit">' in r.text) == whole  # a head or officer reads their unit's only
    if not whole:
        assert "Anh/chị xem các nhiệm vụ Sở Y tế chủ trì hoặc phối hợp." in r.text


def test_the_list_shows_each_row_and_counts_by_state(clients, tasks):
    r = clients["quantri"].get(BY_LEADER)
    text = r.text
    counts = dict(re.findall(r'class="tk-count st-(\w+)[^"]*"[^>]*>\s*<b>(\d+)</b>', text))
    assert counts == {"done_on_time": "0", "done_late": "0", "open_in_time": "3", "open_overdue": "2"}
    row = re.search(rf'<tr class="tk-row st-row-open_overdue">\s*<td class="tk-code"><a href="/tasks/{tasks[1]}">'
                    r'.*?</tr>', text, re.S).group(0)
    assert "★" in row and "03/02/2025" in row and "Sở Y tế" in row and _content(1) in html.unescape(row)
    overdue = (local_today() - D(2025, 2, 3)).days
    assert re.search(r'<b class="down">' + re.escape(f"{overdue:,}".replace(",", ".")) + "</b>", row), row
    soon = re.search(rf'<td class="tk-code"><a href="/tasks/{tasks[2]}">.*?</tr>', text, re.S).group(0)
    assert "sắp đến hạn" in soon and "40%" in soon
    # the default order: most overdue first, then due soonest, no deadline last
    order = re.findall(r'<td class="tk-code"><a href="/tasks/([^"?]+)', text)
    assert order == [tasks[1], tasks[3], tasks[2], tasks[6], tasks[4]]


def test_the_filters_narrow_the_list(clients, tasks):
    c = clients["quantri"]
    assert _listed(c.get(BY_LEADER + "&state=open_overdue").text) == {tasks[1], tasks[3]}
    assert _listed(c.get(BY_LEADER + "&unit=24-STC").text) == {tasks[3]}
    assert _listed(c.get(BY_LEADER + "&starred=1").text) == {tasks[1]}
    assert _listed(c.get(BY_LEADER + "&due_soon=1").text) == {tasks[2]}
    assert _listed(c.get(BY_LEADER + "&bucket=120%2B").text) == {tasks[1], tasks[3]}
    assert _listed(c.get(BY_LEADER + "&field=SOCIETY").text) == {tasks[1]}
    assert _listed(c.get(BY_LEADER + "&q=" + quote("cong thuong")).text) == {tasks[4]}
    # as at the end of 2025: the 2025 completion counts, the task assigned last week does not exist yet
    end_2025 = c.get(BY_LEADER + "&at=2025-12-31")
    assert _listed(end_2025.text) == {tasks[1], tasks[3], tasks[4], tasks[5]}  # not 2, 6: assigned later
    assert "Tính đến ngày 31/12/2025" in end_2025.text and "Hoàn thành đúng hạn" in end_2025.text
    assert _listed(c.get(BY_LEADER + "&at=31/12/2025&state=done_on_time").text) == {tasks[5]}
    by_code = re.findall(r'<td class="tk-code"><a href="/tasks/([^"?]+)', c.get(BY_LEADER + "&sort=code").text)
    assert by_code == sorted(by_code)


def test_htmx_gets_the_table_alone(clients, tasks):
    r = clients["quantri"].get(BY_LEADER + "&state=open_overdue",
                               headers={"HX-Request": "true", "HX-Target": "task-table"})
    assert r.status_code == 200 and "<html" not in r.text[:400].lower()
    assert _listed(r.text) == {tasks[1], tasks[3]} and "tk-counts" in r.text


@pytest.mark.parametrize("query, word", [("state=late", "state"), ("bucket=7", "bucket"), ("at=31-12-2025", "at"),
                                          ("sort=size", "sort"), ("field=SPACE", "field")])
def test_bad_filters_are_refused_with_their_name(clients, tasks, query, word):
    r = clients["quantri"].get("/tasks?" + query)
    assert r.status_code == 400, r.status_code
    assert word in r.text


def test_the_gantt_chart_of_a_unit_carries_its_open_tasks(clients, tasks):
    r = clients["quantri"].get("/tasks/gantt?unit=24-SYT")
    assert r.status_code == 200
    data = json.loads(html.unescape(re.search(r"data-gantt='(.*?)'", r.text, re.S).group(1)))
    mine = {row["href"].split("/")[-1]: row for row in data["rows"]}
    assert {tasks[1], tasks[2], tasks[6]} <= set(mine) and tasks[3] not in mine
    one = mine[tasks[1]]
    assert (one["start"], one["deadline"], one["state"], one["starred"]) == \
        ("2025-01-02", "2025-02-03", "open_overdue", True)
    assert one["label"].startswith("★ ") and data["today"] == local_today().isoformat()
    extended = mine[tasks[6]]
    today = local_today()
    assert (extended["original"], extended["deadline"], extended["extended"], extended["state"]) == \
        ((today - dt.timedelta(days=20)).isoformat(), (today + dt.timedelta(days=30)).isoformat(), True, "open_in_time")
    assert '<script src="/static/tasks.js" defer></script>' in r.text and "data-gantt='" in r.text
    # the task without a deadline is listed under the chart, not drawn
    sct = clients["quantri"].get("/tasks/gantt?unit=24-SCT").text
    assert "không có thời hạn (không vẽ trên biểu đồ)" in sct and _content(4) in html.unescape(sct)
    by_leader = clients["quantri"].get("/tasks/gantt?leader=" + quote(LEADER)).text
    assert tasks[3] in by_leader and "Chọn một đơn vị" not in by_leader


def test_the_gantt_chart_asks_whose_tasks_and_shows_a_head_their_own(clients, tasks):
    assert "Chọn một đơn vị chủ trì hoặc một người giao" in clients["lanhdao"].get("/tasks/gantt").text
    own = clients["canbo.syt"].get("/tasks/gantt").text
    assert tasks[1] in own and tasks[3] not in own
    assert tasks[3] not in clients["canbo.syt"].get("/tasks/gantt?unit=24-STC").text  # not theirs to read


def test_the_scoreboard_shows_the_counts_and_says_what_the_rate_is(site, clients, tasks):
    r = clients["giamdoc.syt"].get("/tasks/scoreboard?level=department")
    assert r.status_code == 200, r.text[:300]
    text = html.unescape(r.text)
    today = local_today()
    db = site.database()
    try:
        with db.session() as s:
            board = task_views.scoreboard(s, "24", today, task_views.previous_month_end(today),
                                          [u.code for u in site.tree.units("24", "department")])
    finally:
        db.dispose()
    syt = next(row for row in board["rows"] if row["lead_unit"] == "24-SYT")
    assert syt["open_overdue"] >= 1 and syt["rank"] is not None
    assert f"{syt['done_on_time']} nhiệm vụ hoàn thành đúng hạn trong {syt['due']} nhiệm vụ đã đến hạn" in text
    assert '<tr data-unit="24-SYT" class="mine">' in r.text  # the head's own agency is marked
    assert "Toàn tỉnh" in text and "Tỷ lệ cập nhật tiến độ" in text
    end_2025 = html.unescape(clients["quantri"].get("/tasks/scoreboard?window=2025").text)
    assert "đến ngày 31/12/2025, so với ngày 30/11/2025" in end_2025
    assert "Năm 2025" in end_2025


@pytest.mark.parametrize("query", ["level=province", "window=2099", "period=2026-13", "window=2026-11-03"])
def test_the_scoreboard_refuses_what_it_cannot_count(clients, tasks, query):
    assert clients["quantri"].get("/tasks/scoreboard?" + query).status_code == 400


def test_the_panels_on_the_overview_the_agency_home_and_the_wall(clients, tasks):
    overview = html.unescape(clients["quantri"].get("/").text)
    assert "Nhiệm vụ quá hạn" in overview and "Sắp đến hạn" in overview
    assert _content(1) in overview and _content(2) in overview
    home = html.unescape(clients["giamdoc.syt"].get("/").text)
    assert 'id="tasks-overdue"' in home and _content(1) in home and _content(3) not in home
    assert _content(2) in home and "còn 2 ngày" in home
    wall = html.unescape(clients["lanhdao"].get("/wall").text)
    assert _content(1) in wall and 'id="tasks-due-soon"' in wall
    fragment = clients["lanhdao"].get("/wall?fragment=1").text  # the board the wall reloads every minute
    assert 'id="tasks-overdue"' in fragment


def test_the_pages_speak_english_on_request(site, tasks):
    c = site.client("xem")
    listed = c.get(BY_LEADER + "&lang=en").text
    assert "Assigned tasks" in listed and "Open and overdue" in listed and "03/02/2025" not in listed
    assert "3 Feb 2025" in listed
    board = html.unescape(c.get("/tasks/scoreboard?lang=en").text)
    assert "tasks done on time of" in board and "Whole province" in board
    assert "Task Gantt chart" in c.get("/tasks/gantt?lang=en&unit=24-SYT").text
