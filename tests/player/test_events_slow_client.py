"""A WebSocket client that stops reading is cut off at once, with one log line (issue 13 item 17)."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import socket
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from player.web.keys import SERVICES
from tests.polling import until

Client = TestClient[Any, Any]


def _handshake(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a phone on a bad link
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    assert sock.recv(4096).startswith(b"HTTP/1.1 101")
    return sock


async def _closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(within):
        while True:
            try:
                if not await loop.sock_recv(sock, 1 << 20):
                    return True
            except ConnectionResetError:
                return True


async def test_a_client_that_stops_reading_is_cut_off(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    svc = client.app[SERVICES]
    sock = await asyncio.to_thread(_handshake, client.port)
    try:
        await until(lambda: svc.bus.subscriber_count == 1)
        with caplog.at_level(logging.INFO):
            for n in range(4000):
                svc.bus.publish({"type": "message", "text": f"{n:06d}" + "x" * 2000})
                if n % 50 == 0:
                    await asyncio.sleep(0)  # let the writer fill every buffer there is
            assert await _closed_by_server(sock, within=5.0)
            await asyncio.sleep(0.2)
    finally:
        sock.close()
    assert svc.bus.subscriber_count == 0
    behind = [r for r in caplog.records if "fell behind" in r.getMessage()]
    assert len(behind) == 1, [r.getMessage() for r in caplog.records]
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
