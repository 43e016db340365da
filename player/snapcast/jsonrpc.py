"""JSON-RPC 2.0 framing for the controlscript plug-in: snapserver writes one request per line on
our stdin and reads answers and notifications, one per line, from our stdout.

Everything here is pure: bytes in, messages out. A line that is not a request (not JSON, not an
object, no method, over the size limit) becomes an error answer, never an exception: snapserver
logs what it gets, and a plug-in that died on a stray line would take `Stream.Control` with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

MAX_LINE = 64 * 1024  # snapserver's requests are a few hundred bytes
JSONRPC = "2.0"
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
SERVER_ERROR = -32000  # tapedeck refused or is unreachable

RequestId = int | str | None


@dataclass(frozen=True, slots=True)
class Request:
    id: RequestId  # None for a notification (snapserver sends none to plug-ins, but it is legal)
    method: str
    params: dict[str, Any]


class RpcError(Exception):
    """A request that cannot be done; answered as a JSON-RPC error with this code and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that is no request, with the error answer it earns (id when one could be read)."""

    id: RequestId
    error: RpcError


def parse_line(line: bytes) -> Request | BadLine:
    """One line from snapserver, as a request or as the reason it is not one."""
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        return BadLine(None, RpcError(PARSE_ERROR, f"not JSON: {err}"))
    if not isinstance(message, dict):
        return BadLine(None, RpcError(INVALID_REQUEST, "a request is a JSON object"))
    raw_id = message.get("id")
    request_id = raw_id if isinstance(raw_id, int | str) and not isinstance(raw_id, bool) else None
    method = message.get("method")
    if not isinstance(method, str) or not method:
        return BadLine(request_id, RpcError(INVALID_REQUEST, "a request needs a method"))
    params = message.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        return BadLine(request_id, RpcError(INVALID_PARAMS, "params must be an object"))
    return Request(request_id, method, params)


def result_line(request_id: RequestId, result: Any) -> bytes:
    return _line({"jsonrpc": JSONRPC, "id": request_id, "result": result})


def error_line(request_id: RequestId, error: RpcError) -> bytes:
    body = {"code": error.code, "message": error.message}
    return _line({"jsonrpc": JSONRPC, "id": request_id, "error": body})


def notification_line(method: str, params: dict[str, Any] | None = None) -> bytes:
    message: dict[str, Any] = {"jsonrpc": JSONRPC, "method": method}
    if params is not None:
        message["params"] = params
    return _line(message)


def _line(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


@dataclass(slots=True)
class LineSplitter:
    """Cuts stdin's bytes into lines of at most `limit` bytes. A longer line is dropped whole, up to
    its newline, and reported once as too long: its tail must not be read as a line of its own."""

    limit: int = MAX_LINE
    _partial: bytearray = field(default_factory=bytearray)
    _skipping: bool = False

    def feed(self, chunk: bytes) -> list[bytes | None]:
        """The complete lines in `chunk` (with what came before it); None marks a dropped line."""
        out: list[bytes | None] = []
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            self._take(chunk[start:end], out)
            if not self._skipping:
                line = bytes(self._partial).strip()
                if line:
                    out.append(line)
            self._partial.clear()
            self._skipping = False
            start = end + 1
        self._take(chunk[start:], out)
        return out

    def _take(self, piece: bytes, out: list[bytes | None]) -> None:
        if self._skipping:
            return
        if len(self._partial) + len(piece) > self.limit:
            self._partial.clear()
            self._skipping = True
            out.append(None)
            return
        self._partial += piece


def too_long() -> RpcError:
    return RpcError(INVALID_REQUEST, f"line longer than {MAX_LINE} bytes, dropped")
