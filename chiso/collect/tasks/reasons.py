"""Why a task row or item was refused, in Vietnamese and English.

A task problem's ``Problem.reason`` holds both languages, Vietnamese first (``"vi / en"``),
as the task core's own messages do (``chiso.tasks.deadlines.parse_deadline``): the command
line and any page that shows reasons as they are show Vietnamese first. ``localise`` gives
one language: a task reason read back through its pattern, a deadline message split at its
``" / "``, a file reader's reason (English) through ``chiso.collect.values.reasons``.
"""
from __future__ import annotations

import re

from chiso.collect.values.reasons import localise as localise_values
from chiso.files.reasons import Reason

#: Every task reason (``{field}`` parts are ``str.format`` fields).
TASK_REASONS: tuple[Reason, ...] = (
    Reason("tasks.empty", "the file has no tasks", "tệp không có nhiệm vụ nào"),
    Reason("tasks.too_many", "more than {limit} tasks at once", "quá {limit} nhiệm vụ một lần"),
    Reason("column.missing", "required column missing; a task file has the columns {columns}",
           "thiếu cột bắt buộc; tệp nhiệm vụ có các cột {columns}"),
    Reason("column.twice", "column given twice (as {first} and {second})",
           "cột được ghi hai lần (là {first} và {second})"),
    Reason("item.not_object", "each task must be an object", "mỗi nhiệm vụ phải là một đối tượng"),
    Reason("item.unknown_key", "unknown key; the keys are {keys}",
           "khoá không xác định; các khoá hợp lệ: {keys}"),
    Reason("cell.empty", "required value is empty", "ô bắt buộc đang để trống"),
    Reason("cell.not_text", "expected text, not {kind}", "cần ghi chữ, không phải {kind}"),
    Reason("cell.too_long", "longer than {limit} characters", "dài quá {limit} ký tự"),
    Reason("date.unreadable", "not a date: write dd/mm/yyyy (30/11/2026) or yyyy-mm-dd",
           "không phải ngày: ghi theo dạng ngày/tháng/năm (30/11/2026) hoặc năm-tháng-ngày"),
    Reason("date.calendar", "not a date of the calendar", "ngày không có trong lịch"),
    Reason("date.years", "the year must be from {first} to {last}", "năm phải từ {first} đến {last}"),
    Reason("date.before_document", "the task is assigned before its document's date ({date})",
           "ngày giao trước ngày văn bản ({date})"),
    Reason("deadline.before_assigned", "the deadline ({date}) is before the day the task was assigned ({assigned})",
           "thời hạn ({date}) trước ngày giao ({assigned})"),
    Reason("until.not_recurring", "an end date is only for a recurring task (hằng tháng, hằng quý)",
           "hạn kết thúc chỉ dùng cho nhiệm vụ định kỳ (hằng tháng, hằng quý)"),
    Reason("until.before_assigned", "the end date is before the day the task was assigned ({assigned})",
           "hạn kết thúc trước ngày giao ({assigned})"),
    Reason("unit.unknown", "no unit of province {province} has this code or name",
           "không có đơn vị nào của tỉnh {province} mang mã hoặc tên này"),
    Reason("unit.level", "{unit} is a {level}; tasks go to departments and communes",
           "{unit} là cấp {level}; nhiệm vụ giao cho sở, ban, ngành và xã, phường"),
    Reason("starred.unreadable", "write x, có, ✓ or 1 for a priority task, or leave it empty",
           "ghi x, có, ✓ hoặc 1 cho nhiệm vụ trọng tâm, hoặc để trống"),
    Reason("field.unknown", "not a field of the catalogue; the fields are {fields}",
           "không phải lĩnh vực của danh mục; các lĩnh vực: {fields}"),
    Reason("indicator.unknown", "{code} is not an indicator of the catalogue",
           "{code} không có trong danh mục chỉ số"),
    Reason("link.scheme", "a link starts with http:// or https://", "liên kết phải bắt đầu bằng http:// hoặc https://"),
    Reason("id.twice", "task id {id} is also on row {first}", "mã nhiệm vụ {id} trùng với dòng {first}"),
    Reason("id.province", "task id {id} belongs to province {other}", "mã nhiệm vụ {id} thuộc tỉnh {other}"),
)

BY_CODE: dict[str, Reason] = {r.code: r for r in TASK_REASONS}
_SEP = " / "


def text(reason_code: str, /, **params) -> str:
    """The reason of a code with its fields filled in: Vietnamese, then English."""
    r = BY_CODE[reason_code]
    return r.vi.format(**params) + _SEP + r.en.format(**params)


def _pattern(r: Reason) -> re.Pattern:
    """The bilingual text as a regular expression; each field a named group (its second
    occurrence, in the English half, a back-reference)."""
    out, last, seen = [], 0, set()
    whole = r.vi + _SEP + r.en
    for m in re.finditer(r"\{(\w+)\}", whole):
        out.append(re.escape(whole[last:m.start()]))
        name = m.group(1)
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        last = m.end()
    out.append(re.escape(whole[last:]))
    return re.compile("".join(out), re.DOTALL)


_PATTERNS = [(r, _pattern(r)) for r in TASK_REASONS]


def code_of(reason: str) -> str | None:
    """The stable code of a task reason (``None`` for another message)."""
    for r, pattern in _PATTERNS:
        if pattern.fullmatch(reason):
            return r.code
    return None


def localise(reason: str, lang: str) -> str:
    """The reason in ``lang`` (``vi`` or ``en``): a task reason or a deadline message in its
    half, a file reader's reason through the values' table, anything else as it is."""
    for r, pattern in _PATTERNS:
        m = pattern.fullmatch(reason)
        if m is not None:
            return (r.vi if lang == "vi" else r.en).format(**m.groupdict())
    if _SEP in reason and not reason.isascii():  # the task core's "vi / en" messages
        vi, en = reason.split(_SEP, 1)
        return vi if lang == "vi" else en
    return localise_values(reason, lang)
