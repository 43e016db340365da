"""The MPD listener: bounded in connections, one task per client, closed cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from player.mpd import cmd_db, cmd_misc, cmd_player, cmd_playlists, cmd_queue  # noqa: F401  (they register)
from player.mpd.deck import Deck
from player.mpd.session import Limits, Session

log = logging.getLogger(__name__)
LINE_LIMIT = 64 * 1024  # longer lines get an ACK and the connection closes


class MpdListenError(OSError):
    """The MPD port could not be opened."""


class MpdServer:
    def __init__(self, deck: Deck, limits: Limits, max_connections: int) -> None:
        self.deck = deck
        self.limits = limits
        self.max_connections = max_connections
        self._server: asyncio.Server | None = None
        self._sessions: dict[asyncio.Task[None], Session] = {}

    @property
    def connections(self) -> int:
        return len(self._sessions)

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def listen(self, host: str, port: int) -> None:
        try:
            self._server = await asyncio.start_server(
                self._accept, host, port, limit=LINE_LIMIT, reuse_address=True, backlog=64
            )
        except OSError as err:
            raise MpdListenError(
                err.errno, f"mpd: cannot listen on {host}:{port}: {err.strerror}"
            ) from err
        log.info("MPD protocol server on %s:%d", host, self.port)

    async def run(self) -> None:
        """Serve until cancelled (a supervised task for the life of the service)."""
        assert self._server is not None, "listen() first"
        try:
            await self._server.serve_forever()
        finally:
            await self.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._sessions):
            task.cancel()
        if self._sessions:
            await asyncio.gather(*self._sessions, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._sessions) >= self.max_connections:
            log.info("mpd: refusing a client, %d connections already", len(self._sessions))
            writer.close()
            return
        session = Session(self.deck, reader, writer, self.limits)
        task = asyncio.current_task()
        assert task is not None
        self._sessions[task] = session
        try:
            await session.serve()
        finally:
            del self._sessions[task]
