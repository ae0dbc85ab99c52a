"""Lý do từ chối và cảnh báo (refusal and warning reasons) of the value rules, in two languages.

Every reason a submission report gives has a **stable machine code** (``value.range``,
``owner.not_owner`` …), an English text — what ``Problem.reason`` holds, what the CLI prints
and what is stored with a refused batch, unchanged — and a Vietnamese one:

- ``text(code, **params)`` — the English reason, as the rules write it;
- ``explain(reason, column=None)`` — ``(code, params)`` read back from an English reason (so
  reports stored before the codes existed are translated too), or ``None``;
- ``localise(reason, lang, column=None)`` — the reason in ``vi`` or ``en``; a reason that is
  not one of these (another module's message) comes back as it is;
- ``code_of(reason, column=None)`` — the code alone.

A period the window parser cannot read carries the parser's own message; it is recognised by
its column (``period``) and shown in Vietnamese with that message inside.
"""
from __future__ import annotations

from chiso.files.reasons import FILE_REASONS, Reason

LANGUAGES = ("vi", "en")


#: Every reason, the more specific first (``explain`` takes the first that matches).
REASONS: tuple[Reason, ...] = (
    # the file (and the reader's reasons: chiso.files.reasons)
    *FILE_REASONS,
    Reason("file.empty", "the file has no values", "tệp không có giá trị nào"),
    Reason("file.json_shape", 'a JSON submission is an array of objects (or an object whose "values" is one)',
           'tệp JSON nộp số liệu phải là một mảng các đối tượng (hoặc một đối tượng có "values" là mảng đó)'),
    Reason("entry.not_object", "each entry must be an object with indicator, unit, period and value",
           "mỗi mục phải là một đối tượng có indicator, unit, period và value"),
    # columns
    Reason("column.missing", "required column missing; a values file has columns {required} (optional: {optional})",
           "thiếu cột bắt buộc; tệp số liệu có các cột {required} (không bắt buộc: {optional})"),
    Reason("column.unknown", "unknown column; expected {columns}",
           "cột không xác định; các cột hợp lệ: {columns}"),
    Reason("column.twice", "column given twice (as {first} and {second})",
           "cột được ghi hai lần (là {first} và {second})"),
    # cells
    Reason("cell.empty", "required value is empty", "ô bắt buộc đang để trống"),
    Reason("indicator.unknown", "unknown indicator: not in the catalogue",
           "chỉ tiêu không xác định: không có trong danh mục"),
    Reason("indicator.formula", "{code} is computed by a formula, not submitted",
           "{code} được tính bằng công thức, không nộp số liệu"),
    Reason("indicator.index", "{code} is computed by the index engine, not submitted",
           "{code} do bộ máy tính chỉ số tính ra, không nộp số liệu"),
    Reason("indicator.composite", "{code} is computed by a composite indicator, not submitted",
           "{code} được tính từ chỉ số tổng hợp, không nộp số liệu"),
    Reason("indicator.tasks", "{code} is counted from the task register, not submitted",
           "{code} được đếm từ sổ theo dõi nhiệm vụ, không nộp số liệu"),
    Reason("indicator.retired", "{code} is retired", "{code} đã ngừng sử dụng"),
    Reason("unit.unknown", "unknown unit: no unit has this code",
           "đơn vị không xác định: không có đơn vị nào mang mã này"),
    Reason("unit.level", "{code} is reported for {levels} units; {unit} is a {level}",
           "{code} được báo cáo cho đơn vị cấp {levels}; {unit} là cấp {level}"),
    Reason("unit.province", "{unit} is not in province {province}, the province of {code}'s owner",
           "{unit} không thuộc tỉnh {province}, tỉnh của cơ quan chủ trì {code}"),
    Reason("period.frequency", "{code} is reported {frequency}: write the period as a {kind}, e.g. {example}",
           "{code} được báo cáo {frequency}: ghi kỳ theo {kind}, ví dụ {example}"),
    Reason("period.future", "period {period} has not begun yet", "kỳ {period} chưa bắt đầu"),
    Reason("period.after_validity", "{code} version {version} is valid until {date}",
           "{code} phiên bản {version} chỉ có hiệu lực đến {date}"),
    Reason("period.before_validity", "{code} version {version} is valid from {date}",
           "{code} phiên bản {version} chỉ có hiệu lực từ {date}"),
    Reason("value.percent", "a percentage, but {code} is measured in {unit}",
           "giá trị ghi theo phần trăm, nhưng {code} có đơn vị tính là {unit}"),
    Reason("measure.mismatch", "{code} is measured in {unit}, not {measure}",
           "{code} có đơn vị tính là {unit}, không phải {measure}"),
    Reason("value.character", "character {char} at position {position} is not a digit: {text}",
           "ký tự {char} ở vị trí {position} không phải chữ số: {text}"),
    Reason("value.not_number", "not a number (write 12.5 or 12,5)", "không phải là số (ghi 12.5 hoặc 12,5)"),
    Reason("value.underflow", "too small to keep: it would be stored as 0",
           "quá nhỏ để lưu: sẽ bị ghi thành 0"),
    Reason("value.range", "outside the allowed range {bounds} of {code}",
           "nằm ngoài khoảng cho phép {bounds} của {code}"),
    Reason("breakdown.none", "{code} has no breakdowns", "{code} không có phân tổ"),
    Reason("breakdown.syntax", "write breakdowns as dimension=value, several joined by ';'",
           "ghi phân tổ theo dạng chiều=giá trị, nhiều phân tổ nối với nhau bằng ';'"),
    Reason("breakdown.dimension", "{code} breaks down by {dimensions}, not {dimension}",
           "{code} phân tổ theo {dimensions}, không theo {dimension}"),
    Reason("breakdown.twice", "dimension {dimension} given twice", "chiều {dimension} được ghi hai lần"),
    Reason("source.mismatch", "the row names source {written} but the batch is submitted from {declared}",
           "dòng ghi nguồn {written} nhưng lô được nộp từ nguồn {declared}"),
    Reason("source.not_allowed",
           "{code} takes its data only from {allowed} (a second source must be named in the catalogue)",
           "{code} chỉ lấy dữ liệu từ {allowed} (nguồn thứ hai phải được khai báo trong danh mục)"),
    # the batch
    Reason("row.duplicate_breakdown", "row {first} already gives {code} for {unit} in {period} ({breakdown})",
           "dòng {first} đã có giá trị {code} của {unit} kỳ {period} ({breakdown})"),
    Reason("row.duplicate", "row {first} already gives {code} for {unit} in {period}",
           "dòng {first} đã có giá trị {code} của {unit} kỳ {period}"),
    Reason("owner.not_owner",
           "only the owner agency {owner} may write the values of {code}; {who} is not its owner "
           "(an administrator may, with --admin and a reason)",
           "chỉ cơ quan chủ trì {owner} được ghi số liệu của {code}; {who} không phải cơ quan chủ trì "
           "(quản trị viên có thể ghi thay, với --admin và lý do)"),
    Reason("period.locked",
           "{code} {period} is locked (khoá sổ); an administrator must unlock it, with a reason, "
           "before values can change",
           "{code} kỳ {period} đã khoá sổ; quản trị viên phải mở khoá, có ghi lý do, trước khi số liệu "
           "được thay đổi"),
    Reason("period.busy",
           "{code} {period} is being written by another submission or approval at this moment; "
           "nothing was written — send it again in a moment",
           "{code} kỳ {period} đang được một lần nộp hoặc phê duyệt khác ghi vào; chưa ghi gì — "
           "hãy gửi lại sau giây lát"),
    Reason("period.draft_after_submit",
           "{code} {period} is already {state}; a draft cannot replace submitted values — "
           "submit the correction with a reason",
           "{code} kỳ {period} đã ở trạng thái {state}; bản nháp không thể thay số liệu đã nộp — "
           "hãy nộp bản điều chỉnh kèm lý do"),
    Reason("value.outlier_explained",
           "far from the history of {code} for {unit}: mean {mean}, sd {sd} over {count} earlier periods, "
           "expected within [{low}, {high}] (mean ± {k}·sd); accepted with the note's explanation",
           "khác xa lịch sử của {code} tại {unit}: trung bình {mean}, độ lệch chuẩn {sd} qua {count} kỳ trước, "
           "dự kiến trong khoảng [{low}, {high}] (trung bình ± {k}·độ lệch chuẩn); đã tiếp nhận với giải thích "
           "trong cột ghi chú"),
    Reason("value.outlier",
           "far from the history of {code} for {unit}: mean {mean}, sd {sd} over {count} earlier periods, "
           "expected within [{low}, {high}] (mean ± {k}·sd); check it, or explain it in the note column",
           "khác xa lịch sử của {code} tại {unit}: trung bình {mean}, độ lệch chuẩn {sd} qua {count} kỳ trước, "
           "dự kiến trong khoảng [{low}, {high}] (trung bình ± {k}·độ lệch chuẩn); hãy kiểm tra lại, hoặc giải "
           "thích trong cột ghi chú (note)"),
    Reason("unit.incomplete",
           "incomplete: {count} expected unit(s) have no value of {code} for {period}: {units}; "
           "submit them too, or send this batch as a draft (--draft)",
           "chưa đủ: {count} đơn vị phải báo cáo chưa có giá trị {code} kỳ {period}: {units}; "
           "hãy nộp cả các đơn vị đó, hoặc gửi lô này dưới dạng bản nháp (--draft)"),
    Reason("unit.incomplete_flag", "incomplete: {count} expected unit(s) have no value of {code} for {period}: "
           "{units}", "chưa đủ: {count} đơn vị phải báo cáo chưa có giá trị {code} kỳ {period}: {units}"),
    Reason("value.correction",
           "differs from the value in force {current} (recorded by {who} on {when}, batch {batch}); "
           "a correction needs a reason (--reason)",
           "khác giá trị đang có hiệu lực {current} (do {who} ghi lúc {when}, lô {batch}); "
           "điều chỉnh số liệu phải kèm lý do (--reason)"),
)
#: The parser's message for a period it cannot read (recognised by the ``period`` column).
UNREADABLE_PERIOD = Reason("period.unreadable", "{detail}", "không đọc được kỳ báo cáo: {detail}")

