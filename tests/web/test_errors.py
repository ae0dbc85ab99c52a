"""One answer per error (chiso.web.errors): the table's lookup by class hierarchy, the handlers
on a bare app, and — through the real app — the same chiso error answering the same status and
message on the JSON API and on a page (JSON there, the HTML error page here)."""
from __future__ import annotations

import inspect

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape

from chiso import errors
from chiso.errors import (
    ChisoError,
    DefinitionError,
    FormulaError,
    LoadError,
    LockedError,
    NotAllowedError,
    PredicateError,
    StoreError,
    UnknownUnitError,
    WindowError,
)
from chiso.store.repo_catalogue import current_catalogue
from chiso.units import load_units
from chiso.web.context import WebContext
from chiso.web.errors import STATUS, UNKNOWN, install_errors, status_of
from chiso.web.pages.errors import install_error_pages
from chiso.web.pages.render import mount_static
from chiso.web.security import sessions
from tests.web.site import NO_RECORDS, WINDOW

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


# ------------------------------------------------------------------ the table
@pytest.mark.parametrize("error, status", [
    (ChisoError("x"), 400), (UnknownUnitError("x"), 404), (NotAllowedError("x"), 403), (LockedError("x"), 409),
    (LoadError([]), 422), (StoreError("x"), 503),
])
def test_a_listed_class_has_its_own_status(error, status):
    assert status_of(error) == status


class GoneUnit(UnknownUnitError):
    """A subclass the table does not list."""


class StillLocked(LockedError):
    """A subclass of a listed subclass of a listed class."""


@pytest.mark.parametrize("error, status", [
    (DefinitionError("x"), 400), (PredicateError("x"), 400), (WindowError("x"), 400), (FormulaError("x"), 400),
    (GoneUnit("x"), 404), (StillLocked("x"), 409),
])
def test_a_subclass_answers_as_its_nearest_listed_parent(error, status):
    assert type(error) not in STATUS
    assert status_of(error) == status


def test_the_nearest_class_in_the_mro_wins():
    table = {ChisoError: 400, NotAllowedError: 403}
    assert status_of(LockedError("x"), table) == 403  # not listed: its parent's
    assert status_of(LockedError("x"), {**table, LockedError: 409}) == 409  # listed: its own
    assert status_of(NotAllowedError("x"), {**table, LockedError: 409}) == 403  # a parent never takes a child's


def test_an_error_outside_the_table_is_the_servers():
    assert status_of(ValueError("x")) == UNKNOWN == 500
    assert status_of(ChisoError("x"), {}) == UNKNOWN


def test_every_chiso_error_has_a_status_of_its_own_family():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, ChisoError)]
    assert len(classes) >= 10
    for cls in classes:
        assert 400 <= status_of(cls.__new__(cls)) < 600 and status_of(cls.__new__(cls)) != UNKNOWN, cls


# ------------------------------------------------------------------ the handlers on a bare app
RAISED = [ChisoError("sai dữ liệu / bad input"), UnknownUnitError("unknown unit code '99'"),
          NotAllowedError("chỉ thủ trưởng / only the head"), LockedError("kỳ đã khoá sổ / the period is locked"),
          LoadError([errors.Problem("a.csv", 2, "value", "not a number", "x")]), StoreError("run `chiso init`")]


def _probe_app(pages: bool) -> FastAPI:
    app = FastAPI()
    app.state.ctx = WebContext(records=None, tree=load_units(["24"]), definition=None, database_url=None)
    if pages:
        install_error_pages(app)
    else:
        install_errors(app)
    mount_static(app)

    @app.get("/probe/{n}")
    def page(n: int):
        raise RAISED[n]

    @app.get("/api/v1/probe/{n}")
    def api(n: int):
        raise RAISED[n]

    return app


@pytest.fixture(scope="module")
def probes():
    with TestClient(_probe_app(pages=True)) as pages, TestClient(_probe_app(pages=False)) as bare:
        yield pages, bare


