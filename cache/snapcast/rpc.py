"""A JSON-RPC 2.0 connection to snapserver's control port (newline-delimited over TCP 1705)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from typing import Any

from cache.timeouts import within

MAX_LINE = 4 * 1024 * 1024  # a Server.GetStatus of a big house is a few hundred KiB at most

Notification = Callable[[str, dict[str, Any]], None]


class RpcError(Exception):
    """snapserver answered a request with an error object, or the connection went away."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class RpcConnection:
    """One open control connection: requests wait for their answers, notifications go to a sink.

    `read_loop()` must run while the connection is in use; it ends when snapserver hangs up, and
    every request still waiting then fails with RpcError (none is left waiting for ever)."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        on_notification: Notification,
        timeout: float,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._on_notification = on_notification
        self._timeout = timeout
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}

    @classmethod
    async def open(
        cls, host: str, port: int, on_notification: Notification, answer_within: float = 5.0
    ) -> RpcConnection:
        reader, writer = await within(
            asyncio.open_connection(host, port, limit=MAX_LINE), answer_within
        )
        return cls(reader, writer, on_notification, answer_within)

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Send one request and wait (bounded) for its result."""
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        message: dict[str, Any] = {"id": request_id, "jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        try:
            self._writer.write(json.dumps(message).encode() + b"\r\n")
            await within(self._writer.drain(), self._timeout)
            return await within(future, self._timeout)
        except (OSError, TimeoutError) as err:
            raise RpcError(f"{method}: {err or 'timed out'}") from err
        finally:
            self._pending.pop(request_id, None)

    async def read_loop(self) -> None:
        """Read answers and notifications until snapserver closes the connection."""
        try:
            while line := await self._reader.readline():
                self._dispatch(line)
        except (OSError, ValueError) as err:  # ValueError: a line past MAX_LINE
            self._fail_pending(f"connection lost: {err}")
            raise RpcError(f"connection lost: {err}") from err
        self._fail_pending("snapserver closed the connection")

    def _dispatch(self, line: bytes) -> None:
        try:
            message = json.loads(line)
        except ValueError:
            return  # not ours to judge; snapserver never sends junk on its own
        for item in message if isinstance(message, list) else [message]:
            if isinstance(item, dict):
                self._handle(item)

    def _handle(self, message: dict[str, Any]) -> None:
        if "method" in message and "id" not in message:
            params = message.get("params")
            self._on_notification(
                str(message["method"]), params if isinstance(params, dict) else {}
            )
            return
        future = self._pending.get(message.get("id", -1))
        if future is None or future.done():
            return
        error = message.get("error")
        if isinstance(error, dict):
            future.set_exception(RpcError(str(error.get("message")), error.get("code")))
        else:
            future.set_result(message.get("result"))

    def _fail_pending(self, reason: str) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(RpcError(reason))

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            await within(self._writer.wait_closed(), self._timeout)
