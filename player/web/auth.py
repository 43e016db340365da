"""Bearer tokens when `security.pairing` is on, and the proof that a request comes from the device itself.

Which requests need a token: all but the phone page (`GET /`), static assets, `GET /api/v1/health` and
the pairing routes. The decision is made on the route aiohttp matched, not on the raw path, so an
odd spelling of a path (`/static/../api/v1/player`) cannot borrow an exemption.

The events WebSocket may carry its token as `?token=` instead: a browser's `WebSocket` API cannot set
an `Authorization` header on the upgrade request. The alternatives are worse: a cookie would be sent
by the browser on its own (cross-site requests again), and smuggling the token in
`Sec-WebSocket-Protocol` needs the server to echo it back in a header. A token in a URL is a risk only
where URLs are logged; the service runs without an access log and never logs a query string, and
the query parameter is accepted on that one route only.

How `tapedeck pair approve` proves it runs on the device (`is_local_admin`): the service writes a
fresh random *local key* to `<state_dir>/pairing.key` (mode 0600, in a directory systemd makes 0700)
each time it starts, and the admin routes accept a request only when all of these hold:

1. it carries that key in `X-Tapedeck-Local-Key` (compared in constant time). Reading the file takes
   root or the service's own user on the device: the same people who could edit the token file or
   the unit anyway, so the check grants nothing new. A phone on the LAN has no way to read it;
2. it arrived over loopback (127.0.0.1 or ::1). Should the key leak (a backup of the state dir), it
   still works only from the device;
3. it has no `Origin` and no `Forwarded`/`X-Forwarded-For` header. A browser always sends `Origin` on
   such requests, and a forwarding header means a proxy on the device relays someone else's request,
   which would otherwise look local.

A loopback check alone would not do: every local process and any reverse proxy would pass it. The
key alone would be nearly enough; 2 and 3 are cheap defence in depth. The key also authenticates the
other API routes, so `sudo tapedeck status` keeps working on the device when pairing is on.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler

from player.pairing.store import LOCAL_KEY_HEADER
from player.web.errors import error_body
from player.web.keys import services

if TYPE_CHECKING:
    from player.pairing.core import Pairing

PAIRING_PREFIX = "/api/v1/pairing"
EVENTS_PATH = "/api/v1/events"
OPEN_FOR_READING = frozenset({"/", "/api/v1/health", "/static"})
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def is_loopback(remote: str | None) -> bool:
    """127.0.0.0/8, ::1 and IPv4-mapped loopback; anything unparsable is not."""
    if not remote:
        return False
    try:
        addr = ipaddress.ip_address(remote.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_loopback


def is_local_admin(request: web.Request, pairing: Pairing) -> bool:
    """True when the request proves it comes from an administrator on the device (see above)."""
    key = request.headers.get(LOCAL_KEY_HEADER)
    if not key or not pairing.is_local_key(key):
        return False
    if hdrs.ORIGIN in request.headers or any(h in request.headers for h in PROXY_HEADERS):
        return False
    return is_loopback(request.remote)


def route_canonical(request: web.Request) -> str | None:
    """The matched route's path template ("/api/v1/pairing/{request_id}"), None when nothing matched."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else None


def is_exempt(method: str, canonical: str | None) -> bool:
    """The routes anyone on the network may use without a token."""
    if canonical is None:
        return False
    if canonical == PAIRING_PREFIX or canonical.startswith(PAIRING_PREFIX + "/"):
        return True
    return method in ("GET", "HEAD") and canonical in OPEN_FOR_READING


def presented_token(request: web.Request, canonical: str | None) -> str | None:
    """The bearer token from the header, or from `?token=` on the events WebSocket upgrade."""
    header = request.headers.get(hdrs.AUTHORIZATION, "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    upgrade = request.headers.get(hdrs.UPGRADE, "").lower() == "websocket"
    if canonical == EVENTS_PATH and upgrade:
        return request.query.get("token") or None
    return None


def _unauthorized(message: str, error: str | None = None) -> web.Response:
    challenge = 'Bearer realm="tapedeck"' + (f', error="{error}"' if error else "")
    return web.json_response(
        error_body("unauthorized", message),
        status=401,
        headers={hdrs.WWW_AUTHENTICATE: challenge},
    )


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Ask for a bearer token when pairing is on; a no-op when it is off."""
    svc = services(request)
    pairing = svc.pairing
    if pairing is None:
        if svc.config.security.pairing:  # configured but not started: fail closed
            return web.json_response(
                error_body("upstream_unavailable", "pairing is starting"), status=503
            )
        return await handler(request)
    canonical = route_canonical(request)
    if is_exempt(request.method, canonical) or is_local_admin(request, pairing):
        return await handler(request)
    token = presented_token(request, canonical)
    if token is None:
        return _unauthorized(
            "this device only answers paired clients: send Authorization: Bearer <token> "
            "(pair with POST /api/v1/pairing)"
        )
    if pairing.verify(token) is None:
        return _unauthorized("that token is not valid here (revoked?): pair again", "invalid_token")
    return await handler(request)
