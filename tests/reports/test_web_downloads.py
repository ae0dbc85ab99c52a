"""The bulletin page in the web app offers the same bulletin as files; the files do not."""
from __future__ import annotations

import re

from chiso.reports.html import render_html


def test_the_web_page_links_every_format_and_the_other_language(bulletin):
    page = render_html(bulletin, "vi", downloads=True)
    links = re.findall(r'<nav class="downloads"[^>]*>(.*?)</nav>', page, re.S)
    assert links, "no download bar"
    for fmt in ("pdf", "docx", "xlsx"):
        assert f"format={fmt}" in links[0]
    assert "lang=en" in links[0] and f"window={bulletin.window}" in links[0]


def test_files_carry_no_download_bar(bulletin):
    assert 'class="downloads"' not in render_html(bulletin, "vi")
