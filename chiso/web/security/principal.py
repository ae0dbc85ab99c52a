"""Who is behind a request: the ``Principal``, the roles and the token scopes.

Roles (vai trò), exact strings: ``admin`` (quản trị viên), ``leader`` (lãnh đạo),
``head`` (thủ trưởng cơ quan), ``officer`` (cán bộ nhập liệu), ``viewer`` (người xem);
what each may do is ``chiso.web.security.deps``; here the two rules that do not depend on the
unit tree: the scopes a role's tokens may carry (``token_scopes``) and who handles a warning
(``may_handle_warning``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

ROLES: tuple[str, ...] = ("admin", "leader", "head", "officer", "viewer")
ROLE_NAMES: dict[str, tuple[str, str]] = {
    "admin": ("quản trị viên", "administrator"),
    "leader": ("lãnh đạo", "leader"),
    "head": ("thủ trưởng cơ quan", "agency head"),
    "officer": ("cán bộ nhập liệu", "agency data officer"),
    "viewer": ("người xem", "viewer"),
}
SCOPES: tuple[str, ...] = ("read", "write", "ingest")
#: ``ingest``: push records (dossiers, procedures, publications, petitions) through
#: ``POST /api/v1/records/{kind}`` — a token of its own (``read ingest``), never a session.
#: Roles that write data (``deps.can_write_for``), the only ones whose API tokens may carry
#: ``write``. A leader decides (approves, sends back, retires indicators) signed in, as a
#: person; a viewer writes nothing: their tokens read.
TOKEN_WRITERS: tuple[str, ...] = ("admin", "head", "officer")


@dataclass(frozen=True)
class Principal:
    """The person (or API token) behind a request.

    ``via`` is ``"session"`` (browser sign-in) or ``"token"`` (API token); ``scopes`` is
    ``{"read", "write"}`` for a session, the token's scope for a token.
    """

    username: str
    display_name: str
    role: str
    unit_code: str
    province_code: str
    via: str = "session"
    scopes: frozenset[str] = field(default_factory=lambda: frozenset({"read", "write"}))

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can(self, scope: str) -> bool:
        """Whether the principal holds ``scope`` (``read`` or ``write``)."""
        return scope in self.scopes


def token_scopes(role: str) -> frozenset[str]:
    """The most a token of an account with ``role`` may carry: ``read``, ``write`` and
    ``ingest`` for the roles that write data (``TOKEN_WRITERS``), ``read`` for the others."""
    return frozenset(SCOPES) if role in TOKEN_WRITERS else frozenset({"read"})


def may_handle_warning(principal: Principal, responsible_unit: str) -> bool:
    """Whether ``principal`` may acknowledge or resolve a warning for which ``responsible_unit``
    is responsible — the one rule of the API and the warnings page.

    An administrator, or the head or an officer of the responsible unit (the agency that owns
    the data handles its warnings: one data – one owner). Leaders of the province direct —
    they read every warning and follow it up with the agency — and viewers read; neither
    acknowledges nor resolves.
    """
    if principal.role == "admin":
        return True
    return principal.role in ("head", "officer") and principal.unit_code == responsible_unit


def role_label(role: str) -> str:
    """``"quản trị viên (administrator)"`` — a role as messages name it."""
    vi, en = ROLE_NAMES.get(role, (role, role))
    return f"{role} — {vi} ({en})"
