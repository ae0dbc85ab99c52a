"""The catalogue pages: /indicators (field × group matrix, filters) and /indicators/{code}."""
from __future__ import annotations

import pytest

from chiso.catalog.indicator import Indicator
from chiso.store.repo_catalogue import current_catalogue
from chiso.web.pages.indicators import filter_indicators, fold, formula_parts
from tests.web.site import ONE_PER_ROLE as ROLES_SAMPLE


def test_fold_ignores_diacritics():
    assert fold("Tỷ lệ hồ sơ ĐÚNG HẠN") == "ty le ho so dung han"


def test_formula_references_are_linked_and_normalised():
    parts = formula_parts("KT.BAN_LE / last_year(KT.BAN_LE) × 100 − 100")
    assert "".join(p for p, _ in parts) == "KT.BAN_LE / last_year(KT.BAN_LE) * 100 - 100"
    assert [c for _, c in parts if c] == ["KT.BAN_LE", "KT.BAN_LE"]


@pytest.mark.parametrize("user", ROLES_SAMPLE)
def test_catalogue_renders_for_every_role(site, user):
    r = site.client(user).get("/indicators")
    assert r.status_code == 200, r.text
    html = r.text
    assert "Danh mục chỉ số chỉ đạo, điều hành" in html
    for field in ("Kinh tế", "Tài chính – Ngân sách nhà nước", "Đầu tư – Xây dựng", "Doanh nghiệp", "Xã hội",
                  "Hành chính công"):
        assert field in html
    assert "Chỉ số kết quả thực hiện nhiệm vụ" in html
    # live only by default: the candidate and standardised indicators are not listed
    assert f"{live_count(site)} chỉ số" in html


def live_count(site) -> int:
    """The live indicators now (111 of the 121 as imported; other tests approve a candidate)."""
    with site.db.session() as s:
        indicators = current_catalogue(s, "24").indicators.values()
        live = sum(i.live for i in indicators)
        assert 111 <= live < len(indicators) == 121
    return live


def test_matrix_counts_add_up_to_the_live_catalogue(site):
    r = site.client("lanhdao").get("/indicators")
    ctx = r.context
    assert sum(row["total"] for row in ctx["matrix"]) == ctx["matrix_total"] == live_count(site)
    assert len(ctx["matrix"]) == 6 and all(len(row["counts"]) == 5 for row in ctx["matrix"])


def test_admin_and_leader_may_see_every_state_others_may_not(site):
    assert site.client("quantri").get("/indicators", params={"all": "true"}).context["matrix_total"] == 121
    r = site.client("canbo.syt").get("/indicators", params={"all": "true"})
    assert r.status_code == 403
    assert "chỉ quản trị viên và lãnh đạo" in r.text.lower()


def test_filters_and_search_without_diacritics(site):
    c = site.client("xem")
    found = c.get("/indicators", params={"q": "ban le"}).context["indicators"]
    assert "KT.BAN_LE" in [i.code for i in found]
    owned = c.get("/indicators", params={"owner": "24-SYT"}).context["indicators"]
    assert owned and {i.owner for i in owned} == {"24-SYT"}
    both = c.get("/indicators", params={"field": "SOCIETY", "group": "output"}).context["indicators"]
    assert all(i.field == "SOCIETY" and i.group == "output" for i in both)


def test_filter_indicators_by_status():
    base = dict(name="Tỷ lệ đúng hạn", name_en="On time", definition="…", group="output", field="ADMINISTRATION",
                unit="%", source_system="S", owner="24-STC")
    live = Indicator(code="A.B", status="approved", **base)
    draft = Indicator(code="A.C", status="candidate", **base)
    assert filter_indicators([live, draft]) == [live]
    assert filter_indicators([live, draft], live_only=False, status="candidate") == [draft]
    assert filter_indicators([live, draft], q="DUNG HAN", live_only=False) == [live, draft]


