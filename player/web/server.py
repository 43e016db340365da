"""The HTTP listener, bounded: connections, time to send a request head, sizes, and log volume.

aiohttp's stock server keeps a connection that never finishes its headers for an hour and accepts
until the process runs out of file descriptors, after which asyncio logs every failed accept. Here:

- at most `per_client` connections from one client and `max_connections` in all, never more than
  the file limit leaves room for: a client past its share is refused (player/web/listener.py does
  it right after accept()), and when all are taken a light client (the owner's phone) still gets
  in, in place of the busiest client's oldest idle connection;
- a connection has `header_timeout` seconds to send a whole request head, and may idle that long
  between requests (aiohttp's keep-alive timer runs from the moment it connects);
- aiohttp's own 4xx answers (a bad request line, oversized headers) are the API's error object and
  one log line, and every noisy log source is rate-limited.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import resource
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from player.web.errors import CODES_BY_STATUS, error_body
from player.web.throttle import LogThrottle, ThrottleFilter

log = logging.getLogger(__name__)
NOISY_LOGGERS = ("asyncio", "aiohttp.server", "aiohttp.web", "aiohttp.websocket")


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """Bounds of the HTTP listener. Defaults suit a phone or two and a few scripts on a LAN."""

    max_connections: int = 256
    per_client: int = 32
    header_timeout: float = 15.0  # seconds to send a request head; also the keep-alive idle time
    body_timeout: float = 15.0  # seconds to send a request body (the JSON parser waits no longer)
    max_line: int = 4096  # request line and each header line
    max_headers: int = 64
    fd_reserve: int = 192  # descriptors kept for databases, mpv, media files and outgoing clients
    backlog: int = 128  # also how many connections asyncio accepts in one go, before any is shed
    listen_queue: int = 1024  # the kernel's queue of connections not yet accepted
    accept_pause: float = 1.0  # seconds without accepting once out of descriptors (as asyncio)

    def connection_budget(self) -> int:
        """`max_connections`, lowered to what the file-descriptor limit leaves after the reserve."""
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return self.max_connections
        # A burst of `backlog` accepts and as many sheds waiting to close land on top of the budget.
        return max(8, min(self.max_connections, soft - self.fd_reserve - 2 * self.backlog))


LIMITS: web.AppKey[ServerLimits] = web.AppKey("server_limits", ServerLimits)


class GuardedHandler(RequestHandler):
    """aiohttp's connection handler, answering its own errors with the API's error object."""

    throttle = LogThrottle()

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status >= 500:
            return super().handle_error(request, status, exc, message)
        # The parser's messages quote the offending bytes over several lines: keep the first.
        reason = (message or (str(exc) if exc else "") or "bad request").strip().splitlines()[0]
        self.throttle.log(
            log, logging.INFO, "bad-http", "refused a malformed request from %s: %s",
            request.remote, reason[:120],
        )  # fmt: skip
        if request.writer.output_size > 0:
            raise ConnectionError("a response was already under way")
        code = CODES_BY_STATUS.get(status, "bad_request")
        resp = web.json_response(
            error_body(code, f"malformed HTTP request: {reason[:200]}"), status=status
        )
        resp.force_close()
        return resp


class _Gate(asyncio.Protocol):
    """The first protocol of every connection: admits it to aiohttp, or closes it at once.

    The listener refuses most of a flood before this; here the count is exact (connections
    accepted in one burst are all counted) and no HTTP parser or buffer exists yet.
    """

    def __init__(self, server: GuardedServer) -> None:
        self._server = server

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        handler = self._server.admit(transport)
        if handler is None:
            transport.close()
            return
        transport.set_protocol(handler)
        handler.connection_made(transport)


class GuardedServer(web.Server):
    """web.Server that bounds how many connections it holds, per client and in all."""

    def __init__(self, *args: Any, limits: ServerLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits = limits
        self._budget = limits.connection_budget()
        self._by_client: dict[str, dict[RequestHandler, None]] = {}  # ordered sets, oldest first
        self._clients: dict[RequestHandler, str] = {}
        self._throttle = LogThrottle()

    def __call__(self) -> asyncio.Protocol:  # type: ignore[override]
        return _Gate(self)

    def refusal(self, client: str) -> str | None:
        """Why a new connection from `client` is refused now, or None when it may come in."""
        held = len(self._by_client.get(client, ()))
        if held >= self._limits.per_client:
            return f"{client} holds {held} connections already"
        # When all are taken, only a light client (the owner's phone among flooders) is worth
        # an eviction.
        full = len(self._clients) >= self._budget
        if full and 2 * (held + 1) > len(self._by_client[self._busiest()]):
            return f"all {self._budget} connections are taken"
        return None

    def admit(self, transport: asyncio.Transport) -> RequestHandler | None:
        """A handler for a new connection, or None when its client has its share already."""
        client = _client_of(transport)
        why = self.refusal(client)
        if why is not None:
            self.refused(why)
            return None
        if len(self._clients) >= self._budget:
            self._evict_oldest_idle(self._busiest())
        handler = GuardedHandler(self, loop=self._loop, **self._kwargs)
        self._clients[handler] = client
        self._by_client.setdefault(client, {})[handler] = None
        return handler

    def _busiest(self) -> str:
        return max(self._by_client, key=lambda c: len(self._by_client[c]))

    def connection_lost(self, handler: RequestHandler, exc: BaseException | None = None) -> None:
        self._forget(handler)
        super().connection_lost(handler, exc)

    def _forget(self, handler: RequestHandler) -> None:
        client = self._clients.pop(handler, None)
        if client is None:
            return
        mine = self._by_client[client]
        mine.pop(handler, None)
        if not mine:
            del self._by_client[client]

    def refused(self, why: str) -> None:
        self._throttle.log(log, logging.WARNING, "refuse", "refused a connection: %s", why)

    def _evict_oldest_idle(self, client: str) -> None:
        """Make room for a lighter client: close the busiest one's oldest idle connection."""
        idle = next((h for h in self._by_client[client] if not _in_request(h)), None)
        if idle is None:
            return  # all busy answering: go over budget by one rather than cut a request
        self._throttle.log(
            log, logging.WARNING, "evict", "closed an idle connection from %s to make room", client
        )
        self._forget(idle)
        idle.force_close()

    @property
    def open_connections(self) -> int:
        return len(self._clients)


