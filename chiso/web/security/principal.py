"""Who is behind a request: the ``Principal``, the roles and the token scopes.

Roles (vai trò), exact strings: ``admin`` (quản trị viên), ``leader`` (lãnh đạo),
``head`` (thủ trưởng cơ quan), ``officer`` (cán bộ nhập liệu), ``viewer`` (người xem);
what each may do is ``chiso.web.security.deps``.
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
SCOPES: tuple[str, ...] = ("read", "write")


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


def role_label(role: str) -> str:
    """``"quản trị viên (administrator)"`` — a role as messages name it."""
    vi, en = ROLE_NAMES.get(role, (role, role))
    return f"{role} — {vi} ({en})"