#: The window parser's own messages (chiso.periods.windows) in Vietnamese, shown inside
#: ``period.unreadable``; their codes are never given out (the period's code is).
WINDOW_MESSAGES = (
    Reason("window.month", "no month {m}", "không có tháng {m}"),
    Reason("window.quarter", "no quarter {q}", "không có quý {q}"),
    Reason("window.week", "{y} has no ISO week {w}", "năm {y} không có tuần ISO {w}"),
    Reason("window.date", "{whole}: {text} is not a date (YYYY-MM-DD)",
           "{whole}: {text} không phải là ngày (YYYY-MM-DD)"),
    Reason("window.order", "window {label} ends before it starts", "kỳ {label} kết thúc trước khi bắt đầu"),
    Reason("window.years", "window {text} lies outside the years {first}–{last} chiso reads",
           "kỳ {text} nằm ngoài các năm {first}–{last} mà chiso đọc"),
    Reason("window.form", "cannot read window {text}; write 2026-W34, 2026-08, 2026-Q3, 2026, ytd:2026-08-17, "
           "2026-08-17 or 2026-08-01..2026-08-17",
           "không đọc được kỳ {text}; hãy viết 2026-W34, 2026-08, 2026-Q3, 2026, ytd:2026-08-17, "
           "2026-08-17 hoặc 2026-08-01..2026-08-17"),
)


