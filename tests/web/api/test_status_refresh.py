"""/api/v1/status while another read derives the province's values: answered at once with the
last status, marked ``refreshing`` — never parked behind the derivation (chiso.web.api.status)."""
from __future__ import annotations

import threading

from chiso.web.api.status import _deriving, current_status


def test_an_unchanged_status_keeps_its_time_and_its_etag(world, site) -> None:
    c, auth, ctx = world.client, world.auth("lanhdao"), site.app.state.ctx
    settled = current_status(ctx, "24", "24", wait=300)  # derived and waited for, however loaded the machine
    again = current_status(ctx, "24", "24", wait=300)
    assert settled["refreshing"] is again["refreshing"] is False
    assert again["derived_at"] == settled["derived_at"]  # nothing changed: the same moment
    with _deriving(ctx, "24"):  # while another read derives, the answer is the last one, as it was
        first = c.get("/api/v1/status", params={"province": "24"}, headers=auth)
        second = c.get("/api/v1/status", params={"province": "24"}, headers=auth)
        assert first.status_code == second.status_code == 200
        assert first.json()["derived_at"] == second.json()["derived_at"] == settled["derived_at"]
        assert first.headers["etag"] == second.headers["etag"]
        r = c.get("/api/v1/status", params={"province": "24"},
                  headers={**auth, "If-None-Match": first.headers["etag"]})
        assert r.status_code == 304


def test_while_another_read_derives_the_last_status_is_answered_at_once(world, site) -> None:
    c, auth = world.client, world.auth("lanhdao")
    fresh = current_status(site.app.state.ctx, "24", "24", wait=300)
    lock = _deriving(site.app.state.ctx, "24")
    with lock:  # another read is deriving the province's values
        r = c.get("/api/v1/status", params={"province": "24"}, headers=auth)
    assert r.status_code == 200
    doc = r.json()
    assert doc["refreshing"] is True and doc["derived_at"] == fresh["derived_at"]
    assert doc["indicators"] == fresh["indicators"]


def test_a_question_never_answered_waits_for_the_derivation_under_way(world, site) -> None:
    c, auth = world.client, world.auth("quantri")
    lock = _deriving(site.app.state.ctx, "24")
    answers: list = []
    lock.acquire()
    try:
        reader = threading.Thread(target=lambda: answers.append(
            c.get("/api/v1/status", params={"province": "24", "unit": "24-STC", "spread": "seasonal"},
                  headers=auth)))
        reader.start()
        reader.join(1.0)
        assert reader.is_alive() and not answers  # nothing to answer with yet: it waits
    finally:
        lock.release()
    reader.join(120)
    assert answers and answers[0].status_code == 200 and answers[0].json()["refreshing"] is False


def test_a_slow_refresh_answers_the_last_status_and_lands_after(site) -> None:
    ctx = site.app.state.ctx
    first = current_status(ctx, "24", "24")
    stale = current_status(ctx, "24", "24", wait=0)  # the refresh it starts is not done at once
    assert stale["refreshing"] is True and stale["indicators"] == first["indicators"]
    with _deriving(ctx, "24"):  # the refresh it started has finished
        pass
    assert current_status(ctx, "24", "24")["refreshing"] is False
