"""A regime's form filled from stored values: the cells hold them, the missing ones are listed
(chiso.reports.regimes, chiso regimes fill). Values are hand-chosen so every figure is worked out here."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chiso.catalog.catalogue import DEFINITIONS_CATALOGUE
from chiso.catalog.regimes import SHIPPED_DIR, load_regime
from chiso.cli.regimes import app
from chiso.collect.values.batch import batch_from_records
from chiso.collect.values.rules import ValidationConfig
from chiso.collect.values.submit import Submitter, submit_batch
from chiso.reports.regimes import fill_from_store, render_docx, render_xlsx
from chiso.store.database import init_store
from chiso.store.records import open_records
from chiso.store.repo_catalogue import import_catalogue, live_indicators
from chiso.units import load_units
from chiso.web.api import regimes as regimes_api
from chiso.web.app import create_app
from chiso.web.security import accounts, tokens

REGIME = """\
code: BC_THU
version: "1"
valid_from: 2025-01-01
name: Báo cáo thử hằng tháng
province: "24"
legal_basis:
  - {document: Nghị định 09/2019/NĐ-CP, article: "Điều 12, khoản 1"}
frequency: monthly
cutoff: {day: 14, basis: "Nghị định 09/2019/NĐ-CP, Điều 12"}
deadline: {days_after_cutoff: 6, basis: thử}
reporter: UBND tỉnh
recipient: Văn phòng Chính phủ
template: {outline: Tình hình thử, form: Biểu số 01, form_title: Chỉ tiêu thử}
document:
  issuer: UBND TỈNH BẮC NINH
  symbol: BC-UBND
  signer_authority: TM. ỦY BAN NHÂN DÂN
  signer_title: CHỦ TỊCH
  recipients: ["Văn phòng Chính phủ", "Lưu: VT, TH"]
sections:
  - number: I
    title: Kinh tế
    guidance: Đánh giá thương mại.
    rows:
      - {number: "1", label: Bán lẻ trong tháng, indicator: KT.BAN_LE}
      - {number: "2", label: Bán lẻ lũy kế, indicator: KT.BAN_LE, aggregation: year_to_date}
      - {number: "3", label: Xuất khẩu, indicator: KT.XUAT_KHAU}
      - {number: "4", label: Chỉ số động lực, indicator: KT.CHI_SO_DONG_LUC, compare: none}
  - number: II
    title: Doanh nghiệp và hành chính
    rows:
      - {number: "5", label: Thành lập mới trong kỳ chốt, indicator: DN.THANH_LAP_MOI, aggregation: window}
      - {number: "6", label: Giải thể trong kỳ chốt, indicator: DN.GIAI_THE, aggregation: window}
      - {number: "7", label: Đúng hạn, indicator: HC.TY_LE_DUNG_HAN, aggregation: window, compare: difference}
      - {number: "8", label: Thành lập mới lũy kế, indicator: DN.THANH_LAP_MOI, aggregation: year_to_date}
