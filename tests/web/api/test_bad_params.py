"""Bad parameters get 400 or 422 with a reason, never a 5xx; unknown codes are refused before
anything is scored; every status the API answers is declared in its schema; the written forms
the schema states (``chiso.web.errors``: WINDOW, PERIOD, DAY) are the ones the API accepts."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import TimeoutError as PoolTimeout

from chiso.errors import WindowError
from chiso.evaluate.documents import score_document
from chiso.periods.windows import parse_window
from chiso.web.app import create_app
from chiso.web.errors import (
    COMMON,
    DAY,
    FIRST_YEAR,
    LAST_YEAR,
    PERIOD,
    STATUS,
    WINDOW,
    WRITE_ONLY,
    install_errors,
    period_label,
    window_label,
)
from chiso.web.security import sessions
from tests.web.site import WINDOW as WEEK

FORMS = settings(max_examples=300, derandomize=True, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ refused with a reason, never a 5xx
@pytest.mark.parametrize("path, params, status, words", [
    # the issue's archive limit: an integer too large for the store was a 503 "run chiso init"
    ("/api/v1/reports/24/archive", {"limit": "-88000000000000000000000000"}, 422, "greater than or equal to 1"),
    ("/api/v1/reports/24/archive", {"limit": "-8.8e25"}, 422, "integer"),
    ("/api/v1/reports/24/archive", {"limit": "0"}, 422, "greater than or equal to 1"),
    ("/api/v1/reports/archive/99999999999999999999999", {}, 422, "less than or equal to"),
    # a number is not a day (pydantic alone reads 0 as 1 January 1970)
    ("/api/v1/audit", {"until": "0"}, 422, "YYYY-MM-DD"),
    ("/api/v1/audit", {"since": "1.5e9"}, 422, "YYYY-MM-DD"),
    ("/api/v1/audit", {"until": "2026-02-30"}, 422, "YYYY-MM-DD"),
    ("/api/v1/series", {"unit": "24", "to": "9999-12-31"}, 422, "YYYY-MM-DD"),
    # windows the calendar cannot go before or after: refused before the scoring (date overflows)
    ("/api/v1/scores", {"window": "0001-W01"}, 400, "in the years 2000–2099"),
    ("/api/v1/scores", {"window": "9999-W52"}, 400, "in the years 2000–2099"),
    ("/api/v1/rank", {"window": "0001-01"}, 400, "in the years 2000–2099"),
    ("/api/v1/levers", {"unit": "24", "window": "9999-12-31"}, 400, "in the years 2000–2099"),
    ("/api/v1/reports/24", {"window": "0001"}, 400, "in the years 2000–2099"),
    ("/api/v1/scores", {"window": "2026-03-01..2026-02-01"}, 400, "ends before it starts"),
    # a reporting period is a year, quarter, month, week or day
    ("/api/v1/status", {"at": "ytd:2026-08-17"}, 400, "is not a reporting period"),
    ("/api/v1/values", {"period": "2026-01-01..2026-02-01"}, 400, "is not a reporting period"),
    # codes: letters, digits, '.', '_', '-'
    ("/api/v1/values", {"unit": "24\x00"}, 422, "String should match pattern"),
    ("/api/v1/units", {"q": "viet\x00yen"}, 422, "String should match pattern"),
    ("/api/v1/whatif", {"unit": "24", "set": "ON_TIME=2"}, 422, "String should match pattern"),
    ("/api/v1/scores", {"level": "hamlet"}, 422, "nation"),
    # names that name nothing: 404, as an unknown unit
    ("/api/v1/scores", {"province": "24-STC"}, 404, "no province with code '24-STC'"),
    ("/api/v1/rank", {"province": "99"}, 404, "no province with code '99'"),
    ("/api/v1/units", {"province": "24-STC"}, 404, "no province with code '24-STC'"),
    ("/api/v1/status", {"unit": "01"}, 404, "no unit 01 in province 24"),
    ("/api/v1/values/history", {"indicator": "NS.CHI_NSDP", "unit": "VN"}, 404, "not to the nation"),
    ("/api/v1/whatif", {"unit": "24", "set": "NOT_A_CRITERION=0.9"}, 404, "neither a criterion nor a group"),
    ("/api/v1/explain", {"unit": "24", "criterion": "NOT_A_CRITERION"}, 404, "is not a criterion"),
])
def test_a_bad_parameter_is_refused_with_its_reason(world, path, params, status, words):
    r = world.client.get(path, params=params, headers=world.auth("quantri"))
    assert r.status_code == status, r.text
    assert words in json.dumps(r.json()["detail"], ensure_ascii=False), r.text


def test_the_audit_page_takes_the_blank_days_of_its_form(site):
    with site.client("quantri") as c:
        r = c.get("/admin/audit", params={"actor": "", "since": "", "until": ""})
        assert r.status_code == 200, r.text[:300]
        assert c.get("/admin/audit", params={"until": "0"}).status_code == 422
        assert c.get("/admin/audit", params={"since": "2026-01-01", "until": "2026-01-31"}).status_code == 200


def test_a_405_allows_every_method_of_the_path(world):
    r = world.client.put("/api/v1/accounts", headers=world.auth("quantri"))
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    r = world.client.get("/api/v1/tokens/abcdef", headers=world.auth("quantri"))
    assert r.status_code == 405 and r.headers["allow"] == "DELETE"


def test_a_busy_store_is_503_with_retry_after():
    app = FastAPI()
    install_errors(app)

    @app.get("/busy")
    def busy():
        raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00")

    r = TestClient(app).get("/busy")
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    assert r.json() == {"detail": "the store is busy: every connection is in use; try again in a few seconds"}


# ------------------------------------------------------------------ unknown codes before any scoring
@pytest.fixture
def fresh(site):
    """An app over the site's stores with nothing computed yet (read-only requests only)."""
    app = create_app(store=site.records, tree=site.tree, database_url=site.database_url)
    with TestClient(app, headers=site.auth("quantri")) as client:
        yield app.state.ctx, client


