"""A task, its deadline, its instances and its events, as plain frozen values.

A task with a date or no deadline has one instance (key ``""``); a recurring task
(``monthly`` or ``quarterly`` report tasks) has one instance per period from the month it
was assigned, keyed by the period (``2026-11``, ``2026-Q4``), each with its own deadline,
extension and completion. States are those of instances.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

#: How a task's deadline is given.
DeadlineKind = Literal["date", "monthly", "quarterly", "none"]
DEADLINE_KINDS: tuple[str, ...] = ("date", "monthly", "quarterly", "none")
DEADLINE_KIND_NAMES: dict[str, tuple[str, str]] = {
    "date": ("có thời hạn", "with a deadline"),
    "monthly": ("định kỳ hằng tháng", "recurring monthly"),
    "quarterly": ("định kỳ hằng quý", "recurring quarterly"),
    "none": ("không có thời hạn", "no deadline"),
}

#: The four states (bốn trạng thái) of an instance at a date, in the Government Office's order.
STATES: tuple[str, ...] = ("done_on_time", "done_late", "open_in_time", "open_overdue")
STATE_NAMES: dict[str, tuple[str, str]] = {
    "done_on_time": ("hoàn thành đúng hạn", "done on time"),
    "done_late": ("hoàn thành quá hạn", "done late"),
    "open_in_time": ("đang thực hiện trong hạn", "open within deadline"),
    "open_overdue": ("đang thực hiện quá hạn", "open and overdue"),
}
DONE_STATES = ("done_on_time", "done_late")
OPEN_STATES = ("open_in_time", "open_overdue")

#: Overdue age buckets (days past the deadline, calendar days): (code, first day, last day or None).
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1-30", 1, 30), ("31-60", 31, 60), ("61-120", 61, 120), ("120+", 121, None))
BUCKET_NAMES: dict[str, tuple[str, str]] = {
    "1-30": ("quá hạn 1–30 ngày", "1–30 days overdue"),
    "31-60": ("quá hạn 31–60 ngày", "31–60 days overdue"),
    "61-120": ("quá hạn 61–120 ngày", "61–120 days overdue"),
    "120+": ("quá hạn trên 120 ngày", "over 120 days overdue"),
}

#: The kinds of event in a task's life (its timeline).
EVENT_KINDS: tuple[str, ...] = (
    "progress",            # the lead unit: percent, text, as-of date, evidence
    "extension_request",   # the lead unit asks for a new deadline, with a reason
    "extension_decision",  # the office approves (with the deadline granted) or refuses
    "completion",          # the lead unit reports the task done (completion date, evidence)
    "acceptance",          # the office accepts the completion report, or returns it
)
EVENT_NAMES: dict[str, tuple[str, str]] = {
    "progress": ("cập nhật tiến độ", "progress update"),
    "extension_request": ("đề nghị gia hạn", "extension request"),
    "extension_decision": ("quyết định gia hạn", "extension decision"),
    "completion": ("báo cáo hoàn thành", "completion report"),
    "acceptance": ("xác nhận hoàn thành", "completion accepted or returned"),
}


@dataclass(frozen=True)
class SourceDocument:
    """The document that gave the task (văn bản giao nhiệm vụ)."""

    number: str                  # số/ký hiệu: "125/TB-UBND"
    date: dt.date | None = None  # ngày ban hành
    summary: str = ""            # trích yếu
    issuer: str = ""             # cơ quan ban hành: "UBND tỉnh"
    link: str | None = None


@dataclass(frozen=True)
class Deadline:
    """``kind`` "date": ``day`` (already rolled to a working day if the setting says so);
    "monthly"/"quarterly": ``due_day`` of the month (of the quarter's last month), from the
    task's start until ``until`` (None = open-ended); "none": no deadline."""

    kind: DeadlineKind = "none"
    day: dt.date | None = None
    due_day: int | None = None
    until: dt.date | None = None
    text: str = ""               # as the source wrote it ("trong 15 ngày làm việc")

    def __post_init__(self):
        if self.kind not in DEADLINE_KINDS:
            raise ValueError(f"unknown deadline kind {self.kind!r}")
        if self.kind == "date" and self.day is None:
            raise ValueError("a 'date' deadline needs its day")
        if self.kind in ("monthly", "quarterly") and not (self.due_day and 1 <= self.due_day <= 31):
            raise ValueError("a recurring deadline needs its day of the month (1–31)")


@dataclass(frozen=True)
class Task:
    """One assigned task as the register keeps it (its life is in ``Event`` rows)."""

    code: str
    content: str
    lead_unit: str
    assigned_on: dt.date
    deadline: Deadline = Deadline()
    document: SourceDocument | None = None
    assigned_by: str = ""        # the leader who assigned it ("Chủ tịch UBND tỉnh Nguyễn Văn A")
    co_units: tuple[str, ...] = ()
    starred: bool = False        # priority (nhiệm vụ trọng tâm)
    field: str | None = None     # a field code of the catalogue (ECONOMY…)
    indicators: tuple[str, ...] = ()
    external_id: str | None = None


@dataclass(frozen=True)
class Instance:
    """One occurrence of a task to be done by ``deadline`` (None = no deadline)."""

    task: str                    # the task's code
    key: str                     # "" for a one-off task, else the period ("2026-11", "2026-Q4")
    lead_unit: str
    opens_on: dt.date            # from when the instance exists (assigned, or its period's start)
    deadline: dt.date | None
    starred: bool = False


@dataclass(frozen=True)
class Life:
    """What the events say of one instance, for computing its state at any date.

    ``extensions``: (decided on, deadline granted) of each approved extension;
    ``completed_on``/``accepted_on``: the accepted completion report (the last one accepted);
    ``updates``: the dates of progress updates.
    """

    extensions: tuple[tuple[dt.date, dt.date], ...] = ()
    completed_on: dt.date | None = None
    accepted_on: dt.date | None = None
    updates: tuple[dt.date, ...] = field(default=())
