"""Every format is produced and readable: HTML parsed, DOCX opened with python-docx, XLSX with
openpyxl, the PDF rendered to PNG (not blank) and its text extracted with the Vietnamese names
intact. Page 1 is saved under tests/artifacts/ for a person to look at."""
from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from chiso.reports.charts import render_charts
from chiso.reports.render import file_name, render
from chiso.reports.text import write_text

from .conftest import ARTIFACTS

AT = dt.datetime(2025, 11, 17, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
NAMES = ("Bắc Ninh", "Việt Yên", "Hợp Thịnh", "Văn phòng Ủy ban nhân dân tỉnh", "Sở Tài chính", "Hải Phòng",
         "Đồng Nai")


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, int] = {}
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag in ("style", "svg"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "svg"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


@pytest.fixture(scope="module")
def pdf(bulletin) -> bytes:
    return render(bulletin, "pdf", "vi", at=AT).content


def test_html_is_one_self_contained_page(bulletin):
    r = render(bulletin, "html", "vi", at=AT)
    assert r.media_type.startswith("text/html")
    page = r.content.decode("utf-8")
    p = _Collect()
    p.feed(page)
    assert p.tags["svg"] >= 4 and p.tags["table"] == 6  # the letterhead, four tables of figures, the foot
    assert re.search(r"<head>.*<style>.*</style>.*</head>", page, re.S)  # the CSS inline
    # nothing to fetch: the only link is the empty inline icon (so browsers ask for no favicon)
    assert all('href="data:' in link for link in re.findall(r"<link[^>]*>", page))
    assert "<script" not in page and "src=" not in page
    text = " ".join(" ".join(p.text).split())
    for name in NAMES:
        assert name in text
    assert "đứng thứ 1/34 cả nước, tăng 0,20 điểm so với tuần trước" in text
    assert "size: A4" in page
    assert "Tạo lúc 17/11/2025 07:00" in text


def test_english_html(bulletin):
    page = render(bulletin, "html", "en", at=AT).content.decode("utf-8")
    assert '<html lang="en">' in page and "ranking 1st of 34 nationally, up 0.20 points" in page


def test_charts_in_both_formats(bulletin):
    text = write_text(bulletin, "vi")
    svg = render_charts(bulletin, text, "svg")
    png = render_charts(bulletin, text, "png")
    assert set(svg) == set(png) == {"trend", "groups", "departments", "communes"}
    assert all(s.startswith("<svg") for s in svg.values())
    assert all(p.startswith(b"\x89PNG") for p in png.values())
    with pytest.raises(ValueError):
        render_charts(bulletin, text, "gif")


def test_docx_opens_and_is_editable_text(bulletin):
    import docx

    r = render(bulletin, "docx", "vi", at=AT)
    doc = docx.Document(io.BytesIO(r.content))
    paragraphs = [p.text for p in doc.paragraphs if p.text]
    assert paragraphs[:3] == ["BÁO CÁO", "Tình hình, kết quả Chỉ số chỉ đạo, điều hành và chất lượng phục vụ người "
                              "dân, doanh nghiệp tuần 46 (10–16/11/2025)",
                              "Bắc Ninh tiếp tục dẫn đầu toàn quốc về Chỉ số chỉ đạo, điều hành và chất lượng phục "
                              "vụ người dân, doanh nghiệp"]
    assert any("đứng thứ 1/34 cả nước, tăng 0,20 điểm" in p for p in paragraphs)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Định hướng trọng tâm thời gian tới" in headings
    assert len(doc.inline_shapes) == 4  # the charts, as pictures
    assert len(doc.tables) == 6  # the letterhead, four tables of figures, the foot
    departments = doc.tables[3]
    assert [c.text for c in departments.rows[1].cells][:3] == ["1", "Văn phòng Ủy ban nhân dân tỉnh", "95,38"]
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7


def test_xlsx_sheets_frozen_headers_and_numbers(bulletin, seed_scores):
    import openpyxl

    r = render(bulletin, "xlsx", "vi")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Tỉnh, thành phố", "Sở, ban, ngành", "Xã, phường", "Tiêu chí", "Số liệu"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
    provinces = wb["Tỉnh, thành phố"]
    assert provinces.max_row == 35
    first = [c.value for c in provinces[2]]
    assert first[:4] == [1, "24", "Bắc Ninh", 92.28] and provinces.cell(2, 4).number_format == "0.00"
    communes = wb["Xã, phường"]
    assert communes.max_row == 100
    vy = next(row for row in communes.iter_rows(min_row=2, values_only=True) if row[1] == "07777")
    assert (vy[0], vy[2], vy[3], vy[4], vy[5], vy[6]) == (4, "Phường Việt Yên", 93.55, 1.01, 23, 19)
    counts = wb["Số liệu"]
    stc = next(row for row in counts.iter_rows(min_row=2, values_only=True) if row[0] == "24-STC")
    assert stc[2] == "DOSSIER_SYNC" and (stc[3], stc[4]) == (512, 890)
    assert wb["Sở, ban, ngành"].column_dimensions["C"].width > 20
    en = openpyxl.load_workbook(io.BytesIO(render(bulletin, "xlsx", "en").content))
    assert en.sheetnames == ["Provinces", "Departments", "Communes", "Criteria", "Counts"]


def test_pdf_renders_not_blank_and_keeps_vietnamese_text(pdf):
    import pypdfium2 as pdfium

    assert pdf.startswith(b"%PDF")
    doc = pdfium.PdfDocument(pdf)
    try:
        assert len(doc) >= 2
        page = doc[0]
        width, height = page.get_size()
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        image = page.render(scale=1.5).to_pil()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        image.save(ARTIFACTS / "bulletin-24-2025-W46-vi-page1.png")
        pixels = np.asarray(image.convert("L"), dtype=float)
        assert pixels.std() > 20  # text and charts, not a blank page
        assert (pixels < 128).mean() > 0.01
        text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    flat = " ".join(text.split())
    for name in NAMES:
        assert name in flat, name
    assert re.search(r"đứng thứ 1/34 cả nước, tăng 0,20 điểm", flat)
    assert "là địa phương duy nhất trong cả nước đạt trên 92 điểm" in flat


def test_unknown_format_or_language(bulletin):
    with pytest.raises(ValueError, match="format 'odt'"):
        render(bulletin, "odt", "vi")
    with pytest.raises(ValueError, match="language 'fr'"):
        render(bulletin, "pdf", "fr")


def test_file_names():
    assert file_name("24", "2025-W46", "pdf", "vi") == "bulletin-24-2025-W46-vi.pdf"
    assert file_name("24", "2026-08-01..2026-08-17", "xlsx", "en") == "bulletin-24-2026-08-01..2026-08-17-en.xlsx"
