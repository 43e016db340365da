"""A TCP proxy on 127.0.0.1 in a thread of its own: a slow link in front of a real server.

It reads each request head going to the server (so a test sees the `Range` that reached it) and
passes the server's bytes back at `rate` bytes a second (None: as fast as they come).

    proxy = ThrottleProxy(target_port)
    url = proxy.start()
    proxy.rate = 512 * 1024
    proxy.heads      # [(request line, {header: value}), ...]
    proxy.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

PIECE = 16 * 1024
TIMEOUT = 10.0


class ThrottleProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.rate: int | None = None
        self.heads: list[tuple[str, dict[str, str]]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self.port = 0

    def start(self) -> str:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="throttle", daemon=True)
        self._thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self._listen(), loop).result(TIMEOUT)
        return f"http://127.0.0.1:{self.port}"

    async def _listen(self) -> int:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        tasks = [
            asyncio.ensure_future(self._requests(reader, up_writer)),
            asyncio.ensure_future(self._answers(up_reader, writer)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        for w in (writer, up_writer):
            w.close()

    async def _requests(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # GET requests only (no bodies): each head is read whole, recorded and passed on.
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            await self._pass_heads(reader, writer)

    async def _pass_heads(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while head := await reader.readuntil(b"\r\n\r\n"):
            lines = head.decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            self.heads.append((lines[0], headers))
            writer.write(head)
            await writer.drain()

    async def _answers(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            await self._pass_answers(reader, writer)

    async def _pass_answers(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while piece := await reader.read(PIECE):
            writer.write(piece)
            await writer.drain()
            rate = self.rate
            if rate:
                await asyncio.sleep(len(piece) / rate)

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return

        async def close() -> None:
            if self._server is not None:
                self._server.close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._server.wait_closed(), 2)

        asyncio.run_coroutine_threadsafe(close(), loop).result(TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(TIMEOUT)
        loop.close()
        self._loop = None

    def ranges(self, path_part: str) -> list[str | None]:
        """The Range header of every request whose line holds `path_part`."""
        return [h.get("range") for line, h in self.heads if path_part in line]
