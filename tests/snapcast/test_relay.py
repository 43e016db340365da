"""The source role's relay on its own: it waits (never blocks mpv's writer or the loop) while nobody
reads the fifo, says why, and carries every byte through once a reader comes (issue 19)."""

from __future__ import annotations

import asyncio
import contextlib
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


async def test_paces_mpv_by_holding_it_never_by_a_full_pipe(tmp_path: Path) -> None:
    # mpv's pcm output writes while holding its audio lock: a write blocked on a full pipe stalls
    # mpv's core and every command the loop sends. So the relay takes every write at once and
    # asks for a hold while the stream is far ahead, and a release once snapserver has read it.
    fifo = tmp_path / "stream.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    timings = RelayTimings(retry=0.02, stall=5.0, tick=0.02, ahead_high=96_000, ahead_low=48_000)
    relay = FifoRelay(fifo, timings)
    holds: list[bool] = []
    relay.set_pacer(holds.append)
    task = asyncio.create_task(relay.run())
    writer = os.open(relay.mpv_path, os.O_WRONLY)
    try:
        payload = bytes(range(256)) * 2048  # 512 KiB: more than the fifo and the pipes hold
        # Nobody reads the fifo yet: every byte is taken all the same (the hold comes instead).
        await asyncio.wait_for(asyncio.to_thread(os.write, writer, payload), 60)
        await until(lambda: holds == [True])
        received = bytearray()

        def drained() -> bool:
            with contextlib.suppress(BlockingIOError):
                received.extend(os.read(reader, 65536))
            return holds == [True, False] and len(received) == len(payload)

        await until(drained)
        assert bytes(received) == payload
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        relay.close()
        os.close(writer)
        os.close(reader)
