"""A stale records source on the warnings centre, in Vietnamese first (issue 15): a records
connector that never brought data, judged stale by collection, raised by the rules and listed
by the page, the warning's own page, the API (by its subject), and the open warnings the wall's ticker runs through.

The site is this module's own (its record store, SQLite register and accounts): the shared demo
site's warnings are counted by other tests and must not change under them.
"""
from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chiso.collect.connectors import add_connector
from chiso.evaluate.dm.service import refresh_warnings
from chiso.store.database import init_store
from chiso.store.records import open_records
from chiso.store.repo_catalogue import import_catalogue
from chiso.store.repo_evaluation import list_warnings
from chiso.units import load_units
from chiso.web.app import create_app
from chiso.web.pages import views
from chiso.web.security import accounts, sessions
from chiso.web.security.principal import Principal

CATALOGUE = Path(__file__).parents[3] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"
PASSWORD = "Mật-khẩu-thử-2026!"


@dataclass
class Site:
    client: TestClient
    warning: object


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("stale-records")
    tree = load_units()
    records = open_records(f"duckdb:///{(folder / 'records.duckdb').as_posix()}")
    url = f"sqlite:///{(folder / 'chiso.sqlite').as_posix()}"
    db = init_store(url)
    now = dt.datetime.now(dt.UTC)
    with db.session() as s:
        import_catalogue(s, CATALOGUE, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2026, 1, 2))
        # registered three days ago and never run: its cursor never moved, past its stale_after of a day
        add_connector(s, {}, tree, name="motcua-paknh", kind="http", as_unit="24-VPUBND",
                      source="Hệ thống phản ánh, kiến nghị",
                      config={"url": "http://motcua.example.vn/api/paknh", "target": "records", "kind": "petitions",
                              "stale_after": "1d"},
                      indicators=[], schedule="1h", now=now - dt.timedelta(days=3))
    with db.session() as s:
        refresh_warnings(s, "24", today=now.date(), units=tree)
        (warning,) = [w for w in list_warnings(s, "24") if w.rule == "stale_records_source"]
        s.expunge(warning)
    accounts.create_account(db, "thiết lập", username="lanhdao", password=PASSWORD, role="leader",
                            unit_code="24", tree=tree, display_name="Lãnh đạo tỉnh")
    account = accounts.sign_in(db, "lanhdao", PASSWORD, "127.0.0.1")
    cookie = sessions.sign_in(db, account, "127.0.0.1")
    app = create_app(store=records, tree=tree, database_url=url)
    try:
        with TestClient(app, follow_redirects=False) as client:
            client.cookies.set("chiso_session", cookie)
            yield Site(client, warning)
    finally:
        db.dispose()
        records.close()


def text_of(page) -> str:
    assert page.status_code == 200, page.text[:500]
    return html.unescape(page.text)


def test_the_warning_is_raised_about_petitions_of_the_index(site):
    w = site.warning
    assert (w.severity, w.state, w.indicator, w.unit_code, w.responsible_unit, w.field) == (
        "warning", "open", "INDEX_766.petitions", "24-VPUBND", "24-VPUBND", "ADMINISTRATION")
    assert w.message_vi.startswith("Chỉ số chất lượng phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg) — "
                                   "phản ánh, kiến nghị của Văn phòng Ủy ban nhân dân tỉnh: nguồn motcua-paknh "
                                   "(Hệ thống phản ánh, kiến nghị) không cập nhật, quá 1 ngày không nhận được "
                                   "dữ liệu mới; chưa nhận được dữ liệu nào; chưa lần chạy nào thành công.")


def test_the_warnings_centre_lists_it_in_vietnamese(site):
    page = text_of(site.client.get("/warnings"))
    assert site.warning.message_vi in page
    assert "Nguồn hồ sơ của Chỉ số 766 không cập nhật" in page
    assert "Văn phòng Ủy ban nhân dân tỉnh" in page
    # its subject is the index's petitions, named and linked to the province, not an indicator page
    assert "Phản ánh, kiến nghị</a>" in page and "/indicators/INDEX_766" not in page
    only = text_of(site.client.get("/warnings", params={"field": "ADMINISTRATION", "severity": "warning"}))
    assert site.warning.message_vi in only


def test_its_own_page_and_the_english_one(site):
    page = text_of(site.client.get(f"/warnings/{site.warning.id}"))
    assert site.warning.message_vi in page and "Nguồn hồ sơ của Chỉ số 766 không cập nhật" in page
    assert "Dữ liệu của Chỉ số 766" in page and "/indicators/INDEX_766" not in page
    assert "bộ kết nối" in page and "số giờ tối đa không có dữ liệu mới" in page  # the evidence in words
    english = TestClient(site.client.app, follow_redirects=False)
    english.cookies.set("chiso_session", site.client.cookies.get("chiso_session"))
    with english:
        page = text_of(english.get(f"/warnings/{site.warning.id}", params={"lang": "en"}))
    assert site.warning.message_en in page and "Stale records source (766 index)" in page


def test_the_api_finds_it_by_its_subject(site):
    answer = site.client.get("/api/v1/warnings", params={"indicator": "INDEX_766.petitions"})
    assert answer.status_code == 200, answer.text
    (item,) = answer.json()["items"]
    assert (item["rule"], item["indicator"], item["unit"], item["severity"]) == (
        "stale_records_source", "INDEX_766.petitions", "24-VPUBND", "warning")


def test_the_ticker_and_overview_panel_carry_it_as_any_warning(site):
    """The wall's ticker and the overview's panel read the open warnings' severity and message
    only (``views.open_warnings``): the subject not being an indicator changes nothing there."""
    ctx = site.client.app.state.ctx
    leader = Principal(username="lanhdao", display_name="Lãnh đạo tỉnh", role="leader", unit_code="24",
                       province_code="24")
    shown = views.open_warnings(ctx, "24", leader, limit=10_000)
    (item,) = [w for w in shown["top"] if w["rule"] == "stale_records_source"]
    assert (item["severity"], item["message_vi"]) == ("warning", site.warning.message_vi)
