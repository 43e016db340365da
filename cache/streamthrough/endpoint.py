"""The local endpoint mpv reads a streamed-through track from: the growing file of its download,
answering Range requests and waiting (bounded) for bytes that have not arrived yet.

Bound to 127.0.0.1 on a port of its own, every path carries a token made at each start (a local
process that does not know it gets a 404), and it is bounded like every listener: at most
`max_readers` requests at once (then 503), connections closed after each answer, header sizes
capped by aiohttp, and a wait for bytes that ends after `stall_limit` seconds without one (the
answer is then cut short; the player asks again from where it stopped).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from cache.models import ItemId
from cache.streamthrough.ranges import UnsatisfiableRangeError, byte_range
from cache.streamthrough.session import StreamSession

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
LOOPBACK = frozenset({"127.0.0.1", "::1"})
Opener = Callable[[ItemId], Awaitable[StreamSession | str | None]]
"""A session to serve, a URL to send the player to instead (the server's own stream), or None."""


class StreamEndpoint:
    """`start()` binds the port; `url(item_id)` is what mpv is given; `stop()` closes it."""

    def __init__(self, opener: Opener, *, max_readers: int = 8, stall_limit: float = 50.0) -> None:
        self._opener = opener
        self._max_readers = max_readers
        self._stall_limit = stall_limit
        self._token = secrets.token_urlsafe(24)
        self._active = 0
        self._runner: web.AppRunner | None = None
        self._port = 0

    async def start(self) -> None:
        app = web.Application(client_max_size=1024)
        app.router.add_get("/{token}/{item_id}", self._serve)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, keepalive_timeout=5.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=16)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def url(self, item_id: str) -> str:
        return f"http://127.0.0.1:{self._port}/{self._token}/{quote(item_id, safe='')}"

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if request.remote not in LOOPBACK or not secrets.compare_digest(token, self._token):
            return web.Response(status=404)
        if self._active >= self._max_readers:
            return web.Response(status=503, headers={"Retry-After": "1"})
        self._active += 1
        try:
            opened = await self._opener(ItemId(request.match_info["item_id"]))
            if isinstance(opened, str):
                raise web.HTTPTemporaryRedirect(opened)
            if opened is None:
                return web.Response(status=404)
            return await self._send(request, opened)
        finally:
            self._active -= 1

    async def _send(self, request: web.Request, session: StreamSession) -> web.StreamResponse:
        size = session.size
        try:
            span = byte_range(request.headers.get("Range"), size)
        except UnsatisfiableRangeError:
            return web.Response(status=416, headers={"Content-Range": f"bytes */{size}"})
        start, end = span or (0, size)
        resp = web.StreamResponse(status=206 if span else 200)
        resp.headers["Accept-Ranges"] = "bytes"
        resp.headers["Content-Type"] = session.mime_type
        if span:
            resp.headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        resp.content_length = end - start
        resp.force_close()  # a cut-short answer must end its connection
        await resp.prepare(request)
        with session.reading():
            pos = start
            while pos < end:
                chunk = await session.wait(pos, min(CHUNK, end - pos), self._stall_limit)
                if not chunk:
                    log.info("stream of %s: no bytes at %d; answer cut short", session.item_id, pos)
                    break
                await resp.write(chunk)
                pos += len(chunk)
        return resp
