"""Schemathesis over the API's own schema (``/api/v1/openapi.json``), every check, as an
administrator and as a viewer: the API answers what its schema declares.

A run is what ``st run --checks all`` does — the examples, coverage (boundary and invalid
values of every parameter: ``limit=-8.8e25``, ``until=0``…) and fuzzing phases, positive and
negative data — made in-process by Schemathesis' engine over the ASGI app
(``schemathesis.openapi.from_asgi``), deterministic (a fixed seed, ``deterministic``, no
example database) and bounded (``EXAMPLES`` per operation, no deadline). Every built-in check
runs: no server error, every status and content type declared, every body as its schema says,
the ``Allow`` of a 405, schema-valid input accepted and schema-invalid input refused (4xx).

Positive data and the rules a schema cannot state. JSON Schema states each parameter alone:
its type, range, pattern or enum. A few rules of the API relate two values, or a value and the
data (a range's first day after its last, ``from`` after ``to``, an administrator's submission
without a reason, an uploaded file's content, a username already taken), so data the schema
allows may still be refused — with 400 (or 422 for a file) and a detail naming the rule.
``RULES`` lists each such refusal by operation and words of its detail; the positive-data check
(``positive_data_acceptance``) runs with that list and nothing else is excused.

Writes. The fuzz posts whatever the schema allows (lifecycle moves, locks, accounts, tokens,
uploads). The demo site (tests/web/site.py) is shared by the whole session (``site``, a
session fixture of tests/conftest.py), so each run gets an app over a copy of its relational
store — taken before the run, one per account, so the administrator's writes reach neither
the viewer's run nor any other test. The records store (DuckDB) is only read.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
import schemathesis
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from chiso.web.app import create_app

#: Examples per operation in the fuzzing phase (the coverage phase adds its own boundary cases).
EXAMPLES = 12
SEED = 766
#: Rules of the API that its schema cannot state: (operation, status, words of the detail) → why.
RULES: dict[tuple[str, int, str], str] = {
    ("POST /api/v1/tasks", 422, "nothing was written"): "the item's content: dates, units of the province, "
                                                        "deadline words, catalogue codes (the data)",
    ("*", 400, "ends before it starts"): "a range's first day must not come after its last (two days of one "
                                          "pattern)",
    ("*", 400, "before the method's first version"): "a window ending before the index definition's first "
                                                      "version (its valid_from) has no method to score it (the data: "
                                                      "the definition's versions)",
    ("GET /api/v1/series", 400, "is after to"): "from must not be after to (two parameters)",
    ("GET /api/v1/series", 400, "a series spans at most"): "at most 106 weeks between from and to",
    ("GET /api/v1/explain", 400, "is attested by the province"): "no records behind a criterion the province "
                                                                  "attests (the index definition)",
    ("GET /api/v1/audit", 400, "is before 'since'"): "until must not be before since (two parameters)",
    ("POST /api/v1/submissions", 400, "must give a reason"): "an administrator's submission needs a reason "
                                                              "(the role)",
    ("POST /api/v1/submissions", 422, "nothing was written"): "the uploaded file's content",
    ("POST /api/v1/catalogue/imports", 422, "nothing was imported"): "the uploaded file's content",
    ("POST /api/v1/periods/{indicator}/{period}/{action}", 400, "needs a reason"): "unlocking needs a reason "
                                                                                   "(the action)",
    ("POST /api/v1/periods/{indicator}/{period}/{action}", 400, "needs a comment"): "returning needs a comment "
                                                                                    "(the action)",
    ("POST /api/v1/accounts", 400, "unknown unit code"): "unit_code must name a unit (the data)",
    ("POST /api/v1/accounts", 400, "password"): "the password policy beyond its length",
    ("POST /api/v1/accounts", 400, "already exists"): "a username already taken (the data)",
    ("PATCH /api/v1/accounts/{username}", 400, "unknown unit code"): "unit_code must name a unit (the data)",
    ("PATCH /api/v1/accounts/{username}", 400, "nothing to change"): "at least one of role, unit_code, active "
                                                                      "not null",
    ("PATCH /api/v1/accounts/{username}", 400, "your own account"): "an administrator does not demote itself",
    ("POST /api/v1/tokens", 400, "no account"): "owner must name an account (the data)",
    ("POST /api/v1/warnings/{warning_id}/assign", 400, "is not a unit of province"): "unit must name a unit of "
                                                                                     "the warning's province (the data)",
    ("POST /api/v1/warnings/{warning_id}/assign", 400, "is before today"): "the due date is today or later (the day)",
    ("POST /api/v1/warnings/{warning_id}/assign", 400, "no active account"): "username must name an account (the data)",
    ("POST /api/v1/warnings/{warning_id}/assign", 400, "is an account of"): "the person belongs to the unit (two "
                                                                            "fields)",
}


def _ruled(label: str, response) -> str | None:
    """The rule that explains this refusal of schema-valid data, if one does."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        return None
    if not isinstance(detail, str):
        return None
    for (operation, status, words), why in RULES.items():
        if operation in ("*", label) and response.status_code == status and words in detail:
            return why
    return None


