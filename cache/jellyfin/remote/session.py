"""Being a Jellyfin cast target: capabilities, the `/socket` WebSocket, keep-alives, reconnects.

A session is listed in an app's "Play On" menu only while its capabilities say it takes remote
control AND it holds an open socket (ecosystem.md §2). Both go through the token and DeviceId the
REST client uses, so the reports, the capabilities and the socket are one session on the server.
The server forgets capabilities when it restarts, so they are posted again after every reconnect.

Requests are handed to `sink` as typed events; the sink must not block (the player queues them),
so a slow player never makes us miss a keep-alive.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from cache.errors import SourceError
from cache.jellyfin.remote.messages import (
    KeepAliveAsked,
    RemoteMessageError,
    RemoteRequest,
    parse_message,
)
from cache.timeouts import within

log = logging.getLogger(__name__)

CAPABILITIES_PATH = "/Sessions/Capabilities/Full"
# GeneralCommandType names only: Playstate names such as "Stop" make the server answer 400.
SUPPORTED_COMMANDS = (
    "VolumeUp",
    "VolumeDown",
    "Mute",
    "Unmute",
    "ToggleMute",
    "SetVolume",
    "SetRepeatMode",
    "SetShuffleQueue",
    "PlayState",
    "PlayNext",
    "Play",
    "DisplayMessage",
    "PlayMediaSource",
)
KEEPALIVE = json.dumps({"MessageType": "KeepAlive"})
RequestSink = Callable[[RemoteRequest], None]


def capabilities() -> dict[str, Any]:
    """The bare ClientCapabilitiesDto (wrapped in {"Capabilities": ...} the server erases them)."""
    return {
        "PlayableMediaTypes": ["Audio"],
        "SupportedCommands": list(SUPPORTED_COMMANDS),
        "SupportsMediaControl": True,
        "SupportsPersistentIdentifier": True,
    }


class SessionClient(Protocol):
    """What the session needs of the REST client (JellyfinClient implements it)."""

    async def ensure_auth(self) -> str: ...

    async def renew_token(self, rejected: str) -> None: ...

    def auth_headers(self, token: str) -> dict[str, str]: ...

    async def call(
        self, method: str, path: str, params: dict[str, str] | None = None, body: Any = None
    ) -> Any: ...


@dataclass(frozen=True, slots=True)
class RemoteTimings:
    """Timings of the session (passed in, so tests can shorten them)."""

    backoff: tuple[float, ...] = (1.0, 2.0, 4.0, 5.0)  # capped: back within 5 s of the server
    keepalive_default: float = 30.0  # until the server's ForceKeepAlive says how long it waits
    connect_timeout: float = 10.0
    max_message_bytes: int = 2 * 1024 * 1024
    bad_message_lines: int = 10  # warnings about ignored messages per window, then one summary
    bad_message_window: float = 60.0


class RemoteSession:
    """The cast-target session; `run` keeps it connected for the life of the service."""

    def __init__(
        self,
        client: SessionClient,
        http: aiohttp.ClientSession,
        server_url: str,
        sink: RequestSink,
        timings: RemoteTimings | None = None,
    ) -> None:
        self._client = client
        self._http = http
        self._url = socket_url(server_url)
        self._sink = sink
        self._timings = timings or RemoteTimings()
        self.connected = asyncio.Event()  # set while the socket is open and capabilities posted
        self.connects = 0  # sockets opened so far (a reconnect shows as a second one)
        self._bad = QuietLog(self._timings.bad_message_lines, self._timings.bad_message_window)

    async def run(self) -> None:
        """Connect, serve the socket until it closes, wait a backoff step, again, for good."""
        failures = 0
        while True:
            try:
                await self._serve_once()
                failures = 0  # it was up: the next try comes after the shortest wait
            except (SourceError, aiohttp.ClientError, TimeoutError, OSError) as err:
                log.info("Jellyfin remote control not connected: %s", _reason(err))
            finally:
                self.connected.clear()
            backoff = self._timings.backoff
            await asyncio.sleep(backoff[min(failures, len(backoff) - 1)])
            failures += 1

    async def _serve_once(self) -> None:
        token = await self._client.ensure_auth()
        try:
            ws = await self._open(token)
        except aiohttp.WSServerHandshakeError as err:
            if err.status == 401:  # the token was revoked: log in again for the next try
                await self._client.renew_token(token)
            raise
        async with ws:
            # Posted once the socket is up: the server lists us only when both are in place.
            await self._client.call("POST", CAPABILITIES_PATH, body=capabilities())
            self.connects += 1
            self.connected.set()
            log.info("Jellyfin remote control connected (cast target)")
            await self._pump(ws)
        log.info("Jellyfin remote control socket closed")

    async def _open(self, token: str) -> aiohttp.ClientWebSocketResponse:
        timeout = aiohttp.ClientWSTimeout(ws_receive=None, ws_close=5.0)
        return await within(
            self._http.ws_connect(
                self._url,
                headers=self._client.auth_headers(token),
                timeout=timeout,
                max_msg_size=self._timings.max_message_bytes,
                autoping=True,
            ),
            self._timings.connect_timeout,
        )

    async def _pump(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Read messages, sending a KeepAlive at half the server's patience, until it closes."""
        interval = self._timings.keepalive_default
        due = time.monotonic() + interval
        while True:
            try:
                msg = await ws.receive(timeout=max(0.0, due - time.monotonic()))
            except TimeoutError:
                await ws.send_str(KEEPALIVE)
                due = time.monotonic() + interval
                continue
            if msg.type is not aiohttp.WSMsgType.TEXT:
                if msg.type in _ENDS:
                    return
                continue  # binary frames: nothing in the protocol uses them
            asked = self._handle(str(msg.data))
            if asked is not None:
                interval = keepalive_interval(asked)
                await ws.send_str(KEEPALIVE)
                due = time.monotonic() + interval

    def _handle(self, text: str) -> float | None:
        """Hand a request to the sink; returns the keep-alive timeout when the server sets one."""
        try:
            parsed = parse_message(text)
        except RemoteMessageError as err:
            self._bad.note(f"ignored a Jellyfin socket message: {err} ({text[:80]!r})")
            return None
        if isinstance(parsed, KeepAliveAsked):
            return parsed.timeout
        if parsed is not None:
            self._sink(parsed)
        return None


