"""Health, the OpenAPI document and the phone page."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from player import __version__
from player.web.keys import ROUTE_SPECS, services
from player.web.spec import RouteSpec, RouteTable

routes = RouteTable()
TAG = "system"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@routes.route("GET", "/api/v1/health", "Is the service up", TAG, response="Health")
async def health(request: web.Request) -> web.Response:
    svc = services(request)
    repairs = [r.to_json() for r in svc.repairs]
    body = {"status": "ok", "version": __version__, "name": svc.config.server.name}
    problems = list(svc.storage.problems.values())
    sources = [
        {"name": name, "error": {"code": err.code, "message": str(err)} if err else None}
        for name, err in svc.media.sync_errors().items()
    ]
    return web.json_response({**body, "repairs": repairs, "problems": problems, "sources": sources})


@routes.route("GET", "/api/v1/openapi.json", "This document", TAG, response="OpenAPI")
async def openapi(request: web.Request) -> web.Response:
    from player.web.openapi import build_openapi  # its schemas are built for a reader only

    specs: tuple[RouteSpec, ...] = request.app[ROUTE_SPECS]
    doc = build_openapi(list(specs), __version__, {"OpenAPI": {"type": "object"}})
    return web.json_response(doc)


@routes.route("GET", "/", "The phone control page", TAG, response="binary:text/html")
async def index(request: web.Request) -> web.StreamResponse:
    page = STATIC_DIR / "index.html"
    if not page.exists():
        return web.Response(
            text="tapedeck is running; the page is not installed.", content_type="text/plain"
        )
    return web.FileResponse(page, headers={"Cache-Control": "no-cache"})
