"""Why a file was refused, in English (what ``Problem.reason`` holds) and Vietnamese.

A ``Reason`` has a stable code, an English text and a Vietnamese one (``str.format``
fields). The reasons of the file reader are here; the value rules
(``chiso.collect.values.reasons``) add theirs to the same kind of table, and one
``explain``/``localise`` reads either back from the English text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Reason:
    """One reason: its code and its text in English and Vietnamese (``str.format`` fields)."""

    code: str
    en: str
    vi: str

    @cached_property
    def pattern(self) -> re.Pattern:
        """The English text as a regular expression, each field a named group."""
        out, last = [], 0
        for m in re.finditer(r"\{(\w+)\}", self.en):
            out.append(re.escape(self.en[last:m.start()]))
            out.append(f"(?P<{m.group(1)}>.+?)")
            last = m.end()
        out.append(re.escape(self.en[last:]))
        return re.compile("".join(out), re.DOTALL)


#: The file reader's reasons, the more specific first.
FILE_REASONS: tuple[Reason, ...] = (
    Reason("file.missing", "file not found", "không tìm thấy tệp"),
    Reason("file.type", "unsupported file type {suffix}; {what} is read from {suffixes}",
           "không hỗ trợ loại tệp {suffix}; {what} được đọc từ các tệp {suffixes}"),
    Reason("file.too_big", "the file is {size}, more than the {limit} chiso accepts",
           "tệp nặng {size}, vượt giới hạn {limit}"),
    Reason("file.unpacked", "the workbook would unpack to {size}, more than the {limit} allowed; "
                            "refused before unpacking",
           "tệp Excel khi giải nén sẽ thành {size}, vượt giới hạn {limit}; đã từ chối trước khi giải nén"),
    Reason("file.ratio", "part {part} of the workbook is compressed {ratio} to 1, more than {limit} to 1 "
                         "(an archive bomb?); refused before unpacking",
           "phần {part} của tệp Excel bị nén với tỉ lệ {ratio}:1, vượt giới hạn {limit}:1 (tệp nén độc hại?); "
           "đã từ chối trước khi giải nén"),
    Reason("file.parts", "the workbook has {parts} parts, more than {limit}",
           "tệp Excel có {parts} thành phần, vượt giới hạn {limit}"),
    Reason("file.not_workbook", "not an Excel workbook (.xlsx): {detail}",
           "không phải tệp Excel (.xlsx): {detail}"),
    Reason("file.utf16_no_bom", "the file looks like UTF-16 text without a byte-order mark; save it as UTF-8 "
                                "(in Excel: \"CSV UTF-8\")",
           "tệp có vẻ là văn bản UTF-16 không có dấu BOM; hãy lưu lại dạng UTF-8 (trong Excel: \"CSV UTF-8\")"),
    Reason("file.encoding", "the file is not UTF-8: it looks like {encoding} (first unreadable byte on "
                            "line {line}); save it as UTF-8 (in Excel: \"CSV UTF-8\")",
           "tệp không được mã hoá UTF-8: có vẻ là bảng mã {encoding} (byte đầu tiên không đọc được ở dòng "
           "{line}); hãy lưu lại dạng UTF-8 (trong Excel: \"CSV UTF-8\")"),
    Reason("file.not_utf8", "the file is not UTF-8 (first unreadable byte on line {line}) and its encoding "
                            "cannot be told; save it as UTF-8 (in Excel: \"CSV UTF-8\")",
           "tệp không được mã hoá UTF-8 (byte đầu tiên không đọc được ở dòng {line}) và không nhận ra bảng mã; "
           "hãy lưu lại dạng UTF-8 (trong Excel: \"CSV UTF-8\")"),
    Reason("file.rows", "the file has more than {limit} data rows",
           "tệp có hơn {limit} dòng dữ liệu"),
    Reason("file.columns", "the file has {columns} columns, more than {limit}",
           "tệp có {columns} cột, vượt giới hạn {limit}"),
    Reason("file.depth", "lists and objects are nested more than {limit} deep",
           "danh sách và đối tượng lồng nhau sâu quá {limit} cấp"),
    Reason("file.alias", "YAML anchors and aliases (& and *) are not accepted in a file sent to chiso",
           "không chấp nhận neo và bí danh YAML (& và *) trong tệp gửi lên"),
    Reason("file.bad_json", "not valid JSON: {message} at line {line}, column {column}",
           "JSON không hợp lệ: {message} ở dòng {line}, cột {column}"),
    Reason("file.bad_yaml", "not valid YAML: {message}", "YAML không hợp lệ: {message}"),
    Reason("file.unreadable", "cannot read this {format} file: {detail}",
           "không đọc được tệp {format} này: {detail}"),
    Reason("file.nul", "the file holds a NUL character (byte 0, written \\u0000 or \\0), which is no text",
           "tệp chứa ký tự NUL (byte 0, viết là \\u0000 hoặc \\0), không phải văn bản"),
    Reason("line.not_object", "each line of a JSON lines file must be one JSON object",
           "mỗi dòng của tệp JSON lines phải là một đối tượng JSON"),
    Reason("row.cells", "the row has more cells than the header: {cells} cells for {columns} columns",
           "dòng có nhiều ô hơn dòng tiêu đề: {cells} ô cho {columns} cột"),
    Reason("row.quote", "a quote (\") opened in this row is never closed: the rest of the file would be one cell",
           "dấu ngoặc kép (\") mở ở dòng này không bao giờ được đóng: phần còn lại của tệp sẽ thành một ô"),
    Reason("column.no_header", "a column has values but no header", "một cột có giá trị nhưng không có tên cột"),
    Reason("column.repeated", "column appears twice (as {first} and {second})",
           "cột xuất hiện hai lần (là {first} và {second})"),
    Reason("cell.too_long", "the cell holds {chars} characters, more than {limit}",
           "ô chứa {chars} ký tự, vượt giới hạn {limit}"),
    Reason("cell.nul", "the cell holds a NUL character (byte 0), which is no text: the file may be damaged",
           "ô chứa ký tự NUL (byte 0), không phải văn bản: tệp có thể đã bị hỏng"),
)

BY_CODE: dict[str, Reason] = {r.code: r for r in FILE_REASONS}


def text(reason_code: str, /, **params) -> str:
    """The English reason of a code with its fields filled in."""
    return BY_CODE[reason_code].en.format(**params)


def size_text(n: int) -> str:
    """Bytes as Windows shows them: ``5.3 MB``, ``12 GB`` (1 MB = 1024 kB; one decimal below 10)."""
    units = ("bytes", "kB", "MB", "GB", "TB")
    value, unit = float(n), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    if unit == 0:
        return f"{n} bytes"
    return f"{value:.1f} {units[unit]}" if value < 10 else f"{value:.0f} {units[unit]}"
