"""The six-step workflow page: columns by state, moves by role with a comment, history."""
from __future__ import annotations

import pytest

from chiso.catalog.indicator import Indicator
from chiso.store.repo_catalogue import indicator_version
from chiso.web.pages.workflow import GROUP_SHOWN, PAGE_SIZE, moves_for, refusal
from chiso.web.security.deps import Principal
from tests.web.site import ONE_PER_ROLE as ROLES_SAMPLE
from tests.web.site import PAGE_CANDIDATE, csrf_of

#: Indicators of the sample catalogue no other test moves: Sở Nội vụ's PAPI (standardised),
#: Sở Tài chính's investment-promotion budget (unified).
STANDARDISED = "HC.PAPI"
UNIFIED = "DN.KP_XTDT"


def status_of(site, code: str) -> str:
    db = site.database()
    try:
        with db.session() as s:
            return indicator_version(s, code, province="24").status
    finally:
        db.dispose()


def who(role: str, unit: str = "24") -> Principal:
    return Principal(username="u", display_name="u", role=role, unit_code=unit, province_code="24")


def test_policy():
    ind = Indicator(code="A.B", name="Chỉ số", name_en="I", definition="…", group="output", field="SOCIETY",
                    unit="%", source_system="S", owner="24-SYT", status="unified")
    assert refusal(who("admin"), ind, "approved") is None
    assert refusal(who("leader"), ind, "approved") is None
    assert refusal(who("head", "24-SYT"), ind, "approved") is not None
    assert refusal(who("head", "24-SYT"), ind, "candidate") is None          # rework among early steps
    assert refusal(who("head", "24-STC"), ind, "candidate") is not None      # not the owner
    assert refusal(who("officer", "24-SYT"), ind, "candidate") is not None
    assert refusal(who("viewer"), ind, "retired") is not None


@pytest.mark.parametrize("user", ROLES_SAMPLE)
def test_workflow_renders_for_every_role(site, user):
    r = site.client(user).get("/workflow")
    assert r.status_code == 200, r.text
    assert "Quy trình 6 bước" in r.text and "5. Phê duyệt, ban hành" in r.text
    assert r.context["total"] == 121 == sum(g["count"] for g in r.context["groups"])
    may = any(g["movable"] for g in r.context["groups"])
    assert may == (user in ("quantri", "lanhdao", "giamdoc.syt"))


def indicator(site, code: str, column: str):
    """``code`` as the board shows it, in ``column`` (that state's page of the board)."""
    r = site.client("quantri").get("/workflow", params={"state": column})
    (ind,) = [c["ind"] for c in r.context["columns"][column] if c["ind"].code == code]
    return ind


def test_the_board_is_short_grouped_and_counted(site):
    r = site.client("lanhdao").get("/workflow")
    groups = {g["state"]: g for g in r.context["groups"]}
    assert list(groups) == ["needs_identified", "candidate", "standardised", "unified", "approved",
                            "in_operation", "retired"]
    assert groups["in_operation"]["count"] >= 90 and len(groups["in_operation"]["cards"]) <= GROUP_SHOWN
    assert not groups["in_operation"]["open"]  # nothing to move forward there: closed
    assert r.text.count('class="card-ind"') <= GROUP_SHOWN * len(groups)
    assert f'Xem thêm {groups["in_operation"]["count"] - GROUP_SHOWN} chỉ số ở bước này' in r.text
    one = site.client("lanhdao").get("/workflow", params={"state": "in_operation"}).context
    assert [g["state"] for g in one["groups"]] == ["in_operation"] and one["pages"] > 1
    assert len(one["groups"][0]["cards"]) == PAGE_SIZE
    last = site.client("lanhdao").get("/workflow", params={"state": "in_operation", "page": one["pages"]}).context
    assert 0 < len(last["groups"][0]["cards"]) <= PAGE_SIZE
    assert site.client("lanhdao").get("/workflow", params={"state": "nowhere"}).status_code == 400


