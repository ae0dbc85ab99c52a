"""Record schemas: the record-level data the service-quality index is computed from.

Four kinds of record:

- ``dossiers`` — hồ sơ thủ tục hành chính: one administrative dossier received by a unit;
- ``petitions`` — phản ánh, kiến nghị (PAKN): one citizen petition handled by a unit;
- ``procedures`` — danh mục thủ tục hành chính: the procedures each unit handles;
- ``publications`` — công bố thủ tục hành chính: one procedure publication decision.

These declarations are the single source of truth: loading validates against them, the
stores create their tables from them, the index compiler checks predicates against them,
and ``docs/records.md`` is generated from them (a test keeps it in sync).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldType = Literal["str", "int", "bool", "date", "enum"]


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    required: bool
    description: str
    vi: str = ""
    default: object = None  # used when the column is absent or the cell is empty (optional fields only)
    choices: tuple[str, ...] = ()  # for enum fields
    minimum: int | None = None  # for int fields


@dataclass(frozen=True)
class RecordKind:
    name: str
    vi: str
    description: str
    key: tuple[str, ...]  # upsert key: loading the same key again replaces, keeping history
    fields: tuple[Field, ...]
    window_field: str | None  # the date that places a record in a window (None: a catalogue, not windowed)
    # (later, earlier) date pairs that must be ordered: finished on or after received, …
    date_order: tuple[tuple[str, str], ...] = field(default=())

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)


def _f(name, type_, required, description, vi="", **kw) -> Field:
    return Field(name, type_, required, description, vi, **kw)


_UNIT = _f("unit_code", "str", True, "Code of the unit that received or handles the record "
           "(a department, a commune/ward, or the province).", "Mã đơn vị")
_PROVINCE = _f("province_code", "str", False,
               "Code of the province the unit belongs to; filled from the unit when absent and "
               "checked against it when present.", "Mã tỉnh")

DOSSIERS = RecordKind(
    name="dossiers",
    vi="Hồ sơ thủ tục hành chính",
    description="One administrative-procedure dossier, from receipt to result.",
    key=("id",),
    window_field="received_date",
    date_order=(("appointment_date", "received_date"), ("finished_date", "received_date")),
    fields=(
        _f("id", "str", True, "Dossier number, unique nationally.", "Mã hồ sơ"),
        _UNIT,
        _PROVINCE,
        _f("procedure_code", "str", True, "Code of the administrative procedure (mã TTHC).", "Mã TTHC"),
        _f("received_date", "date", True, "Date the dossier was received.", "Ngày tiếp nhận"),
        _f("appointment_date", "date", False,
           "Appointment date for the result (ngày hẹn trả); empty → received date plus the "
           "procedure's statutory working days.", "Ngày hẹn trả"),
        _f("finished_date", "date", False, "Date the result was issued; empty while unfinished.",
           "Ngày hoàn thành"),
        _f("supplement_count", "int", False, "Requests for supplementation sent to the citizen.",
           "Số lần yêu cầu bổ sung", default=0, minimum=0),
        _f("supplement_days", "int", False,
           "Days the citizen spent supplementing (not counted against the agency).",
           "Số ngày bổ sung", default=0, minimum=0),
        _f("channel", "enum", True, "How the dossier was submitted.", "Kênh tiếp nhận",
           choices=("direct", "online", "post")),
        _f("fully_online", "bool", False, "Submitted and processed fully online.",
           "Trực tuyến toàn trình", default=False),
        _f("full_online_eligible", "bool", False,
           "The procedure is eligible for full online service; empty → from the procedure catalogue.",
           "Thủ tục đủ điều kiện trực tuyến toàn trình", default=None),
        _f("synced_national", "bool", False,
           "Status synchronised in real time to the National Public Service Portal.",
           "Đồng bộ Cổng DVCQG", default=False),
        _f("financial_obligation", "bool", False, "The dossier carries a fee or charge to pay.",
           "Có nghĩa vụ tài chính", default=False),
        _f("paid_online", "bool", False, "The fee was paid online.", "Thanh toán trực tuyến",
           default=False),
        _f("digitized", "bool", False, "Components and result digitised.", "Số hóa hồ sơ",
           default=False),
        _f("result_paper", "bool", False,
           "The procedure's result is a paper document; empty → from the procedure catalogue.",
           "Kết quả là giấy tờ", default=None),
        _f("result_electronic", "bool", False, "A legally valid electronic result was issued.",
           "Có kết quả điện tử", default=False),
        _f("reused_data", "bool", False, "Reused data already digitised.", "Tái sử dụng dữ liệu",
           default=False),
        _f("personal_store_linked", "bool", False,
           "Linked to the citizen's personal data store on the national portal.",
           "Đồng bộ kho dữ liệu cá nhân", default=False),
        _f("population_db_used", "bool", False, "Used the national population database.",
           "Khai thác CSDL quốc gia về dân cư", default=False),
        _f("rating", "enum", False, "The citizen's rating of the service, if given.",
           "Đánh giá", choices=("satisfied", "neutral", "dissatisfied"), default=None),
        _f("complaint", "bool", False, "A complaint was filed about this dossier.", "Khiếu nại",
           default=False),
    ),
)

PETITIONS = RecordKind(
    name="petitions",
    vi="Phản ánh, kiến nghị",
    description="One citizen or business petition (phản ánh, kiến nghị) and its handling.",
    key=("id",),
    window_field="received_date",
    date_order=(("due_date", "received_date"), ("handled_date", "received_date")),
    fields=(
        _f("id", "str", True, "Petition number.", "Mã PAKN"),
        _UNIT,
        _PROVINCE,
        _f("received_date", "date", True, "Date received.", "Ngày tiếp nhận"),
        _f("due_date", "date", False,
           "Handling deadline; empty → received date plus 15 working days.", "Hạn xử lý"),
        _f("handled_date", "date", False, "Date handled (answered, rejected or forwarded).",
           "Ngày xử lý"),
        _f("dissatisfied", "bool", False, "The petitioner marked the answer dissatisfied.",
           "Không hài lòng", default=False),
        _f("recomplained", "bool", False, "The petitioner complained again.", "Phản ánh lại",
           default=False),
    ),
)

PROCEDURES = RecordKind(
    name="procedures",
    vi="Danh mục thủ tục hành chính",
    description="A procedure as handled by one unit: fees, online service, result, subject.",
    key=("unit_code", "procedure_code"),
    window_field=None,
    fields=(
        _UNIT,
        _PROVINCE,
        _f("procedure_code", "str", True, "Code of the administrative procedure (mã TTHC).", "Mã TTHC"),
        _f("name", "str", True, "Name of the procedure.", "Tên thủ tục"),
        _f("statutory_days", "int", True, "Statutory processing time in working days.",
           "Thời hạn giải quyết (ngày làm việc)", minimum=0),
        _f("has_fee", "bool", False, "The procedure carries a fee or charge.", "Có phí, lệ phí",
           default=False),
        _f("fee_payment_integrated", "bool", False, "Fee payment integrated on the national portal.",
           "Tích hợp thanh toán trực tuyến", default=False),
        _f("online_service", "bool", False, "Offered as an online public service.",
           "Cung cấp dịch vụ công trực tuyến", default=False),
        _f("full_online_eligible", "bool", False, "Eligible for full online service.",
           "Đủ điều kiện trực tuyến toàn trình", default=False),
        _f("paper_result", "bool", False, "The result is a paper document.", "Kết quả là giấy tờ",
           default=True),
        _f("citizen_subject", "bool", False, "Citizens (not only businesses) are its subjects.",
           "Đối tượng là công dân", default=True),
    ),
)

PUBLICATIONS = RecordKind(
    name="publications",
    vi="Công bố thủ tục hành chính",
    description="A decision publishing a procedure, and its making public on the national database.",
    key=("id",),
    window_field="decision_date",
    date_order=(("public_date", "decision_date"),),
    fields=(
        _f("id", "str", True, "Publication identifier.", "Mã công bố"),
        _UNIT,
        _PROVINCE,
        _f("procedure_code", "str", True, "Code of the procedure published.", "Mã TTHC"),
        _f("legal_effective_date", "date", True, "Effective date of the legal basis.",
           "Ngày văn bản QPPL có hiệu lực"),
        _f("decision_date", "date", True, "Date of the publication decision.", "Ngày quyết định công bố"),
        _f("public_date", "date", False,
           "Date made public on the national procedure database; empty if not yet.",
           "Ngày công khai trên CSDL quốc gia"),
        _f("content_complete", "bool", False,
           "Published with every required part (name, steps, method, dossier, time limit, subject, agency).",
           "Công khai đầy đủ nội dung", default=False),
    ),
)

RECORD_KINDS: dict[str, RecordKind] = {k.name: k for k in (DOSSIERS, PETITIONS, PROCEDURES, PUBLICATIONS)}


def record_kind(name: str) -> RecordKind:
    try:
        return RECORD_KINDS[name]
    except KeyError:
        raise KeyError(f"unknown record kind {name!r}; known: {', '.join(RECORD_KINDS)}") from None


def records_markdown() -> str:
    """docs/records.md, generated from the declarations above (a test keeps them in sync)."""
    out = ["# Record schemas", "",
           "Generated from `chiso/catalog/records.py` (`python -m chiso.catalog.records > docs/records.md`).",
           "Files loaded with `chiso load` carry these columns (header row); optional columns may be",
           "left out. Dates are `YYYY-MM-DD` (or `DD/MM/YYYY`); booleans `true/false`, `1/0`, `có/không`.",
           "A record is identified by its key: loading the same key again replaces the record and",
           "keeps the earlier version in the history table.", "",
           "Next to the record tables and their `<kind>_history` tables the record store holds the",
           "change log `_record_changes` (`stamp`, `kind`, `day`, `unit_code`: every upsert that changes",
           "records logs, under a new stamp, the window days and units of the records it inserted, replaced",
           "or moved, old and new versions; `day` NULL for a kind without a window, `unit_code` NULL in rows",
           "logged before units were), the load log `_record_loads` (`batch`, `position`, `record_kind`,",
           "`file_name`, `file_sha256`, `rows`, `inserted`, `updated`, `unchanged`, `loaded_at` UTC,",
           "`loaded_by`: each file a load wrote, in the records' own transaction — the register",
           "`load_batches` is completed from it, decision 60) and the counts kept between refreshes:",
           "`_kept_<hash>` tables (the counts scan's rows) listed in `_kept_counts` with their plan",
           "and the stamp they reflect",
           "(`chiso counts list`; see docs/decisions.md, decision 15), and the counts kept by day",
           "(`chiso counts keep --by-day`, `chiso.engine.daily`), listed there with grain `daily`,",
           "`changes` or `static`: `_kday_<hash>` (per `province_code`, `unit_code`, `received_day` — a",
           "day number, days since 1970-01-01 — every additive measure, the window-dependent ones judged",
           "that day), `_kchg_<hash>` (per unit, `received_day` and `change_day`: the steps of the",
           "window-dependent measures, rows of all-zero steps left out), `_kdst_<hash>` (per unit and",
           "value of the distinct field: BIGINT day masks `<measure>__w<n>` and `_any__w<n>`, bit *i* of",
           "mask *n* the kept range's day 62·n + i) and `_kall_`/`_kals_<hash>` (the counts of a kind",
           "without a window, the procedures catalogue, kept whole).", ""]
    for kind in RECORD_KINDS.values():
        out += [f"## `{kind.name}` — {kind.vi}", "", kind.description, "",
                f"Key: {', '.join(f'`{k}`' for k in kind.key)}. "
                + (f"Placed in a window by `{kind.window_field}`." if kind.window_field
                   else "Not windowed: the catalogue as it stands."), ""]
        if kind.date_order:
            out += ["Date order checked: " + "; ".join(f"`{a}` ≥ `{b}`" for a, b in kind.date_order) + ".", ""]
        out += ["| field | type | required | Vietnamese | description |", "|---|---|---|---|---|"]
        for f in kind.fields:
            t = f.type if f.type != "enum" else "one of " + ", ".join(f"`{c}`" for c in f.choices)
            if f.minimum is not None:
                t += f" ≥ {f.minimum}"
            req = "yes" if f.required else (f"no (default `{str(f.default).lower()}`)" if f.default is not None
                                            else "no")
            out.append(f"| `{f.name}` | {t} | {req} | {f.vi} | {f.description} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(records_markdown(), end="")
