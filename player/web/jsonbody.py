"""The one JSON body parser of the API: bounded in size, time, nesting and numbers.

Python's `json` module alone turns hostile bodies into 500s: 10,000 nested brackets exhaust the
recursion limit, `10**400` becomes an int no SQLite column or float can hold, `1e400` becomes
`inf`, and `NaN` is accepted although it is not JSON. Every route reads its body through here, so
each of those is a 400 (not JSON, or not within bounds of JSON we accept) or a 422 (valid JSON, a
value out of range) with the API's error object.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from player.web.errors import ApiError, bad_request, unprocessable

# JSON's numbers are doubles to every client that matters; past 2**53 integers stop being exact.
MAX_SAFE = 2**53
DEFAULT_BODY_BYTES = 64 * 1024
# The one larger limit, for the routes that take long id lists (POST /api/v1/queue's 10,000 ids:
# Jellyfin's are 32 characters, so 10,000 of them quoted and comma-separated are about 360 KB).
LIST_BODY_BYTES = 1024 * 1024
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


@dataclass(frozen=True, slots=True)
class BodyLimits:
    """How much a client may send: bytes, seconds to send them, and nesting depth."""

    max_bytes: int = DEFAULT_BODY_BYTES
    timeout: float = 15.0
    max_depth: int = 32


async def read_json(request: web.Request, limits: BodyLimits) -> Any:
    """The request's JSON value; {} for an absent or blank body (415/413/408/400/422 otherwise)."""
    if not request.body_exists:
        return {}
    if request.content_type != "application/json":
        raise ApiError(415, "the body must be JSON (Content-Type: application/json)")
    if request.content_length is not None and request.content_length > limits.max_bytes:
        raise ApiError(413, f"the body is larger than {limits.max_bytes} bytes")
    raw = await _read_bounded(request, limits)
    return parse_json(raw, limits.max_depth)


async def _read_bounded(request: web.Request, limits: BodyLimits) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(limits.timeout):
            while chunk := await request.content.read(limits.max_bytes + 1 - size):
                chunks.append(chunk)
                size += len(chunk)
                if size > limits.max_bytes:
                    raise ApiError(413, f"the body is larger than {limits.max_bytes} bytes")
    except TimeoutError as err:
        raise ApiError(408, f"the body did not arrive within {limits.timeout:g} s") from err
    return b"".join(chunks)


def parse_json(raw: bytes, max_depth: int = 32) -> Any:
    """Decode strict UTF-8 JSON with bounded depth and finite, safe numbers."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise bad_request(f"the body is not UTF-8 (byte {err.start} is invalid)") from err
    if not text.strip():
        return {}
    if _depth(text) > max_depth:
        raise bad_request(f"the body nests deeper than {max_depth} levels")
    try:
        return json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_not_json)
    except json.JSONDecodeError as err:
        raise bad_request(
            f"malformed JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from err


def _depth(text: str) -> int:
    """The deepest bracket nesting outside strings (counted before parsing, never recursively)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub('""', text))
    depth = deepest = 0
    for char in brackets:
        depth += 1 if char in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _int(literal: str) -> int:
    # Checked on the text: int() of thousands of digits is itself slow (and capped by Python).
    if len(literal.lstrip("-")) > 16 or abs(value := int(literal)) > MAX_SAFE:
        raise unprocessable(f"the number {literal[:24]} is out of range (at most 2**53)")
    return value


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value) or abs(value) > MAX_SAFE:
        raise unprocessable(f"the number {literal[:24]} is out of range (at most 2**53)")
    return value


def _not_json(literal: str) -> Any:
    raise bad_request(f"{literal} is not a JSON value")
