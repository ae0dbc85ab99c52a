"""The bulletin as an administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I): every
required part in the DOCX, each from a setting of the province; the DOCX opened by
LibreOffice (headless conversion to PDF) and the PDF chiso prints itself, both read back with
pdftotext. Pages are rendered to PNG under tests/artifacts/ for a person to look at."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

from chiso.reports.facts import build_bulletin
from chiso.reports.letterhead import ARCHIVE, letterhead, place_date
from chiso.reports.render import render

from .conftest import ARTIFACTS

AT = dt.datetime(2025, 11, 17, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
DEFAULTS: dict[str, str] = {}  # no CHISO_BULLETIN_* set: the defaults derived from the province
OFFICE = {  # a province's own settings: the service centre issues it, a numbered document
    "CHISO_BULLETIN_AUTHORITY": "Ủy ban nhân dân tỉnh Bắc Ninh",
    "CHISO_BULLETIN_ISSUER": "Trung tâm Phục vụ hành chính công",
    "CHISO_BULLETIN_SYMBOL": "BC-TTPVHCC",
    "CHISO_BULLETIN_NUMBER": "125",
    "CHISO_BULLETIN_PLACE": "Kinh Bắc",
    "CHISO_BULLETIN_SIGNER_AUTHORITY": "-",
    "CHISO_BULLETIN_SIGNER_TITLE": "Giám đốc",
    "CHISO_BULLETIN_SIGNER_NAME": "Người Ký Thử Nghiệm",
    "CHISO_BULLETIN_RECIPIENTS": "Văn phòng UBND tỉnh; Các sở, ban, ngành tỉnh",
}


def _docx(bulletin, env, lang="vi"):
    import docx

    content = render(bulletin, "docx", lang, at=AT, env=env).content
    return content, docx.Document(io.BytesIO(content))


def _cell_lines(cell) -> list:
    return [p for p in cell.paragraphs if p.text.strip()]


def _bold(p) -> bool:
    return all(r.bold for r in p.runs if r.text.strip())


def _italic(p) -> bool:
    return all(r.italic for r in p.runs if r.text.strip())


# ------------------------------------------------------------------ the DOCX, part by part
def test_docx_has_every_part_of_the_official_format(bulletin):
    _, doc = _docx(bulletin, DEFAULTS)
    head = doc.tables[0].rows[0].cells
    left, right = _cell_lines(head[0]), _cell_lines(head[1])
    # left: governing body over the issuing body (bold), the number left blank, the symbol
    assert left[0].text == "UBND TỈNH BẮC NINH" and not _bold(left[0])
    assert left[1].text == "VĂN PHÒNG" and _bold(left[1])
    assert left[2].text.startswith("Số:") and left[2].text.endswith("/BC-VP")
    assert left[2].text.replace("Số:", "").replace("/BC-VP", "").strip() == ""  # for the clerk to fill
    # the short rule under the issuing body: a paragraph with a top border
    assert any("w:pBdr" in p._p.xml for p in head[0].paragraphs)
    # right: the national name and the motto, bold, the rule, the place and date in italics
    assert right[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and _bold(right[0])
    assert right[1].text == "Độc lập - Tự do - Hạnh phúc" and _bold(right[1])
    assert right[2].text == "Bắc Ninh, ngày 17 tháng 11 năm 2025" and _italic(right[2])
    assert any("w:pBdr" in p._p.xml for p in head[1].paragraphs)
    # the document type and its trích yếu, bold and centred
    body = [p for p in doc.paragraphs if p.text.strip()]
    assert body[0].text == "BÁO CÁO" and _bold(body[0])
    assert body[1].text == ("Tình hình, kết quả Chỉ số chỉ đạo, điều hành và chất lượng phục vụ người dân, doanh "
                            "nghiệp tuần 46 (10–16/11/2025)") and _bold(body[1])
    # the foot: Nơi nhận (bold italic) ending with the archive line; the signer's block
    foot = doc.tables[-1].rows[0].cells
    recipients, signer = _cell_lines(foot[0]), _cell_lines(foot[1])
    assert recipients[0].text == "Nơi nhận:" and _bold(recipients[0]) and _italic(recipients[0])
    assert all(p.text.startswith("- ") for p in recipients[1:])
    assert recipients[-1].text == "- Lưu: VT, KSTT." and all(p.text.endswith(";") for p in recipients[1:-1])
    assert [p.text for p in signer[:2]] == ["KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"]
    assert all(_bold(p) for p in signer[:2])
    # no name was set: a dotted line to write it on, never an invented person
    assert set(signer[-1].text) == {"…"}
    # room for the signature: empty paragraphs between the title and the name
    gap = [p.text for p in foot[1].paragraphs]
    assert gap.index(signer[-1].text) - gap.index("PHÓ CHÁNH VĂN PHÒNG") >= 4


def test_docx_page_font_and_margins_follow_the_decree(bulletin):
    _, doc = _docx(bulletin, DEFAULTS)
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)  # A4
    assert 20 <= round(s.top_margin.mm) <= 25 and 20 <= round(s.bottom_margin.mm) <= 25
    assert 30 <= round(s.left_margin.mm) <= 35 and 15 <= round(s.right_margin.mm) <= 20
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and 13 <= normal.font.size.pt <= 14
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(f"{{{fonts.nsmap['w']}}}{a}") for a in ("ascii", "hAnsi", "cs")} == {"Times New Roman"}
    for name in ("Heading 1", "Heading 2"):
        assert doc.styles[name].font.name == "Times New Roman"
        assert "asciiTheme" not in doc.styles[name].element.rPr.xml  # the theme would win over the name
    # page numbers from page 2, in the header
    assert s.different_first_page_header_footer and "PAGE" in s.header._element.xml


def test_settings_change_the_letterhead(bulletin):
    _, doc = _docx(bulletin, OFFICE)
    head = doc.tables[0].rows[0].cells
    left, right = [p.text for p in _cell_lines(head[0])], [p.text for p in _cell_lines(head[1])]
    assert left == ["ỦY BAN NHÂN DÂN TỈNH BẮC NINH", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "Số: 125/BC-TTPVHCC"]
    assert right[-1] == "Kinh Bắc, ngày 17 tháng 11 năm 2025"
    foot = doc.tables[-1].rows[0].cells
    assert [p.text for p in _cell_lines(foot[0])] == ["Nơi nhận:", "- Văn phòng UBND tỉnh;",
                                                       "- Các sở, ban, ngành tỉnh;", "- Lưu: VT."]
    # "-": no authority line; the head signs with the title and the name
    assert [p.text for p in _cell_lines(foot[1])] == ["GIÁM ĐỐC", "Người Ký Thử Nghiệm"]


def test_letterhead_rules(bulletin, seed_scores):
    assert place_date("Bắc Ninh", dt.date(2026, 2, 5), "vi") == "Bắc Ninh, ngày 05 tháng 02 năm 2026"
    assert place_date("Bắc Ninh", dt.date(2026, 11, 30), "vi") == "Bắc Ninh, ngày 30 tháng 11 năm 2026"
    assert place_date("Bắc Ninh", dt.date(2026, 3, 9), "vi") == "Bắc Ninh, ngày 09 tháng 3 năm 2026"
    # the date is the day in Viet Nam: 20:30 UTC on the 29th is the 30th in Bắc Ninh
    late = dt.datetime(2026, 11, 29, 20, 30, tzinfo=dt.UTC)
    lh = letterhead(bulletin, "vi", late, abstract="", doc_type="BÁO CÁO", env={})
    assert lh.place_date == "Bắc Ninh, ngày 30 tháng 11 năm 2026"
    # the archive line is always there, and last
    lh = letterhead(bulletin, "vi", AT, abstract="", doc_type="", env={
        "CHISO_BULLETIN_RECIPIENTS": "Lưu: VT, KSTT; Như trên"})
    assert lh.recipients == ("Như trên", "Lưu: VT, KSTT")
    lh = letterhead(build_bulletin(seed_scores, "31"), "vi", AT, abstract="", doc_type="", env={})
    assert lh.authority == "UBND THÀNH PHỐ HẢI PHÒNG" and lh.place_date.startswith("Hải Phòng, ngày")
    assert lh.recipients[-1].startswith(ARCHIVE)


# ------------------------------------------------------------------ opened by LibreOffice
REQUIRED = ("UBND TỈNH BẮC NINH", "VĂN PHÒNG", "/BC-VP", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc", "Bắc Ninh, ngày 17 tháng 11 năm 2025", "BÁO CÁO",
            "Tình hình, kết quả Chỉ số chỉ đạo, điều hành và chất lượng phục vụ người dân, doanh nghiệp tuần 46 "
            "(10–16/11/2025)", "Nơi nhận:", "- Lưu: VT, KSTT.", "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG")


def _text(pdf: Path) -> str:
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext (poppler-utils) is needed: make installs it (DEB_PACKAGES)"
    return subprocess.run([exe, "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def _pages(pdf: Path, prefix: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run([shutil.which("pdftoppm") or "pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(ARTIFACTS / prefix)], check=True)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_docx_opens_in_libreoffice_with_every_part(bulletin, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (libreoffice-writer-nogui) is needed: make installs it (DEB_PACKAGES)"
    content, _ = _docx(bulletin, DEFAULTS)
    src = tmp_path / "bulletin-24-2025-W46-vi.docx"
    src.write_bytes(content)
    profile = tmp_path / "lo-profile"  # a profile of its own: no clash with another LibreOffice
    run = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                          "--outdir", str(tmp_path), str(src)], capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "bulletin-24-2025-W46-vi.pdf"
    assert run.returncode == 0 and pdf.exists(), run.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    text = _flat(_text(pdf))
    for part in REQUIRED:
        assert part in text, part
    assert "Bắc Ninh tiếp tục dẫn đầu toàn quốc" in text and "đứng thứ 1/34 cả nước" in text
    _pages(pdf, "bulletin-24-2025-W46-docx-libreoffice-page")


def test_the_pdf_has_the_same_parts(bulletin, tmp_path):
    pdf = tmp_path / "bulletin.pdf"
    pdf.write_bytes(render(bulletin, "pdf", "vi", at=AT).content)
    text = _flat(_text(pdf))
    for part in REQUIRED:
        assert part in text, part
    assert "…………" in text  # the signer's name left to write
    pdf.write_bytes(render(bulletin, "pdf", "vi", at=AT, env=OFFICE).content)
    text = _flat(_text(pdf))
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" in text and "Số: 125/BC-TTPVHCC" in text
    assert "GIÁM ĐỐC" in text and "Người Ký Thử Nghiệm" in text and "KT. CHÁNH" not in text
    _pages(pdf, "bulletin-24-2025-W46-pdf-office-page")


def test_english_letterhead(bulletin):
    _, doc = _docx(bulletin, DEFAULTS, "en")
    right = [p.text for p in _cell_lines(doc.tables[0].rows[0].cells[1])]
    assert right == ["SOCIALIST REPUBLIC OF VIET NAM", "Independence - Freedom - Happiness",
                     "Bắc Ninh, 17 November 2025"]
    assert [p.text for p in doc.paragraphs if p.text.strip()][0] == "REPORT"
