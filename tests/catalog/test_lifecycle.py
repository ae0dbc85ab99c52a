"""The six-step lifecycle: every pair of states is allowed or refused as the rules say, and a
refusal says why and what is allowed."""
from __future__ import annotations

import pytest

from chiso.catalog.indicator import LIFECYCLE, LIVE_STATES
from chiso.catalog.lifecycle import (
    STATE_LABELS,
    STEPS,
    allowed_moves,
    check_transition,
    is_live,
    transition_kind,
)
from chiso.errors import NotAllowedError

# Every allowed move, written out by hand from the rules (forward one step, back for
# rework, retire from anywhere, restart a retired one at step 1 or 2).
ALLOWED = {
    ("needs_identified", "candidate"): "forward",
    ("needs_identified", "retired"): "retire",
    ("candidate", "standardised"): "forward",
    ("candidate", "needs_identified"): "rework",
    ("candidate", "retired"): "retire",
    ("standardised", "unified"): "forward",
    ("standardised", "candidate"): "rework",
    ("standardised", "needs_identified"): "rework",
    ("standardised", "retired"): "retire",
    ("unified", "approved"): "forward",
    ("unified", "standardised"): "rework",
    ("unified", "candidate"): "rework",
    ("unified", "needs_identified"): "rework",
    ("unified", "retired"): "retire",
    ("approved", "in_operation"): "forward",
    ("approved", "unified"): "rework",
    ("approved", "standardised"): "rework",
    ("approved", "candidate"): "rework",
    ("approved", "needs_identified"): "rework",
    ("approved", "retired"): "retire",
    ("in_operation", "approved"): "rework",
    ("in_operation", "unified"): "rework",
    ("in_operation", "standardised"): "rework",
    ("in_operation", "candidate"): "rework",
    ("in_operation", "needs_identified"): "rework",
    ("in_operation", "retired"): "retire",
    ("retired", "needs_identified"): "restart",
    ("retired", "candidate"): "restart",
}
PAIRS = [(a, b) for a in LIFECYCLE for b in LIFECYCLE]


@pytest.mark.parametrize("from_state, to_state", PAIRS)
def test_every_pair_of_states(from_state: str, to_state: str) -> None:
    expected = ALLOWED.get((from_state, to_state))
    assert transition_kind(from_state, to_state) == expected
    if expected is None:
        with pytest.raises(NotAllowedError, match="TC.A"):
            check_transition("TC.A", from_state, to_state, by="Nguyễn Văn A", comment="lý do")
    else:
        assert check_transition("TC.A", from_state, to_state, by="Nguyễn Văn A", comment="lý do") == expected


def test_the_six_steps_in_order_then_retirement() -> None:
    assert STEPS == ("needs_identified", "candidate", "standardised", "unified", "approved", "in_operation")
    assert set(STATE_LABELS) == set(LIFECYCLE)
    assert [s for s in LIFECYCLE if is_live(s)] == ["approved", "in_operation"] == sorted(LIVE_STATES)


def test_allowed_moves_in_lifecycle_order() -> None:
    assert allowed_moves("candidate") == ["needs_identified", "standardised", "retired"]
    assert allowed_moves("retired") == ["needs_identified", "candidate"]


def test_skipping_a_step_is_refused_with_what_is_allowed() -> None:
    with pytest.raises(NotAllowedError) as caught:
        check_transition("TC.A", "candidate", "approved", by="A", comment="vội")
    message = str(caught.value)
    assert "cannot move from candidate to approved" in message
    assert "one step at a time" in message
    assert "may move to needs_identified, standardised, retired" in message


def test_a_retired_indicator_starts_again_at_the_beginning() -> None:
    with pytest.raises(NotAllowedError, match="starts again at needs_identified or candidate"):
        check_transition("TC.A", "retired", "approved", by="A", comment="dùng lại")


@pytest.mark.parametrize("by, comment, to_state, reason", [
    ("A", "", "standardised", "needs a comment"),
    ("A", "   ", "standardised", "needs a comment"),
    ("", "lý do", "standardised", "say who"),
    (" ", "lý do", "standardised", "say who"),
    ("A", "lý do", "published", "unknown state 'published'"),
    ("A", "lý do", "candidate", "already candidate"),
])
def test_a_move_needs_who_why_and_a_real_state(by: str, comment: str, to_state: str, reason: str) -> None:
    with pytest.raises(NotAllowedError, match=reason):
        check_transition("TC.A", "candidate", to_state, by=by, comment=comment)
