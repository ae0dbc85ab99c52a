"""The bulletin read as the office reads it: the text of the generated DOCX (paragraphs and
tables) and of the PDF (pdftotext), checked for what made it read machine-made — words said
twice in a row, raw codes, a title that claims what the body does not, numbers that are not
the data's — and every number recomputed here from the score tables.

The store is the seed-003 counts folder (tests/fixtures/seed003) with, for the comparison
with the same week last year, a copy of its week 46 as 2024-W46 with every group score 3 %
lower: a test input made here, not data of any province.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest

from chiso.reports.charts import _axis_title, _short_window
from chiso.reports.dm import IndicatorStatus, OpenWarning, dm_facts
from chiso.reports.facts import build_bulletin
from chiso.reports.numformat import EN, MINUS, VI
from chiso.reports.render import render
from chiso.reports.sources import CountsSource
from chiso.reports.text import write_text

from .conftest import ARTIFACTS, SEED

AT = dt.datetime(2025, 11, 17, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
LAST_YEAR_FACTOR = Decimal("0.97")
VI_NUM = r"(\d{1,3}(?:\.\d{3})*(?:,\d+)?)"


def vi(x: str) -> float:
    return float(x.replace(".", "").replace(",", "."))


def half_up(x: float, digits: int = 2) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


# ------------------------------------------------------------------ the store and the bulletin
@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The seed weeks, and 2024-W46: week 46 of 2025 with every group score 3 % lower."""
    out = tmp_path_factory.mktemp("seed003-with-last-year")
    for f in SEED.glob("*.csv"):
        shutil.copy(f, out / f.name)
    with (SEED / "2025-W46.csv").open(encoding="utf-8") as src, \
            (out / "2024-W46.csv").open("w", encoding="utf-8", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            if row["score"]:
                row["score"] = str((Decimal(row["score"]) * LAST_YEAR_FACTOR).quantize(Decimal("0.01")))
            writer.writerow(row)
    return out


@pytest.fixture(scope="module")
def scores(definition, folder):
    return CountsSource(definition, folder).scores("2025-W46")


def _dm(window_year: int = 2025):
    """Indicators and warnings as the store keeps them — one indicator whose name itself says
    "chậm tiến độ", warnings whose raw messages carry a severity tag, a z-score and a period
    code (none of which may reach the bulletin)."""
    statuses = [
        IndicatorStatus("DT.CHAM", "Dự án đầu tư công chậm tiến độ", "INVESTMENT", "off_track", 55, 20, "dự án",
                        name_en="Delayed public investment projects"),
        IndicatorStatus("DT.GIAINGAN", "Tỷ lệ giải ngân vốn đầu tư công", "INVESTMENT", "at_risk", 63.81, 91.39, "%",
                        name_en="Public investment disbursement"),
        IndicatorStatus("KT.GRDP", "Tăng trưởng GRDP", "ECONOMY", "on_track", 8.1, 8.0, "%", name_en="GRDP growth"),
    ]
    y = window_year
    warnings = [
        OpenWarning("DT.CHAM", "INVESTMENT", "critical", "24", f"[nghiêm trọng] Dự án chậm tiến độ kỳ {y}-Q3.;",
                    rule="below_threshold", period=f"{y}-Q3"),
        OpenWarning("DT.GIAINGAN", "INVESTMENT", "warning", "24-STC", "Giải ngân bất thường: z = 6,22",
                    rule="outlier", period=f"{y}-10", unit_name="Sở Tài chính", unit_name_en="Department of Finance"),
        OpenWarning("DT.GIAINGAN", "INVESTMENT", "warning", "24-SXD", f"Thiếu số liệu kỳ {y}-W45",
                    rule="missing_data", period=f"{y}-W45", unit_name="Sở Xây dựng",
                    unit_name_en="Department of Construction"),
    ]
    return dm_facts(statuses, warnings)


@pytest.fixture(scope="module")
def bulletin(scores):
    return build_bulletin(scores, "24", dm=_dm())


@pytest.fixture(scope="module")
def docx_text(bulletin) -> dict[str, list[str]]:
    """The DOCX's paragraphs and table cells, per language."""
    import docx

    out = {}
    for lang in ("vi", "en"):
        doc = docx.Document(io.BytesIO(render(bulletin, "docx", lang, at=AT).content))
        lines = [p.text for p in doc.paragraphs if p.text.strip()]
        for t in doc.tables:
            for row in t.rows:
                for cell in row.cells:
                    lines.extend(p.text for p in cell.paragraphs if p.text.strip())
        out[lang] = lines
    return out


def pdftotext(pdf: bytes, tmp: Path) -> str:
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext (poppler-utils) is needed: make installs it (DEB_PACKAGES)"
    path = tmp / "bulletin.pdf"
    path.write_bytes(pdf)
    return subprocess.run([exe, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def pdf_text(bulletin, tmp_path_factory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("pdf")
    out = {}
    for lang in ("vi", "en"):
        pdf = render(bulletin, "pdf", lang, at=AT).content
        out[lang] = pdftotext(pdf, tmp)
        if lang == "vi":  # the pages, for a person to look at
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / "bulletin-official-24-2025-W46-vi.pdf").write_bytes(pdf)
            subprocess.run([shutil.which("pdftoppm") or "pdftoppm", "-r", "70", "-png", str(tmp / "bulletin.pdf"),
                            str(ARTIFACTS / "bulletin-official-24-2025-W46-vi-page")], check=True)
    return out


def _flat(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ no word twice in a row
def repeated(line: str) -> list[str]:
    """Words said twice in a row (case-folded; numbers and punctuation are not words)."""
    words = re.findall(r"[^\W\d_]+", line.casefold())
    return [a for a, b in zip(words, words[1:]) if a == b]


def test_the_checker_finds_a_repeated_word():
    assert repeated("Dự án đầu tư công chậm tiến độ chậm tiến độ") == []  # a phrase: two words
    words = re.findall(r"[^\W\d_]+", "chậm tiến độ chậm tiến độ".casefold())
    assert [words[i:i + 3] for i in (0, 3)] == [["chậm", "tiến", "độ"]] * 2
    assert repeated("giảm giảm 0,20 điểm") == ["giảm"] and repeated("tăng 2,3 điểm (94,60 điểm)") == ["điểm"]


def repeated_phrases(line: str, longest: int = 4) -> list[str]:
    """Runs of 1 to ``longest`` words said twice in a row ("chậm tiến độ chậm tiến độ")."""
    words = re.findall(r"[^\W\d_]+", line.casefold())
    found = []
    for n in range(1, longest + 1):
        for i in range(len(words) - 2 * n + 1):
            if words[i:i + n] == words[i + n:i + 2 * n]:
                found.append(" ".join(words[i:i + n]))
    return found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_word_or_phrase_twice_in_a_row_in_the_docx(docx_text, lang):
    assert repeated_phrases("Dự án đầu tư công chậm tiến độ chậm tiến độ") == ["chậm tiến độ"]
    bad = {line: repeated_phrases(line) for line in docx_text[lang] if repeated_phrases(line)}
    assert not bad, bad


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_word_or_phrase_twice_in_a_row_in_the_pdf(pdf_text, lang):
    bad = {line: repeated_phrases(line) for line in pdf_text[lang].splitlines() if repeated_phrases(line)}
    assert not bad, bad


# ------------------------------------------------------------------ no raw code
RAW = ("2025-W", "2024-W", "2025-Q", "[", "]", "z =", "z=", ".;", "kỳ 2025", "T46", "T45")
ASCII_MINUS = re.compile(r"(?:^|[\s(/:])-\d")  # a hyphen-minus written as the sign of a number


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_raw_code_in_docx_and_pdf(docx_text, pdf_text, lang):
    for where, text in (("docx", "\n".join(docx_text[lang])), ("pdf", pdf_text[lang])):
        for raw in RAW + (("Q3", "Q4") if lang == "vi" else ()):
            assert raw not in text, (where, raw)
        assert not ASCII_MINUS.search(text), (where, ASCII_MINUS.search(text))
        for severity in ("nghiêm trọng]", "[cảnh báo", "[lưu ý", "[critical", "[warning"):
            assert severity not in text, (where, severity)


def test_negative_changes_use_the_minus_sign(docx_text, bulletin):
    falling = [u for u in bulletin.communes.ranking if (u.score_change or 0) < 0]
    assert falling  # the seed has some
    cells = docx_text["vi"]
    for u in falling[:5]:
        if u in bulletin.communes.ranking[:10] or u in bulletin.communes.ranking[-10:]:
            assert VI.signed(u.score_change) in cells
            assert VI.signed(u.score_change).startswith(MINUS)
    assert VI.signed(-0.2) == f"{MINUS}0,20" and EN.signed(-1.5) == f"{MINUS}1.50"
    assert VI.points(-0.25) == f"{MINUS}0,25" and VI.pct(-0.05) == f"{MINUS}5,0%"
    assert VI.signed(0.2) == "+0,20" and VI.signed(-0.001) == "0,00"  # no sign on a zero


# ------------------------------------------------------------------ the week as people say it
def test_the_week_as_people_say_it(bulletin, docx_text):
    t = write_text(bulletin, "vi")
    assert t.section("total").paragraphs[0].startswith("Trong tuần 46 (10–16/11), Bắc Ninh đạt")
    assert t.subtitle.startswith("Bản tin tuần 46/2025 (10–16/11)")
    assert t.abstract.endswith("tuần 46 (10–16/11/2025)")
    assert VI.period("2026-W48") == "tuần 48 (23–29/11)" and VI.period_title("2026-W48") == "Tuần 48/2026"
    assert VI.period("2026-Q3") == "quý III/2026" and VI.period("2026-11") == "tháng 11/2026"
    assert "tuần 46 (10–16/11/2025)" in " ".join(docx_text["vi"])


def test_the_trend_axis_says_weeks_not_months(bulletin):
    t = write_text(bulletin, "vi")
    assert [_short_window(p.window, "vi") for p in bulletin.province.trend] == ["41", "42", "43", "44", "45", "46"]
    assert _axis_title(bulletin.province.trend, t.labels) == "Tuần"
    assert _axis_title(bulletin.province.trend, write_text(bulletin, "en").labels) == "Week"
    assert _short_window("2026-08", "vi") == "8/2026" and _short_window("2026-Q3", "vi") == "Quý III/2026"


# ------------------------------------------------------------------ headline = body
CLAIMS = {  # the standing → the words both the title and the first heading say (vi)
    "takes_lead": "vươn lên dẫn đầu", "keeps_lead": "tiếp tục dẫn đầu", "leads": "dẫn đầu toàn quốc",
    "rises": "vươn lên thứ", "falls": "giảm", "holds": "giữ vị trí thứ", "ranked": "đứng thứ",
}


def standing_from_the_table(rank: int, previous: int | None) -> str:
    if rank == 1:
        return "leads" if previous is None else "keeps_lead" if previous == 1 else "takes_lead"
    if previous is None:
        return "ranked"
    return "rises" if rank < previous else "falls" if rank > previous else "holds"


def _claims_agree(t, expected: str) -> None:
    title, heading = t.title.casefold(), t.sections[0].heading.casefold()
    assert CLAIMS[expected] in title and CLAIMS[expected] in heading, (expected, t.title, t.sections[0].heading)
    for other in ("takes_lead", "keeps_lead", "rises"):
        if CLAIMS[other] != CLAIMS[expected] and other != expected:
            assert CLAIMS[other] not in title and CLAIMS[other] not in heading, (other, t.title)


def test_headline_and_first_heading_make_the_same_claim_for_every_province(scores):
    provinces = scores.table.select(level="province").to_dicts()
    seen = set()
    for row in provinces:
        b = build_bulletin(scores, row["unit_code"])
        expected = standing_from_the_table(row["rank"], row["previous_rank"])
        seen.add(expected)
        _claims_agree(write_text(b, "vi"), expected)
    assert {"keeps_lead", "rises", "falls", "holds"} <= seen


def test_taking_the_lead_is_said_in_title_and_heading_alike(bulletin):
    p = bulletin.province
    took = replace(bulletin, province=replace(p, unit=replace(p.unit, previous_rank=2)))
    _claims_agree(write_text(took, "vi"), "takes_lead")
    assert "tiếp tục" not in write_text(took, "vi").sections[0].heading.casefold()
    first = replace(bulletin, province=replace(p, unit=replace(p.unit, previous_rank=None)))
    _claims_agree(write_text(first, "vi"), "leads")
    en = write_text(took, "en")
    assert "takes the national lead" in en.title and en.sections[0].heading == "Takes the national lead"


# ------------------------------------------------------------------ every number is the data's
def test_total_rank_and_every_comparison_equal_the_score_tables(bulletin, scores, docx_text, pdf_text):
    table, last = scores.table, scores.last_year
    assert last is not None and last.window == "2024-W46"
    me = table.unit("24")
    then = last.unit("24")
    provinces = table.select(level="province")
    national = half_up(sum(provinces["total"].to_list()) / provinces.height)
    text = " ".join(write_text(bulletin, "vi").section("total").paragraphs)

    m = re.search(rf"Bắc Ninh đạt {VI_NUM} điểm, đứng thứ (\d+)/(\d+) cả nước, tăng {VI_NUM} điểm so với tuần trước",
                  text)
    assert m, text
    assert vi(m[1]) == me["total"] and (int(m[2]), int(m[3])) == (me["rank"], provinces.height)
    assert vi(m[4]) == half_up(me["total"] - me["previous_total"]) == me["score_change"]

    m = re.search(rf"So với cùng kỳ năm trước \(tuần 46/2024: {VI_NUM} điểm, đứng thứ (\d+)\), tổng điểm "
                  rf"(tăng|giảm) {VI_NUM} điểm", text)
    assert m, text
    assert vi(m[1]) == then["total"] and int(m[2]) == then["rank"]
    diff = half_up(me["total"] - then["total"])
    assert (m[3] == "tăng") == (diff > 0) and vi(m[4]) == abs(diff)

    m = re.search(rf"Bình quân cả nước \(trung bình cộng tổng điểm của (\d+) tỉnh, thành phố\) là {VI_NUM} điểm; "
                  rf"tỉnh (cao|thấp) hơn {VI_NUM} điểm", text)
    assert m, text
    assert int(m[1]) == provinces.height == 34 and vi(m[2]) == national
    assert (m[3] == "cao") == (me["total"] > national) and vi(m[4]) == half_up(abs(me["total"] - national))

    # the same sentences in the DOCX and the PDF the office receives
    docx = _flat(" ".join(docx_text["vi"]))
    pdf = _flat(pdf_text["vi"])
    for sentence in re.split(r"(?<=\.) ", text):
        assert sentence in docx, sentence
    assert f"là {VI.points(national)} điểm" in pdf and f"tuần 46/2024: {VI.points(then['total'])} điểm" in pdf


def test_group_scores_equal_the_table(bulletin, scores):
    me, prev = scores.table.unit("24"), scores.series[-2].unit("24")
    text = " ".join(write_text(bulletin, "vi").section("groups").paragraphs)
    for g in scores.table.definition.groups:
        change = half_up(me[g.code] - prev[g.code])
        if change:
            word = "tăng" if change > 0 else "giảm"
            link = "đạt" if change > 0 else "còn"
            m = re.search(rf"{re.escape(g.name)} {word} {VI_NUM} điểm, {link} {VI_NUM}/(\d+) điểm \({VI_NUM}%\)", text)
            assert m, (g.name, text)
            assert vi(m[1]) == abs(change) and vi(m[2]) == me[g.code] and int(m[3]) == g.max
            assert vi(m[4]) == half_up(me[g.code] / g.max * 100, 1)


def _losses(table, code: str) -> list[tuple[str, float]]:
    """A unit's groups by points lost (maximum − points), largest first — recomputed here."""
    row = table.unit(code)
    lost = [(g.name, half_up(g.max - row[g.code])) for g in table.definition.groups]
    return sorted((x for x in lost if x[1] >= 0.01), key=lambda x: -x[1])


def test_causes_are_the_points_actually_lost(bulletin, scores):
    table = scores.table
    text = " ".join(write_text(bulletin, "vi").section("communes").paragraphs)
    communes = table.select(province="24", level="commune").sort("rank", "unit_code")
    last = communes.row(-1, named=True)
    (first, lost1), (second, lost2) = _losses(table, last["unit_code"])[:2]
    m = re.search(rf"Thấp nhất là {re.escape(last['name'])} \({VI_NUM} điểm\), mất nhiều điểm nhất ở "
                  rf"{re.escape(first)} \(đạt {VI_NUM}%, mất {VI_NUM} điểm\) và {re.escape(second)} "
                  rf"\(đạt {VI_NUM}%, mất {VI_NUM} điểm\)", text)
    assert m, text
    assert vi(m[1]) == last["total"] and vi(m[3]) == lost1 and vi(m[5]) == lost2
    # the bottom ten: the groups where they lose most on average
    bottom = communes.tail(10)
    means = []
    for g in table.definition.groups:
        mean = sum(bottom[g.code].to_list()) / bottom.height
        means.append((g.name, half_up(g.max - mean)))
    means.sort(key=lambda x: -x[1])
    m = re.search(rf"nhóm này mất nhiều điểm nhất ở {re.escape(means[0][0])} \(đạt {VI_NUM}%, mất {VI_NUM} điểm\) "
                  rf"và {re.escape(means[1][0])}", text)
    assert m and vi(m[2]) == means[0][1], text
    focus = " ".join(write_text(bulletin, "vi").section("focus").items)
    assert f"trước hết về {means[0][0]} và {means[1][0]}" in focus


def test_a_weak_unit_is_blamed_on_its_losses_not_on_a_sync_share(scores):
    """A unit synced at 86 % but losing most on online services: the causes named are the
    groups it lost most on; its sync share is a separate fact about data."""
    table = scores.table
    worst = table.select(province="24", level="commune").sort("rank").row(-1, named=True)
    crit = table.criteria.with_columns(
        pl.when((pl.col("unit_code") == worst["unit_code"]) & (pl.col("criterion") == "DOSSIER_SYNC"))
        .then(pl.col("denominator") * 0.864).otherwise(pl.col("numerator")).alias("numerator"))
    sync_scores = replace(scores, table=replace(table, criteria=crit))
    t = write_text(build_bulletin(sync_scores, "24"), "vi")
    text = " ".join(t.section("communes").paragraphs)
    causes = text[text.index("Thấp nhất là"):]
    causes = causes[:causes.index(").") + 2]
    assert _losses(table, worst["unit_code"])[0][0] in causes
    assert "đồng bộ" not in causes.casefold() or "Đồng bộ trạng thái" in causes
    assert f"{worst['name']} (86,4%" in text  # the sync share, said as a fact


# ------------------------------------------------------------------ warnings in sentences
def test_warnings_summarised_in_sentences(bulletin):
    t = write_text(bulletin, "vi")
    text = " ".join(t.section("dm").paragraphs)
    assert ("Lĩnh vực Đầu tư – Xây dựng có 1 chỉ tiêu chậm tiến độ: Dự án đầu tư công chậm tiến độ (55 dự án so "
            "với chỉ tiêu 20 dự án); 1 chỉ tiêu có nguy cơ không đạt: Tỷ lệ giải ngân vốn đầu tư công (63,81% so "
            "với chỉ tiêu 91,39%).") in text
    assert ("Lĩnh vực Đầu tư – Xây dựng có 3 cảnh báo đang mở: 1 cảnh báo dưới ngưỡng chỉ tiêu, 1 cảnh báo thiếu "
            "số liệu và 1 cảnh báo giá trị bất thường (trong đó 1 cảnh báo mức nghiêm trọng), liên quan đến Dự án "
            "đầu tư công chậm tiến độ và Tỷ lệ giải ngân vốn đầu tư công; đơn vị: Sở Tài chính và Sở Xây dựng; kỳ số "
            "liệu: tuần 45/2025 (03–09/11), tháng 10/2025 và quý III/2025.") in text
    for raw in ("z =", "[", "2025-Q3", "2025-W45", ".;", "6,22"):
        assert raw not in text
    en = " ".join(write_text(bulletin, "en").section("dm").paragraphs)
    assert "has 3 open warnings: 1 below threshold, 1 missing data and 1 outlier (1 of them critical)" in en


def test_no_last_year_says_why(definition):
    """Without the same week a year before, the bulletin says so and from when the data run."""
    plain = CountsSource(definition, SEED).scores("2025-W46")
    assert plain.last_year is None and plain.first_day == dt.date(2025, 10, 6)  # the seed's first week
    text = " ".join(write_text(build_bulletin(plain, "24"), "vi").section("total").paragraphs)
    assert "Chưa có số liệu cùng kỳ năm trước (tuần 46/2024; số liệu bắt đầu từ 06/10/2025) để so sánh." in text
    assert "So với cùng kỳ năm trước" not in text
