"""aiohttp middlewares: Host/Origin checks first, then errors turned into the API's error object."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from cache.errors import CacheError
from player.web.errors import ApiError, error_response
from player.web.hosts import HostPolicy

log = logging.getLogger(__name__)

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def host_middleware(policy: HostPolicy) -> web.middleware:  # type: ignore[valid-type]
    @web.middleware
    async def check_host(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not policy.allows_host(request.headers.get("Host")):
            return error_response(403, "this device does not answer to that Host name")
        origin = request.headers.get("Origin")
        if origin is not None and _needs_origin_check(request) and not policy.allows_origin(origin):
            return error_response(403, "requests from other sites are not allowed")
        return await handler(request)

    return check_host


def _needs_origin_check(request: web.Request) -> bool:
    return request.method in MUTATING or request.headers.get("Upgrade", "").lower() == "websocket"


MAX_PARAM = 256  # an id in a path: Jellyfin's are 32 hex digits, ours shorter
MAX_QUERY_VALUE = 512
MAX_QUERY_KEYS = 32


def _check_bounds(request: web.Request) -> None:
    """Route parameters and query values bounded before any handler reads them."""
    if any(len(value) > MAX_PARAM for value in request.match_info.values()):
        raise ApiError(404, "no such resource (the id is far too long)")
    query = request.query
    if len(query) > MAX_QUERY_KEYS or any(len(v) > MAX_QUERY_VALUE for v in query.values()):
        raise ApiError(400, f"query values are limited to {MAX_QUERY_VALUE} characters")


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        _check_bounds(request)
        return await handler(request)
    except ApiError as err:
        return error_response(err.status, err.message, err.code)
    except CacheError as err:
        if err.http_status >= 500:
            log.warning("%s %s: %s", request.method, request.path, err)
        return error_response(err.http_status, str(err), err.code)
    except web.HTTPException as err:
        if err.status < 400:
            raise
        return error_response(err.status, err.reason or "error")
    except Exception:
        log.exception("unexpected error in %s %s", request.method, request.path)
        return error_response(500, "something went wrong inside tapedeck", "internal")