def test_an_operating_indicator_is_never_offered_step_1_first(site):
    r = site.client("quantri").get("/workflow", params={"state": "in_operation"})
    card = r.context["groups"][0]["cards"][0]
    kinds = [m["kind"] for m in card["moves"]]
    assert kinds[0] == "rework" and card["moves"][0]["state"] == "approved"  # the nearest step back
    assert [m["state"] for m in card["moves"] if m["kind"] == "rework"] == [
        "approved", "unified", "standardised", "candidate", "needs_identified"]
    assert kinds[-1] == "retire"
    html = r.text
    first_card = html[html.index('class="card-ind"'):]
    first_card = first_card[:first_card.index("</details>")]
    assert "— Chọn thao tác —" in first_card and "Trả lại 5. Phê duyệt, ban hành để làm lại" in first_card
    assert "Chuyển tiếp" not in first_card  # no forward move from the last step


def test_the_forward_move_comes_first():
    ind = Indicator(code="A.B", name="Chỉ số", name_en="I", definition="…", group="output", field="SOCIETY",
                    unit="%", source_system="S", owner="24-SYT", status="standardised")
    moves = moves_for(who("admin"), ind)
    assert moves[0] == {"state": "unified", "kind": "forward"}
    assert [m["state"] for m in moves[1:3]] == ["candidate", "needs_identified"] and moves[-1]["kind"] == "retire"
    retired = ind.model_copy(update={"status": "retired"})
    assert [m["kind"] for m in moves_for(who("admin"), retired)] == ["restart", "restart"]


def test_filters_by_field_owner_and_state(site):
    c = site.client("xem")
    by_owner = c.get("/workflow", params={"owner": "24-SYT", "state": "in_operation"}).context
    assert by_owner["groups"][0]["cards"] and {x["ind"].owner for x in by_owner["groups"][0]["cards"]} == {"24-SYT"}
    by_field = c.get("/workflow", params={"field": "SOCIETY"}).context
    shown = [x["ind"] for g in by_field["groups"] for x in g["cards"]]
    assert shown and {i.field for i in shown} == {"SOCIETY"}
    assert by_field["total"] < 120


def test_head_proposes_leader_approves(site):
    ind = indicator(site, PAGE_CANDIDATE, "candidate")
    assert ind.owner == "24-STC"
    head = site.client("giamdoc.stc")
    token = csrf_of(head.get("/workflow").text)
    r = head.post(f"/workflow/{ind.code}/move", data={"to_state": "standardised", "comment": "", "csrf_token": token})
    assert r.status_code == 400 and "comment" in r.text
    r = head.post(f"/workflow/{ind.code}/move", data={"to_state": "standardised", "csrf_token": token,
                                                      "comment": "Đã chuẩn hoá thuộc tính với Cục Thống kê"})
    assert r.status_code == 303 and status_of(site, ind.code) == "standardised"
    leader = site.client("lanhdao")
    token = csrf_of(leader.get("/workflow").text)
    r = leader.post(f"/workflow/{ind.code}/move", data={"to_state": "unified", "comment": "thử", "csrf_token": token})
    assert r.status_code == 403 and "leader" in r.text
    assert status_of(site, ind.code) == "standardised"
    page = site.client("quantri").get(f"/indicators/{ind.code}")
    assert "Đã chuẩn hoá thuộc tính với Cục Thống kê" in page.text


def test_officer_and_wrong_owner_are_refused(site):
    ind = indicator(site, STANDARDISED, "standardised")  # both candidates may be moved on by now
    for user in ("canbo.syt", "xem"):
        c = site.client(user)
        token = csrf_of(c.get("/indicators").text)
        r = c.post(f"/workflow/{ind.code}/move", data={"to_state": "unified", "comment": "x",
                                                       "csrf_token": token})
        assert r.status_code == 403, user
    assert status_of(site, ind.code) == "standardised"


def test_move_needs_csrf(site):
    ind = indicator(site, STANDARDISED, "standardised")
    r = site.client("quantri").post(f"/workflow/{ind.code}/move", data={"to_state": "unified", "comment": "x"})
    assert r.status_code == 403 and status_of(site, ind.code) == "standardised"


def test_htmx_move_returns_the_board(site):
    r = site.client("quantri").get("/workflow")
    ind = indicator(site, UNIFIED, "unified")
    token = csrf_of(r.text)
    r = site.client("quantri").post(f"/workflow/{ind.code}/move", headers={"HX-Request": "true"},
                                    data={"to_state": "approved", "comment": "UBND tỉnh phê duyệt", "csrf_token": token})
    assert r.status_code == 200 and 'id="board"' in r.text
    assert status_of(site, ind.code) == "approved"
