"""Who follows a warning up — the one set of rules of the warnings page and the API.

- Reading: administrators, leaders and viewers read every warning of their province; a head
  or officer reads the warnings about their unit, for which it is responsible, or given to it.
- Assigning (giao việc: a unit, maybe one of its accounts, a due date, a note) and
  reassigning: the leader and the administrator (``ASSIGNERS``) — leaders direct.
- Acknowledging and resolving: ``may_handle_warning`` for the responsible unit, or for the
  unit the warning is given to (the agency asked to handle it handles it).
- Commenting: whoever assigns or handles the warning; viewers read the thread.
"""
from __future__ import annotations

from chiso.web.security.principal import Principal, may_handle_warning

#: The roles that give a warning to a unit or person with a due date.
ASSIGNERS: tuple[str, ...] = ("admin", "leader")
#: The roles that read every warning of their province.
PROVINCE_READERS: tuple[str, ...] = ("admin", "leader", "viewer")


def assigned_unit(assignment) -> str | None:
    return None if assignment is None else assignment.unit_code


def may_read_warning(principal: Principal, row, assignment=None) -> bool:
    """Whether the principal reads this warning (its province already checked)."""
    if principal.role in PROVINCE_READERS:
        return True
    return principal.unit_code in (row.unit_code, row.responsible_unit, assigned_unit(assignment))


def may_assign(principal: Principal) -> bool:
    """Whether the principal gives warnings to units or people (leader, administrator)."""
    return principal.role in ASSIGNERS


def may_handle(principal: Principal, row, assignment=None) -> bool:
    """Whether the principal acknowledges or resolves this warning: ``may_handle_warning`` for
    the responsible unit or for the unit the warning is given to."""
    if may_handle_warning(principal, row.responsible_unit):
        return True
    unit = assigned_unit(assignment)
    return unit is not None and may_handle_warning(principal, unit)


def may_comment(principal: Principal, row, assignment=None) -> bool:
    """Whether the principal writes in the warning's thread: who assigns or who handles it."""
    return may_assign(principal) or may_handle(principal, row, assignment)
