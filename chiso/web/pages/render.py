"""Render a page or an HTMX fragment with what every page shares (bố cục chung).

Every page handler calls :func:`render` with the signed-in ``principal``; the template
gets, besides its own context:

- ``lang`` — ``vi`` or ``en`` (see ``chiso.web.i18n``), ``t(key, **values)`` and the
  filters ``num``, ``signed``, ``pct``, ``day``, ``moment``;
- ``principal`` — the signed-in ``Principal``; ``role_name`` its role in the language;
- ``csrf_token`` — for forms (field ``csrf_token``); HTMX sends it as ``X-CSRF-Token``;
- ``nav`` — the main navigation (key, URL, label) and ``active`` — the key of this page;
- ``province_code`` / ``province_name`` — the principal's province;
- ``window`` / ``windows`` — the chosen period label and recent ones for the picker;
- ``path`` / ``query`` — the request path and a helper to rebuild its query string.

``block="name"`` renders only that block of the template (an HTMX partial, through
jinja2-fragments); a partial is what HTMX asks for (``HX-Request`` header).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from jinja2_fragments.fastapi import Jinja2Blocks

from chiso.web import i18n

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"
STATIC_DIR = Path(__file__).parent.parent / "static"
TEMPLATES = Jinja2Blocks(directory=str(TEMPLATE_DIR))
i18n.install(TEMPLATES.env)

# (key, label key, URL pattern) — {province} is the principal's province code.
NAV: tuple[tuple[str, str, str], ...] = (
    ("overview", "nav.overview", "/"),
    ("rankings", "nav.rankings", "/rankings"),
    ("indicators", "nav.indicators", "/indicators"),
    ("warnings", "nav.warnings", "/warnings"),
    ("submissions", "nav.submissions", "/submissions"),
    ("bulletins", "nav.bulletins", "/reports/{province}"),
)


def is_htmx(request: Request) -> bool:
    """Whether HTMX asked (it sends ``HX-Request: true``): answer with a fragment."""
    return request.headers.get("hx-request") == "true"


def recent_windows(label: str | None, count: int = 12) -> list[str]:
    """The period ``label`` and the ``count - 1`` before it (for the window picker)."""
    if not label:
        return []
    from chiso.evaluate.windows import parse_window

    try:
        w = parse_window(label)
    except Exception:  # noqa: BLE001 - a window the picker cannot step back from lists itself only
        return [label]
    out = [w.label]
    for _ in range(count - 1):
        try:
            w = w.previous()
        except Exception:  # noqa: BLE001
            break
        out.append(w.label)
    return out


def query_string(request: Request, **changes) -> str:
    """The request's query with ``changes`` applied (``None`` removes a key), as ``?a=1&b=2``."""
    params = {k: v for k, v in request.query_params.items() if k != "lang" or "lang" in changes}
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else ""


def base_context(request: Request, principal, *, active: str = "", window: str | None = None) -> dict:
    """What base.html needs: language, principal, CSRF token, navigation, province, window."""
    from chiso.web.security.deps import csrf_token

    lang = i18n.request_language(request)
    ctx = request.app.state.ctx
    province_code = principal.province_code if principal is not None else None
    province_name = None
    if province_code and province_code in ctx.tree:
        province_name = ctx.tree.get(province_code).name
    nav = [(key, i18n.translate(lang, label), url.format(province=province_code or ""))
           for key, label, url in NAV]
    role_name = i18n.translate(lang, f"user.role.{principal.role}") if principal is not None else ""
    return {
        "request": request, "lang": lang, "principal": principal, "role_name": role_name,
        "csrf_token": csrf_token(request) if principal is not None else "",
        "nav": nav, "active": active, "province_code": province_code, "province_name": province_name,
        "window": window, "windows": recent_windows(window),
        "path": request.url.path, "query": lambda **kw: query_string(request, **kw),
    }


def render(request: Request, template: str, context: dict, *, principal, active: str = "",
           window: str | None = None, block: str | None = None, status_code: int = 200):
    """The page (or one ``block`` of it) as an HTML response; keeps a ``?lang=`` choice."""
    full = base_context(request, principal, active=active, window=window)
    full.update(context)
    if block is not None:
        response = TEMPLATES.TemplateResponse(request, template, full, block_name=block,
                                              status_code=status_code)
    else:
        response = TEMPLATES.TemplateResponse(request, template, full, status_code=status_code)
    i18n.remember_language(request, response)
    return response


def mount_static(app) -> None:
    """Serve ``chiso/web/static`` (chiso.css, chiso.js, vendored HTMX and ECharts) at ``/static``."""
    from fastapi.staticfiles import StaticFiles

    if not any(getattr(r, "path", None) == "/static" for r in app.routes):
        app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
