"""The web application: the IOC pages and the JSON API, one router per concern.

``create_app`` opens the stores once, keeps them in a ``WebContext`` on ``app.state``, and
mounts the routers: security (sign-in, tokens), the API (``chiso.web.api``), the pages
(``chiso.web.pages``) and the bulletins (``chiso.web.routes_reports``). Views only raise: the
error handlers (``chiso.web.errors``, ``chiso.web.pages.errors``) turn errors into answers.
"""
from __future__ import annotations

import os
import threading
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from chiso import __version__, settings
from chiso.catalog.index_definition import load_index_definition
from chiso.errors import ChisoError
from chiso.store.database import open_database
from chiso.store.records import open_records
from chiso.units import load_units
from chiso.web import api, api_docs, pages
from chiso.web.api.records import web_writes_records
from chiso.web.api.status import current_status
from chiso.web.checkpoints import QuietCheckpoint
from chiso.web.context import WebContext
from chiso.web.hot import HotAnswers
from chiso.web.nfc import NormalisedText
from chiso.web.pages import signin
from chiso.web.pages.errors import install_error_pages
from chiso.web.routes_reports import BulletinCache, reports_router
from chiso.web.security.demo import demo_reminders, ensure_demo_accounts
from chiso.web.security.deps import current_principal
from chiso.web.security.headers import SecurityHeaders


def create_app(store=None, tree=None, definition=None, database_url: str | None = None) -> FastAPI:
    ctx = WebContext(records=store or open_records(read_only=not web_writes_records()), tree=tree or load_units(),
                     definition=definition or load_index_definition(), database_url=database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        ctx.checkpoints.close()  # a pending checkpoint called off: the log is durable, DuckDB folds it later

    app = FastAPI(title="chiso", version=__version__, openapi_url="/api/v1/openapi.json", docs_url=None,
                  redoc_url=None, lifespan=lifespan)  # the docs page is chiso.web.api_docs: Swagger UI vendored
    ctx.bulletins = BulletinCache()  # built bulletins, per province, window and data stamp
    ctx.checkpoints = QuietCheckpoint(ctx.records, ctx.lock,
                                      settings.whole_number("CHISO_CHECKPOINT_QUIET_SECONDS", minimum=0))
    app.state.ctx = ctx
    app.add_middleware(NormalisedText)  # path, query and JSON/form bodies in NFC (chiso.web.nfc)
    app.add_middleware(HotAnswers)  # answers cached for a live session, before routing (chiso.web.hot)
    app.add_middleware(SecurityHeaders)  # outermost: CSP, nosniff… on every answer, cached ones too
    app.include_router(signin.router)
    app.include_router(api_docs.router)
    app.include_router(api.router)
    app.include_router(pages.router)
    pages.mount_static(app)
    # every refusal and every chiso error a view lets through, one status per class
    # (chiso.web.errors.STATUS): the HTML error page for a page request, JSON otherwise
    install_error_pages(app)
    # bulletins are for signed-in users, like every other page and API route
    app.include_router(reports_router(store=ctx.records, tree=ctx.tree, definition=ctx.definition,
                                      lock=ctx.lock, database=lambda: ctx.database,
                                      cache=ctx.bulletins, generation=lambda: ctx.generation),
                       dependencies=[Depends(current_principal)])
    if os.environ.get(SERVING) == "1":
        settle_memory()
        warm(ctx)
    return app


def warm(ctx: WebContext) -> threading.Thread:
    """For a serving process: score the latest week, and derive the province's indicator status,
    in the background as soon as it starts, so that the first readers find them (or wait for
    this one computation: the score cache builds a window once, ``BoundedCache.get_or_build``;
    the status one province at a time) rather than each computing them."""
    def score() -> None:
        try:
            ctx.scores(None)
            province = settings.province()
            current_status(ctx, province, province)
        except ChisoError:  # nothing to score or judge yet (an empty store): the first reader is told why
            pass

    thread = threading.Thread(target=score, name="chiso-warm", daemon=True)
    thread.start()
    return thread


#: Set by ``serve`` for its worker processes: they tune the garbage collector (``settle_memory``).
SERVING = "CHISO_WEB_SERVING"


#: The collector's thresholds in a serving process (Python's are 700, 10, 10): a young pass
#: every 20,000 new container objects instead of 700, and full passes far rarer — a full
#: pass stops every request for tens of milliseconds, which showed in the 99th percentile.
GC_THRESHOLDS = (20_000, 20, 50)


def settle_memory() -> None:
    """For a serving process: move everything loaded at start-up (modules, definitions, the
    unit tree) out of the garbage collector's sight (``gc.freeze``) so that its full passes —
    which stop every request — scan only what requests create, and make passes rarer
    (``GC_THRESHOLDS``)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def serve(host: str = "127.0.0.1", port: int = 8766, demo_accounts: bool = True, workers: int = 1) -> None:
    """Serve chiso; with ``demo_accounts`` (the demo store), make sure one sign-in per role
    exists for the demo province and print them.

    ``workers`` > 1 runs that many worker processes (uvicorn), each with its own
    ``create_app()``: they open the record store read-only and keep their own score caches.
    """
    import uvicorn

    print(f"chiso {__version__} — http://{host}:{port}/  (API: http://{host}:{port}/api/v1/docs)", flush=True)
    if demo_accounts:
        db = open_database()
        try:
            accounts = ensure_demo_accounts(db, settings.get("CHISO_PROVINCE"))
            notices = demo_reminders(db, settings.get("CHISO_PROVINCE"))
        finally:
            db.dispose()
        print("Demo sign-ins (tài khoản thử nghiệm):", flush=True)
        for a in accounts:
            print(f"  {a.role:<8} {a.username:<10} / {a.password:<20} ({a.unit})", flush=True)
        if notices:
            print(f"Deadline reminders made today: {notices} notices (nhắc hạn nộp số liệu)", flush=True)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if workers > 1 and web_writes_records() and settings.records_url().startswith("duckdb:"):
        raise ValueError("CHISO_INGEST_WRITER=web: one web process holds the DuckDB record store's writer; "
                         "serve with one worker, or keep records in PostgreSQL (CHISO_RECORDS_URL)")
    os.environ[SERVING] = "1"
    if workers == 1:
        uvicorn.run(create_app(), host=host, port=port, log_level="warning", proxy_headers=True)
    else:  # worker processes import the application themselves
        uvicorn.run("chiso.web.app:create_app", factory=True, workers=workers, host=host, port=port,
                    log_level="warning", proxy_headers=True)
