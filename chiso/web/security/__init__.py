"""Sign-in, sessions, CSRF, API tokens, throttling and roles.

The contract other routers use is ``chiso.web.security.deps`` (Principal,
current_principal, require_roles, require_write, can_read_unit, can_write_for, csrf_token).
The sign-in pages and their routes are ``chiso.web.pages.signin``.
"""
