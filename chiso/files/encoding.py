"""The text encoding of a file: UTF-8 is read as it is; UTF-16 and UTF-32 with a byte-order
mark (what Excel's "Unicode text" writes) are unambiguous and read too; anything else is
refused with the encoding it looks like (Windows-1258, the old Vietnamese code page, is the
usual one) and the line of the first byte that is not UTF-8.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from chiso.files.guards import refuse
from chiso.files.reasons import text

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_BLOCK = 1 << 20
_SAMPLE = 1 << 16

#: Python's codec names as people know them.
KNOWN_AS = {"cp1258": "Windows-1258 (cp1258)", "cp1252": "Windows-1252 (cp1252)", "cp1250": "Windows-1250",
            "latin_1": "Latin-1 (ISO 8859-1)", "utf_16_le": "UTF-16 without a byte-order mark",
            "utf_16_be": "UTF-16 without a byte-order mark", "mac_roman": "Mac Roman", "tis_620": "TIS-620"}


@dataclass(frozen=True)
class Encoded:
    """How a file's text is encoded, and its bytes as UTF-8 when they had to be converted."""

    encoding: str                 # "utf-8", "utf-8-sig", "utf-16", "utf-32"
    utf8: bytes | None = None     # the text as UTF-8 when the file is not; None: read the file itself


def _line_of(path: Path, offset: int) -> int:
    line, seen = 1, 0
    with path.open("rb") as fh:
        while seen < offset:
            block = fh.read(min(_BLOCK, offset - seen))
            if not block:
                break
            line += block.count(b"\n")
            seen += len(block)
    return line


def _looks_like(sample: bytes) -> str | None:
    best = from_bytes(sample).best()
    if best is None or best.encoding in ("utf_8", "ascii"):
        return None
    return KNOWN_AS.get(best.encoding, best.encoding.replace("_", "-"))


def _utf16_without_bom(sample: bytes) -> bool:
    """Latin text in UTF-16 has a zero in every other byte."""
    half = len(sample) // 2
    return half >= 8 and max(sample[0::2].count(0), sample[1::2].count(0)) > half * 3 // 4


def examine(path: Path, name: str) -> Encoded:
    """The file's encoding; a LoadError naming the encoding found when chiso cannot read it."""
    with path.open("rb") as fh:
        head = fh.read(4)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if encoding == "utf-8-sig":
                break
            try:
                return Encoded(encoding, path.read_bytes().decode(encoding).encode("utf-8"))
            except UnicodeDecodeError as exc:
                raise refuse(name, text("file.unreadable", format=encoding.upper(), detail=exc.reason)) from None
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as fh:
        first = True
        while block := fh.read(_BLOCK):
            if first and _utf16_without_bom(block[:_SAMPLE]):
                raise refuse(name, text("file.utf16_no_bom"))
            first = False
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                fh.seek(max(0, bad - _SAMPLE // 2))
                guess = _looks_like(fh.read(_SAMPLE))
                line = _line_of(path, bad)
                if guess is None:
                    raise refuse(name, text("file.not_utf8", line=line)) from None
                raise refuse(name, text("file.encoding", encoding=guess, line=line)) from None
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise refuse(name, text("file.not_utf8", line=_line_of(path, offset))) from None
    return Encoded("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8")


def read_text(path: Path, name: str) -> str:
    """The whole file as text (UTF-8, or UTF-16/32 with a byte-order mark), without a BOM."""
    found = examine(path, name)
    data = found.utf8 if found.utf8 is not None else path.read_bytes()
    return data.decode("utf-8").removeprefix("\ufeff")
