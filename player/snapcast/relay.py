"""The source role's audio path: mpv writes raw PCM into a pipe tapedeck holds, and this relay
carries it into snapserver's fifo, on a thread of its own (a blocking copy is an edge, and mpv's
output must never wait on the event loop: the loop itself waits on mpv's commands).

mpv is paced by pausing it (`hold`), never by a full pipe: mpv's pcm output writes while holding
its audio lock, so a write blocked on the pipe stalled mpv's core, and with it every command the
loop sends (half a second on average, 1.6 s at worst), until a short track could end before the
next one was queued. So the relay always takes what mpv writes, and asks for a hold while the
stream is more than `ahead_high` bytes ahead of snapserver's reading, a release below `ahead_low`.

When snapserver stops reading (not started yet, restarted, fifo full) the relay keeps taking mpv's
audio into a holding buffer and says so; the service then pauses playback, so mpv never blocks
for long and the event loop never hangs on it. When snapserver reads again the held audio goes
first and the service resumes: nothing mpv wrote is dropped, so the joins stay sample-exact."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import logging
import os
import select
import stat
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

log = logging.getLogger(__name__)
CHUNK = 64 * 1024


class FeedState(StrEnum):
    FLOWING = "flowing"
    WAITING = "waiting"


@dataclass(frozen=True, slots=True)
class FeedChanged:
    """The stream's feed started flowing or had to wait (and why)."""

    state: FeedState
    reason: str


@dataclass(frozen=True, slots=True)
class RelayTimings:
    retry: float = 0.1  # between attempts to open the fifo
    stall: float = 1.0  # a fifo that takes nothing this long counts as not read
    tick: float = 0.1  # the thread looks at its stop flag at least this often
    # Bytes ahead of snapserver's reading (held here and in its fifo): past `ahead_high` mpv is
    # held, below `ahead_low` released. mpv writes up to 1.37 s (65536 frames) at a time; the low
    # mark leaves mpv three quarters of a second to write again on a loaded machine.
    ahead_high: int = 240_000  # 1.25 s of 48000:16:2
    ahead_low: int = 144_000
    # Past this nothing more is taken from mpv (its writes then block: the pause lands first).
    hold_bytes: int = 16 * 1024 * 1024  # ~87 s of 48000:16:2


class FifoReplacedError(OSError):
    """The path now names another fifo (or none): the open one must be let go."""


