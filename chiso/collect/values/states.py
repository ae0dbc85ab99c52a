"""The states of an indicator's period: nháp → đã gửi → đã duyệt → khoá sổ, and bị trả lại.

``draft → submitted`` happens by submitting (``submit``); here are the moves people make:
the head (thủ trưởng) of the owner agency approves a submitted period; that head or an
administrator returns a submitted one to the officer with a comment (``submitted →
returned``: bị trả lại), and the next submission of a returned period makes it submitted
again; the owner's head or an administrator locks an approved one; only an administrator
unlocks, with a reason. Each move is recorded (who, role, when, reason) and audited.

Each move holds its indicator × period (``repo.hold_periods``) before reading its state, so
two heads approving at once make one move and one audit line, and a move never interleaves
with a submission of the same period; held by another writer longer than ``wait`` seconds,
it is refused with ``period.busy`` (``LockedError``, 409).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from chiso.catalog.indicator import Indicator
from chiso.collect.values import reasons
from chiso.collect.values.rules import PERIOD_KIND, Units, describe, owner_text
from chiso.errors import ChisoError, LockedError, NotAllowedError
from chiso.periods.windows import parse_window
from chiso.store import repo_values as repo


@dataclass(frozen=True)
class Actor:
    """Who acts: a name, a role (officer, head, admin) and the unit they act for."""

    by: str
    role: str
    as_unit: str | None = None


def _target(catalogue: Mapping[str, Indicator], indicator: str, period: str) -> tuple[Indicator, str]:
    found = catalogue.get(indicator) or catalogue.get(indicator.upper())
    if found is None:
        raise ChisoError(f"unknown indicator {indicator!r}: not in the catalogue")
    window = parse_window(period)
    if window.kind != PERIOD_KIND[found.frequency]:
        raise ChisoError(f"{found.code} is reported {found.frequency}; {window.label!r} is a {window.kind}")
    return found, window.label


def _is_owner_head(indicator: Indicator, actor: Actor) -> bool:
    return actor.role == "head" and actor.as_unit == indicator.owner


def _state(session: Session, code: str, period: str, wait: float | None) -> str | None:
    """The period's state, read once it is held (until the transaction ends)."""
    if not repo.hold_periods(session, [(code, period)], wait=wait):
        raise LockedError(reasons.text("period.busy", code=code, period=period))
    row = repo.get_period(session, code, period)
    return None if row is None else row.state


def approve(session: Session, catalogue: Mapping[str, Indicator], units: Units, *, indicator: str,
            period: str, actor: Actor, now: dt.datetime | None = None, wait: float | None = None) -> str:
    """The owner agency's head approves a submitted period (phê duyệt số liệu)."""
    ind, label = _target(catalogue, indicator, period)
    if not _is_owner_head(ind, actor):
        who = describe(units.get(actor.as_unit)) if actor.as_unit in units else (actor.as_unit or "no unit")
        raise NotAllowedError(f"only the head (--role head) of the owner agency {owner_text(ind, units)} "
                              f"approves {ind.code}; {actor.by} acts as {actor.role} of {who}")
    state = _state(session, ind.code, label, wait)
    if state == "approved":
        return "approved"
    if state != "submitted":
        shown = "has no values" if state is None else f"is {state}"
        raise ChisoError(f"{ind.code} {label} {shown}; only a submitted period can be approved")
    repo.set_period_state(session, indicator=ind.code, period=label, owner=ind.owner, state="approved",
                          actor=actor.by, role=actor.role, at=now)
    return "approved"


def return_period(session: Session, catalogue: Mapping[str, Indicator], units: Units, *, indicator: str,
                  period: str, actor: Actor, comment: str, now: dt.datetime | None = None,
                  wait: float | None = None) -> str:
    """The owner agency's head (or an administrator) returns a submitted period to the officer
    (trả lại) with a comment saying what to fix; the comment is recorded and shown on the desk."""
    ind, label = _target(catalogue, indicator, period)
    if not (_is_owner_head(ind, actor) or actor.role == "admin"):
        raise NotAllowedError(f"only the head of the owner agency {owner_text(ind, units)} or an "
                              f"administrator returns {ind.code}; {actor.by} acts as {actor.role}")
    if not (comment or "").strip():
        raise NotAllowedError("returning a period needs a comment (--comment) telling the officer what to "
                              "fix; it is recorded")
    state = _state(session, ind.code, label, wait)
    if state == "returned":
        return "returned"
    if state != "submitted":
        shown = "has no values" if state is None else f"is {state}"
        raise ChisoError(f"{ind.code} {label} {shown}; only a submitted period can be returned")
    repo.set_period_state(session, indicator=ind.code, period=label, owner=ind.owner, state="returned",
                          actor=actor.by, role=actor.role, reason=comment.strip(), at=now)
    return "returned"


def lock(session: Session, catalogue: Mapping[str, Indicator], units: Units, *, indicator: str,
         period: str, actor: Actor, reason: str | None = None, now: dt.datetime | None = None,
         wait: float | None = None) -> str:
    """Lock an approved period (khoá sổ): the owner's head or an administrator."""
    ind, label = _target(catalogue, indicator, period)
    if not (_is_owner_head(ind, actor) or actor.role == "admin"):
        raise NotAllowedError(f"only the head of the owner agency {owner_text(ind, units)} or an "
                              f"administrator locks {ind.code}; {actor.by} acts as {actor.role}")
    state = _state(session, ind.code, label, wait)
    if state == "locked":
        return "locked"
    if state != "approved":
        shown = "has no values" if state is None else f"is {state}"
        raise ChisoError(f"{ind.code} {label} {shown}; only an approved period can be locked")
    repo.set_period_state(session, indicator=ind.code, period=label, owner=ind.owner, state="locked",
                          actor=actor.by, role=actor.role, reason=reason, at=now)
    return "locked"


def unlock(session: Session, catalogue: Mapping[str, Indicator], units: Units, *, indicator: str,
           period: str, actor: Actor, reason: str, now: dt.datetime | None = None,
           wait: float | None = None) -> str:
    """An administrator unlocks a locked period, with a reason; it goes back to approved."""
    ind, label = _target(catalogue, indicator, period)
    if actor.role != "admin":
        raise NotAllowedError(f"only an administrator (--role admin) unlocks a period; {actor.by} acts "
                              f"as {actor.role}")
    if not (reason or "").strip():
        raise NotAllowedError("unlocking a period needs a reason (--reason), which is recorded")
    state = _state(session, ind.code, label, wait)
    if state != "locked":
        raise ChisoError(f"{ind.code} {label} is not locked (it is {state or 'without values'})")
    repo.set_period_state(session, indicator=ind.code, period=label, owner=ind.owner, state="approved",
                          actor=actor.by, role=actor.role, reason=reason.strip(), at=now)
    return "approved"
