"""The controlscript plug-in's side of the local tapedeck service: its HTTP API for commands and its
events WebSocket for state, over loopback, never by importing the service (the plug-in is a process
of snapserver's, and may run as another user than tapedeck).

Credentials are asked for again at every connection: the service writes a fresh local key each
time it starts, so a key read once would stop working at tapedeck's first restart.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp

from player.pairing.store import LOCAL_KEY_HEADER
from player.snapcast.jsonrpc import SERVER_ERROR, RpcError
from player.snapcast.plugin import ApiCall

CALL_TIMEOUT = aiohttp.ClientTimeout(total=10)
HEARTBEAT = 15.0  # a wedged service is noticed within about this, not never
Credentials = Callable[[], dict[str, str]]  # the auth headers to send, asked for per connection


class TapedeckDownError(Exception):
    """The service cannot be reached (not running, restarting, refused the events socket)."""


def credentials_for(token: str | None, local_key: Callable[[], str | None]) -> Credentials:
    """A paired client's token when given, else the device's local key when this user can read it."""

    def headers() -> dict[str, str]:
        if token:
            return {"Authorization": f"Bearer {token}"}
        key = local_key()
        return {LOCAL_KEY_HEADER: key} if key else {}

    return headers


class TapedeckLink:
    def __init__(self, base: str, session: aiohttp.ClientSession, credentials: Credentials) -> None:
        self.base = base.rstrip("/")
        self._session = session
        self._credentials = credentials

    async def call(self, call: ApiCall) -> dict[str, Any]:
        """Make one API call; its JSON answer (a Player for the calls the plug-in makes)."""
        url = f"{self.base}/api/v1{call.path}"
        try:
            async with self._session.request(
                call.method, url, json=call.body, headers=self._credentials(), timeout=CALL_TIMEOUT
            ) as resp:
                text = await resp.text()
                status = resp.status
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            raise RpcError(
                SERVER_ERROR, f"tapedeck is not reachable at {self.base}: {err}"
            ) from err
        answer = _json_object(text)
        if status >= 400:
            error = answer.get("error")
            message = (
                error.get("message") if isinstance(error, dict) else None
            ) or f"HTTP {status}"
            raise RpcError(SERVER_ERROR, f"tapedeck refused: {message}")
        return answer

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        """The events WebSocket's messages (the snapshot first) until it closes: TapedeckDownError then."""
        url = f"{self.base}/api/v1/events"
        try:
            async with self._session.ws_connect(
                url, headers=self._credentials(), heartbeat=HEARTBEAT
            ) as ws:
                async for message in ws:
                    if message.type == aiohttp.WSMsgType.TEXT:
                        event = _json_object(message.data)
                        if event:
                            yield event
                    elif message.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE):
                        break
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            raise TapedeckDownError(f"tapedeck is not reachable at {self.base}: {err}") from err
        raise TapedeckDownError("tapedeck closed the events socket")


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
