"""The task API (/api/v1/tasks): the list with its filters and paging, one task with its
instances and events, create/update idempotent by external id (the office, a ``write`` token),
and the events of a task's life with the rights of the task pages and the life rules answered
409; on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

from chiso.collect.values.submit import local_today
from chiso.tasks.model import BUCKETS, EVENT_KINDS, STATES
from chiso.web.api.tasks import Bucket, EventKind, State


def item(external_id: str, **changes) -> dict:
    today = local_today()
    body = {"external_id": external_id, "doc_number": "330/TB-UBND",
            "doc_date": (today - dt.timedelta(days=5)).isoformat(),
            "doc_summary": "Thông báo kết luận của Chủ tịch UBND tỉnh", "doc_issuer": "UBND tỉnh",
            "content": "Báo cáo kết quả phòng chống dịch sốt xuất huyết", "assigned_by": "Chủ tịch UBND tỉnh",
            "assigned_on": (today - dt.timedelta(days=5)).isoformat(), "lead_unit": "24-SYT",
            "co_units": ["Sở Công Thương"], "deadline": (today + dt.timedelta(days=25)).strftime("%d/%m/%Y"),
            "starred": True}
    body.update(changes)
    return body


def test_the_literals_are_the_domains():
    assert State.__args__ == STATES
    assert Bucket.__args__ == tuple(b[0] for b in BUCKETS)
    assert EventKind.__args__ == EVENT_KINDS


def test_create_then_the_same_then_a_change(task_site, clients):
    api = clients["vanphong"]
    ext = f"API-{uuid.uuid4().hex[:8]}"
    r = api.post("/api/v1/tasks", json=item(ext), headers=task_site.auth("vanphong"))
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["result"] == "created"
    task = doc["task"]
    assert task["external_id"] == ext and task["lead_unit"] == "24-SYT" and task["co_units"] == ["24-SCT"]
    assert task["source"] == "api" and task["starred"] is True and task["revision"] == 1
    again = api.post("/api/v1/tasks", json=item(ext), headers=task_site.auth("vanphong"))
    assert again.status_code == 200 and again.json()["result"] == "unchanged"
    assert again.json()["task"]["code"] == task["code"]
    changed = api.post("/api/v1/tasks", json=item(ext, starred=False), headers=task_site.auth("vanphong"))
    assert changed.status_code == 200 and changed.json()["result"] == "changed"
    one = clients["lanhdao"].get(f"/api/v1/tasks/{task['code']}").json()
    assert one["revision"] == 2 and one["history"][0]["change"] == {"starred": [True, False]}


@pytest.mark.parametrize("username, read_only", [("canbo.syt", False), ("giamdoc.syt", False),
                                                  ("vanphong", True), ("lanhdao", True)])
def test_only_the_office_with_a_write_token_creates(task_site, username, read_only):
    ext = f"API-{uuid.uuid4().hex[:8]}"
    with task_site.client(None) as c:
        r = c.post("/api/v1/tasks", json=item(ext), headers=task_site.auth(username, read_only=read_only))
    assert r.status_code == 403


def test_a_refused_item_names_its_key(task_site):
    ext = f"API-{uuid.uuid4().hex[:8]}"
    with task_site.client(None) as c:
        r = c.post("/api/v1/tasks", json=item(ext, lead_unit="Sở Không Có", deadline="hôm qua"),
                   headers=task_site.auth("quantri"))
        assert r.status_code == 422
        doc = r.json()
        assert doc["status"] == "refused"
        assert {(p["row"], p["column"]) for p in doc["problems"]} >= {(1, "lead_unit"), (1, "deadline")}
        assert c.post("/api/v1/tasks", json={**item(ext), "colour": "red"},
                      headers=task_site.auth("quantri")).status_code == 422


def test_session_writes_need_the_csrf_token(task_site, clients):
    r = clients["vanphong"].post("/api/v1/tasks", json=item(f"API-{uuid.uuid4().hex[:8]}"))
    assert r.status_code == 403


def _event(c, site, username, code, **body):
    return c.post(f"/api/v1/tasks/{code}/events", json=body, headers=site.auth(username))


def test_the_life_of_a_task_over_the_api(task_site):
    code = task_site.task()
    today = local_today().isoformat()
    with task_site.client(None) as c:
        r = _event(c, task_site, "canbo.syt", code, kind="progress", percent=30, text="Đã triển khai",
                   evidence=[{"number": "12/BC-SYT", "date": today, "link": "https://vanban.bacninh.gov.vn/12"}])
        assert r.status_code == 201, r.text
        assert r.json()["event"]["percent"] == 30 and r.json()["state"]["state"] == "open_in_time"
        r = _event(c, task_site, "canbo.syt", code, kind="completion", text="Xong")
        assert r.status_code == 403 and "thủ trưởng" in r.json()["detail"]
        r = _event(c, task_site, "vanphong", code, kind="acceptance", decision="accepted")
        assert r.status_code == 409 and "không có báo cáo hoàn thành nào đang chờ" in r.json()["detail"]
        assert _event(c, task_site, "giamdoc.syt", code, kind="completion", text="Đã xong", day=today).status_code == 201
        r = _event(c, task_site, "vanphong", code, kind="acceptance", decision="returned")
        assert r.status_code == 409 and "lý do trả lại" in r.json()["detail"]
        r = _event(c, task_site, "giamdoc.syt", code, kind="acceptance", decision="accepted")
        assert r.status_code == 403
        r = _event(c, task_site, "vanphong", code, kind="acceptance", decision="accepted")
        assert r.status_code == 201 and r.json()["state"]["state"] == "done_on_time"
        r = _event(c, task_site, "canbo.syt", code, kind="progress", percent=100)
        assert r.status_code == 409  # accepted as done: nothing more
        doc = c.get(f"/api/v1/tasks/{code}", headers=task_site.auth("lanhdao", read_only=True)).json()
        assert [e["kind"] for e in doc["events"]] == ["progress", "completion", "acceptance"]
        assert doc["instances"][0]["state"] == "done_on_time"
        assert doc["events"][0]["evidence"][0]["number"] == "12/BC-SYT"


def test_event_refusals(task_site):
    code = task_site.task()
    tomorrow = (local_today() + dt.timedelta(days=1)).isoformat()
    with task_site.client(None) as c:
        r = c.post(f"/api/v1/tasks/{code}/events", json={"kind": "progress", "percent": 10},
                   headers=task_site.auth("canbo.syt", read_only=True))
        assert r.status_code == 403  # a read token writes nothing
        assert _event(c, task_site, "canbo.syt", code, kind="progress", percent=10, day=tomorrow).status_code == 400
        assert _event(c, task_site, "canbo.syt", code, kind="progress", instance="2026-11").status_code == 400
        assert _event(c, task_site, "canbo.syt", code, kind="progress", percent=140).status_code == 422
        assert _event(c, task_site, "canbo.syt", code, kind="progress",
                      evidence=[{"link": "javascript:alert(1)"}]).status_code == 422
        assert _event(c, task_site, "canbo.sct", code, kind="progress", percent=10).status_code == 403
        assert _event(c, task_site, "canbo.stc", code, kind="progress", percent=10).status_code == 403
        r = _event(c, task_site, "vanphong", code, kind="extension_decision", decision="approved")
        assert r.status_code == 409
        assert _event(c, task_site, "canbo.syt", code, kind="extension_request", requested=tomorrow,
                      text="Chờ số liệu").status_code == 201
        assert _event(c, task_site, "canbo.syt", code, kind="extension_request", requested=tomorrow,
                      text="Lần nữa").status_code == 409
        r = _event(c, task_site, "chanhvanphong", code, kind="extension_decision", decision="approved")
        assert r.status_code == 201 and r.json()["event"]["granted"] == tomorrow


def test_the_list_its_filters_and_rights(task_site):
    today = local_today()
    late = task_site.task(assigned_on=today - dt.timedelta(days=200), deadline=today - dt.timedelta(days=130),
                          starred=True)
    soon = task_site.task(deadline=today + dt.timedelta(days=3))
    other = task_site.task(lead_unit="24-STC", co_units=[])
    with task_site.client(None) as c:
        def codes(username: str, query: str = "") -> list[str]:
            r = c.get(f"/api/v1/tasks?limit=500{query}", headers=task_site.auth(username, read_only=True))
            assert r.status_code == 200, r.text
            return [i["code"] for i in r.json()["items"]]

        everything = codes("lanhdao")
        assert {late, soon, other} <= set(everything)
        assert everything.index(late) < everything.index(soon)  # the most overdue first
        assert late in codes("lanhdao", "&bucket=120%2B") and soon not in codes("lanhdao", "&bucket=120%2B")
        assert soon in codes("lanhdao", "&due_soon=true") and late not in codes("lanhdao", "&due_soon=true")
        assert late in codes("lanhdao", "&state=open_overdue&starred=true")
        assert other in codes("lanhdao", "&unit=24-STC") and late not in codes("lanhdao", "&unit=24-STC")
        # earlier, the late one was not late yet
        before = (today - dt.timedelta(days=150)).isoformat()
        r = c.get(f"/api/v1/tasks?limit=500&at={before}", headers=task_site.auth("xem", read_only=True)).json()
        assert next(i for i in r["items"] if i["code"] == late)["state"] == "open_in_time"
        assert soon not in [i["code"] for i in r["items"]]  # not assigned yet then
        # a head or officer: the tasks their unit leads or co-operates on
        assert late in codes("canbo.sct") and other not in codes("canbo.sct")
        assert other in codes("canbo.stc") and late not in codes("canbo.stc")
        assert {late, other} <= set(codes("vanphong"))
        page = c.get("/api/v1/tasks?limit=1&offset=1", headers=task_site.auth("lanhdao", read_only=True))
        assert len(page.json()["items"]) == 1 and page.json()["total"] == len(everything)
        assert 'rel="next"' in page.headers["link"]
        assert c.get("/api/v1/tasks?state=late", headers=task_site.auth("lanhdao", read_only=True)).status_code == 422
        assert c.get(f"/api/v1/tasks/{late}", headers=task_site.auth("canbo.stc", read_only=True)).status_code == 403
        assert c.get("/api/v1/tasks/NV-1999-00001", headers=task_site.auth("xem", read_only=True)).status_code == 404
        assert c.get("/api/v1/tasks", headers=task_site.auth("lanhdao.hn", read_only=True)).json()["items"] == []


def test_the_schema_declares_the_routes(task_site):
    with task_site.client(None) as c:
        schema = c.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/tasks"])
    assert {"409", "422", "403"} <= set(paths["/api/v1/tasks"]["post"]["responses"])
    assert {"409", "422"} <= set(paths["/api/v1/tasks/{code}/events"]["post"]["responses"])
    assert "304" in paths["/api/v1/tasks/{code}"]["get"]["responses"]
