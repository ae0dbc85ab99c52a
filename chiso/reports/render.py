"""One entry point for every format: ``render(bulletin, format, lang)`` → bytes + media type."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chiso.reports.docx import render_docx
from chiso.reports.facts import Bulletin
from chiso.reports.html import render_html
from chiso.reports.pdf import render_pdf
from chiso.reports.text import LANGS
from chiso.reports.xlsx import render_xlsx

FORMATS: dict[str, tuple[str, str]] = {  # format → (file extension, media type)
    "html": ("html", "text/html; charset=utf-8"),
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@dataclass(frozen=True)
class Rendered:
    content: bytes
    format: str
    lang: str

    @property
    def media_type(self) -> str:
        return FORMATS[self.format][1]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][0]


def check(format: str, lang: str) -> None:
    if format not in FORMATS:
        raise ValueError(f"format {format!r}: choose one of {', '.join(FORMATS)}")
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: choose one of {', '.join(LANGS)}")


def render(b: Bulletin, format: str = "pdf", lang: str = "vi", *, at: dt.datetime | None = None,
           env: dict[str, str] | None = None) -> Rendered:
    """The bulletin in ``format`` (html, pdf, docx, xlsx) and ``lang`` (vi, en); ``env``
    overrides the letterhead's settings (``CHISO_BULLETIN_*``)."""
    check(format, lang)
    if format == "html":
        content = render_html(b, lang, at=at, env=env).encode("utf-8")
    elif format == "pdf":
        content = render_pdf(b, lang, at=at, env=env)
    elif format == "docx":
        content = render_docx(b, lang, at=at, env=env)
    else:
        content = render_xlsx(b, lang)
    return Rendered(content, format, lang)


def file_name(province: str, window: str, format: str, lang: str) -> str:
    """bulletin-24-2025-W46-vi.pdf"""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in window)
    return f"bulletin-{province}-{safe}-{lang}.{FORMATS[format][0]}"
