"""The columns of a task file and the keys of a task item: one list, in the register's order.

A document-management system's export names its columns in Vietnamese (``Mã nhiệm vụ``,
``Đơn vị chủ trì`` …); the API and connectors use snake-case English keys
(``external_id``, ``lead_unit`` …). A header is matched case- and accent-insensitively
(``chiso.text.fold``: ``"DON VI CHU TRI"``, ``"Đơn vị chủ trì"`` and ``"don_vi_chu_tri"`` are
the same), against the Vietnamese header, its usual variants, the key and its English words.
"""
from __future__ import annotations

from dataclasses import dataclass

from chiso.text import fold


@dataclass(frozen=True)
class Column:
    key: str                      # the item key and the name inside chiso
    header: str                   # the Vietnamese header, as problems name the column
    required: bool = False
    aliases: tuple[str, ...] = ()  # other headers read as this column (Vietnamese variants, English)
    help_vi: str = ""
    help_en: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("external_id", "Mã nhiệm vụ", True, ("mã nhiệm vụ gốc", "task id"),
           "mã của nhiệm vụ trong hệ thống quản lý văn bản; nhập lại cùng mã thì cập nhật nhiệm vụ đó",
           "the task's id in the document-management system; importing the same id again updates that task"),
    Column("doc_number", "Số ký hiệu văn bản", True,
           ("số/ký hiệu văn bản", "số, ký hiệu văn bản", "số hiệu văn bản", "số ký hiệu", "document number"),
           "số/ký hiệu của văn bản giao nhiệm vụ, ví dụ 125/TB-UBND", "the document's number, e.g. 125/TB-UBND"),
    Column("doc_date", "Ngày văn bản", False, ("ngày ban hành", "document date"),
           "ngày ban hành văn bản", "the document's date"),
    Column("doc_summary", "Trích yếu", False, ("trích yếu văn bản", "document summary", "summary"),
           "trích yếu nội dung văn bản", "the document's summary"),
    Column("doc_issuer", "Cơ quan ban hành", False, ("document issuer", "issuer"),
           "cơ quan ban hành văn bản, ví dụ UBND tỉnh", "who issued the document"),
    Column("doc_link", "Liên kết văn bản", False, ("đường dẫn văn bản", "liên kết", "document link", "link"),
           "đường dẫn tới văn bản (http:// hoặc https://)", "a link to the document (http:// or https://)"),
    Column("content", "Nội dung nhiệm vụ", True, ("nội dung", "task content"),
           "nội dung nhiệm vụ được giao", "what the task is"),
    Column("assigned_by", "Người giao", False, ("lãnh đạo giao", "assigned by"),
           "lãnh đạo giao nhiệm vụ, ví dụ Chủ tịch UBND tỉnh", "the leader who assigned it"),
    Column("assigned_on", "Ngày giao", True, ("ngày giao nhiệm vụ", "assigned on", "assigned date"),
           "ngày giao nhiệm vụ", "the day the task was assigned"),
    Column("lead_unit", "Đơn vị chủ trì", True, ("cơ quan chủ trì", "lead unit"),
           "mã đơn vị (24-STC) hoặc tên đầy đủ (Sở Tài chính)", "a unit code (24-STC) or its full name"),
    Column("co_units", "Đơn vị phối hợp", False, ("cơ quan phối hợp", "co units", "co-operating units"),
           "các đơn vị phối hợp, cách nhau bằng dấu chấm phẩy (;)", "co-operating units, separated by ;"),
    Column("deadline", "Thời hạn", False, ("thời hạn hoàn thành", "hạn hoàn thành", "deadline"),
           "một ngày, “15 ngày”, “10 ngày làm việc”, “hằng tháng ngày 20”, “hằng quý ngày 15” hoặc để trống",
           "a date, a number of days, a recurring day, or empty"),
    Column("until", "Hạn kết thúc", False, ("ngày kết thúc", "until", "end date"),
           "nhiệm vụ định kỳ: ngày kết thúc", "recurring tasks: the last day"),
    Column("starred", "Trọng tâm", False, ("nhiệm vụ trọng tâm", "ưu tiên", "starred", "priority"),
           "x, có, ✓ hoặc 1 nếu là nhiệm vụ trọng tâm", "x, có, ✓ or 1 for a priority task"),
    Column("field", "Lĩnh vực", False, ("field",),
           "mã lĩnh vực của danh mục (ECONOMY) hoặc tên (Kinh tế)", "a catalogue field code or its name"),
    Column("indicators", "Chỉ số liên quan", False, ("mã chỉ số liên quan", "indicators"),
           "mã chỉ số trong danh mục, cách nhau bằng dấu chấm phẩy (;)", "indicator codes, separated by ;"),
)

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)
REQUIRED: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.required)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)

_BY_FOLDED: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.header, _c.key, *_c.aliases):
        _BY_FOLDED.setdefault(fold(_name), _c.key)


def column_of(header: str) -> str | None:
    """The key a header means, case and accents ignored; None for a column chiso does not read."""
    return _BY_FOLDED.get(fold(header))
