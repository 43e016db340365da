"""The listening sockets, with an accept loop that refuses a flooding client before asyncio sees it.

asyncio's own accept loop makes a task and a transport for every connection before any protocol
can look at the peer, and uses one number for the kernel's queue and for how many it accepts in
one go. Here a connection from a client that has its share already is closed straight after
`accept()` (a few microseconds), the kernel queue is deep enough that a flood does not drop the
owner's SYN, and when the process runs out of descriptors accepting pauses for a second with
one rate-limited line instead of a traceback per attempt.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from aiohttp import web

from player.web.server import (
    LIMITS,
    GuardedRunner,
    GuardedServer,
    ServerLimits,
    client_key,
    throttle_noisy_logs,
)
from player.web.throttle import LogThrottle

log = logging.getLogger(__name__)


class Listener(asyncio.AbstractServer):
    """Accepts on `sockets` and hands admitted connections to `server` (an aiohttp server)."""

    def __init__(
        self, sockets: list[socket.socket], server: GuardedServer, limits: ServerLimits
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._sockets = sockets
        self._server = server
        self._burst = limits.backlog
        self._pause_for = limits.accept_pause
        self._pending: set[asyncio.Task[Any]] = set()
        self._throttle = LogThrottle()
        self._closed = False
        for sock in sockets:
            self._loop.add_reader(sock.fileno(), self._accept_ready, sock)

    def _accept_ready(self, sock: socket.socket) -> None:
        for _ in range(self._burst):
            try:
                conn, addr = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as err:  # EMFILE, ENFILE, ENOBUFS: out of resources
                self._pause(sock, err)
                return
            why = self._server.refusal(client_key(str(addr[0])))
            if why is not None:
                conn.close()
                self._server.refused(why)
                continue
            conn.setblocking(False)
            self._hand_over(conn)

    def _hand_over(self, conn: socket.socket) -> None:
        task = self._loop.create_task(self._loop.connect_accepted_socket(self._server, conn))
        self._pending.add(task)
        task.add_done_callback(lambda done: self._settled(done, conn))

    def _settled(self, task: asyncio.Task[Any], conn: socket.socket) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            conn.close()
            self._throttle.log(
                log,
                logging.WARNING,
                "handover",
                "a connection failed to start: %s",
                task.exception(),
            )

    def _pause(self, sock: socket.socket, err: OSError) -> None:
        self._throttle.log(
            log, logging.WARNING, "accept", "cannot accept connections (%s); pausing %g s",
            err.strerror, self._pause_for,
        )  # fmt: skip
        self._loop.remove_reader(sock.fileno())
        self._loop.call_later(self._pause_for, self._resume, sock)

    def _resume(self, sock: socket.socket) -> None:
        if not self._closed:
            self._loop.add_reader(sock.fileno(), self._accept_ready, sock)

    # -- asyncio.AbstractServer, as much as aiohttp's site uses ---------------------------------
    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for sock in self._sockets:
            self._loop.remove_reader(sock.fileno())
            sock.close()
        for task in self._pending:
            task.cancel()

    async def wait_closed(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    async def start_serving(self) -> None:
        """Serving starts in the constructor."""

    async def serve_forever(self) -> None:
        raise NotImplementedError("the runner drives this server; it never blocks in it")

    def is_serving(self) -> bool:
        return not self._closed

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return tuple(self._sockets)


async def bind(host: str, port: int, queue: int) -> list[socket.socket]:
    """Listening sockets for host:port, as asyncio's create_server makes them (OSError if not)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(queue)
            sock.setblocking(False)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class GuardedSite(web.BaseSite):
    """An aiohttp site listening through a Listener; the runner stops it like any other."""

    __slots__ = ("_host", "_limits", "_port")

    def __init__(self, runner: web.BaseRunner, host: str, port: int, limits: ServerLimits) -> None:
        super().__init__(runner, backlog=limits.backlog)
        self._host, self._port, self._limits = host, port, limits

    @property
    def name(self) -> str:
        return f"http://{self._host or '0.0.0.0'}:{self._port}"

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert isinstance(server, GuardedServer)
        sockets = await bind(self._host, self._port, self._limits.listen_queue)
        self._server = Listener(sockets, server, self._limits)


async def start_http(
    app: web.Application, host: str, port: int, limits: ServerLimits
) -> web.AppRunner:
    """Listen on host:port with `limits`; the caller cleans up the returned runner."""
    throttle_noisy_logs()
    app[LIMITS] = limits
    runner = GuardedRunner(app, limits, handle_signals=False, access_log=None)
    try:
        await runner.setup()  # builds the service's parts (player.wiring)
        await GuardedSite(runner, host, port, limits).start()
    except BaseException:
        await runner.cleanup()  # whatever was built stops, so the process can exit
        raise
    return runner
