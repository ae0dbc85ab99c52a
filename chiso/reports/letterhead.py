"""The bulletin as an administrative document (văn bản hành chính): the parts Nghị định
30/2020/NĐ-CP, Phụ lục I, requires around the body, from the province's settings.

- the header: left, the governing body (cơ quan chủ quản, ``CHISO_BULLETIN_AUTHORITY``) over
  the issuing body (``CHISO_BULLETIN_ISSUER``, bold, a short rule under it) and the number
  and symbol ("Số: …/BC-VP": the number left blank for the clerk unless
  ``CHISO_BULLETIN_NUMBER`` sets it); right, the national name (Quốc hiệu, bold upper case)
  and the motto (Tiêu ngữ, bold, a rule under it), then the place and date in italics
  ("Bắc Ninh, ngày 30 tháng 11 năm 2026": days below 10 and months 1 and 2 with a leading
  zero);
- the document type and its summary (trích yếu): "BÁO CÁO" / "Tình hình, kết quả … tuần 48
  (23–29/11/2026) của tỉnh Bắc Ninh";
- the foot: "Nơi nhận:" (bold italic) and its list, ending with the archive line "Lưu: VT, …";
  the signature block: the signer's authority (KT. CHÁNH VĂN PHÒNG), title, room to sign,
  and the name — a blank line when ``CHISO_BULLETIN_SIGNER_NAME`` is unset (chiso never
  invents a person).

DOCX (``docx.py``) and HTML/PDF (``html.py``) lay out the same ``Letterhead``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chiso import settings
from chiso.errors import UnknownUnitError
from chiso.reports.facts import Bulletin
from chiso.reports.numformat import FORMATS
from chiso.units import load_units
from chiso.units.registry import short_name

NATION = {"vi": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "en": "SOCIALIST REPUBLIC OF VIET NAM"}
MOTTO = {"vi": "Độc lập - Tự do - Hạnh phúc", "en": "Independence - Freedom - Happiness"}
RECIPIENTS_LABEL = {"vi": "Nơi nhận:", "en": "Recipients:"}
NUMBER_LABEL = {"vi": "Số", "en": "No."}
ARCHIVE = "Lưu: VT"
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
#: the blank the clerk fills with the number (and the signer signs over): a run of spaces
#: keeps its width in every format
BLANK_NUMBER = "\u2007" * 6
BLANK_NAME = "…………………………"


@dataclass(frozen=True)
class Letterhead:
    """Every part of the administrative format around a bulletin's body, as text."""

    authority: str  # UBND TỈNH BẮC NINH
    issuer: str  # VĂN PHÒNG
    number: str  # Số: …/BC-VP
    nation: str
    motto: str
    place_date: str  # Bắc Ninh, ngày 30 tháng 11 năm 2026
    doc_type: str  # BÁO CÁO
    abstract: str  # Tình hình, kết quả … tuần 48 (23–29/11/2026)
    recipients_label: str
    recipients: tuple[str, ...]  # each a line, "- " added by the layout; the last "Lưu: VT, …"
    signer_authority: str  # KT. CHÁNH VĂN PHÒNG ("" for none)
    signer_title: str  # PHÓ CHÁNH VĂN PHÒNG
    signer_name: str  # the name, or "" (a blank line to write it on)


def _province(code: str):
    try:
        return load_units().get(code)
    except UnknownUnitError:
        return None


def default_authority(code: str) -> str:
    """The province's People's Committee as a governing body is written: "UBND TỈNH BẮC NINH",
    "UBND THÀNH PHỐ HẢI PHÒNG"."""
    u = _province(code)
    if u is None:
        return "UBND"
    kind = "THÀNH PHỐ" if u.type.startswith("thành phố") else "TỈNH"
    return f"UBND {kind} {short_name(u).upper()}"


def default_recipients(code: str) -> tuple[str, ...]:
    u = _province(code)
    kind = "thành phố" if u is not None and u.type.startswith("thành phố") else "tỉnh"
    return (f"Chủ tịch, các Phó Chủ tịch UBND {kind} (để báo cáo)", f"Các sở, ban, ngành {kind}",
            "UBND các xã, phường", f"{ARCHIVE}, KSTT")


def place_date(place: str, day: dt.date, lang: str) -> str:
    """"Bắc Ninh, ngày 05 tháng 02 năm 2026": the decree writes days below 10 and the months 1
    and 2 with a leading zero; "Bắc Ninh, 5 February 2026" in English."""
    if lang == "en":
        return f"{place}, {day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _setting(name: str, env: dict[str, str] | None) -> str | None:
    """The setting's value; "-" says "none" (an empty value falls back to the default)."""
    value = settings.get(name, env)
    if value is None or value.strip() == "-":
        return None
    return value.strip()


def letterhead(b: Bulletin, lang: str, at: dt.datetime, *, abstract: str, doc_type: str,
               env: dict[str, str] | None = None) -> Letterhead:
    """The letterhead of ``b`` issued at ``at`` (its date in ``CHISO_TIMEZONE``)."""
    day = at.astimezone(settings.timezone(env)).date() if at.tzinfo else at.date()
    code = b.province_code
    authority = _setting("CHISO_BULLETIN_AUTHORITY", env) or default_authority(code)
    issuer = _setting("CHISO_BULLETIN_ISSUER", env) or ""
    symbol = _setting("CHISO_BULLETIN_SYMBOL", env) or ""
    number = _setting("CHISO_BULLETIN_NUMBER", env) or BLANK_NUMBER
    place = _setting("CHISO_BULLETIN_PLACE", env) or b.province.short_name
    raw = _setting("CHISO_BULLETIN_RECIPIENTS", env)
    recipients = tuple(r.strip().lstrip("-").strip().rstrip(";.") for r in raw.split(";")) if raw else \
        default_recipients(code)
    recipients = tuple(r for r in recipients if r)
    if not any(r.startswith(ARCHIVE) for r in recipients):
        recipients += (ARCHIVE,)
    else:  # the archive line last, as the decree places it
        recipients = tuple(r for r in recipients if not r.startswith(ARCHIVE)) + \
            tuple(r for r in recipients if r.startswith(ARCHIVE))
    return Letterhead(
        authority=authority.upper(), issuer=issuer.upper(),
        number=f"{NUMBER_LABEL[lang]}: {number}/{symbol}" if symbol else f"{NUMBER_LABEL[lang]}: {number}",
        nation=NATION[lang], motto=MOTTO[lang], place_date=place_date(place, day, lang), doc_type=doc_type,
        abstract=abstract, recipients_label=RECIPIENTS_LABEL[lang], recipients=recipients,
        signer_authority=(_setting("CHISO_BULLETIN_SIGNER_AUTHORITY", env) or "").upper(),
        signer_title=(_setting("CHISO_BULLETIN_SIGNER_TITLE", env) or "").upper(),
        signer_name=_setting("CHISO_BULLETIN_SIGNER_NAME", env) or "")


def recipient_lines(lh: Letterhead) -> list[str]:
    """The list as the decree writes it: "- X;" each, the last ending with a full stop."""
    out = [f"- {r};" for r in lh.recipients]
    if out:
        out[-1] = out[-1][:-1] + "."
    return out


def period_for_abstract(b: Bulletin, lang: str) -> str:
    return FORMATS[lang].period_dated(b.window)
