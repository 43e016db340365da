"""The source role's relay on its own: it waits (never blocks mpv's writer or the loop) while nobody
reads the fifo, says why, and carries every byte through once a reader comes (issue 19)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from player.snapcast.relay import FeedChanged, FeedState, FifoRelay, RelayTimings
from tests.polling import until


async def test_waits_for_the_fifo_then_carries_every_byte(tmp_path: Path) -> None:
    fifo = tmp_path / "stream.fifo"
    relay = FifoRelay(fifo, RelayTimings(retry=0.02, stall=0.2, tick=0.02))
    told: list[FeedChanged] = []
    relay.add_listener(told.append)
    task = asyncio.create_task(relay.run())
    writer = os.open(relay.mpv_path, os.O_WRONLY)  # what mpv's pcm output does
    payload = bytes(range(256)) * 1024  # 256 KiB: more than the pipes hold
    try:
        await until(lambda: [e.state for e in told] == [FeedState.WAITING])
        assert "does not exist" in told[0].reason
        os.write(writer, payload[:32768])  # mpv writes on while nobody reads: held, not blocked
        os.mkfifo(fifo)
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        received = bytearray()

        async def pump_rest() -> None:
            await asyncio.to_thread(os.write, writer, payload[32768:])

        rest = asyncio.create_task(pump_rest())
        for _ in range(2000):
            try:
                chunk = os.read(reader, 65536)
            except BlockingIOError:
                chunk = b""
            received += chunk
            if not chunk:  # nothing yet (b"" too: the relay may not have opened it yet)
                await asyncio.sleep(0.005)
            if len(received) >= len(payload):
                break
        await rest
        assert bytes(received) == payload
        assert told[-1].state is FeedState.FLOWING
        os.close(reader)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        relay.close()
        os.close(writer)


async def test_a_plain_file_is_never_written(tmp_path: Path) -> None:
    fifo = tmp_path / "stream.fifo"
    fifo.write_bytes(b"")
    relay = FifoRelay(fifo, RelayTimings(retry=0.02, stall=0.2, tick=0.02))
    told: list[FeedChanged] = []
    relay.add_listener(told.append)
    task = asyncio.create_task(relay.run())
    try:
        await until(lambda: bool(told))
        assert told[0].state is FeedState.WAITING and "not a fifo" in told[0].reason
        assert fifo.read_bytes() == b""
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        relay.close()
