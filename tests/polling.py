"""Bounded polling for tests: wait for a condition without ever asserting a wall-clock time.

The one place tests wait for something to come true. `until` is for coroutines (the check may be
plain or async); `until_sync` is for tests that drive a subprocess or a thread from plain code.
Both return what the check returned, so a test can wait for a value and use it.
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def until(
    condition: Callable[[], T | None] | Callable[[], Awaitable[T | None]],
    *,
    tries: int = 500,
    step: float = 0.01,
    what: str = "condition never held",
) -> T:
    """Call `condition` every `step` seconds, at most `tries` times, until it returns something
    truthy, which is returned; AssertionError(what) if it never does."""
    for _ in range(tries):
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result  # type: ignore[return-value]
        await asyncio.sleep(step)
    raise AssertionError(what)


def until_sync(
    condition: Callable[[], T | None],
    *,
    timeout: float = 10.0,
    step: float = 0.1,
    what: str = "condition never held",
) -> T:
    """Blocking form for subprocess and thread tests: `timeout` seconds at most."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(what)
        time.sleep(step)


def wait_port(port: int, *, timeout: float = 20.0, step: float = 0.05) -> float:
    """Wait until 127.0.0.1:port accepts a connection; returns the seconds it took."""
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return time.perf_counter() - started
        except OSError:
            time.sleep(step)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")
