"""So sánh on the overview and the unit page: the national average, the province's units of the
same level, the peer provinces, the same week last year and last week — each number recomputed
here from the site's own scores (the means by hand, rounded half up), with its signed difference
(Unicode minus), its word (cao hơn / thấp hơn) and a title saying how it is computed."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import lxml.html
import polars as pl
import pytest

from chiso.evaluate.comparisons import first_record_day
from chiso.text import format_number

GROUPS = ("TRANSPARENCY", "PROGRESS", "ONLINE_SERVICE", "PAYMENT", "DIGITIZATION", "SATISFACTION")


def mean(values) -> float:
    """The mean rounded half up to two decimals, in decimal arithmetic (as the portal rounds)."""
    values = [Decimal(str(v)) for v in values]
    return float((sum(values) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def gap(a: float, b: float) -> float:
    return float((Decimal(str(a)) - Decimal(str(b))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def signed(x: float) -> str:
    text = format_number(abs(x), 2, "vi")
    return ("+" if x > 0 else "−" if x < 0 else "±") + text


def word(x: float) -> str:
    return "cao hơn" if x > 0 else "thấp hơn" if x < 0 else "bằng"


@pytest.fixture(scope="module")
def table(site, window):
    return site.app.state.ctx.scores(window)


def panel(html: str):
    doc = lxml.html.fromstring(html)
    found = doc.xpath('//section[@id="compare"]')
    assert found, "no comparisons panel on the page"
    return found[0]


def ref(section, kind: str):
    found = section.xpath(f'.//li[@data-kind="{kind}"]')
    assert found, f"no {kind} comparison"
    return found[0]


def text_of(el) -> str:
    return " ".join(el.text_content().split())


def check_number(li, value: float, difference: float, title_has: str):
    number = li.xpath('.//span[contains(@class, "compare-value")]')[0]
    assert float(number.get("data-value")) == pytest.approx(value, abs=1e-9)
    assert number.text_content().strip() == format_number(value, 2, "vi")
    assert title_has in number.get("title"), number.get("title")
    diff = li.xpath('.//span[@data-difference]')[0]
    assert float(diff.get("data-difference")) == pytest.approx(difference, abs=1e-9)
    assert diff.text_content().strip() == signed(difference)
    assert word(difference) in text_of(li.xpath('.//span[contains(@class, "compare-diff")]')[0])


def test_overview_compares_the_province(clients, table, window, site):
    r = clients["lanhdao"].get(f"/?window={window}")
    assert r.status_code == 200
    section = panel(r.text)
    assert "So sánh" in text_of(section)
    provinces = table.units.filter(pl.col("level") == "province")
    me = table.unit("24")
    week = window.split("-W")[1].lstrip("0")

    # the national average: the mean of every scored province's total in the week
    national = mean(provinces["total"].to_list())
    check_number(ref(section, "national"), national, gap(me["total"], national),
                 f"Trung bình cộng tổng điểm của {provinces.height} tỉnh, thành phố trong tuần {week}/2026")

    # peers: the provinces nearest Bắc Ninh in population among those scored (the site scores two)
    others = [c for c in provinces["unit_code"].to_list() if c != "24"]
    peer_totals = [table.unit(c)["total"] for c in others]
    peers = ref(section, "peers")
    check_number(peers, mean(peer_totals), gap(me["total"], mean(peer_totals)), "có dân số gần nhất với Bắc Ninh")
    rank = 1 + sum(t > me["total"] for t in peer_totals)
    assert f"Hạng {rank}/{len(others) + 1} trong nhóm" in text_of(peers)
    for code in others:
        assert site.tree.get(code).name in text_of(peers.xpath('.//details[contains(@class, "compare-members")]')[0])

    # last week: the table's own previous total and change
    last = ref(section, "last_period")
    assert "Tuần trước" in text_of(last)
    check_number(last, me["previous_total"], me["score_change"], f"Tổng điểm của Bắc Ninh trong tuần {int(week) - 1}/2026")

    # the same week last year: the records do not reach back, and the panel says from when they start
    first = first_record_day(site.records)
    year = ref(section, "last_year")
    assert "Cùng kỳ năm trước" in text_of(year)
    assert f"Chưa có số liệu tuần {week}/2025: dữ liệu hồ sơ chỉ có từ {first:%d/%m/%Y}." in text_of(year)
    assert not year.xpath('.//span[@data-difference]')

    # every group against the national average
    rows = section.xpath('.//table[contains(@class, "compare-groups")]/tbody/tr')
    assert [tr.get("data-group") for tr in rows] == list(GROUPS)
    for tr in rows:
        g = tr.get("data-group")
        cells = tr.xpath("./td")
        average = mean(provinces[g].to_list())
        assert cells[2].text_content().strip() == format_number(average, 2, "vi")
        assert "Trung bình cộng điểm nhóm" in cells[2].get("title")
        assert text_of(cells[3]) == f"{signed(gap(me[g], average))} {word(gap(me[g], average))}"


def test_unit_page_compares_a_department_with_its_province(clients, table, window):
    r = clients["lanhdao"].get(f"/units/24-SYT?window={window}")
    assert r.status_code == 200
    section = panel(r.text)
    me = table.unit("24-SYT")
    departments = table.units.filter((pl.col("level") == "department") & (pl.col("province_code") == "24"))
    average = mean(departments["total"].to_list())
    li = ref(section, "province")
    assert "Trung bình sở, ban, ngành trong tỉnh" in text_of(li)
    check_number(li, average, gap(me["total"], average),
                 f"Trung bình cộng tổng điểm của {departments.height} sở, ban, ngành thuộc Bắc Ninh")
    national = mean(table.units.filter(pl.col("level") == "province")["total"].to_list())
    check_number(ref(section, "national"), national, gap(me["total"], national), "tỉnh, thành phố")
    # peer groups are of provinces: a department's yardstick is its province's departments
    assert [li.get("data-kind") for li in section.xpath('.//li[@data-kind]')] == [
        "national", "province", "last_year", "last_period"]


def test_unit_page_of_a_commune_and_a_head(clients, table, window):
    """A head reads their own unit's page, its comparisons included."""
    r = clients["giamdoc.syt"].get(f"/units/24-SYT?window={window}")
    assert r.status_code == 200
    assert ref(panel(r.text), "province") is not None
    commune = table.units.filter((pl.col("level") == "commune") & (pl.col("province_code") == "24")).row(0, named=True)
    r = clients["lanhdao"].get(f"/units/{commune['unit_code']}?window={window}")
    section = panel(r.text)
    communes = table.units.filter((pl.col("level") == "commune") & (pl.col("province_code") == "24"))
    average = mean(communes["total"].to_list())
    check_number(ref(section, "province"), average, gap(commune["total"], average), "xã, phường thuộc Bắc Ninh")


def test_comparisons_in_english(clients, window):
    r = clients["lanhdao"].get(f"/?window={window}&lang=en")
    text = text_of(panel(r.text))
    for words in ("Comparisons", "National average", "Peer provinces", "Same period last year", "Last week",
                  "Group scores against the national average"):
        assert words in text, words
    assert "higher" in text or "lower" in text
    assert "cao hơn" not in text and "thấp hơn" not in text
    clients["lanhdao"].get("/?lang=vi")


def test_no_ascii_minus_in_the_panel(clients, window):
    section = panel(clients["lanhdao"].get(f"/?window={window}").text)
    for el in section.xpath('.//span[@data-difference] | .//table//td'):
        assert not el.text_content().strip().startswith("-"), el.text_content()