"""

#: 2026-11 under a cut-off on the 14th: 15/10/2026 (Thursday) – 14/11/2026 (Saturday): the ISO weeks
#: wholly inside are 43, 44, 45 (19/10–08/11); W46 (09–15/11) ends after the cut-off. A year earlier:
#: 15/10/2025 (Wednesday) – 14/11/2025 (Friday): again weeks 43–45 (20/10–09/11/2025).
WEEKS = (43, 44, 45)


def _submit(db, tree, catalogue, owner: str, name: str, rows: list[dict]) -> None:
    """The province's own figures only: the communes' values are not needed here, so completeness is
    flagged rather than refused (``ValidationConfig.completeness``)."""
    submit_batch(db, batch_from_records(name, rows), Submitter(as_unit=owner, by=f"canbo.{owner}", role="officer"),
                 catalogue, tree, config=ValidationConfig(completeness="flag"))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("regimes")
    url = f"sqlite:///{(folder / 'chiso.sqlite').as_posix()}"
    db = init_store(url, actor="test")
    tree = load_units()
    with db.session() as s:
        import_catalogue(s, DEFINITIONS_CATALOGUE, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2025, 1, 2))
        catalogue = live_indicators(s, "24")
    retail = [{"indicator": "KT.BAN_LE", "unit": "24", "period": f"{y}-{m:02d}", "value": base + m}
              for y, base in ((2025, 900.0), (2026, 1000.0)) for m in range(1, 11)]
    _submit(db, tree, catalogue, "24-SCT", "ban-le.json", retail)
    # new firms: 10, 20, 30 (2026) and 8, 12, 16 (2025); dissolutions miss week 44 of 2026
    firms = ([{"indicator": "DN.THANH_LAP_MOI", "unit": "24", "period": f"2026-W{w}", "value": v}
              for w, v in zip(WEEKS, (10.0, 20.0, 30.0))]
             + [{"indicator": "DN.THANH_LAP_MOI", "unit": "24", "period": f"2025-W{w}", "value": v}
                for w, v in zip(WEEKS, (8.0, 12.0, 16.0))]
             + [{"indicator": "DN.GIAI_THE", "unit": "24", "period": f"2026-W{w}", "value": 3.0} for w in (43, 45)])
    _submit(db, tree, catalogue, "24-STC", "doanh-nghiep.json", firms)
    # dossiers settled on time / settled: (90/100, 45/50, 80/100) → 215/250 = 86 % in 2026;
    # (70/100, 40/50, 90/100) → 200/250 = 80 % in 2025
    dossiers = []
    for y, pairs in ((2026, ((90, 100), (45, 50), (80, 100))), (2025, ((70, 100), (40, 50), (90, 100)))):
        for w, (ok, done) in zip(WEEKS, pairs):
            dossiers += [{"indicator": "HC.HS_DUNG_HAN", "unit": "24", "period": f"{y}-W{w}", "value": float(ok)},
                         {"indicator": "HC.HS_DA_GQ", "unit": "24", "period": f"{y}-W{w}", "value": float(done)}]
    _submit(db, tree, catalogue, "24-TTPVHCC", "ho-so.json", dossiers)
    regime_path = folder / "bc-thu.yaml"
    regime_path.write_text(REGIME, encoding="utf-8")
    yield db, load_regime(regime_path), url
    db.dispose()


@pytest.fixture(scope="module")
def form(store):
    db, regime, _url = store
    with db.session() as s:
        return fill_from_store(s, regime, "2026-11", province="24",
                               made_at=dt.datetime(2026, 11, 18, 3, 0, tzinfo=dt.UTC))


def test_the_rows_hold_the_hand_computed_values(form):
    rows = {r.number: r for r in form.rows}
    assert (form.window.start, form.window.end, form.due) == (dt.date(2026, 10, 15), dt.date(2026, 11, 14),
                                                              dt.date(2026, 11, 20))
    # latest month ending by 14/11/2026 is October: 1000 + 10; a year earlier 900 + 10
    assert (rows["1"].value, rows["1"].last_year, rows["1"].period_text) == (1010.0, 910.0, "Tháng 10/2026")
    assert rows["1"].ratio == pytest.approx(1010 / 910 * 100)
    # year to date: Σ (1000 + m), m = 1…10 = 10 055; 2025: 9 055
    assert (rows["2"].value, rows["2"].last_year, rows["2"].period_text) == (10055.0, 9055.0, "Tháng 1–10/2026")
    assert rows["2"].ratio == pytest.approx(10055 / 9055 * 100)
    # the weeks inside the cut-off window: 10 + 20 + 30 = 60; 8 + 12 + 16 = 36
    assert (rows["5"].value, rows["5"].last_year) == (60.0, 36.0)
    assert rows["5"].period_text == "Tuần 43–45/2026 (19/10–08/11)"
    assert rows["5"].ratio == pytest.approx(60 / 36 * 100)
    # a ratio of sums across the weeks: 215 / 250 = 86 %, against 200 / 250 = 80 %: +6 points
    assert rows["7"].value == pytest.approx(86.0) and rows["7"].last_year == pytest.approx(80.0)
    assert rows["7"].difference == pytest.approx(6.0) and rows["7"].ratio is None


def test_missing_values_are_listed_with_their_reason(form):
    missing = {r.number: r.missing for r in form.missing}
    assert set(missing) == {"3", "4", "6", "8"}
    assert missing["3"] == "chưa có số liệu tháng 10/2026"
    assert "chưa được phê duyệt hoặc đưa vào vận hành (trạng thái: candidate)" in missing["4"]
    assert missing["6"] == "thiếu số liệu tuần 44/2026 (1/3 kỳ)"
    assert missing["8"].startswith("thiếu số liệu tuần 1/2026, tuần 2/2026") and missing["8"].endswith("(42/45 kỳ)")
    assert all(r.value is None for r in form.missing)


def test_the_xlsx_cells_hold_the_values(form):
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(form)))
    assert wb.sheetnames == ["Biểu số liệu", "Số liệu còn thiếu", "Thông tin"]
    ws = wb["Biểu số liệu"]
    header = [c.value for c in ws[5]]
    assert header[:7] == ["STT", "Chỉ tiêu", "Đơn vị tính", "Mã chỉ số", "Đơn vị báo cáo", "Kỳ số liệu", "Thực hiện"]
    col = {name: i for i, name in enumerate(header)}
    by_no = {row[0].value: row for row in ws.iter_rows(min_row=6) if row[3].value}
    assert by_no["1"][col["Thực hiện"]].value == 1010 and by_no["1"][col["Cùng kỳ năm trước"]].value == 910
    assert by_no["1"][col["So cùng kỳ (%)"]].value == pytest.approx(1010 / 910 * 100)
    assert by_no["2"][col["Thực hiện"]].value == 10055 and by_no["5"][col["Thực hiện"]].value == 60
    assert by_no["7"][col["Tăng (+), giảm (−) so cùng kỳ"]].value == pytest.approx(6.0)
    assert by_no["3"][col["Thực hiện"]].value is None
    assert by_no["3"][col["Ghi chú"]].value == "Thiếu số liệu: chưa có số liệu tháng 10/2026"
    assert "15/10/2026" in ws["A3"].value and "14/11/2026" in ws["A3"].value
    listed = [[c.value for c in row] for row in wb["Số liệu còn thiếu"].iter_rows(min_row=2)]
    assert [r[0] for r in listed] == ["3", "4", "6", "8"]
    assert listed[2][5] == "thiếu số liệu tuần 44/2026 (1/3 kỳ)"


def test_the_docx_tables_hold_the_values(form):
    doc = Document(io.BytesIO(render_docx(form)))
    cells = {}
    for table in doc.tables[1:3]:  # the two parts' tables (the first is the letterhead)
        for row in table.rows[1:]:
            texts = [c.text for c in row.cells]
            cells[texts[0]] = texts
    assert cells["1"][3:7] == ["Tháng 10/2026", "1.010", "910", "110,99%"]
    assert cells["2"][4] == "10.055" and cells["5"][4:7] == ["60", "36", "166,67%"]
    assert cells["7"][4:7] == ["86", "80", "+6"]
    assert cells["3"][4] == "(thiếu)"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Tình hình thử tháng 11 năm 2026" in text
    assert "Số liệu chốt từ ngày 15/10/2026 đến ngày 14/11/2026" in text and "ngày 20/11/2026" in text
    assert "PHỤ LỤC: SỐ LIỆU CÒN THIẾU (4 chỉ tiêu)" in text
    assert "6. Giải thể trong kỳ chốt (DN.GIAI_THE, Tỉnh Bắc Ninh): thiếu số liệu tuần 44/2026 (1/3 kỳ)" in text
    letterhead = [c.text for c in doc.tables[0].rows[0].cells]
    assert "UBND TỈNH BẮC NINH" in letterhead[0] and "Số:" in letterhead[0] and "BC-UBND" in letterhead[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in letterhead[1] and "ngày 18 tháng 11 năm 2026" in letterhead[1]


def test_the_command_writes_the_form_and_prints_what_is_missing(store, tmp_path: Path, monkeypatch):
    _db, regime, url = store
    monkeypatch.setenv("CHISO_DATABASE_URL", url)
    out = tmp_path / "bao-cao.docx"
    result = CliRunner().invoke(app, ["fill", "BC_THU", "--period", "2026-11", "--file", regime.path,
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "số liệu từ 15/10/2026 đến 14/11/2026; 8 chỉ tiêu, có số liệu 4, thiếu 4" in result.output
    assert "  - 3. Xuất khẩu (KT.XUAT_KHAU, Tỉnh Bắc Ninh): chưa có số liệu tháng 10/2026" in result.output
    assert Document(str(out)).tables[1].rows[1].cells[4].text == "1.010"
    xlsx = tmp_path / "bao-cao.xlsx"
    assert CliRunner().invoke(app, ["fill", "BC_THU", "--period", "2026-11", "--file", regime.path,
                                    "--out", str(xlsx)]).exit_code == 0
    assert openpyxl.load_workbook(xlsx)["Biểu số liệu"]["G7"].value == 1010
    bad = CliRunner().invoke(app, ["fill", "BC_THU", "--period", "2026-Q4", "--file", regime.path])
    assert bad.exit_code == 2 and "viết như 2026-11" in bad.output


def test_the_shipped_regime_fills_against_the_store(store, tmp_path: Path):
    db, _regime, _url = store
    with db.session() as s:
        form = fill_from_store(s, load_regime(SHIPPED_DIR / "bc-ktxh-thang.yaml"), "2026-11", province="24")
    rows = {r.number: r for r in form.rows}
    assert len(rows) == 41 and rows["3"].value == 1010.0 and rows["4"].value == 10055.0
    assert rows["24"].value == 60.0 and rows["36"].value == pytest.approx(86.0)
    assert {r.number for r in form.missing} == set(rows) - {"3", "4", "24", "36"}
    assert all(r.missing for r in form.missing)


def test_list_and_show(store):
    _db, regime, _url = store
    listed = CliRunner().invoke(app, ["list", "--format", "json", "--file", regime.path])
    assert listed.exit_code == 0 and '"BC_KTXH_THANG"' in listed.output and '"BC_THU"' in listed.output
    shown = CliRunner().invoke(app, ["show", "BC_KTXH_THANG", "--period", "2026-01"])
    assert shown.exit_code == 0 and "Kỳ 2026-01: số liệu từ 2025-12-15 đến 2026-01-14; hạn gửi 2026-01-20" in \
        shown.output


def test_the_api_serves_the_filled_form_to_those_who_read_the_province(store, tmp_path: Path, monkeypatch):
    """The real application and its security (accounts, API tokens), with the regimes router
    included as chiso.web.api includes it (changes-p4.md, item 9)."""
    db, regime, url = store
    monkeypatch.setenv("CHISO_REGIMES_DIR", str(Path(regime.path).parent))
    tree = load_units()
    made = {}
    for username, role, unit in (("lanhdao", "leader", "24"), ("vanphong", "officer", "24-VPUBND"),
                                 ("canbo.sct", "officer", "24-SCT")):
        accounts.create_account(db, "thiết lập", username=username, password="MatKhau@2026thu", role=role,
                                unit_code=unit, tree=tree, display_name=username)
        made[username] = {"Authorization": f"Bearer {tokens.create(db, 'thiết lập', username, 'thử', 'read').secret}"}
    records = open_records("duckdb:///:memory:")
    app = create_app(store=records, tree=tree, database_url=url)
    if not any(getattr(r, "path", "") == "/api/v1/regimes" for r in app.routes):
        app.include_router(regimes_api.router)
    try:
        with TestClient(app) as client:
            listed = client.get("/api/v1/regimes", headers=made["canbo.sct"]).json()
            assert {r["code"] for r in listed["regimes"]} == {"BC_KTXH_THANG", "BC_THU"}
            for who in ("lanhdao", "vanphong"):
                got = client.get("/api/v1/regimes/BC_THU/form?period=2026-11&format=xlsx", headers=made[who])
                assert got.status_code == 200, got.text
                assert got.headers["x-chiso-missing"] == "4"
                assert got.headers["x-chiso-data-window"] == "2026-10-15..2026-11-14"
                assert openpyxl.load_workbook(io.BytesIO(got.content))["Biểu số liệu"]["G7"].value == 1010
            docx = client.get("/api/v1/regimes/BC_THU/form?period=2026-11&format=docx", headers=made["lanhdao"])
            assert Document(io.BytesIO(docx.content)).tables[1].rows[1].cells[4].text == "1.010"
            assert "bc-thu-24-2026-11.docx" in docx.headers["content-disposition"]
            refused = client.get("/api/v1/regimes/BC_THU/form?period=2026-11", headers=made["canbo.sct"])
            assert refused.status_code == 403 and "văn phòng tổng hợp báo cáo" in refused.json()["detail"]
            assert client.get("/api/v1/regimes/BC_KHAC/form?period=2026-11", headers=made["lanhdao"]).status_code == 404
            bad = client.get("/api/v1/regimes/BC_THU/form?period=2026-Q4", headers=made["lanhdao"])
            assert bad.status_code == 400 and "viết như 2026-11" in bad.json()["detail"]
            assert client.get("/api/v1/regimes/BC_THU/form?period=2026-11").status_code == 401
    finally:
        records.close()


def test_the_form_fills_the_same_on_each_store_backend(db, tmp_path: Path):
    """The same reads on SQLite and PostgreSQL (the ``db`` fixture runs both)."""
    tree = load_units()
    with db.session() as s:
        import_catalogue(s, DEFINITIONS_CATALOGUE, by="Văn phòng UBND tỉnh", units=tree, today=dt.date(2025, 1, 2))
        catalogue = live_indicators(s, "24")
    _submit(db, tree, catalogue, "24-SCT", "ban-le.json",
            [{"indicator": "KT.BAN_LE", "unit": "24", "period": "2026-10", "value": 1010.0},
             {"indicator": "KT.BAN_LE", "unit": "24", "period": "2025-10", "value": 910.0}])
    path = tmp_path / "bc-thu.yaml"
    path.write_text(REGIME, encoding="utf-8")
    with db.session() as s:
        form = fill_from_store(s, load_regime(path), "2026-11", province="24")
    rows = {r.number: r for r in form.rows}
    assert (rows["1"].value, rows["1"].last_year) == (1010.0, 910.0)
    assert rows["2"].missing == "thiếu số liệu tháng 1/2026, tháng 2/2026, tháng 3/2026, tháng 4/2026, " \
                                "tháng 5/2026, tháng 6/2026 và 3 kỳ khác (9/10 kỳ)"
