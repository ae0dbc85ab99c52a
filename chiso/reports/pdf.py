"""The bulletin as an A4 PDF: the HTML page printed by WeasyPrint — the same administrative
document as the DOCX (letterhead, body, "Nơi nhận" and signature block from ``letterhead.py``),
in Times New Roman (Liberation Serif where Times is not installed)."""
from __future__ import annotations

import datetime as dt
import warnings

from chiso.reports.facts import Bulletin
from chiso.reports.html import TEMPLATES, render_html


def render_pdf(b: Bulletin, lang: str = "vi", *, at: dt.datetime | None = None,
               env: dict[str, str] | None = None) -> bytes:
    """PDF bytes of the bulletin page in ``lang``."""
    with warnings.catch_warnings():
        # WeasyPrint 70 announces that a future version will need libharfbuzz-subset; this
        # one subsets fonts without it. Known noise, filtered by its words.
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        from weasyprint import HTML

    html = render_html(b, lang, at=at, env=env)
    # the document's title comes from the page's <title>
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
