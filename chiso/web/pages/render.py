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

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2_fragments import render_block
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from chiso import settings
from chiso.periods.windows import parse_window
from chiso.web import hot, i18n
from chiso.web.cache import AHEAD, CLAIM_SECONDS, PageCache, Parts  # noqa: F401  (render.AHEAD: the pages' name)
from chiso.web.pages.periods import latest_window, window_choices
from chiso.web.security.deps import csrf_token

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"
STATIC_DIR = Path(__file__).parent.parent / "static"
TEMPLATES = Jinja2Blocks(directory=str(TEMPLATE_DIR))
i18n.install(TEMPLATES.env)

# (key, label key, URL pattern[, roles]) — {province} is the principal's province code;
# an entry with roles is shown to those roles only.
NAV: tuple[tuple, ...] = (
    ("overview", "nav.overview", "/"),
    ("leader", "leader.nav", "/leader", ("leader", "admin")),
    ("rankings", "nav.rankings", "/rankings"),
    ("maps", "maps.nav", "/maps"),
    ("reconcile", "reconcile.nav", "/reconcile"),
    ("composite", "composite.nav", "/composite"),
    ("indicators", "nav.indicators", "/indicators"),
    ("warnings", "nav.warnings", "/warnings"),
    ("completeness", "completeness.nav", "/completeness"),
    ("tasks", "tasks.nav", "/tasks"),
    ("submissions", "nav.submissions", "/submissions"),
    ("desk", "nav.desk", "/desk", ("officer", "head", "admin")),
    ("inbox", "nav.inbox", "/inbox", ("head", "admin")),
    ("bulletins", "nav.bulletins", "/reports/{province}"),
    ("audit", "admin.nav.audit", "/admin/audit", ("admin",)),
    ("accounts", "account.nav.admin", "/admin/accounts", ("admin",)),
)


def is_htmx(request: Request) -> bool:
    """Whether HTMX asked (it sends ``HX-Request: true``): answer with a fragment."""
    return request.headers.get("hx-request") == "true"


def recent_windows(label: str | None, count: int = 12) -> list[str]:
    """The period ``label`` and the ``count - 1`` before it (for the window picker)."""
    if not label:
        return []
    return list(_recent_windows(label, count))


@lru_cache(maxsize=256)
def _recent_windows(label: str, count: int) -> tuple[str, ...]:
    try:
        w = parse_window(label)
    except Exception:  # noqa: BLE001 - a window the picker cannot step back from lists itself only
        return (label,)
    out = [w.label]
    for _ in range(count - 1):
        try:
            w = w.previous()
        except Exception:  # noqa: BLE001
            break
        out.append(w.label)
    return tuple(out)


def query_string(request: Request, **changes) -> str:
    """The request's query with ``changes`` applied (``None`` removes a key), as ``?a=1&b=2``."""
    params = {k: v for k, v in request.query_params.items() if k != "lang" or "lang" in changes}
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else ""


