"""Who acknowledges and resolves a warning: one rule (``principal.may_handle_warning``) for the
API and the warnings page — an administrator, or the head or an officer of the responsible
unit; leaders direct and viewers read. Every account of the demo site is asked, through
both doors, about warnings of Sở Công Thương (24-SCT) that no other test touches."""
from __future__ import annotations

import pytest

from chiso.store.repo_evaluation import warning_events
from chiso.web.api import warnings as api_warnings
from chiso.web.pages import warnings as page_warnings
from chiso.web.security import principal as principal_module
from chiso.web.security.principal import ROLES, Principal, may_handle_warning
from tests.web.site import ACCOUNTS, open_warnings

RESPONSIBLE = "24-SCT"
#: The accounts that may handle a warning of 24-SCT.
HANDLERS = {"quantri", "giamdoc.sct", "canbo.sct"}


def events(site, warning_id: int) -> list[tuple[str, str]]:
    db = site.database()
    try:
        with db.session() as s:
            return [(e.action, e.by) for e in warning_events(s, warning_id)]
    finally:
        db.dispose()


def person(role: str, unit: str) -> Principal:
    return Principal(username=f"{role}.{unit}", display_name=role, role=role, unit_code=unit,
                     province_code=unit.split("-")[0])


@pytest.mark.parametrize("role", ROLES)
def test_the_rule(role):
    own, other = person(role, RESPONSIBLE), person(role, "24-STC")
    province = person(role, "24")
    expected = {"admin": (True, True, True), "head": (True, False, False), "officer": (True, False, False),
                "leader": (False, False, False), "viewer": (False, False, False)}[role]
    assert tuple(may_handle_warning(p, RESPONSIBLE) for p in (own, other, province)) == expected


def test_the_api_and_the_page_ask_the_same_function():
    assert api_warnings.may_handle_warning is page_warnings.may_handle_warning is principal_module.may_handle_warning
    from chiso.web.security import followup
    for rule in ("may_handle", "may_assign", "may_comment", "may_read_warning"):
        assert getattr(api_warnings, rule) is getattr(page_warnings, rule) is getattr(followup, rule), rule


@pytest.mark.parametrize("role", ROLES)
def test_the_follow_up_rules(role):
    """Assign: leaders and administrators; handle: the responsible or the assigned unit;
    comment: who assigns or handles; read: the province's readers and the units concerned."""
    from chiso.store.models_evaluation import WarningFollowup, WarningRow
    from chiso.web.security.followup import may_assign, may_comment, may_handle, may_read_warning

    row = WarningRow(unit_code="24", responsible_unit=RESPONSIBLE)
    given = WarningFollowup(action="assign", unit_code="24-STC")
    own, assigned, other = person(role, RESPONSIBLE), person(role, "24-STC"), person(role, "24-SYT")
    assert may_assign(own) == (role in ("admin", "leader"))
    agency = role in ("head", "officer")
    assert may_handle(assigned, row, given) == (role == "admin" or agency)
    assert may_handle(assigned, row) == (role == "admin")  # not given to them: only the responsible unit
    assert may_handle(other, row, given) == (role == "admin")
    assert may_comment(assigned, row, given) == (role != "viewer")
    assert may_comment(other, row, given) == (role in ("admin", "leader"))
    assert may_read_warning(assigned, row, given) and may_read_warning(own, row)
    assert may_read_warning(other, row, given) == (role in ("admin", "leader", "viewer"))


def csrf(client) -> str:
    return client.get("/api/v1/me").json()["csrf_token"]


def test_every_account_gets_the_same_answer_from_the_api_and_the_page(site):
    wids = open_warnings(site, RESPONSIBLE)
    assert len(wids) >= 4, "the rules opened warnings for Sở Công Thương's indicators"
    refused_wid = wids[1]
    before = events(site, refused_wid)
    for username, (role, unit) in ACCOUNTS.items():
        c = site.client(username)
        token = csrf(c)
        page = c.get(f"/warnings/{refused_wid}")
        forms = f'action="/warnings/{refused_wid}/acknowledge"' in page.text
        if page.status_code == 200:  # readers see the forms exactly when they may act
            assert forms == (username in HANDLERS), username
        else:  # another agency's head or officer, another province's leader: not even shown
            assert username not in HANDLERS and page.status_code in (403, 404), (username, page.status_code)
        if username in HANDLERS:
            continue
        # through the API with the session (so that the scope of a token is not what refuses)
        api = c.post(f"/api/v1/warnings/{refused_wid}/acknowledge", json={"note": "thử"},
                     headers={"X-CSRF-Token": token})
        assert api.status_code == 403, (username, api.status_code, api.text)
        form = c.post(f"/warnings/{refused_wid}/acknowledge", data={"note": "thử", "csrf_token": token})
        assert form.status_code in (403, 404), (username, form.status_code)
        if role in ("leader", "viewer") and unit == "24":  # they read it: refused by the rule itself
            assert "head or an officer of the responsible unit" in api.json()["detail"], api.text
            assert "leaders direct" in api.json()["detail"]
            assert "lãnh đạo chỉ đạo" in form.text and RESPONSIBLE in form.text
    assert events(site, refused_wid) == before  # nobody refused changed it


def test_the_handlers_act_through_either_door(site):
    wids = open_warnings(site, RESPONSIBLE)
    first, second = wids[2], wids[3]
    officer, head, admin = (site.client(u) for u in ("canbo.sct", "giamdoc.sct", "quantri"))
    # the officer acknowledges through the API with a token, the head resolves on the page
    r = officer.post(f"/api/v1/warnings/{first}/acknowledge", json={"note": "Đã tiếp nhận, giao phòng rà soát"},
                     headers=site.auth("canbo.sct"))
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    r = head.post(f"/warnings/{first}/resolve", data={"note": "Đã bổ sung số liệu", "csrf_token": csrf(head)})
    assert r.status_code == 303
    assert events(site, first)[-2:] == [("acknowledge", "canbo.sct"), ("resolve", "giamdoc.sct")]
    # the administrator acknowledges on the page and resolves through the API with the session
    r = admin.post(f"/warnings/{second}/acknowledge", data={"note": "Theo dõi", "csrf_token": csrf(admin)})
    assert r.status_code == 303
    r = admin.post(f"/api/v1/warnings/{second}/resolve", json={"note": "Đã xử lý"},
                   headers={"X-CSRF-Token": csrf(admin)})
    assert r.status_code == 200 and r.json()["state"] == "resolved"
    # a leader follows them up: reads both, acknowledges and resolves neither (they comment,
    # and a resolved warning is not assigned any more)
    leader = site.client("lanhdao")
    for wid in (first, second):
        assert leader.get(f"/api/v1/warnings/{wid}").status_code == 200
        page = leader.get(f"/warnings/{wid}")
        assert page.status_code == 200
        for verb in ("acknowledge", "resolve", "assign"):
            assert f'action="/warnings/{wid}/{verb}"' not in page.text
        assert f'action="/warnings/{wid}/comments"' in page.text
