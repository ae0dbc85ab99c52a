"""In headless Chromium: the task list (a state count filters it through HTMX), the Gantt chart
(ECharts draws the bars from the page's JSON, no console error under the CSP), the scoreboard, and
the overdue / due-soon panels on the agency home and the wall — at 1440×900, 390×844 (no page wider
than the phone) and 1920×1080 (the wall's screen). Screenshots under tests/artifacts/browser/.

The tasks are those of tests/web/pages/test_tasks_pages.py (``add_tasks``), all assigned by one
leader no other test uses."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.web.browser.conftest import WIDE
from tests.web.pages.test_tasks_pages import LEADER, _content, add_tasks

pytestmark = pytest.mark.browser

WALL = {"width": 1920, "height": 1080}


def _big(w, name: str) -> None:
    """A screenshot at 1920×1080, nothing wider than the screen; the desk size is restored."""
    w.page.set_viewport_size(WALL)
    w.page.wait_for_timeout(150)
    assert w.page.evaluate("document.documentElement.scrollWidth") <= WALL["width"], name
    w.screenshot(f"{name}-1920")
    w.page.set_viewport_size(WIDE)


def test_the_list_filters_by_a_state_count(site, as_user):
    tasks = add_tasks(site)
    w = as_user("quantri")
    page = w.page
    page.goto("/tasks?leader=" + quote(LEADER))
    rows = page.locator("table.tk-table tbody tr")
    assert rows.count() == 5
    assert page.locator("a.tk-count.st-open_overdue b").inner_text() == "2"
    page.locator("a.tk-count.st-open_overdue").click()
    page.wait_for_url(re.compile(r"state=open_overdue"))
    page.wait_for_function("document.querySelectorAll('table.tk-table tbody tr').length === 2")
    codes = page.locator("table.tk-table td.tk-code a").all_inner_texts()
    assert codes == [tasks[1], tasks[3]]
    assert "Đang thực hiện quá hạn" in page.locator("table.tk-table").inner_text()
    # a filter chosen next keeps the state the count chose (HTMX swaps the table and the state with it)
    page.select_option("#task-filters select[name=field]", "SOCIETY")
    page.wait_for_url(re.compile(r"field=SOCIETY"))
    page.wait_for_function("document.querySelectorAll('table.tk-table tbody tr').length === 1")
    assert "state=open_overdue" in page.url
    assert page.locator("table.tk-table td.tk-code a").all_inner_texts() == [tasks[1]]
    page.locator("a.tk-count.st-open_overdue").click()  # clicked again: the state filter is cleared
    page.wait_for_function("document.querySelectorAll('table.tk-table tbody tr').length === 1")
    page.wait_for_url(re.compile(r"^(?!.*state=open_overdue)"))
    assert page.locator("a.tk-count.st-open_overdue.active").count() == 0
    page.goto("/tasks?leader=" + quote(LEADER))
    w.shots("tasks-list")
    _big(w, "tasks-list")
    assert w.problems == [], w.problems


def test_the_gantt_chart_draws_the_bars(site, as_user):
    tasks = add_tasks(site)
    w = as_user("quantri")
    page = w.page
    page.goto("/tasks/gantt?unit=24-SYT")
    page.wait_for_selector("#gantt canvas")
    assert page.locator("#gantt").get_attribute("data-gantt-ready") == "1"
    box = page.locator("#gantt").bounding_box()
    assert box["height"] > 150, box
    page.locator("details.tk-bars summary").click()
    assert tasks[6] in page.locator("details.tk-bars table").inner_text()
    assert "gia hạn từ" in page.locator("details.tk-bars table").inner_text()
    page.locator("details.tk-bars summary").click()
    w.shots("tasks-gantt")
    _big(w, "tasks-gantt")
    assert w.problems == [], w.problems


def test_the_scoreboard_and_the_panels(site, as_user):
    add_tasks(site)
    w = as_user("quantri")
    page = w.page
    page.goto("/tasks/scoreboard")
    assert page.locator("table.tk-board tbody tr").count() >= 2
    title = page.locator("table.tk-board tbody td[title*='nhiệm vụ đã đến hạn']").first.get_attribute("title")
    assert re.fullmatch(r"\d+ nhiệm vụ hoàn thành đúng hạn trong \d+ nhiệm vụ đã đến hạn", title), title
    w.shots("tasks-scoreboard")
    _big(w, "tasks-scoreboard")
    page.goto("/wall")
    assert _content(1) in page.locator("#tasks-overdue").inner_text()
    _big(w, "tasks-wall")
    assert w.problems == [], w.problems

    head = as_user("giamdoc.syt")
    head.page.goto("/")
    overdue = head.page.locator("#tasks-overdue").inner_text()
    assert _content(1) in overdue and _content(3) not in overdue
    assert _content(2) in head.page.locator("#tasks-due-soon").inner_text()
    head.shots("tasks-home-panels")
    assert head.problems == [], head.problems

