"""Writing a `.part` file: plain `os.write` on an fd, injectable so tests can fill the disk.

Writes happen on the event loop thread: they land in the page cache and take microseconds for the
chunk sizes used, and a thread hop per chunk would cost more CPU than the write. Only `fsync`, which
can block for seconds on an SD card, runs in a worker thread (`fsync_file`, called by the manager).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from cache.gate import DATABASE_ROOM


class PartWriter(Protocol):
    """An open partial file, positioned at its end."""

    def write(self, data: bytes) -> None:
        """Append all of `data` (raises OSError, e.g. ENOSPC)."""
        ...

    def truncate(self, size: int) -> None:
        """Cut the file to `size` bytes and continue writing there."""
        ...

    def close(self) -> None: ...


WriterFactory = Callable[[Path, int], PartWriter]
"""Open `path` for writing at `offset`, cutting anything beyond it (creating the file if needed)."""


# A write that would leave less than the databases' room (cache/gate.py, where the gate counts
# it in the floor too) fails like a full disk: the download pauses with a clean part file.


class OsPartWriter:
    """The real writer over a raw file descriptor (no Python-level buffering to copy through)."""

    def __init__(self, path: Path, offset: int, keep_free: int = DATABASE_ROOM) -> None:
        self._keep_free = keep_free
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            self.truncate(offset)
        except BaseException:
            os.close(self._fd)
            raise

    def write(self, data: bytes) -> None:
        if self._keep_free:
            st = os.fstatvfs(self._fd)  # microseconds: cheap next to the write itself
            if st.f_bavail * st.f_frsize - len(data) < self._keep_free:
                raise OSError(errno.ENOSPC, "the disk is full (room kept for the databases)")
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def truncate(self, size: int) -> None:
        os.ftruncate(self._fd, size)
        os.lseek(self._fd, size, os.SEEK_SET)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def open_part(path: Path, offset: int) -> PartWriter:
    """The default `WriterFactory`."""
    return OsPartWriter(path, offset)


def fsync_file(path: Path) -> None:
    """Flush a finished file's data to stable storage before it is renamed into place."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
