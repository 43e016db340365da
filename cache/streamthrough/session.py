"""One track being streamed through: its growing file, read by whoever plays it.

The download job writes the `.part` file and renames it into place when it is whole; an open
descriptor follows the rename, and also an eviction once the bytes are complete (an unlinked
file stays readable), so a reader never misses a byte. A part that was unlinked before it was
whole was started over (the file changed on the server): the reader opens the new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cache.downloads.models import DownloadId, Origin
from cache.models import ItemId
from cache.timeouts import woken

POLL = 0.25  # seconds between looks at the file while waiting (progress events wake it sooner)


@dataclass(slots=True)
class StreamSession:
    """What is known of one streamed track; used from the event loop only."""

    item_id: ItemId
    download_id: DownloadId
    origin: Origin
    size: int
    duration: float
    mime_type: str
    part: Path
    final: Path
    opened_at: float = field(default_factory=time.monotonic)
    last_seen: float = field(default_factory=time.monotonic)
    readers: int = 0
    complete: bool = False
    failed: bool = False  # the download gave up; a waiting reader asks for it again
    gone: bool = False  # cancelled or deleted by a person: no more bytes will come
    keep: bool = True  # decided when the bytes are complete (the gate's rule for copies)
    grew: asyncio.Event = field(default_factory=asyncio.Event)
    _fd: int | None = None

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Count one reader for the length of a `with` block (an idle session ends)."""
        self.readers += 1
        try:
            yield
        finally:
            self.readers -= 1
            self.last_seen = time.monotonic()

    def available(self) -> int:
        """Bytes that can be read now, from the start of the file."""
        fd = self._open()
        if fd is None:
            return 0
        st = os.fstat(fd)
        if st.st_nlink == 0 and not self.complete:  # started over under a new part file
            self.close()
            fd = self._open()
            st = os.fstat(fd) if fd is not None else st
        return min(st.st_size, self.size) if fd is not None else 0

    def read(self, offset: int, length: int) -> bytes:
        """Up to `length` bytes at `offset` that are there now (b"" when none are)."""
        have = self.available() - offset
        if have <= 0 or self._fd is None:
            return b""
        return os.pread(self._fd, min(length, have), offset)

    async def wait(self, offset: int, length: int, limit: float) -> bytes:
        """The bytes at `offset`, waiting up to `limit` seconds for the first of them to arrive;
        b"" when none came (or none ever will)."""
        deadline = time.monotonic() + limit
        while True:
            chunk = self.read(offset, length)
            if chunk or self.gone or (self.complete and offset >= self.available()):
                return chunk
            left = deadline - time.monotonic()
            if left <= 0:
                return b""
            self.grew.clear()
            await woken(self.grew, min(POLL, left))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> int | None:
        if self._fd is not None:
            return self._fd
        for path in (self.part, self.final):
            with contextlib.suppress(FileNotFoundError):
                self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
                return self._fd
        return None
