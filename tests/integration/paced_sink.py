"""A sound card for mpv's `pcm:` output: a FIFO drained in real time, as a card plays.

mpv renders to a file as fast as it can decode, so a render alone cannot show a stall. Pointed
at this FIFO it blocks once the pipe is full and plays at the card's pace; each tick takes what a
card would play then, and what mpv had not supplied in time is counted as silence, the way a
card underruns. Only the time between a render's first and last bytes counts.

    sink = PacedSink(tmp_path / "out.fifo", bytes_per_second=32_000)
    sink.start()        # before the service opens it
    ...
    sink.stop()
    render = sink.renders[0]          # bytes and silent seconds of the first render (one per open)
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TICK = 0.02  # seconds between two looks, as a card's period


@dataclass
class Render:
    """What one open of the FIFO by mpv delivered."""

    data: bytearray = field(default_factory=bytearray)
    silent_ticks: list[float] = field(default_factory=list)  # seconds missing, per tick
    silence_at: list[int] = field(default_factory=list)  # len(data) when each shortfall happened

    @property
    def silent_seconds(self) -> float:
        """Seconds the card went without audio between the first and the last bytes."""
        end = len(self.data)
        return sum(s for s, at in zip(self.silent_ticks, self.silence_at, strict=True) if at < end)


class PacedSink:
    """Reads `path` (made here as a FIFO) at `bytes_per_second` in a thread of its own."""

    def __init__(self, path: Path, bytes_per_second: int) -> None:
        self.path = path
        self.rate = bytes_per_second
        self.renders: list[Render] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="paced-sink", daemon=True)

    def start(self) -> None:
        os.mkfifo(self.path)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5.0)

    def _run(self) -> None:
        # Non-blocking: the open needs no writer, and a read tells "no data yet" (EAGAIN) from
        # "mpv closed its output" (end of file).
        fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            self._drain(fd)
        finally:
            os.close(fd)

    def _drain(self, fd: int) -> None:
        render: Render | None = None
        last = time.monotonic()
        while not self._stop.wait(TICK):
            now = time.monotonic()
            owed = int(self.rate * (now - last))
            last = now
            try:
                chunk = os.read(fd, max(owed, 1))
            except BlockingIOError:
                chunk = None  # mpv has it open and gave nothing: a shortfall once it has begun
            if chunk == b"":
                render = None  # closed: the next data is a render of its own
                continue
            got = chunk or b""
            if render is None and got:
                render = Render()
                self.renders.append(render)
            if render is None:
                continue
            render.data += got
            if len(got) < owed and render.data:
                render.silent_ticks.append((owed - len(got)) / self.rate)
                render.silence_at.append(len(render.data))
