"""What the web layer caches in memory, and when it lets go (the load aim of issue 4).

- resumed sessions, a few seconds (``sessions.ResumeCache``): revocation in the same process
  at once, elsewhere within the time to live;
- rendered page parts (``render.PageCache``): shared by viewers of the same role, province and
  unit, never their name or CSRF token; separate per language, query and viewer;
- finished answers per session (``chiso.web.hot``): served before routing, never to another
  session, with ETag/304;
- everything derived from the scores, dropped by ``forget_scores`` and by a new data stamp;
- the overview's open warnings (counts, top five), dropped when a warning is acted on;
- built bulletins per province, window, language and data stamp.
"""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from chiso.store.database import open_database
from chiso.store.models_accounts import WebSession
from chiso.store.orm import utcnow
from chiso.store.repo_evaluation import list_warnings
from chiso.store.repo_loads import record_load_batch
from chiso.web.pages import render, views
from chiso.web.security import accounts, sessions
from chiso.web.security.deps import Principal
from tests.web.site import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def ctx_of(site):
    return site.app.state.ctx


def client_for(site, username: str) -> TestClient:
    c = TestClient(site.app, follow_redirects=False)
    c.cookies.set("chiso_session", site.session_cookie(username))
    return c


@pytest.fixture(scope="module")
def second_leader(site):
    """Another leader of Bắc Ninh: the same role, province and unit as ``lanhdao``."""
    db = open_database(site.database_url)
    try:
        accounts.create_account(db, "thiết lập", username="lanhdao2", password=PASSWORD, role="leader",
                                unit_code="24", tree=site.tree, display_name="Phó Chủ tịch Trần Thị Hai")
    finally:
        db.dispose()
    return "lanhdao2"


# ------------------------------------------------------------------ sessions
def test_a_resumed_session_is_cached_for_its_time_to_live_only(site):
    from sqlalchemy import update

    clock = Clock()
    cache = sessions.ResumeCache(ttl=5, clock=clock)
    db = open_database(site.database_url)
    try:
        raw = site.session_cookie("xem")
        principal, secret = cache.resume(db, raw)
        assert principal.username == "xem" and len(cache) == 1
        with db.session() as s:  # revoked behind the cache's back (another process, the CLI)
            s.execute(update(WebSession).where(WebSession.id == sessions.session_hash(raw))
                      .values(revoked_at=utcnow()))
        assert cache.resume(db, raw) == (principal, secret)  # within the time to live: still the copy
        clock.now += 4.2
        assert cache.claim_refresh(raw) and not cache.claim_refresh(raw)  # one caller re-reads it ahead
        assert cache.refresh(db, raw) is None and cache.get(raw) is None  # … and finds it revoked
        assert cache.resume(db, raw) is None

        other = site.session_cookie("xem")
        assert cache.resume(db, other)[0].username == "xem"
        clock.now += 5.01
        assert cache.get(other) is None  # expired: the store is asked again
        assert cache.resume(db, other)[0].username == "xem"
        cache.drop(other)  # sign-out in this process: at once
        assert cache.get(other) is None
        cache.resume(db, other)
        assert cache.get(other) is None  # dropped a moment ago: not cached again within the time to live
        assert cache.resume(db, other)[0].username == "xem"
    finally:
        db.dispose()


def test_sign_out_and_a_role_change_end_the_cached_session_at_once(site):
    c = client_for(site, "xem")
    assert c.get("/api/v1/me").status_code == 200  # now cached in memory
    raw = c.cookies.get("chiso_session")
    assert ctx_of(site).sessions.get(raw) is not None
    token = c.get("/api/v1/me").json()["csrf_token"]
    assert c.post("/logout", data={"csrf_token": token}).status_code == 303
    assert ctx_of(site).sessions.get(raw) is None
    c.cookies.set("chiso_session", raw)
    assert c.get("/api/v1/me").status_code == 401
    assert c.get("/rankings").status_code == 303  # the hot path does not answer it either

    db = open_database(site.database_url)
    try:
        accounts.create_account(db, "thiết lập", username="xem.tam", password=PASSWORD, role="viewer",
                                unit_code="24", tree=site.tree)
    finally:
        db.dispose()
    viewer, admin = client_for(site, "xem.tam"), client_for(site, "quantri")
    assert viewer.get("/api/v1/me").json()["role"] == "viewer"
    h = {"X-CSRF-Token": admin.get("/api/v1/me").json()["csrf_token"]}
    assert admin.patch("/api/v1/accounts/xem.tam", headers=h, json={"active": False}).status_code == 200
    assert viewer.get("/api/v1/me").status_code == 401