@pytest.mark.parametrize("path, params", [
    ("/api/v1/reports/0", {}),
    ("/api/v1/reports/24-STC", {"format": "html"}),
    ("/api/v1/reports/0/archive", {}),
    ("/api/v1/levers", {"unit": "0"}),
    ("/api/v1/whatif", {"unit": "0", "set": "ON_TIME=0.9"}),
    ("/api/v1/whatif", {"unit": "24", "set": "NOT_A_CRITERION=0.9"}),
    ("/api/v1/series", {"unit": "0"}),
    ("/api/v1/explain", {"unit": "0", "criterion": "ON_TIME"}),
    ("/api/v1/scores", {"province": "0"}),
    ("/api/v1/rank", {"province": "0", "level": "commune"}),
])
def test_an_unknown_code_is_refused_before_anything_is_scored(fresh, path, params):
    ctx, client = fresh
    r = client.get(path, params=params)
    assert r.status_code == 404, r.text
    assert ctx.cached_scores(None) is None and ctx.cached_scores(WEEK) is None
    assert ctx.bulletins.builds == 0


# ------------------------------------------------------------------ scores: serialised once, as before
def test_scores_are_the_score_document_served_from_one_serialisation(fresh):
    ctx, client = fresh
    params = {"window": WEEK, "province": "24", "level": "department"}
    first = client.get("/api/v1/scores", params=params)
    assert first.status_code == 200
    expected = score_document(ctx.scores(WEEK), province="24", level="department")
    assert first.json() == json.loads(json.dumps(expected, allow_nan=True).replace("NaN", "null"))
    assert ctx.cached(("api.scores", WEEK, "24", "department")) is not None
    again = client.get("/api/v1/scores", params=params)
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert client.get("/api/v1/scores", params=params,
                      headers={"If-None-Match": first.headers["etag"]}).status_code == 304


# ------------------------------------------------------------------ the schema declares what the API answers
@pytest.fixture(scope="module")
def schema(site):
    return site.app.openapi()


def _operations(schema):
    for path, ops in schema["paths"].items():
        if path.startswith("/api/v1/"):
            for method, op in ops.items():
                yield path, method.upper(), op


