"""The six-step workflow page: columns by state, moves by role with a comment, history."""
from __future__ import annotations

import pytest

from chiso.catalog.indicator import Indicator
from chiso.store.repo_catalogue import indicator_version
from chiso.web.pages.workflow import refusal
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
    cols = r.context["columns"]
    assert sum(len(v) for v in cols.values()) == 109
    may = any(c["moves"] for v in cols.values() for c in v)
    assert may == (user in ("quantri", "lanhdao", "giamdoc.syt"))


def indicator(site, code: str, column: str):
    """``code`` as the board shows it, in ``column``."""
    r = site.client("quantri").get("/workflow")
    (ind,) = [c["ind"] for c in r.context["columns"][column] if c["ind"].code == code]
    return ind


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
