"""Schemathesis over /api/v1/openapi.json with a signed-in administrator: no operation answers
with a server error (5xx), whatever the generated input.

The schema is loaded from the running test app (``from_asgi``) and every operation's
strategy is run with Hypothesis (the pytest plugin's fixture loader does not work under
this pytest, so the operations are walked here).
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from chiso.web.app import create_app

EXAMPLES = 12
#: The routes of chiso.web.api (other routers — bulletins, accounts, audit — are fuzzed by their own tests).
OURS = tuple(f"/api/v1/{p}" for p in ("units", "indicators", "catalogue", "values", "submissions", "periods",
                                      "warnings", "connectors", "status", "scores", "rank", "whatif", "levers",
                                      "series", "explain"))


@pytest.fixture(scope="module")
def scratch_app(site, tmp_path_factory):
    """The demo site's app over a copy of its relational store (tests/web/site.py).

    The walk posts whatever the schema allows, as an administrator (lifecycle moves, period
    locks, warning notes, imports), so it gets a store of its own: what it changes must not
    reach the other tests of the shared site. The records store is only read."""
    import sqlite3

    path = tmp_path_factory.mktemp("schemathesis") / "chiso.sqlite"
    source, copy = sqlite3.connect(site.database_url.removeprefix("sqlite:///")), sqlite3.connect(path)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return create_app(store=site.records, tree=site.tree, database_url=f"sqlite:///{path.as_posix()}")


@pytest.mark.slow
def test_no_operation_answers_with_a_server_error(world, scratch_app):
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", scratch_app)
    headers = world.auth("quantri")
    seen, errors = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(OURS):
            continue
        seen.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers=headers)
            if response.status_code >= 500:
                errors.append(f"{case.method} {case.formatted_path} {case.query or ''}: "
                              f"{response.status_code} {response.text[:300]}")

        check()
    assert len(seen) >= 20, seen
    assert not errors, "\n".join(errors[:20])
