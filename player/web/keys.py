"""Typed keys for what the app factory puts in the aiohttp application."""

from __future__ import annotations

from aiohttp import web

from player.services import Services
from player.web.spec import RouteSpec

SERVICES: web.AppKey[Services] = web.AppKey("services", Services)
ROUTE_SPECS: web.AppKey[tuple[RouteSpec, ...]] = web.AppKey("route_specs", tuple)


def services(request: web.Request) -> Services:
    return request.app[SERVICES]
