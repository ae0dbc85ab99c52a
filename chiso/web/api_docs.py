"""The interactive API documentation (``/api/v1/docs``): Swagger UI, served by chiso itself.

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script, so on a
province's closed network it was blank and it needed a looser Content-Security-Policy. This
page loads the copy vendored in ``chiso/web/static/vendor`` (``SWAGGER_UI``, the
``swagger-ui-dist`` package, Apache-2.0) and starts it from ``/static/api-docs.js``; it is
answered under the ordinary policy. It reads the schema at ``/api/v1/openapi.json``; an API
token is entered with "Authorize".
"""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

SWAGGER_UI = "/static/vendor/swagger-ui-5.35.0"
OPENAPI_URL = "/api/v1/openapi.json"
DOCS_URL = "/api/v1/docs"

router = APIRouter()

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chiso — API</title>
<link rel="icon" href="/static/chiso.svg" type="image/svg+xml">
<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{OPENAPI_URL}"></div>
<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get(DOCS_URL, response_class=HTMLResponse, include_in_schema=False)
def api_docs() -> HTMLResponse:
    """Swagger UI over this server's OpenAPI schema, every file from this server."""
    return HTMLResponse(PAGE)