def _in_request(handler: RequestHandler) -> bool:
    # aiohttp keeps this flag for its own graceful shutdown; a request being answered (or a
    # WebSocket being served) is never cut to make room, only idle and half-open connections.
    return bool(getattr(handler, "_request_in_progress", False))


def _client_of(transport: asyncio.Transport) -> str:
    peer = transport.get_extra_info("peername")
    return client_key(str(peer[0])) if isinstance(peer, tuple) else "local"


def client_key(address: str) -> str:
    """Who a connection's address stands for, when sharing limits out among clients.

    An IPv6 host picks new addresses inside its /64 at will (privacy addresses), so the /64 is
    the client; an IPv4-mapped address (a dual-stack listener) is its IPv4 address.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        if not ip.is_loopback:
            return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class GuardedRunner(web.AppRunner):
    """AppRunner whose server is a GuardedServer with the limits' parser bounds and timers."""

    def __init__(self, app: web.Application, limits: ServerLimits, **kwargs: Any) -> None:
        kwargs.update(
            keepalive_timeout=limits.header_timeout,
            max_line_size=limits.max_line,
            max_field_size=limits.max_line,
            max_headers=limits.max_headers,
            lingering_time=2.0,
        )
        super().__init__(app, **kwargs)
        self._limits = limits

    async def _make_server(self) -> web.Server:
        plain = await super()._make_server()
        return GuardedServer(
            plain.request_handler,
            request_factory=plain.request_factory,
            handler_cancellation=plain.handler_cancellation,
            limits=self._limits,
            **plain._kwargs,  # what the app added (debug, access logging) and the bounds above
        )


def throttle_noisy_logs(throttle: LogThrottle | None = None) -> None:
    """Rate-limit the loggers a flood of bad connections writes to (idempotent)."""
    shared = ThrottleFilter(throttle or LogThrottle())
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ThrottleFilter) for f in logger.filters):
            logger.addFilter(shared)
