"""The bounded HTTP listener (player/web/server.py) on a small app: limits, timeouts, log throttle."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from player.web.listener import start_http
from player.web.middleware import error_middleware
from player.web.server import ServerLimits, client_key
from player.web.spec import Field, read_body
from player.web.throttle import LogThrottle
from tests.integration.service import free_port

HALF_HEAD = b"GET / HTTP/1.1\r\nHost: localhost\r\n"


async def _hello(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def _echo(request: web.Request) -> web.Response:
    return web.json_response(await read_body(request, (Field("x", "integer"),)))


@pytest.fixture
async def port() -> AsyncIterator[int]:
    app = web.Application(middlewares=[error_middleware])
    app.router.add_get("/", _hello)
    app.router.add_post("/echo", _echo)
    number = free_port()
    limits = ServerLimits(
        max_connections=4, per_client=2, header_timeout=0.5, body_timeout=0.5, fd_reserve=0
    )
    runner = await start_http(app, "127.0.0.1", number, limits)
    yield number
    await runner.cleanup()


async def _closed(reader: asyncio.StreamReader, within: float = 5.0) -> bool:
    async with asyncio.timeout(within):
        return await reader.read() == b""


async def _half_open(
    port: int, source: str = "127.0.0.1"
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    writer.write(HALF_HEAD)
    await writer.drain()
    return reader, writer


async def _get(port: int, source: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    writer.write(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    try:
        async with asyncio.timeout(5):
            return await reader.read()
    finally:
        writer.close()


async def test_a_client_past_its_share_is_refused(port: int) -> None:
    held = [await _half_open(port) for _ in range(2)]
    third, writer = await _half_open(port)
    assert await _closed(third)
    writer.close()
    assert (await _get(port, "127.0.0.2")).startswith(b"HTTP/1.1 200")  # another client gets in
    for _, w in held:
        w.close()


async def test_a_light_client_gets_in_when_every_connection_is_taken(port: int) -> None:
    held = [await _half_open(port, "127.0.0.3") for _ in range(2)]
    held += [await _half_open(port, "127.0.0.4") for _ in range(2)]
    assert (await _get(port, "127.0.0.5")).startswith(b"HTTP/1.1 200")
    for _, w in held:
        w.close()


async def test_a_head_never_finished_is_closed_after_the_header_timeout(port: int) -> None:
    reader, writer = await _half_open(port)
    assert await _closed(reader)
    writer.close()


async def test_aiohttp_parser_errors_are_the_error_object(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"NOT HTTP AT ALL\r\n\r\n")
    async with asyncio.timeout(5):
        answer = await reader.read()
    writer.close()
    assert answer.split(b" ", 2)[1] == b"400"
    assert b'{"error": {"code": "bad_request"' in answer


def test_throttle_lets_a_burst_through_then_counts(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    throttle = LogThrottle(interval=60.0, burst=2, clock=lambda: now[0])
    logger = logging.getLogger("test.throttle")
    with caplog.at_level(logging.INFO, "test.throttle"):
        for _ in range(10):
            throttle.log(logger, logging.INFO, "k", "refused %s", "x")
        now[0] = 61.0
        throttle.log(logger, logging.INFO, "k", "refused %s", "x")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["refused x", "refused x", "refused x (8 more like this not logged)"]


async def test_a_body_that_never_arrives_is_a_408(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"x": '
    )
    async with asyncio.timeout(5):
        answer = await reader.read()
    writer.close()
    assert answer.split(b" ", 2)[1] == b"408"
    assert b'"request_timeout"' in answer


async def test_a_body_that_arrives_is_read(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = b'{"x": 3}'
    writer.write(
        b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    async with asyncio.timeout(5):
        answer = await reader.read()
    writer.close()
    assert answer.split(b" ", 2)[1] == b"200" and answer.endswith(b'{"x": 3}')


def test_client_key_groups_what_one_client_can_choose() -> None:
    assert client_key("192.168.1.20") == "192.168.1.20"
    assert client_key("::ffff:192.168.1.20") == "192.168.1.20"
    assert (
        client_key("2001:db8:1:2:aaaa::1")
        == client_key("2001:db8:1:2:bbbb::2")
        == "2001:db8:1:2::/64"
    )
    assert client_key("fe80::1%eth0") == "fe80::/64"
    assert client_key("::1") == "::1"
    assert client_key("") == ""