@pytest.mark.parametrize("n", range(len(RAISED)))
def test_the_handlers_answer_each_error_by_its_class(probes, n):
    pages, bare = probes
    error = RAISED[n]
    for client, path, headers in ((pages, f"/api/v1/probe/{n}", HTML), (pages, f"/probe/{n}", {}),
                                  (bare, f"/probe/{n}", HTML)):
        r = client.get(path, headers=headers)
        assert r.status_code == status_of(error) and r.json() == {"detail": str(error)}, path
    r = pages.get(f"/probe/{n}", headers=HTML)
    assert r.status_code == status_of(error) and r.headers["content-type"].startswith("text/html")
    assert f'data-status="{status_of(error)}"' in r.text and str(escape(str(error))) in r.text
    fragment = pages.get(f"/probe/{n}", headers={"HX-Request": "true"})
    assert fragment.status_code == status_of(error) and "<!doctype html>" not in fragment.text
    assert 'class="error-page"' in fragment.text


# ------------------------------------------------------------------ through the real app
@pytest.fixture(scope="module")
def admin(site):
    """The demo site's app (tests/web/site.py) and an administrator's client signed in with a
    real session."""
    with TestClient(site.app, follow_redirects=False) as client:
        client.cookies.set(sessions.COOKIE_NAME, site.session_cookie("quantri"))
        yield site.app, client


def _raised(call) -> ChisoError:
    with pytest.raises(ChisoError) as caught:
        call()
    return caught.value


CASES = {  # what the error is → (the API path, the page path, how the library raises it)
    "a window chiso does not read": ("/api/v1/scores?window=2026-W99", "/rankings?window=2026-W99",
                                     lambda ctx: ctx.scores("2026-W99")),
    "a unit without a score": (f"/api/v1/levers?unit={NO_RECORDS}&window={WINDOW}",
                               f"/units/{NO_RECORDS}?window={WINDOW}",
                               lambda ctx: ctx.scores(WINDOW).unit(NO_RECORDS)),
    "a level that is not ranked": (f"/api/v1/rank?level=hamlet&window={WINDOW}",
                                   f"/rankings?level=hamlet&window={WINDOW}",
                                   lambda ctx: ctx.scores(WINDOW).ranking("hamlet")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_same_error_answers_alike_on_the_api_and_on_a_page(admin, case):
    app, client = admin
    api_path, page_path, make = CASES[case]
    error = _raised(lambda: make(app.state.ctx))
    status, message = status_of(error), str(error)
    assert status != UNKNOWN
    api = client.get(api_path, headers=HTML)  # the API keeps JSON even for a browser
    assert api.status_code == status and api.json() == {"detail": message}, api.text
    page = client.get(page_path, headers=HTML)
    assert page.status_code == status and page.headers["content-type"].startswith("text/html"), page.text[:300]
    assert page.text.lstrip().startswith("<!doctype html>") and f'data-status="{status}"' in page.text
    assert str(escape(message)) in page.text
    plain = client.get(page_path, headers={"Accept": "application/json"})  # a script asking for a page
    assert plain.status_code == status and plain.json() == {"detail": message}


def test_a_move_the_lifecycle_refuses_is_403_on_the_api_and_on_the_workflow_page(admin):
    app, client = admin
    with app.state.ctx.database.session() as s:
        ind = next(i for i in current_catalogue(s, "24").indicators.values() if i.live)
    csrf = client.get("/api/v1/me").json()["csrf_token"]
    move = {"to_state": ind.status, "comment": "thử lại / again"}  # where it is already: NotAllowedError
    api = client.post(f"/api/v1/indicators/{ind.code}/moves", json=move, headers={"X-CSRF-Token": csrf, **HTML})
    page = client.post(f"/workflow/{ind.code}/move", data={**move, "csrf_token": csrf}, headers=HTML)
    assert api.status_code == page.status_code == status_of(NotAllowedError("x")) == 403, (api.text, page.text)
    message = api.json()["detail"]
    assert "already" in message and str(escape(message)) in page.text
    assert page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/rankings?window=0001-W01", "/?window=9999-W52", "/units/24?window=0001-01",
                                  "/api/v1/scores?window=9999-W52", "/api/v1/rank?window=0001-01"])
def test_a_window_in_years_no_calendar_reaches_is_a_400_not_a_crash(admin, path: str) -> None:
    """``9999-W52`` ends after the last date there is; ``0001-W01`` begins before the first:
    refused where windows are read (chiso.periods.windows.FIRST_YEAR–LAST_YEAR), not overflowed."""
    _, client = admin
    r = client.get(path)
    assert r.status_code == 400, (path, r.status_code, r.text[:300])
    assert "1900–2999" in r.text or "2000–2099" in r.text
