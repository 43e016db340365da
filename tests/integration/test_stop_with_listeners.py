"""The real service stops cleanly while events clients are connected (an open phone page, the
Snapcast plug-in that is always connected): their sockets are ended first, so the stop is not held
past its limit and the parts' clean-up (the last checkpoint) runs instead of being cut short."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from tests.integration.service import ServiceProcess


async def read_until_closed(ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMsgType:
    """Keep reading, as a page does, so the close frame is answered when it comes."""
    for _ in range(10_000):
        message = await ws.receive(timeout=60)
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            return message.type
    raise AssertionError("the events socket was never closed")


async def test_a_stop_ends_open_event_streams_then_cleans_up(tmp_path: Path) -> None:
    deck = ServiceProcess(tmp_path / "deck")
    await asyncio.to_thread(deck.start)
    try:
        async with aiohttp.ClientSession() as session:
            url = f"{deck.base_url}/api/v1/events"
            async with session.ws_connect(url) as first, session.ws_connect(url) as second:
                for ws in (first, second):
                    assert (await ws.receive_json(timeout=30))["type"] == "snapshot"
                readers = [asyncio.create_task(read_until_closed(ws)) for ws in (first, second)]
                code = await asyncio.to_thread(deck.stop)
                await asyncio.gather(*readers)
        assert code == 0
        log = deck.log_path.read_text(encoding="utf-8")
        assert "clean-up took longer" not in log, deck.log_tail()
        assert "the queue and the play position are saved" in log, deck.log_tail()
        assert "Traceback" not in log, deck.log_tail()
    finally:
        deck.kill()
