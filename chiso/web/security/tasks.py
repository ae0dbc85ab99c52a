"""Who may do what with assigned tasks — the one set of rules of the task pages and the API.

- **The office** (Văn phòng UBND tỉnh, ``office_unit``: ``CHISO_TASK_OFFICE_UNIT`` or
  ``<province>-VPUBND``): an administrator, or a head or officer of the office unit.
- **Reading** a task: administrators, leaders, viewers and the office read every task of their
  province; a head or officer reads the tasks whose lead unit or one of whose co-operating
  units is theirs.
- **Creating and changing** tasks (the import page, the API's create/update): the office.
- **Progress** and **extension requests**: a head or officer of the lead unit.
- **Completion report**: the head of the lead unit alone (thủ trưởng báo cáo hoàn thành) —
  an officer may not.
- **Extension decisions** and **acceptance or return** of a completion report: the office.

Only whether someone may: the life rules (a decision answers a pending request…) are
``chiso.store.repo_tasks.add_event``'s.
"""
from __future__ import annotations

from chiso import settings
from chiso.web.security.principal import Principal

#: The roles that read every task of their province.
PROVINCE_READERS: tuple[str, ...] = ("admin", "leader", "viewer")
#: The roles of a unit's accounts (a department's or commune's, or the office's).
UNIT_ROLES: tuple[str, ...] = ("head", "officer")
#: The events the lead unit writes, and those the office writes.
LEAD_EVENTS: tuple[str, ...] = ("progress", "extension_request", "completion")
OFFICE_EVENTS: tuple[str, ...] = ("extension_decision", "acceptance")


def office_unit(province: str, env: dict[str, str] | None = None) -> str:
    """The unit that follows tasks up: ``CHISO_TASK_OFFICE_UNIT``, else ``<province>-VPUBND``."""
    configured = (settings.get("CHISO_TASK_OFFICE_UNIT", env) or "").strip()
    return configured or f"{province}-VPUBND"


def is_office(principal: Principal) -> bool:
    """An administrator, or a head or officer of the province's office unit."""
    if principal.role == "admin":
        return True
    return principal.role in UNIT_ROLES and principal.unit_code == office_unit(principal.province_code)


def _same_province(principal: Principal, row) -> bool:
    return principal.role == "admin" or row.province_code == principal.province_code


def may_read_task(principal: Principal, row, tree=None) -> bool:
    """Whether the principal reads this task (``row``: a ``TaskRow`` or anything with
    ``province_code``, ``lead_unit``, ``co_units``). ``tree`` is accepted for callers that
    have it; the rule needs no more than the row."""
    if not _same_province(principal, row):
        return False
    if principal.role in PROVINCE_READERS or is_office(principal):
        return True
    if principal.role in UNIT_ROLES:
        return principal.unit_code == row.lead_unit or principal.unit_code in (row.co_units or ())
    return False


def reads_whole_province(principal: Principal) -> bool:
    """Whether the principal reads every task of the province (else only their unit's)."""
    return principal.role in PROVINCE_READERS or is_office(principal)


def may_manage_tasks(principal: Principal) -> bool:
    """Whether the principal creates and changes tasks (import page, API create/update)."""
    return is_office(principal)


def _of_lead_unit(principal: Principal, row, roles: tuple[str, ...]) -> bool:
    return (_same_province(principal, row) and principal.role in roles
            and principal.unit_code == row.lead_unit)


def may_report_progress(principal: Principal, row) -> bool:
    """Progress updates and extension requests: a head or officer of the lead unit."""
    return _of_lead_unit(principal, row, UNIT_ROLES)


def may_report_completion(principal: Principal, row) -> bool:
    """The completion report: the head of the lead unit (an officer may not)."""
    return _of_lead_unit(principal, row, ("head",))


def may_decide(principal: Principal, row) -> bool:
    """Extension decisions, acceptance or return of a completion report: the office."""
    return _same_province(principal, row) and is_office(principal)


def may_add_event(principal: Principal, row, kind: str) -> bool:
    """Whether the principal may write an event of ``kind`` on this task."""
    if kind in ("progress", "extension_request"):
        return may_report_progress(principal, row)
    if kind == "completion":
        return may_report_completion(principal, row)
    if kind in OFFICE_EVENTS:
        return may_decide(principal, row)
    return False


#: Why a principal may not write an event of each kind: (Vietnamese, English).
REFUSALS: dict[str, tuple[str, str]] = {
    "progress": ("Chỉ thủ trưởng hoặc cán bộ của đơn vị chủ trì được cập nhật tiến độ",
                 "only the head or an officer of the lead unit updates progress"),
    "extension_request": ("Chỉ thủ trưởng hoặc cán bộ của đơn vị chủ trì được đề nghị gia hạn",
                          "only the head or an officer of the lead unit asks for an extension"),
    "completion": ("Chỉ thủ trưởng đơn vị chủ trì được báo cáo hoàn thành nhiệm vụ",
                   "only the head of the lead unit reports a task completed"),
    "extension_decision": ("Chỉ Văn phòng UBND tỉnh được quyết định gia hạn",
                           "only the office decides extensions"),
    "acceptance": ("Chỉ Văn phòng UBND tỉnh được xác nhận hoặc trả lại báo cáo hoàn thành",
                   "only the office accepts or returns a completion report"),
    "manage": ("Chỉ Văn phòng UBND tỉnh và quản trị viên được tạo, sửa hoặc nhập nhiệm vụ",
               "only the office and administrators create, change or import tasks"),
}


def refusal(kind: str) -> str:
    """The refusal for ``kind`` as one bilingual sentence (API and errors)."""
    vi, en = REFUSALS[kind]
    return f"{vi} / {en}"
