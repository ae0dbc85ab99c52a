"""The page /composite and /composite/{code}: the shipped department-performance index of Bắc Ninh
computed from a store's values (weekly rates of dossiers combined into the month as the catalogue
combines them: Σ on time ÷ Σ completed × 100), its ranks, and the sensitivity bars (an SVG per unit:
the 5th–95th percentile, the median, the official rank), in Vietnamese and with ``?lang=en``.

Needs the page registered (``chiso.web.pages.composite.router`` in ``chiso/web/pages/__init__.py``)
— see /tmp/w/changes-p7.md."""
from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chiso.demo.composite import ACTOR, build_demo_composites, demo_composite_values, demo_months
from chiso.evaluate.composite_run import compute_composite
from chiso.store import repo_values
from chiso.store.database import init_store
from chiso.store.records import open_records
from chiso.units import load_units
from chiso.web.app import create_app
from chiso.web.security import accounts, sessions
from chiso.web.security.sessions import COOKIE_NAME
from tests.evaluate.test_composite_store import OCTOBER_WEEKS, import_with_target, submission, write_value

PASSWORD = "Mật-khẩu-thử-2026!"
#: department → (completed and on time per week, completed per week, overdue at each week's end, % signed)
DATA = {
    "24-STC": ([45, 47, 48, 50], [50, 50, 50, 50], [9, 6, 4, 2], 96.0),
    "24-SXD": ([30, 35, 32, 33], [40, 40, 40, 40], [12, 10, 9, 10], 90.0),
    "24-SYT": ([20, 20, 19, 20], [20, 20, 20, 20], [3, 3, 2, 0], 80.0),
    "24-SCT": ([28, 27, 30, 29], [30, 30, 30, 30], [5, 5, 5, 4], 100.0),
    "24-STP": ([10, 12, 9, 11], [12, 12, 12, 12], [1, 2, 1, 1], 70.0),
}
SOURCE_DOSSIERS = "Hệ thống thông tin giải quyết TTHC tỉnh Bắc Ninh"


def fill(db, folder: Path) -> None:
    """The sample catalogue with the target, and October 2026's component values of ``DATA``."""
    with db.session() as s:
        import_with_target(s, folder)
        sub = submission(s)
        for unit, (on_time, done, overdue, signed) in DATA.items():
            for i, label in enumerate(OCTOBER_WEEKS):
                write_value(s, sub, "HC.HS_DUNG_HAN", unit, label, on_time[i], SOURCE_DOSSIERS)
                write_value(s, sub, "HC.HS_DA_GQ", unit, label, done[i], SOURCE_DOSSIERS)
                write_value(s, sub, "HC.HS_QUA_HAN_DANG_XL", unit, label, overdue[i], SOURCE_DOSSIERS)
            write_value(s, sub, "HC.VB_KY_SO", unit, "2026-10", signed, "Hệ thống quản lý văn bản và điều hành tỉnh")


@pytest.fixture(scope="module")
def app_and_cookie(tmp_path_factory):
    folder = tmp_path_factory.mktemp("composite-page")
    tree = load_units()
    url = f"sqlite:///{(folder / 'chiso.sqlite').as_posix()}"
    db = init_store(url)
    fill(db, folder)
    accounts.create_account(db, "thiết lập", username="lanhdao", password=PASSWORD, role="leader", unit_code="24",
                            tree=tree, display_name="Lãnh đạo tỉnh")
    cookie = sessions.sign_in(db, accounts.sign_in(db, "lanhdao", PASSWORD, "127.0.0.1"), "127.0.0.1")
    records = open_records(f"duckdb:///{folder / 'records.duckdb'}")
    app = create_app(store=records, tree=tree, database_url=url)
    yield app, cookie, db
    records.close()
    db.dispose()


@pytest.fixture(scope="module")
def client(app_and_cookie):
    app, cookie, _ = app_and_cookie
    c = TestClient(app, base_url="http://testserver", follow_redirects=False)
    c.cookies.set(COOKIE_NAME, cookie)
    return c


def test_the_list_names_the_shipped_composite(client):
    r = client.get("/composite")
    assert r.status_code == 200, r.text[:500]
    assert "<h1>Chỉ số tổng hợp</h1>" in r.text
    assert 'href="/composite/CHI_SO_SO_NGANH"' in r.text and "HC.CHI_SO_SO_NGANH" in r.text