def test_every_api_route_declares_the_errors_of_the_table(schema):
    common = {str(s) for s in COMMON}
    assert common == {"400", "401", "403", "404", "503"}
    assert {str(s) for cls, s in STATUS.items() if cls not in WRITE_ONLY} | {"401"} == common
    seen = 0
    for path, method, op in _operations(schema):
        seen += 1
        declared = set(op["responses"])
        assert common <= declared, (method, path, sorted(declared))
        body = op["responses"]["404"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/ErrorAnswer"}, (method, path)
        if method != "GET":
            assert {"409", "422"} <= declared, (method, path, sorted(declared))
    assert seen >= 35
    error = schema["components"]["schemas"]["ErrorAnswer"]
    assert error["required"] == ["detail"] and error["properties"]["detail"]["type"] == "string"


def test_reads_with_an_etag_declare_304_and_files_their_media_types(schema):
    paths = schema["paths"]
    for path in ("/api/v1/scores", "/api/v1/rank", "/api/v1/units", "/api/v1/status", "/api/v1/warnings",
                 "/api/v1/values", "/api/v1/indicators", "/api/v1/connectors", "/api/v1/series"):
        assert "304" in paths[path]["get"]["responses"], path
    files = paths["/api/v1/reports/{province}"]["get"]["responses"]["200"]["content"]
    assert {"application/pdf", "text/html"} <= set(files)
    archived = paths["/api/v1/reports/archive/{archive_id}"]["get"]["responses"]
    assert {"409", "410"} <= set(archived)


def test_the_schema_states_the_written_forms(schema):
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/scores"]["get"]["parameters"]}
    assert params["window"]["anyOf"][0]["pattern"] == WINDOW
    status = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/status"]["get"]["parameters"]}
    assert status["at"]["anyOf"][0]["pattern"] == PERIOD
    audit = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/audit"]["get"]["parameters"]}
    assert audit["until"]["anyOf"][0] == {"type": "string", "format": "date", "pattern": DAY}
    archive = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/reports/{province}/archive"]["get"]
               ["parameters"]}
    assert archive["limit"]["minimum"] == 1 and archive["limit"]["maximum"] == 1000


# ------------------------------------------------------------------ the patterns are what the API reads
@FORMS
@given(st.from_regex(WINDOW, fullmatch=True))
def test_every_window_the_pattern_allows_is_read_but_a_reversed_range(text):
    try:
        label = window_label(text)
    except WindowError as e:
        assert "ends before it starts" in str(e), text
        return
    window = parse_window(label)
    assert FIRST_YEAR <= window.start.year and window.end.year <= LAST_YEAR + 1
    window.previous()  # the window a change is measured against exists as well


@FORMS
@given(st.from_regex(PERIOD, fullmatch=True))
def test_every_period_the_pattern_allows_is_a_reporting_period(text):
    assert period_label(text) == parse_window(text).label


@FORMS
@given(st.dates(dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)), st.sampled_from(
    ["{d}", "{y}", "{y}-{m:02d}", "{y}-{m}", "{y}-Q{q}", "{y}-W{w:02d}", "{y}-w{w}", "ytd:{d}", "{d}..{e}"]))
def test_every_window_written_in_a_form_chiso_reads_is_in_the_pattern(day, form):
    y, w, _ = day.isocalendar()
    text = form.format(d=day.isoformat(), y=day.year, m=day.month, q=(day.month - 1) // 3 + 1, w=w,
                       e=min(day + dt.timedelta(days=40), dt.date(LAST_YEAR, 12, 31)).isoformat())
    if "W" in text.upper() and y != day.year:
        text = text.replace(str(day.year), str(y), 1)  # an ISO week belongs to its ISO year
    if not FIRST_YEAR <= y <= LAST_YEAR:
        return
    parse_window(text)
    assert re.fullmatch(WINDOW, text), text


@FORMS
@given(st.dates(dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)))
def test_every_day_of_the_years_is_in_the_day_pattern(day):
    assert re.fullmatch(DAY, day.isoformat())


@FORMS
@given(st.from_regex(DAY, fullmatch=True))
def test_the_day_pattern_allows_only_days(text):
    assert FIRST_YEAR <= dt.date.fromisoformat(text).year <= LAST_YEAR


def test_a_session_reads_the_same_refusals(site):
    """A browser session (not only a token) gets the same 422 for a day that is a number."""
    with TestClient(site.app) as c:
        c.cookies.set(sessions.COOKIE_NAME, site.cookie("quantri"))
        r = c.get("/api/v1/audit", params={"until": "0"})
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text


def test_the_schema_lists_the_api_alone(site) -> None:
    """Pages answer HTML to people; /api/v1/openapi.json describes the API."""
    paths = site.app.openapi()["paths"]
    assert paths and all(p.startswith("/api/v1/") for p in paths), [p for p in paths if not p.startswith("/api/")]
