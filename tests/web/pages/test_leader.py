"""Màn hình lãnh đạo (/leader): the headline, "Việc cần chỉ đạo" (critical warnings, long-overdue and
starred overdue tasks, DM indicators off track — counted here from the store), the comparisons on
one line each and the national map; who may open it; the nav entry; Vietnamese and English."""
from __future__ import annotations

import lxml.html
import polars as pl
import pytest

from chiso.collect.values.submit import local_today
from chiso.evaluate.dm.service import status_report
from chiso.evaluate.tasks import views as task_views
from chiso.store.repo_evaluation import list_warnings
from chiso.text import format_number
from chiso.web.pages.leader import ITEMS, OVERDUE_DAYS


def doc(html: str):
    return lxml.html.fromstring(html)


def words(el) -> str:
    return " ".join(el.text_content().split())


@pytest.fixture(scope="module")
def page(clients, window, site):
    # the off-track panel is cached five minutes (views.dm_off_track_cached): tests before this
    # module may have changed the values since it was filled, and this module counts from the store
    site.app.state.ctx.forget_values()
    r = clients["lanhdao"].get(f"/leader?window={window}")
    assert r.status_code == 200, r.text[:500]
    return doc(r.text)


def block(page, id_: str):
    found = page.xpath(f'//section[@id="{id_}"]')
    assert found, id_
    return found[0]


def count_of(section) -> int:
    return int(section.xpath('.//span[contains(@class, "ld-count")]')[0].text_content().replace(".", ""))


def test_headline(page, site, window):
    me = site.app.state.ctx.scores(window).unit("24")
    head = page.xpath('//section[contains(@class, "ld-head")]')[0]
    text = words(head)
    assert "Bắc Ninh" in text and "Tuần 34/2026 (17–23/08)" in text
    assert head.xpath('.//span[@class="ld-value"]')[0].text_content().startswith(format_number(me["total"], 2, "vi"))
    assert f"Hạng {me['rank']}/{me['peers']} cả nước" in text
    moved = me["rank_change"]
    if moved is not None:  # the change of rank in words, not an arrow alone
        assert (f"tăng {moved} bậc" if moved > 0 else f"giảm {-moved} bậc" if moved < 0 else "giữ nguyên hạng") in text
    change = me["score_change"]
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    assert f"{sign}{format_number(abs(change), 2, 'vi')} điểm so với tuần 33/2026" in text
    assert "Xếp loại" in text and me["band_label"] in text


def test_critical_warnings_needing_direction(page, site):
    with site.database().session() as s:
        critical = [w for w in list_warnings(s, "24", state="all", severity="critical") if w.state != "resolved"]
    section = block(page, "ld-warnings")
    assert "Cảnh báo nghiêm trọng chưa xử lý xong" in words(section)
    assert count_of(section) == len(critical)
    links = section.xpath('.//ul[@class="ld-items"]/li/a')
    assert len(links) == min(ITEMS, len(critical))
    ids = {f"/warnings/{w.id}": w for w in critical}
    for a in links:
        assert a.get("href") in ids
        assert words(a).startswith(" ".join(ids[a.get("href")].message_vi.split()))
    if not critical:
        assert "Không có cảnh báo nghiêm trọng nào đang mở." in words(section)


def test_tasks_overdue_long_or_starred(page, site):
    with site.database().session() as s:
        frame = task_views.register_rows(s, "24", local_today())
    due = frame.filter((pl.col("state") == "open_overdue")
                       & ((pl.col("overdue_days") > OVERDUE_DAYS) | pl.col("starred")))
    section = block(page, "ld-tasks")
    assert f"Nhiệm vụ quá hạn trên {OVERDUE_DAYS} ngày hoặc nhiệm vụ trọng tâm quá hạn" in words(section)
    assert count_of(section) == due.height
    links = section.xpath('.//ul[@class="ld-items"]/li/a')
    assert len(links) == min(ITEMS, due.height)
    longest = due.sort("overdue_days", descending=True)["overdue_days"].to_list()[:ITEMS]
    for a, days in zip(links, longest):
        assert a.get("href").startswith("/tasks/")
        assert f"quá hạn {format_number(days, 0, 'vi')} ngày" in words(a)


def test_indicators_off_track(page, site):
    with site.database().session() as s:
        off = [r for r in status_report(s, "24")["indicators"] if r["status"] == "off_track"]
    section = block(page, "ld-indicators")
    assert count_of(section) == len(off)
    links = section.xpath('.//ul[@class="ld-items"]/li/a')
    assert len(links) == min(ITEMS, len(off))
    names = {f"/indicators/{r['indicator']}": r["name"] for r in off}
    for a in links:
        assert a.get("href") in names
        assert words(a).startswith(names[a.get("href")])
        assert "chỉ tiêu" in words(a)


def test_comparisons_one_line_each_and_the_map(page):
    compare = page.xpath('//section[@id="compare"]')[0]
    assert "compare-compact" in compare.get("class")
    kinds = [li.get("data-kind") for li in compare.xpath('.//li[@data-kind]')]
    assert kinds == ["national", "peers", "last_year", "last_period"]
    assert not compare.xpath('.//table')  # the group table is the overview's
    section = page.xpath('//section[contains(@class, "ld-map")]')[0]
    assert "Bản đồ 34 tỉnh, thành phố" in words(section)
    assert section.xpath('.//*[@data-map-kind="provinces"]') or section.xpath('.//p[contains(@class, "notice")]')


def test_who_may_open_it_and_the_nav(clients, window):
    for username in ("quantri", "lanhdao"):
        html = clients[username].get(f"/?window={window}&view=province").text
        assert doc(html).xpath('//nav[@class="mainnav"]//a[@href="/leader"]'), username
    assert clients["xem"].get(f"/leader?window={window}").status_code == 200
    assert not doc(clients["xem"].get(f"/?window={window}").text).xpath('//nav[@class="mainnav"]//a[@href="/leader"]')
    for username in ("giamdoc.syt", "canbo.syt"):
        r = clients[username].get(f"/leader?window={window}")
        assert r.status_code == 403, username
        assert "màn hình lãnh đạo" in r.text
    # the overview's link to the phone view, for leaders (shown on small screens by comparisons.css)
    assert doc(clients["lanhdao"].get(f"/?window={window}").text).xpath('//p[@class="leader-phone-link"]/a[@href="/leader"]')


def test_in_english(clients, window):
    r = clients["lanhdao"].get(f"/leader?window={window}&lang=en")
    text = words(doc(r.text))
    for phrase in ("Needing direction", "Critical warnings not yet resolved", "Ranked", "Comparisons",
                   "Map of the 34 provinces"):
        assert phrase in text, phrase
    assert "Việc cần chỉ đạo" not in text
    clients["lanhdao"].get("/leader?lang=vi")
