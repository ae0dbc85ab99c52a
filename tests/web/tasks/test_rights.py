"""Who may do what with a task (chiso.web.security.tasks): the whole table, role by role, and
the office as the setting names it."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from chiso.units import load_units
from chiso.web.security.principal import Principal
from chiso.web.security.tasks import (
    REFUSALS,
    is_office,
    may_add_event,
    may_manage_tasks,
    may_read_task,
    office_unit,
    reads_whole_province,
    refusal,
)

ROW = SimpleNamespace(code="NV-2026-00001", province_code="24", lead_unit="24-SYT", co_units=["24-SCT"])


def who(role: str, unit: str, province: str = "24") -> Principal:
    return Principal(username=f"{role}.{unit}", display_name=role, role=role, unit_code=unit, province_code=province)


#: (principal, read, manage, progress/extension request, completion, decisions)
TABLE = [
    (who("admin", "24"), True, True, False, False, True),
    (who("leader", "24"), True, False, False, False, False),
    (who("viewer", "24"), True, False, False, False, False),
    (who("officer", "24-VPUBND"), True, True, False, False, True),
    (who("head", "24-VPUBND"), True, True, False, False, True),
    (who("head", "24-SYT"), True, False, True, True, False),
    (who("officer", "24-SYT"), True, False, True, False, False),
    (who("officer", "24-SCT"), True, False, False, False, False),
    (who("head", "24-SCT"), True, False, False, False, False),
    (who("officer", "24-STC"), False, False, False, False, False),
    (who("leader", "01", "01"), False, False, False, False, False),
    (who("officer", "01-VPUBND", "01"), False, True, False, False, False),
]


@pytest.mark.parametrize("principal, read, manage, progress, completion, decide", TABLE,
                         ids=[f"{p.role}-{p.unit_code}" for p, *_ in TABLE])
def test_the_rights_table(principal, read, manage, progress, completion, decide):
    assert may_read_task(principal, ROW) is read
    assert may_manage_tasks(principal) is manage  # the office of its own province (writes go to that province)
    assert may_add_event(principal, ROW, "progress") is progress
    assert may_add_event(principal, ROW, "extension_request") is progress
    assert may_add_event(principal, ROW, "completion") is completion
    assert may_add_event(principal, ROW, "extension_decision") is decide
    assert may_add_event(principal, ROW, "acceptance") is decide
    assert may_add_event(principal, ROW, "comment") is False


def test_the_office_unit_and_its_setting(monkeypatch):
    assert office_unit("24") == "24-VPUBND"
    assert "24-VPUBND" in load_units(["24"])
    monkeypatch.setenv("CHISO_TASK_OFFICE_UNIT", "24-SNV")
    assert office_unit("24") == "24-SNV"
    assert is_office(who("officer", "24-SNV")) and not is_office(who("officer", "24-VPUBND"))
    assert reads_whole_province(who("head", "24-SNV"))


def test_every_refusal_is_said_in_both_languages():
    for kind in ("progress", "extension_request", "completion", "extension_decision", "acceptance", "manage"):
        vi, en = REFUSALS[kind]
        assert refusal(kind) == f"{vi} / {en}"
    assert "thủ trưởng" in REFUSALS["completion"][0]
