"""Room held for the state databases: a preallocated file given back when the card fills.

Downloads keep their distance from a full disk by themselves (gate.DATABASE_ROOM), but anything
else may fill the card: a log, another program, a copy made by hand. Then SQLite cannot save the
play position, and at the next start cannot even create its WAL file, and a device without a
keyboard would stay silent. The reserve is a file of `size` bytes beside the databases; it is
deleted the moment a database write fails for lack of room, or at a start on a card that is
already full, and made again once there is room to spare.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

RESERVE_NAME = "space-reserve"
RESERVE_BYTES = 2 * 1024 * 1024


class SpaceReserve:
    """The reserve file in the state folder (every method blocks briefly: plain file calls)."""

    def __init__(self, folder: Path, size: int = RESERVE_BYTES) -> None:
        self.path = folder / RESERVE_NAME
        self.size = size

    @property
    def held(self) -> bool:
        return self.path.is_file()

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.path.parent).free

    def settle(self) -> None:
        """At start, and now and then: give the room back when the card is full, take it again
        when there is twice as much to spare."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        free = self.free_bytes()
        if self.held and free < self.size:
            self.release("the card is full")
        elif not self.held and free >= 2 * self.size:
            self._make()

    async def run(self, interval: float, on_full: Callable[[bool], None]) -> None:
        """Settle every `interval` seconds for good, telling `on_full` whether the card is (nearly)
        full: too full to hold the reserve again."""
        while True:
            await asyncio.to_thread(self.settle)
            on_full(not self.held)
            await asyncio.sleep(interval)

    def release(self, why: str) -> bool:
        """Delete the reserve so the databases can write; False when there was none to give."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        log.warning("%s: released %d bytes kept for the databases", why, self.size)
        return True

    def _make(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".new")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            try:
                _allocate(fd, self.size)
            finally:
                os.close(fd)
            partial.replace(self.path)
        except OSError as err:
            partial.unlink(missing_ok=True)
            log.info("no room kept for the databases yet: %s", err)


def _allocate(fd: int, size: int) -> None:
    # Real blocks, not a sparse file: a hole frees nothing when it is deleted.
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError:
        block = b"\0" * (1 << 16)
        for _ in range(size // len(block)):
            os.write(fd, block)
