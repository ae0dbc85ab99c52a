"""The audit log as people read it (nhật ký kiểm toán): who, what, when, and what changed.

The audit store keeps machine lines (``actor``, ``action`` code, UTC time, JSON ``detail``);
the audit page (``/admin/audit``, ``chiso.web.pages.signin``) shows each line with:

- **who** — the account's display name and its role in the page's language
  (``Nguyễn Văn A · thủ trưởng``); ``system`` is "Hệ thống", ``connector:NAME`` a data connection;
- **what** — the action's name (``admin.audit.actions.*`` in ``chiso/web/messages/admin.*.yaml``;
  an action without a name there is shown by its code) and the target (kind and id);
- **what changed** — the detail as a readable diff: one row per field, ``old → new`` where
  the line records a change (``from``/``to``), the value alone otherwise; text is shown as
  text (never ``\\u`` escapes), states and roles by their names, periods as people say them.

Filters: a person, an agency (every account of that unit), an action (exact, or a family such
as ``values.``), a target, and a date range in local days (``CHISO_TIMEZONE``).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from chiso import settings
from chiso.catalog.lifecycle import STATE_LABELS
from chiso.text import fold, format_number
from chiso.web import i18n

#: Action families offered as one choice in the filter (``values.`` = every values action).
FAMILIES: tuple[str, ...] = ("account", "session", "token", "values", "catalogue", "warning")
#: Detail keys whose values are lifecycle states / period states / roles.
STATE_KEYS = ("from", "to", "state", "status", "from_state", "to_state")
LIST_SHOWN = 8


def _has(lang: str, key: str) -> bool:
    return key in i18n.catalogue(lang) or key in i18n.catalogue(i18n.DEFAULT_LANGUAGE)


def action_name(action: str, lang: str) -> str:
    """``values.period.approved`` → "Duyệt kỳ số liệu" / "Period approved"; unknown: the code."""
    key = f"admin.audit.actions.{action}"
    return i18n.translate(lang, key) if _has(lang, key) else action


def family_name(family: str, lang: str) -> str:
    key = f"admin.audit.action_group.{family}"
    return i18n.translate(lang, key) if _has(lang, key) else family


def target_name(kind: str | None, lang: str) -> str:
    if not kind:
        return ""
    key = f"admin.audit.targets.{kind}"
    return i18n.translate(lang, key) if _has(lang, key) else kind


def field_name(name: str, lang: str) -> str:
    key = f"admin.audit.fields.{name}"
    return i18n.translate(lang, key) if _has(lang, key) else name


def role_name(role: str | None, lang: str) -> str:
    key = f"admin.roles.{role}"
    return i18n.translate(lang, key) if role and _has(lang, key) else (role or "")


@dataclass(frozen=True)
class Person:
    """An account as the audit page names it."""

    username: str
    display_name: str
    role: str
    unit_code: str


def who(actor: str, people: dict[str, Person], lang: str) -> dict:
    """How a line's actor is shown: a name, a role (may be empty) and the username."""
    if actor == "system":
        return {"name": i18n.translate(lang, "admin.audit.system"), "role": "", "username": actor}
    if actor.startswith("connector:"):
        return {"name": i18n.translate(lang, "admin.audit.connector", name=actor.split(":", 1)[1]),
                "role": "", "username": actor}
    person = people.get(actor)
    if person is None:
        return {"name": actor, "role": "", "username": actor}
    return {"name": person.display_name or person.username, "role": role_name(person.role, lang),
            "username": actor}


def _state_text(action: str, value: str, lang: str) -> str:
    if action.startswith("catalogue.") and value in STATE_LABELS:
        return STATE_LABELS[value][0 if lang == "vi" else 1]
    if action.startswith(("values.", "value")):
        key = f"admin.pstate.{value}"
        if _has(lang, key):
            return i18n.translate(lang, key)
    return value


