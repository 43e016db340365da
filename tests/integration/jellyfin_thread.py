"""A FakeJellyfin (tests/fakes/jellyfin.py) served from an event loop in a thread of its own.

The service under test is a subprocess and the tests drive it with blocking calls, so the fake needs
a loop that keeps running while the test waits. Unlike the browser tests' child process, a thread
leaves the fake's state in reach: the test reads `fake.downloads` and sets knobs like `fake.rate`
directly (plain attribute reads and writes; `call` runs anything bigger on the fake's loop).

    server = FakeJellyfinThread(fake)
    url = server.start()
    ...
    server.stop()      # the port closes: the server is now unreachable
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from tests.fakes.jellyfin import FakeJellyfin
from tests.integration.service import ServiceProcess

T = TypeVar("T")
TIMEOUT = 10.0


class FakeJellyfinThread:
    """Runs `fake` on 127.0.0.1 in a daemon thread; `stop()` closes it and joins the thread."""

    def __init__(self, fake: FakeJellyfin) -> None:
        self.fake = fake
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self, port: int = 0) -> str:
        """Serve the fake (at `port`: its old one after a stop, to play a server restart);
        returns its base URL."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="fake-jellyfin", daemon=True)
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self.fake.start(port), loop).result(TIMEOUT)

    def call(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the fake's loop (between its handlers) and return what it returns."""
        loop = self._require_loop()

        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), loop).result(TIMEOUT)

    def run(self, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Await `make()` on the fake's loop (e.g. sending on a socket) and return its result."""
        return asyncio.run_coroutine_threadsafe(make(), self._require_loop()).result(TIMEOUT)

    def stop(self) -> None:
        """Close the server (idempotent); its port refuses connections afterwards."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._loop = self._thread = None
        try:
            asyncio.run_coroutine_threadsafe(self.fake.close(), loop).result(TIMEOUT)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(TIMEOUT)
            loop.close()

    def _require_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("the fake Jellyfin is not running")
        return self._loop


@contextmanager
def serving(fake: FakeJellyfin) -> Iterator[FakeJellyfinThread]:
    """Serve `fake` for the length of a `with` block (a fixture body: `with serving(f) as s: yield s`)."""
    server = FakeJellyfinThread(fake)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def deck_with(
    root: Path, server: FakeJellyfinThread, user: str, password: str, **tables: dict[str, Any]
) -> ServiceProcess:
    """A service configured for `server`, no demo library, quick retries; `tables` add or override
    config keys table by table."""
    extra: dict[str, dict[str, Any]] = {
        "jellyfin": {"url": server.fake.url, "username": user, "password": password},
        "library": {"demo": False},
        "cache": {"wifi_only": False},
        "downloads": {"retry_delays": [0.2, 0.5, 1.0]},
    }
    for table, keys in tables.items():
        extra.setdefault(table, {}).update(keys)
    return ServiceProcess(root, extra=extra)