# ------------------------------------------------------------------ page parts and answers
def test_pages_are_shared_by_scope_but_each_user_gets_their_name_and_csrf_token(site, window, second_leader):
    ctx = ctx_of(site)
    one, two = client_for(site, "lanhdao"), client_for(site, second_leader)
    url = f"/rankings?level=commune&window={window}&sort=score"
    ctx.pages.clear()
    ctx.hot.clear()
    first = one.get(url)
    misses = ctx.pages.misses
    second = two.get(url)
    assert first.status_code == second.status_code == 200
    assert ctx.pages.misses == misses  # the second leader got the cached parts …
    token_one, token_two = CSRF.search(first.text)[1], CSRF.search(second.text)[1]
    assert token_one != token_two
    assert "Tài khoản lanhdao" in first.text and "Phó Chủ tịch Trần Thị Hai" not in first.text
    assert "Phó Chủ tịch Trần Thị Hai" in second.text and "Tài khoản lanhdao" not in second.text
    assert token_two not in first.text and token_one not in second.text  # … never the other's token
    assert f'"X-CSRF-Token": "{token_two}"' in second.text
    main = re.compile(r'<main id="main">.*</main>', re.S)
    assert main.search(first.text)[0] == main.search(second.text)[0]  # the same table
    # the second request of a session is answered before routing, the same bytes
    hits = ctx.hot.hits
    again = two.get(url)
    assert ctx.hot.hits == hits + 1 and again.content == second.content
    assert again.headers["etag"] == second.headers["etag"] != first.headers["etag"]
    assert again.headers["cache-control"] == "private, no-cache" and again.headers["vary"] == "Cookie"
    # ETag: 304 with no body, from the hot path and from the application alike
    assert two.get(url, headers={"If-None-Match": second.headers["etag"]}).status_code == 304
    ctx.hot.clear()
    assert two.get(url, headers={"If-None-Match": second.headers["etag"]}).status_code == 304
    assert one.get(url, headers={"If-None-Match": second.headers["etag"]}).status_code == 200


def test_parts_are_cached_apart_by_language_query_and_viewer(clients, window):
    leader, officer = clients["lanhdao"], clients["canbo.syt"]
    url = f"/rankings?level=department&window={window}"
    vi = leader.get(url).text
    en = leader.get(url + "&lang=en").text
    leader.get(url + "&lang=vi")
    assert "Xếp hạng" in vi and "Rankings" in en and "Rankings" not in vi
    assert re.search(r"\b\d{1,3},\d{2}\b", vi) and re.search(r"\b\d{1,3}\.\d{2}\b", en)
    # the leader may open every department's page; the officer only their own
    assert 'href="/units/24-STC' in leader.get(url).text
    officer_page = officer.get(url).text
    assert 'href="/units/24-STC' not in officer_page and 'href="/units/24-SYT' in officer_page
    by_name = leader.get(url + "&sort=name").text
    assert by_name != leader.get(url).text  # another query, other parts
    # an HTMX request for the table gets the fragment, never the cached whole page (nor the reverse)
    fragment = leader.get(url, headers={"HX-Request": "true", "HX-Target": "ranking-table"})
    assert "<html" not in fragment.text and "<table" in fragment.text
    assert leader.get(url).text.lstrip().startswith("<!doctype html>")


def test_forget_scores_drops_scores_series_page_parts_and_answers(site, clients, window):
    ctx = ctx_of(site)
    leader = clients["lanhdao"]
    leader.get(f"/?window={window}")
    leader.get(f"/api/v1/rank?level=commune&window={window}")
    assert ctx.cached_scores(window) is not None and ctx.weekly and len(ctx.pages) and len(ctx.hot)
    assert ctx.cached(("api.rank", window, "commune", None)) is not None
    generation = ctx.generation
    ctx.forget_scores()
    assert ctx.generation == generation + 1
    assert ctx.cached_scores(window) is None and not ctx.weekly and not len(ctx.pages) and not len(ctx.hot)
    assert ctx.cached(("api.rank", window, "commune", None)) is None
    r = leader.get(f"/?window={window}")  # computed again
    assert r.status_code == 200 and ctx.cached_scores(window) is not None and len(ctx.pages)


def test_records_loaded_by_another_process_invalidate_what_was_cached(site, clients, window):
    ctx = ctx_of(site)
    leader = clients["lanhdao"]
    seconds = ctx.stamp_seconds
    ctx.stamp_seconds = 0  # ask the store on every request
    try:
        leader.get(f"/rankings?window={window}")
        generation = ctx.generation
        leader.get(f"/rankings?window={window}")
        assert ctx.generation == generation  # nothing changed
        db = open_database(site.database_url)
        try:
            with db.session() as s:  # what `chiso load` registers for every file
                record_load_batch(s, record_kind="dossiers", file_name="moi.csv", file_sha256="0" * 64, rows=1,
                                  inserted=1, loaded_by="thử")
        finally:
            db.dispose()
        r = leader.get(f"/rankings?window={window}")
        assert r.status_code == 200 and ctx.generation == generation + 1
    finally:
        ctx.stamp_seconds = seconds