def base_context(request: Request, principal, *, active: str = "", window: str | None = None,
                 csrf: bool = True) -> dict:
    """What base.html needs: language, principal, CSRF token, navigation, province, window.

    ``csrf=False``: no CSRF token (the parts of a page cached for other users, see ``PageCache``)."""
    lang = i18n.request_language(request)
    ctx = request.app.state.ctx
    province_code = principal.province_code if principal is not None else None
    province_name = None
    if province_code and province_code in ctx.tree:
        province_name = ctx.tree.get(province_code).name
    role = getattr(principal, "role", None)  # an entry with a 4th item is for those roles only
    nav = [(key, i18n.translate(lang, label), url.format(province=province_code or ""))
           for key, label, url, *roles in NAV if not roles or role in roles[0]]
    role_name = i18n.translate(lang, f"user.role.{principal.role}") if principal is not None else ""
    return {
        "request": request, "lang": lang, "principal": principal, "role_name": role_name,
        "csrf_token": csrf_token(request) if principal is not None and csrf else "",
        "nav": nav, "active": active, "province_code": province_code, "province_name": province_name,
        "window": window, "windows": window_choices(window, latest_window(request)) if window else [],
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


# ---------------------------------------------------------------- cached page parts
@dataclass(frozen=True)
class Viewer:
    """What the cached parts of a page may know of the person asking: what decides which rows
    link to unit pages, which row is theirs and which warnings they see — never their name,
    username or CSRF token (those are rendered per request, in the page's shell)."""

    role: str
    province_code: str | None
    unit_code: str | None

    @classmethod
    def of(cls, principal) -> Viewer:
        return cls(principal.role, principal.province_code, principal.unit_code)


def page_key(request: Request, template: str, part: str, generation: int, principal) -> tuple:
    """Everything cached parts depend on (see ``PageCache``)."""
    query = tuple(sorted((k, v) for k, v in request.query_params.multi_items() if k != "lang"))
    # the deployment's group view (CHISO_GROUP_VIEW) shapes pages that ask for none (?nhom=)
    return (template, part, generation, i18n.request_language(request), request.url.path, query,
            Viewer.of(principal), settings.get("CHISO_GROUP_VIEW"))


def render_parts(request: Request, template: str, context: dict, *, principal, active: str,
                 window: str | None, blocks: tuple[str, ...]) -> Parts:
    """Render ``blocks`` of ``template`` for a ``Viewer`` (no name, no CSRF token)."""
    full = base_context(request, Viewer.of(principal), active=active, window=window, csrf=False)
    full.update(context)
    return Parts(window, {name: render_block(TEMPLATES.env, template, name, full) for name in blocks})


def tagged(request: Request, body: str, status_code: int = 200, *, cache_answer=None) -> Response:
    """An HTML answer with a strong ETag of its bytes; 304 when the browser holds it already.

    ``Cache-Control: private, no-cache``: the browser keeps the page but asks each time (and
    gets a 304 while nothing changed, the CSRF token included); ``Vary: Cookie``.
    ``cache_answer(response, body, etag)``: called with the full answer (to cache it, ``chiso.web.hot``)."""
    data = body.encode("utf-8")
    tag = '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'
    headers = {"ETag": tag, "Cache-Control": "private, no-cache", "Vary": "Cookie"}
    full = HTMLResponse(data, status_code=status_code, headers=headers)
    i18n.remember_language(request, full)
    if cache_answer is not None and status_code == 200:
        cache_answer(full, data, tag)
    wanted = request.headers.get("if-none-match")
    if wanted and (wanted.strip() == "*" or tag in [t.strip() for t in wanted.split(",")]):
        response = Response(status_code=304, headers=headers)
        i18n.remember_language(request, response)
        return response
    return full


def live_marker(name: str) -> str:
    """Where a live block goes in cached parts (``cached_page(live=…)``)."""
    return f"<!--chiso-live:{name}-->"


async def _parts(ctx, key: tuple, ttl: float | None, make) -> Parts:
    """Cached parts of ``key``, built by ``make`` in the thread pool when they must be (one caller)."""
    parts, rebuild = ctx.pages.lookup(key)
    if rebuild:
        try:
            parts = ctx.pages.put(key, await run_in_threadpool(make), ttl=ttl)
        finally:
            ctx.pages.release(key)
    return parts


async def cached_page(request: Request, ctx, principal, *, template: str, active: str, build,
                      fragment: str | None = None, blocks: tuple[str, ...] = ("title", "content"),
                      ttl: float | None = None, live: dict | None = None) -> Response:
    """A heavy page from cached parts: on a miss ``build()`` — ``(context, window)`` — runs in the
    thread pool and its blocks are rendered and cached; then the per-user shell (``shell.html``:
    base.html's header with the name, role, CSRF token and navigation) is rendered around them.
    ``fragment``: answer that block alone (an HTMX partial). ``ttl``: cache the parts at most this
    long (they show live data).

    ``live``: ``{block: (ttl, build_live)}`` — blocks inside the cached parts that show live data
    (the overview's open warnings): the cached parts hold a marker where they go (the template
    renders ``live[block]`` there, see overview.html), and each is rendered and cached on its own
    for its ``ttl`` from ``build_live()`` (a context), so the expensive rest is not rebuilt."""
    await ctx.check_data_async()
    generation = ctx.generation
    markers = {name: live_marker(name) for name in (live or {})}

    def make() -> Parts:
        context, window = build()
        if markers:
            context = {**context, "live": markers}
        return render_parts(request, template, context, principal=principal, active=active, window=window,
                            blocks=(fragment,) if fragment else blocks)

    parts = await _parts(ctx, page_key(request, template, fragment or "page", generation, principal), ttl, make)
    texts = dict(parts.blocks)
    expires = parts.expires
    for name, (live_ttl, build_live) in (live or {}).items():
        def make_live(name=name, build_live=build_live) -> Parts:
            return render_parts(request, template, build_live(), principal=principal, active=active,
                                window=parts.window, blocks=(name,))

        piece = await _parts(ctx, page_key(request, template, "live:" + name, generation, principal), live_ttl,
                             make_live)
        expires = min(expires, piece.expires)
        texts = {k: v.replace(markers[name], piece.blocks[name]) for k, v in texts.items()}

    def cache_answer(response, body: bytes, etag: str) -> None:
        if ctx.clock() < expires:
            hot.remember(request, ctx, principal, response, body=body, etag=etag, generation=generation,
                         expires=expires)

    if fragment:
        return tagged(request, texts[fragment], cache_answer=cache_answer)
    full = base_context(request, principal, active=active, window=parts.window)
    full["cached"] = {name: Markup(text) for name, text in texts.items()}
    return tagged(request, TEMPLATES.env.get_template("shell.html").render(full), cache_answer=cache_answer)
