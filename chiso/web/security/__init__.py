"""Sign-in, sessions, CSRF, API tokens, throttling and roles; ``router`` holds their routes.

The contract other routers use is ``chiso.web.security.deps`` (Principal,
current_principal, require_roles, require_write, can_read_unit, can_write_for, csrf_token).
"""
from __future__ import annotations

from chiso.web.security.routes import router

__all__ = ["router"]
