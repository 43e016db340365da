"""Typed keys for what the app factory puts in the aiohttp application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from player.services import Services

SERVICES: web.AppKey[Services] = web.AppKey("services")


def services(request: web.Request) -> Services:
    return request.app[SERVICES]