_ENDS = {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED}
_ENDS.add(aiohttp.WSMsgType.ERROR)


class QuietLog:
    """At most `lines` warnings per `window` seconds: a server sending junk in a loop must not
    fill the SD card with the same line. What was held back is counted in the next window."""

    def __init__(self, lines: int, window: float) -> None:
        self._lines, self._window = lines, window
        self._start, self._said, self._held = -window, 0, 0

    def note(self, line: str) -> None:
        now = time.monotonic()
        if now - self._start >= self._window:
            if self._held:
                log.warning("... and %d more Jellyfin socket messages ignored", self._held)
            self._start, self._said, self._held = now, 0, 0
        if self._said < self._lines:
            self._said += 1
            log.warning("%s", line)
        else:
            self._held += 1


def keepalive_interval(timeout: float) -> float:
    """How often to send KeepAlive when the server drops a socket silent for `timeout` seconds
    (apps use timeout/2: 30 s against Jellyfin's 60)."""
    return timeout / 2


def socket_url(server_url: str) -> str:
    """`ws(s)://<server>/socket`, keeping a base path (a server behind /jellyfin)."""
    base = server_url.rstrip("/")
    if base.startswith("https://"):
        return "wss://" + base.removeprefix("https://") + "/socket"
    return "ws://" + base.removeprefix("http://") + "/socket"


def _reason(err: BaseException) -> str:
    if isinstance(err, aiohttp.WSServerHandshakeError):
        return f"the server refused the socket (HTTP {err.status})"
    return str(err) or type(err).__name__
