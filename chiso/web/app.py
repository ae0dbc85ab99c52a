"""The web application: read-only pages and a JSON API over the scores.

This first slice serves what the foundation computes — scores, rankings, what-if and
the records behind a criterion — from the embedded store. Sign-in, roles and the IOC
dashboard come with the web issue; until then the server binds to localhost only.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from chiso import __version__, settings
from chiso.errors import ChisoError, UnknownUnitError

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
_lock = threading.Lock()  # one DuckDB connection: queries run one at a time


class Scores:
    """Scores per window, computed once from the record store and kept."""

    def __init__(self, store, tree, definition):
        self.store, self.tree, self.definition = store, tree, definition

    @lru_cache(maxsize=32)
    def table(self, window: str | None):
        from chiso.evaluate.service import score_records

        with _lock:
            return score_records(self.definition, self.store, self.tree, window)


def create_app(store=None, tree=None, definition=None) -> FastAPI:
    from chiso.catalog.index_definition import load_index_definition
    from chiso.store.records import open_records
    from chiso.units import load_units

    store = store or open_records(read_only=True)
    scores = Scores(store, tree or load_units(), definition or load_index_definition())
    app = FastAPI(title="chiso", version=__version__, openapi_url="/api/v1/openapi.json", docs_url="/api/v1/docs")

    def table(window: str | None):
        try:
            return scores.table(window)
        except UnknownUnitError as e:
            raise HTTPException(404, str(e)) from None
        except ChisoError as e:
            raise HTTPException(400, str(e)) from None

    @app.get("/api/v1/scores")
    def api_scores(window: str | None = None, province: str | None = None, level: str | None = None):
        """Scores of every unit (or one province's units) for a window."""
        from chiso.output import score_document

        return score_document(table(window), province=province, level=level)

    @app.get("/api/v1/rank")
    def api_rank(level: str = "province", province: str | None = None, window: str | None = None):
        """A ranking among peers with score and rank changes."""
        t = table(window)
        df = t.select(province=None if level == "province" else province, level=level).sort("rank", "unit_code")
        return {"window": t.window, "previous_window": t.previous_window, "level": level, "province": province,
                "units": df.select("unit_code", "name", "rank", "peers", "total", "band", "band_label",
                                   "score_change", "previous_rank", "rank_change").to_dicts()}

    @app.get("/api/v1/whatif")
    def api_whatif(unit: str, set: list[str] = Query(..., description="TARGET=RATIO"), window: str | None = None):
        """The points a unit gains if criteria or groups reached given ratios."""
        from chiso.cli import _parse_targets
        from chiso.evaluate.whatif import whatif

        try:
            return whatif(table(window), unit, _parse_targets(set))
        except (ChisoError, KeyError, ValueError) as e:
            raise HTTPException(400, e.args[0] if e.args else str(e)) from None

    @app.get("/api/v1/explain")
    def api_explain(unit: str, criterion: str, window: str | None = None, all: bool = False,
                    limit: int = Query(100, le=1000), offset: int = 0):
        """The records behind a unit's criterion (by default those that lost it points)."""
        from chiso.evaluate.service import explain

        try:
            with _lock:
                return explain(scores.definition, store, scores.tree, unit, criterion, window, only_lost=not all,
                               limit=limit, offset=offset)
        except UnknownUnitError as e:
            raise HTTPException(404, str(e)) from None
        except ChisoError as e:
            raise HTTPException(400, str(e)) from None

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request, window: str | None = None, province: str | None = None):
        t = table(window)
        province = province or settings.get("CHISO_PROVINCE")
        provinces = t.select(level="province").sort("rank").to_dicts()
        departments = t.select(province=province, level="department").sort("rank").to_dicts()
        communes = t.select(province=province, level="commune").sort("rank").to_dicts()
        mine = [p for p in provinces if p["unit_code"] == province]
        return TEMPLATES.TemplateResponse(request, "home.html", {
            "window": t.window, "previous": t.previous_window, "definition": t.definition,
            "groups": t.definition.groups, "province": mine[0] if mine else None, "provinces": provinces,
            "departments": departments, "communes": communes})

    return app


def serve(host: str = "127.0.0.1", port: int = 8766) -> None:
    import uvicorn

    print(f"chiso {__version__} — http://{host}:{port}/  (API: http://{host}:{port}/api/v1/docs)", flush=True)
    print("Read-only: sign-in and roles arrive with the web application; no demo sign-ins yet.", flush=True)
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