def _window_vi(message: str) -> str:
    for r in WINDOW_MESSAGES:
        m = r.pattern.fullmatch(message)
        if m is not None:
            return r.vi.format(**m.groupdict())
    return message


BY_CODE: dict[str, Reason] = {r.code: r for r in (*REASONS, UNREADABLE_PERIOD)}
if len(BY_CODE) != len(REASONS) + 1:  # pragma: no cover - a code given twice is a programming error
    raise RuntimeError("chiso.collect.values.reasons: a reason code is given twice")

#: English words inside reasons (levels, frequencies, period kinds, states) in Vietnamese.
WORDS_VI: dict[str, dict[str, str]] = {
    "level": {"province": "tỉnh", "department": "sở/ngành", "commune": "xã/phường"},
    "frequency": {"daily": "hằng ngày", "weekly": "hằng tuần", "monthly": "hằng tháng",
                  "quarterly": "hằng quý", "yearly": "hằng năm"},
    "kind": {"day": "ngày", "week": "tuần", "month": "tháng", "quarter": "quý", "year": "năm"},
    "state": {"draft": "nháp", "submitted": "đã nộp", "approved": "đã duyệt", "locked": "đã khoá sổ"},
}
_FIELD_WORDS = {"level": "level", "levels": "level", "frequency": "frequency", "kind": "kind", "state": "state"}


#: What a number as offices write it may hold besides digits (``rules.parse_number``).
NUMBER_CHARACTERS = frozenset("0123456789.,+- \u00a0eE")


def wrong_character(written: str) -> tuple[str, int] | None:
    """The first character that has no place in a number, and its position (from 1), when the
    cell is a number with a slip in it — at least half its characters digits, as in "3.1O8,2"
    (the letter O for a zero); None for a word ("mười") or when every character may be in a
    number (then the reason is ``value.not_number``)."""
    digits = sum(c.isascii() and c.isdigit() for c in written)
    if not written or digits * 2 < len(written):
        return None
    for i, c in enumerate(written, start=1):
        if c not in NUMBER_CHARACTERS:
            return c, i
    return None


def text(reason_code: str, /, **params) -> str:
    """The English reason of a code with its fields filled in (what ``Problem.reason`` holds)."""
    return BY_CODE[reason_code].en.format(**params)


def explain(reason: str, column: str | None = None) -> tuple[str, dict[str, str]] | None:
    """``(code, fields)`` of an English reason, or ``None`` when it is not one of ``REASONS``."""
    for r in REASONS:
        m = r.pattern.fullmatch(reason)
        if m is not None:
            return r.code, m.groupdict()
    if column == "period" and reason:
        return UNREADABLE_PERIOD.code, {"detail": reason}
    return None


def code_of(reason: str, column: str | None = None) -> str | None:
    """The stable code of an English reason (``None`` for a message that is not one)."""
    found = explain(reason, column)
    return None if found is None else found[0]


def _vi_words(field: str, value: str) -> str:
    words = WORDS_VI.get(_FIELD_WORDS.get(field, ""), {})
    if not words:
        return value
    return ", ".join(words.get(part, part) for part in value.split(", "))


def localise(reason: str, lang: str, column: str | None = None) -> str:
    """The reason in ``lang`` (``vi`` or ``en``); one that is not in ``REASONS`` as it is."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; languages are {', '.join(LANGUAGES)}")
    if lang == "en" or not reason:
        return reason
    found = explain(reason, column)
    if found is None:
        return reason
    code, fields = found
    if code == UNREADABLE_PERIOD.code:
        fields = {"detail": _window_vi(fields["detail"])}
    return BY_CODE[code].vi.format(**{k: _vi_words(k, v) for k, v in fields.items()})