@schemathesis.check
def positive_data_acceptance_but_rules(ctx, response, case):
    """``positive_data_acceptance``, except a refusal naming one of ``RULES``."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except AssertionError:
        if _ruled(case.operation.label, response) is None:
            raise
        return True


@pytest.fixture
def scratch_app(site, tmp_path) -> Iterator[object]:
    """The site's app over a copy of its relational store (the records store is shared, read)."""
    path = tmp_path / "chiso.sqlite"
    source, copy = sqlite3.connect(site.database_url.removeprefix("sqlite:///")), sqlite3.connect(path)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    app = create_app(store=site.records, tree=site.tree, database_url=f"sqlite:///{path.as_posix()}")
    yield app
    app.state.ctx.database.dispose()


def _config(token: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "seed": SEED, "workers": 1,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none",
                       "mode": "all"},
        "phases": {"stateful": {"enabled": False}},
        "checks": {"positive_data_acceptance": {"enabled": False}},
    })


def _request(case) -> str:
    parts = [f"{case.method} {case.formatted_path}"]
    for name in ("query", "body"):
        value = getattr(case, name, None)
        if value:
            parts.append(f"{name}={str(value)[:200]}")
    return " ".join(parts)


def fuzz(app, token: str) -> tuple[set[str], list[str]]:
    """(the operations tested, what failed) of one Schemathesis run over the API."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, config=_config(token))
    schema = schema.include(path_regex="^/api/v1/")
    tested, failed = set(), []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            tested.add(recorder.label)
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    case = recorder.cases[case_id].value
                    answer = recorder.interactions.get(case_id)
                    got = (f"{answer.response.status_code} {answer.response.content[:300]!r}"
                           if answer is not None and answer.response is not None else "no answer")
                    failed.append(f"{recorder.label} [{check.name}] {_request(case)} → {got}: "
                                  f"{check.failure_info.failure.title}")
        elif isinstance(event, events.NonFatalError):
            failed.append(f"{event.label}: {event.info}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    return tested, failed


@pytest.mark.slow
@pytest.mark.parametrize("who", ["quantri", "xem"])
def test_the_api_answers_what_its_schema_declares(site, scratch_app, who):
    operations = {f"{method.upper()} {path}" for path, ops in scratch_app.openapi()["paths"].items()
                  if path.startswith("/api/v1/") for method in ops}
    tested, failed = fuzz(scratch_app, site.tokens[who])
    assert tested == operations and len(operations) >= 35, sorted(operations ^ tested)
    assert not failed, f"{len(failed)} failures:\n" + "\n".join(sorted(set(failed))[:40])


def test_a_rule_excuses_only_its_own_refusal():
    class Answer:
        def __init__(self, status, detail):
            self.status_code, self._detail = status, detail

        def json(self):
            return {"detail": self._detail}

    assert _ruled("GET /api/v1/series", Answer(400, "from (2026-02-01) is after to (2026-01-01)"))
    assert _ruled("GET /api/v1/scores", Answer(400, "window '2026-03-01..2026-02-01' ends before it starts"))
    assert _ruled("GET /api/v1/scores", Answer(400, "from (2026-02-01) is after to (2026-01-01)")) is None
    assert _ruled("GET /api/v1/series", Answer(422, "from (2026-02-01) is after to (2026-01-01)")) is None
    assert _ruled("GET /api/v1/scores", Answer(400, "cannot read window 'x'")) is None
    early = ("kỳ 2021-W01 kết thúc trước ngày áp dụng phương pháp tính INDEX_766 (01/08/2022, phiên bản 2022.1): "
             "chưa có phương pháp tính cho kỳ này / the period ends before the method's first version")
    assert _ruled("GET /api/v1/levers", Answer(400, early)) and _ruled("GET /api/v1/series", Answer(400, early))
    assert _ruled("GET /api/v1/levers", Answer(404, early)) is None
