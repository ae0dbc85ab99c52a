"""The bad-file corpus (``tests/files/corpus.py``) through the commands and the API.

For each case: a refusal — the CLI exits 2 and prints the problem naming the file (as it was
given), the row, the column and the reason; the API answers 4xx (never 5xx) with the same
problem under the uploaded file's own name, not a temporary path — and every store as it
was (``conftest.snapshot``); or an acceptance, and what was stored, in NFC. Every case runs
on SQLite + DuckDB, a representative subset on PostgreSQL too.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from chiso.cli.app import app
from chiso.store.database import open_database
from chiso.store.models_values import IndicatorValue
from chiso.store.records import open_records
from chiso.store.repo_catalogue import current_catalogue
from tests.files.conftest import snapshot
from tests.files.corpus import ADMIN, AS_UNIT, CASES, OFFICER, Accepted, Case, Entry, Record, Refused, Value
from tests.web.site import csrf_of

runner = CliRunner()

#: How each target is sent from the command line and over the API (path, who).
COMMANDS = {
    "load": lambda name: ["load", name, "--by", "kiểm thử"],
    "values": lambda name: ["values", "submit", name, "--as", AS_UNIT, "--by", OFFICER],
    "catalog": lambda name: ["catalog", "import", name, "--by", ADMIN],
}
ENDPOINTS = {"values": ("/api/v1/submissions", OFFICER), "catalog": ("/api/v1/catalogue/imports", ADMIN)}
ACCEPTED_STATUS = {"values": 201, "catalog": 200}


def params(cases: tuple[Case, ...], api: bool) -> list:
    out = []
    for case in cases:
        if api and case.target not in ENDPOINTS:
            continue
        bug = [pytest.mark.xfail(strict=True, reason=case.known_bug)] if case.known_bug else []
        out.append(pytest.param(case, "sqlite", id=f"{case.target}-{case.id}-sqlite", marks=bug))
        if case.postgres:
            out.append(pytest.param(case, "postgresql", id=f"{case.target}-{case.id}-postgresql",
                                    marks=[pytest.mark.postgres, *bug]))
    return out


def place(name: str, row: int | None, column: str | None) -> str:
    """How ``chiso.errors.Problem`` begins: ``chi.csv, row 2, column 'value': ``."""
    return name + (f", row {row}" if row is not None else "") + (f", column {column!r}" if column else "") + ": "


def flat(text: str) -> str:
    return " ".join(text.split())


def unchanged(before: dict[str, int], after: dict[str, int]) -> None:
    """The data as it was; at most one refusal registered (a values file judged, then refused)."""
    registered = {k: after[k] - before[k] for k in before if k.startswith("refusals.")}
    data = {k: (before[k], after[k]) for k in before if not k.startswith("refusals.") and before[k] != after[k]}
    assert data == {}, f"the store changed: {data}"
    assert all(0 <= n <= 1 for n in registered.values()), registered
    assert set(before) == set(after)


def check_stored(stored, database_url: str, records_url: str | None) -> None:
    """What an accepted file must have written, its texts in NFC."""
    for item in stored:
        if isinstance(item, Record):
            with open_records(records_url) as records:
                where = " AND ".join(f'"{k}" = ${i}' for i, k in enumerate(item.key, 1))
                [row] = records.fetch(item.kind, where, list(item.key.values()))
            text = row[item.field]
        else:
            db = open_database(database_url)
            try:
                with db.session() as s:
                    if isinstance(item, Value):
                        [row] = s.scalars(select(IndicatorValue).where(
                            IndicatorValue.indicator == item.indicator, IndicatorValue.unit_code == item.unit,
                            IndicatorValue.period == item.period, IndicatorValue.breakdown == ""))
                        assert row.value == item.value
                        text = row.note
                    else:
                        assert isinstance(item, Entry)
                        text = current_catalogue(s, "24").indicators[item.code].name
            finally:
                db.dispose()
        expected = item.note if isinstance(item, Value) else item.text if isinstance(item, Record) else item.name
        assert unicodedata.is_normalized("NFC", expected)
        assert text == expected and unicodedata.is_normalized("NFC", text)


# ------------------------------------------------------------------ the commands
def invoke(case: Case, name: str):
    return runner.invoke(app, COMMANDS[case.target](name))


@pytest.mark.parametrize("case, backend", params(CASES, api=False))
def test_the_command(case: Case, backend: str, stores, tmp_path: Path, monkeypatch) -> None:
    for key, value in {**stores.env, **case.env}.items():
        monkeypatch.setenv(key, value)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / case.name).write_bytes(case.data())
    monkeypatch.chdir(inbox)  # the file is named as it was given: its own name
    before = stores.snapshot()
    result = invoke(case, case.name)
    outcome = case.outcome
    if isinstance(outcome, Accepted):
        assert result.exit_code == 0, result.output
        check_stored(outcome.stored, stores.database_url, stores.records_url)
        if outcome.unchanged:
            assert stores.snapshot() == before
        if outcome.again is not None:
            (inbox / case.name).write_bytes(outcome.again())
            again = invoke(case, case.name)
            assert again.exit_code == 0, again.output
            assert stores.snapshot() == before
        return
    assert result.exit_code == 2, result.output
    said = flat(result.stderr)
    assert said.startswith("error: refused"), said[:300]
    problems = [flat(line.strip()[2:]) for line in result.stderr.splitlines() if line.strip().startswith("- ")]
    assert problems and all(p.startswith(case.name) for p in problems), problems[:5]
    where = place(case.name, outcome.row, outcome.column)
    found = [p for p in problems if p.startswith(where) and all(w in p for w in outcome.words)]
    assert found, f"no problem {where}… with {outcome.words}; the problems: {problems[:5]}"
    if outcome.at_least is not None:
        assert f"at least {outcome.at_least} problems" in said, said[:300]
        assert len(problems) == outcome.at_least
    unchanged(before, stores.snapshot())


# ------------------------------------------------------------------ the API
def upload(api, case: Case, data: bytes):
    path, who = ENDPOINTS[case.target]
    return api.client.post(path, headers=api.auth(who), files={"file": (case.name, data, "application/octet-stream")})


@pytest.mark.parametrize("case, backend", params(CASES, api=True))
def test_the_api(case: Case, backend: str, api, monkeypatch) -> None:
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    before = api.snapshot()
    r = upload(api, case, case.data())
    outcome = case.outcome
    if isinstance(outcome, Accepted):
        assert r.status_code == ACCEPTED_STATUS[case.target], r.text
        check_stored(outcome.stored, api.database_url, None)
        if outcome.unchanged:
            assert api.snapshot() == before
        if outcome.again is not None:
            again = upload(api, case, outcome.again())
            assert again.status_code == ACCEPTED_STATUS[case.target], again.text
            assert api.snapshot() == before
        return
    assert 400 <= r.status_code < 500 and r.status_code == outcome.status, r.text
    doc = r.json()
    assert doc["status"] == "refused" and doc["detail"].startswith(case.name), doc["detail"][:300]
    problems = doc["problems"]
    assert problems and all(p["file"] == case.name for p in problems), [p["file"] for p in problems][:5]
    found = [p for p in problems if p["row"] == outcome.row and p["column"] == outcome.column
             and all(w in p["reason"] for w in outcome.words)]
    assert found, f"no problem at row {outcome.row}, column {outcome.column!r} with {outcome.words}: {problems[:5]}"
    if outcome.code is not None and "code" in found[0]:
        assert found[0]["code"] == outcome.code
        assert found[0]["reason_vi"] and found[0]["reason_vi"] != found[0]["reason"]
    if outcome.at_least is not None:
        assert len(problems) == outcome.at_least and doc["total"] >= outcome.at_least
    unchanged(before, api.snapshot())


# ------------------------------------------------------------------ the submission page
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.known_bug)]
                                               if c.known_bug else []) for c in CASES if c.target == "values"])
def test_the_page(case: Case, corpus_site, monkeypatch) -> None:
    """The values cases through the submission page (signed in, with the form's CSRF token):
    a refusal — whatever the API's status for it — is shown in the page with its problems
    under the file's own name, and nothing is written."""
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    officer = corpus_site.client(OFFICER)
    before = snapshot(corpus_site.database_url)

    def send(data: bytes):
        token = csrf_of(officer.get("/submissions").text)
        return officer.post("/submissions", data={"csrf_token": token},
                            files={"file": (case.name, data, "application/octet-stream")})

    r = send(case.data())
    outcome = case.outcome
    if isinstance(outcome, Accepted):
        assert r.status_code == 200 and not r.context["refused"], r.text[:500]
        check_stored(outcome.stored, corpus_site.database_url, None)
        if outcome.unchanged:
            assert snapshot(corpus_site.database_url) == before
        if outcome.again is not None:
            again = send(outcome.again())
            assert again.status_code == 200 and not again.context["refused"]
            assert snapshot(corpus_site.database_url) == before
        return
    assert r.status_code == 200 and r.context["refused"], r.text[:300]
    problems = r.context["problems"]
    assert problems and all(p.file == case.name for p in problems), [p.file for p in problems][:5]
    found = [p for p in problems if p.row == outcome.row and p.column == outcome.column
             and all(w in p.reason for w in outcome.words)]
    assert found, f"no problem at row {outcome.row}, column {outcome.column!r} with {outcome.words}: {problems[:5]}"
    assert case.name in r.text and "bị từ chối" in r.text
    if outcome.at_least is not None:
        assert len(problems) == outcome.at_least
    unchanged(before, snapshot(corpus_site.database_url))


def test_the_corpus_is_large_and_every_case_is_named_once() -> None:
    ids = [(c.target, c.id) for c in CASES]
    assert len(ids) == len(set(ids))
    runs = len(params(CASES, api=False)) + len(params(CASES, api=True))
    assert runs >= 80 and {c.target for c in CASES} == {"load", "values", "catalog"}
    assert all(isinstance(c.outcome, Refused | Accepted) for c in CASES)


# ------------------------------------------------------------------ what the values API adds to a refusal
def values_case(case_id: str) -> Case:
    return next(c for c in CASES if c.target == "values" and c.id == case_id)


@pytest.mark.parametrize("case_id, code", [("cp1258", "file.encoding"), ("xlsx-bomb", "file.ratio"),
                                           ("json-deep", "file.depth"), ("ragged", "row.cells"),
                                           ("too-many-rows", "file.rows")])
@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_file_the_reader_refuses_gets_its_code_and_vietnamese_reason_too(case_id: str, code: str, backend: str,
                                                                           api, monkeypatch) -> None:
    case = values_case(case_id)
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    r = upload(api, case, case.data())
    assert r.status_code == 422
    [p] = r.json()["problems"]
    assert p["code"] == (case.outcome.code or code) == code
    assert p["reason_vi"] and p["reason_vi"] != p["reason"]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_values_api_says_when_checking_stopped_early(backend: str, api, monkeypatch) -> None:
    case = values_case("many-problems")
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    r = upload(api, case, case.data())
    assert r.status_code == 422 and len(r.json()["problems"]) == case.outcome.at_least
    doc = r.json()
    assert doc["at_least"] is True and doc["total"] >= len(doc["problems"])