@pytest.mark.parametrize("user", ROLES_SAMPLE)
def test_indicator_page_renders_for_every_role(site, user):
    r = site.client(user).get("/indicators/XH.TIEM_CHUNG")
    assert r.status_code == 200, r.text
    html = r.text
    assert "Khái niệm, mục đích" in html and "Cơ quan chủ quản" in html
    assert 'href="/indicators?owner=24-SYT"' in html
    assert "Lịch sử số liệu" in html and "Các phiên bản" in html


def test_indicator_page_has_trend_against_target_and_history(site):
    r = site.client("lanhdao").get("/indicators/KT.BAN_LE", params={"unit": "24"})
    assert r.status_code == 200
    ctx = r.context
    assert ctx["unit"] == "24" and ctx["series"]["points"]
    assert 'data-chart=' in r.text
    assert ctx["history"].transitions[0].by == "Văn phòng UBND tỉnh"
    assert ctx["used_by"] == ["KT.TANG_BAN_LE"]
    formula = site.client("lanhdao").get("/indicators/KT.TANG_BAN_LE").text
    assert '<a href="/indicators/KT.BAN_LE">KT.BAN_LE</a>' in formula


def test_an_officer_cannot_read_another_agencys_values(site):
    c = site.client("canbo.syt")
    r = c.get("/indicators/KT.BAN_LE", params={"unit": "24"})
    assert r.status_code == 403
    assert "canbo.syt" in r.text and "their own unit" in r.text
    page = c.get("/indicators/KT.BAN_LE")
    assert page.status_code == 200 and page.context["versions"] == [] and page.context["hidden_units"] == 1


def test_unknown_indicator_is_404(site):
    r = site.client("xem").get("/indicators/KHONG.CO")
    assert r.status_code == 404 and "KHONG.CO" in r.text


def test_not_signed_in_goes_to_login(site):
    r = site.client(None).get("/indicators")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_english(site):
    r = site.client("xem").get("/indicators", params={"lang": "en"})
    assert "Direction &amp; management indicators" in r.text


def test_the_matrix_counts_indicators_not_points(site):
    html = site.client("lanhdao").get("/indicators").text
    matrix = html[html.index('class="dmtable matrix"'):html.index("</table>", html.index('class="dmtable matrix"'))]
    assert "Số chỉ số" in matrix and "Tổng điểm" not in matrix
    assert "Tổng điểm" not in html
    assert "Indicators</th>" in site.client("lanhdao").get("/indicators?lang=en").text


def test_the_list_is_paged_sorted_and_filtered_by_frequency(site):
    c = site.client("lanhdao")
    first = c.get("/indicators").context
    assert first["found"] == live_count(site) and len(first["indicators"]) == 25 and first["pages"] > 1
    codes = [i.code for i in first["indicators"]]
    assert codes == sorted(codes)
    second = c.get("/indicators", params={"page": 2}).context
    assert not set(codes) & {i.code for i in second["indicators"]}
    every = []
    for page in range(1, first["pages"] + 1):
        every += [i.code for i in c.get("/indicators", params={"page": page}).context["indicators"]]
    assert len(every) == len(set(every)) == first["found"]
    backwards = c.get("/indicators", params={"sort": "-code"}).context["indicators"]
    assert [i.code for i in backwards] == sorted(every, reverse=True)[:25]
    by_owner = c.get("/indicators", params={"sort": "owner"}).context["indicators"]
    assert by_owner[0].owner != by_owner[-1].owner or len({i.owner for i in by_owner}) == 1
    monthly = c.get("/indicators", params={"frequency": "monthly"}).context
    assert monthly["found"] and all(i.frequency == "monthly" for i in monthly["indicators"])
    assert monthly["found"] < first["found"]
    assert c.get("/indicators", params={"sort": "nonsense"}).status_code == 422
    html = c.get("/indicators", params={"page": 2, "sort": "name"}).text
    assert 'rel="prev"' in html and "sort=-name" in html  # the heading reverses the order