class FifoRelay:
    """Owns the pipe mpv writes into (`mpv_path`) and copies it into `fifo` while `run()` runs;
    `close()` releases the pipe so a writing mpv gets EPIPE, never hangs."""

    def __init__(self, fifo: Path, timings: RelayTimings | None = None) -> None:
        self._fifo = fifo
        self._timings = timings or RelayTimings()
        self._read_fd, self._write_fd = os.pipe()
        self._held = bytearray()  # read from mpv, not yet taken by snapserver
        self._stop = threading.Event()
        self._listeners: list[Callable[[FeedChanged], None]] = []
        self._pacer: Callable[[bool], None] = _no_pacer
        self._holding = False  # the last hold asked of the pacer
        self._loop: asyncio.AbstractEventLoop | None = None
        self.state: FeedState | None = None
        self.bytes_sent = 0

    @property
    def mpv_path(self) -> str:
        """The path mpv's pcm output opens: a second handle on our pipe's write end."""
        return f"/proc/{os.getpid()}/fd/{self._write_fd}"

    def add_listener(self, listener: Callable[[FeedChanged], None]) -> None:
        """Called on the event loop at each change of state."""
        self._listeners.append(listener)

    def set_pacer(self, pacer: Callable[[bool], None]) -> None:
        """`pacer(True)` holds mpv's output, `pacer(False)` releases it; called on the relay's
        thread (a release must not wait for a busy loop: snapserver would run dry)."""
        self._pacer = pacer

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        thread = threading.Thread(target=self._copy_threaded, name="snapcast-relay", daemon=True)
        self._stop.clear()
        thread.start()
        try:
            # The thread's whole life, waited for off the loop (it ends only when stopped or broken).
            await asyncio.to_thread(thread.join)
        finally:
            self._stop.set()
        raise RuntimeError("the snapcast relay thread ended")

    def _copy_threaded(self) -> None:
        try:
            self._copy()
        except OSError:
            if not self._stop.is_set():  # close() sets it before it takes the pipe away
                log.exception("the snapcast relay failed")
                raise

    def _copy(self) -> None:
        while not self._stop.is_set():
            fd = self._open_fifo()
            if fd is None:
                return
            try:
                self._pump(fd)
            except OSError as err:  # the fifo replaced or broken: snapserver went away
                if self._stop.is_set():
                    return  # close() took the pipe away: the end, not snapserver's doing
                self._tell(FeedState.WAITING, f"snapserver stopped reading ({err})")
            finally:
                os.close(fd)

    def _open_fifo(self) -> int | None:
        while not self._stop.is_set():
            try:
                # Read-write: snapserver opens its pipe only for a moment at a time while nothing
                # comes, so a write-only open would miss it or block; read-write never blocks, and
                # the kernel holds what we write until snapserver reads it.
                fd = os.open(self._fifo, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError as err:
                if err.errno not in (errno.ENOENT, errno.EACCES, errno.ENXIO):
                    raise
                self._tell(FeedState.WAITING, _why_not_open(err, self._fifo))
                self._take_from_mpv(self._timings.retry)
                continue
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                return fd
            os.close(fd)  # a plain file where the fifo should be: never write audio into it
            self._tell(FeedState.WAITING, f"{self._fifo} is not a fifo")
            self._take_from_mpv(self._timings.retry)
        return None

    def _pump(self, fd: int) -> None:
        last_progress = time.monotonic()
        while not self._stop.is_set():
            readers = [self._read_fd] if len(self._held) < self._timings.hold_bytes else []
            writers = [fd] if self._held else []
            ready_r, ready_w, _ = select.select(readers, writers, [], self._timings.tick)
            if ready_r:
                self._held += os.read(self._read_fd, CHUNK)
            if ready_w:
                written = _write_some(fd, self._held)
                del self._held[:written]
                self.bytes_sent += written
                if written:
                    last_progress = time.monotonic()
                    self._tell(FeedState.FLOWING, "snapserver is reading the stream")
            self._pace(len(self._held) + _queued_in(fd))
            if self._held and time.monotonic() - last_progress > self._timings.stall:
                self._tell(FeedState.WAITING, "snapserver is not reading the stream")
                self._check_same_fifo(fd)

    def _take_from_mpv(self, seconds: float) -> None:
        """While there is no fifo, hold what mpv writes (up to the cap) rather than block it."""
        if len(self._held) >= self._timings.hold_bytes:
            time.sleep(seconds)
            return
        ready, _, _ = select.select([self._read_fd], [], [], seconds)
        if ready:
            self._held += os.read(self._read_fd, CHUNK)
        self._pace(len(self._held))

    def _pace(self, ahead: int) -> None:
        mark = self._timings.ahead_low if self._holding else self._timings.ahead_high
        hold = ahead > mark
        if hold != self._holding and not self._stop.is_set():
            self._holding = hold
            self._pacer(hold)

    def _check_same_fifo(self, fd: int) -> None:
        """A restarted snapserver may have made a new fifo at the path: ours then leads nowhere."""
        try:
            current = self._fifo.stat()
        except FileNotFoundError as err:
            raise FifoReplacedError("the fifo is gone") from err
        mine = os.fstat(fd)
        if (current.st_dev, current.st_ino) != (mine.st_dev, mine.st_ino):
            raise FifoReplacedError("snapserver made a new fifo")

    def _tell(self, state: FeedState, reason: str) -> None:
        if state == self.state or self._stop.is_set():
            return
        self.state = state
        log.info("snapcast stream: %s (%s)", state, reason)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._told, FeedChanged(state, reason))

    def _told(self, event: FeedChanged) -> None:
        for listener in self._listeners:
            listener(event)

    def close(self) -> None:
        self._stop.set()
        for fd in (self._read_fd, self._write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


def _no_pacer(hold: bool) -> None:
    """Until a pacer is set, mpv is paced by the pipe alone."""


def _queued_in(fd: int) -> int:
    """Bytes in the fifo that snapserver has not read yet."""
    return int.from_bytes(fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"), "little")


def _write_some(fd: int, data: bytearray) -> int:
    try:
        return os.write(fd, data[:CHUNK])
    except BlockingIOError:
        return 0


def _why_not_open(err: OSError, fifo: Path) -> str:
    if err.errno == errno.EACCES:
        return f"cannot write {fifo} (fs.protected_fifos: put it in tapedeck's own folder)"
    return f"{fifo} does not exist yet (snapserver creates it)"
