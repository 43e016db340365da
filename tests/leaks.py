"""The one guard that no test leaves a thread, an asyncio task or a socket behind it.

What a test leaves running outlives it silently: a task that keeps a download going, a thread that
holds a port, a socket that keeps a file descriptor. Each is counted before the test's own fixtures
are set up and again after all of them are torn down; what is new and still alive fails the test.
Session and module fixtures are set up before the baseline is taken, so they never count.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

# Threads that libraries start once per process and keep by design.
LONG_LIVED = ("asyncio_", "ThreadPoolExecutor", "aiosqlite", "zeroconf", "pydevd", "Dummy-")
SETTLE_SECONDS = 2.0  # threads and sockets close a moment after their owner's stop returns


def live_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.is_alive() and not t.name.startswith(LONG_LIVED)}


def open_sockets() -> set[str]:
    """The inodes of the process's socket descriptors."""
    found: set[str] = set()
    fds = Path("/proc/self/fd")
    for entry in fds.iterdir() if fds.is_dir() else ():
        try:
            target = str(entry.readlink())
        except OSError:  # closed while we looked
            continue
        if target.startswith("socket:["):
            found.add(target[len("socket:[") : -1])
    return found


def _tcp_sockets() -> dict[str, tuple[int, bool]]:
    """inode -> (local port, listening) for every TCP socket of this network namespace."""
    table: dict[str, tuple[int, bool]] = {}
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        lines = path.read_text().splitlines()[1:] if path.exists() else []
        for line in lines:
            fields = line.split()
            port = int(fields[1].rsplit(":", 1)[1], 16)
            table[fields[9]] = (port, fields[3] == "0A")
    return table


def served_ports(sockets: set[str]) -> set[int]:
    """The ports our own listening sockets serve (servers of wider-scoped fixtures, say)."""
    tcp = _tcp_sockets()
    return {tcp[i][0] for i in sockets if i in tcp and tcp[i][1]}


def new_sockets(before: set[str], served: set[int]) -> set[str]:
    """Sockets opened since `before`, less the connections a server that was already listening
    accepted (a module's fake server answering the service is not the test's leak)."""
    extra = open_sockets() - before
    if not extra:
        return extra
    tcp = _tcp_sockets()
    return {i for i in extra if not (i in tcp and not tcp[i][1] and tcp[i][0] in served)}


def settled(measure: Callable[[], set[T]], before: set[T]) -> set[T]:
    """What `measure` finds beyond `before`, after waiting (bounded) for it to go away."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while (extra := measure() - before) and time.monotonic() < deadline:
        gc.collect()  # a dropped transport closes its socket when collected
        time.sleep(0.05)
    return extra


async def pending_tasks(settle_rounds: int = 50) -> list[asyncio.Task[object]]:
    """Tasks of the running loop other than the caller that are not done, after letting
    cancellations that are already under way finish (bounded)."""
    current = asyncio.current_task()
    pending: list[asyncio.Task[object]] = []
    for _ in range(settle_rounds):
        pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        if not pending:
            break
        await asyncio.sleep(0.02)
    return pending
