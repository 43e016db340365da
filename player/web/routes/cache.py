"""Cache and network routes: storage against its limits, the cache settings, the network's verdict."""

from __future__ import annotations

from dataclasses import fields
from enum import StrEnum

from aiohttp import web

from cache.planner.config import CacheConfig
from cache.precache import PrecacheService
from player.web.errors import ApiError
from player.web.keys import services
from player.web.spec import Field, RouteTable, read_body

routes = RouteTable()
TAG = "cache"
_JSON_TYPE = {bool: "boolean", int: "integer", float: "number", str: "string"}
_STRING_FIELDS = {
    "transcode_auto"
}  # None by default (follows the storage limit); a string when set


def _config_fields() -> tuple[Field, ...]:
    """Every CacheConfig field may be PATCHed; ranges are CacheConfig's own checks (422)."""
    out = []
    defaults = CacheConfig()
    for f in fields(CacheConfig):
        value = getattr(defaults, f.name)
        if isinstance(value, StrEnum):
            out.append(Field(f.name, "string", enum=tuple(m.value for m in type(value))))
        elif f.name in _STRING_FIELDS or isinstance(value, str):
            out.append(Field(f.name, "string", max_length=32))
        else:
            out.append(Field(f.name, _JSON_TYPE[type(value)]))
    return tuple(out)


CONFIG_FIELDS = _config_fields()


def _precache(request: web.Request) -> PrecacheService:
    precache = services(request).precache
    if precache is None:
        raise ApiError(503, "the pre-cacher is not running")
    return precache


@routes.route(
    "GET", "/api/v1/cache", "Storage used, its limits and the cache settings", TAG, response="Cache"
)
async def get_cache(request: web.Request) -> web.Response:
    return web.json_response(await _precache(request).cache_json())


@routes.route(
    "PATCH", "/api/v1/cache/config", "Change cache settings (kept across restarts)", TAG,
    body=CONFIG_FIELDS, response="CacheConfig",
)  # fmt: skip
async def patch_cache_config(request: web.Request) -> web.Response:
    body = await read_body(request, CONFIG_FIELDS)
    config = await _precache(request).patch_config(body)
    return web.json_response(config.to_json())


@routes.route(
    "GET", "/api/v1/network", "The network and whether downloads may run", TAG, response="Network"
)
async def get_network(request: web.Request) -> web.Response:
    return web.json_response(_precache(request).network.current.to_json())