def test_the_page_ranks_the_departments_with_sensitivity_bars(client, app_and_cookie):
    r = client.get("/composite/CHI_SO_SO_NGANH?period=2026-10")
    assert r.status_code == 200, r.text[:500]
    text = html.unescape(r.text)
    assert "Chỉ số đánh giá kết quả thực hiện nhiệm vụ của các sở, ban, ngành" in text
    assert "Phân tích độ nhạy" in text and "500 lần tính (hạt giống 2026)" in text
    ranked = re.findall(r'<tr data-unit="([^"]+)">\s*<td class="num" data-label="Hạng"><b>(\d+)</b>', r.text)
    assert {u for u, _ in ranked} == set(DATA)
    assert len(re.findall(r'<svg class="rank-interval"', r.text)) == len(DATA)
    # the page's ranks are the computation's
    _, _, db = app_and_cookie
    with db.session() as s:
        _, result = compute_composite(s, "24", "CHI_SO_SO_NGANH", "2026-10")
    expected = {row["unit"]: row["rank"] for row in result.rows() if row["rank"] is not None}
    assert {u: int(k) for u, k in ranked} == expected
    # Sở Tư pháp: on-time rate 42/48 — the weeks' sums, not the mean of the weekly rates
    col = result.composite.components.index("HC.TY_LE_DUNG_HAN")
    units = result.prepared.units
    assert result.prepared.raw[units.index("24-STP"), col] == pytest.approx(42 / 48 * 100)
    assert "chưa lưu" in text                      # nothing kept yet: the CLI keeps it


def test_english_and_an_unknown_composite(client):
    try:
        r = client.get("/composite/CHI_SO_SO_NGANH?period=2026-10&lang=en")
        assert r.status_code == 200 and "Sensitivity analysis" in r.text
        assert client.get("/composite/KHONG_CO").status_code == 404
    finally:  # ?lang= keeps the language in a cookie: give the module's client back in Vietnamese
        client.get("/composite?lang=vi")


def test_the_catalogue_page_of_the_target_names_its_composite(client):
    """The target is computed, not collected: its page says by which composite, with the link, and
    that it is not published as open data (the catalogue does not mark it ``public``)."""
    r = client.get("/indicators/HC.CHI_SO_SO_NGANH")
    assert r.status_code == 200, r.text[:500]
    text = html.unescape(r.text)
    assert 'Chỉ số tổng hợp <a href="/composite/CHI_SO_SO_NGANH"><code>CHI_SO_SO_NGANH</code></a>' in text
    assert "Thu thập trực tiếp" not in text
    assert "<dt>Công bố dữ liệu mở</dt><dd>Không</dd>" in text


def test_signed_out_is_sent_to_sign_in(app_and_cookie):
    app, _, _ = app_and_cookie
    anonymous = TestClient(app, base_url="http://testserver", follow_redirects=False)
    assert anonymous.get("/composite").status_code in (302, 303, 307)


def test_the_demo_keeps_the_index_month_by_month(db, tmp_path):
    fill(db, tmp_path)
    assert demo_months(dt.date(2026, 9, 1), dt.date(2026, 11, 29)) == ["2026-09", "2026-10"]
    first = build_demo_composites(db, province="24", start=dt.date(2026, 9, 1), end=dt.date(2026, 11, 29))
    # September has no component value: only October is computed, one value per department with data
    assert first["composites"] == ["CHI_SO_SO_NGANH"] and first["months"] == 1
    assert first["written"] == len(DATA) == first["values"] and first["batches"] == 1
    with db.session() as s:
        assert demo_composite_values(s) == len(DATA)
        _, result = compute_composite(s, "24", "CHI_SO_SO_NGANH", "2026-10")
        kept = {r.unit_code: r.value for r in repo_values.list_values(s, indicator="HC.CHI_SO_SO_NGANH")}
        assert all(r.recorded_by == ACTOR for r in repo_values.list_values(s, indicator="HC.CHI_SO_SO_NGANH"))
    assert kept == {r["unit"]: round(r["value"], 4) for r in result.rows() if r["value"] is not None}
    again = build_demo_composites(db, province="24", start=dt.date(2026, 9, 1), end=dt.date(2026, 11, 29))
    assert again["written"] == 0 and again["batches"] == 1
