"""The MPD wire format: splitting a command line into arguments, ACK errors, answer lines."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum

PROTOCOL_VERSION = "0.23.0"
GREETING = f"OK MPD {PROTOCOL_VERSION}\n".encode()


class AckCode(IntEnum):
    """MPD's error numbers (src/protocol/Ack.hxx)."""

    NOT_LIST = 1
    ARG = 2
    PASSWORD = 3
    PERMISSION = 4
    UNKNOWN = 5
    NO_EXIST = 50
    PLAYLIST_MAX = 51
    SYSTEM = 52
    PLAYLIST_LOAD = 53
    UPDATE_ALREADY = 54
    PLAYER_SYNC = 55
    EXIST = 56


class AckError(Exception):
    """A command failed; becomes `ACK [code@index] {command} message`."""

    def __init__(self, code: AckCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def ack_line(err: AckError, list_index: int, command: str) -> bytes:
    message = err.message.replace("\n", " ")
    return f"ACK [{int(err.code)}@{list_index}] {{{command}}} {message}\n".encode()


def split_args(line: str) -> list[str]:
    """MPD's tokenizer: words, or double-quoted strings with backslash escapes."""
    words: list[str] = []
    i, n = 0, len(line)
    while i < n:
        if line[i] in " \t":
            i += 1
            continue
        if line[i] == '"':
            word, i = _quoted(line, i + 1)
        else:
            start = i
            while i < n and line[i] not in " \t":
                if line[i] == '"':
                    raise AckError(AckCode.ARG, "Invalid unquoted character")
                i += 1
            word = line[start:i]
        words.append(word)
    return words


def _quoted(line: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == "\\" and i + 1 < n:
            out.append(line[i + 1])
            i += 2
        elif ch == '"':
            if i + 1 < n and line[i + 1] not in " \t":
                raise AckError(AckCode.ARG, "Space expected after closing '\"'")
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise AckError(AckCode.ARG, "Missing closing '\"'")


def quote(value: str) -> str:
    """An argument as a client would send it (for filters built from values)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Answer:
    """The lines (and binary parts) of one command's answer, before the final OK."""

    parts: list[bytes] = field(default_factory=list)
    size: int = 0
    sink: Callable[[bytes], Awaitable[None]] | None = None  # where `pace` sends what is ready
    flush_at: int = 64 * 1024

    async def pace(self) -> None:
        """Between the pieces of a long answer: send what is ready, let other clients run."""
        if self.sink is not None and self.size >= self.flush_at:
            await self.sink(self.take())
        else:
            await asyncio.sleep(0)

    def add(self, key: str, value: object) -> None:
        self.append(f"{key}: {value}\n".encode())

    def pairs(self, items: Iterable[tuple[str, object]]) -> None:
        for key, value in items:
            self.add(key, value)

    def append(self, chunk: bytes) -> None:
        self.parts.append(chunk)
        self.size += len(chunk)

    def binary(self, data: bytes) -> None:
        self.add("binary", len(data))
        self.append(data + b"\n")

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def parse_range(text: str, length: int | None = None) -> tuple[int, int]:
    """`POS` or `START:END` (END may be empty: to the end); END is exclusive."""
    start_text, colon, end_text = text.partition(":")
    start = parse_int(start_text)
    if not colon:
        return start, start + 1
    end = parse_int(end_text) if end_text else (length if length is not None else 2**31)
    if start < 0 or end < start:
        raise AckError(AckCode.ARG, "Bad range")
    return start, end


def parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise AckError(AckCode.ARG, f"Integer expected: {text}") from None


def parse_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise AckError(AckCode.ARG, f"Float expected: {text}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise AckError(AckCode.ARG, f"Float expected: {text}")
    return value


def parse_bool(text: str) -> bool:
    if text not in ("0", "1"):
        raise AckError(AckCode.ARG, f"Boolean (0/1) expected: {text}")
    return text == "1"