# ------------------------------------------------------------------ the overview's warnings
def test_open_warnings_counts_and_top_five_match_the_warning_list(site):
    ctx = ctx_of(site)
    with ctx.database.session() as s:
        every = list_warnings(s, "24", state="open")
        theirs = list_warnings(s, "24", state="open", unit_code="24-SYT")
    assert len(every) > 5 and theirs, "the site must have open warnings to compare"
    for principal, rows in ((Principal("lanhdao", "L", "leader", "24", "24"), every),
                            (Principal("canbo.syt", "C", "officer", "24-SYT", "24"), theirs)):
        found = views.open_warnings(ctx, "24", principal)
        assert found["total"] == len(rows)
        assert found["by_severity"] == {sev: sum(r.severity == sev for r in rows)
                                        for sev in found["by_severity"]}
        assert [w["id"] for w in found["top"]] == [r.id for r in rows[:5]]


def test_the_overview_shows_the_open_warnings_and_an_acknowledgement_at_once(site, clients, window):
    ctx = ctx_of(site)
    leader, admin = clients["lanhdao"], clients["quantri"]
    with ctx.database.session() as s:
        rows = list_warnings(s, "24", state="open")
        first = rows[0]
        top_message, total = first.message_vi, len(rows)
    page = leader.get(f"/?window={window}").text
    panel = page[page.index('id="warnings-panel"'):]
    assert f"<small>{total}</small>" in panel and top_message in panel
    assert leader.get(f"/?window={window}").text == page  # cached
    token = CSRF.search(admin.get("/warnings").text)[1]
    r = admin.post(f"/warnings/{first.id}/acknowledge", data={"csrf_token": token, "note": "đã giao xử lý"})
    assert r.status_code == 303
    panel = leader.get(f"/?window={window}").text
    panel = panel[panel.index('id="warnings-panel"'):]
    assert f"<small>{total - 1}</small>" in panel  # not ten seconds later: at once


def test_the_overview_warnings_panel_expires_on_its_own(site, clients, window):
    ctx = ctx_of(site)
    leader = clients["lanhdao"]
    clock = Clock(ctx.clock())
    pages_clock, hot_clock = ctx.pages.clock, ctx.hot.clock
    ctx.pages.clock = ctx.hot.clock = clock
    ctx.pages.clear()
    ctx.hot.clear()
    try:
        leader.get(f"/?window={window}")
        live = [k for k in ctx.pages._items if k[1] == "live:warnings_panel"]
        assert len(live) == 1 and ctx.pages._items[live[0]].expires == clock.now + views.WARNINGS_SECONDS
        main = [k for k in ctx.pages._items if k[1] == "page"]
        assert ctx.pages._items[main[0]].expires == float("inf")  # the score panels stay
        clock.now += views.WARNINGS_SECONDS - render.AHEAD + 0.1
        misses = ctx.pages.misses
        leader.get(f"/?window={window}")  # one request rebuilds the live panel ahead
        assert ctx.pages._items[live[0]].expires > clock.now + render.AHEAD
        assert ctx.pages.misses == misses  # and not the rest of the page
    finally:
        ctx.pages.clock, ctx.hot.clock = pages_clock, hot_clock


# ------------------------------------------------------------------ bulletins
def test_a_bulletin_is_built_once_per_data_stamp_and_shown_in_both_languages(site, clients, window):
    ctx = ctx_of(site)
    leader = clients["lanhdao"]
    builds = ctx.bulletins.builds
    vi = leader.get(f"/reports/24?window={window}")
    assert vi.status_code == 200 and ctx.bulletins.builds == builds + 1
    again = leader.get(f"/reports/24?window={window}")
    en = leader.get(f"/reports/24?window={window}&lang=en")
    assert again.text == vi.text and en.text != vi.text
    assert ctx.bulletins.builds == builds + 1  # viewed three times, built once
    pdf = leader.get(f"/api/v1/reports/24?window={window}&format=xlsx&lang=vi")
    assert pdf.status_code == 200 and ctx.bulletins.builds == builds + 1
    db = open_database(site.database_url)
    try:
        with db.session() as s:
            record_load_batch(s, record_kind="dossiers", file_name="them.csv", file_sha256="1" * 64, rows=1,
                              inserted=1, loaded_by="thử")
    finally:
        db.dispose()
    assert leader.get(f"/reports/24?window={window}").status_code == 200
    assert ctx.bulletins.builds == builds + 2  # the data changed: built anew


def test_macros_format_in_the_pages_language(clients, window):
    """Score cards, changes and rank arrows come from macros: they format in English too."""
    leader = clients["lanhdao"]
    en = leader.get(f"/?window={window}&lang=en").text
    leader.get(f"/?window={window}&lang=vi")
    cards = en[en.index('class="cards"'):en.index('id="warnings-panel"')]
    assert "Rank " in cards and "Hạng " not in cards
    changes = re.findall(r'<span class="delta [a-z]+">([^<]+)</span>', cards)
    assert changes and all("," not in c for c in changes), changes  # 0.12, not 0,12
