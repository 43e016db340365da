"""`tapedeck snapcast-plugin`: the controlscript snapserver runs for tapedeck's stream.

snapserver starts it with the stream (`controlscript=` on the stream's line in snapserver.conf) and
speaks JSON-RPC over its stdin and stdout: it sends `Plugin.Stream.Player.Control`, `.SetProperty`
and `.GetProperties` requests; the plug-in answers them through tapedeck's HTTP API and tells
snapserver about every change it sees on tapedeck's events WebSocket (`Plugin.Stream.Ready` once,
then `Plugin.Stream.Player.Properties`), so Snapweb and Home Assistant show the title and can pause
or skip. When tapedeck is down the plug-in keeps answering (stopped, nothing to control) and
reconnects with a growing pause; it ends when snapserver closes its stdin.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from player.snapcast.jsonrpc import (
    METHOD_NOT_FOUND,
    BadLine,
    LineSplitter,
    Request,
    RpcError,
    error_line,
    notification_line,
    parse_line,
    result_line,
    too_long,
)
from player.snapcast.plugin import control_call, properties, property_calls, worth_sending
from player.snapcast.tapedeck_link import Credentials, TapedeckDownError, TapedeckLink

log = logging.getLogger("tapedeck.snapcast-plugin")
READ_CHUNK = 16 * 1024
FIRST_RETRY = 0.5
LAST_RETRY = 10.0
PLAYER_EVENTS = frozenset({"snapshot", "player"})


class Output(Protocol):
    async def send(self, line: bytes) -> None: ...


@dataclass(frozen=True, slots=True)
class Options:
    url: str
    credentials: Credentials
    art_base: str | None = None


def next_retry(delay: float) -> float:
    return min(LAST_RETRY, delay * 2)


class Plugin:
    """One stream's plug-in: the last Player seen, and what snapserver was last told."""

    def __init__(self, link: TapedeckLink, out: Output, art_base: str | None) -> None:
        self._link = link
        self._out = out
        self._art_base = art_base
        self.player: dict[str, Any] | None = None  # None while tapedeck is unreachable
        self._told: dict[str, Any] | None = None
        self._told_at = 0.0

    async def start(self) -> None:
        await self._out.send(notification_line("Plugin.Stream.Ready"))

    async def handle(self, line: bytes | None) -> None:
        """Answer one line from snapserver (None: a line that was too long and was dropped)."""
        if line is None:
            await self._out.send(error_line(None, too_long()))
            return
        parsed = parse_line(line)
        if isinstance(parsed, BadLine):
            log.warning("bad line from snapserver: %s", parsed.error.message)
            await self._out.send(error_line(parsed.id, parsed.error))
            return
        try:
            result = await self._do(parsed)
        except RpcError as err:
            log.info("%s refused: %s", parsed.method, err.message)
            answer = error_line(parsed.id, err)
        else:
            answer = result_line(parsed.id, result)
        if parsed.id is not None:  # a notification gets no answer
            await self._out.send(answer)

    async def _do(self, request: Request) -> Any:
        if request.method == "Plugin.Stream.Player.GetProperties":
            return properties(self.player, self._art_base)
        if request.method == "Plugin.Stream.Player.Control":
            call = control_call(request.params, self.player)
            await self.seen(await self._link.call(call))
            return "ok"
        if request.method == "Plugin.Stream.Player.SetProperty":
            for call in property_calls(request.params):
                await self.seen(await self._link.call(call))
            return "ok"
        raise RpcError(METHOD_NOT_FOUND, f"no method {request.method}")

    async def seen(self, player: dict[str, Any] | None) -> None:
        """A new Player (or None: tapedeck went away); snapserver hears of it when it is news."""
        if player is not None and "state" not in player:
            return  # an answer that is no Player tells nothing about the state
        self.player = player
        props = properties(self.player, self._art_base)
        now = time.monotonic()
        if worth_sending(self._told, props, now - self._told_at):
            await self._out.send(notification_line("Plugin.Stream.Player.Properties", props))
            self._told, self._told_at = props, now

    async def follow(self) -> None:
        """Follow tapedeck's events for good, reconnecting with a growing pause while it is down."""
        delay = FIRST_RETRY
        while True:
            try:
                async for event in self._link.events():
                    delay = FIRST_RETRY
                    if event.get("type") in PLAYER_EVENTS and isinstance(event.get("player"), dict):
                        await self.seen(event["player"])
            except TapedeckDownError as err:
                if self.player is not None or delay == FIRST_RETRY:
                    log.warning("%s; retrying", err)
            await self.seen(None)
            await asyncio.sleep(delay)
            delay = next_retry(delay)


class PipeOutput:
    """stdout as an asyncio pipe: a snapserver slow to read holds this plug-in up, never its loop."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    async def send(self, line: bytes) -> None:
        self._writer.write(line)
        await self._writer.drain()


class FileOutput:
    """stdout when it is a regular file (a person trying the plug-in): writes never block there."""

    async def send(self, line: bytes) -> None:
        sys.stdout.buffer.write(line)
        sys.stdout.buffer.flush()


async def open_stdio() -> tuple[Callable[[], Awaitable[bytes]], Output]:
    """stdin's reader and stdout's writer: asyncio pipes (what snapserver gives), or plain files."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    read: Callable[[], Awaitable[bytes]]
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        read = functools.partial(reader.read, READ_CHUNK)
    except ValueError:  # a regular file: reading it never blocks
        read = functools.partial(asyncio.to_thread, os.read, sys.stdin.fileno(), READ_CHUNK)
    out: Output
    try:
        transport, protocol = await loop.connect_write_pipe(
            asyncio.streams.FlowControlMixin, sys.stdout
        )
        out = PipeOutput(asyncio.StreamWriter(transport, protocol, None, loop))
    except ValueError:
        out = FileOutput()
    return read, out


async def run(options: Options) -> int:
    read, out = await open_stdio()
    async with aiohttp.ClientSession() as session:
        link = TapedeckLink(options.url, session, options.credentials)
        plugin = Plugin(link, out, options.art_base)
        await plugin.start()
        follower = asyncio.create_task(plugin.follow(), name="snapcast-plugin-follow")
        try:
            await serve_stdin(read, plugin)
        finally:
            follower.cancel()
            await asyncio.gather(follower, return_exceptions=True)
    return 0


async def serve_stdin(read: Callable[[], Awaitable[bytes]], plugin: Plugin) -> None:
    """Answer snapserver's lines in order until it closes our stdin."""
    lines = LineSplitter()
    while chunk := await read():
        for line in lines.feed(chunk):
            await plugin.handle(line)
