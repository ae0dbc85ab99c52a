"""The six-step lifecycle of an indicator (quy trình 6 bước) as states and allowed moves.

::

    needs_identified → candidate → standardised → unified → approved → in_operation
          ▲  ▲             ▲            ▲           ▲           │
          └──┴─────────────┴────────────┴───────────┴───────────┘  back for rework
    any state ──► retired ──► needs_identified | candidate        (restart)

- forward one step at a time;
- back to any earlier step, for rework;
- retire from any state; a retired indicator may only start again at step 1 or 2;
- every move records who, when and a comment (never empty).

Only ``approved`` and ``in_operation`` indicators are live (``LIVE_STATES``): they feed
the dashboard, rankings, warnings and bulletins. Who may move an indicator is decided by
role later; for now ``by`` is recorded.

The rules here are pure; the moves are stored by ``chiso.store.repo_catalogue``. The
store keeps the versions and moves (``chiso.store.repo_catalogue``: ``current_catalogue``,
``live_indicators``, ``indicator_version``, ``indicator_history``, ``move_indicator``).
"""
from __future__ import annotations

from chiso.catalog.indicator import LIFECYCLE, LIVE_STATES
from chiso.errors import NotAllowedError

#: The six steps, in order (retirement is not a step).
STEPS: tuple[str, ...] = LIFECYCLE[:6]
RETIRED = "retired"
#: Where a retired indicator may start again.
RESTART_STATES: tuple[str, ...] = STEPS[:2]

#: Each state in Vietnamese, then English.
STATE_LABELS: dict[str, tuple[str, str]] = {
    "needs_identified": ("1. Xác định nhu cầu thông tin", "1. Information needs identified"),
    "candidate": ("2. Danh mục đề xuất", "2. Candidate"),
    "standardised": ("3. Chuẩn hoá thuộc tính", "3. Attributes standardised"),
    "unified": ("4. Rà soát, thống nhất", "4. Reviewed and unified"),
    "approved": ("5. Phê duyệt, ban hành", "5. Approved and promulgated"),
    "in_operation": ("6. Kết nối dữ liệu, vận hành", "6. Connected and in operation"),
    "retired": ("Ngừng sử dụng", "Retired"),
}


def is_live(state: str) -> bool:
    """Whether indicators in ``state`` feed dashboards and rankings."""
    return state in LIVE_STATES


def transition_kind(from_state: str, to_state: str) -> str | None:
    """``forward``, ``rework``, ``retire`` or ``restart`` — or None when not allowed.

    >>> transition_kind("candidate", "standardised")
    'forward'
    >>> transition_kind("approved", "candidate")
    'rework'
    >>> transition_kind("candidate", "approved") is None
    True
    """
    if from_state not in LIFECYCLE or to_state not in LIFECYCLE or from_state == to_state:
        return None
    if to_state == RETIRED:
        return "retire"
    if from_state == RETIRED:
        return "restart" if to_state in RESTART_STATES else None
    step, target = STEPS.index(from_state), STEPS.index(to_state)
    if target == step + 1:
        return "forward"
    if target < step:
        return "rework"
    return None


def allowed_moves(state: str) -> list[str]:
    """The states an indicator in ``state`` may move to, in lifecycle order."""
    return [s for s in LIFECYCLE if transition_kind(state, s) is not None]


def check_transition(code: str, from_state: str, to_state: str, *, by: str, comment: str) -> str:
    """The kind of the move, or ``NotAllowedError`` saying why it is refused and what is allowed."""
    if to_state not in LIFECYCLE:
        raise NotAllowedError(f"{code}: unknown state {to_state!r}; the states are {', '.join(LIFECYCLE)}")
    if not by or not by.strip():
        raise NotAllowedError(f"{code}: say who moves the indicator (by)")
    if not comment or not comment.strip():
        raise NotAllowedError(f"{code}: a move from {from_state} to {to_state} needs a comment "
                              "(the reason, the decision, the meeting)")
    if from_state == to_state:
        raise NotAllowedError(f"{code} is already {to_state}")
    kind = transition_kind(from_state, to_state)
    if kind is None:
        allowed = ", ".join(allowed_moves(from_state))
        if from_state == RETIRED:
            why = "a retired indicator starts again at needs_identified or candidate"
        else:
            why = "an indicator moves forward one step at a time (or back for rework, or is retired)"
        raise NotAllowedError(f"{code}: cannot move from {from_state} to {to_state}: {why}; "
                              f"from {from_state} it may move to {allowed}")
    return kind
