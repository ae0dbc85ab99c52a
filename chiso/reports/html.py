"""The bulletin as one self-contained HTML page: inline CSS and SVG charts, A4 print rules.

The web app serves it as it is; ``pdf.py`` prints the same page with WeasyPrint.
"""
from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from chiso.reports.charts import render_charts
from chiso.reports.facts import Bulletin
from chiso.reports.letterhead import BLANK_NAME, letterhead, recipient_lines
from chiso.reports.numformat import FORMATS
from chiso.reports.tables import bulletin_tables
from chiso.reports.text import BulletinText, issued_line, write_text

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def html_context(b: Bulletin, text: BulletinText, at: dt.datetime, env: dict[str, str] | None = None) -> dict:
    """Everything the template shows (inspectable: tests read the data, not the markup): the
    same letterhead, body and foot as the DOCX (``letterhead.py``)."""
    lh = letterhead(b, text.lang, at, abstract=text.abstract, doc_type=text.doc_type, env=env)
    return {"b": b, "text": text, "fmt": FORMATS[text.lang], "charts": render_charts(b, text, "svg"),
            "tables": bulletin_tables(b, text), "css": (TEMPLATES / "bulletin.css").read_text(encoding="utf-8"),
            "issued": issued_line(b, text.lang, at), "lh": lh, "recipients": recipient_lines(lh),
            "blank_name": BLANK_NAME}


def render_html(b: Bulletin, lang: str = "vi", *, at: dt.datetime | None = None,
                text: BulletinText | None = None, downloads: bool = False, env: dict[str, str] | None = None) -> str:
    """The bulletin page in ``lang``; with ``downloads`` (the web page) a bar of links to the
    same bulletin as PDF, DOCX and Excel and in the other language (not in files)."""
    text = text or write_text(b, lang)
    at = at or dt.datetime.now().astimezone()
    context = html_context(b, text, at, env)
    context["downloads"] = _download_links(b, lang) if downloads else None
    return _environment().get_template("bulletin.html").render(context)


def _download_links(b: Bulletin, lang: str) -> list[tuple[str, str]]:
    from urllib.parse import urlencode

    province = b.province_code
    api = f"/api/v1/reports/{province}?"
    links = [(label, api + urlencode({"window": b.window, "format": fmt, "lang": lang}))
             for fmt, label in (("pdf", "PDF"), ("docx", "DOCX"), ("xlsx", "Excel"))]
    other = "en" if lang == "vi" else "vi"
    links.append(("English" if other == "en" else "Tiếng Việt",
                  f"/reports/{province}?" + urlencode({"window": b.window, "lang": other})))
    links.append(("← chiso" if lang == "en" else "← Tổng quan", "/"))
    return links
