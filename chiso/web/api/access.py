"""Who may read what over the API, on top of the security contract (``chiso.web.security.deps``).

Reading (đọc):

- every route needs a signed-in principal (session or API token) — 401 otherwise;
- ``admin`` reads every province; ``leader`` and ``viewer`` read their whole province;
- ``head`` and ``officer`` read their own unit's data (values, warnings, submissions,
  DM status) and the public index scores and rankings of the province;
- the records behind a score (``/explain``) are a unit's own: readable where
  ``can_read_unit`` allows.

Writing is decided per route (``require_write`` for the CSRF/scope check, then role and
ownership, the domain functions refusing wrong owners with ``NotAllowedError`` → 403, as every
chiso error is answered: by the status of its class, ``chiso.web.errors``).
"""
from __future__ import annotations

from fastapi import Depends, HTTPException

from chiso.web.context import WebContext, web_context
from chiso.web.security.deps import (  # noqa: F401 - re-exported for the routers
    Principal,
    can_read_unit,
    can_write_for,
    current_principal,
    require_roles,
    require_write,
)

#: Roles that read their whole province.
PROVINCE_READERS = ("admin", "leader", "viewer")


def forbidden(message: str) -> HTTPException:
    return HTTPException(403, message)


def reads_province(principal: Principal) -> bool:
    """Whether the principal reads every unit of their province."""
    return principal.role in PROVINCE_READERS


def province_for(principal: Principal, asked: str | None, ctx: WebContext) -> str:
    """The province a read is about: the one asked for, else the principal's own.

    Only an administrator reads another province's data.
    """
    province = asked or principal.province_code
    if not province:
        raise HTTPException(400, "name a province (province=…): this account belongs to none")
    if province not in ctx.tree or ctx.tree.get(province).level != "province":
        raise HTTPException(404, f"no province with code {province!r}")
    if province != principal.province_code and principal.role != "admin":
        raise forbidden(f"{principal.username} ({principal.role}) reads province {principal.province_code} "
                        f"only, not {province}; an administrator reads every province")
    return province


def check_unit(principal: Principal, unit_code: str, ctx: WebContext) -> None:
    """404 for an unknown unit, 403 when the principal may not read its data."""
    if unit_code not in ctx.tree:
        raise HTTPException(404, f"no unit with code {unit_code!r}")
    if not can_read_unit(principal, unit_code, ctx.tree):
        raise forbidden(f"{principal.username} ({principal.role} of {principal.unit_code}) may not read the "
                        f"data of unit {unit_code}: it needs a leader, viewer or administrator of its "
                        "province, or the head or officer of that unit")


def readable_units(principal: Principal, ctx: WebContext, province: str) -> set[str] | None:
    """The units whose data the principal reads in a province; None = all of them."""
    if reads_province(principal):
        return None
    return {u.code for u in [ctx.tree.get(province), *ctx.tree.units(province=province)]
            if can_read_unit(principal, u.code, ctx.tree)}


async def signed_in(principal: Principal = Depends(current_principal)) -> Principal:
    """Dependency: any signed-in principal."""
    return principal


__all__ = ["Principal", "PROVINCE_READERS", "WebContext", "can_read_unit", "can_write_for", "check_unit",
           "current_principal", "forbidden", "province_for", "readable_units",
           "reads_province", "require_roles", "require_write", "signed_in", "web_context"]