def show(key: str, value, action: str, lang: str) -> str:
    """One detail value as text: names for states and roles, periods as people say them,
    lists shortened, anything structured as JSON with its letters as they are."""
    if value is None or value == "":
        return i18n.translate(lang, "admin.audit.empty")
    if isinstance(value, bool):
        return i18n.translate(lang, "admin.audit.yes_text" if value else "admin.audit.no_text")
    if isinstance(value, (int, float)):
        return format_number(value, 0 if float(value).is_integer() else 2, lang)
    if isinstance(value, list):
        shown = ", ".join(show(key, v, action, lang) for v in value[:LIST_SHOWN])
        if len(value) > LIST_SHOWN:
            shown += " … (" + i18n.translate(lang, "admin.audit.items", n=len(value)) + ")"
        return shown or i18n.translate(lang, "admin.audit.empty")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if key == "reason" and _has(lang, f"admin.audit.reasons.{text}"):
        return i18n.translate(lang, f"admin.audit.reasons.{text}")
    if key in ("reason", "comment", "note"):
        return i18n.bilingual(text, lang)
    if key == "role":
        return role_name(text, lang)
    if key in STATE_KEYS:
        return _state_text(action, text, lang)
    if key == "period":
        return i18n.format_period(text, lang)
    return text


@dataclass
class Change:
    """One row of a line's diff: a field, and its old and new value (``old`` None: no old value)."""

    field: str
    new: str
    old: str | None = None


@dataclass
class Line:
    id: int
    at: dt.datetime
    who: dict
    action: str
    action_name: str
    target_kind: str
    target_id: str | None
    changes: list[Change] = field(default_factory=list)


def changes_of(detail, action: str, lang: str) -> list[Change]:
    """A line's detail as diff rows: ``from``/``to`` become ``old → new`` (field by field when
    they are records, e.g. an account's role and unit), every other key its value."""
    if detail is None:
        return []
    if not isinstance(detail, dict):
        return [Change(field_name("value", lang), show("value", detail, action, lang))]
    out: list[Change] = []
    before, after = detail.get("from"), detail.get("to")
    paired = "from" in detail and "to" in detail
    if paired and isinstance(before, dict) and isinstance(after, dict):
        for key in list(dict.fromkeys([*before, *after])):
            if before.get(key) != after.get(key):
                out.append(Change(field_name(key, lang), show(key, after.get(key), action, lang),
                                  show(key, before.get(key), action, lang)))
    elif paired:
        out.append(Change(field_name("state", lang), show("to", after, action, lang),
                          show("from", before, action, lang) if before is not None
                          else i18n.translate(lang, "admin.audit.none_before")))
    for key, value in detail.items():
        if paired and key in ("from", "to"):
            continue
        if value is None or value == "" or value == [] or (type(value) is int and value == 0):
            continue  # nothing, or a zero count: not worth a row
        out.append(Change(field_name(key, lang), show(key, value, action, lang)))
    return out


def target_text(kind: str | None, target_id: str | None, lang: str) -> str | None:
    """A target's id as people read it: a values period ``KT.X@2026-10`` is ``KT.X · Tháng 10/2026``."""
    if target_id and kind == "value_period" and "@" in target_id:
        code, period = target_id.split("@", 1)
        return f"{code} · {i18n.format_period(period, lang)}"
    return target_id


def present(row, people: dict[str, Person], lang: str) -> Line:
    """An audit store row as the page shows it."""
    return Line(id=row.id, at=row.at, who=who(row.actor, people, lang), action=row.action,
                action_name=action_name(row.action, lang), target_kind=target_name(row.target_kind, lang),
                target_id=target_text(row.target_kind, row.target_id, lang),
                changes=changes_of(row.detail, row.action, lang))


def local_day_start(day: dt.date | None) -> dt.datetime | None:
    """Midnight of a local day (``CHISO_TIMEZONE``) as a UTC time: the audit page's dates are
    the days people live in, not UTC days."""
    if day is None:
        return None
    local = dt.datetime.combine(day, dt.time.min, tzinfo=settings.timezone())
    return local.astimezone(dt.UTC)


def action_choices(logged: list[str], lang: str) -> list[tuple[str, str]]:
    """The action filter's choices: each family (``values.``) then each action the log holds,
    by name."""
    families = [(f + ".", "— " + family_name(f, lang) + " —") for f in FAMILIES
                if any(a.startswith(f + ".") for a in logged)]
    named = sorted(((a, action_name(a, lang)) for a in logged), key=lambda p: fold(p[1]))
    return families + named
